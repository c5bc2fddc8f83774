package otelwamp_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/wampgen/wampgen/otelwamp"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

const (
	rpcSystem    = attribute.Key("rpc.system.name")
	rpcMethod    = attribute.Key("rpc.method")
	rpcOriginal  = attribute.Key("rpc.method_original")
	errorTypeKey = attribute.Key("error.type")
)

// TestCallTraced: the callee's invocation span is a child of the caller's
// call span, itself a child of the span the caller was in; the trace
// context and baggage travel in x_ options; both spans carry the WAMP
// attributes; the durations are recorded by procedure.
func TestCallTraced(t *testing.T) {
	tel := newTelemetry(t)
	caller, callee := pair(t, tel)
	ctx := testCtx(t)

	var details wamp.Dict
	var handlerSpan trace.SpanContext
	var member string
	_, err := callee.Register(ctx, "com.example.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		details = inv.Details
		handlerSpan = trace.SpanContextFromContext(ctx)
		member = baggage.FromContext(ctx).Member("tenant").Value()
		return &runtime.Result{Args: inv.Args}, nil
	})
	if err != nil {
		t.Fatal(err)
	}

	bag, err := baggage.Parse("tenant=acme")
	if err != nil {
		t.Fatal(err)
	}
	rootCtx, root := tel.tp.Tracer("test").Start(baggage.ContextWithBaggage(ctx, bag), "root")
	if _, err := caller.Call(rootCtx, "com.example.echo", wamp.ArgsOf("hi"), wamp.Payload{}); err != nil {
		t.Fatalf("call: %v", err)
	}
	root.End()

	client := tel.span(t, "com.example.echo", trace.SpanKindClient)
	server := tel.span(t, "com.example.echo", trace.SpanKindServer)
	wantChild(t, client, tel.span(t, "root", trace.SpanKindInternal))
	wantChild(t, server, client)
	if !handlerSpan.Equal(server.SpanContext()) {
		t.Errorf("the handler's context holds span %v, want the invocation span %v", handlerSpan.SpanID(), server.SpanContext().SpanID())
	}
	if tp, _ := details["x_traceparent"].(string); len(tp) != 55 {
		t.Errorf("INVOCATION.Details.x_traceparent = %#v, want a W3C traceparent", details["x_traceparent"])
	}
	if member != "acme" {
		t.Errorf("baggage member tenant in the handler = %q, want acme (x_baggage = %#v)", member, details["x_baggage"])
	}
	for _, kind := range []trace.SpanKind{trace.SpanKindClient, trace.SpanKindServer} {
		span := tel.span(t, "com.example.echo", kind)
		wantAttr(t, span, rpcSystem, attribute.StringValue("wamp"))
		wantAttr(t, span, rpcMethod, attribute.StringValue("com.example.echo"))
		wantAttr(t, span, otelwamp.ProgressKey, attribute.BoolValue(false))
		wantAttr(t, span, otelwamp.StreamedInputKey, attribute.BoolValue(false))
		if span.Status().Code != codes.Unset {
			t.Errorf("%v span status %v, want unset", kind, span.Status())
		}
	}

	for _, name := range []string{"rpc.client.call.duration", "rpc.server.call.duration"} {
		points := tel.histogram(t, name)
		if n := count(points, "rpc.system.name", "wamp", "rpc.method", "com.example.echo"); n != 1 {
			t.Errorf("%s: count %d for com.example.echo, want 1; points: %s", name, n, describe(points))
		}
	}
}

