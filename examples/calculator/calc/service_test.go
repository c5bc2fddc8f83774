package calc_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// events is a CalculatorEvents that records what it is asked to publish,
// and fails every publication with fail when it is set.
type events struct {
	mu   sync.Mutex
	got  []calc.Computation
	errs []error // each publication's ctx.Err() when it was made
	dl   []bool  // whether each publication's ctx had a deadline
	fail error
}

func (e *events) Computed(ctx context.Context, c calc.Computation) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, c)
	e.errs = append(e.errs, ctx.Err())
	_, ok := ctx.Deadline()
	e.dl = append(e.dl, ok)
	return e.fail
}

// TestServicePublishesComputations checks the contract's topic on the Go
// service: one Computed event per successful add, div and sqrt, with the
// call's numbers and its result, and none for a failed call or for the
// other procedures.
func TestServicePublishesComputations(t *testing.T) {
	ev := &events{}
	svc := &calc.Service{Events: ev}
	ctx := context.Background()

	if v, err := svc.Add(ctx, 2, 3); err != nil || v != 5 {
		t.Fatalf("Add(2, 3) = %v, %v", v, err)
	}
	if _, err := svc.Div(ctx, 1, 0); !errors.Is(err, calc.ErrDivByZero) {
		t.Fatalf("Div(1, 0): %v", err)
	}
	if v, err := svc.Div(ctx, 10, 4); err != nil || v != 2.5 {
		t.Fatalf("Div(10, 4) = %v, %v", v, err)
	}
	var neg *calc.NegativeInputError
	if _, err := svc.Sqrt(ctx, -4); !errors.As(err, &neg) {
		t.Fatalf("Sqrt(-4): %v", err)
	}
	if v, err := svc.Sqrt(ctx, 2); err != nil || v != math.Sqrt2 {
		t.Fatalf("Sqrt(2) = %v, %v", v, err)
	}
	if _, err := svc.Stats(ctx, []float64{1, 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Round(ctx, calc.RoundRequest{Value: 1.25, Places: 1}); err != nil {
		t.Fatal(err)
	}

	want := []calc.Computation{
		{Op: "add", Args: []float64{2, 3}, Result: 5},
		{Op: "div", Args: []float64{10, 4}, Result: 2.5},
		{Op: "sqrt", Args: []float64{2}, Result: math.Sqrt2},
	}
	if !slices.EqualFunc(ev.got, want, func(a, b calc.Computation) bool {
		return a.Op == b.Op && slices.Equal(a.Args, b.Args) && a.Result == b.Result
	}) {
		t.Fatalf("published %+v, want %+v", ev.got, want)
	}
}

// TestServicePublishesAfterCancel checks that a computation is published
// even when the call's context has ended meanwhile (the caller went away
// after it was computed): the publication's context is not the call's.
func TestServicePublishesAfterCancel(t *testing.T) {
	ev := &events{}
	svc := &calc.Service{Events: ev}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := svc.Add(ctx, 1, 2); err != nil {
		t.Fatal(err)
	}
	if len(ev.got) != 1 {
		t.Fatalf("published %d events, want 1", len(ev.got))
	}
	if err := ev.errs[0]; err != nil {
		t.Fatalf("the publication's context had ended: %v", err)
	}
	if !ev.dl[0] {
		t.Fatal("the publication's context has no deadline")
	}
}

// TestServicePublicationFailure checks that a failed publication does not
// fail the call, and is logged, at Warn only once in a burst.
func TestServicePublicationFailure(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ev := &events{fail: errors.New("connection lost")}
	svc := &calc.Service{Events: ev, Logger: log}
	for range 5 {
		if v, err := svc.Add(context.Background(), 1, 2); err != nil || v != 3 {
			t.Fatalf("Add(1, 2) = %v, %v with a failing publisher", v, err)
		}
	}
	out := buf.String()
	if n := strings.Count(out, "level=WARN"); n != 1 {
		t.Errorf("%d lines at Warn for a burst of 5 failures, want 1:\n%s", n, out)
	}
	if n := strings.Count(out, "level=DEBUG"); n != 4 {
		t.Errorf("%d lines at Debug, want 4:\n%s", n, out)
	}
	if !strings.Contains(out, "connection lost") || !strings.Contains(out, "topic=com.example.calc.computed") {
		t.Errorf("the log does not name the error and the topic:\n%s", out)
	}

	// Without a logger, failures are dropped quietly; without Events,
	// nothing is published.
	if _, err := (&calc.Service{Events: ev}).Sqrt(context.Background(), 4); err != nil {
		t.Fatal(err)
	}
	if _, err := (&calc.Service{}).Div(context.Background(), 1, 2); err != nil {
		t.Fatal(err)
	}
}

// publisher is a runtime.Publisher that records publications.
type publisher struct {
	topic        wamp.URI
	args, kwargs wamp.Payload
}

func (p *publisher) Publish(ctx context.Context, topic wamp.URI, args, kwargs wamp.Payload, opts ...runtime.PublishOption) (wamp.ID, error) {
	p.topic, p.args, p.kwargs = topic, args, kwargs
	return 0, nil
}

// TestComputedWireForm checks the event as it travels, through the
// generated publisher: Arguments [{"op", "args", "result"}], exactly the
// keys of the contract, and no ArgumentsKw.
func TestComputedWireForm(t *testing.T) {
	p := &publisher{}
	svc := &calc.Service{Events: calc.NewCalculatorEventsPublisher(p)}
	if _, err := svc.Div(context.Background(), 9, 2); err != nil {
		t.Fatal(err)
	}
	if p.topic != "com.example.calc.computed" {
		t.Fatalf("published to %q", p.topic)
	}
	if !p.kwargs.IsZero() {
		t.Errorf("ArgumentsKw %v, want none", p.kwargs)
	}
	var args []map[string]any
	if err := p.args.Decode(&args); err != nil {
		t.Fatal(err)
	}
	if len(args) != 1 {
		t.Fatalf("Arguments %v, want one dictionary", args)
	}
	c := args[0]
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"args", "op", "result"}) {
		t.Errorf("keys %v, want args, op, result", keys)
	}
	if c["op"] != "div" || c["result"] != 4.5 {
		t.Errorf("event %v, want op div, result 4.5", c)
	}
	if a, ok := c["args"].([]any); !ok || len(a) != 2 || a[0] != 9.0 || a[1] != 2.0 {
		t.Errorf("args %#v, want [9, 2]", c["args"])
	}
}

