package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"strings"
	"testing"
	"time"

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

// recvWithin returns the next value of ch, failing the test after testWait.
func recvWithin[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	return recvT(t, ch, what)
}

// sendUntilError sends chunks until Send fails, pausing between them so
// that a loaded machine delivers the answer that ends the call; it fails
// the test if the call is not over within testWait.
func sendUntilError(t *testing.T, ctx context.Context, ic runtime.InputCall) (sent int, err error) {
	t.Helper()
	for {
		if err := ic.Send(ctx, wamp.ArgsOf(sent), wamp.Payload{}); err != nil {
			return sent, err
		}
		sent++
		select {
		case <-ctx.Done():
			t.Fatalf("the call did not end within %v (%d chunks sent)", testWait, sent)
		case <-time.After(time.Millisecond):
		}
	}
}

// TestStreamedInputCancel: ending the caller's context mid-stream, while
// no Send runs, cancels the call: the callee's input and context end with
// ErrCanceled (INTERRUPT), and the caller's next Send returns the
// cancellation without sending.
func TestStreamedInputCancel(t *testing.T) {
	for _, ser := range streamSerializers {
		t.Run(serName(ser), func(t *testing.T) {
			callee, caller := streamPair(t, ser, runtime.Config{})
			ctx := testCtx(t)
			got := make(chan int, 16)
			ended := make(chan error, 1)
			if _, err := callee.Register(ctx, "com.test.cancel", func(hctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				for ch, err := range inv.Input() {
					if err != nil {
						<-hctx.Done()
						ended <- errors.Join(err, context.Cause(hctx))
						return nil, err
					}
					var vals []int
					if err := ch.Args.Decode(&vals); err != nil || len(vals) != 1 {
						return nil, fmt.Errorf("chunk %v: %v", vals, err)
					}
					got <- vals[0]
				}
				ended <- errors.New("the input ended normally")
				return nil, nil
			}, runtime.WithStreamedInput()); err != nil {
				t.Fatal(err)
			}
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			ic, err := caller.CallInput(cctx, "com.test.cancel")
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if err := ic.Send(ctx, wamp.ArgsOf(i), wamp.Payload{}); err != nil {
					t.Fatalf("Send %d: %v", i, err)
				}
			}
			for i := range 3 {
				if n := recvWithin(t, got, "a chunk"); n != i {
					t.Fatalf("chunk %d is %d", i, n)
				}
			}
			cancel()
			err = recvWithin(t, ended, "the end of the handler's input")
			if !errors.Is(err, runtime.ErrCanceled) {
				t.Errorf("the handler's input ended with %v, want ErrCanceled", err)
			}
			if err := ic.Send(ctx, wamp.ArgsOf(3), wamp.Payload{}); !errors.Is(err, runtime.ErrCanceled) || !errors.Is(err, context.Canceled) {
				t.Errorf("Send after cancel = %v, want ErrCanceled and context.Canceled", err)
			}
			if _, err := ic.CloseSend(ctx, wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrCanceled) {
				t.Errorf("CloseSend after cancel = %v, want ErrCanceled", err)
			}
		})
	}
}

// TestStreamedInputCalleeError: a callee that fails mid-stream ends the
// call: the caller's next Send returns the callee's error, and so does
// CloseSend, without sending.
func TestStreamedInputCalleeError(t *testing.T) {
	errEnough := &runtime.Error{URI: "com.test.error.enough"}
	for _, ser := range streamSerializers {
		t.Run(serName(ser), func(t *testing.T) {
			callee, caller := streamPair(t, ser, runtime.Config{})
			ctx := testCtx(t)
			if _, err := callee.Register(ctx, "com.test.fail", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				n := 0
				for _, err := range inv.Input() {
					if err != nil {
						return nil, err
					}
					if n++; n == 2 {
						return nil, &runtime.Error{URI: errEnough.URI, Args: wamp.ArgsOf("two chunks are enough")}
					}
				}
				return nil, nil
			}, runtime.WithStreamedInput()); err != nil {
				t.Fatal(err)
			}
			ic, err := caller.CallInput(ctx, "com.test.fail")
			if err != nil {
				t.Fatal(err)
			}
			sent, err := sendUntilError(t, ctx, ic)
			if !errors.Is(err, errEnough) {
				t.Fatalf("Send after %d chunks = %v, want %v", sent, err, errEnough.URI)
			}
			if sent < 2 {
				t.Errorf("the call ended after %d chunks, before the callee failed", sent)
			}
			if _, err := ic.CloseSend(ctx, wamp.Payload{}, wamp.Payload{}); !errors.Is(err, errEnough) {
				t.Errorf("CloseSend = %v, want %v", err, errEnough.URI)
			}
		})
	}
}

