package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

// streamRoles is what startStreamRouter's WELCOME announces.
var streamRoles = wamp.Dict{wamp.RoleBroker: wamp.Dict{}, wamp.RoleDealer: wamp.Dict{wamp.KeyFeatures: wamp.Dict{
	"progressive_call_invocations": true, wamp.FeatureCallTimeout: true, wamp.FeatureCallCanceling: true,
	wamp.FeatureProgressiveCallResults: true,
}}}

// streamRouter is a scripted dealer that announces progressive call
// invocations: it grants every REGISTER (registration IDs 1, 2, … in
// order), passes everything else the client sends to out, and sends what
// the test gives it.
type streamRouter struct {
	mu   sync.Mutex
	send func(wamp.Message)
	regs int
	out  chan wamp.Message
}

func startStreamRouter(t *testing.T, cfg runtime.Config) (*streamRouter, *runtime.Session) {
	t.Helper()
	sr := &streamRouter{out: make(chan wamp.Message, 64)}
	url := startFakeRouterWith(t, streamRoles, func(m wamp.Message, send func(wamp.Message)) {
		sr.mu.Lock()
		defer sr.mu.Unlock()
		sr.send = send
		if r, ok := m.(*wamp.Register); ok {
			sr.regs++
			send(&wamp.Registered{Request: r.Request, Registration: wamp.ID(sr.regs)})
			return
		}
		sr.out <- m
	})
	return sr, dialT(t, url, cfg)
}

// invoke sends an INVOCATION of registration reg.
func (sr *streamRouter) invoke(req, reg wamp.ID, details wamp.Dict, args ...any) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	sr.send(&wamp.Invocation{Request: req, Registration: reg, Details: details, Args: wamp.ArgsOf(args...)})
}

var progressChunk = wamp.Dict{wamp.OptProgress: true}

