package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// The delivery of events to handlers: order, bounds, contexts, counting
// (see delivery.go).

// syncBuffer is a bytes.Buffer safe for the session's goroutines to log
// into while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// lines returns the number of log lines that contain s.
func (b *syncBuffer) lines(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for line := range strings.Lines(b.b.String()) {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

func (b *syncBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// labelOf decodes the first argument of ev as a string, or says why not.
func labelOf(ev *runtime.Event) string {
	var s string
	if err := firstArg(ev.Args, &s); err != nil {
		return fmt.Sprintf("(undecodable: %v)", err)
	}
	return s
}

// TestEventOrderUnderLoad: several subscriptions of one session, each fed
// by its own publisher at the same time; each handler sees its events in
// publication order, every one of them.
func TestEventOrderUnderLoad(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)
	sub := dialT(t, url, runtime.Config{Serializer: wamp.MsgPack})
	const topics, n = 4, 300
	got := make([]chan int, topics)
	subs := make([]*runtime.Subscription, topics)
	for i := range topics {
		got[i] = make(chan int, n)
		subs[i] = subscribeT(t, sub, wamp.URI(fmt.Sprintf("com.test.order.t%d", i)), func(_ context.Context, ev *runtime.Event) error {
			var v int
			if err := firstArg(ev.Args, &v); err != nil {
				return err
			}
			if v%7 == 0 {
				goruntime.Gosched() // let the queue fill and drain unevenly
			}
			got[i] <- v
			return nil
		})
	}
	var wg sync.WaitGroup
	errs := make(chan error, topics)
	for i := range topics {
		pub := dialT(t, url, runtime.Config{Serializer: wamp.Serializers()[i%3]})
		wg.Go(func() {
			topic := wamp.URI(fmt.Sprintf("com.test.order.t%d", i))
			for v := range n {
				// Acknowledged: the router's queue for the subscriber
				// never fills, so it drops nothing.
				if _, err := pub.Publish(testCtx(t), topic, wamp.ArgsOf(v), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := range topics {
		for want := range n {
			if v := recvT(t, got[i], "an event"); v != want {
				t.Fatalf("topic %d: event %d carries %d: out of order", i, want, v)
			}
		}
	}
	if err := sub.Close(); err != nil { // waits for the handlers: Stats are final
		t.Fatal(err)
	}
	for i, s := range subs {
		if st := s.Stats(); st != (runtime.SubscriptionStats{Delivered: n}) {
			t.Errorf("topic %d: stats %+v, want %d delivered", i, st, n)
		}
	}
}

// TestSlowHandlerDelaysOnlyItsSubscription: a handler that blocks holds up
// neither another subscription of the session nor a call it makes.
func TestSlowHandlerDelaysOnlyItsSubscription(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)
	sess := dialT(t, url, runtime.Config{})
	pub := dialT(t, url, runtime.Config{})
	callee := dialT(t, url, runtime.Config{})
	rpcRegister(t, callee, "com.test.slow.echo", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	})

	entered := make(chan string, 4)
	release := make(chan struct{})
	subscribeT(t, sess, "com.test.slow.blocked", func(_ context.Context, ev *runtime.Event) error {
		entered <- labelOf(ev)
		<-release
		return nil
	})
	fast := newEventLog()
	subscribeT(t, sess, "com.test.slow.fast", fast.handler)
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()

	publishAck(t, pub, "com.test.slow.blocked", "b1")
	if got := recvT(t, entered, "the slow handler"); got != "b1" {
		t.Fatalf("slow handler got %q", got)
	}
	publishAck(t, pub, "com.test.slow.blocked", "b2") // queued behind b1
	publishAck(t, pub, "com.test.slow.fast", "f1")
	if got := fast.nextLabel(t); got != "f1" {
		t.Errorf("fast subscription got %q, want f1", got)
	}
	res, err := sess.Call(testCtx(t), "com.test.slow.echo", wamp.ArgsOf("ping"), wamp.Payload{})
	if err != nil {
		t.Fatalf("a call while a handler blocks: %v", err)
	}
	if got := argString(t, res.Args, 0); got != "ping" {
		t.Errorf("call returned %q", got)
	}
	close(release)
	released = true
	if got := recvT(t, entered, "the slow handler's second event"); got != "b2" {
		t.Errorf("slow handler's second event %q, want b2", got)
	}
}

// TestEventQueueBound floods a subscription whose handler blocks: the
// queue keeps as many events as its bound allows, drops the newest ones
// (counted, logged in aggregate), the session goes on, and delivery
// resumes once the handler does.
func TestEventQueueBound(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)

	t.Run("events", func(t *testing.T) {
		var logs syncBuffer
		sess := dialT(t, url, runtime.Config{Logger: logs.logger()})
		pub := dialT(t, url, runtime.Config{})
		const topic, marker = "com.test.bound.events", "com.test.bound.marker"
		const bound, flood = 4, 100

		handled := make(chan string, flood+10)
		release := make(chan struct{})
		slow := subscribeT(t, sess, topic, func(_ context.Context, ev *runtime.Event) error {
			handled <- labelOf(ev)
			<-release
			return nil
		}, runtime.WithEventQueue(bound))
		// A second subscription to the same topic, with room for all,
		// sees every event the session received.
		all := make(eventLog, flood+10)
		subscribeT(t, sess, topic, all.handler)
		markers := newEventLog()
		subscribeT(t, sess, marker, markers.handler)
		released := false
		defer func() {
			if !released {
				close(release)
			}
		}()

		publishAck(t, pub, topic, "first")
		if got := recvT(t, handled, "the blocked handler"); got != "first" {
			t.Fatalf("got %q", got)
		}
		for i := range flood {
			publishAck(t, pub, topic, fmt.Sprintf("e%d", i))
		}
		// The session received every event (the other subscription saw
		// them all), and then the marker: the read loop has queued or
		// dropped each one for the blocked subscription by then.
		if got := all.nextLabel(t); got != "first" {
			t.Fatalf("got %q", got)
		}
		for i := range flood {
			if got, want := all.nextLabel(t), fmt.Sprintf("e%d", i); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		}
		publishAck(t, pub, marker, "marker")
		markers.next(t)
		if st := slow.Stats(); st.Dropped != flood-bound || st.Delivered != 0 {
			t.Errorf("while blocked: stats %+v, want %d dropped (the queue holds %d)", st, flood-bound, bound)
		}
		// The session still works both ways meanwhile.
		publishAck(t, sess, marker, "own", runtime.WithExcludeMe(false))
		if got := markers.nextLabel(t); got != "own" {
			t.Errorf("got %q", got)
		}

		close(release)
		released = true
		// The queued events are the oldest ones, in order: the newest
		// were dropped.
		for i := range bound {
			if got, want := recvT(t, handled, "a queued event"), fmt.Sprintf("e%d", i); got != want {
				t.Errorf("queued event %d is %q, want %q", i, got, want)
			}
		}
		publishAck(t, pub, topic, "later")
		if got := recvT(t, handled, "delivery to resume"); got != "later" {
			t.Errorf("after the flood the handler got %q, want \"later\" (only %d events fit the queue)", got, bound)
		}
		if err := sess.Close(); err != nil {
			t.Fatal(err)
		}
		if st := slow.Stats(); st != (runtime.SubscriptionStats{Delivered: bound + 2, Dropped: flood - bound}) {
			t.Errorf("stats %+v, want %d delivered, %d dropped", st, bound+2, flood-bound)
		}
		// Logged, but not once per dropped event.
		if n := logs.lines("dropped events"); n < 1 || n >= flood-bound {
			t.Errorf("%d log lines about %d dropped events, want at least one and fewer than one per event", n, flood-bound)
		}
	})

	t.Run("bytes", func(t *testing.T) {
		const maxBytes, payload, flood = 4 << 10, 1 << 10, 40
		sess := dialT(t, url, runtime.Config{EventQueueBytes: maxBytes})
		pub := dialT(t, url, runtime.Config{})
		const topic, marker = "com.test.bound.bytes", "com.test.bound.bytes.marker"
		handled := make(chan string, flood+10)
		release := make(chan struct{})
		slow := subscribeT(t, sess, topic, func(_ context.Context, ev *runtime.Event) error {
			handled <- labelOf(ev)
			<-release
			return nil
		})
		markers := newEventLog()
		subscribeT(t, sess, marker, markers.handler)
		released := false
		defer func() {
			if !released {
				close(release)
			}
		}()
		pad := strings.Repeat("x", payload)
		publishAck(t, pub, topic, "first")
		recvT(t, handled, "the blocked handler")
		for i := range flood {
			publishAck(t, pub, topic, fmt.Sprintf("e%d %s", i, pad))
		}
		publishAck(t, pub, marker, "marker")
		markers.next(t)
		// Each event takes more than payload bytes: fewer than
		// maxBytes/payload fit, far fewer than the event bound (1024).
		st := slow.Stats()
		if queued := flood - int(st.Dropped); queued < 1 || queued > maxBytes/payload {
			t.Errorf("%d of %d events of %d bytes queued under a %d-byte bound (stats %+v)", queued, flood, payload, maxBytes, st)
		}
		close(release)
		released = true
		queued := flood - int(st.Dropped)
		for i := range queued {
			if got := recvT(t, handled, "a queued event"); !strings.HasPrefix(got, fmt.Sprintf("e%d ", i)) {
				t.Errorf("queued event %d is %.10q…", i, got)
			}
		}
		publishAck(t, pub, topic, "later")
		if got := recvT(t, handled, "delivery to resume"); got != "later" {
			t.Errorf("got %.10q…, want \"later\"", got)
		}
	})

	t.Run("refused", func(t *testing.T) {
		sess := dialT(t, url, runtime.Config{})
		for _, n := range []int{0, -1} {
			if _, err := sess.Subscribe(testCtx(t), "com.test.bound.refused", func(context.Context, *runtime.Event) error { return nil }, runtime.WithEventQueue(n)); err == nil {
				t.Errorf("WithEventQueue(%d) accepted", n)
			}
		}
	})
}

// TestEventHandlerContext: a handler's context is cancelled when its
// subscription ends (unsubscribed, revoked) or the session closes, and the
// events still queued are dropped.
func TestEventHandlerContext(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)

	// waiter subscribes a handler that reports each event and then waits
	// for its context to end, reporting why (context.Cause), which it
	// returns: that is no failure.
	type waiter struct {
		entered chan string
		ended   chan error
	}
	newWaiter := func() *waiter { return &waiter{entered: make(chan string, 10), ended: make(chan error, 10)} }
	handler := func(w *waiter) runtime.EventHandler {
		return func(ctx context.Context, ev *runtime.Event) error {
			w.entered <- labelOf(ev)
			<-ctx.Done()
			w.ended <- context.Cause(ctx)
			return context.Cause(ctx)
		}
	}

	t.Run("unsubscribe", func(t *testing.T) {
		sess, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: "realm1"})
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		pub := dialT(t, url, runtime.Config{})
		w := newWaiter()
		sub := subscribeT(t, sess, "com.test.ctx.unsub", handler(w))
		publishAck(t, pub, "com.test.ctx.unsub", "one")
		publishAck(t, pub, "com.test.ctx.unsub", "two") // queued
		if got := recvT(t, w.entered, "the handler"); got != "one" {
			t.Fatalf("got %q", got)
		}
		if err := sub.Unsubscribe(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if err := recvT(t, w.ended, "the handler's context to end"); !errors.Is(err, context.Canceled) || !strings.Contains(errorText(err), "unsubscribed from com.test.ctx.unsub") {
			t.Errorf("handler context ended with %v, want context.Canceled saying it was unsubscribed", err)
		}
		if err := sess.Close(); err != nil { // waits for the handler to return
			t.Fatal(err)
		}
		select {
		case got := <-w.entered:
			t.Errorf("the event %q queued when the subscription ended was handled", got)
		default:
		}
		if st := sub.Stats(); st != (runtime.SubscriptionStats{}) {
			t.Errorf("stats %+v: a handler stopped by its context is no failure, and dropped queued events are not counted", st)
		}
	})

	t.Run("unsubscribe-from-handler", func(t *testing.T) {
		sess := dialT(t, url, runtime.Config{})
		pub := dialT(t, url, runtime.Config{})
		type outcome struct{ unsubErr, ctxErr error }
		got := make(chan outcome, 1)
		var sub *runtime.Subscription
		subscribed := make(chan struct{})
		sub = subscribeT(t, sess, "com.test.ctx.self", func(ctx context.Context, ev *runtime.Event) error {
			<-subscribed
			err := sub.Unsubscribe(ctx) // no deadlock: it waits for the router, not for handlers
			got <- outcome{err, context.Cause(ctx)}
			return nil
		})
		close(subscribed)
		publishAck(t, pub, "com.test.ctx.self", "one")
		o := recvT(t, got, "the handler to unsubscribe itself")
		if o.unsubErr != nil || !errors.Is(o.ctxErr, context.Canceled) {
			t.Errorf("Unsubscribe from the handler: %v; its context after: %v", o.unsubErr, o.ctxErr)
		}
	})

	t.Run("close", func(t *testing.T) {
		sess, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: "realm1"})
		if err != nil {
			t.Fatal(err)
		}
		pub := dialT(t, url, runtime.Config{})
		w := newWaiter()
		subscribeT(t, sess, "com.test.ctx.close", handler(w))
		publishAck(t, pub, "com.test.ctx.close", "one")
		recvT(t, w.entered, "the handler")
		// Close cancels the context, and then waits for the handler,
		// which returns: Close reports no handler still running.
		if err := sess.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		select {
		case err := <-w.ended:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("handler context ended with %v", err)
			}
		default:
			t.Error("Close returned before the handler it cancelled did")
		}
	})

	t.Run("close-from-handler-waits-for-others", func(t *testing.T) {
		sess, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: "realm1"})
		if err != nil {
			t.Fatal(err)
		}
		pub := dialT(t, url, runtime.Config{})
		w := newWaiter()
		subscribeT(t, sess, "com.test.ctx.other", handler(w))
		closed := make(chan error, 1)
		otherEnded := make(chan bool, 1)
		subscribeT(t, sess, "com.test.ctx.closer", func(context.Context, *runtime.Event) error {
			err := sess.Close()
			// Close waited for the other handler, not for this one.
			select {
			case <-w.ended:
				otherEnded <- true
			default:
				otherEnded <- false
			}
			closed <- err
			return nil
		})
		publishAck(t, pub, "com.test.ctx.other", "one")
		recvT(t, w.entered, "the other handler")
		publishAck(t, pub, "com.test.ctx.closer", "close")
		if err := recvT(t, closed, "Close called by a handler"); err != nil {
			t.Errorf("Close from a handler: %v", err)
		}
		if !<-otherEnded {
			t.Error("Close called by a handler returned before the other running handler did")
		}
	})

	t.Run("revoked", func(t *testing.T) {
		// The router revokes the subscription when the client publishes.
		var subID wamp.ID
		url := startFakeRouter(t, func(msg wamp.Message, send func(wamp.Message)) {
			switch m := msg.(type) {
			case *wamp.Subscribe:
				subID = 1000 + m.Request
				send(&wamp.Subscribed{Request: m.Request, Subscription: subID})
				send(&wamp.Event{Subscription: subID, Publication: 1, Details: wamp.Dict{}, Args: wamp.ArgsOf("one")})
			case *wamp.Publish:
				send(&wamp.Unsubscribed{Request: 0, Details: wamp.Dict{"subscription": subID, "reason": "test"}})
				send(&wamp.Published{Request: m.Request, Publication: 2})
			}
		})
		sess := dialT(t, url, runtime.Config{})
		w := newWaiter()
		subscribeT(t, sess, "com.test.ctx.revoked", handler(w))
		recvT(t, w.entered, "the handler")
		publishAck(t, sess, "com.test.ctx.revoke", "revoke now")
		if err := recvT(t, w.ended, "the handler's context to end"); !errors.Is(err, context.Canceled) || !strings.Contains(errorText(err), `revoked the subscription to com.test.ctx.revoked (reason "test")`) {
			t.Errorf("handler context ended with %v, want context.Canceled saying the router revoked it", err)
		}
	})
}