// TestStreamedInputNotStreamedHandler: a handler registered without
// WithStreamedInput is never run for a streamed call, which gets
// wamp.error.invalid_argument; the session serves ordinary calls after.
func TestStreamedInputNotStreamedHandler(t *testing.T) {
	callee, caller := streamPair(t, wamp.JSON, runtime.Config{})
	ctx := testCtx(t)
	var mu sync.Mutex
	runs := 0
	if _, err := callee.Register(ctx, "com.test.plain", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		mu.Lock()
		runs++
		mu.Unlock()
		return &runtime.Result{Args: inv.Args}, nil
	}); err != nil {
		t.Fatal(err)
	}
	ic, err := caller.CallInput(ctx, "com.test.plain")
	if err != nil {
		t.Fatal(err)
	}
	if err := ic.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
		t.Fatal(err)
	}
	_, err = ic.CloseSend(ctx, wamp.ArgsOf(2), wamp.Payload{})
	if !errors.Is(err, runtime.ErrInvalidArgument) || !strings.Contains(err.Error(), "does not take streamed input") {
		t.Errorf("err = %v, want invalid_argument: does not take streamed input", err)
	}
	res, err := caller.Call(ctx, "com.test.plain", wamp.ArgsOf(3), wamp.Payload{})
	if err != nil {
		t.Fatalf("an ordinary call after it: %v", err)
	}
	var three int
	if decodeArg(t, res.Args, 0, &three); three != 3 {
		t.Errorf("an ordinary call after it returned %d, want 3", three)
	}
	// An empty input is one final CALL, which any handler takes.
	if err := runtime.CallInputNone(ctx, caller, "com.test.plain", numbers(0)); err != nil {
		t.Errorf("an empty input: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if runs != 2 {
		t.Errorf("the handler ran %d times, want 2 (the ordinary call, the empty input)", runs)
	}
}

// TestStreamedInputOverflow: a handler that does not read, a caller that
// sends as fast as it can: the callee's queue holds InputQueue chunks, the
// next one ends the call with wampgen.error.input_overflow, which the
// caller's Send returns and the handler's input yields (its context's
// cause too); what the caller sends later is dropped.
func TestStreamedInputOverflow(t *testing.T) {
	for _, ser := range streamSerializers {
		t.Run(serName(ser), func(t *testing.T) {
			const queue = 8
			callee, caller := streamPair(t, ser, runtime.Config{InputQueue: queue})
			ctx := testCtx(t)
			ended := make(chan []error, 1)
			release := make(chan struct{})
			if _, err := callee.Register(ctx, "com.test.slow", func(hctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				select {
				case <-hctx.Done():
				case <-release:
				}
				var errs []error
				n := 0
				for _, err := range inv.Input() {
					if err != nil {
						errs = append(errs, err)
					} else {
						n++
					}
				}
				errs = append(errs, context.Cause(hctx))
				ended <- errs
				return &runtime.Result{Args: wamp.ArgsOf(n)}, nil
			}, runtime.WithStreamedInput()); err != nil {
				t.Fatal(err)
			}
			ic, err := caller.CallInput(ctx, "com.test.slow")
			if err != nil {
				t.Fatal(err)
			}
			sent := 0
			for ; ; sent++ {
				if err = ic.Send(ctx, wamp.ArgsOf(sent), wamp.Payload{}); err != nil {
					break
				}
				if sent > 1_000_000 {
					t.Fatal("a million chunks and no overflow")
				}
				if sent > queue {
					// Past the bound: wait a moment for the answer.
					time.Sleep(time.Millisecond)
				}
			}
			if !errors.Is(err, runtime.ErrInputOverflow) {
				t.Fatalf("Send after %d chunks = %v, want ErrInputOverflow", sent, err)
			}
			if sent <= queue {
				t.Errorf("overflow after %d chunks, the queue holds %d", sent, queue)
			}
			errs := recvWithin(t, ended, "the handler's end")
			if len(errs) != 2 || !errors.Is(errs[0], runtime.ErrInputOverflow) || !errors.Is(errs[1], runtime.ErrInputOverflow) {
				t.Errorf("the handler's input and context ended with %v, want ErrInputOverflow twice", errs)
			}
			// The session goes on serving.
			close(release)
			go func() {
				errs := <-ended
				_ = errs
			}()
			if n, err := runtime.CallInputOne[int, int](ctx, caller, "com.test.slow", numbers2(3)); err != nil || n != 3 {
				t.Errorf("a call after the overflow: %v, %v; want 3 chunks", n, err)
			}
		})
	}
}
