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
// Lookups take no lock and allocate nothing: the admitted values are an
// immutable map, replaced by a copy when a value is added (at most limit+1
// times).
type labelCap struct {
	limit  int
	maxLen int                            // of a value; 0: maxLabelLen
	known  atomic.Pointer[map[string]any] // value → what mk made for it
	mu     sync.Mutex                     // serializes additions
}

// recorder records one duration histogram with bounded attributes.
type recorder struct {
	hist metric.Float64Histogram
	base []attribute.KeyValue // fixed attributes (rpc.system.name, …)
	key  attribute.Key        // the URI's attribute
	uris labelCap             // values: []metric.RecordOption for a success
	errs labelCap
	// pairs admits the (URI, error type) pairs recorded, so that the data
	// points stay O(limit), not limit²: a pair beyond it is recorded
	// with error type otherValue. Values: their []metric.RecordOption.
	pairs labelCap
}

func newRecorder(hist metric.Float64Histogram, key attribute.Key, limit int, base ...attribute.KeyValue) *recorder {
	return &recorder{hist: hist, base: base, key: key, uris: labelCap{limit: limit}, errs: labelCap{limit: limit},
		pairs: labelCap{limit: limit, maxLen: 2*maxLabelLen + 1}}
}

// admit returns v, or otherValue when v is longer than maxLabelLen or the
// cap is reached, and what mk made for the value returned (nil when mk is
// nil).
func (c *labelCap) admit(v string, mk func(string) any) (string, any) {
	if maxLen := c.maxLen; len(v) > maxLabelLen && (maxLen == 0 || len(v) > maxLen) {
		v = otherValue
	}
	if known := c.known.Load(); known != nil {
		if stored, ok := (*known)[v]; ok {
			return v, stored
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[string]any
	if known := c.known.Load(); known != nil {
		old = *known
	}
	if stored, ok := old[v]; ok {
		return v, stored
	}
	admitted := len(old)
	if _, ok := old[otherValue]; ok {
		admitted--
	}
	if v != otherValue && admitted >= c.limit {
		v = otherValue
		if stored, ok := old[v]; ok {
			return v, stored
		}
	}
	var stored any
	if mk != nil {
		stored = mk(v)
	}
	known := make(map[string]any, len(old)+1)
	for k, s := range old {
		known[k] = s
	}
	known[v] = stored
	c.known.Store(&known)
	return v, stored
}

// record records d for uri; errType is "" for a success, else the error
// URI (or otherValue).
func (r *recorder) record(ctx context.Context, d time.Duration, uri, errType string) {
	if r == nil || !r.hist.Enabled(ctx) {
		return
	}
	secs := d.Seconds()
	uri, opts := r.uris.admit(uri, r.successOptions)
	if errType == "" {
		r.hist.Record(ctx, secs, opts.([]metric.RecordOption)...)
		return
	}
	errType, _ = r.errs.admit(errType, nil)
	pair, stored := r.pairs.admit(uri+"\x00"+errType, func(pair string) any {
		if pair == otherValue {
			return nil
		}
		return r.failureOptions(uri, errType)
	})
	if pair == otherValue { // too many pairs: this URI's new error types are _OTHER
		stored = r.failureOptions(uri, otherValue)
	}
	r.hist.Record(ctx, secs, stored.([]metric.RecordOption)...)
}

// failureOptions are the record options of a failure for uri with errType.
func (r *recorder) failureOptions(uri, errType string) []metric.RecordOption {
	attrs := make([]attribute.KeyValue, 0, len(r.base)+2)
	attrs = append(attrs, r.base...)
	attrs = append(attrs, r.key.String(uri), semconv.ErrorTypeKey.String(errType))
	return []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attrs...))}
}

// successOptions are the record options of a success for uri: made once
// per URI, so that recording a success allocates nothing.
func (r *recorder) successOptions(uri string) any {
	attrs := make([]attribute.KeyValue, 0, len(r.base)+1)
	attrs = append(attrs, r.base...)
	attrs = append(attrs, r.key.String(uri))
	return []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attrs...))}
}

// metricSchema is the schema of the attributes the instruments use.
var metricSchema = metric.WithSchemaURL(semconv.SchemaURL)