// TestStreamedInputLateChunks: chunks that arrive for a call the callee
// has answered already (they cross the answer on the wire) are ignored:
// no second handler, no answer, no protocol violation.
func TestStreamedInputLateChunks(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx := testCtx(t)
	var mu sync.Mutex
	runs := 0
	if _, err := sess.Register(ctx, "com.test.early", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		mu.Lock()
		runs++
		mu.Unlock()
		for ch, err := range inv.Input() {
			return &runtime.Result{Args: ch.Args}, err // the first chunk is enough
		}
		return nil, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Register(ctx, "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	}); err != nil {
		t.Fatal(err)
	}
	sr.invoke(1, 1, progressChunk, 1)
	if y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok || y.Request != 1 {
		t.Fatalf("got %#v, want the YIELD of request 1", y)
	}
	sr.invoke(1, 1, progressChunk, 2)
	sr.invoke(1, 1, wamp.Dict{}, 3)
	sr.invoke(2, 2, wamp.Dict{}, "alive")
	if y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok || y.Request != 2 {
		t.Fatalf("got %#v, want the YIELD of request 2 (nothing for the late chunks)", y)
	}
	mu.Lock()
	defer mu.Unlock()
	if runs != 1 {
		t.Errorf("the handler ran %d times, want 1", runs)
	}
}

// TestStreamedInputTimeout: the call's timeout (INVOCATION.Details.timeout
// of the first chunk) ends the handler's input with ErrTimeout; the caller
// gets wamp.error.timeout, and later chunks are ignored.
func TestStreamedInputTimeout(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx := testCtx(t)
	ended := make(chan error, 1)
	if _, err := sess.Register(ctx, "com.test.timeout", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		for _, err := range inv.Input() {
			if err != nil {
				ended <- err
				return nil, err
			}
		}
		ended <- errors.New("the input ended normally")
		return nil, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	sr.invoke(1, 1, wamp.Dict{wamp.OptProgress: true, wamp.OptTimeout: 20}, 1)
	if err := recvWithin(t, ended, "the end of the input"); !errors.Is(err, runtime.ErrTimeout) {
		t.Errorf("the input ended with %v, want ErrTimeout", err)
	}
	if e, ok := recvWithin(t, sr.out, "ERROR").(*wamp.Error); !ok || e.Request != 1 || e.Error != wamp.ErrTimeout {
		t.Fatalf("got %#v, want ERROR wamp.error.timeout for request 1", e)
	}
	sr.invoke(1, 1, progressChunk, 2)
	sr.invoke(1, 1, wamp.Dict{}, 3)
	if _, err := sess.Register(ctx, "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	}); err != nil {
		t.Fatal(err)
	}
	sr.invoke(2, 2, wamp.Dict{}, "alive")
	if y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok || y.Request != 2 {
		t.Fatalf("got %#v, want the YIELD of request 2 (nothing for the late chunks)", y)
	}
}

// TestStreamedInputOversizedChunk: a chunk over MaxMessageSize ends its
// call (ERROR wamp.error.payload_size_exceeded, the handler's input
// yields it), not the session.
func TestStreamedInputOversizedChunk(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{MaxMessageSize: 4096})
	ctx := testCtx(t)
	ended := make(chan error, 1)
	if _, err := sess.Register(ctx, "com.test.big", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		for _, err := range inv.Input() {
			if err != nil {
				ended <- err
				return nil, err
			}
		}
		ended <- errors.New("the input ended normally")
		return nil, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	sr.invoke(1, 1, progressChunk, "small")
	sr.invoke(1, 1, progressChunk, strings.Repeat("x", 8192))
	if err := recvWithin(t, ended, "the end of the input"); !errors.Is(err, runtime.ErrPayloadSizeExceeded) {
		t.Errorf("the input ended with %v, want ErrPayloadSizeExceeded", err)
	}
	if e, ok := recvWithin(t, sr.out, "ERROR").(*wamp.Error); !ok || e.Request != 1 || e.Error != wamp.ErrPayloadSizeExceeded {
		t.Fatalf("got %#v, want ERROR wamp.error.payload_size_exceeded for request 1", e)
	}
	sr.invoke(1, 1, wamp.Dict{}, "late")
	sr.invoke(2, 1, wamp.Dict{}, "whole")
	if y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok || y.Request != 2 {
		t.Fatalf("got %#v, want the YIELD of request 2", y)
	}
}

// TestStreamedInputRepeatDropped: with the feature announced, a repeated
// request ID that cannot be a chunk (for an invocation without streamed
// input, or after an input's last chunk) is dropped, not a protocol
// violation: a plain nexus dealer sends one when a caller repeats a CALL
// request ID (see TestRepeatedCallIDPlainNexus). The running invocation
// goes on untouched, no second handler runs, and the session serves on.
func TestStreamedInputRepeatDropped(t *testing.T) {
	for _, streamed := range []bool{false, true} {
		t.Run(fmt.Sprintf("streamed=%v", streamed), func(t *testing.T) {
			sr, sess := startStreamRouter(t, runtime.Config{})
			ctx := testCtx(t)
			release := make(chan struct{})
			var runs atomic.Int32
			var opts []runtime.RegisterOption
			if streamed {
				opts = append(opts, runtime.WithStreamedInput())
			}
			if _, err := sess.Register(ctx, "com.test.held", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				runs.Add(1)
				args := inv.Args
				if streamed {
					var chunks []any
					for ch, err := range inv.Input() {
						if err != nil {
							return nil, err
						}
						var c string
						if err := firstArg(ch.Args, &c); err != nil {
							return nil, err
						}
						chunks = append(chunks, c)
					}
					args = wamp.ArgsOf(chunks...)
				}
				select {
				case <-release:
				case <-ctx.Done():
					return nil, context.Cause(ctx)
				}
				return &runtime.Result{Args: args}, nil
			}, opts...); err != nil {
				t.Fatal(err)
			}
			if _, err := sess.Register(ctx, "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				return &runtime.Result{Args: inv.Args}, nil
			}); err != nil {
				t.Fatal(err)
			}
			sr.invoke(1, 1, wamp.Dict{}, "first")
			sr.invoke(1, 1, progressChunk, "repeat with progress")
			sr.invoke(1, 1, wamp.Dict{}, "repeat")
			sr.invoke(2, 2, wamp.Dict{}, "alive")
			if y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok || y.Request != 2 {
				t.Fatalf("got %#v, want the YIELD of request 2 (nothing for the repeats)", y)
			}
			close(release)
			y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield)
			if !ok || y.Request != 1 {
				t.Fatalf("got %#v, want the YIELD of request 1", y)
			}
			if got := argString(t, y.Args, 0); got != "first" {
				t.Errorf("request 1 answered %q, want first", got)
			}
			if vals, err := y.Args.List(); err != nil || len(vals) != 1 {
				t.Errorf("request 1 answered %d arguments (%v), want 1: a repeat reached the handler", len(vals), err)
			}
			if n := runs.Load(); n != 1 {
				t.Errorf("the handler ran %d times, want 1", n)
			}
			if err := sess.Err(); err != nil {
				t.Fatalf("the session ended: %v", err)
			}
		})
	}
}

