package runtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestRouterPingsLeaveSendsAlone is a regression test: gorilla answers a
// ping with a write that leaves a one-second deadline on the connection, so
// a client that let it answer the router's pings failed its next message
// sent more than a second after a ping (with a router keep-alive above a
// second, that is most messages). The transport answers pings itself.
func TestRouterPingsLeaveSendsAlone(t *testing.T) {
	const interval = 1500 * time.Millisecond
	r := newTestRouter(t, router.Config{KeepAlive: interval})
	callee := dialT(t, r.WebSocketURL(), runtime.Config{})
	caller := dialT(t, r.WebSocketURL(), runtime.Config{})
	const proc = "com.test.ping"
	rpcRegister(t, callee, proc, func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf("pong")}, nil
	})
	call := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if got := mustResult[string](t)(caller.Call(ctx, proc, wamp.Payload{}, wamp.Payload{})); got != "pong" {
			t.Fatalf("result %q", got)
		}
	}
	call()
	// The first ping comes at 1.5 s, the next at 3 s: at 2.7 s
	// the deadline a gorilla pong would have left has passed.
	time.Sleep(2*interval - 300*time.Millisecond)
	call()
	if caller.State() != runtime.StateJoined || callee.State() != runtime.StateJoined {
		t.Fatalf("states %v, %v", caller.State(), callee.State())
	}
}
