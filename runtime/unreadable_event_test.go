package runtime_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestUnreadableEventsFlood: a router relays, as often as another peer
// likes, EVENTs whose payload this runtime refuses to read (invalid UTF-8
// here). Each is counted as Rejected by the subscription it was for, the
// log gets a line for the burst rather than one per event, and the
// subscription goes on.
func TestUnreadableEventsFlood(t *testing.T) {
	var logs syncBuffer
	checkNoLeakedGoroutines(t)
	srv := startRogueRoles(t, "websocket", wamp.JSON, true, nil)
	ctx, cancel := context.WithTimeout(context.Background(), rogueWait)
	defer cancel()
	sess, err := runtime.Dial(ctx, srv.url, runtime.Config{Realm: "realm1", ResponseTimeout: rogueWait, Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	rc := srv.accept(t)
	t.Cleanup(func() { sess.Close() })

	events := newEventLog()
	subscribed := make(chan error, 1)
	var sub *runtime.Subscription
	go func() {
		var err error
		sub, err = sess.Subscribe(context.Background(), "com.test.topic", events.handler)
		subscribed <- err
	}()
	m := rogueExpect[*wamp.Subscribe](t, rc)
	rc.send(&wamp.Subscribed{Request: m.Request, Subscription: 400})
	if err := recvT(t, subscribed, "Subscribe"); err != nil {
		t.Fatal(err)
	}
	const flood = 50
	for i := range flood {
		if err := rc.sendBytes(fmt.Appendf(nil, "[36,400,%d,{},[\"\xff\xfe\"]]", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	rc.send(&wamp.Event{Subscription: 400, Publication: flood + 1, Details: wamp.Dict{}, Args: wamp.ArgsOf("readable")})
	if label := events.nextLabel(t); label != "readable" {
		t.Fatalf("the handler got %q, want the readable event", label)
	}
	// The handler counts as having delivered once it has returned; closing
	// the session waits for it: Stats are final.
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	if st := sub.Stats(); st.Rejected != flood || st.Delivered != 1 {
		t.Errorf("stats %+v, want %d rejected and 1 delivered", st, flood)
	}
	if n := logs.lines("unreadable EVENT"); n < 1 || n >= flood {
		t.Errorf("%d log lines about %d unreadable events, want at least one and fewer than one per event", n, flood)
	}
}

// TestUnreadableInvocationsFlood: as for events, a router may relay
// INVOCATIONs this runtime cannot read as often as a caller likes. Each is
// answered with wamp.error.invalid_argument, and the log gets a line for
// the burst rather than one per invocation.
func TestUnreadableInvocationsFlood(t *testing.T) {
	var logs syncBuffer
	checkNoLeakedGoroutines(t)
	srv := startRogueRoles(t, "websocket", wamp.JSON, true, nil)
	ctx, cancel := context.WithTimeout(context.Background(), rogueWait)
	defer cancel()
	sess, err := runtime.Dial(ctx, srv.url, runtime.Config{Realm: "realm1", ResponseTimeout: rogueWait, Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	rc := srv.accept(t)
	t.Cleanup(func() { sess.Close() })

	registered := make(chan error, 1)
	go func() {
		_, err := sess.Register(context.Background(), "com.test.proc", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
			return &runtime.Result{}, nil
		})
		registered <- err
	}()
	m := rogueExpect[*wamp.Register](t, rc)
	rc.send(&wamp.Registered{Request: m.Request, Registration: 500})
	if err := recvT(t, registered, "Register"); err != nil {
		t.Fatal(err)
	}
	const flood = 50
	for i := range flood {
		if err := rc.sendBytes(fmt.Appendf(nil, "[68,%d,500,{},[\"\xff\xfe\"]]", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range flood {
		e := rogueExpect[*wamp.Error](t, rc)
		if e.RequestType != wamp.TypeInvocation || e.Request != wamp.ID(i+1) || e.Error != wamp.ErrInvalidArgument {
			t.Fatalf("answer %d: %s to %s %d, want invalid_argument to INVOCATION %d", i+1, e.Error, e.RequestType, e.Request, i+1)
		}
	}
	if n := logs.lines("unreadable INVOCATION"); n < 1 || n >= flood {
		t.Errorf("%d log lines about %d unreadable invocations, want at least one and fewer than one per invocation", n, flood)
	}
}
