package topicstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// wait bounds every wait for an event: generous for a loaded machine
// running the tests with -race. Events arrive in milliseconds.
const wait = 30 * time.Second

// record is one call of an implementation method: the method, its
// arguments and the event its context carried.
type record struct {
	method string
	args   []any
	ev     *runtime.Event
}

// recorder implements SensorEvents by recording every call.
type recorder struct {
	got chan record
}

var _ SensorEvents = (*recorder)(nil)

func newRecorder() *recorder { return &recorder{got: make(chan record, 64)} }

func (r *recorder) add(ctx context.Context, method string, args ...any) error {
	ev, ok := runtime.EventFromContext(ctx)
	if !ok {
		return errors.New("the handler's context carries no event")
	}
	select {
	case r.got <- record{method: method, args: args, ev: ev}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *recorder) Started(ctx context.Context) error { return r.add(ctx, "Started") }
func (r *recorder) Measured(ctx context.Context, m Reading) error {
	return r.add(ctx, "Measured", m)
}
func (r *recorder) Moved(ctx context.Context, x, y float64, label string, at time.Time, blob []byte) error {
	return r.add(ctx, "Moved", x, y, label, at, blob)
}
func (r *recorder) Alerted(ctx context.Context, a Alert) error { return r.add(ctx, "Alerted", a) }
func (r *recorder) Room(ctx context.Context, celsius float64) error {
	return r.add(ctx, "Room", celsius)
}
func (r *recorder) Status(ctx context.Context, up bool) error { return r.add(ctx, "Status", up) }
func (r *recorder) Signed(ctx context.Context, note string) error {
	return r.add(ctx, "Signed", note)
}
func (r *recorder) Acked(ctx context.Context, n int) error  { return r.add(ctx, "Acked", n) }
func (r *recorder) Echoed(ctx context.Context, n int) error { return r.add(ctx, "Echoed", n) }

// next returns the next recorded call, which must be of method.
func (r *recorder) next(t *testing.T, method string) record {
	t.Helper()
	select {
	case rec := <-r.got:
		if rec.method != method {
			t.Fatalf("got a call of %s%v, want one of %s", rec.method, rec.args, method)
		}
		return rec
	case <-time.After(wait):
		t.Fatalf("no call of %s within %s", method, wait)
	}
	return record{}
}

const (
	sensorAuthID   = "sensor-7"
	sensorAuthRole = "sensor"
	sensorTicket   = "ticket-of-sensor-7"
)

// newRouter starts a router whose realm admits anonymous sessions and the
// ticket user sensor-7 (authrole sensor).
func newRouter(t *testing.T) *router.Router {
	return routertest.New(t, routertest.WithRealms(router.RealmConfig{
		Name:      router.DefaultRealm,
		Anonymous: true,
		Users:     []router.User{{AuthID: sensorAuthID, AuthRole: sensorAuthRole, Ticket: sensorTicket}},
	}))
}

func dial(t *testing.T, url string, cfg runtime.Config) *runtime.Session {
	t.Helper()
	cfg.Realm = router.DefaultRealm
	s, err := runtime.Dial(t.Context(), url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// setup returns a publisher (authenticated as sensor-7, over WebSocket
// with JSON), the session under it, and a recorder subscribed to every
// topic through SubscribeSensorEvents (over RawSocket with MsgPack, so
// every value crosses serializers), with the handle.
func setup(t *testing.T) (*SensorEventsPublisher, *runtime.Session, *recorder, *runtime.Subscriptions, *router.Router) {
	t.Helper()
	r := newRouter(t)
	pubSess := dial(t, r.WebSocketURL(), runtime.Config{Auth: runtime.Ticket(sensorAuthID, sensorTicket)})
	subSess := dial(t, r.RawSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	rec := newRecorder()
	subs, err := SubscribeSensorEvents(t.Context(), subSess, rec)
	if err != nil {
		t.Fatal(err)
	}
	return NewSensorEventsPublisher(pubSess), pubSess, rec, subs, r
}

// TestValuesArriveExactly publishes through the generated publisher and
// checks that the implementation gets exactly the values sent: no
// arguments, a struct (with a time to the nanosecond in another zone,
// bytes and a map) and several positional values.
func TestValuesArriveExactly(t *testing.T) {
	ctx := t.Context()
	pub, _, rec, subs, _ := setup(t)
	if n := len(subs.Subscriptions()); n != 9 {
		t.Errorf("%d subscriptions, want one per topic, 9", n)
	}

	if err := pub.Started(ctx); err != nil {
		t.Fatal(err)
	}
	got := rec.next(t, "Started")
	if len(got.args) != 0 || got.ev.Topic != SensorEventsStartedTopic {
		t.Errorf("Started: args %v, topic %s", got.args, got.ev.Topic)
	}
	if got.ev.Publisher != 0 || got.ev.PublisherAuthID != "" {
		t.Errorf("Started does not disclose its publisher, but the event names %d (%q)", got.ev.Publisher, got.ev.PublisherAuthID)
	}

	at := time.Date(2026, 12, 7, 17, 21, 48, 123456789, time.FixedZone("", 5*3600+30*60))
	want := Reading{Sensor: "hall", Value: -12.5, At: at, Raw: []byte{0, 1, 2, 0xff}, Tags: map[string]int{"floor": 2, "wing": -1}}
	if err := pub.Measured(ctx, want); err != nil {
		t.Fatal(err)
	}
	m := rec.next(t, "Measured").args[0].(Reading)
	if m.Sensor != want.Sensor || m.Value != want.Value || !bytes.Equal(m.Raw, want.Raw) || !maps.Equal(m.Tags, want.Tags) {
		t.Errorf("Measured got %+v, want %+v", m, want)
	}
	if !m.At.Equal(at) || m.At.Format(time.RFC3339Nano) != at.Format(time.RFC3339Nano) {
		t.Errorf("Measured time %s, want %s (same instant and offset)", m.At.Format(time.RFC3339Nano), at.Format(time.RFC3339Nano))
	}

	blob := bytes.Repeat([]byte{0, 0xfe}, 100)
	if err := pub.Moved(ctx, 1.25, -3, "north", at.UTC(), blob); err != nil {
		t.Fatal(err)
	}
	mv := rec.next(t, "Moved").args
	if mv[0] != 1.25 || mv[1] != float64(-3) || mv[2] != "north" || !mv[3].(time.Time).Equal(at) || !bytes.Equal(mv[4].([]byte), blob) {
		t.Errorf("Moved got %v", mv)
	}
	if got.ev.Publication == 0 {
		t.Error("the event's publication ID is 0")
	}

	if st := subs.Stats(); st.Rejected != 0 || st.Failed != 0 || st.Dropped != 0 {
		t.Errorf("stats %+v, want nothing rejected, failed or dropped", st)
	}
	// One handle unsubscribes every topic.
	if err := subs.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestKeywordArguments publishes a kwargs=true topic: the struct's fields
// travel as ArgumentsKw, an optional field may be absent.
func TestKeywordArguments(t *testing.T) {
	ctx := t.Context()
	pub, pubSess, rec, _, _ := setup(t)
	code := 503
	for _, want := range []Alert{{Level: "warn", Message: "hot"}, {Level: "error", Message: "down", Code: &code}} {
		if err := pub.Alerted(ctx, want); err != nil {
			t.Fatal(err)
		}
		got := rec.next(t, "Alerted")
		a := got.args[0].(Alert)
		if a.Level != want.Level || a.Message != want.Message || (a.Code == nil) != (want.Code == nil) || a.Code != nil && *a.Code != *want.Code {
			t.Errorf("Alerted got %+v, want %+v", a, want)
		}
		var kw map[string]any
		if args, _ := got.ev.Args.List(); len(args) != 0 || got.ev.Kwargs.Decode(&kw) != nil || len(kw) == 0 {
			t.Errorf("Alerted travelled as %d arguments and keyword arguments %v, want keyword arguments only", len(args), kw)
		}
	}
	// A peer publishing by hand sends the same keys.
	if _, err := pubSess.Publish(ctx, SensorEventsAlertedTopic, wamp.Payload{}, wamp.PayloadOf(wamp.Dict{"level": "info", "message": "by hand"}), runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	if a := rec.next(t, "Alerted").args[0].(Alert); a.Level != "info" || a.Message != "by hand" || a.Code != nil {
		t.Errorf("hand-made Alerted got %+v", a)
	}
}

// TestPatternTopics publishes pattern topics to concrete topics set on the
// context; the subscriber reads the concrete topic from its context. A
// topic the pattern does not match is refused before anything is sent.
func TestPatternTopics(t *testing.T) {
	ctx := t.Context()
	pub, _, rec, _, _ := setup(t)

	kitchen := wamp.URI("com.example.sensors.room.kitchen")
	if err := pub.Room(runtime.WithTopicURI(ctx, kitchen), 21.5); err != nil {
		t.Fatal(err)
	}
	got := rec.next(t, "Room")
	if got.args[0] != 21.5 || got.ev.Topic != kitchen {
		t.Errorf("Room got %v at %s, want 21.5 at %s", got.args, got.ev.Topic, kitchen)
	}
	// Without a concrete topic, a prefix topic publishes to its pattern.
	if err := pub.Room(ctx, 19); err != nil {
		t.Fatal(err)
	}
	if got := rec.next(t, "Room"); got.ev.Topic != SensorEventsRoomTopic {
		t.Errorf("Room without a topic arrived at %s, want %s", got.ev.Topic, SensorEventsRoomTopic)
	}

	lab := wamp.URI("com.example.lab.status")
	if err := pub.Status(runtime.WithTopicURI(ctx, lab), true); err != nil {
		t.Fatal(err)
	}
	if got := rec.next(t, "Status"); got.args[0] != true || got.ev.Topic != lab {
		t.Errorf("Status got %v at %s, want true at %s", got.args, got.ev.Topic, lab)
	}

	// Refused before anything is sent: a topic outside the pattern, and a
	// wildcard topic without a concrete one.
	var we *runtime.Error
	for _, c := range []struct {
		name string
		err  error
	}{
		{"Room outside the prefix", pub.Room(runtime.WithTopicURI(ctx, "com.example.other.room"), 1)},
		{"Status not matching the wildcard", pub.Status(runtime.WithTopicURI(ctx, "com.example.lab.status.extra"), false)},
		{"Status without a concrete topic", pub.Status(ctx, false)},
	} {
		if !errors.As(c.err, &we) || we.URI != wamp.ErrInvalidURI {
			t.Errorf("%s: %v, want %s", c.name, c.err, wamp.ErrInvalidURI)
		}
	}
	// Nothing of those was sent: the next event is the next one published.
	if err := pub.Status(runtime.WithTopicURI(ctx, "com.example.yard.status"), false); err != nil {
		t.Fatal(err)
	}
	if got := rec.next(t, "Status"); got.args[0] != false || got.ev.Topic != "com.example.yard.status" {
		t.Errorf("Status got %v at %s", got.args, got.ev.Topic)
	}
}

// TestPublisherDisclosed checks that disclose_publisher=true gives the
// subscriber the publisher's session ID, authid and authrole.
func TestPublisherDisclosed(t *testing.T) {
	ctx := t.Context()
	pub, pubSess, rec, _, _ := setup(t)
	if err := pub.Signed(ctx, "calibrated"); err != nil {
		t.Fatal(err)
	}
	got := rec.next(t, "Signed")
	if got.args[0] != "calibrated" {
		t.Errorf("Signed got %v", got.args)
	}
	if got.ev.Publisher != pubSess.ID() || got.ev.PublisherAuthID != sensorAuthID || got.ev.PublisherAuthRole != sensorAuthRole {
		t.Errorf("Signed's publisher: %d %q %q, want %d %q %q", got.ev.Publisher, got.ev.PublisherAuthID, got.ev.PublisherAuthRole,
			pubSess.ID(), sensorAuthID, sensorAuthRole)
	}
}

// TestAcknowledgeRefusal checks that an acknowledge=true topic reports the
// router's refusal as the method's error, while a topic without it does
// not learn of it.
func TestAcknowledgeRefusal(t *testing.T) {
	ctx := t.Context()
	pub, _, rec, _, _ := setup(t)
	if err := pub.Acked(ctx, 1); err != nil {
		t.Fatalf("Acked: %v", err)
	}
	if got := rec.next(t, "Acked"); got.args[0] != 1 {
		t.Errorf("Acked got %v", got.args)
	}
	// The embedded router refuses URIs over 1024 bytes; the runtime does
	// not check the length, so the refusal is the router's.
	long := wamp.URI("com.example.sensors.acked." + strings.Repeat("x", 2000))
	err := pub.Acked(runtime.WithTopicURI(ctx, long), 2)
	var we *runtime.Error
	if !errors.As(err, &we) || we.URI != wamp.ErrInvalidURI {
		t.Fatalf("Acked to a topic the router refuses: %v, want a *runtime.Error %s", err, wamp.ErrInvalidURI)
	}
	longRoom := wamp.URI("com.example.sensors.room." + strings.Repeat("x", 2000))
	if err := pub.Room(runtime.WithTopicURI(ctx, longRoom), 3); err != nil {
		t.Errorf("Room, not acknowledged, to a topic the router refuses: %v, want nil (the publisher is not told)", err)
	}
	if err := pub.Acked(ctx, 4); err != nil {
		t.Fatalf("Acked: %v", err)
	}
	if got := rec.next(t, "Acked"); got.args[0] != 4 {
		t.Errorf("Acked got %v, want 4 (the refused publication was not delivered)", got.args)
	}
}

// TestExcludeMeAndEligible checks exclude_me=false (the publisher's own
// subscription gets the event) and per-call options on the context
// (runtime.WithPublishOptions with WithEligible).
func TestExcludeMeAndEligible(t *testing.T) {
	ctx := t.Context()
	r := newRouter(t)
	self := dial(t, r.WebSocketURL(), runtime.Config{})
	other := dial(t, r.RawSocketURL(), runtime.Config{Serializer: wamp.CBOR})
	selfRec, otherRec := newRecorder(), newRecorder()
	if _, err := SubscribeSensorEvents(ctx, self, selfRec); err != nil {
		t.Fatal(err)
	}
	if _, err := SubscribeSensorEvents(ctx, other, otherRec); err != nil {
		t.Fatal(err)
	}
	pub := NewSensorEventsPublisher(self)
	if err := pub.Echoed(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if got := selfRec.next(t, "Echoed"); got.args[0] != 7 {
		t.Errorf("the publisher's own Echoed got %v", got.args)
	}
	if got := otherRec.next(t, "Echoed"); got.args[0] != 7 {
		t.Errorf("the other session's Echoed got %v", got.args)
	}

	// Eligible: only self gets 8; both get 9.
	if err := pub.Echoed(runtime.WithPublishOptions(ctx, runtime.WithEligible(self.ID())), 8); err != nil {
		t.Fatal(err)
	}
	if err := pub.Echoed(ctx, 9); err != nil {
		t.Fatal(err)
	}
	if got := selfRec.next(t, "Echoed"); got.args[0] != 8 {
		t.Errorf("self's Echoed got %v, want 8", got.args)
	}
	if got := selfRec.next(t, "Echoed"); got.args[0] != 9 {
		t.Errorf("self's Echoed got %v, want 9", got.args)
	}
	if got := otherRec.next(t, "Echoed"); got.args[0] != 9 {
		t.Errorf("the other session's Echoed got %v, want 9 (8 was for self only)", got.args)
	}
}

// TestMismatchedEventsRejected publishes raw events that do not fit the
// declared types: none reaches the implementation, each is counted as
// Rejected, and the subscription goes on.
func TestMismatchedEventsRejected(t *testing.T) {
	ctx := t.Context()
	pub, pubSess, rec, subs, _ := setup(t)
	bad := []struct {
		topic        wamp.URI
		args, kwargs wamp.Payload
	}{
		{SensorEventsMeasuredTopic, wamp.ArgsOf("not a reading"), wamp.Payload{}},
		{SensorEventsMeasuredTopic, wamp.ArgsOf(Reading{Sensor: "a"}, Reading{Sensor: "b"}), wamp.Payload{}},
		{SensorEventsMeasuredTopic, wamp.Payload{}, wamp.Payload{}},
		{SensorEventsMovedTopic, wamp.ArgsOf(1.0, 2.0, "label", "not a time", []byte{1}), wamp.Payload{}},
		{SensorEventsMovedTopic, wamp.ArgsOf(1.5, 2.0, "label"), wamp.Payload{}},
		{SensorEventsAlertedTopic, wamp.ArgsOf("warn", "hot"), wamp.Payload{}},
		{SensorEventsAlertedTopic, wamp.Payload{}, wamp.PayloadOf(wamp.Dict{"level": "warn", "message": "hot", "colour": "red"})},
		{SensorEventsAlertedTopic, wamp.Payload{}, wamp.PayloadOf(wamp.Dict{"level": "warn"})},
		{SensorEventsStartedTopic, wamp.ArgsOf(1), wamp.Payload{}},
	}
	for _, b := range bad {
		if _, err := pubSess.Publish(ctx, b.topic, b.args, b.kwargs, runtime.WithAcknowledge()); err != nil {
			t.Fatal(err)
		}
	}
	// Then one good event per topic: each subscription handles its events
	// in order, so when the good one arrives the bad ones were handled.
	if err := pub.Measured(ctx, Reading{Sensor: "ok"}); err != nil {
		t.Fatal(err)
	}
	if err := pub.Moved(ctx, 1, 2, "ok", time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := pub.Alerted(ctx, Alert{Level: "ok", Message: "ok"}); err != nil {
		t.Fatal(err)
	}
	if err := pub.Started(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]record{}
	for range 4 {
		select {
		case r := <-rec.got:
			if _, dup := seen[r.method]; dup {
				t.Fatalf("a second call of %s%v: a mismatched event was delivered", r.method, r.args)
			}
			seen[r.method] = r
		case <-time.After(wait):
			t.Fatalf("only %d of the 4 good events arrived within %s", len(seen), wait)
		}
	}
	if m := seen["Measured"].args[0].(Reading); m.Sensor != "ok" {
		t.Errorf("Measured got %+v, want the good reading", m)
	}
	if mv := seen["Moved"].args; mv[2] != "ok" {
		t.Errorf("Moved got %v, want the good one", mv)
	}
	if a := seen["Alerted"].args[0].(Alert); a.Level != "ok" {
		t.Errorf("Alerted got %+v, want the good one", a)
	}
	if st := subs.Stats(); st.Rejected != uint64(len(bad)) || st.Failed != 0 {
		t.Errorf("stats %+v, want Rejected %d and Failed 0", st, len(bad))
	}
	select {
	case r := <-rec.got:
		t.Errorf("an extra call of %s%v", r.method, r.args)
	default:
	}
}

// TestEventHandlerErrors calls the generated handlers as the runtime would,
// with events that do not fit: each error matches runtime.ErrBadEvent and
// names the topic, and the function is not called.
func TestEventHandlerErrors(t *testing.T) {
	called := false
	h := sensorEventsMovedHandler(func(context.Context, float64, float64, string, time.Time, []byte) error {
		called = true
		return nil
	})
	topic := wamp.URI("com.example.sensors.moved")
	for _, ev := range []*runtime.Event{
		{Topic: topic, Args: wamp.ArgsOf(1, 2)},
		{Topic: topic, Args: wamp.ArgsOf("x", 2, "l", time.Time{}, []byte{})},
		{Topic: topic, Args: wamp.ArgsOf(1, 2, 3, time.Time{}, []byte{})},
	} {
		err := h(context.Background(), ev)
		if !errors.Is(err, runtime.ErrBadEvent) || !strings.Contains(err.Error(), string(topic)) {
			t.Errorf("event %v: %v, want an error matching runtime.ErrBadEvent naming %s", ev.Args, err, topic)
		}
	}
	if called {
		t.Error("the function was called for an event that does not fit")
	}
	// A fitting event reaches the function, and its error comes back.
	want := errors.New("handler failed")
	h = sensorEventsMovedHandler(func(context.Context, float64, float64, string, time.Time, []byte) error { return want })
	if err := h(context.Background(), &runtime.Event{Topic: topic, Args: wamp.ArgsOf(1, 2, "l", time.Time{}, []byte{})}); err != want {
		t.Errorf("handler = %v, want the function's error", err)
	}
}

// TestSubscribeOneTopic subscribes a function to one topic with the
// per-topic function; its handle unsubscribes it.
func TestSubscribeOneTopic(t *testing.T) {
	ctx := t.Context()
	r := newRouter(t)
	pubSess := dial(t, r.WebSocketURL(), runtime.Config{})
	subSess := dial(t, r.RawSocketURL(), runtime.Config{Serializer: wamp.CBOR})
	got := make(chan string, 8)
	sub, err := SubscribeSensorEventsMoved(ctx, subSess, func(ctx context.Context, x, y float64, label string, at time.Time, blob []byte) error {
		ev, _ := runtime.EventFromContext(ctx)
		got <- fmt.Sprintf("%v %v %s %s %x %s", x, y, label, at.Format(time.RFC3339Nano), blob, ev.Topic)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Topic() != SensorEventsMovedTopic {
		t.Errorf("subscribed to %s, want %s", sub.Topic(), SensorEventsMovedTopic)
	}
	// A pattern topic's per-topic function subscribes to the pattern.
	rooms := make(chan wamp.URI, 8)
	roomSub, err := SubscribeSensorEventsRoom(ctx, subSess, func(ctx context.Context, celsius float64) error {
		ev, _ := runtime.EventFromContext(ctx)
		rooms <- ev.Topic
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pub := NewSensorEventsPublisher(pubSess)
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	if err := pub.Moved(ctx, 0.5, 2, "east", at, []byte{0xca, 0xfe}); err != nil {
		t.Fatal(err)
	}
	if err := pub.Room(runtime.WithTopicURI(ctx, "com.example.sensors.room.cellar"), 12); err != nil {
		t.Fatal(err)
	}
	want := "0.5 2 east 2026-01-02T03:04:05.000000006Z cafe com.example.sensors.moved"
	select {
	case g := <-got:
		if g != want {
			t.Errorf("got %q, want %q", g, want)
		}
	case <-time.After(wait):
		t.Fatal("no Moved event")
	}
	select {
	case topic := <-rooms:
		if topic != "com.example.sensors.room.cellar" {
			t.Errorf("Room arrived at %s", topic)
		}
	case <-time.After(wait):
		t.Fatal("no Room event")
	}
	if err := errors.Join(sub.Unsubscribe(ctx), roomSub.Unsubscribe(ctx)); err != nil {
		t.Fatal(err)
	}
}

// fakePublisher records what the generated publisher asks of a
// runtime.Publisher.
type fakePublisher struct {
	topic        wamp.URI
	args, kwargs wamp.Payload
	n            int
	err          error
}

func (f *fakePublisher) Publish(_ context.Context, topic wamp.URI, args, kwargs wamp.Payload, opts ...runtime.PublishOption) (wamp.ID, error) {
	f.topic, f.args, f.kwargs, f.n = topic, args, kwargs, len(opts)
	return 0, f.err
}

// TestPublisherOptions checks, with a fake runtime.Publisher, which
// options each method adds: the constructor's, then the annotation's,
// then the call's; and that the publisher's error comes back.
func TestPublisherOptions(t *testing.T) {
	ctx := t.Context()
	f := &fakePublisher{}
	pub := NewSensorEventsPublisher(f, runtime.WithExcludeAuthRole("guest"))
	for _, c := range []struct {
		name    string
		publish func(context.Context) error
		topic   wamp.URI
		opts    int
	}{
		{"Started", pub.Started, SensorEventsStartedTopic, 1},
		{"Signed", func(ctx context.Context) error { return pub.Signed(ctx, "x") }, SensorEventsSignedTopic, 2},
		{"Echoed", func(ctx context.Context) error { return pub.Echoed(ctx, 1) }, SensorEventsEchoedTopic, 2},
		{"Acked", func(ctx context.Context) error { return pub.Acked(ctx, 1) }, SensorEventsAckedTopic, 2},
	} {
		if err := c.publish(ctx); err != nil || f.topic != c.topic || f.n != c.opts {
			t.Errorf("%s: err %v, topic %s with %d options, want nil, %s with %d", c.name, err, f.topic, f.n, c.topic, c.opts)
		}
		if err := c.publish(runtime.WithPublishOptions(ctx, runtime.WithEligible(1), runtime.WithExclude(2))); err != nil || f.n != c.opts+2 {
			t.Errorf("%s with 2 per-call options: err %v, %d options, want %d", c.name, err, f.n, c.opts+2)
		}
	}
	f.err = errors.New("no connection")
	if err := pub.Started(ctx); !errors.Is(err, f.err) {
		t.Errorf("Started = %v, want the publisher's error", err)
	}
}

// TestNilArguments: a nil implementation, function, subscriber or
// publisher gets a clear error from the generated code, not a panic (a
// nil interface's method value would panic in SubscribeSensorEvents
// itself, a nil function at every event).
func TestNilArguments(t *testing.T) {
	ctx := t.Context()
	r := newRouter(t)
	sess := dial(t, r.WebSocketURL(), runtime.Config{})
	noPanic := func(what string, f func() error) {
		t.Helper()
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("%s panicked: %v", what, p)
			}
		}()
		if err := f(); err == nil {
			t.Errorf("%s: no error", what)
		} else {
			t.Logf("%s: %v", what, err)
		}
	}
	noPanic("SubscribeSensorEvents(nil impl)", func() error {
		subs, err := SubscribeSensorEvents(ctx, sess, nil)
		if subs != nil {
			t.Error("a handle for a nil implementation")
		}
		return err
	})
	noPanic("SubscribeSensorEventsMoved(nil fn)", func() error {
		_, err := SubscribeSensorEventsMoved(ctx, sess, nil)
		return err
	})
	noPanic("SubscribeSensorEvents(nil subscriber)", func() error {
		_, err := SubscribeSensorEvents(ctx, nil, newRecorder())
		return err
	})
	noPanic("a publisher of nil", func() error {
		return NewSensorEventsPublisher(nil).Started(ctx)
	})
}
