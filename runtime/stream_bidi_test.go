package runtime_test

import (
	"context"
	"iter"
	"slices"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// runningTotals is a bidirectional implementation served by ServeStream:
// one item, the running total, for each item of input.
func runningTotals(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
	items, inputErr := runtime.InputSeq[float64](ctx, inv.Procedure, inv)
	seq := func(yield func(float64, error) bool) {
		total := 0.0
		for x := range items {
			total += x
			if !yield(total, nil) {
				return
			}
		}
		if err := inputErr(); err != nil {
			yield(0, err)
		}
	}
	return runtime.ServeStream(ctx, inv, iter.Seq2[float64, error](seq))
}

// streamAnswer is what a caller saw of a call: its progressive results and
// its final result's positional values.
type streamAnswer struct {
	progress []float64
	final    []float64
}

// callChunks calls procedure with streamed input xs through CallInput,
// asking for progressive results when progress is set.
func callChunks(t *testing.T, ctx context.Context, caller *runtime.Session, procedure wamp.URI, xs []float64, progress bool) streamAnswer {
	t.Helper()
	var mu sync.Mutex
	var a streamAnswer
	var opts []runtime.CallOption
	if progress {
		opts = append(opts, runtime.WithProgress(func(r *runtime.Result) error {
			var v []float64
			if err := r.Args.Decode(&v); err != nil {
				return err
			}
			mu.Lock()
			a.progress = append(a.progress, v...)
			mu.Unlock()
			return nil
		}))
	}
	ic, err := caller.CallInput(ctx, procedure, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range xs[:len(xs)-1] {
		if err := ic.Send(ctx, wamp.ArgsOf(x), wamp.Payload{}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := ic.CloseSend(ctx, wamp.ArgsOf(xs[len(xs)-1]), wamp.Payload{})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Args.Decode(&a.final); err != nil && !res.Args.IsZero() {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return a
}

// TestServeStreamStreamedInput: ServeStream answering a call with streamed
// input sends a progressive result after each chunk but the last, and the
// last item in the final RESULT (issue 15's running_sum); a caller without
// progress gets every item in the final result; a plain call to the same
// handler (its input over at once) gets its one item in the final result;
// CallInputStream and Stream take that form and the old one (every item
// progressive, the final result empty) alike.
func TestServeStreamStreamedInput(t *testing.T) {
	for _, ser := range streamSerializers {
		t.Run(serName(ser), func(t *testing.T) {
			callee, caller := streamPair(t, ser, runtime.Config{})
			ctx := testCtx(t)
			if _, err := callee.Register(ctx, "com.test.running_sum", runningTotals, runtime.WithStreamedInput()); err != nil {
				t.Fatal(err)
			}
			// The old form: every item a progressive result, an empty final result.
			if _, err := callee.Register(ctx, "com.test.all_progress", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				items, inputErr := runtime.InputSeq[float64](ctx, inv.Procedure, inv)
				total := 0.0
				for x := range items {
					total += x
					if err := inv.SendProgress(wamp.ArgsOf(total), wamp.Payload{}); err != nil {
						return nil, err
					}
				}
				return nil, inputErr()
			}, runtime.WithStreamedInput()); err != nil {
				t.Fatal(err)
			}

			xs := []float64{1, 2, 3, 4, 5}
			a := callChunks(t, ctx, caller, "com.test.running_sum", xs, true)
			if want := []float64{1, 3, 6, 10}; !slices.Equal(a.progress, want) {
				t.Errorf("progressive results %v, want %v", a.progress, want)
			}
			if want := []float64{15}; !slices.Equal(a.final, want) {
				t.Errorf("final result %v, want %v", a.final, want)
			}

			a = callChunks(t, ctx, caller, "com.test.running_sum", xs, false)
			if len(a.progress) != 0 {
				t.Errorf("progressive results %v without progress asked for", a.progress)
			}
			if want := []float64{1, 3, 6, 10, 15}; !slices.Equal(a.final, want) {
				t.Errorf("final result without progress %v, want %v", a.final, want)
			}

			a = callChunks(t, ctx, caller, "com.test.running_sum", []float64{7}, true)
			if len(a.progress) != 0 || !slices.Equal(a.final, []float64{7}) {
				t.Errorf("one chunk: progressive %v, final %v; want none and [7]", a.progress, a.final)
			}

			for _, proc := range []wamp.URI{"com.test.running_sum", "com.test.all_progress"} {
				var got []float64
				for v, err := range runtime.CallInputStream[float64, float64](ctx, caller, proc, numbers(5)) {
					if err != nil {
						t.Fatalf("%s: %v", proc, err)
					}
					got = append(got, v)
				}
				if want := []float64{1, 3, 6, 10, 15}; !slices.Equal(got, want) {
					t.Errorf("%s: CallInputStream yields %v, want %v", proc, got, want)
				}
				got = got[:0]
				for v, err := range runtime.Stream[float64](ctx, caller, proc, wamp.ArgsOf(4.0), wamp.Payload{}) {
					if err != nil {
						t.Fatalf("%s: %v", proc, err)
					}
					got = append(got, v)
				}
				if want := []float64{4}; !slices.Equal(got, want) {
					t.Errorf("%s: Stream yields %v, want %v", proc, got, want)
				}
			}
		})
	}
}