// TestCallErrorTraced: a failed call's spans have status Error with the
// error URI and error.type; so do the metrics; a Go error the callee does
// not map, and a handler's panic, are wamp.error.runtime_error on both
// sides.
func TestCallErrorTraced(t *testing.T) {
	tel := newTelemetry(t)
	caller, callee := pair(t, tel)
	ctx := testCtx(t)
	reg := func(uri wamp.URI, err error) {
		t.Helper()
		if _, e := callee.Register(ctx, uri, func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return nil, err }); e != nil {
			t.Fatal(e)
		}
	}
	reg("com.example.fail", runtime.NewError("com.example.error.no_luck", "sorry"))
	reg("com.example.crash", errors.New("a secret detail"))
	if _, err := callee.Register(ctx, "com.example.panic", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		panic("a handler's bug")
	}); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ proc, uri string }{
		{"com.example.fail", "com.example.error.no_luck"},
		{"com.example.crash", "wamp.error.runtime_error"},
		{"com.example.panic", "wamp.error.runtime_error"},
	} {
		_, err := caller.Call(ctx, wamp.URI(c.proc), wamp.Payload{}, wamp.Payload{})
		var werr *runtime.Error
		if !errors.As(err, &werr) || string(werr.URI) != c.uri {
			t.Fatalf("call %s: %v, want %s", c.proc, err, c.uri)
		}
		for _, kind := range []trace.SpanKind{trace.SpanKindClient, trace.SpanKindServer} {
			span := tel.span(t, c.proc, kind)
			if st := span.Status(); st.Code != codes.Error || st.Description != c.uri {
				t.Errorf("%s %v span: status %v %q, want Error %q", c.proc, kind, st.Code, st.Description, c.uri)
			}
			wantAttr(t, span, errorTypeKey, attribute.StringValue(c.uri))
		}
		for _, name := range []string{"rpc.client.call.duration", "rpc.server.call.duration"} {
			points := tel.histogram(t, name)
			if n := count(points, "rpc.system.name", "wamp", "rpc.method", c.proc, "error.type", c.uri); n != 1 {
				t.Errorf("%s: count %d for %s failing with %s, want 1; points: %s", name, n, c.proc, c.uri, describe(points))
			}
		}
	}
}

// TestPatternRegistrationTraced: an invocation of a prefix registration is
// named, and counted, by the registered prefix, the concrete procedure
// being rpc.method_original.
func TestPatternRegistrationTraced(t *testing.T) {
	tel := newTelemetry(t)
	caller, callee := pair(t, tel)
	ctx := testCtx(t)
	if _, err := callee.Register(ctx, "com.example.users", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{}, nil
	}, runtime.WithMatch(runtime.MatchPrefix)); err != nil {
		t.Fatal(err)
	}
	for _, proc := range []wamp.URI{"com.example.users.alice.get", "com.example.users.bob.get"} {
		if _, err := caller.Call(ctx, proc, wamp.Payload{}, wamp.Payload{}); err != nil {
			t.Fatalf("call %s: %v", proc, err)
		}
	}
	var servers []string
	for _, s := range tel.spans.Ended() {
		if s.SpanKind() == trace.SpanKindServer {
			servers = append(servers, s.Name())
			wantAttr(t, s, rpcMethod, attribute.StringValue("com.example.users"))
			if v := attr(s, rpcOriginal).AsString(); v != "com.example.users.alice.get" && v != "com.example.users.bob.get" {
				t.Errorf("server span rpc.method_original = %q, want the called procedure", v)
			}
		}
	}
	if len(servers) != 2 || servers[0] != "com.example.users" || servers[1] != "com.example.users" {
		t.Errorf("server spans %q, want two named com.example.users", servers)
	}
	points := tel.histogram(t, "rpc.server.call.duration")
	if n := count(points, "rpc.system.name", "wamp", "rpc.method", "com.example.users"); n != 2 || len(points) != 1 {
		t.Errorf("rpc.server.call.duration: want one point, com.example.users counting 2; points: %s", describe(points))
	}
}