// TestEventFromContext: the handler's context carries the event: its
// concrete topic for pattern subscriptions, its publication, and the
// publisher when disclosed.
func TestEventFromContext(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)
	pub := dialUser(t, url, "pub-user", wamp.MsgPack)
	sub := dialT(t, url, runtime.Config{Serializer: wamp.CBOR})

	if _, ok := runtime.EventFromContext(context.Background()); ok {
		t.Error("EventFromContext found an event in a plain context")
	}
	type seen struct {
		param, fromCtx *runtime.Event
		ok             bool
	}
	seenCh := make(chan seen, 10)
	record := func(ctx context.Context, ev *runtime.Event) error {
		fromCtx, ok := runtime.EventFromContext(ctx)
		seenCh <- seen{ev, fromCtx, ok}
		return nil
	}
	// As in TestPubSub/pattern: no publication matches two pattern
	// subscriptions (a data race in nexus otherwise).
	subscribeT(t, sub, "com.test.efc.exact", record)
	subscribeT(t, sub, "com.test.efc.pfx", record, runtime.WithTopicMatch(runtime.MatchPrefix))
	subscribeT(t, sub, "com.test.efc..wc", record, runtime.WithTopicMatch(runtime.MatchWildcard))

	details := pub.Details()
	authid, _ := wamp.DictString(details, wamp.KeyAuthID)
	authrole, _ := wamp.DictString(details, wamp.KeyAuthRole)
	if authid != "pub-user" || authrole != "publisher" {
		t.Fatalf("publisher joined as %q/%q", authid, authrole)
	}
	for _, tc := range []struct {
		name     string
		topic    wamp.URI
		disclose bool
	}{
		{"exact-disclosed", "com.test.efc.exact", true},
		{"exact-anonymous", "com.test.efc.exact", false},
		{"prefix", "com.test.efc.pfx.kitchen.temp", true},
		{"wildcard", "com.test.efc.x.wc", true},
	} {
		var opts []runtime.PublishOption
		if tc.disclose {
			opts = append(opts, runtime.WithPublisherDisclosed())
		}
		id := publishAck(t, pub, tc.topic, tc.name, opts...)
		s := recvT(t, seenCh, "the event of "+tc.name)
		if !s.ok || s.fromCtx != s.param {
			t.Errorf("%s: EventFromContext returned %p, %v; the handler got %p", tc.name, s.fromCtx, s.ok, s.param)
			continue
		}
		ev := s.fromCtx
		if ev.Topic != tc.topic || ev.Publication != id || labelOf(ev) != tc.name {
			t.Errorf("%s: topic %q publication %d label %q; want %q %d", tc.name, ev.Topic, ev.Publication, labelOf(ev), tc.topic, id)
		}
		want := [3]any{wamp.ID(0), "", ""}
		if tc.disclose {
			want = [3]any{pub.ID(), authid, authrole}
		}
		if got := [3]any{ev.Publisher, ev.PublisherAuthID, ev.PublisherAuthRole}; got != want {
			t.Errorf("%s: publisher %v, want %v", tc.name, got, want)
		}
	}
}

