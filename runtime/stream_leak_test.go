package runtime_test

import (
	"context"
	"errors"
	goruntime "runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestNoHandlersLeftByStreamedInput ends calls with streamed input in every
// way a caller or a callee can (complete, cancelled with each mode while
// the input is open, answered early, overflowed, the caller's session
// gone mid-stream, the callee's session gone mid-stream): while the
// sessions live, every handler returns (none is left waiting for input
// that never comes), and once they are closed the goroutine count returns
// to where it started.
func TestNoHandlersLeftByStreamedInput(t *testing.T) {
	before := goruntime.NumGoroutine()
	func() {
		r, err := router.Start(context.Background(), router.Config{WebSocketAddr: "127.0.0.1:0", RawSocketAddr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		ctx := testCtx(t)
		callee := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: wamp.CBOR})
		// The callee that never reads has a small queue, so that it
		// overflows soon.
		deaf := dialT(t, r.WebSocketURL(), runtime.Config{InputQueue: 8})
		caller := dialT(t, r.RawSocketURL(), runtime.Config{})
		var running atomic.Int32
		started := make(chan struct{}, 64)
		track := func(h runtime.Handler) runtime.Handler {
			return func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				running.Add(1)
				defer running.Add(-1)
				started <- struct{}{}
				return h(ctx, inv)
			}
		}
		register := func(uri wamp.URI, h runtime.Handler) {
			t.Helper()
			sess := callee
			if uri == "com.test.deaf" {
				sess = deaf
			}
			if _, err := sess.Register(ctx, uri, track(h), runtime.WithStreamedInput()); err != nil {
				t.Fatal(err)
			}
		}
		register("com.test.read", sumHandler)
		register("com.test.early", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			for _, err := range inv.Input() {
				return nil, err // after the first chunk
			}
			return nil, nil
		})
		register("com.test.deaf", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			<-ctx.Done()
			return nil, context.Cause(ctx)
		})
		waitIdle := func(what string) {
			t.Helper()
			deadline := time.Now().Add(testWait)
			for running.Load() != 0 {
				if time.Now().After(deadline) {
					t.Fatalf("%s: %d handlers still running", what, running.Load())
				}
				time.Sleep(5 * time.Millisecond)
			}
		}

		if sum, err := runtime.CallInputOne[float64, float64](ctx, caller, "com.test.read", numbers(10)); err != nil || sum != 55 {
			t.Fatalf("complete call: %v, %v", sum, err)
		}
		recvWithin(t, started, "the handler's start")
		waitIdle("a complete call")

		for _, mode := range []runtime.CancelMode{runtime.CancelKill, runtime.CancelKillNoWait, runtime.CancelSkip} {
			cctx, cancel := context.WithCancel(ctx)
			ic, err := caller.CallInput(cctx, "com.test.read", runtime.WithCancelMode(mode))
			if err != nil {
				t.Fatal(err)
			}
			if err := ic.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
				t.Fatal(err)
			}
			recvWithin(t, started, "the handler's start")
			cancel()
			waitIdle("cancelled with mode " + string(mode))
		}

		ic, err := caller.CallInput(ctx, "com.test.early")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sendUntilError(t, ctx, ic); !errors.Is(err, runtime.ErrAnsweredEarly) {
			t.Fatalf("answered early: %v", err)
		}
		recvWithin(t, started, "the handler's start")
		waitIdle("answered early")

		if err := runtime.CallInputNone(ctx, caller, "com.test.deaf", numbers(1000)); !errors.Is(err, runtime.ErrInputOverflow) {
			t.Fatalf("a callee that never reads: %v, want ErrInputOverflow", err)
		}
		recvWithin(t, started, "the handler's start")
		waitIdle("overflowed")

		leaving := dialT(t, r.WebSocketURL(), runtime.Config{})
		ic, err = leaving.CallInput(ctx, "com.test.read")
		if err != nil {
			t.Fatal(err)
		}
		if err := ic.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
			t.Fatal(err)
		}
		recvWithin(t, started, "the handler's start")
		if err := leaving.Close(); err != nil {
			t.Fatal(err)
		}
		waitIdle("the caller's session closed")

		ic, err = caller.CallInput(ctx, "com.test.read")
		if err != nil {
			t.Fatal(err)
		}
		if err := ic.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
			t.Fatal(err)
		}
		recvWithin(t, started, "the handler's start")
		if err := callee.Close(); err != nil {
			t.Fatal(err)
		}
		waitIdle("the callee's session closed")
		if _, err := sendUntilError(t, ctx, ic); err == nil {
			t.Error("the call went on after its callee left")
		}
		for _, sess := range []*runtime.Session{caller, deaf} {
			if err := sess.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}()
	deadline := time.Now().Add(testWait)
	for goruntime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := goruntime.Stack(buf, true)
			var ours []string
			for _, g := range strings.Split(string(buf[:n]), "\n\n") {
				if strings.Contains(g, "wampgen") || strings.Contains(g, "nexus") || strings.Contains(g, "websocket") {
					ours = append(ours, g)
				}
			}
			t.Fatalf("%d goroutines before, %d after Close:\n%s", before, goruntime.NumGoroutine(), strings.Join(ours, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
