package otelwamp_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/wampgen/wampgen/otelwamp"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
)

// testWait bounds every wait: generous, so that a slow -race run on a
// loaded machine does not flake; a passing test never waits this long.
const testWait = 10 * time.Second

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	t.Cleanup(cancel)
	return ctx
}

// telemetry is an SDK tracer provider recording every span in memory and a
// meter provider read by hand.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(t testing.TB) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(tel.spans))
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = tel.mp.Shutdown(context.Background())
	})
	return tel
}

var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// interceptor returns an interceptor recording into tel, with the W3C
// propagators and opts.
func (tel *telemetry) interceptor(t testing.TB, opts ...otelwamp.Option) *otelwamp.Interceptor {
	t.Helper()
	opts = append([]otelwamp.Option{
		otelwamp.WithTracerProvider(tel.tp),
		otelwamp.WithMeterProvider(tel.mp),
		otelwamp.WithPropagator(w3c),
	}, opts...)
	i, err := otelwamp.NewInterceptor(opts...)
	if err != nil {
		t.Fatalf("NewInterceptor: %v", err)
	}
	return i
}

// span returns the one ended span named name of kind, waiting for it (an
// abandoned CallInput ends its span on a goroutine of its own).
func (tel *telemetry) span(t testing.TB, name string, kind trace.SpanKind) sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		var found []sdktrace.ReadOnlySpan
		for _, s := range tel.spans.Ended() {
			if s.Name() == name && s.SpanKind() == kind {
				found = append(found, s)
			}
		}
		switch {
		case len(found) == 1:
			return found[0]
		case len(found) > 1:
			t.Fatalf("%d %v spans named %q, want 1", len(found), kind, name)
		case time.Now().After(deadline):
			t.Fatalf("no %v span named %q; ended spans: %s", kind, name, spanNames(tel.spans.Ended()))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func spanNames(spans []sdktrace.ReadOnlySpan) string {
	var names []string
	for _, s := range spans {
		names = append(names, fmt.Sprintf("%s(%v)", s.Name(), s.SpanKind()))
	}
	return strings.Join(names, ", ")
}

// attr returns span's attribute key, or an invalid Value.
func attr(span sdktrace.ReadOnlySpan, key attribute.Key) attribute.Value {
	for _, kv := range span.Attributes() {
		if kv.Key == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

func wantAttr(t testing.TB, span sdktrace.ReadOnlySpan, key attribute.Key, want attribute.Value) {
	t.Helper()
	if got := attr(span, key); got != want {
		t.Errorf("span %s: %s = %v (%s), want %v (%s)", span.Name(), key, got.Emit(), got.Type(), want.Emit(), want.Type())
	}
}

// wantChild checks that child's parent is parent, in the same trace.
func wantChild(t testing.TB, child, parent sdktrace.ReadOnlySpan) {
	t.Helper()
	if child.Parent().SpanID() != parent.SpanContext().SpanID() || child.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Errorf("span %s (trace %s, parent %s) is not a child of span %s (trace %s, span %s)",
			child.Name(), child.SpanContext().TraceID(), child.Parent().SpanID(),
			parent.Name(), parent.SpanContext().TraceID(), parent.SpanContext().SpanID())
	}
}

// point is one histogram data point: its attributes and count.
type point struct {
	attrs map[string]string
	count uint64
}

// histogram collects the metrics and returns the data points of the
// histogram named name.
func (tel *telemetry) histogram(t testing.TB, name string) []point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collecting metrics: %v", err)
	}
	var points []point
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			h, ok := m.Data.(metricdata.Histogram[float64])
			if !ok {
				t.Fatalf("metric %s is a %T, want a float64 histogram", name, m.Data)
			}
			if m.Unit != "s" {
				t.Errorf("metric %s: unit %q, want s", name, m.Unit)
			}
			for _, dp := range h.DataPoints {
				p := point{attrs: map[string]string{}, count: dp.Count}
				for _, kv := range dp.Attributes.ToSlice() {
					p.attrs[string(kv.Key)] = kv.Value.Emit()
				}
				points = append(points, p)
			}
		}
	}
	return points
}

// count returns the count of the data point whose attributes are exactly
// attrs (key=value pairs), or 0.
func count(points []point, attrs ...string) uint64 {
	for _, p := range points {
		if len(p.attrs) != len(attrs)/2 {
			continue
		}
		match := true
		for i := 0; i < len(attrs); i += 2 {
			if v, ok := p.attrs[attrs[i]]; !ok || v != attrs[i+1] {
				match = false
			}
		}
		if match {
			return p.count
		}
	}
	return 0
}

func describe(points []point) string {
	var s []string
	for _, p := range points {
		var kv []string
		for k, v := range p.attrs {
			kv = append(kv, k+"="+v)
		}
		slices.Sort(kv)
		s = append(s, fmt.Sprintf("{%s}:%d", strings.Join(kv, " "), p.count))
	}
	return strings.Join(s, ", ")
}

// pair starts a router and returns a caller and a callee session on it,
// each with its own interceptor (of the same telemetry, so that every
// span is in one recorder).
func pair(t testing.TB, tel *telemetry, calleeOpts ...otelwamp.Option) (caller, callee *runtime.Session) {
	t.Helper()
	r := routertest.New(t)
	caller = dial(t, r, tel.interceptor(t))
	callee = dial(t, r, tel.interceptor(t, calleeOpts...))
	return caller, callee
}

func dial(t testing.TB, r *router.Router, interceptors ...runtime.Interceptor) *runtime.Session {
	t.Helper()
	s, err := runtime.Dial(testCtx(t), r.WebSocketURL(), runtime.Config{Realm: router.DefaultRealm, Interceptors: interceptors})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing session: %v", err)
		}
	})
	return s
}
