package otelwamp_test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
)

// TestCalculator traces the generated calculator client and registrar,
// each given the interceptor with runtime.WithInterceptors (the sessions
// have none): caller → callee → the Computed publication the callee makes
// while serving → the subscriber, one trace; a mapped error carries its
// URI; Fibonacci's progressive results are flagged.
func TestCalculator(t *testing.T) {
	tel := newTelemetry(t)
	r := routertest.New(t)
	callerSess, calleeSess, subSess := dial(t, r), dial(t, r), dial(t, r)
	ctx := testCtx(t)

	events := make(chan trace.SpanContext, 8)
	if _, err := calc.SubscribeCalculatorEventsComputed(ctx, subSess, func(ctx context.Context, c calc.Computation) error {
		events <- trace.SpanContextFromContext(ctx)
		return nil
	}, runtime.WithInterceptors(tel.interceptor(t))); err != nil {
		t.Fatal(err)
	}
	svc := &calc.Service{Events: calc.NewCalculatorEventsPublisher(calleeSess, runtime.WithInterceptors(tel.interceptor(t)))}
	if _, err := calc.RegisterCalculator(ctx, calleeSess, svc, runtime.WithInterceptors(tel.interceptor(t))); err != nil {
		t.Fatal(err)
	}
	client := calc.NewCalculatorClient(callerSess, runtime.WithInterceptors(tel.interceptor(t)))

	if sum, err := client.Add(ctx, 1, 2); err != nil || sum != 3 {
		t.Fatalf("Add: %v, %v", sum, err)
	}
	select {
	case <-events:
	case <-ctx.Done():
		t.Fatal("no Computed event")
	}
	add := string(calc.CalculatorAddProcedure)
	callSpan := tel.span(t, add, trace.SpanKindClient)
	serveSpan := tel.span(t, add, trace.SpanKindServer)
	topic := string(calc.CalculatorEventsComputedTopic)
	pubSpan := tel.span(t, topic, trace.SpanKindProducer)
	eventSpan := tel.span(t, topic, trace.SpanKindConsumer)
	wantChild(t, serveSpan, callSpan)
	wantChild(t, pubSpan, serveSpan)
	wantChild(t, eventSpan, pubSpan)

	if _, err := client.Div(ctx, 1, 0); !errors.Is(err, calc.ErrDivByZero) {
		t.Fatalf("Div by zero: %v", err)
	}
	div := string(calc.CalculatorDivProcedure)
	for _, kind := range []trace.SpanKind{trace.SpanKindClient, trace.SpanKindServer} {
		span := tel.span(t, div, kind)
		if st := span.Status(); st.Code != codes.Error || st.Description != "com.example.calc.error.div_by_zero" {
			t.Errorf("Div %v span: status %v %q, want Error com.example.calc.error.div_by_zero", kind, st.Code, st.Description)
		}
	}

	var got []int64
	if _, err := client.Fibonacci(ctx, 5, func(v int64) error { got = append(got, v); return nil }); err != nil || len(got) != 4 {
		t.Fatalf("Fibonacci: %v, progress %v", err, got)
	}
	fib := string(calc.CalculatorFibonacciProcedure)
	wantAttr(t, tel.span(t, fib, trace.SpanKindClient), progressKey, attribute.BoolValue(true))
	wantAttr(t, tel.span(t, fib, trace.SpanKindServer), progressKey, attribute.BoolValue(true))

	// Streamed input, and both ways at once (CallInput under the
	// generated client).
	xs := func(yield func(float64) bool) {
		for _, x := range []float64{1, 2, 3} {
			if !yield(x) {
				return
			}
		}
	}
	if sum, err := client.Sum(ctx, xs); err != nil || sum != 6 {
		t.Fatalf("Sum: %v, %v", sum, err)
	}
	sumSpan := tel.span(t, string(calc.CalculatorSumProcedure), trace.SpanKindClient)
	wantAttr(t, sumSpan, streamedKey, attribute.BoolValue(true))
	wantChild(t, tel.span(t, string(calc.CalculatorSumProcedure), trace.SpanKindServer), sumSpan)
	seq, err := client.RunningSum(ctx, xs)
	if err != nil {
		t.Fatalf("RunningSum: %v", err)
	}
	var sums []float64
	for v, err := range seq {
		if err != nil {
			t.Fatalf("RunningSum: %v", err)
		}
		sums = append(sums, v)
	}
	if len(sums) != 3 || sums[2] != 6 {
		t.Errorf("RunningSum: %v, want 1 3 6", sums)
	}
	// Ping-pong: item k waits for the running sum of item k-2 (the
	// input is read one item ahead, see runtime.CallInputStream); tracing
	// must not serialize input and results.
	prev := make(chan float64, 8)
	pingPong := func(yield func(float64) bool) {
		for n, x := range []float64{1, 2, 3, 4, 5} {
			if n >= 2 {
				select {
				case <-prev:
				case <-ctx.Done():
					return
				}
			}
			if !yield(x) {
				return
			}
		}
	}
	seq, err = client.RunningSum(ctx, pingPong)
	if err != nil {
		t.Fatalf("RunningSum, ping-pong: %v", err)
	}
	var last float64
	for v, err := range seq {
		if err != nil {
			t.Fatalf("RunningSum, ping-pong: %v", err)
		}
		last = v
		prev <- v
	}
	if last != 15 {
		t.Errorf("RunningSum, ping-pong: last sum %v, want 15", last)
	}

	var runningSpans []string
	for _, s := range tel.spans.Ended() {
		if s.Name() == string(calc.CalculatorRunningSumProcedure) && s.SpanKind() == trace.SpanKindClient {
			runningSpans = append(runningSpans, s.Status().Code.String())
		}
	}
	if len(runningSpans) != 2 || runningSpans[0] != "Unset" || runningSpans[1] != "Unset" {
		t.Errorf("RunningSum client spans: statuses %v, want two, unset", runningSpans)
	}
	points := tel.histogram(t, "rpc.server.call.duration")
	if n := count(points, "rpc.system.name", "wamp", "rpc.method", div, "error.type", "com.example.calc.error.div_by_zero"); n != 1 {
		t.Errorf("rpc.server.call.duration: Div by zero counted %d times, want 1; points: %s", n, describe(points))
	}
}