// TestServiceStreamedInput: Sum adds what it is given (0 for nothing) and
// publishes nothing; RunningSum yields the total after each number, and
// stops reading its input when the consumer stops.
func TestServiceStreamedInput(t *testing.T) {
	ev := &events{}
	s := &calc.Service{Events: ev}
	ctx := t.Context()
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{2.5}, 2.5}, {[]float64{1, 2, 3, 4}, 10}, {[]float64{1e308, -1e308, 1}, 1}} {
		if got, err := s.Sum(ctx, slices.Values(tc.in)); err != nil || got != tc.want {
			t.Errorf("Sum(%v) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	seq, err := s.RunningSum(ctx, slices.Values([]float64{1, 2, 3, 4}))
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if want := []float64{1, 3, 6, 10}; !slices.Equal(got, want) {
		t.Errorf("RunningSum(1 2 3 4) yields %v, want %v", got, want)
	}
	read := 0
	input := func(yield func(float64) bool) {
		for i := range 100 {
			read++
			if !yield(float64(i)) {
				return
			}
		}
	}
	seq, err = s.RunningSum(ctx, input)
	if err != nil {
		t.Fatal(err)
	}
	for range seq {
		break
	}
	if read != 1 {
		t.Errorf("RunningSum read %d numbers after its consumer stopped at the first total, want 1", read)
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if len(ev.got) != 0 {
		t.Errorf("sum and running_sum published %v, want nothing", ev.got)
	}
}
