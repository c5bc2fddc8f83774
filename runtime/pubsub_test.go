package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	nxrouter "github.com/gammazero/nexus/v3/router"
	nxwamp "github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Users of the pub/sub realm: distinct authids and authroles for the
// black- and whitelisting options.
var pubsubUsers = []router.User{
	{AuthID: "pub-user", AuthRole: "publisher", Ticket: "pub-ticket"},
	{AuthID: "alice", AuthRole: "red", Ticket: "alice-ticket"},
	{AuthID: "bob", AuthRole: "blue", Ticket: "bob-ticket"},
}

func newPubSubRouter(t *testing.T) string {
	t.Helper()
	r := newTestRouter(t, router.Config{Realms: []router.RealmConfig{
		{Name: router.DefaultRealm, Anonymous: true, Users: pubsubUsers},
	}})
	return r.WebSocketURL()
}

// dialUser joins realm1 with ticket authentication as one of pubsubUsers.
func dialUser(t *testing.T, url, authid string, ser *wamp.Serializer) *runtime.Session {
	t.Helper()
	for _, u := range pubsubUsers {
		if u.AuthID == authid {
			return dialT(t, url, runtime.Config{Serializer: ser, Auth: runtime.Ticket(u.AuthID, u.Ticket)})
		}
	}
	t.Fatalf("no user %q", authid)
	return nil
}

func subscribeT(t *testing.T, s *runtime.Session, topic wamp.URI, h runtime.EventHandler, opts ...runtime.SubscribeOption) *runtime.Subscription {
	t.Helper()
	sub, err := s.Subscribe(testCtx(t), topic, h, opts...)
	if err != nil {
		t.Fatalf("subscribing to %s: %v", topic, err)
	}
	if sub.Topic() != topic || !sub.ID().Valid() {
		t.Fatalf("subscription topic %q ID %d", sub.Topic(), sub.ID())
	}
	return sub
}

// publishAck publishes label as the only argument and waits for the
// router's acknowledgement. Once it returns, the router has queued the
// event for every subscriber, so an event published later, by any session,
// reaches each subscriber after it.
func publishAck(t *testing.T, s *runtime.Session, topic wamp.URI, label string, opts ...runtime.PublishOption) wamp.ID {
	t.Helper()
	id, err := s.Publish(testCtx(t), topic, wamp.ArgsOf(label), wamp.Payload{}, append(opts, runtime.WithAcknowledge())...)
	if err != nil {
		t.Fatalf("publishing %q to %s: %v", label, topic, err)
	}
	if !id.Valid() {
		t.Fatalf("publishing %q: publication ID %d", label, id)
	}
	return id
}

type pubsubKwargs struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Tags  []string `json:"tags"`
}

