package runtime_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// writeHookConn wraps a net.Conn so that a test can see and disturb what
// the session writes: onWrite, if set, sees every write, and its result
// replaces the write's when handled is true.
type writeHookConn struct {
	net.Conn
	onWrite func(c *writeHookConn, b []byte) (n int, err error, handled bool)
}

func (c *writeHookConn) Write(b []byte) (int, error) {
	if c.onWrite != nil {
		if n, err, handled := c.onWrite(c, b); handled {
			return n, err
		}
	}
	return c.Conn.Write(b)
}

// TestWriteErrorFailsQueuedCalls is a regression test: a failed write
// (here the socket's write fails while its read side stays healthy) made
// the connection's write error sticky but ended nothing. A CALL queued
// behind the failed write had been told it was sent, so its Call never
// returned, and the session stayed joined with every later send failing.
// A write error now closes the connection, so the read loop fails every
// call in flight and the session ends (or reconnects).
func TestWriteErrorFailsQueuedCalls(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	rpcRegister(t, callee, "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	})
	var armed atomic.Bool
	inWrite := make(chan struct{})
	releaseWrite := make(chan struct{})
	var once sync.Once
	cfg := runtime.Config{
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			nc, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &writeHookConn{Conn: nc, onWrite: func(c *writeHookConn, b []byte) (int, error, bool) {
				if !armed.Load() {
					return 0, nil, false
				}
				once.Do(func() { close(inWrite); <-releaseWrite })
				return 0, errors.New("injected write error"), true
			}}, nil
		},
	}
	caller := rpcDial(t, r.RawSocketURL(), cfg)
	armed.Store(true)
	first := make(chan error, 1)
	go func() {
		_, err := caller.Call(context.Background(), "com.test.echo", wamp.ArgsOf(1), wamp.Payload{})
		first <- err
	}()
	<-inWrite // the first CALL's writer is inside Write
	second := make(chan error, 1)
	go func() {
		_, err := caller.Call(context.Background(), "com.test.echo", wamp.ArgsOf(2), wamp.Payload{})
		second <- err
	}()
	time.Sleep(100 * time.Millisecond) // the second CALL is queued
	close(releaseWrite)
	if err := recvT(t, first, "the first call"); !errors.Is(err, runtime.ErrConnectionLost) {
		t.Fatalf("first call: %v; want ErrConnectionLost", err)
	}
	select {
	case err := <-second:
		if !errors.Is(err, runtime.ErrConnectionLost) || !strings.Contains(err.Error(), "injected write error") {
			t.Errorf("second call: %v; want ErrConnectionLost with the write error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("a call queued behind a failed write never returned (session state %v, Err %v)", caller.State(), caller.Err())
	}
	select {
	case <-caller.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("session still %v after its connection broke", caller.State())
	}
	if err := caller.Err(); !errors.Is(err, runtime.ErrConnectionLost) {
		t.Errorf("Err() = %v; want ErrConnectionLost", err)
	}
}
