package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// delayedReadConn delays, while armed, every read that carries marker: the
// session then reads an answer only after the request gave up.
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

// TestLateRegisteredIsUnregistered is a regression test: Register's
// context ended after the router registered the procedure but before
// REGISTERED was read. The session dropped the late REGISTERED without
// telling the router, which kept routing the procedure to this session
// (answered with no_such_registration) and refused to register it again
// (procedure_already_exists) until the session ended. Now the session
// unregisters what the late REGISTERED made.
func TestLateRegisteredIsUnregistered(t *testing.T) {
	r := rpcRouter(t)
	var armed atomic.Bool
	// A JSON REGISTERED starts with "[65,".
	callee := rpcDial(t, r.RawSocketURL(), runtime.Config{Dial: delayingDialer("[65,", 400*time.Millisecond, &armed, nil)})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	h := func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf("ok")}, nil
	}
	armed.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err := callee.Register(ctx, "com.late.register", h)
	cancel()
	if err == nil {
		t.Skip("REGISTERED arrived in time")
	}
	armed.Store(false)
	time.Sleep(500 * time.Millisecond) // the late REGISTERED has been read

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
	var armed atomic.Bool
	var unsubscribes atomic.Int32
	wrote := func(b []byte) {
		if bytes.Contains(b, []byte("[34,")) { // a JSON UNSUBSCRIBE
			unsubscribes.Add(1)
		}
	}
	// A JSON SUBSCRIBED starts with "[33,".
	s := rpcDial(t, r.RawSocketURL(), runtime.Config{Dial: delayingDialer("[33,", 400*time.Millisecond, &armed, wrote)})
	pub := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	armed.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err := s.Subscribe(ctx, "com.late.topic", func(context.Context, *runtime.Event) error {
		t.Error("the handler of a failed Subscribe received an event")
		return nil
	})
	cancel()
	if err == nil {
		t.Skip("SUBSCRIBED arrived in time")
	}
	armed.Store(false)
	time.Sleep(500 * time.Millisecond) // the late SUBSCRIBED has been read
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
	var armed atomic.Bool
	s := rpcDial(t, r.RawSocketURL(), runtime.Config{Dial: delayingDialer("[33,", 300*time.Millisecond, &armed, nil)})
	pub := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	armed.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err := s.Subscribe(ctx, "com.test.late.topic", func(context.Context, *runtime.Event) error { return nil })
	cancel()
	if err == nil {
		t.Skip("SUBSCRIBED arrived in time")
	}
	// The retry, sent before the first SUBSCRIBED is read.
	events := newEventLog()
	if _, err := s.Subscribe(testCtx(t), "com.test.late.topic", events.handler); err != nil {
		t.Fatalf("retrying Subscribe: %v", err)
	}
	armed.Store(false)
	time.Sleep(300 * time.Millisecond) // the UNSUBSCRIBE, if any, has reached the router
	if _, err := pub.Publish(testCtx(t), "com.test.late.topic", wamp.ArgsOf("e1"), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if got := argString(t, ev.Args, 0); got != "e1" {
			t.Errorf("event %q", got)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the retried Subscribe succeeded, but its handler receives no events: the late SUBSCRIBED of the given-up one unsubscribed the shared subscription")
	}
}
