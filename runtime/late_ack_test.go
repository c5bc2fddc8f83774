package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// delayedReadConn delays, while armed, every read that carries marker: the
// session then reads an answer only after the request gave up.
// (TestUnsubscribeDuringPendingSubscribe uses it; the tests here hold the
// answer until the request has given up instead, see lateAnswer.)
type delayedReadConn struct {
	net.Conn
	marker []byte
	delay  time.Duration
	armed  *atomic.Bool
	// wrote, if set, sees every write.
	wrote func(b []byte)
}

func (c *delayedReadConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && c.armed.Load() && bytes.Contains(b[:n], c.marker) {
		time.Sleep(c.delay)
	}
	return n, err
}

func (c *delayedReadConn) Write(b []byte) (int, error) {
	if c.wrote != nil {
		c.wrote(b)
	}
	return c.Conn.Write(b)
}

// delayingDialer dials connections whose reads carrying marker are delayed
// by delay while armed.
func delayingDialer(marker string, delay time.Duration, armed *atomic.Bool, wrote func([]byte)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &delayedReadConn{Conn: nc, marker: []byte(marker), delay: delay, armed: armed, wrote: wrote}, nil
	}
}

// lateAnswer makes the answer to a request arrive late, and tells the test
// what the session does then. The first message read that matches hold is
// held, on the session's read loop, until release is called: the test
// makes the request give up meanwhile. The connection's writes are seen by
// wrote, if set.
type lateAnswer struct {
	reads   *rawSocketReads
	once    sync.Once
	held    chan struct{} // closed when the answer is held
	release chan struct{}
	mu      sync.Mutex
	watches []watch
}

// watch is a channel closed when a message that matches arrives.
type watch struct {
	match   func(wamp.Message) bool
	arrived chan struct{}
}

func newLateAnswer(hold func(wamp.Message) bool) *lateAnswer {
	l := &lateAnswer{reads: newRawSocketReads(), held: make(chan struct{}), release: make(chan struct{})}
	l.reads.onMessage = func(msg wamp.Message) {
		l.mu.Lock()
		for i, w := range l.watches {
			if w.match != nil && w.match(msg) {
				close(w.arrived)
				l.watches[i].match = nil
			}
		}
		l.mu.Unlock()
		if hold(msg) {
			l.once.Do(func() {
				close(l.held)
				<-l.release
			})
		}
	}
	return l
}

// arrival returns a channel closed when a message that matches arrives
// after the call.
func (l *lateAnswer) arrival(match func(wamp.Message) bool) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := watch{match: match, arrived: make(chan struct{})}
	l.watches = append(l.watches, w)
	return w.arrived
}

// dialer dials the session's one connection, whose reads l follows.
func (l *lateAnswer) dialer(wrote func([]byte)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c := &writeHookConn{Conn: nc, onRead: l.reads.read}
		if wrote != nil {
			c.onWrite = func(_ *writeHookConn, b []byte) (int, error, bool) {
				wrote(b)
				return 0, nil, false
			}
		}
		return c, nil
	}
}

// giveUp runs request with a context that it cancels once the answer is
// held, and returns request's error. The answer stays held.
func (l *lateAnswer) giveUp(t *testing.T, request func(ctx context.Context) error) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- request(ctx) }()
	recvT(t, l.held, "the answer to arrive (it is held)")
	cancel()
	return recvT(t, done, "the request to give up")
}

func isType[M wamp.Message](msg wamp.Message) bool {
	_, ok := msg.(M)
	return ok
}

// TestLateRegisteredIsUnregistered is a regression test: Register's
// context ended after the router registered the procedure but before
// REGISTERED was read. The session dropped the late REGISTERED without
// telling the router, which kept routing the procedure to this session
// (answered with no_such_registration) and refused to register it again
// (procedure_already_exists) until the session ended. Now the session
// unregisters what the late REGISTERED made.
func TestLateRegisteredIsUnregistered(t *testing.T) {
	r := rpcRouter(t)
	late := newLateAnswer(isType[*wamp.Registered])
	callee := rpcDial(t, r.RawSocketURL(), runtime.Config{Dial: late.dialer(nil)})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	h := func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf("ok")}, nil
	}
	err := late.giveUp(t, func(ctx context.Context) error {
		_, err := callee.Register(ctx, "com.late.register", h)
		return err
	})
	if err == nil {
		t.Fatal("Register returned without its REGISTERED")
	}
	// The router confirms the UNREGISTER of what the late REGISTERED made.
	unregistered := late.arrival(isType[*wamp.Unregistered])
	close(late.release)
	recvT(t, unregistered, "the router to confirm an UNREGISTER")

	if _, err := caller.Call(testCtx(t), "com.late.register", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrNoSuchProcedure) {
		t.Errorf("calling a procedure whose Register failed: %v; want no_such_procedure (the router should not route it here)", err)
	}
	if _, err := callee.Register(testCtx(t), "com.late.register", h); err != nil {
		t.Fatalf("registering again after a timed-out Register: %v", err)
	}
	res, err := caller.Call(testCtx(t), "com.late.register", wamp.Payload{}, wamp.Payload{})
	if err != nil {
		t.Fatalf("calling the procedure registered again: %v", err)
	}
	if got := argString(t, res.Args, 0); got != "ok" {
		t.Errorf("answered %q", got)
	}
}

