package main

import (
	"context"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// twice publishes every computation two times.
type twice struct{ calc.CalculatorEvents }

func (t twice) Computed(ctx context.Context, c calc.Computation) error {
	if err := t.CalculatorEvents.Computed(ctx, c); err != nil {
		return err
	}
	return t.CalculatorEvents.Computed(ctx, c)
}

// divPublishesFailure is a calculator that also publishes its failed
// divisions, as if they had succeeded with the result 0.
type divPublishesFailure struct {
	*calc.Service
	events calc.CalculatorEvents
}

func (d divPublishesFailure) Div(ctx context.Context, a, b float64) (float64, error) {
	v, err := d.Service.Div(ctx, a, b)
	if err != nil {
		_ = d.events.Computed(ctx, calc.Computation{Op: "div", Args: []float64{a, b}, Result: 0})
	}
	return v, err
}

// TestCheckComputedCatches serves calculators that get the computed topic
// wrong and checks that `calculator call`'s check of it fails, saying why;
// and passes for the Go service.
func TestCheckComputedCatches(t *testing.T) {
	r := routertest.New(t)
	// Only the service that publishes nothing is waited for to the end.
	defer func(d time.Duration) { computedWait = d }(computedWait)
	computedWait = 2 * time.Second

	cases := []struct {
		name string
		impl func(pub calc.CalculatorEvents) calc.Calculator
		fail *regexp.Regexp // nil: the check passes
	}{
		{"publishes", func(pub calc.CalculatorEvents) calc.Calculator {
			return &calc.Service{Events: pub}
		}, nil},
		{"publishes nothing", func(calc.CalculatorEvents) calc.Calculator {
			return &calc.Service{}
		}, regexp.MustCompile(`^no event for add\(\d+, \d+\) = \d+ within 2s \(0 events in all, 0 rejected as not a Computation; of this check's calls, events for: none\)$`)},
		{"publishes twice", func(pub calc.CalculatorEvents) calc.Calculator {
			return &calc.Service{Events: twice{pub}}
		}, regexp.MustCompile(`^2 events for add\(\d+, \d+\) = \d+, want 1$`)},
		{"publishes a failed div", func(pub calc.CalculatorEvents) calc.Calculator {
			return divPublishesFailure{&calc.Service{Events: pub}, pub}
		}, regexp.MustCompile(`^1 events for the failed div: div\(\d+, 0\) = 0$`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			svcSess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: "realm1", Serializer: wamp.MsgPack})
			if err != nil {
				t.Fatal(err)
			}
			defer svcSess.Close()
			regs, err := calc.RegisterCalculator(ctx, svcSess, c.impl(calc.NewCalculatorEventsPublisher(svcSess)))
			if err != nil {
				t.Fatal(err)
			}
			defer regs.Unregister(ctx)
			sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: "realm1"})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()

			got, err := checkComputed(ctx, &env{client: calc.NewCalculatorClient(sess), sess: sess, out: io.Discard})
			switch {
			case c.fail == nil && err != nil:
				t.Fatalf("the check failed: %v", err)
			case c.fail == nil:
				if !regexp.MustCompile(`^add\(\d+, \d+\) = \d+; div\(\d+, \d+\) = [\d.e+-]+; sqrt\(\d+\) = [\d.]+$`).MatchString(got) {
					t.Errorf("the check passed with %q", got)
				}
			case err == nil:
				t.Fatalf("the check passed (%s)", got)
			case !c.fail.MatchString(err.Error()):
				t.Fatalf("the check failed with %q, want %s", err, c.fail)
			}
		})
	}
}
