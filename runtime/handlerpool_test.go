package runtime_test

import (
	"context"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Handlers run on goroutines that wait, once their handler has returned,
// for the next one (see handlerpool.go). These tests hold the guarantees
// of running handlers apart from the read loop, which the pool must keep:
// a handler that blocks stalls neither other invocations nor answers;
// every message behind an INVOCATION (its INTERRUPT, the next chunks of
// its input) finds it running, in the order the router sent them; Shutdown
// and Close wait for the handlers, and Close for the waiting goroutines.

// sendMsg sends m to the session, as invoke does.
func (sr *streamRouter) sendMsg(m wamp.Message) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	sr.send(m)
}

// TestBlockedHandlersStallNothing: while handlers block (as many as the
// test starts), the session still runs other invocations, still delivers
// the RESULT of its own call, and an INTERRUPT still reaches each blocked
// handler, which then answers wamp.error.canceled.
func TestBlockedHandlersStallNothing(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx := testCtx(t)
	started := make(chan wamp.ID, 64)
	if _, err := sess.Register(ctx, "com.test.block", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		n, err := firstInt(inv.Args)
		if err != nil {
			return nil, err
		}
		started <- wamp.ID(n)
		<-ctx.Done()
		return nil, ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Register(ctx, "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	}); err != nil {
		t.Fatal(err)
	}
	const blocked = 8
	for req := wamp.ID(1); req <= blocked; req++ {
		sr.invoke(req, 1, wamp.Dict{}, req)
	}
	seen := map[wamp.ID]bool{}
	for range blocked {
		seen[recvWithin(t, started, "a blocking handler to start")] = true
	}
	if len(seen) != blocked {
		t.Fatalf("handlers started for %v, want requests 1..%d", seen, blocked)
	}

	// Another invocation is answered.
	sr.invoke(100, 2, wamp.Dict{}, "alive")
	if y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok || y.Request != 100 {
		t.Fatalf("got %#v, want the YIELD of request 100", y)
	}

	// The session's own call gets its RESULT.
	done := make(chan callResult, 1)
	go func() {
		res, err := sess.Call(ctx, "com.test.remote", wamp.ArgsOf(1), wamp.Payload{})
		done <- callResult{res, err}
	}()
	call, ok := recvWithin(t, sr.out, "CALL").(*wamp.Call)
	if !ok {
		t.Fatalf("got %#v, want the session's CALL", call)
	}
	sr.sendMsg(&wamp.Result{Request: call.Request, Details: wamp.Dict{}, Args: wamp.ArgsOf("remote")})
	got := recvWithin(t, done, "the call's result")
	if got.err != nil {
		t.Fatalf("Call while handlers block: %v", got.err)
	}
	if s := argString(t, got.res.Args, 0); s != "remote" {
		t.Fatalf("Call returned %q, want \"remote\"", s)
	}

	// Each blocked handler is interrupted, and answers.
	for req := wamp.ID(1); req <= blocked; req++ {
		sr.sendMsg(&wamp.Interrupt{Request: req, Options: wamp.Dict{}})
	}
	answered := map[wamp.ID]bool{}
	for range blocked {
		e, ok := recvWithin(t, sr.out, "ERROR").(*wamp.Error)
		if !ok || e.RequestType != wamp.TypeInvocation || e.Error != wamp.ErrCanceled {
			t.Fatalf("got %#v, want ERROR wamp.error.canceled for an interrupted invocation", e)
		}
		answered[e.Request] = true
	}
	if len(answered) != blocked {
		t.Fatalf("answered %v, want requests 1..%d", answered, blocked)
	}
}

// TestInterruptRightBehindInvocation: an INTERRUPT sent right behind its
// INVOCATION, before the handler can have started, reaches the handler.
func TestInterruptRightBehindInvocation(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx := testCtx(t)
	if _, err := sess.Register(ctx, "com.test.wait", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		<-ctx.Done()
		return nil, context.Cause(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	const n = 50
	for req := wamp.ID(1); req <= n; req++ {
		sr.invoke(req, 1, wamp.Dict{})
		sr.sendMsg(&wamp.Interrupt{Request: req, Options: wamp.Dict{}})
	}
	answered := map[wamp.ID]bool{}
	for range n {
		e, ok := recvWithin(t, sr.out, "ERROR").(*wamp.Error)
		if !ok || e.Error != wamp.ErrCanceled {
			t.Fatalf("got %#v, want ERROR wamp.error.canceled", e)
		}
		answered[e.Request] = true
	}
	if len(answered) != n {
		t.Fatalf("%d distinct invocations answered, want %d", len(answered), n)
	}
}

// TestStreamedInputInOrderBehindInvocation: the chunks of a call's input
// sent right behind its first INVOCATION reach the handler complete and in
// order, for several calls whose chunks interleave.
func TestStreamedInputInOrderBehindInvocation(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx := testCtx(t)
	if _, err := sess.Register(ctx, "com.test.collect", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var got []int
		for ch, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
			n, err := firstInt(ch.Args)
			if err != nil {
				return nil, err
			}
			got = append(got, n)
		}
		for i, n := range got {
			if n != i {
				return nil, fmt.Errorf("chunk %d holds %d: %v", i, n, got)
			}
		}
		return &runtime.Result{Args: wamp.ArgsOf(len(got))}, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	const calls, chunks = 4, 200
	for i := range chunks {
		for req := wamp.ID(1); req <= calls; req++ {
			details := progressChunk
			if i == chunks-1 {
				details = wamp.Dict{}
			}
			sr.invoke(req, 1, details, i)
		}
	}
	for range calls {
		y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield)
		if !ok {
			t.Fatalf("got %#v, want a YIELD (chunks lost or out of order)", y)
		}
		var n int
		decodeArg(t, y.Args, 0, &n)
		if n != chunks {
			t.Fatalf("request %d: the handler read %d chunks, want %d", y.Request, n, chunks)
		}
	}
}

// TestShutdownWaitsForPooledHandlers: handlers on the pool's goroutines
// count as running for Shutdown, which waits for all of them, and their
// answers reach the callers; then no goroutine is left.
func TestShutdownWaitsForPooledHandlers(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{})
	caller := dialT(t, r.WebSocketURL(), runtime.Config{})
	callee := dialRaw(t, r.RawSocketURL(), runtime.Config{Serializer: wamp.CBOR})
	ctx := testCtx(t)
	g := newGate()
	if _, err := callee.Register(ctx, "com.test.slow", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		g.started <- struct{}{}
		<-g.release
		return &runtime.Result{Args: inv.Args}, nil
	}); err != nil {
		t.Fatal(err)
	}
	const n = 6
	results := make([]<-chan callResult, n)
	for i := range n {
		results[i] = callAsync(ctx, caller, "com.test.slow", wamp.ArgsOf(i))
	}
	for range n {
		recvT(t, g.started, "a handler to start")
	}
	shut := make(chan error, 1)
	go func() { shut <- callee.Shutdown(ctx) }()
	awaitDrainBegan(t, callee)
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with %d handlers running", err, n)
	default:
	}
	close(g.release)
	for i, ch := range results {
		got := recvT(t, ch, "a call in flight")
		if got.err != nil {
			t.Fatalf("call %d: %v, want its result", i, got.err)
		}
		var v int
		decodeArg(t, got.res.Args, 0, &v)
		if v != i {
			t.Fatalf("call %d returned %d", i, v)
		}
	}
	if err := recvT(t, shut, "Shutdown"); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// TestManyConcurrentInvocationsAnswered: a burst of invocations from many
