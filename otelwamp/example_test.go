package otelwamp_test

import (
	"context"
	"fmt"
	"log"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/wampgen/wampgen/otelwamp"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// A caller and a callee, each tracing with its own interceptor, through an
// embedded router: the callee's span continues the caller's trace.
func Example() {
	ctx := context.Background()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(ctx)

	otw, err := otelwamp.NewInterceptor(
		otelwamp.WithTracerProvider(tp),
		otelwamp.WithPropagator(propagation.TraceContext{}),
	)
	if err != nil {
		log.Fatal(err)
	}

	r, err := router.Start(ctx, router.Config{WebSocketAddr: "127.0.0.1:0"})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	cfg := runtime.Config{Realm: router.DefaultRealm, Interceptors: []runtime.Interceptor{otw}}
	callee, err := runtime.Dial(ctx, r.WebSocketURL(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer callee.Close()
	caller, err := runtime.Dial(ctx, r.WebSocketURL(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer caller.Close()

	_, err = callee.Register(ctx, "com.example.hello", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf("hello")}, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := caller.Call(ctx, "com.example.hello", wamp.Payload{}, wamp.Payload{}); err != nil {
		log.Fatal(err)
	}

	ended := spans.Ended() // the callee's span ends before the caller's
	server, client := ended[0], ended[1]
	fmt.Println(client.Name(), client.SpanKind())
	fmt.Println(server.Name(), server.SpanKind())
	fmt.Println("same trace:", server.SpanContext().TraceID() == client.SpanContext().TraceID())
	fmt.Println("child of the call:", server.Parent().SpanID() == client.SpanContext().SpanID())
	// Output:
	// com.example.hello client
	// com.example.hello server
	// same trace: true
	// child of the call: true
}
