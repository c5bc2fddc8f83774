package runtime_test

import (
	"context"
	"errors"
	"iter"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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

// echoInput registers com.test.echo on callee: each item of input comes
// back as a result (ServeStream), the last one in the final result. Its
// handler's input end is sent on ended.
func echoInput(t *testing.T, callee *runtime.Session, ended chan<- error) {
	t.Helper()
	if _, err := callee.Register(testCtx(t), "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		items, inputErr := runtime.InputSeq[int](ctx, inv.Procedure, inv)
		seq := func(yield func(int, error) bool) {
			for x := range items {
				if !yield(x, nil) {
					return
				}
			}
			if err := inputErr(); err != nil {
				yield(0, err)
			}
		}
		res, err := runtime.ServeStream(ctx, inv, iter.Seq2[int, error](seq))
		if ended != nil {
			if ctx.Err() != nil {
				err = context.Cause(ctx) // INTERRUPT: ErrCanceled
			} else if err == nil {
				err = errors.New("the input ended normally")
			}
			ended <- err
		}
		return res, err
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
}

// noSender waits until no goroutine sends a bidirectional call's input.
func noSender(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:goruntime.Stack(buf, true)])
		if !strings.Contains(stacks, "runtime.sendInput") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a goroutine still sends the input:\n%s", stacks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pingPong is an input of n items that yields item k only once the result
// of item k−2 has come back on results (the documented bound), or stops when
// stop is closed or ctx ends.
func pingPong(ctx context.Context, t *testing.T, n int, results <-chan int, stop <-chan struct{}) iter.Seq[int] {
	return func(yield func(int) bool) {
		for k := range n {
			if k >= 2 {
				select {
				case r := <-results:
					if r != k-2 {
						t.Errorf("before item %d: result %d, want %d", k, r, k-2)
					}
				case <-stop:
					return
				case <-ctx.Done():
					t.Errorf("item %d: the result of item %d did not come back: %v", k, k-2, ctx.Err())
					return
				}
			}
			if !yield(k) {
				return
			}
		}
	}
}

// TestStreamedInputPingPong: an input that yields item k only after the
// result of item k−2 came back completes (each wait bounded by the test's
// deadline), every serializer; the input's goroutine is gone when the loop
// ends.
func TestStreamedInputPingPong(t *testing.T) {
	for _, ser := range streamSerializers {
		t.Run(serName(ser), func(t *testing.T) {
			callee, caller := streamPair(t, ser, runtime.Config{})
			echoInput(t, callee, nil)
			ctx := testCtx(t)
			for _, n := range []int{0, 1, 2, 3, 50} {
				results := make(chan int, n)
				var got []int
				for v, err := range runtime.CallInputStream[int, int](ctx, caller, "com.test.echo", pingPong(ctx, t, n, results, nil)) {
					if err != nil {
						t.Fatalf("%d items: %v", n, err)
					}
					got = append(got, v)
					results <- v
				}
				if want := slices.Collect(numbers2(n)); !slices.Equal(got, want) {
					t.Errorf("%d items: results %v, want %v", n, got, want)
				}
			}
			noSender(t)
		})
	}
}

// TestStreamedInputPingPongBreak: breaking out of a ping-pong mid-stream
// cancels the call (the callee's input ends with ErrCanceled) and the
// input's goroutine ends with the loop.
func TestStreamedInputPingPongBreak(t *testing.T) {
	callee, caller := streamPair(t, wamp.JSON, runtime.Config{})
	ended := make(chan error, 1)
	echoInput(t, callee, ended)
	ctx := testCtx(t)
	results := make(chan int, 100)
	stop := make(chan struct{})
	got := 0
	for v, err := range runtime.CallInputStream[int, int](ctx, caller, "com.test.echo", pingPong(ctx, t, 100, results, stop)) {
		if err != nil {
			t.Fatal(err)
		}
		results <- v
		if got++; got == 5 {
			close(stop) // the input waits for a result that will not come
			break
		}
	}
	noSender(t)
	if err := recvWithin(t, ended, "the end of the callee's input"); !errors.Is(err, runtime.ErrCanceled) {
		t.Errorf("the callee's input ended with %v, want ErrCanceled", err)
	}
}

// TestStreamedInputPanic: a panic in the input cancels the call and is
// raised again, with its value, on the goroutine that ranges.
func TestStreamedInputPanic(t *testing.T) {
	callee, caller := streamPair(t, wamp.MsgPack, runtime.Config{})
	ended := make(chan error, 1)
	echoInput(t, callee, ended)
	ctx := testCtx(t)
	results := make(chan int, 10)
	input := func(yield func(int) bool) {
		for k := 0; ; k++ {
			if k == 3 {
				// Items 0 and 1 have been sent: the callee is running.
				select {
				case <-results:
				case <-ctx.Done():
					t.Error("no result before the panic")
					return
				}
				panic("input boom")
			}
			if !yield(k) {
				return
			}
		}
	}
	recovered := func() (r any) {
		defer func() { r = recover() }()
		for v, err := range runtime.CallInputStream[int, int](ctx, caller, "com.test.echo", input) {
			if err != nil {
				t.Errorf("the loop got %v, want the panic", err)
				continue
			}
			results <- v
		}
		return nil
	}()
	if recovered != "input boom" {
		t.Errorf("recovered %v, want the input's panic", recovered)
	}
	noSender(t)
	if err := recvWithin(t, ended, "the end of the callee's input"); !errors.Is(err, runtime.ErrCanceled) {
		t.Errorf("the callee's input ended with %v, want ErrCanceled", err)
	}
}
