package progress

import (
	"context"
	"slices"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
)

type counter struct{}

func (counter) CountTo(ctx context.Context, n int, progress func(int) error) (int, error) {
	for i := 1; i < n; i++ {
		if err := progress(i); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (counter) Steps(ctx context.Context, names []string, onStep func(Step) error) error {
	for i, name := range names {
		if err := onStep(Step{Index: i, Name: name}); err != nil {
			return err
		}
	}
	return nil
}

func TestGenerated(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	if _, err := RegisterCounter(ctx, dial(t, r.WebSocketURL()), counter{}); err != nil {
		t.Fatal(err)
	}
	c := NewCounterClient(dial(t, r.RawSocketURL()))

	var got []int
	n, err := c.CountTo(ctx, 5, func(i int) error { got = append(got, i); return nil })
	if err != nil || n != 5 {
		t.Fatalf("CountTo(5) = %d, %v", n, err)
	}
	if want := []int{1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("progress %v, want %v", got, want)
	}

	// A nil callback asks for no progressive results; the callee's
	// callback then does nothing.
	if n, err := c.CountTo(ctx, 3, nil); err != nil || n != 3 {
		t.Errorf("CountTo(3, nil) = %d, %v", n, err)
	}

	var steps []Step
	err = c.Steps(ctx, []string{"a", "b"}, func(s Step) error { steps = append(steps, s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := []Step{{0, "a"}, {1, "b"}}; !slices.Equal(steps, want) {
		t.Errorf("steps %v, want %v", steps, want)
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
