package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestUnsubscribeDuringPendingSubscribe is a regression test: the
// application unsubscribed the only handler of a subscription while a new
// Subscribe on the same topic was pending, its SUBSCRIBE already at the
// router. The router answered that SUBSCRIBE with the existing
// subscription (one per session, topic and match policy), and then
// applied the UNSUBSCRIBE: the new Subscribe succeeded but its handler
// never received an event. Unsubscribe now leaves the router's
// subscription to the pending Subscribe.
func TestUnsubscribeDuringPendingSubscribe(t *testing.T) {
	r := rpcRouter(t)
	var armed atomic.Bool
	var unsubscribes atomic.Int32
	subscribeSent := make(chan struct{}, 1)
	wrote := func(b []byte) {
		if bytes.Contains(b, []byte("[34,")) { // a JSON UNSUBSCRIBE
			unsubscribes.Add(1)
		}
		if armed.Load() && bytes.Contains(b, []byte("[32,")) { // a JSON SUBSCRIBE
			select {
			case subscribeSent <- struct{}{}:
			default:
			}
		}
	}
	// A JSON SUBSCRIBED starts with "[33,".
	s := rpcDial(t, r.RawSocketURL(), runtime.Config{Dial: delayingDialer("[33,", 300*time.Millisecond, &armed, wrote)})
	pub := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	const topic = "com.test.unsub.pending"
	old, err := s.Subscribe(testCtx(t), topic, func(context.Context, *runtime.Event) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	armed.Store(true)
	events := newEventLog()
	subscribed := make(chan error, 1)
	go func() {
		_, err := s.Subscribe(testCtx(t), topic, events.handler)
		subscribed <- err
	}()
	recvT(t, subscribeSent, "the new SUBSCRIBE")
	// The router has the SUBSCRIBE before anything sent from here on.
	if err := old.Unsubscribe(testCtx(t)); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	if err := recvT(t, subscribed, "the new Subscribe"); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	armed.Store(false)
	time.Sleep(100 * time.Millisecond) // an UNSUBSCRIBE, if any, has reached the router
	if _, err := pub.Publish(testCtx(t), topic, wamp.ArgsOf("e1"), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if got := argString(t, ev.Args, 0); got != "e1" {
			t.Errorf("event %q", got)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the new Subscribe succeeded, but its handler receives no events: the UNSUBSCRIBE of the old one removed the subscription the router gave it")
	}
	if n := unsubscribes.Load(); n != 0 {
		t.Errorf("%d UNSUBSCRIBE sent; want 0 (the new Subscribe took the router's subscription over)", n)
	}
}

// rogueSubscriber is a session joined to a rogue router, with one
// subscription (rogueOldSub) to rogueTopic, and a second Subscribe to it
// pending (its SUBSCRIBE is pending).
type rogueSubscriber struct {
	srv     *rogueServer
	sess    *runtime.Session
	rc      *rogueConn
	old     *runtime.Subscription
	pending *wamp.Subscribe
	events  eventLog
	done    chan error // the pending Subscribe's outcome
	sub     atomic.Pointer[runtime.Subscription]
}

const (
	rogueTopic  wamp.URI = "com.rogue.topic"
	rogueOldSub wamp.ID  = 700
	rogueNewSub wamp.ID  = 701
)

func newRogueSubscriber(t *testing.T, cfg runtime.Config, pendingCtx context.Context) *rogueSubscriber {
	t.Helper()
	srv := startRogue(t, "websocket", wamp.JSON, true)
	cfg.Realm = "realm1"
	cfg.Serializer = wamp.JSON
	if cfg.ResponseTimeout == 0 {
		cfg.ResponseTimeout = rogueWait
	}
	sess, err := runtime.Dial(testCtx(t), srv.url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	rs := &rogueSubscriber{srv: srv, sess: sess, rc: srv.accept(t), events: newEventLog(), done: make(chan error, 1)}
	subscribed := make(chan error, 1)
	go func() {
		var err error
		rs.old, err = sess.Subscribe(testCtx(t), rogueTopic, func(context.Context, *runtime.Event) error {
			t.Error("the unsubscribed handler received an event")
			return nil
		})
		subscribed <- err
	}()
	req := rogueExpect[*wamp.Subscribe](t, rs.rc)
	rs.rc.send(&wamp.Subscribed{Request: req.Request, Subscription: rogueOldSub})
	if err := recvT(t, subscribed, "Subscribe"); err != nil {
		t.Fatal(err)
	}
	go func() {
		sub, err := sess.Subscribe(pendingCtx, rogueTopic, rs.events.handler)
		rs.sub.Store(sub)
		rs.done <- err
	}()
	rs.pending = rogueExpect[*wamp.Subscribe](t, rs.rc)
	return rs
}

// unsubscribeOld unsubscribes the first subscription, which must return
// nil at once: the router is not asked while the SUBSCRIBE is pending.
func (rs *rogueSubscriber) unsubscribeOld(t *testing.T) {
	t.Helper()
	// Generous for a loaded machine: the rogue router never answers an
	// UNSUBSCRIBE, so one sent would still fail this.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rs.old.Unsubscribe(ctx); err != nil {
		t.Fatalf("Unsubscribe while a Subscribe on the same topic is pending: %v", err)
	}
}

// expectUnsubscribe checks that the next message from the session is
// UNSUBSCRIBE for id, and answers it.
func (rs *rogueSubscriber) expectUnsubscribe(t *testing.T, id wamp.ID) {
	t.Helper()
	m := rogueExpect[*wamp.Unsubscribe](t, rs.rc)
	if m.Subscription != id {
		t.Errorf("UNSUBSCRIBE for subscription %d, want %d", m.Subscription, id)
	}
	rs.rc.send(&wamp.Unsubscribed{Request: m.Request, Details: wamp.Dict{}})
}

// TestUnsubscribeDeferred: the old subscription's last handler is
// unsubscribed while a Subscribe on the same topic is pending; what the
// session sends depends on how the pending one ends.
func TestUnsubscribeDeferred(t *testing.T) {
	t.Run("taken over", func(t *testing.T) {
		rs := newRogueSubscriber(t, runtime.Config{}, testCtx(t))
		rs.unsubscribeOld(t)
		rs.rc.send(&wamp.Subscribed{Request: rs.pending.Request, Subscription: rogueOldSub})
		if err := recvT(t, rs.done, "the pending Subscribe"); err != nil {
			t.Fatal(err)
		}
		sub := rs.sub.Load()
		if sub.ID() != rogueOldSub {
			t.Errorf("subscription ID %d, want %d", sub.ID(), rogueOldSub)
		}
		rs.rc.send(&wamp.Event{Subscription: rogueOldSub, Publication: 1, Details: wamp.Dict{}, Args: wamp.ArgsOf("e1")})
		if got := argString(t, rs.events.next(t).Args, 0); got != "e1" {
			t.Errorf("event %q", got)
		}
		// Nothing was sent in between: the next UNSUBSCRIBE is this one's.
		done := make(chan error, 1)
		go func() { done <- sub.Unsubscribe(testCtx(t)) }()
		rs.expectUnsubscribe(t, rogueOldSub)
		if err := recvT(t, done, "Unsubscribe"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("another subscription", func(t *testing.T) {
		rs := newRogueSubscriber(t, runtime.Config{}, testCtx(t))
		rs.unsubscribeOld(t)
		rs.rc.send(&wamp.Subscribed{Request: rs.pending.Request, Subscription: rogueNewSub})
		rs.expectUnsubscribe(t, rogueOldSub)
		if err := recvT(t, rs.done, "the pending Subscribe"); err != nil {
			t.Fatal(err)
		}
		if id := rs.sub.Load().ID(); id != rogueNewSub {
			t.Errorf("subscription ID %d, want %d", id, rogueNewSub)
		}
	})
	t.Run("refused", func(t *testing.T) {
		rs := newRogueSubscriber(t, runtime.Config{}, testCtx(t))
		rs.unsubscribeOld(t)
		rs.rc.send(&wamp.Error{RequestType: wamp.TypeSubscribe, Request: rs.pending.Request, Details: wamp.Dict{}, Error: wamp.ErrNotAuthorized})
		rs.expectUnsubscribe(t, rogueOldSub)
		if err := recvT(t, rs.done, "the pending Subscribe"); err == nil {
			t.Error("a refused Subscribe succeeded")
		}
	})
	t.Run("given up", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		rs := newRogueSubscriber(t, runtime.Config{}, ctx)
		rs.unsubscribeOld(t)
		cancel()
		if err := recvT(t, rs.done, "the pending Subscribe"); !errors.Is(err, context.Canceled) {
			t.Errorf("Subscribe: %v, want context.Canceled", err)
		}
		// The late SUBSCRIBED decides: nobody takes the subscription.
		rs.rc.send(&wamp.Subscribed{Request: rs.pending.Request, Subscription: rogueOldSub})
		rs.expectUnsubscribe(t, rogueOldSub)
	})
}

// TestUnsubscribeDeferredConnectionLost: the connection is lost while an
// UNSUBSCRIBE waits for a pending SUBSCRIBE. The router's subscriptions
// went with the connection: nothing is sent on the next one, and neither
// subscription is restored.
func TestUnsubscribeDeferredConnectionLost(t *testing.T) {
	cfg := runtime.Config{Reconnect: &runtime.ReconnectPolicy{InitialDelay: 20 * time.Millisecond, MaxDelay: 50 * time.Millisecond}}
	rs := newRogueSubscriber(t, cfg, testCtx(t))
	rs.unsubscribeOld(t)
	rs.rc.close()
	if err := recvT(t, rs.done, "the pending Subscribe"); !errors.Is(err, runtime.ErrConnectionLost) {
		t.Errorf("Subscribe: %v, want ErrConnectionLost", err)
	}
	rc := rs.srv.accept(t)
	deadline := time.Now().Add(rogueWait)
	for {
		_, err := rs.sess.Publish(testCtx(t), "com.rogue.marker", wamp.Payload{}, wamp.Payload{})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("publishing after the reconnect: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Nothing came before the marker: no SUBSCRIBE restored, no UNSUBSCRIBE.
	if m := rogueExpect[*wamp.Publish](t, rc); m.Topic != "com.rogue.marker" {
		t.Errorf("PUBLISH to %s", m.Topic)
	}
}
