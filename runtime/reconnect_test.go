package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// stateLog records a session's state changes.
type stateLog struct {
	mu      sync.Mutex
	changes []runtime.StateChange
	joined  chan wamp.ID
}

func newStateLog() *stateLog { return &stateLog{joined: make(chan wamp.ID, 16)} }

func (l *stateLog) record(c runtime.StateChange) {
	l.mu.Lock()
	l.changes = append(l.changes, c)
	l.mu.Unlock()
	if c.State == runtime.StateJoined {
		l.joined <- c.Session
	}
}

func (l *stateLog) states() []runtime.State {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]runtime.State, len(l.changes))
	for i, c := range l.changes {
		out[i] = c.State
	}
	return out
}

func (l *stateLog) waitJoined(t *testing.T, within time.Duration) wamp.ID {
	t.Helper()
	select {
	case id := <-l.joined:
		return id
	case <-time.After(within):
		t.Fatalf("not joined within %v; states so far %v", within, l.states())
		return 0
	}
}

// joinWithin bounds the wait for a session to join (or rejoin): generous,
// for a loaded machine running -race; a second was not always enough.
const joinWithin = 10 * time.Second

var fastRetry = &runtime.ReconnectPolicy{InitialDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond}

func startRouterAt(t *testing.T, addr string) *router.Router {
	t.Helper()
	var r *router.Router
	var err error
	for range 50 { // the port may linger briefly after the previous router closed
		r, err = router.Start(context.Background(), router.Config{WebSocketAddr: addr})
		if err == nil {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(err)
	return nil
}

// TestRouterRestart kills the router under load and starts it again on the
// same address: calls in flight fail at once with ErrConnectionLost, both
// sessions come back, the callee's registration and subscription are
// restored, and the caller's later calls succeed.
func TestRouterRestart(t *testing.T) {
	addr := freeTCPAddr(t)
	r := startRouterAt(t, addr)
	url := "ws://" + addr + "/"
	calleeLog, callerLog := newStateLog(), newStateLog()
	callee := rpcDial(t, url, runtime.Config{Reconnect: fastRetry, OnStateChange: calleeLog.record})
	caller := rpcDial(t, url, runtime.Config{Reconnect: fastRetry, OnStateChange: callerLog.record, Serializer: wamp.MsgPack})
	firstCallee := calleeLog.waitJoined(t, joinWithin)
	callerLog.waitJoined(t, joinWithin)

	var served atomic.Int64
	rpcRegister(t, callee, "com.test.add", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var a, b int
		if err := args(inv.Args, &a, &b); err != nil {
			return nil, err
		}
		served.Add(1)
		return &runtime.Result{Args: wamp.ArgsOf(a + b)}, nil
	}, runtime.WithDiscloseCaller())
	events := make(chan string, 100)
	news, err := callee.Subscribe(context.Background(), "com.test.news", func(ctx context.Context, ev *runtime.Event) error {
		var s string
		if err := args(ev.Args, &s); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			// A reconnect keeps the subscription, and its handler's
			// context, alive.
			s += fmt.Sprintf(" (handler context ended: %v)", err)
		}
		events <- s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slow := make(chan struct{})
	rpcRegister(t, callee, "com.test.slow", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		close(slow)
		<-ctx.Done()
		return nil, ctx.Err()
	})

	// Load: 8 goroutines calling until told to stop, counting outcomes.
	var ok, lost, other atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
	t.Cleanup(halt) // even when the test fails early, no worker outlives it
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				res, err := caller.Call(ctx, "com.test.add", wamp.ArgsOf(w, i), wamp.Payload{})
				cancel()
				switch {
				case err == nil:
					var sum int
					if args(res.Args, &sum) != nil || sum != w+i {
						other.Add(1)
					} else {
						ok.Add(1)
					}
				case errors.Is(err, runtime.ErrConnectionLost), errors.Is(err, runtime.ErrNoSuchProcedure),
					errors.Is(err, runtime.ErrCanceled):
					// Lost in flight, refused while reconnecting, made before
					// the callee's registration was restored, or cancelled by
					// the router when it ended the callee's session first
					// ("callee gone") on its way down.
					lost.Add(1)
					time.Sleep(5 * time.Millisecond)
				default:
					other.Add(1)
					t.Errorf("unexpected error during the restart: %v", err)
				}
			}
		})
	}
	// A call in flight when the router dies fails at once.
	inFlight := make(chan error, 1)
	go func() {
		_, err := caller.Call(context.Background(), "com.test.slow", wamp.Payload{}, wamp.Payload{})
		inFlight <- err
	}()
	<-slow
	time.Sleep(50 * time.Millisecond)
	before := ok.Load()
	killed := time.Now()
	r.Close()
	select {
	case err := <-inFlight:
		// Either the connection dropped under it, or the router, shutting
		// down in order, ended the callee's session first and said so.
		if !errors.Is(err, runtime.ErrConnectionLost) && !errors.Is(err, runtime.ErrCanceled) {
			t.Fatalf("call in flight ended with %v, want ErrConnectionLost or the router's canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a call in flight hung when the router died")
	}
	time.Sleep(100 * time.Millisecond) // let a few attempts fail against nothing
	r = startRouterAt(t, addr)
	t.Cleanup(func() { r.Close() })
	secondCallee := calleeLog.waitJoined(t, 5*time.Second)
	callerLog.waitJoined(t, 5*time.Second)
	recovered := time.Since(killed)
	if secondCallee == firstCallee {
		t.Fatal("the callee kept its session ID across a router restart")
	}
	// The restored registration serves the caller again.
	deadline := time.Now().Add(5 * time.Second)
	for ok.Load() < before+100 {
		if time.Now().After(deadline) {
			t.Fatalf("calls did not resume after the restart: ok %d (was %d), lost %d", ok.Load(), before, lost.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	halt()
	if other.Load() != 0 {
		t.Fatalf("%d calls answered wrongly", other.Load())
	}
	// The subscription was restored too.
	if _, err := caller.Publish(context.Background(), "com.test.news", wamp.ArgsOf("after restart"), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-events:
		if got != "after restart" {
			t.Fatalf("event %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the subscription was not restored")
	}
	want := []runtime.State{runtime.StateConnecting, runtime.StateJoined, runtime.StateReconnecting}
	if got := calleeLog.states(); len(got) < 4 || !equalStates(got[:3], want) || got[len(got)-1] != runtime.StateJoined {
		t.Fatalf("callee states %v", got)
	}
	// An event counts as delivered once its handler has returned; closing
	// the session waits for it: Stats are final.
	if err := callee.Close(); err != nil {
		t.Fatal(err)
	}
	if st := news.Stats(); st.Delivered != 1 || st.Rejected+st.Failed+st.Dropped != 0 {
		t.Errorf("restored subscription's stats %+v, want one event delivered", st)
	}
	t.Logf("router restart: %d calls ok, %d lost or refused during the outage, recovered %v after the kill (router down ~100ms)", ok.Load(), lost.Load(), recovered.Round(time.Millisecond))
}

func equalStates(a, b []runtime.State) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func freeTCPAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestSeverAndReconnect closes the socket under a session with 100 calls in
// flight: each returns exactly once with ErrConnectionLost, and the session
// reconnects by itself with its registration restored.
func TestSeverAndReconnect(t *testing.T) {
	r := rpcRouter(t)
	var tap connTap
	log := newStateLog()
	s := rpcDial(t, r.RawSocketURL(), runtime.Config{Dial: tap.dial, Reconnect: fastRetry, OnStateChange: log.record})
	first := log.waitJoined(t, joinWithin)
	started := make(chan struct{}, 200)
	rpcRegister(t, s, "com.test.block", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	})
	rpcRegister(t, s, "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	})
	const n = 100
	results := make(chan error, 2*n)
	for range n {
		go func() {
			_, err := s.Call(context.Background(), "com.test.block", wamp.Payload{}, wamp.Payload{})
			results <- err
		}()
	}
	for range n {
		<-started
	}
	tap.sever()
	for range n {
		select {
		case err := <-results:
			if !errors.Is(err, runtime.ErrConnectionLost) {
				t.Fatalf("call ended with %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a call hung after the connection was severed")
		}
	}
	second := log.waitJoined(t, 5*time.Second)
	if second == first || s.ID() != second {
		t.Fatalf("session IDs: first %d, second %d, now %d", first, second, s.ID())
	}
	if got := mustResult[string](t)(s.Call(context.Background(), "com.test.echo", wamp.ArgsOf("back"), wamp.Payload{})); got != "back" {
		t.Fatalf("echo after reconnect = %q", got)
	}
	select {
	case err := <-results:
		t.Fatalf("a call returned twice: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestReconnectGivesUp: without a router, MaxRetries failed attempts end
// the session with ErrConnectionLost.
func TestReconnectGivesUp(t *testing.T) {
	r, err := router.Start(context.Background(), router.Config{WebSocketAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	log := newStateLog()
	s := rpcDial(t, r.WebSocketURL(), runtime.Config{
		Reconnect:     &runtime.ReconnectPolicy{InitialDelay: 10 * time.Millisecond, MaxRetries: 3},
		OnStateChange: log.record,
	})
	r.Close()
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("session still reconnecting after MaxRetries")
	}
	if !errors.Is(s.Err(), runtime.ErrConnectionLost) {
		t.Fatalf("Err = %v", s.Err())
	}
	if _, err := s.Call(context.Background(), "x.y", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrConnectionLost) {
		t.Fatalf("Call after giving up: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close after giving up: %v", err)
	}
	states := log.states()
	if states[len(states)-1] != runtime.StateClosed {
		t.Fatalf("states %v", states)
	}
	attempts := 0
	for _, st := range states {
		if st == runtime.StateReconnecting {
			attempts++
		}
	}
	if attempts != 1+3 { // the loss, then one report per failed attempt
		t.Fatalf("states %v: want the loss and 3 failed attempts", states)
	}
}

// TestCloseWhileReconnecting stops the reconnect loop and leaves nothing
// running.
func TestCloseWhileReconnecting(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r, err := router.Start(context.Background(), router.Config{WebSocketAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	log := newStateLog()
	s, err := runtime.Dial(context.Background(), r.WebSocketURL(), runtime.Config{Realm: "realm1", Reconnect: fastRetry, OnStateChange: log.record})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	deadline := time.Now().Add(5 * time.Second)
	for s.State() != runtime.StateReconnecting {
		if time.Now().After(deadline) {
			t.Fatalf("state %v", s.State())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := s.Call(context.Background(), "x.y", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrConnectionLost) {
		t.Fatalf("Call while reconnecting: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close while reconnecting: %v", err)
	}
	if s.State() != runtime.StateClosed || !errors.Is(s.Err(), runtime.ErrSessionClosed) {
		t.Fatalf("after Close: %v %v", s.State(), s.Err())
	}
}

// TestUnregisterWhileDisconnected: a registration dropped during an outage
// is not restored.
func TestUnregisterWhileDisconnected(t *testing.T) {
	addr := freeTCPAddr(t)
	r := startRouterAt(t, addr)
	log := newStateLog()
	s := rpcDial(t, "ws://"+addr+"/", runtime.Config{Reconnect: fastRetry, OnStateChange: log.record})
	log.waitJoined(t, joinWithin)
	h := func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) { return nil, nil }
	keep := rpcRegister(t, s, "com.test.keep", h)
	drop := rpcRegister(t, s, "com.test.drop", h)
	r.Close()
	for s.State() != runtime.StateReconnecting {
		time.Sleep(5 * time.Millisecond)
	}
	if err := drop.Unregister(context.Background()); err != nil {
		t.Fatalf("Unregister while disconnected: %v", err)
	}
	if err := drop.Unregister(context.Background()); !errors.Is(err, runtime.ErrNoSuchRegistration) {
		t.Fatalf("second Unregister: %v", err)
	}
	r = startRouterAt(t, addr)
	t.Cleanup(func() { r.Close() })
	log.waitJoined(t, 5*time.Second)
	caller := rpcDial(t, "ws://"+addr+"/", runtime.Config{})
	if _, err := caller.Call(context.Background(), "com.test.keep", wamp.Payload{}, wamp.Payload{}); err != nil {
		t.Fatalf("kept registration: %v", err)
	}
	if _, err := caller.Call(context.Background(), "com.test.drop", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrNoSuchProcedure) {
		t.Fatalf("dropped registration came back: %v", err)
	}
	if err := keep.Unregister(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// freezeProxy relays TCP between a client and addr until frozen; frozen,
// it stops relaying without closing anything: a half-open connection.
type freezeProxy struct {
	ln     net.Listener
	frozen atomic.Bool
}

func startFreezeProxy(t *testing.T, addr string) *freezeProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezeProxy{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", addr)
			if err != nil {
				c.Close()
				continue
			}
			t.Cleanup(func() { c.Close(); up.Close() })
			go p.relay(c, up)
			go p.relay(up, c)
		}
	}()
	return p
}

func (p *freezeProxy) relay(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			dst.Close()
			return
		}
		if p.frozen.Load() {
			continue // swallow: the peer never hears of it
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

// TestKeepAliveDetectsHalfOpen: with the connection silently dead, the
// keep-alive (WebSocket pings, RawSocket PING frames) notices within two
// intervals and the session reconnects. The interval is generous: with
// 100 ms, a loaded machine running the race detector delayed a pong past
// two intervals about half the time, and a live connection was dropped.
func TestKeepAliveDetectsHalfOpen(t *testing.T) {
	const keepAlive = 400 * time.Millisecond
	r := rpcRouter(t)
	for _, tc := range []struct{ name, scheme, url string }{
		{"websocket", "ws", r.WebSocketURL()},
		{"rawsocket", "tcp", r.RawSocketURL()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			proxy := startFreezeProxy(t, u.Host)
			log := newStateLog()
			var dials atomic.Int64
			dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
				var d net.Dialer
				if dials.Add(1) > 1 {
					addr = u.Host // reconnect straight to the router
				}
				return d.DialContext(ctx, network, addr)
			}
			s := rpcDial(t, tc.scheme+"://"+proxy.ln.Addr().String()+"/", runtime.Config{
				KeepAlive: keepAlive, Reconnect: fastRetry, OnStateChange: log.record, Dial: dial,
			})
			log.waitJoined(t, joinWithin)
			// Pings and pongs keep a healthy connection alive, well past
			// two intervals.
			time.Sleep(3 * keepAlive)
			if st := s.State(); st != runtime.StateJoined || dials.Load() != 1 {
				t.Fatalf("a live connection: state %v after %d dials", st, dials.Load())
			}
			proxy.frozen.Store(true)
			frozen := time.Now()
			deadline := time.Now().Add(10 * keepAlive)
			for s.State() == runtime.StateJoined {
				if time.Now().After(deadline) {
					t.Fatalf("a half-open connection went unnoticed for %v with a %v keep-alive", 10*keepAlive, keepAlive)
				}
				time.Sleep(10 * time.Millisecond)
			}
			noticed := time.Since(frozen)
			log.waitJoined(t, 5*time.Second)
			t.Logf("half-open connection noticed after %v", noticed.Round(time.Millisecond))
		})
	}
}

// TestSeveralHandlersPerTopic: two subscriptions to one topic share the
// router's subscription; each receives events until it unsubscribes.
func TestSeveralHandlersPerTopic(t *testing.T) {
	r := rpcRouter(t)
	sub := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	pub := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	a, b := make(chan string, 10), make(chan string, 10)
	handler := func(ch chan string) runtime.EventHandler {
		return func(_ context.Context, ev *runtime.Event) error {
			var s string
			if args(ev.Args, &s) == nil {
				ch <- s
			}
			return nil
		}
	}
	sa, err := sub.Subscribe(context.Background(), "com.test.shared", handler(a))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sub.Subscribe(context.Background(), "com.test.shared", handler(b))
	if err != nil {
		t.Fatal(err)
	}
	publish := func(s string) {
		t.Helper()
		if _, err := pub.Publish(context.Background(), "com.test.shared", wamp.ArgsOf(s), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(ch chan string, want string) {
		t.Helper()
		select {
		case got := <-ch:
			if got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %q", want)
		}
	}
	publish("one")
	expect(a, "one")
	expect(b, "one")
	if err := sa.Unsubscribe(context.Background()); err != nil {
		t.Fatal(err)
	}
	publish("two")
	expect(b, "two")
	if err := sb.Unsubscribe(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-a:
		t.Fatalf("unsubscribed handler got %q", got)
	default:
	}
	if err := sb.Unsubscribe(context.Background()); !errors.Is(err, runtime.ErrNoSuchSubscription) {
		t.Fatalf("second Unsubscribe: %v", err)
	}
}
