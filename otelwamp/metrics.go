package otelwamp

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// otherValue replaces a metric attribute value once its instrument has seen
// labelLimit distinct ones (the semantic conventions' "_OTHER").
const otherValue = "_OTHER"

// maxLabelLen bounds a metric attribute value, in bytes: a longer URI is
// recorded as otherValue and does not count against the limit.
const maxLabelLen = 256

// labelCap admits at most limit distinct values of one attribute; values
// seen before stay admitted, new ones beyond the limit become otherValue.
// Lookups of admitted values take no lock.
type labelCap struct {
	limit int
	known sync.Map // string → *attribute.Set: the instrument's attributes for a success
	mu    sync.Mutex
	n     atomic.Int64
}

// recorder records one duration histogram with bounded attributes.
type recorder struct {
	hist metric.Float64Histogram
	base []attribute.KeyValue // fixed attributes (rpc.system.name, …)
	key  attribute.Key        // the URI's attribute
	uris labelCap
	errs labelCap
}

func newRecorder(hist metric.Float64Histogram, key attribute.Key, limit int, base ...attribute.KeyValue) *recorder {
	return &recorder{hist: hist, base: base, key: key, uris: labelCap{limit: limit}, errs: labelCap{limit: limit}}
}

// admit returns v, or otherValue when v is too long or the cap is reached,
// and the value stored for it (nil for otherValue or a new value when mk
// is nil).
func (c *labelCap) admit(v string, mk func(string) any) (string, any) {
	if len(v) > maxLabelLen {
		v = otherValue
	}
	if stored, ok := c.known.Load(v); ok {
		return v, stored
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if stored, ok := c.known.Load(v); ok {
		return v, stored
	}
	if v != otherValue && c.n.Load() >= int64(c.limit) {
		v = otherValue
		if stored, ok := c.known.Load(v); ok {
			return v, stored
		}
	}
	var stored any = struct{}{}
	if mk != nil {
		stored = mk(v)
	}
	c.known.Store(v, stored)
	if v != otherValue {
		c.n.Add(1)
	}
	return v, stored
}

// record records d for uri; errType is "" for a success, else the error
// URI (or otherValue).
func (r *recorder) record(ctx context.Context, d time.Duration, uri, errType string) {
	if r == nil || !r.hist.Enabled(ctx) {
		return
	}
	secs := d.Seconds()
	if errType == "" {
		_, set := r.uris.admit(uri, r.successSet)
		r.hist.Record(ctx, secs, metric.WithAttributeSet(*set.(*attribute.Set)))
		return
	}
	uri, _ = r.uris.admit(uri, r.successSet)
	errType, _ = r.errs.admit(errType, nil)
	attrs := make([]attribute.KeyValue, 0, len(r.base)+2)
	attrs = append(attrs, r.base...)
	attrs = append(attrs, r.key.String(uri), semconv.ErrorTypeKey.String(errType))
	r.hist.Record(ctx, secs, metric.WithAttributes(attrs...))
}

func (r *recorder) successSet(uri string) any {
	attrs := make([]attribute.KeyValue, 0, len(r.base)+1)
	attrs = append(attrs, r.base...)
	attrs = append(attrs, r.key.String(uri))
	set := attribute.NewSet(attrs...)
	return &set
}

// metricSchema is the schema of the attributes the instruments use.
var metricSchema = metric.WithSchemaURL(semconv.SchemaURL)
