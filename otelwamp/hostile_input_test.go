package otelwamp_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestCallInputNilFromInner: an interceptor inside the tracing one
// returns a nil InputCall without an error: CallInput fails cleanly (the
// session's error, not a panic at the first Send) and the span ends as
// an error.
func TestCallInputNilFromInner(t *testing.T) {
	tel := newTelemetry(t)
	r := routertest.New(t)
	nothing := runtime.InterceptorFuncs{
		CallInput: func(runtime.CallInputFunc) runtime.CallInputFunc {
			return func(context.Context, *runtime.Call) (runtime.InputCall, error) { return nil, nil }
		},
	}
	caller := dial(t, r, tel.interceptor(t), nothing)
	ctx := testCtx(t)
	in, err := caller.CallInput(ctx, "com.example.nothing")
	if err == nil {
		err = in.Send(ctx, wamp.ArgsOf(1), wamp.Payload{})
		t.Fatalf("CallInput returned an InputCall (its Send: %v), want an error", err)
	}
	span := tel.span(t, "com.example.nothing", trace.SpanKindClient)
	if span.Status().Code != codes.Error {
		t.Errorf("span status %v, want Error", span.Status())
	}
}

// panickyInput is an InputCall whose Send panics.
type panickyInput struct{ runtime.InputCall }

func (panickyInput) Send(context.Context, wamp.Payload, wamp.Payload) error { panic("send panic") }

// TestCallInputInnerSendPanics: the InputCall of an interceptor inside the
// tracing one panics in Send; the session answers the panic with an
// error, and once the call's context ends the span ends (the panic does
// not leave it counted as a running Send forever).
func TestCallInputInnerSendPanics(t *testing.T) {
	tel := newTelemetry(t)
	r := routertest.New(t)
	callee := dial(t, r)
	ctx := testCtx(t)
	if _, err := callee.Register(ctx, "com.example.sink", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		for _, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
		}
		return &runtime.Result{}, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	panicky := runtime.InterceptorFuncs{
		CallInput: func(next runtime.CallInputFunc) runtime.CallInputFunc {
			return func(ctx context.Context, c *runtime.Call) (runtime.InputCall, error) {
				in, err := next(ctx, c)
				if err != nil {
					return nil, err
				}
				return panickyInput{in}, nil
			}
		},
	}
	caller := dial(t, r, tel.interceptor(t), panicky)
	callCtx, cancel := context.WithCancel(ctx)
	in, err := caller.CallInput(callCtx, "com.example.sink")
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err == nil {
		t.Fatal("Send through a panicking InputCall: no error")
	}
	cancel()
	span := tel.span(t, "com.example.sink", trace.SpanKindClient)
	if span.Status().Code != codes.Error {
		t.Errorf("span status %v, want Error", span.Status())
	}
}

// TestInnerInterceptorPanics: an interceptor inside the tracing one panics
// on every kind of traffic; the session recovers it outermost and answers
// with an error, and every span ends as an error with its duration
// recorded (none stays open).
func TestInnerInterceptorPanics(t *testing.T) {
	tel := newTelemetry(t)
	r := routertest.New(t)
	panicky := runtime.InterceptorFuncs{
		Call: func(runtime.CallFunc) runtime.CallFunc {
			return func(context.Context, *runtime.Call) (*runtime.Result, error) { panic("call panic") }
		},
		CallInput: func(runtime.CallInputFunc) runtime.CallInputFunc {
			return func(context.Context, *runtime.Call) (runtime.InputCall, error) { panic("call input panic") }
		},
		Invocation: func(runtime.Handler) runtime.Handler {
			return func(context.Context, *runtime.Invocation) (*runtime.Result, error) { panic("invocation panic") }
		},
		Publish: func(runtime.PublishFunc) runtime.PublishFunc {
			return func(context.Context, *runtime.Publication) (wamp.ID, error) { panic("publish panic") }
		},
		Event: func(runtime.EventHandler) runtime.EventHandler {
			return func(context.Context, *runtime.Event) error { panic("event panic") }
		},
	}
	traced := tel.interceptor(t)
	caller := dial(t, r, traced, panicky)
	plain := dial(t, r)
	ctx := testCtx(t)
	if _, err := caller.Call(ctx, "com.example.p1", wamp.Payload{}, wamp.Payload{}); err == nil {
		t.Error("call: no error")
	}
	if _, err := caller.Publish(ctx, "com.example.p2", wamp.Payload{}, wamp.Payload{}); err == nil {
		t.Error("publish: no error")
	}
	if _, err := caller.CallInput(ctx, "com.example.p5"); err == nil {
		t.Error("CallInput: no error")
	}
	if _, err := caller.Register(ctx, "com.example.p3", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Call(ctx, "com.example.p3", wamp.Payload{}, wamp.Payload{}); err == nil {
		t.Error("invocation: no error")
	}
	if _, err := caller.Subscribe(ctx, "com.example.p4", func(context.Context, *runtime.Event) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Publish(ctx, "com.example.p4", wamp.Payload{}, wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		name string
		kind trace.SpanKind
	}{
		{"com.example.p1", trace.SpanKindClient},
		{"com.example.p2", trace.SpanKindProducer},
		{"com.example.p3", trace.SpanKindServer},
		{"com.example.p4", trace.SpanKindConsumer},
		{"com.example.p5", trace.SpanKindClient},
	} {
		span := tel.span(t, want.name, want.kind)
		if span.Status().Code != codes.Error {
			t.Errorf("%s span status %v, want Error", want.name, span.Status())
		}
	}
	points := tel.histogram(t, "rpc.client.call.duration")
	if n := count(points, "rpc.system.name", "wamp", "rpc.method", "com.example.p1", "error.type", string(wamp.ErrRuntime)); n != 1 {
		t.Errorf("rpc.client.call.duration: count %d for the panicked call, want 1; points: %s", n, describe(points))
	}
}