func TestPubSub(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)

	t.Run("args-kwargs", func(t *testing.T) {
		sers := wamp.Serializers()
		for i, pubSer := range sers {
			subSer := sers[(i+1)%len(sers)]
			t.Run(pubSer.Name()+"-to-"+subSer.Name(), func(t *testing.T) {
				pub := dialT(t, url, runtime.Config{Serializer: pubSer})
				sub := dialT(t, url, runtime.Config{Serializer: subSer})
				events := newEventLog()
				const topic = "com.test.pubsub.payload"
				subscribeT(t, sub, topic, events.handler)

				blob := []byte{0, 1, 2, 0xfe, 0xff}
				args := wamp.ArgsOf(int64(-7), "two", []float64{1.5, 2.5}, blob, map[string]bool{"k": true}, nil)
				kwargs := wamp.PayloadOf(pubsubKwargs{Name: "n\u00e4me", Count: 3, Tags: []string{"a", "b"}})
				id, err := pub.Publish(testCtx(t), topic, args, kwargs, runtime.WithAcknowledge())
				if err != nil || !id.Valid() {
					t.Fatalf("Publish: id %d, %v", id, err)
				}
				ev := events.next(t)
				if ev.Topic != topic || ev.Publication != id {
					t.Errorf("topic %q publication %d, want %q %d", ev.Topic, ev.Publication, topic, id)
				}
				if ev.Publisher != 0 || ev.PublisherAuthID != "" || ev.PublisherAuthRole != "" {
					t.Errorf("publisher disclosed without being asked: %d %q %q", ev.Publisher, ev.PublisherAuthID, ev.PublisherAuthRole)
				}
				var (
					n     int
					s     string
					fs    []float64
					b     []byte
					m     map[string]bool
					null  *int
					kw    pubsubKwargs
					nargs int
				)
				vals, err := ev.Args.List()
				if err != nil {
					t.Fatal(err)
				}
				nargs = len(vals)
				decodeArg(t, ev.Args, 0, &n)
				decodeArg(t, ev.Args, 1, &s)
				decodeArg(t, ev.Args, 2, &fs)
				decodeArg(t, ev.Args, 3, &b)
				decodeArg(t, ev.Args, 4, &m)
				decodeArg(t, ev.Args, 5, &null)
				if err := ev.Kwargs.Decode(&kw); err != nil {
					t.Fatalf("kwargs: %v", err)
				}
				if nargs != 6 || n != -7 || s != "two" || !reflect.DeepEqual(fs, []float64{1.5, 2.5}) ||
					!bytes.Equal(b, blob) || !m["k"] || len(m) != 1 || null != nil {
					t.Errorf("args: %d values: %v %q %v %v %v %v", nargs, n, s, fs, b, m, null)
				}
				if !reflect.DeepEqual(kw, pubsubKwargs{Name: "n\u00e4me", Count: 3, Tags: []string{"a", "b"}}) {
					t.Errorf("kwargs: %+v", kw)
				}
				// A wrong Go type is an error, not a silent conversion.
				var wrong int
				if err := ev.Kwargs.Decode(&wrong); err == nil {
					t.Error("kwargs decoded into an int")
				}

				// Only kwargs, and no payload at all.
				if _, err := pub.Publish(testCtx(t), topic, wamp.Payload{}, wamp.PayloadOf(map[string]int{"only": 1}), runtime.WithAcknowledge()); err != nil {
					t.Fatal(err)
				}
				ev = events.next(t)
				var only map[string]int
				if err := ev.Kwargs.Decode(&only); err != nil || only["only"] != 1 {
					t.Errorf("kwargs-only event: %v %v", only, err)
				}
				if vals, err := ev.Args.List(); err != nil || len(vals) != 0 {
					t.Errorf("kwargs-only event has args %d %v", len(vals), err)
				}
				if _, err := pub.Publish(testCtx(t), topic, wamp.Payload{}, wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
					t.Fatal(err)
				}
				ev = events.next(t)
				if !ev.Args.IsZero() || !ev.Kwargs.IsZero() {
					t.Errorf("empty event has payload: args %v kwargs %v", ev.Args.Kind(), ev.Kwargs.Kind())
				}
			})
		}
	})

	t.Run("acknowledge", func(t *testing.T) {
		pub := dialT(t, url, runtime.Config{})
		const topic = "com.test.pubsub.ack"
		id1 := publishAck(t, pub, topic, "one")
		id2 := publishAck(t, pub, topic, "two")
		if id1 == id2 {
			t.Errorf("two publications share ID %d", id1)
		}
		// Without acknowledgement there is no ID to return.
		id, err := pub.Publish(testCtx(t), topic, wamp.ArgsOf("three"), wamp.Payload{})
		if err != nil || id != 0 {
			t.Errorf("unacknowledged Publish: id %d, %v", id, err)
		}
		// A topic the runtime refuses locally never reaches the router.
		if _, err := pub.Publish(testCtx(t), "com.test..empty", wamp.Payload{}, wamp.Payload{}, runtime.WithAcknowledge()); err == nil {
			t.Error("publishing to an invalid URI succeeded")
		}
	})

	t.Run("exclude-me", func(t *testing.T) {
		pub := dialT(t, url, runtime.Config{Serializer: wamp.MsgPack})
		other := dialT(t, url, runtime.Config{})
		const topic = "com.test.pubsub.excludeme"
		own, others := newEventLog(), newEventLog()
		subscribeT(t, pub, topic, own.handler)
		subscribeT(t, other, topic, others.handler)

		publishAck(t, pub, topic, "default")
		publishAck(t, pub, topic, "included", runtime.WithExcludeMe(false))
		publishAck(t, pub, topic, "excluded", runtime.WithExcludeMe(true))
		publishAck(t, other, topic, "marker")
		if got := own.nextLabel(t); got != "included" {
			t.Errorf("publisher's first own event is %q, want \"included\" (the default must exclude the publisher)", got)
		}
		if got := own.nextLabel(t); got != "marker" {
			t.Errorf("publisher's next event is %q, want the marker", got)
		}
		for _, want := range []string{"default", "included", "excluded"} {
			if got := others.nextLabel(t); got != want {
				t.Errorf("other subscriber got %q, want %q", got, want)
			}
		}
	})

	t.Run("black-white-listing", func(t *testing.T) {
		pub := dialUser(t, url, "pub-user", wamp.JSON)
		alice := dialUser(t, url, "alice", wamp.MsgPack)
		bob := dialUser(t, url, "bob", wamp.CBOR)
		const topic = "com.test.pubsub.filter"
		aliceEvents, bobEvents := newEventLog(), newEventLog()
		subscribeT(t, alice, topic, aliceEvents.handler)
		subscribeT(t, bob, topic, bobEvents.handler)

		cases := []struct {
			name       string
			opts       []runtime.PublishOption
			alice, bob bool
		}{
			{"none", nil, true, true},
			{"exclude-session", []runtime.PublishOption{runtime.WithExclude(alice.ID())}, false, true},
			{"exclude-both", []runtime.PublishOption{runtime.WithExclude(alice.ID(), bob.ID())}, false, false},
			{"eligible-session", []runtime.PublishOption{runtime.WithEligible(alice.ID())}, true, false},
			{"eligible-both", []runtime.PublishOption{runtime.WithEligible(bob.ID(), alice.ID())}, true, true},
			{"exclude-authid", []runtime.PublishOption{runtime.WithExcludeAuthID("alice")}, false, true},
			{"eligible-authid", []runtime.PublishOption{runtime.WithEligibleAuthID("alice")}, true, false},
			{"eligible-authid-unknown", []runtime.PublishOption{runtime.WithEligibleAuthID("nobody")}, false, false},
			{"exclude-authrole", []runtime.PublishOption{runtime.WithExcludeAuthRole("red")}, false, true},
			{"eligible-authrole", []runtime.PublishOption{runtime.WithEligibleAuthRole("red")}, true, false},
			{"eligible-authroles", []runtime.PublishOption{runtime.WithEligibleAuthRole("blue", "red")}, true, true},
			{"eligible-and-excluded", []runtime.PublishOption{runtime.WithEligible(alice.ID()), runtime.WithExcludeAuthID("alice")}, false, false},
			{"eligible-role-exclude-session", []runtime.PublishOption{runtime.WithEligibleAuthRole("red", "blue"), runtime.WithExclude(bob.ID())}, true, false},
		}
		for _, tc := range cases {
			publishAck(t, pub, topic, tc.name, tc.opts...)
			publishAck(t, pub, topic, "marker after "+tc.name)
			for _, rcv := range []struct {
				name   string
				events eventLog
				want   bool
			}{{"alice", aliceEvents, tc.alice}, {"bob", bobEvents, tc.bob}} {
				got := rcv.events.nextLabel(t)
				if rcv.want {
					if got != tc.name {
						t.Errorf("%s: %s got %q, want the event", tc.name, rcv.name, got)
						continue
					}
					got = rcv.events.nextLabel(t)
				}
				if got != "marker after "+tc.name {
					t.Errorf("%s: %s got %q, want the marker (delivered: %v)", tc.name, rcv.name, got, rcv.want)
				}
			}
		}
	})

	t.Run("publisher-disclosed", func(t *testing.T) {
		pub := dialUser(t, url, "pub-user", wamp.CBOR)
		sub := dialT(t, url, runtime.Config{})
		const topic = "com.test.pubsub.disclose"
		events := newEventLog()
		subscribeT(t, sub, topic, events.handler)

		publishAck(t, pub, topic, "disclosed", runtime.WithPublisherDisclosed())
		ev := events.next(t)
		if ev.Publisher != pub.ID() || ev.PublisherAuthID != "pub-user" || ev.PublisherAuthRole != "publisher" {
			t.Errorf("disclosed publisher: %d %q %q, want %d \"pub-user\" \"publisher\"", ev.Publisher, ev.PublisherAuthID, ev.PublisherAuthRole, pub.ID())
		}
		publishAck(t, pub, topic, "anonymous")
		ev = events.next(t)
		if ev.Publisher != 0 || ev.PublisherAuthID != "" || ev.PublisherAuthRole != "" {
			t.Errorf("undisclosed publisher: %d %q %q", ev.Publisher, ev.PublisherAuthID, ev.PublisherAuthRole)
		}
	})

	t.Run("pattern", func(t *testing.T) {
		// No publication here matches more than one pattern subscription:
		// nexus v3.3.0 then shares one EVENT.Details map between the events
		// and writes "topic" into it while the first event is being
		// serialized (a data race in broker.prepareEvent). The same holds
		// for disclose_me with several subscribers.
		pub := dialT(t, url, runtime.Config{})
		sub := dialT(t, url, runtime.Config{Serializer: wamp.MsgPack})
		// One log per subscription: the events of different
		// subscriptions are handled in no particular order.
		pfxEvents, wcEvents := newEventLog(), newEventLog()
		pfx := subscribeT(t, sub, "com.test.pfx", pfxEvents.handler, runtime.WithTopicMatch(wamp.MatchPrefix))
		wc := subscribeT(t, sub, "com.test..wc", wcEvents.handler, runtime.WithTopicMatch(wamp.MatchWildcard))
		if pfx.ID() == wc.ID() {
			t.Fatal("prefix and wildcard subscriptions share an ID")
		}

		publishAck(t, pub, "com.test.pfx.a.b", "prefix")
		publishAck(t, pub, "com.test.x.wc", "wildcard")
		publishAck(t, pub, "com.test.other", "no match")
		publishAck(t, pub, "com.test.x.wc.y", "no match either")
		publishAck(t, pub, "com.test.pfxmarker", "marker") // prefix matching is by string, not by component
		publishAck(t, pub, "com.test.y.wc", "wildcard marker")

		for _, want := range []struct {
			events       eventLog
			label, topic string
		}{
			{pfxEvents, "prefix", "com.test.pfx.a.b"},
			{pfxEvents, "marker", "com.test.pfxmarker"},
			{wcEvents, "wildcard", "com.test.x.wc"},
			{wcEvents, "wildcard marker", "com.test.y.wc"},
		} {
			ev := want.events.next(t)
			if got := argString(t, ev.Args, 0); got != want.label || ev.Topic != wamp.URI(want.topic) {
				t.Errorf("got %q on %q, want %q on %q", got, ev.Topic, want.label, want.topic)
			}
		}
	})

	t.Run("unsubscribe", func(t *testing.T) {
		pub := dialT(t, url, runtime.Config{})
		sub := dialT(t, url, runtime.Config{Serializer: wamp.CBOR})
		events := newEventLog()
		s1 := subscribeT(t, sub, "com.test.unsub", events.handler)
		subscribeT(t, sub, "com.test.unsub.marker", events.handler)

		publishAck(t, pub, "com.test.unsub", "before")
		if got := events.nextLabel(t); got != "before" {
			t.Fatalf("got %q", got)
		}
		if err := s1.Unsubscribe(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		publishAck(t, pub, "com.test.unsub", "after")
		publishAck(t, pub, "com.test.unsub.marker", "marker")
		if got := events.nextLabel(t); got != "marker" {
			t.Errorf("got %q after Unsubscribe, want the marker", got)
		}
		if err := s1.Unsubscribe(testCtx(t)); !errors.Is(err, runtime.ErrNoSuchSubscription) {
			t.Errorf("second Unsubscribe: %v, want ErrNoSuchSubscription", err)
		}
	})

	t.Run("order", func(t *testing.T) {
		// 200 stays below the router's per-connection send queue (256):
		// nexus drops events for a subscriber whose queue is full.
		const n = 200
		pub := dialT(t, url, runtime.Config{Serializer: wamp.CBOR})
		sub := dialT(t, url, runtime.Config{Serializer: wamp.JSON})
		events := newEventLog()
		const topic = "com.test.pubsub.order"
		subscribeT(t, sub, topic, events.handler)
		for i := range n {
			if _, err := pub.Publish(testCtx(t), topic, wamp.ArgsOf(i), wamp.Payload{}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range n {
			ev := events.next(t)
			var got int
			decodeArg(t, ev.Args, 0, &got)
			if got != i {
				t.Fatalf("event %d carries %d: out of order", i, got)
			}
		}
	})

	t.Run("panicking-handler", func(t *testing.T) {
		pub := dialT(t, url, runtime.Config{})
		sub := dialT(t, url, runtime.Config{})
		events := newEventLog()
		const topic = "com.test.pubsub.panic"
		subscribeT(t, sub, topic, func(_ context.Context, ev *runtime.Event) error {
			// Handlers run on the session's goroutine: no t.Fatal here.
			var label string
			if err := firstArg(ev.Args, &label); err != nil || label == "boom" {
				panic("handler failure")
			}
			events <- ev
			return nil
		})
		publishAck(t, pub, topic, "boom")
		publishAck(t, pub, topic, "after")
		if got := events.nextLabel(t); got != "after" {
			t.Errorf("got %q, want \"after\"", got)
		}
		if err := sub.Err(); err != nil {
			t.Fatalf("session ended: %v", err)
		}
		// The session still does everything else.
		other := newEventLog()
		subscribeT(t, sub, "com.test.pubsub.panic2", other.handler)
		publishAck(t, sub, "com.test.pubsub.panic2", "own", runtime.WithExcludeMe(false))
		if got := other.nextLabel(t); got != "own" {
			t.Errorf("got %q", got)
		}
	})

	t.Run("close-from-handler", func(t *testing.T) {
		// Close called by an event handler used to wait for the event
		// goroutine, which was running that very handler: it never returned.
		pub := dialT(t, url, runtime.Config{})
		sub, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: router.DefaultRealm})
		if err != nil {
			t.Fatal(err)
		}
		closed := make(chan error, 1)
		subscribeT(t, sub, "com.test.pubsub.closer", func(context.Context, *runtime.Event) error { closed <- sub.Close(); return nil })
		publishAck(t, pub, "com.test.pubsub.closer", "close now")
		if err := recvT(t, closed, "Close called by an event handler to return"); err != nil {
			t.Errorf("Close from a handler: %v", err)
		}
		recvT(t, sub.Done(), "the session to end")
		if err := sub.Err(); !errors.Is(err, runtime.ErrSessionClosed) {
			t.Errorf("Err after Close: %v", err)
		}
		// Close from outside still waits, and is idempotent.
		if err := sub.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})

	t.Run("closed-session", func(t *testing.T) {
		s, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: router.DefaultRealm})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(testCtx(t), "com.test.closed", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrSessionClosed) {
			t.Errorf("Publish after Close: %v", err)
		}
		if _, err := s.Publish(testCtx(t), "com.test.closed", wamp.Payload{}, wamp.Payload{}, runtime.WithAcknowledge()); !errors.Is(err, runtime.ErrSessionClosed) {
			t.Errorf("acknowledged Publish after Close: %v", err)
		}
		if _, err := s.Subscribe(testCtx(t), "com.test.closed", func(context.Context, *runtime.Event) error { return nil }); !errors.Is(err, runtime.ErrSessionClosed) {
			t.Errorf("Subscribe after Close: %v", err)
		}
	})
}