// TestPublishEvent: PublishEvent applies the per-call options of the
// context after the given ones, and its errors name the topic; a router's
// refusal of an acknowledged publication is an *Error.
func TestPublishEvent(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)
	pub := dialUser(t, url, "pub-user", wamp.JSON)
	alice := dialUser(t, url, "alice", wamp.MsgPack)
	bob := dialUser(t, url, "bob", wamp.CBOR)
	const topic = "com.test.publishevent"
	aliceEvents, bobEvents, ownEvents := newEventLog(), newEventLog(), newEventLog()
	subscribeT(t, alice, topic, aliceEvents.handler)
	subscribeT(t, bob, topic, bobEvents.handler)
	subscribeT(t, pub, topic, ownEvents.handler)

	ctx := testCtx(t)
	for _, tc := range []struct {
		name            string
		ctx             context.Context
		opts            []runtime.PublishOption
		alice, bob, own bool
	}{
		{"plain", ctx, nil, true, true, false},
		{"exclude-bob", runtime.WithPublishOptions(ctx, runtime.WithExclude(bob.ID())), nil, true, false, false},
		{"eligible-bob", runtime.WithPublishOptions(ctx, runtime.WithEligible(bob.ID())), nil, false, true, false},
		// Nested: both apply.
		{"eligible-both-exclude-alice", runtime.WithPublishOptions(runtime.WithPublishOptions(ctx, runtime.WithEligible(alice.ID(), bob.ID())), runtime.WithExclude(alice.ID())), nil, false, true, false},
		// Per-call options come last, so they win over the given ones.
		{"per-call-wins", runtime.WithPublishOptions(ctx, runtime.WithExcludeMe(false)), []runtime.PublishOption{runtime.WithExcludeMe(true)}, true, true, true},
	} {
		opts := append(tc.opts, runtime.WithAcknowledge())
		if err := runtime.PublishEvent(tc.ctx, pub, topic, wamp.ArgsOf(tc.name), wamp.Payload{}, opts...); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		publishAck(t, pub, topic, "marker after "+tc.name, runtime.WithExcludeMe(false))
		for _, rcv := range []struct {
			name   string
			events eventLog
			want   bool
		}{{"alice", aliceEvents, tc.alice}, {"bob", bobEvents, tc.bob}, {"publisher", ownEvents, tc.own}} {
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

	// An error of the session names the topic once.
	err := runtime.PublishEvent(ctx, pub, "com.test..invalid", wamp.Payload{}, wamp.Payload{})
	if err == nil || strings.Count(err.Error(), "com.test..invalid") != 1 {
		t.Errorf("publishing to an invalid topic: %v", err)
	}
	// Another Publisher's error is wrapped with the topic.
	boom := errors.New("boom")
	err = runtime.PublishEvent(ctx, failingPublisher{boom}, topic, wamp.Payload{}, wamp.Payload{})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), topic) {
		t.Errorf("fake publisher's error: %v", err)
	}
}