// TestStreamedInputSharedRegistration: with a shared registration, every
// chunk of a call reaches the callee that got its first one.
func TestStreamedInputSharedRegistration(t *testing.T) {
	r := routertest.New(t)
	ctx := testCtx(t)
	caller := dialT(t, r.WebSocketURL(), runtime.Config{})
	const callees, calls, chunks = 2, 6, 20
	type served struct {
		callee int
		items  []int
	}
	got := make(chan served, calls)
	for i := range callees {
		sess := dialT(t, r.RawSocketURL(), runtime.Config{})
		if _, err := sess.Register(ctx, "com.test.shared", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			items, inputErr := runtime.InputSeq[int](ctx, inv.Procedure, inv)
			s := served{callee: i, items: slices.Collect(items)}
			if err := inputErr(); err != nil {
				return nil, err
			}
			got <- s
			return nil, nil
		}, runtime.WithStreamedInput(), runtime.WithInvoke(runtime.InvokeRoundRobin)); err != nil {
			t.Fatal(err)
		}
	}
	// The calls run at once, so that their chunks interleave.
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			if err := runtime.CallInputNone(ctx, caller, "com.test.shared", numbers2(chunks)); err != nil {
				t.Errorf("call: %v", err)
			}
		})
	}
	wg.Wait()
	per := make([]int, callees)
	for range calls {
		s := recvWithin(t, got, "a served call")
		per[s.callee]++
		if want := slices.Collect(numbers2(chunks)); !slices.Equal(s.items, want) {
			t.Errorf("callee %d got %v, want %v", s.callee, s.items, want)
		}
	}
	if per[0] == 0 || per[1] == 0 {
		t.Errorf("calls per callee %v: round robin should use both", per)
	}
}

// TestStreamedInputFrozenOptions: the call's options travel in its first
// CALL only (with progress); every later chunk carries only progress, the
// final one nothing; the deadline and a raw timeout never travel (the
// caller cancels instead), nor a raw progress.
func TestStreamedInputFrozenOptions(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx, cancel := context.WithTimeout(testCtx(t), time.Hour)
	defer cancel()
	ic, err := sess.CallInput(ctx, "com.test.frozen",
		runtime.WithProgress(func(*runtime.Result) error { return nil }),
		runtime.WithCallOptions(wamp.Dict{"custom": "x", wamp.OptTimeout: 5000, wamp.OptProgress: false}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := ic.Send(ctx, wamp.ArgsOf(i), wamp.Payload{}); err != nil {
			t.Fatal(err)
		}
	}
	want := []wamp.Dict{
		{wamp.OptProgress: true, wamp.OptReceiveProgress: true, "custom": "x"},
		{wamp.OptProgress: true},
		{},
	}
	var req wamp.ID
	check := func(i int) {
		t.Helper()
		c, ok := recvWithin(t, sr.out, "CALL").(*wamp.Call)
		if !ok {
			t.Fatalf("chunk %d: got %#v, want a CALL", i, c)
		}
		if i == 0 {
			req = c.Request
		}
		if c.Request != req || c.Procedure != "com.test.frozen" {
			t.Errorf("chunk %d: request %d for %s, want %d for com.test.frozen", i, c.Request, c.Procedure, req)
		}
		if fmt.Sprint(c.Options) != fmt.Sprint(want[i]) {
			t.Errorf("chunk %d: options %v, want %v", i, c.Options, want[i])
		}
	}
	check(0)
	check(1)
	done := make(chan error, 1)
	go func() {
		_, err := ic.CloseSend(ctx, wamp.ArgsOf(2), wamp.Payload{})
		done <- err
	}()
	check(2)
	sr.mu.Lock()
	sr.send(&wamp.Result{Request: req, Details: wamp.Dict{}})
	sr.mu.Unlock()
	if err := recvWithin(t, done, "CloseSend"); err != nil {
		t.Errorf("CloseSend = %v", err)
	}
	if err := ic.Send(ctx, wamp.ArgsOf(3), wamp.Payload{}); err == nil {
		t.Error("Send after CloseSend succeeded")
	}
}

// TestStreamedInputNeedsFeature: through a router that does not announce
// progressive_call_invocations, CallInput fails with
// ErrFeatureNotSupported before anything is sent.
func TestStreamedInputNeedsFeature(t *testing.T) {
	seen := make(chan wamp.Message, 8)
	url := startFakeRouter(t, func(m wamp.Message, send func(wamp.Message)) {
		seen <- m
		if c, ok := m.(*wamp.Call); ok {
			send(&wamp.Result{Request: c.Request, Details: wamp.Dict{}})
		}
	})
	sess := dialT(t, url, runtime.Config{})
	ctx := testCtx(t)
	if _, err := sess.CallInput(ctx, "com.test.streamed"); !errors.Is(err, runtime.ErrFeatureNotSupported) || !strings.Contains(err.Error(), "progressive_call_invocations") {
		t.Fatalf("CallInput = %v, want ErrFeatureNotSupported naming progressive_call_invocations", err)
	}
	if err := runtime.CallInputNone(ctx, sess, "com.test.streamed", numbers(3)); !errors.Is(err, runtime.ErrFeatureNotSupported) {
		t.Fatalf("CallInputNone = %v, want ErrFeatureNotSupported", err)
	}
	if _, err := sess.Call(ctx, "com.test.plain", wamp.Payload{}, wamp.Payload{}); err != nil {
		t.Fatal(err)
	}
	if c, ok := recvWithin(t, seen, "CALL").(*wamp.Call); !ok || c.Procedure != "com.test.plain" {
		t.Fatalf("the router's first message is %#v, want the plain CALL", c)
	}
}

// TestStreamedInputSessionEnd: closing the callee's session ends a running
// handler's input (and its context) with an error.
func TestStreamedInputSessionEnd(t *testing.T) {
	r := routertest.New(t)
	ctx := testCtx(t)
	callee, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: "realm1"})
	if err != nil {
		t.Fatal(err)
	}
	caller := dialT(t, r.RawSocketURL(), runtime.Config{})
	started := make(chan struct{})
	ended := make(chan error, 1)
	if _, err := callee.Register(ctx, "com.test.ends", func(hctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		for _, err := range inv.Input() {
			if err != nil {
				ended <- err
				return nil, err
			}
			close(started)
		}
		ended <- errors.New("the input ended normally")
		return nil, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	ic, err := caller.CallInput(ctx, "com.test.ends")
	if err != nil {
		t.Fatal(err)
	}
	if err := ic.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
		t.Fatal(err)
	}
	recvWithin(t, started, "the first chunk")
	if err := callee.Close(); err != nil {
		t.Fatal(err)
	}
	if err := recvWithin(t, ended, "the end of the input"); err == nil || strings.Contains(err.Error(), "normally") {
		t.Errorf("the input ended with %v, want the session's end", err)
	}
	// The caller learns that the callee is gone (wamp.error.canceled).
	if _, err := sendUntilError(t, ctx, ic); err == nil {
		t.Error("the call went on after its callee left")
	}
}