// TestCalculatorRunningSumSpan: a generated bidirectional call is one
// client span, ended when the call ends, counting its input chunks, the
// callee's span its child.
func TestCalculatorRunningSumSpan(t *testing.T) {
	tel := newTelemetry(t)
	r := routertest.New(t)
	callerSess, calleeSess := dial(t, r), dial(t, r)
	ctx := testCtx(t)
	if _, err := calc.RegisterCalculator(ctx, calleeSess, &calc.Service{}, runtime.WithInterceptors(tel.interceptor(t))); err != nil {
		t.Fatal(err)
	}
	client := calc.NewCalculatorClient(callerSess, runtime.WithInterceptors(tel.interceptor(t)))
	seq, err := client.RunningSum(ctx, func(yield func(float64) bool) { _ = yield(1) && yield(2) })
	if err != nil {
		t.Fatalf("RunningSum: %v", err)
	}
	for _, err := range seq {
		if err != nil {
			t.Fatalf("RunningSum: %v", err)
		}
	}
	running := tel.span(t, string(calc.CalculatorRunningSumProcedure), trace.SpanKindClient)
	wantAttr(t, running, streamedKey, attribute.BoolValue(true))
	wantAttr(t, running, progressKey, attribute.BoolValue(true))
	wantAttr(t, running, attribute.Key("wamp.input_chunks"), attribute.Int64Value(2))
	wantChild(t, tel.span(t, string(calc.CalculatorRunningSumProcedure), trace.SpanKindServer), running)
	if running.Status().Code != codes.Unset {
		t.Errorf("RunningSum span status %v, want unset", running.Status())
	}
}

const (
	progressKey = attribute.Key("wamp.progress")
	streamedKey = attribute.Key("wamp.streamed_input")
)