// TestLateSubscribedIsUnsubscribed: like TestLateRegisteredIsUnregistered,
// for a SUBSCRIBED read after Subscribe gave up. The session unsubscribes
// what it made, so the router stops sending events nobody receives, and
// the topic can be subscribed to again.
func TestLateSubscribedIsUnsubscribed(t *testing.T) {
	r := rpcRouter(t)
	var unsubscribes atomic.Int32
	wrote := func(b []byte) {
		if bytes.Contains(b, []byte("[34,")) { // a JSON UNSUBSCRIBE
			unsubscribes.Add(1)
		}
	}
	late := newLateAnswer(isType[*wamp.Subscribed])
	s := rpcDial(t, r.RawSocketURL(), runtime.Config{Dial: late.dialer(wrote)})
	pub := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	err := late.giveUp(t, func(ctx context.Context) error {
		_, err := s.Subscribe(ctx, "com.late.topic", func(context.Context, *runtime.Event) error {
			t.Error("the handler of a failed Subscribe received an event")
			return nil
		})
		return err
	})
	if err == nil {
		t.Fatal("Subscribe returned without its SUBSCRIBED")
	}
	// The router confirms the UNSUBSCRIBE of what the late SUBSCRIBED made.
	unsubscribed := late.arrival(isType[*wamp.Unsubscribed])
	close(late.release)
	recvT(t, unsubscribed, "the router to confirm an UNSUBSCRIBE")
	if n := unsubscribes.Load(); n != 1 {
		t.Errorf("%d UNSUBSCRIBE sent after a late SUBSCRIBED; want 1", n)
	}

	events := newEventLog()
	if _, err := s.Subscribe(testCtx(t), "com.late.topic", events.handler); err != nil {
		t.Fatalf("subscribing again: %v", err)
	}
	if _, err := pub.Publish(testCtx(t), "com.late.topic", wamp.ArgsOf("e1"), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	if got := argString(t, events.next(t).Args, 0); got != "e1" {
		t.Errorf("event %q", got)
	}
	if n := unsubscribes.Load(); n != 1 {
		t.Errorf("%d UNSUBSCRIBE sent in all; want 1", n)
	}
}

// TestRetriedSubscribeSurvivesLateSubscribed is a regression test:
// Subscribe gives up (its SUBSCRIBED is late) and the application retries
// at once on the same topic. The router answers both SUBSCRIBEs with the
// same subscription ID (one subscription per session, topic and match
// policy). The late SUBSCRIBED of the first made the session send
// UNSUBSCRIBE for that ID, which the router applied after it had answered
// the retry: the retry succeeded but its handler never received an event.
// A SUBSCRIBE pending for the same topic and policy now keeps the session
// from unsubscribing.
func TestRetriedSubscribeSurvivesLateSubscribed(t *testing.T) {
	r := rpcRouter(t)
	var subscribes, unsubscribes atomic.Int32
	retrySent := make(chan struct{})
	wrote := func(b []byte) {
		if bytes.Contains(b, []byte("[32,")) && subscribes.Add(1) == 2 { // a JSON SUBSCRIBE
			close(retrySent)
		}
		if bytes.Contains(b, []byte("[34,")) { // a JSON UNSUBSCRIBE
			unsubscribes.Add(1)
		}
	}
	late := newLateAnswer(isType[*wamp.Subscribed])
	s := rpcDial(t, r.RawSocketURL(), runtime.Config{Dial: late.dialer(wrote)})
	pub := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	err := late.giveUp(t, func(ctx context.Context) error {
		_, err := s.Subscribe(ctx, "com.test.late.topic", func(context.Context, *runtime.Event) error { return nil })
		return err
	})
	if err == nil {
		t.Fatal("Subscribe returned without its SUBSCRIBED")
	}
	// The retry, sent before the first SUBSCRIBED is read.
	events := newEventLog()
	retried := make(chan error, 1)
	go func() {
		_, err := s.Subscribe(testCtx(t), "com.test.late.topic", events.handler)
		retried <- err
	}()
	recvT(t, retrySent, "the retried SUBSCRIBE to be written")
	close(late.release)
	if err := recvT(t, retried, "the retried Subscribe"); err != nil {
		t.Fatalf("retrying Subscribe: %v", err)
	}
	// An UNSUBSCRIBE the late SUBSCRIBED made the session send would have
	// been sent before the retry returned: the router has applied it once
	// it has acknowledged a publication the session sends now.
	if _, err := s.Publish(testCtx(t), "com.test.late.other", wamp.Payload{}, wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	if n := unsubscribes.Load(); n != 0 {
		t.Errorf("%d UNSUBSCRIBE sent; want none: the retry shares the late SUBSCRIBED's subscription", n)
	}
	if _, err := pub.Publish(testCtx(t), "com.test.late.topic", wamp.ArgsOf("e1"), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if got := argString(t, ev.Args, 0); got != "e1" {
			t.Errorf("event %q", got)
		}
	case <-time.After(testWait):
		t.Fatal("the retried Subscribe succeeded, but its handler receives no events: the late SUBSCRIBED of the given-up one unsubscribed the shared subscription")
	}
}