// callers, each answered by a handler that calls back into the router
// (another session), all get their own answer; then Close ends the
// goroutines that wait for more.
func TestManyConcurrentInvocationsAnswered(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{})
	caller := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	callee := dialT(t, r.WebSocketURL(), runtime.Config{})
	helper := dialT(t, r.RawSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	if _, err := helper.Register(ctx, "com.test.inc", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		n, err := firstInt(inv.Args)
		if err != nil {
			return nil, err
		}
		return &runtime.Result{Args: wamp.ArgsOf(n + 1)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := callee.Register(ctx, "com.test.viaInc", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return callee.Call(ctx, "com.test.inc", inv.Args, wamp.Payload{})
	}); err != nil {
		t.Fatal(err)
	}
	const callers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				want := c*1000 + i
				res, err := caller.Call(ctx, "com.test.viaInc", wamp.ArgsOf(want), wamp.Payload{})
				if err != nil {
					errs <- err
					return
				}
				got, err := firstInt(res.Args)
				if err != nil || got != want+1 {
					errs <- fmt.Errorf("call with %d returned %d, %v", want, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestPooledHandlerSeesOnlyItsInvocation: handlers that run one after the
// other, on the goroutines of handlers before them, each see their own
// invocation and a context of their own: an interrupted handler leaves
// the next one's context alive, and a handler that panics or ends its
// goroutine (runtime.Goexit, as t.FailNow does) is answered with
// wamp.error.runtime_error and leaves the next calls served.
func TestPooledHandlerSeesOnlyItsInvocation(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx := testCtx(t)
	if _, err := sess.Register(ctx, "com.test.check", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		n, err := firstInt(inv.Args)
		if err != nil {
			return nil, err
		}
		got, ok := runtime.InvocationFromContext(ctx)
		if !ok || got != inv {
			return nil, fmt.Errorf("the context of invocation %d holds another invocation", n)
		}
		switch n % 4 {
		case 1:
			<-ctx.Done() // interrupted below
			return nil, context.Cause(ctx)
		case 2:
			panic("handler panics")
		case 3:
			goruntime.Goexit()
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("invocation %d starts with its context ended: %w", n, err)
		}
		return &runtime.Result{Args: wamp.ArgsOf(n)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	for req := wamp.ID(1); req <= 40; req++ {
		sr.invoke(req, 1, wamp.Dict{}, req)
		if req%4 == 1 {
			sr.sendMsg(&wamp.Interrupt{Request: req, Options: wamp.Dict{}})
		}
		switch m := recvWithin(t, sr.out, "the answer").(type) {
		case *wamp.Yield:
			var n wamp.ID
			decodeArg(t, m.Args, 0, &n)
			if req%4 != 0 || m.Request != req || n != req {
				t.Fatalf("request %d: YIELD %d with %d", req, m.Request, n)
			}
		case *wamp.Error:
			want := map[wamp.ID]wamp.URI{1: wamp.ErrCanceled, 2: wamp.ErrRuntime, 3: wamp.ErrRuntime}[req%4]
			if m.Request != req || m.Error != want {
				t.Fatalf("request %d: ERROR %d %s %v, want %s", req, m.Request, m.Error, m.Args, want)
			}
		default:
			t.Fatalf("request %d: got %#v", req, m)
		}
	}
}

// TestIdleHandlerGoroutinesEnd: of the goroutines that ran a burst of
// handlers, at most 64 wait for more, and those end after a while
// (a second) of no invocations, while the session stays open and goes on
// serving.
func TestIdleHandlerGoroutinesEnd(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx := testCtx(t)
	started := make(chan struct{}, 100)
	release := make(chan struct{})
	if _, err := sess.Register(ctx, "com.test.gate", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		started <- struct{}{}
		<-release
		return &runtime.Result{Args: inv.Args}, nil
	}); err != nil {
		t.Fatal(err)
	}
	const burst = 80
	for req := wamp.ID(1); req <= burst; req++ {
		sr.invoke(req, 1, wamp.Dict{}, req)
	}
	for range burst {
		recvWithin(t, started, "a handler to start")
	}
	if n := handlerGoroutines(); n < burst {
		t.Fatalf("%d handler goroutines for %d running handlers", n, burst)
	}
	close(release)
	for range burst {
		if _, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok {
			t.Fatal("want a YIELD")
		}
	}
	awaitHandlerGoroutines(t, 64)
	awaitHandlerGoroutines(t, 0)
	sr.invoke(burst+1, 1, wamp.Dict{}, "again")
	if y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok || y.Request != burst+1 {
		t.Fatalf("got %#v, want the YIELD of request %d", y, burst+1)
	}
}

// handlerGoroutines counts the goroutines of the runtime's handler pool.
func handlerGoroutines() int {
	n := 0
	for _, stack := range goroutineStacks() {
		if strings.Contains(stack, "runtime.(*Session).work(") {
			n++
		}
	}
	return n
}

// awaitHandlerGoroutines waits until at most max handler goroutines run,
// failing the test after testWait.
func awaitHandlerGoroutines(t *testing.T, max int) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		n := handlerGoroutines()
		if n <= max {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d handler goroutines still run, want at most %d", n, max)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
