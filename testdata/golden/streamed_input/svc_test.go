package streamedinput

import (
	"bytes"
	"context"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// stats implements Stats; stored receives what Store got.
type stats struct {
	stored chan []Sample
}

func (stats) Sum(ctx context.Context, xs iter.Seq[float64]) (float64, error) {
	var sum float64
	for x := range xs {
		sum += x
	}
	return sum, nil
}

func (s stats) Store(ctx context.Context, samples iter.Seq[Sample]) error {
	s.stored <- slices.Collect(samples)
	return nil
}

func (stats) Concat(ctx context.Context, chunks iter.Seq[[]byte]) ([]byte, error) {
	var out []byte
	for c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

func (stats) RunningSum(ctx context.Context, xs iter.Seq[float64]) (iter.Seq2[float64, error], error) {
	return func(yield func(float64, error) bool) {
		var sum float64
		for x := range xs {
			sum += x
			if !yield(sum, nil) {
				return
			}
		}
	}, nil
}

func (stats) Add(ctx context.Context, a, b float64) (float64, error) { return a + b, nil }

func TestGenerated(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	impl := stats{stored: make(chan []Sample, 1)}
	if _, err := RegisterStats(ctx, dial(t, r.WebSocketURL(), wamp.JSON), impl); err != nil {
		t.Fatal(err)
	}
	c := NewStatsClient(dial(t, r.RawSocketURL(), wamp.MsgPack))

	if sum, err := c.Sum(ctx, slices.Values([]float64{1, 2, 3.5})); err != nil || sum != 6.5 {
		t.Errorf("Sum(1, 2, 3.5) = %v, %v, want 6.5", sum, err)
	}
	if sum, err := c.Sum(ctx, slices.Values([]float64(nil))); err != nil || sum != 0 {
		t.Errorf("Sum() = %v, %v, want 0", sum, err)
	}

	// Struct items cross JSON and MsgPack exactly: a time with
	// nanoseconds, bytes that are not text, a map.
	samples := []Sample{
		{Sensor: "a", At: time.Date(2026, 12, 7, 20, 0, 0, 123456789, time.UTC), Raw: []byte{0, 0xff, 'x'}, Tags: map[string]string{"room": "kitchen"}},
		{Sensor: "b", At: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC), Raw: []byte{}},
	}
	if err := c.Store(ctx, slices.Values(samples)); err != nil {
		t.Fatal(err)
	}
	var got []Sample
	select {
	case got = <-impl.stored:
	case <-time.After(30 * time.Second):
		t.Fatal("Store's implementation did not report within 30s")
	}
	if len(got) != len(samples) {
		t.Fatalf("Store received %d samples, want %d", len(got), len(samples))
	}
	for i := range samples {
		w, g := samples[i], got[i]
		if g.Sensor != w.Sensor || !g.At.Equal(w.At) || !bytes.Equal(g.Raw, w.Raw) || len(g.Tags) != len(w.Tags) || g.Tags["room"] != w.Tags["room"] {
			t.Errorf("sample %d arrived as %+v, want %+v", i, g, w)
		}
	}

	data := [][]byte{{0, 1}, {}, {0xff, 0, 'a'}}
	if joined, err := c.Concat(ctx, slices.Values(data)); err != nil || !bytes.Equal(joined, []byte{0, 1, 0xff, 0, 'a'}) {
		t.Errorf("Concat = %v, %v, want [0 1 255 0 97]", joined, err)
	}

	seq, err := c.RunningSum(ctx, slices.Values([]float64{1, 2, 3}))
	if err != nil {
		t.Fatal(err)
	}
	var totals []float64
	for total, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		totals = append(totals, total)
	}
	if want := []float64{1, 3, 6}; !slices.Equal(totals, want) {
		t.Errorf("RunningSum(1, 2, 3) yielded %v, want %v", totals, want)
	}

	if sum, err := c.Add(ctx, 1, 2); err != nil || sum != 3 {
		t.Errorf("Add(1, 2) = %v, %v, want 3", sum, err)
	}
}

func dial(t *testing.T, url string, ser *wamp.Serializer) *runtime.Session {
	t.Helper()
	s, err := runtime.Dial(t.Context(), url, runtime.Config{Realm: router.DefaultRealm, Serializer: ser})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