// TestPublishErrors runs a bare nexus router with an authorizer and strict
// URIs, which the embedded router does not offer, to see the broker answer
// an acknowledged PUBLISH with ERROR.
func TestPublishErrors(t *testing.T) {
	checkNoLeakedGoroutines(t)
	nx, err := nxrouter.NewRouter(&nxrouter.Config{RealmConfigs: []*nxrouter.RealmConfig{{
		URI:           "realm1",
		AnonymousAuth: true,
		StrictURI:     true,
		Authorizer:    topicAuthorizer{},
	}}}, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(nxrouter.NewWebsocketServer(nx))
	t.Cleanup(srv.Close)
	t.Cleanup(nx.Close)
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	for _, ser := range wamp.Serializers() {
		t.Run(ser.Name(), func(t *testing.T) {
			pub := dialT(t, url, runtime.Config{Serializer: ser})
			sub := dialT(t, url, runtime.Config{Serializer: ser})
			events := newEventLog()
			subscribeT(t, sub, "com.test.allowed", events.handler)

			for _, tc := range []struct {
				topic    wamp.URI
				sentinel error
				uri      wamp.URI
			}{
				{"com.test.forbidden", runtime.ErrNotAuthorized, wamp.ErrNotAuthorized},
				{"com.test.broken", runtime.ErrAuthorizationFailed, wamp.ErrAuthorizationFailed},
				{"com.test.Not_Strict", runtime.ErrInvalidURI, wamp.ErrInvalidURI},
			} {
				id, err := pub.Publish(testCtx(t), tc.topic, wamp.ArgsOf("x"), wamp.Payload{}, runtime.WithAcknowledge())
				if !errors.Is(err, tc.sentinel) || id != 0 {
					t.Errorf("%s: id %d, error %v; want %s", tc.topic, id, err, tc.uri)
					continue
				}
				var we *runtime.Error
				if !errors.As(err, &we) || we.URI != tc.uri {
					t.Errorf("%s: %v is not a *runtime.Error with URI %s", tc.topic, err, tc.uri)
				}
				if !strings.Contains(err.Error(), string(tc.topic)) {
					t.Errorf("%s: error %q does not name the topic", tc.topic, err)
				}
				t.Logf("%s: %v", tc.topic, err)
				// The same through PublishEvent, as generated publishers
				// call it.
				err = runtime.PublishEvent(testCtx(t), pub, tc.topic, wamp.ArgsOf("x"), wamp.Payload{}, runtime.WithAcknowledge())
				if !errors.Is(err, tc.sentinel) || !errors.As(err, &we) || we.URI != tc.uri || !strings.Contains(err.Error(), string(tc.topic)) {
					t.Errorf("%s: PublishEvent error %v; want an *Error with URI %s naming the topic", tc.topic, err, tc.uri)
				}
				// Without acknowledgement the broker stays silent.
				if _, err := pub.Publish(testCtx(t), tc.topic, wamp.ArgsOf("x"), wamp.Payload{}); err != nil {
					t.Errorf("%s unacknowledged: %v", tc.topic, err)
				}
			}
			// The session is still usable.
			publishAck(t, pub, "com.test.allowed", "fine")
			if got := events.nextLabel(t); got != "fine" {
				t.Errorf("got %q", got)
			}
		})
	}
}

// topicAuthorizer refuses PUBLISH to com.test.forbidden and fails to decide
// for com.test.broken.
type topicAuthorizer struct{}

func (topicAuthorizer) Authorize(_ *nxwamp.Session, msg nxwamp.Message) (bool, error) {
	if p, ok := msg.(*nxwamp.Publish); ok {
		switch p.Topic {
		case "com.test.forbidden":
			return false, nil
		case "com.test.broken":
			return false, fmt.Errorf("authorizer unavailable")
		}
	}
	return true, nil
}

var _ nxrouter.Authorizer = topicAuthorizer{}

// TestEventRightAfterSubscribed: an EVENT the router sends right after
// SUBSCRIBED must reach the new subscription's handler. (The runtime used
// to add the subscription only when Subscribe's goroutine woke up, so the
// read loop dropped such events as "for no active subscription".)
func TestEventRightAfterSubscribed(t *testing.T) {
	checkNoLeakedGoroutines(t)
	var firstSub wamp.ID
	url := startFakeRouter(t, func(msg wamp.Message, send func(wamp.Message)) {
		switch m := msg.(type) {
		case *wamp.Subscribe:
			sub := 1000 + m.Request
			if firstSub == 0 {
				firstSub = sub
			}
			send(&wamp.Subscribed{Request: m.Request, Subscription: sub})
			send(&wamp.Event{Subscription: sub, Publication: sub, Details: wamp.Dict{}, Args: wamp.ArgsOf("early " + string(m.Topic))})
		case *wamp.Publish:
			send(&wamp.Event{Subscription: firstSub, Publication: 1, Details: wamp.Dict{}, Args: m.Args})
			send(&wamp.Published{Request: m.Request, Publication: 1})
		}
	})
	s := dialT(t, url, runtime.Config{})
	const n = 50
	// One log per subscription: the events of different subscriptions are
	// handled in no particular order.
	events := make([]eventLog, n)
	for i := range n {
		events[i] = make(eventLog, 2)
		subscribeT(t, s, wamp.URI(fmt.Sprintf("com.test.early.t%d", i)), events[i].handler)
	}
	publishAck(t, s, "com.test.early.t0", "marker")
	for i := range n {
		want := fmt.Sprintf("early com.test.early.t%d", i)
		if got := events[i].nextLabel(t); got != want {
			t.Fatalf("got %q, want %q: the event sent right after SUBSCRIBED was lost", got, want)
		}
	}
	if got := events[0].nextLabel(t); got != "marker" {
		t.Fatalf("got %q, want the marker", got)
	}
}
