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
