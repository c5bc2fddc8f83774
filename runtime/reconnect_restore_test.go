package runtime_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// hookConn wraps a connection a session dials, so that a test can see and
// disturb what the session writes, and see whether the session closed it.
type hookConn struct {
	net.Conn
	// onWrite, if set, sees every write first; handled says it answered
	// the write itself with n and err.
	onWrite func(c *hookConn, b []byte) (n int, err error, handled bool)
	closed  atomic.Bool // the session closed it
}

func (c *hookConn) Write(b []byte) (int, error) {
	if c.onWrite != nil {
		if n, err, handled := c.onWrite(c, b); handled {
			return n, err
		}
	}
	return c.Conn.Write(b)
}

func (c *hookConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

// hookDialer dials TCP connections wrapped in hookConn; hook, if set,
// prepares the nth connection (from 1).
type hookDialer struct {
	mu    sync.Mutex
	conns []*hookConn
	hook  func(n int, c *hookConn)
}

func (d *hookDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	nc, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c := &hookConn{Conn: nc}
	d.mu.Lock()
	d.conns = append(d.conns, c)
	n := len(d.conns)
	d.mu.Unlock()
	if d.hook != nil {
		d.hook(n, c)
	}
	return c, nil
}

// dialled returns the connections dialled so far.
func (d *hookDialer) dialled() []*hookConn {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*hookConn(nil), d.conns...)
}

// waitReconnectLoopsEnded waits until no goroutine started since before
// (see goroutineIDs) runs a session's reconnect loop: every dial a loop
// would make has been made. A loop that keeps dialling fails the test.
func waitReconnectLoopsEnded(t *testing.T, before map[string]bool) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		running := 0
		for id, stack := range goroutineStacks() {
			if !before[id] && strings.Contains(stack, "runtime.(*Session).reconnectLoop(") {
				running++
			}
		}
		if running == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d reconnect loop(s) still running after %v", running, testWait)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// isJSONRegister reports whether a write carries a JSON REGISTER.
func isJSONRegister(b []byte) bool { return bytes.Contains(b, []byte("[64,")) }

// TestLossDuringRestoreReconnectsOnce is a regression test: a reconnect
// attempt attaches its connection before restoring the registrations on
// it, and that connection was lost while restoring. The read loop's lost()
// took it for the connection in use and started a second reconnect loop,
// while the first loop's restore failed and it retried too. Both dialled
// and attached; the connection attached first was replaced without being
// closed and kept its registration at the router, so every later restore
// failed with procedure_already_exists (some 30 dials in 1.5s), and Close
// never returned. Now the loss only fails the attempt, and its loop, the
// only one, retries.
func TestLossDuringRestoreReconnectsOnce(t *testing.T) {
	checkNoLeakedGoroutines(t)
	before := goroutineIDs()
	r := rpcRouter(t)
	d := &hookDialer{hook: func(n int, c *hookConn) {
		if n != 2 {
			return
		}
		// The first reconnect: lose the connection as it restores the
		// registration.
		c.onWrite = func(c *hookConn, b []byte) (int, error, bool) {
			if isJSONRegister(b) {
				c.Conn.Close()
				return len(b), nil, true
			}
			return 0, nil, false
		}
	}}
	t.Cleanup(func() {
		for _, c := range d.dialled() {
			c.Conn.Close() // unblock a Close that hangs, so that the tests go on
		}
	})
	states := newStateLog()
	s, err := runtime.Dial(testCtx(t), r.RawSocketURL(), runtime.Config{
		Realm:         "realm1",
		Reconnect:     &runtime.ReconnectPolicy{InitialDelay: 20 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
		Dial:          d.dial,
		OnStateChange: states.record,
	})
	if err != nil {
		t.Fatal(err)
	}
	states.waitJoined(t, 5*time.Second) // the first connection
	rpcRegister(t, s, "com.restore.once", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf("restored")}, nil
	})
	d.dialled()[0].Conn.Close()

	states.waitJoined(t, 5*time.Second)
	waitReconnectLoopsEnded(t, before) // a second loop would be dialling
	conns := d.dialled()
	if len(conns) != 3 {
		t.Errorf("%d connections dialled; want 3 (the first, the one lost while restoring, one more)", len(conns))
	}
	for i, c := range conns[:len(conns)-1] {
		if !c.closed.Load() {
			t.Errorf("connection %d of %d is not current but the session did not close it", i+1, len(conns))
		}
	}
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	res, err := caller.Call(testCtx(t), "com.restore.once", wamp.Payload{}, wamp.Payload{})
	if err != nil {
		t.Fatalf("calling the restored procedure: %v", err)
	}
	if got := argString(t, res.Args, 0); got != "restored" {
		t.Errorf("the restored procedure answered %q", got)
	}
	if n := len(d.dialled()); n != len(conns) {
		t.Errorf("%d more connections dialled while joined", n-len(conns))
	}

	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung")
	}
}

// TestCloseDuringRestore: Close while a reconnect attempt waits for the
// router to confirm a restored registration returns at once and stops
// reconnecting; the connection being restored is closed.
func TestCloseDuringRestore(t *testing.T) {
	checkNoLeakedGoroutines(t)
	before := goroutineIDs()
	r := rpcRouter(t)
	restoring := make(chan struct{})
	var once sync.Once
	d := &hookDialer{hook: func(n int, c *hookConn) {
		if n != 2 {
			return
		}
		// Swallow the restoring REGISTER: the attempt waits for an
		// answer that never comes (up to ResponseTimeout).
		c.onWrite = func(c *hookConn, b []byte) (int, error, bool) {
			if isJSONRegister(b) {
				once.Do(func() { close(restoring) })
				return len(b), nil, true
			}
			return 0, nil, false
		}
	}}
	s, err := runtime.Dial(testCtx(t), r.RawSocketURL(), runtime.Config{
		Realm:           "realm1",
		ResponseTimeout: 10 * time.Second,
		Reconnect:       &runtime.ReconnectPolicy{InitialDelay: 20 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
		Dial:            d.dial,
	})
	if err != nil {
		t.Fatal(err)
	}
	rpcRegister(t, s, "com.restore.close", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return nil, nil
	})
	d.dialled()[0].Conn.Close()
	recvT(t, restoring, "the restoring REGISTER")

	start := time.Now()
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung while restoring")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v while restoring", took)
	}
	if s.State() != runtime.StateClosed {
		t.Errorf("state %v after Close", s.State())
	}
	waitReconnectLoopsEnded(t, before) // a loop still running would dial
	conns := d.dialled()
	if len(conns) != 2 {
		t.Errorf("%d connections dialled; want 2: reconnecting went on after Close", len(conns))
	}
	for i, c := range conns {
		if !c.closed.Load() {
			t.Errorf("connection %d of %d left open after Close", i+1, len(conns))
		}
	}
}
