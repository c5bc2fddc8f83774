package topicswithservice

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
)

// calculator publishes a Computation after every successful call, through
// the generated publisher, which it holds as a CalculatorEvents.
type calculator struct{ events CalculatorEvents }

func (c calculator) Add(ctx context.Context, a, b float64) (float64, error) {
	return c.publish(ctx, "add", a+b, a, b)
}

func (c calculator) Div(ctx context.Context, a, b float64) (float64, error) {
	if b == 0 {
		return 0, ErrDivByZero
	}
	return c.publish(ctx, "div", a/b, a, b)
}

func (c calculator) publish(ctx context.Context, op string, result float64, args ...float64) (float64, error) {
	if err := c.events.Computed(ctx, Computation{Op: op, Args: args, Result: result}); err != nil {
		return 0, err
	}
	return result, nil
}

// computations implements CalculatorEvents by collecting the events.
type computations chan Computation

func (c computations) Computed(ctx context.Context, comp Computation) error {
	c <- comp
	return nil
}

// TestServiceAndTopics serves the calculator, which publishes through the
// generated publisher, and checks the events a subscriber gets through
// the generated SubscribeCalculatorEvents: one per successful call, none
// for a failed one.
func TestServiceAndTopics(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	service := dial(t, r.WebSocketURL())
	if _, err := RegisterCalculator(ctx, service, calculator{events: NewCalculatorEventsPublisher(service, runtime.WithAcknowledge())}); err != nil {
		t.Fatal(err)
	}
	got := make(computations, 8)
	subs, err := SubscribeCalculatorEvents(ctx, dial(t, r.RawSocketURL()), got)
	if err != nil {
		t.Fatal(err)
	}
	client := NewCalculatorClient(dial(t, r.WebSocketURL()))
	if sum, err := client.Add(ctx, 1, 2); err != nil || sum != 3 {
		t.Fatalf("Add = %v, %v", sum, err)
	}
	if _, err := client.Div(ctx, 1, 0); !errors.Is(err, ErrDivByZero) {
		t.Fatalf("Div by 0 = %v, want ErrDivByZero", err)
	}
	if q, err := client.Div(ctx, 1, 4); err != nil || q != 0.25 {
		t.Fatalf("Div = %v, %v", q, err)
	}
	// Events of one subscription arrive in order: add, then div (the
	// failed div published nothing).
	for _, want := range []Computation{{Op: "add", Args: []float64{1, 2}, Result: 3}, {Op: "div", Args: []float64{1, 4}, Result: 0.25}} {
		select {
		case c := <-got:
			if c.Op != want.Op || !slices.Equal(c.Args, want.Args) || c.Result != want.Result {
				t.Errorf("got %+v, want %+v", c, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no event %+v", want)
		}
	}
	if err := subs.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
}

func dial(t *testing.T, url string) *runtime.Session {
	t.Helper()
	s, err := runtime.Dial(t.Context(), url, runtime.Config{Realm: router.DefaultRealm})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
