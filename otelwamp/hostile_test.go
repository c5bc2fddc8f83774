package otelwamp_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"

	"github.com/wampgen/wampgen/otelwamp"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestHostileTraceContext: a caller without the interceptor sends trace
// context keys of the wrong type, too long, or malformed; the callee's
// invocation span ignores them (a new trace, no parent) and the call is
// served.
func TestHostileTraceContext(t *testing.T) {
	tel := newTelemetry(t)
	r := routertest.New(t)
	raw := dial(t, r) // no interceptor: it sends what it likes
	callee := dial(t, r, tel.interceptor(t))
	ctx := testCtx(t)
	parent := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	long := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" + strings.Repeat(" ", 3000)
	cases := []struct {
		name string
		opts []runtime.CallOption
	}{
		{"number", []runtime.CallOption{runtime.WithOption("x_traceparent", 42)}},
		{"list", []runtime.CallOption{runtime.WithOption("x_traceparent", []any{parent})}},
		{"dict", []runtime.CallOption{runtime.WithOption("x_traceparent", map[string]any{"a": parent})}},
		{"long", []runtime.CallOption{runtime.WithOption("x_traceparent", long)}},
		{"malformed", []runtime.CallOption{runtime.WithOption("x_traceparent", "00-zz-yy-01")}},
		{"bytes", []runtime.CallOption{runtime.WithOption("x_traceparent", []byte(parent))}},
		{"baggage number", []runtime.CallOption{runtime.WithOption("x_baggage", 7), runtime.WithOption("x_tracestate", true)}},
		{"long baggage", []runtime.CallOption{runtime.WithOption("x_baggage", "k="+strings.Repeat("v", 3000))}},
	}
	for _, c := range cases {
		proc := wamp.URI("com.example.hostile." + strings.ReplaceAll(c.name, " ", "_"))
		var members int
		if _, err := callee.Register(ctx, proc, func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			members = baggage.FromContext(ctx).Len()
			return &runtime.Result{}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Call(ctx, proc, wamp.Payload{}, wamp.Payload{}, c.opts...); err != nil {
			t.Fatalf("%s: call: %v", c.name, err)
		}
		span := tel.span(t, string(proc), trace.SpanKindServer)
		if span.Parent().IsValid() {
			t.Errorf("%s: invocation span has parent %v, want none", c.name, span.Parent())
		}
		if members != 0 {
			t.Errorf("%s: %d baggage members in the handler, want 0", c.name, members)
		}
	}
}

// TestHostileDetailsUnit feeds the wrapped handler and event handler
// details no router would forward, directly: nothing panics, nothing is
// extracted.
func TestHostileDetailsUnit(t *testing.T) {
	tel := newTelemetry(t)
	i := tel.interceptor(t)
	h := i.WrapInvocation(func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return &runtime.Result{}, nil })
	e := i.WrapEvent(func(context.Context, *runtime.Event) error { return nil })
	for n, d := range []wamp.Dict{
		nil,
		{},
		{"x_traceparent": nil},
		{"x_traceparent": strings.Repeat("0", 1<<20)},
		{"x_traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "x_tracestate": strings.Repeat("a=b,", 1<<16)},
		{"x_": "x", "x_x": 1, "x_-": "?", "progress": "yes"},
	} {
		name := fmt.Sprintf("com.example.unit%d", n)
		if _, err := h(context.Background(), &runtime.Invocation{Procedure: wamp.URI(name), Details: d}); err != nil {
			t.Errorf("details %d: handler: %v", n, err)
		}
		if err := e(context.Background(), &runtime.Event{Topic: wamp.URI(name), Details: d}); err != nil {
			t.Errorf("details %d: event handler: %v", n, err)
		}
		for _, kind := range []trace.SpanKind{trace.SpanKindServer, trace.SpanKindConsumer} {
			span := tel.span(t, name, kind)
			if n == 4 {
				// A valid traceparent with an oversized tracestate: the
				// tracestate is ignored, the parent kept.
				if !span.Parent().IsValid() || span.Parent().TraceState().Len() != 0 {
					t.Errorf("details %d: %v span parent %v (tracestate %q), want the traceparent without tracestate", n, kind, span.Parent(), span.Parent().TraceState())
				}
			} else if span.Parent().IsValid() {
				t.Errorf("details %d: %v span has parent %v, want none", n, kind, span.Parent())
			}
		}
	}
}

// TestPublicEndpoint: WithPublicEndpoint starts the invocation span as the
// root of a new trace, linked to the caller's span, and drops the caller's
// baggage.
func TestPublicEndpoint(t *testing.T) {
	tel := newTelemetry(t)
	caller, callee := pair(t, tel, otelwamp.WithPublicEndpoint())
	ctx := testCtx(t)
	members := -1
	if _, err := callee.Register(ctx, "com.example.public", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		members = baggage.FromContext(ctx).Len()
		return &runtime.Result{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	bag, _ := baggage.Parse("user=mallory")
	if _, err := caller.Call(baggage.ContextWithBaggage(ctx, bag), "com.example.public", wamp.Payload{}, wamp.Payload{}); err != nil {
		t.Fatal(err)
	}
	client := tel.span(t, "com.example.public", trace.SpanKindClient)
	server := tel.span(t, "com.example.public", trace.SpanKindServer)
	if server.Parent().IsValid() || server.SpanContext().TraceID() == client.SpanContext().TraceID() {
		t.Errorf("public endpoint's span: parent %v, trace %v; want a new root (caller's trace %v)",
			server.Parent().SpanID(), server.SpanContext().TraceID(), client.SpanContext().TraceID())
	}
	if links := server.Links(); len(links) != 1 || !links[0].SpanContext.Equal(client.SpanContext().WithRemote(true)) {
		t.Errorf("public endpoint's span links %v, want one to the caller's span %v", links, client.SpanContext())
	}
	if members != 0 {
		t.Errorf("%d baggage members reached the public endpoint's handler, want 0", members)
	}
}

// TestLabelLimit: past the limit, new procedure and error URIs are
// recorded as _OTHER; known ones keep their own label; the number of data
// points stays bounded however many URIs a peer makes up.
func TestLabelLimit(t *testing.T) {
	tel := newTelemetry(t)
	i := tel.interceptor(t, otelwamp.WithLabelLimit(3))
	call := i.WrapCall(func(_ context.Context, c *runtime.Call) (*runtime.Result, error) {
		if strings.HasSuffix(string(c.Procedure), ".ok") {
			return &runtime.Result{}, nil
		}
		return nil, runtime.NewError(wamp.URI("com.example.error.e" + strings.TrimPrefix(string(c.Procedure), "com.example.p")))
	})
	ctx := context.Background()
	for n := range 50 {
		if _, err := call(ctx, &runtime.Call{Procedure: wamp.URI(fmt.Sprintf("com.example.p%d", n))}); err == nil {
			t.Fatal("no error")
		}
	}
	if _, err := call(ctx, &runtime.Call{Procedure: "com.example.p1"}); err == nil {
		t.Fatal("no error")
	}
	// A URI longer than any sane label is _OTHER without using up a slot.
	if _, err := call(ctx, &runtime.Call{Procedure: wamp.URI("com.example." + strings.Repeat("x", 300) + ".ok")}); err != nil {
		t.Fatal(err)
	}
	points := tel.histogram(t, "rpc.client.call.duration")
	methods, errs := map[string]bool{}, map[string]bool{}
	for _, p := range points {
		methods[p.attrs["rpc.method"]] = true
		errs[p.attrs["error.type"]] = true
	}
	if len(methods) != 4 || !methods["_OTHER"] || len(errs) != 5 || !errs["_OTHER"] {
		t.Errorf("labels: methods %v, error types %v; want 3 of each and _OTHER (and no error.type for the success)", methods, errs)
	}
	if n := count(points, "rpc.system.name", "wamp", "rpc.method", "com.example.p1", "error.type", "com.example.error.e1"); n != 2 {
		t.Errorf("com.example.p1 (admitted before the limit) counted %d times, want 2; points: %s", n, describe(points))
	}
	if n := count(points, "rpc.system.name", "wamp", "rpc.method", "_OTHER", "error.type", "_OTHER"); n != 47 {
		t.Errorf("_OTHER/_OTHER counted %d times, want 47; points: %s", n, describe(points))
	}
	if n := count(points, "rpc.system.name", "wamp", "rpc.method", "_OTHER"); n != 1 {
		t.Errorf("the over-long procedure counted %d times as _OTHER, want 1; points: %s", n, describe(points))
	}
	if _, err := otelwamp.NewInterceptor(otelwamp.WithLabelLimit(0)); err == nil {
		t.Error("WithLabelLimit(0): no error")
	}
}

// TestLabelLimitCombinations: the limit bounds the data points, not only
// each attribute's values: n admitted procedures that each fail with n
// admitted error URIs (a pattern registration proxying errors a peer
// chose) make O(n) points, not n².
func TestLabelLimitCombinations(t *testing.T) {
	tel := newTelemetry(t)
	const limit = 5
	i := tel.interceptor(t, otelwamp.WithLabelLimit(limit))
	var errURI wamp.URI // the error the next call fails with
	call := i.WrapCall(func(context.Context, *runtime.Call) (*runtime.Result, error) {
		return nil, runtime.NewError(errURI)
	})
	ctx := context.Background()
	for p := range 20 {
		for e := range 20 {
			errURI = wamp.URI(fmt.Sprintf("com.example.error.e%d", e%limit))
			if _, err := call(ctx, &runtime.Call{Procedure: wamp.URI(fmt.Sprintf("com.example.p%d", p%limit))}); err == nil {
				t.Fatal("no error")
			}
		}
	}
	points := tel.histogram(t, "rpc.client.call.duration")
	var total uint64
	for _, p := range points {
		total += p.count
	}
	if total != 400 {
		t.Errorf("%d calls counted, want 400", total)
	}
	if max := 3*limit + 2; len(points) > max {
		t.Errorf("%d data points for %d admitted procedures, want at most %d: %s", len(points), limit, max, describe(points))
	}
}

// TestConcurrentLabels: many goroutines record through one interceptor,
// with more distinct URIs and error URIs than the limit, successes and
// failures mixed (run with -race): every call is counted once, and the
// data points stay bounded.
func TestConcurrentLabels(t *testing.T) {
	tel := newTelemetry(t)
	const limit, goroutines, calls = 8, 16, 200
	i := tel.interceptor(t, otelwamp.WithLabelLimit(limit))
	call := i.WrapCall(func(_ context.Context, c *runtime.Call) (*runtime.Result, error) {
		if e, ok := c.Options["x_err"].(string); ok {
			return nil, runtime.NewError(wamp.URI(e))
		}
		return &runtime.Result{}, nil
	})
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for n := range calls {
				c := &runtime.Call{Procedure: wamp.URI(fmt.Sprintf("com.example.p%d", (g*calls+n)%37))}
				if n%3 != 0 {
					c.SetOption("x_err", fmt.Sprintf("com.example.error.e%d", n%29))
				}
				if _, err := call(ctx, c); (err == nil) != (n%3 == 0) {
					t.Errorf("call %d/%d: %v", g, n, err)
				}
			}
		})
	}
	wg.Wait()
	points := tel.histogram(t, "rpc.client.call.duration")
	var total uint64
	for _, p := range points {
		total += p.count
	}
	if total != goroutines*calls {
		t.Errorf("%d calls counted, want %d", total, goroutines*calls)
	}
	if max := 3*limit + 2; len(points) > max {
		t.Errorf("%d data points, want at most %d: %s", len(points), max, describe(points))
	}
	if n := len(tel.spans.Ended()); n != goroutines*calls {
		t.Errorf("%d spans ended, want %d", n, goroutines*calls)
	}
}
