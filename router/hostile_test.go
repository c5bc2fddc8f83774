package router_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
)

// TestPatternSubscribersWithDisclosure is the nexus broker race seen from
// outside: nexus v3.3.0 writes one publication's EVENT.Details map for each
// subscriber of a pattern-based subscription (the topic, and with publisher
// disclosure the publisher's identity) while earlier subscribers' events,
// sharing that map, wait in their peers' queues. Before the router took its
// own copy at hand-over, this ended the process with "concurrent map
// iteration and map write" within a few hundred publications, and -race
// reported it at once.
func TestPatternSubscribersWithDisclosure(t *testing.T) {
	r := startRouter(t, router.Config{})
	const subscribers, publications = 64, 300
	var got atomic.Int64
	var bad atomic.Value
	for i := range subscribers {
		tr := transports[i%len(transports)]
		sub := dial(t, tr.url(r), client.Config{Serialization: tr.ser})
		err := sub.Subscribe("com.example", func(ev *wamp.Event) {
			topic, _ := ev.Details["topic"].(string)
			pubID, _ := wamp.AsID(ev.Details["publisher"])
			if topic != "com.example.thing" || pubID == 0 {
				bad.Store(fmt.Sprintf("event details %v: want topic and publisher", ev.Details))
			}
			got.Add(1)
		}, wamp.Dict{wamp.OptMatch: wamp.MatchPrefix})
		if err != nil {
			t.Fatal(err)
		}
	}
	pubs := make([]*client.Client, 4)
	for i := range pubs {
		pubs[i] = dial(t, r.WebSocketURL(), client.Config{})
	}
	var wg sync.WaitGroup
	for _, pub := range pubs {
		wg.Go(func() {
			for i := range publications / len(pubs) {
				if err := pub.Publish("com.example.thing", wamp.Dict{wamp.OptDiscloseMe: true}, wamp.List{i}, nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	want := int64(subscribers * (publications / len(pubs) * len(pubs)))
	deadline := time.Now().Add(4 * testTimeout)
	for got.Load() < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := got.Load(); n != want {
		t.Errorf("%d events delivered, want %d", n, want)
	}
	if v := bad.Load(); v != nil {
		t.Error(v)
	}
	// The router still serves everyone.
	c := dial(t, r.WebSocketURL(), client.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, err := c.Call(ctx, "wamp.session.count", nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// calleeRoles announces a callee that can be interrupted.
const calleeRoles = `{"callee":{"features":{"call_canceling":true}}}`

// TestRepeatedRequestID: a CALL that repeats the request ID of a call still
// in flight, from a caller that did not announce progressive call
// invocations, is the caller's protocol violation. nexus took it for the
// next chunk of a progressive call and sent the callee a second INVOCATION
// with the same ID, which made a strict callee end its session.
func TestRepeatedRequestID(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee := dialRSJSON(t, r, 15, 0)
	callee.join(calleeRoles)
	callee.send(`[64,1,{},"com.test.sleep"]`)
	callee.recv(65)
	callee.send(`[64,2,{},"com.test.add"]`)
	callee.recv(65)

	caller := dialRSJSON(t, r, 15, 0)
	caller.join(allRoles)
	caller.send(`[48,7,{},"com.test.sleep",[800]]`)
	inv := callee.recv(68)
	caller.send(`[48,7,{},"com.test.add",[1,2]]`)
	// The first call 7 is canceled as the caller leaves (see
	// TestLeavingCallerInterruptsCallee), then the session ends.
	if v := caller.recv(8); v[1] != 48.0 || v[2] != 7.0 || v[4] != string(wamp.ErrCanceled) {
		t.Fatalf("caller got %v, want ERROR canceled for its first call", v)
	}
	v := caller.recv(3)
	if v[2] != string(wamp.ErrProtocolViolation) {
		t.Fatalf("caller got %v, want ABORT protocol_violation", v)
	}
	// The callee got nothing more than an INTERRUPT for the first call, whose
	// caller is gone, and its session works.
	if v, raw, err := callee.recvWithin(500 * time.Millisecond); err == nil && (v[0] != 69.0 || v[1] != inv[1]) {
		t.Fatalf("callee got %s after the repeated CALL", raw)
	}
	other := dialRSJSON(t, r, 15, 0)
	other.join(allRoles)
	other.send(`[48,1,{},"com.test.add",[1,2]]`)
	inv2 := callee.recv(68)
	callee.send(fmt.Sprintf(`[70,%v,{},[3]]`, inv2[1]))
	if v := other.recv(50); v[1] != 1.0 {
		t.Fatalf("RESULT %v", v)
	}
}

// TestRequestIDRange: request IDs are 1..2^53.
func TestRequestIDRange(t *testing.T) {
	r := startRouter(t, router.Config{})
	for _, msg := range []string{
		`[48,0,{},"com.test.p",[]]`,
		`[48,9007199254740993,{},"com.test.p",[]]`,
		`[64,0,{},"com.test.p"]`,
		`[32,0,{},"com.test.t"]`,
		`[16,0,{},"com.test.t",[]]`,
	} {
		c := dialRSJSON(t, r, 15, 0)
		c.join(allRoles)
		c.send(msg)
		if v := c.recv(3); v[2] != string(wamp.ErrProtocolViolation) {
			t.Errorf("%s: got %v, want ABORT protocol_violation", msg, v)
		}
	}
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)
	c.send(`[48,9007199254740992,{},"com.test.none",[]]`)
	if v := c.recv(8); v[2] != 9007199254740992.0 || v[4] != string(wamp.ErrNoSuchProcedure) {
		t.Fatalf("request 2^53: got %v, want ERROR no_such_procedure", v)
	}
}

// TestLeavingCallerInterruptsCallee: a caller that leaves, by dropping its
// connection or with GOODBYE, has its calls canceled, so their callees are
// interrupted. nexus forgot the calls without a word to the callees, which
// went on working for nobody.
func TestLeavingCallerInterruptsCallee(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee := dialRSJSON(t, r, 15, 0)
	callee.join(calleeRoles)
	callee.send(`[64,1,{},"com.test.block"]`)
	callee.recv(65)
	for _, leave := range []string{"drop", "goodbye"} {
		t.Run(leave, func(t *testing.T) {
			caller := dialRSJSON(t, r, 15, 0)
			caller.join(allRoles)
			for i := 1; i <= 3; i++ {
				caller.send(fmt.Sprintf(`[48,%d,{},"com.test.block",[]]`, i))
			}
			invs := map[float64]bool{}
			for range 3 {
				invs[callee.recv(68)[1].(float64)] = true
			}
			if leave == "drop" {
				_ = caller.conn.Close()
			} else {
				caller.send(`[6,{},"wamp.close.close_realm"]`)
			}
			for range 3 {
				v := callee.recv(69)
				if !invs[v[1].(float64)] {
					t.Fatalf("INTERRUPT %v for an unknown invocation", v)
				}
				delete(invs, v[1].(float64))
				callee.send(fmt.Sprintf(`[8,68,%v,{},"wamp.error.canceled",[]]`, v[1]))
			}
		})
	}
}

// TestUnregisterOthers: UNREGISTER and UNSUBSCRIBE of another session's
// registration or subscription are refused, and it lives on. nexus
// answered UNREGISTERED and UNSUBSCRIBED and published meta events naming
// the wrong session.
func TestUnregisterOthers(t *testing.T) {
	r := startRouter(t, router.Config{})
	owner := dialRSJSON(t, r, 15, 0)
	owner.join(allRoles)
	owner.send(`[64,1,{},"com.test.p"]`)
	reg := owner.recv(65)[2]
	owner.send(`[32,2,{},"com.test.t"]`)
	sub := owner.recv(33)[2]

	thief := dialRSJSON(t, r, 15, 0)
	thief.join(allRoles)
	thief.send(fmt.Sprintf(`[66,5,%v]`, reg))
	if v := thief.recv(8); v[1] != 66.0 || v[2] != 5.0 || v[4] != string(wamp.ErrNoSuchRegistration) {
		t.Fatalf("UNREGISTER of another's registration: got %v", v)
	}
	thief.send(fmt.Sprintf(`[34,6,%v]`, sub))
	if v := thief.recv(8); v[1] != 34.0 || v[2] != 6.0 || v[4] != string(wamp.ErrNoSuchSubscription) {
		t.Fatalf("UNSUBSCRIBE of another's subscription: got %v", v)
	}

	// Both still work for their owner.
	thief.send(`[48,7,{},"com.test.p",[]]`)
	inv := owner.recv(68)
	owner.send(fmt.Sprintf(`[70,%v,{},["ok"]]`, inv[1]))
	if v := thief.recv(50); v[3].([]any)[0] != "ok" {
		t.Fatalf("RESULT %v", v)
	}
	thief.send(`[16,8,{},"com.test.t",["hi"]]`)
	if v := owner.recv(36); v[1] != sub {
		t.Fatalf("EVENT %v", v)
	}
	// And the owner can give them up.
	owner.send(fmt.Sprintf(`[66,9,%v]`, reg))
	owner.recv(67)
	owner.send(fmt.Sprintf(`[34,10,%v]`, sub))
	owner.recv(35)
}

// TestHelloSizeCapped: a HELLO (or anything before WELCOME) over 64 KiB is
// refused; nexus kept HELLO's details, up to the message size limit, for
// the whole session.
func TestHelloSizeCapped(t *testing.T) {
	r := startRouter(t, router.Config{})
	c := dialRSJSON(t, r, 15, 0)
	c.send(`[1,"realm1",{"roles":{"caller":{}},"pad":"` + strings.Repeat("x", 64<<10) + `"}]`)
	if v := c.recv(3); v[2] != string(wamp.ErrProtocolViolation) {
		t.Fatalf("got %v, want ABORT protocol_violation", v)
	}
	c = dialRSJSON(t, r, 15, 0)
	c.join(`{"caller":{},"pad":"` + strings.Repeat("x", 60<<10) + `"}`)
}
