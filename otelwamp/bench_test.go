package otelwamp_test

import (
	"context"
	"testing"

	"github.com/wampgen/wampgen/otelwamp"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// BenchmarkWrapCall is the interceptor's own cost per call (no network):
// an always-sampled SDK span, the injected trace context and one histogram
// record.
func BenchmarkWrapCall(b *testing.B) {
	for _, c := range []struct {
		name string
		opts []otelwamp.Option
	}{
		{"tracing+metrics", nil},
		{"metrics", []otelwamp.Option{otelwamp.WithoutTracing()}},
	} {
		b.Run(c.name, func(b *testing.B) {
			tel := newTelemetry(b)
			call := tel.interceptor(b, c.opts...).WrapCall(func(context.Context, *runtime.Call) (*runtime.Result, error) {
				return &runtime.Result{}, nil
			})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := call(ctx, &runtime.Call{Procedure: "com.example.add"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWrapInvocation is the callee side's: extraction, an SDK span,
// one histogram record.
func BenchmarkWrapInvocation(b *testing.B) {
	tel := newTelemetry(b)
	h := tel.interceptor(b).WrapInvocation(func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{}, nil
	})
	inv := &runtime.Invocation{Procedure: "com.example.add", Details: wamp.Dict{
		"procedure": "com.example.add", "x_traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h(ctx, inv); err != nil {
			b.Fatal(err)
		}
	}
}