type failingPublisher struct{ err error }

func (p failingPublisher) Publish(context.Context, wamp.URI, wamp.Payload, wamp.Payload, ...runtime.PublishOption) (wamp.ID, error) {
	return 0, p.err
}

func TestResolveTopicURI(t *testing.T) {
	bg := context.Background()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		pattern wamp.URI
		match   runtime.Match
		want    wamp.URI // "" for an ErrInvalidURI
	}{
		{"exact-unset", bg, "com.a.b", runtime.MatchExact, "com.a.b"},
		{"exact-same", runtime.WithTopicURI(bg, "com.a.b"), "com.a.b", runtime.MatchExact, "com.a.b"},
		{"exact-other", runtime.WithTopicURI(bg, "com.a.c"), "com.a.b", runtime.MatchExact, ""},
		{"prefix-unset", bg, "com.a", runtime.MatchPrefix, "com.a"},
		{"prefix-set", runtime.WithTopicURI(bg, "com.a.b.c"), "com.a", runtime.MatchPrefix, "com.a.b.c"},
		{"prefix-mismatch", runtime.WithTopicURI(bg, "com.b.c"), "com.a", runtime.MatchPrefix, ""},
		{"wildcard-unset", bg, "com..b", runtime.MatchWildcard, ""},
		{"wildcard-set", runtime.WithTopicURI(bg, "com.x.b"), "com..b", runtime.MatchWildcard, "com.x.b"},
		{"wildcard-too-long", runtime.WithTopicURI(bg, "com.x.b.c"), "com..b", runtime.MatchWildcard, ""},
		{"invalid-uri", runtime.WithTopicURI(bg, "com.a..b"), "com.a", runtime.MatchPrefix, ""},
		// A procedure's URI is not a topic's.
		{"procedure-uri-ignored", runtime.WithProcedureURI(bg, "com.a.proc"), "com.a", runtime.MatchPrefix, "com.a"},
	} {
		got, err := runtime.ResolveTopicURI(tc.ctx, tc.pattern, tc.match)
		if tc.want == "" {
			var we *runtime.Error
			if !errors.Is(err, runtime.ErrInvalidURI) || !errors.As(err, &we) || got != "" {
				t.Errorf("%s: %q, %v; want an *Error matching ErrInvalidURI", tc.name, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := runtime.ResolveTopicURI(bg, "com.a", "regexp"); err == nil {
		t.Error("an unknown match policy was accepted")
	}
	// Procedures keep their rule: a wildcard pattern with no URI set is
	// returned as it is.
	if got, err := runtime.ResolveProcedureURI(bg, "com..b", runtime.MatchWildcard); err != nil || got != "com..b" {
		t.Errorf("ResolveProcedureURI wildcard unset: %q, %v", got, err)
	}
	if got, err := runtime.ResolveProcedureURI(runtime.WithTopicURI(bg, "com.x.b"), "com..b", runtime.MatchWildcard); err != nil || got != "com..b" {
		t.Errorf("ResolveProcedureURI read a topic URI: %q, %v", got, err)
	}
}

// recordingSubscriber records the subscriptions a session makes for it.
type recordingSubscriber struct {
	*runtime.Session
	made []*runtime.Subscription
}

func (r *recordingSubscriber) Subscribe(ctx context.Context, topic wamp.URI, h runtime.EventHandler, opts ...runtime.SubscribeOption) (*runtime.Subscription, error) {
	sub, err := r.Session.Subscribe(ctx, topic, h, opts...)
	if err == nil {
		r.made = append(r.made, sub)
	}
	return sub, err
}

func TestSubscribeAll(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)
	sess := dialT(t, url, runtime.Config{})
	pub := dialT(t, url, runtime.Config{})

	a, b := newEventLog(), newEventLog()
	bad := func(context.Context, *runtime.Event) error {
		return runtime.EventArgumentCountError("com.test.all.b", "x int", 2)
	}
	subs, err := runtime.SubscribeAll(testCtx(t), sess, []runtime.Topic{
		{URI: "com.test.all.a", Handler: a.handler},
		{URI: "com.test.all.b", Handler: func(ctx context.Context, ev *runtime.Event) error {
			b.handler(ctx, ev)
			return bad(ctx, ev)
		}},
	}, runtime.WithEventQueue(8))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(subs.Subscriptions()); n != 2 {
		t.Fatalf("%d subscriptions", n)
	}
	publishAck(t, pub, "com.test.all.a", "to a")
	publishAck(t, pub, "com.test.all.b", "to b")
	if a.nextLabel(t) != "to a" || b.nextLabel(t) != "to b" {
		t.Error("events not delivered")
	}
	if err := subs.Unsubscribe(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if err := sess.Close(); err != nil { // the handlers have returned: Stats are final
		t.Fatal(err)
	}
	if st := subs.Stats(); st != (runtime.SubscriptionStats{Delivered: 1, Rejected: 1}) {
		t.Errorf("summed stats %+v", st)
	}

	// A handler may unsubscribe them all with its own context.
	sess3 := dialT(t, url, runtime.Config{})
	var all *runtime.Subscriptions
	ready := make(chan struct{})
	unsubscribed := make(chan error, 1)
	all, err = runtime.SubscribeAll(testCtx(t), sess3, []runtime.Topic{
		{URI: "com.test.all.stop", Handler: func(ctx context.Context, _ *runtime.Event) error {
			<-ready
			unsubscribed <- all.Unsubscribe(ctx)
			return nil
		}},
		{URI: "com.test.all.other", Handler: a.handler},
	})
	if err != nil {
		t.Fatal(err)
	}
	close(ready)
	publishAck(t, pub, "com.test.all.stop", "stop")
	if err := recvT(t, unsubscribed, "the handler to unsubscribe"); err != nil {
		t.Errorf("Subscriptions.Unsubscribe from a handler with its context: %v", err)
	}
	for _, sub := range all.Subscriptions() {
		if err := sub.Unsubscribe(testCtx(t)); !errors.Is(err, runtime.ErrNoSuchSubscription) {
			t.Errorf("%s still subscribed: Unsubscribe says %v", sub.Topic(), err)
		}
	}

	// A failure undoes the subscriptions made before it.
	sess2 := dialT(t, url, runtime.Config{})
	rec := &recordingSubscriber{Session: sess2}
	_, err = runtime.SubscribeAll(testCtx(t), rec, []runtime.Topic{
		{URI: "com.test.all.a", Handler: a.handler},
		{URI: "com.test.all.c", Handler: a.handler},
		{URI: "com.test..invalid", Handler: a.handler},
	})
	if err == nil || !strings.Contains(err.Error(), "com.test..invalid") {
		t.Fatalf("SubscribeAll with an invalid topic: %v", err)
	}
	if len(rec.made) != 2 {
		t.Fatalf("%d subscriptions made before the failure, want 2", len(rec.made))
	}
	for _, sub := range rec.made {
		if err := sub.Unsubscribe(testCtx(t)); !errors.Is(err, runtime.ErrNoSuchSubscription) {
			t.Errorf("%s was not undone: Unsubscribe says %v", sub.Topic(), err)
		}
	}
}

// TestEventHandlerOutcomes: a handler's errors and panics are counted by
// kind and logged in aggregate; the session goes on.
func TestEventHandlerOutcomes(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)
	var logs syncBuffer
	sess := dialT(t, url, runtime.Config{Logger: logs.logger()})
	pub := dialT(t, url, runtime.Config{})
	const topic = "com.test.outcomes"
	done := make(chan struct{}, 1)
	sub := subscribeT(t, sess, topic, func(ctx context.Context, ev *runtime.Event) error {
		switch labelOf(ev) {
		case "bad":
			var n int
			return runtime.EventArgumentError(topic, 0, "n", firstArg(ev.Args, &n))
		case "fail":
			return errors.New("the handler failed")
		case "panic":
			panic("the handler panicked")
		case "done":
			done <- struct{}{}
		}
		return nil
	})
	const bad, fail, panics = 20, 5, 5
	for range bad {
		publishAck(t, pub, topic, "bad")
	}
	for range fail {
		publishAck(t, pub, topic, "fail")
	}
	for range panics {
		publishAck(t, pub, topic, "panic")
	}
	publishAck(t, pub, topic, "ok")
	publishAck(t, pub, topic, "done")
	recvT(t, done, "the last event")
	if err := sess.Close(); err != nil { // the handler has returned: Stats are final
		t.Fatal(err)
	}
	if st := sub.Stats(); st != (runtime.SubscriptionStats{Delivered: 2, Rejected: bad, Failed: fail + panics}) {
		t.Errorf("stats %+v", st)
	}
	rejected := logs.lines("level=WARN msg=\"rejected an event")
	failed := logs.lines("level=ERROR msg=\"event handler failed") + logs.lines("level=ERROR msg=\"event handler panicked")
	if rejected < 1 || rejected >= bad || failed < 1 || failed >= fail+panics {
		t.Errorf("%d lines for %d rejected events, %d for %d failures: want each logged, in aggregate", rejected, bad, failed, fail+panics)
	}
	if logs.lines("argument 1 (n)") < 1 {
		t.Error("the decode error is not logged")
	}
}

// TestEventErrors: the helpers of generated event handlers match
// ErrBadEvent and say what the procedure helpers say.
func TestEventErrors(t *testing.T) {
	const uri = "com.test.topic"
	cause := errors.New("not a number")
	for _, tc := range []struct {
		event, procedure error
	}{
		{runtime.EventArgumentsError(uri, cause), runtime.ArgumentsError(uri, cause)},
		{runtime.EventArgumentCountError(uri, "a int", 2), runtime.ArgumentCountError(uri, "a int", 2)},
		{runtime.EventArgumentError(uri, 0, "a", cause), runtime.ArgumentError(uri, 0, "a", cause)},
	} {
		if !errors.Is(tc.event, runtime.ErrBadEvent) {
			t.Errorf("%v does not match ErrBadEvent", tc.event)
		}
		var we *runtime.Error
		if !errors.As(tc.procedure, &we) {
			t.Fatalf("%v is no *Error", tc.procedure)
		}
		var msg string
		if err := firstArg(we.Args, &msg); err != nil || !strings.HasSuffix(tc.event.Error(), ": "+msg) {
			t.Errorf("event error %q does not say %q", tc.event, msg)
		}
	}

	type kw struct {
		Name string `json:"name"`
	}
	var dst kw
	ok := &runtime.Event{Kwargs: wamp.PayloadOf(map[string]any{"name": "x"})}
	if err := runtime.DecodeEventKeywordArguments(uri, ok, &dst); err != nil || dst.Name != "x" {
		t.Errorf("decoding %+v: %v", dst, err)
	}
	for name, ev := range map[string]*runtime.Event{
		"unknown key": {Kwargs: wamp.PayloadOf(map[string]any{"name": "x", "extra": 1})},
		"missing":     {Kwargs: wamp.PayloadOf(map[string]any{})},
		"positional":  {Args: wamp.ArgsOf(1), Kwargs: wamp.PayloadOf(map[string]any{"name": "x"})},
		"wrong type":  {Kwargs: wamp.PayloadOf(map[string]any{"name": 1})},
	} {
		err := runtime.DecodeEventKeywordArguments(uri, ev, &kw{})
		if !errors.Is(err, runtime.ErrBadEvent) || !strings.Contains(err.Error(), uri) {
			t.Errorf("%s: %v, want an ErrBadEvent naming the topic", name, err)
		}
	}
}
