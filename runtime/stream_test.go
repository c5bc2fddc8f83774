package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// streamSerializers are the serializers streamed input is tested with.
var streamSerializers = []*wamp.Serializer{wamp.JSON, wamp.MsgPack, wamp.CBOR}

// streamPair dials a callee and a caller session with ser on a fresh
// router (WebSocket for one, RawSocket for the other).
func streamPair(t *testing.T, ser *wamp.Serializer, calleeCfg runtime.Config) (callee, caller *runtime.Session) {
	t.Helper()
	r := routertest.New(t)
	calleeCfg.Serializer = ser
	callee = dialT(t, r.WebSocketURL(), calleeCfg)
	caller = dialT(t, r.RawSocketURL(), runtime.Config{Serializer: ser})
	return callee, caller
}

// sumHandler sums its streamed input of numbers; with progress asked for,
// it sends the running total after each chunk but the last.
func sumHandler(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
	items, inputErr := runtime.InputSeq[float64](ctx, inv.Procedure, inv)
	total := 0.0
	for x := range items {
		total += x
		if inv.ProgressRequested() {
			if err := inv.SendProgress(wamp.ArgsOf(total), wamp.Payload{}); err != nil {
				return nil, err
			}
		}
	}
	if err := inputErr(); err != nil {
		return nil, err
	}
	return &runtime.Result{Args: wamp.ArgsOf(total)}, nil
}

func numbers(n int) iter.Seq[float64] {
	return func(yield func(float64) bool) {
		for i := 1; i <= n; i++ {
			if !yield(float64(i)) {
				return
			}
		}
	}
}

// TestStreamedInputClientStreaming sums streamed inputs of several sizes
// over each serializer: every chunk arrives, in order, the last one in
// the final CALL, and an empty input is one call.
func TestStreamedInputClientStreaming(t *testing.T) {
	for _, ser := range streamSerializers {
		t.Run(serName(ser), func(t *testing.T) {
			callee, caller := streamPair(t, ser, runtime.Config{})
			ctx := testCtx(t)
			var mu sync.Mutex
			var seen [][]float64
			if _, err := callee.Register(ctx, "com.test.order", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				var got []float64
				var lasts []bool
				for ch, err := range inv.Input() {
					if err != nil {
						return nil, err
					}
					var vals []float64
					if err := ch.Args.Decode(&vals); err != nil && !ch.Args.IsZero() {
						return nil, err
					}
					got = append(got, vals...)
					lasts = append(lasts, ch.Last)
				}
				if len(lasts) == 0 || !lasts[len(lasts)-1] || slices.Contains(lasts[:len(lasts)-1], true) {
					return nil, fmt.Errorf("Last flags %v: want only the last chunk's set", lasts)
				}
				mu.Lock()
				seen = append(seen, got)
				mu.Unlock()
				return &runtime.Result{Args: wamp.ArgsOf(len(lasts))}, nil
			}, runtime.WithStreamedInput()); err != nil {
				t.Fatal(err)
			}
			if _, err := callee.Register(ctx, "com.test.sum", sumHandler, runtime.WithStreamedInput()); err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{0, 1, 2, 100} {
				var sum float64
				sum, err := runtime.CallInputOne[float64, float64](ctx, caller, "com.test.sum", numbers(n))
				if err != nil {
					t.Fatalf("sum of %d: %v", n, err)
				}
				if want := float64(n * (n + 1) / 2); sum != want {
					t.Errorf("sum of 1..%d = %v, want %v", n, sum, want)
				}
				chunks, err := runtime.CallInputOne[float64, int](ctx, caller, "com.test.order", numbers(n))
				if err != nil {
					t.Fatalf("order of %d: %v", n, err)
				}
				if want := max(n, 1); chunks != want {
					t.Errorf("%d items took %d chunks, want %d", n, chunks, want)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for i, n := range []int{0, 1, 2, 100} {
				if want := slices.Collect(numbers(n)); !slices.Equal(seen[i], want) {
					t.Errorf("callee got %v, want %v", seen[i], want)
				}
			}
		})
	}
}

// TestStreamedInputBidirectional streams input and results at once: the
// running total comes back after each chunk but the last, then the final
// result.
func TestStreamedInputBidirectional(t *testing.T) {
	for _, ser := range streamSerializers {
		t.Run(serName(ser), func(t *testing.T) {
			callee, caller := streamPair(t, ser, runtime.Config{})
			ctx := testCtx(t)
			if _, err := callee.Register(ctx, "com.test.running_sum", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				items, inputErr := runtime.InputSeq[float64](ctx, inv.Procedure, inv)
				total := 0.0
				first := true
				for x := range items {
					if !first {
						if err := inv.SendProgress(wamp.ArgsOf(total), wamp.Payload{}); err != nil {
							return nil, err
						}
					}
					first = false
					total += x
				}
				if err := inputErr(); err != nil {
					return nil, err
				}
				return &runtime.Result{Args: wamp.ArgsOf(total)}, nil
			}, runtime.WithStreamedInput()); err != nil {
				t.Fatal(err)
			}
			var got []float64
			for v, err := range runtime.CallInputStream[float64, float64](ctx, caller, "com.test.running_sum", numbers(5)) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, v)
			}
			if want := []float64{1, 3, 6, 10, 15}; !slices.Equal(got, want) {
				t.Errorf("running sums %v, want %v", got, want)
			}
		})
	}
}

// TestStreamedInputNotStreamCaller: a Caller that cannot stream gets an
// error matching ErrFeatureNotSupported, and its Call is never used.
func TestStreamedInputNotStreamCaller(t *testing.T) {
	c := callerFunc(func(context.Context, wamp.URI, wamp.Payload, wamp.Payload, ...runtime.CallOption) (*runtime.Result, error) {
		t.Error("Call used for a streamed input")
		return nil, errors.New("unexpected")
	})
	if _, err := runtime.CallInputOne[int, int](testCtx(t), c, "com.test.x", numbers2(3)); !errors.Is(err, runtime.ErrFeatureNotSupported) {
		t.Errorf("err = %v, want ErrFeatureNotSupported", err)
	}
}

type callerFunc func(ctx context.Context, procedure wamp.URI, args, kwargs wamp.Payload, opts ...runtime.CallOption) (*runtime.Result, error)

func (f callerFunc) Call(ctx context.Context, procedure wamp.URI, args, kwargs wamp.Payload, opts ...runtime.CallOption) (*runtime.Result, error) {
	return f(ctx, procedure, args, kwargs, opts...)
}

func numbers2(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}