// TestProgressTraced: a call with progressive results is one span on each
// side, flagged wamp.progress, covering the results.
func TestProgressTraced(t *testing.T) {
	tel := newTelemetry(t)
	caller, callee := pair(t, tel)
	ctx := testCtx(t)
	if _, err := callee.Register(ctx, "com.example.count", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		for n := range 3 {
			if err := inv.SendProgress(wamp.ArgsOf(n), wamp.Payload{}); err != nil {
				return nil, err
			}
		}
		return &runtime.Result{Args: wamp.ArgsOf(3)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	got := 0
	if _, err := caller.Call(ctx, "com.example.count", wamp.Payload{}, wamp.Payload{}, runtime.WithProgress(func(*runtime.Result) error {
		got++
		return nil
	})); err != nil {
		t.Fatalf("call: %v", err)
	}
	if got != 3 {
		t.Errorf("%d progressive results, want 3", got)
	}
	client := tel.span(t, "com.example.count", trace.SpanKindClient)
	server := tel.span(t, "com.example.count", trace.SpanKindServer)
	wantChild(t, server, client)
	wantAttr(t, client, otelwamp.ProgressKey, attribute.BoolValue(true))
	wantAttr(t, server, otelwamp.ProgressKey, attribute.BoolValue(true))
}

// TestCallInputTraced: a CallInput is one client span from CallInput to
// the final result, counting its chunks; the callee's span is its child
// and flagged as streamed input.
func TestCallInputTraced(t *testing.T) {
	tel := newTelemetry(t)
	caller, callee := pair(t, tel)
	ctx := testCtx(t)
	if _, err := callee.Register(ctx, "com.example.sum", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		n := 0
		for _, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
			n++
		}
		return &runtime.Result{Args: wamp.ArgsOf(n)}, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	in, err := caller.CallInput(ctx, "com.example.sum")
	if err != nil {
		t.Fatalf("CallInput: %v", err)
	}
	for n := range 3 {
		if err := in.Send(ctx, wamp.ArgsOf(n), wamp.Payload{}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if _, err := in.CloseSend(ctx, wamp.ArgsOf(3), wamp.Payload{}); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	client := tel.span(t, "com.example.sum", trace.SpanKindClient)
	server := tel.span(t, "com.example.sum", trace.SpanKindServer)
	wantChild(t, server, client)
	wantAttr(t, client, otelwamp.StreamedInputKey, attribute.BoolValue(true))
	wantAttr(t, server, otelwamp.StreamedInputKey, attribute.BoolValue(true))
	wantAttr(t, client, otelwamp.InputChunksKey, attribute.Int64Value(4))
	points := tel.histogram(t, "rpc.client.call.duration")
	if n := count(points, "rpc.system.name", "wamp", "rpc.method", "com.example.sum"); n != 1 {
		t.Errorf("rpc.client.call.duration: count %d for com.example.sum, want 1; points: %s", n, describe(points))
	}
}

// TestCallInputAbandoned: a CallInput whose context ends before CloseSend
// ends its span (wamp.error.canceled) and records its duration; none is
// left open.
func TestCallInputAbandoned(t *testing.T) {
	tel := newTelemetry(t)
	caller, callee := pair(t, tel)
	ctx := testCtx(t)
	started := make(chan struct{})
	if _, err := callee.Register(ctx, "com.example.wait", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		close(started)
		for _, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
		}
		return &runtime.Result{}, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	callCtx, cancel := context.WithCancel(ctx)
	in, err := caller.CallInput(callCtx, "com.example.wait")
	if err != nil {
		t.Fatalf("CallInput: %v", err)
	}
	if err := in.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	select {
	case <-started:
	case <-ctx.Done():
		t.Fatal("the handler did not start")
	}
	cancel() // abandoned: no CloseSend

	client := tel.span(t, "com.example.wait", trace.SpanKindClient)
	if st := client.Status(); st.Code != codes.Error || st.Description != string(wamp.ErrCanceled) {
		t.Errorf("abandoned CallInput span: status %v %q, want Error %s", st.Code, st.Description, wamp.ErrCanceled)
	}
	wantAttr(t, client, otelwamp.InputChunksKey, attribute.Int64Value(1))
	// The callee is interrupted: its span ends too.
	server := tel.span(t, "com.example.wait", trace.SpanKindServer)
	wantChild(t, server, client)
	points := tel.histogram(t, "rpc.client.call.duration")
	if n := count(points, "rpc.system.name", "wamp", "rpc.method", "com.example.wait", "error.type", string(wamp.ErrCanceled)); n != 1 {
		t.Errorf("rpc.client.call.duration: count %d for the abandoned call, want 1; points: %s", n, describe(points))
	}
	// A CloseSend after the end changes nothing.
	if _, err := in.CloseSend(ctx, wamp.Payload{}, wamp.Payload{}); err == nil {
		t.Error("CloseSend after the context ended: no error")
	}
	if n := len(tel.spans.Ended()); n != 2 {
		t.Errorf("%d spans ended, want 2: %s", n, spanNames(tel.spans.Ended()))
	}
}

// TestCallTimeoutTraced: a call whose context's deadline passes is
// wamp.error.timeout on the caller's span and in its metric; the callee's
// span, interrupted, ends too.
func TestCallTimeoutTraced(t *testing.T) {
	tel := newTelemetry(t)
	caller, callee := pair(t, tel)
	ctx := testCtx(t)
	if _, err := callee.Register(ctx, "com.example.slow", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	callCtx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := caller.Call(callCtx, "com.example.slow", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call: %v, want a timeout", err)
	}
	client := tel.span(t, "com.example.slow", trace.SpanKindClient)
	if st := client.Status(); st.Code != codes.Error || st.Description != string(wamp.ErrTimeout) {
		t.Errorf("timed-out call span: status %v %q, want Error %s", st.Code, st.Description, wamp.ErrTimeout)
	}
	server := tel.span(t, "com.example.slow", trace.SpanKindServer)
	if server.Status().Code != codes.Error {
		t.Errorf("interrupted invocation span: status %v, want Error", server.Status())
	}
	points := tel.histogram(t, "rpc.client.call.duration")
	if n := count(points, "rpc.system.name", "wamp", "rpc.method", "com.example.slow", "error.type", string(wamp.ErrTimeout)); n != 1 {
		t.Errorf("rpc.client.call.duration: count %d for the timed-out call, want 1; points: %s", n, describe(points))
	}
}

// TestWithoutTracingOrMetrics: WithoutTracing starts no span and injects
// nothing, still recording metrics; WithoutMetrics records none, still
// tracing.
func TestWithoutTracingOrMetrics(t *testing.T) {
	var sent wamp.Dict
	next := func(_ context.Context, c *runtime.Call) (*runtime.Result, error) {
		sent = c.Options
		return &runtime.Result{}, nil
	}
	ctx := context.Background()

	tel := newTelemetry(t)
	call := tel.interceptor(t, otelwamp.WithoutTracing()).WrapCall(next)
	if _, err := call(ctx, &runtime.Call{Procedure: "com.example.quiet"}); err != nil {
		t.Fatal(err)
	}
	if len(tel.spans.Ended()) != 0 || sent["x_traceparent"] != nil {
		t.Errorf("WithoutTracing: %d spans, options %v; want none", len(tel.spans.Ended()), sent)
	}
	if n := count(tel.histogram(t, "rpc.client.call.duration"), "rpc.system.name", "wamp", "rpc.method", "com.example.quiet"); n != 1 {
		t.Errorf("WithoutTracing: call counted %d times, want 1", n)
	}

	tel = newTelemetry(t)
	call = tel.interceptor(t, otelwamp.WithoutMetrics()).WrapCall(next)
	if _, err := call(ctx, &runtime.Call{Procedure: "com.example.quiet"}); err != nil {
		t.Fatal(err)
	}
	if len(tel.spans.Ended()) != 1 || sent["x_traceparent"] == nil {
		t.Errorf("WithoutMetrics: %d spans, options %v; want one span, its traceparent sent", len(tel.spans.Ended()), sent)
	}
	if points := tel.histogram(t, "rpc.client.call.duration"); len(points) != 0 {
		t.Errorf("WithoutMetrics: points %s, want none", describe(points))
	}
}