// TestStreamedInputUnreadProgress: a callee that sends progressive results
// faster than its caller, busy producing input, takes them (in Send) gets
// the call cancelled past 1024 of them, instead of filling the caller's
// memory; the caller's next Send returns the error.
func TestStreamedInputUnreadProgress(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx := testCtx(t)
	taken := 0
	ic, err := sess.CallInput(ctx, "com.test.chatty", runtime.WithProgress(func(*runtime.Result) error {
		taken++
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := ic.Send(ctx, wamp.ArgsOf(0), wamp.Payload{}); err != nil {
		t.Fatal(err)
	}
	c, ok := recvWithin(t, sr.out, "CALL").(*wamp.Call)
	if !ok {
		t.Fatalf("got %#v, want the CALL", c)
	}
	sr.mu.Lock()
	for i := range 2000 {
		sr.send(&wamp.Result{Request: c.Request, Details: wamp.Dict{wamp.OptProgress: true}, Args: wamp.ArgsOf(i)})
	}
	sr.mu.Unlock()
	if cn, ok := recvWithin(t, sr.out, "CANCEL").(*wamp.Cancel); !ok || cn.Request != c.Request {
		t.Fatalf("got %#v, want the CANCEL of the call", cn)
	}
	if err := ic.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); !errors.Is(err, runtime.ErrCanceled) {
		t.Fatalf("Send = %v, want ErrCanceled", err)
	}
	if taken > 1024 {
		t.Errorf("%d progressive results taken, the bound is 1024", taken)
	}
}

// TestStreamedInputBreak: breaking out of a bidirectional call's loop
// cancels the call (the callee's input ends with ErrCanceled) and stops
// reading the input.
func TestStreamedInputBreak(t *testing.T) {
	callee, caller := streamPair(t, wamp.CBOR, runtime.Config{})
	ctx := testCtx(t)
	ended := make(chan error, 1)
	if _, err := callee.Register(ctx, "com.test.echo_stream", func(hctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		for ch, err := range inv.Input() {
			if err != nil {
				ended <- err
				return nil, err
			}
			if err := inv.SendProgress(ch.Args, wamp.Payload{}); err != nil {
				return nil, err
			}
		}
		ended <- errors.New("the input ended normally")
		return nil, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	returned := false
	input := func(yield func(int) bool) {
		defer func() { returned = true }()
		for i := 0; ; i++ {
			if !yield(i) {
				return
			}
			if i > 100_000 {
				t.Error("the input was read on after the break")
				return
			}
			time.Sleep(time.Millisecond) // a paced producer
		}
	}
	got := 0
	for v, err := range runtime.CallInputStream[int, int](ctx, caller, "com.test.echo_stream", input) {
		if err != nil {
			t.Fatal(err)
		}
		if v != got {
			t.Fatalf("item %d is %d", got, v)
		}
		if got++; got == 3 {
			break
		}
	}
	if !returned {
		t.Error("the input is still being read after the loop ended")
	}
	if err := recvWithin(t, ended, "the end of the callee's input"); !errors.Is(err, runtime.ErrCanceled) {
		t.Errorf("the callee's input ended with %v, want ErrCanceled", err)
	}
}
