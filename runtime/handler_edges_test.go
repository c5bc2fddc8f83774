package runtime_test

import (
	"context"
	"errors"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestEventHandlerGoexit: a handler that ends its goroutine instead of
// returning (runtime.Goexit, which t.FailNow calls) is counted and logged
// as a failure, and the subscription goes on with its next events, in
// order, as after a panic: the subscription is not left without a worker.
func TestEventHandlerGoexit(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)
	var logs syncBuffer
	sess := dialT(t, url, runtime.Config{Logger: logs.logger()})
	pub := dialT(t, url, runtime.Config{})
	const topic = "com.test.goexit"
	got := newEventLog()
	sub := subscribeT(t, sess, topic, func(ctx context.Context, ev *runtime.Event) error {
		if labelOf(ev) == "exit" {
			goruntime.Goexit()
		}
		return got.handler(ctx, ev)
	})
	publishAck(t, pub, topic, "exit")
	publishAck(t, pub, topic, "after 1")
	publishAck(t, pub, topic, "exit")
	publishAck(t, pub, topic, "after 2")
	for _, want := range []string{"after 1", "after 2"} {
		if label := got.nextLabel(t); label != want {
			t.Fatalf("got %q, want %q", label, want)
		}
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	if st := sub.Stats(); st != (runtime.SubscriptionStats{Delivered: 2, Failed: 2}) {
		t.Errorf("stats %+v, want 2 delivered and 2 failed", st)
	}
	if logs.lines("Goexit") < 1 {
		t.Error("the Goexit is not logged")
	}
}

// TestNilPublisherSubscriber: the helpers of generated code refuse a nil
// Publisher, a nil Subscriber and a nil handler with an error naming the
// topic, before anything is subscribed, instead of panicking.
func TestNilPublisherSubscriber(t *testing.T) {
	ctx := context.Background()
	const topic = "com.test.nil"
	if err := runtime.PublishEvent(ctx, nil, topic, wamp.Payload{}, wamp.Payload{}); err == nil || !strings.Contains(err.Error(), topic) {
		t.Errorf("PublishEvent with a nil Publisher: %v, want an error naming %s", err, topic)
	}
	h := func(context.Context, *runtime.Event) error { return nil }
	if _, err := runtime.SubscribeAll(ctx, nil, []runtime.Topic{{URI: topic, Handler: h}}); err == nil {
		t.Error("SubscribeAll with a nil Subscriber: no error")
	}
	// A fake that must not be reached: the nil handler is found first.
	var fake fakeSubscriber
	if _, err := runtime.SubscribeAll(ctx, &fake, []runtime.Topic{{URI: "com.test.ok", Handler: h}, {URI: topic}}); err == nil || !strings.Contains(err.Error(), topic) {
		t.Errorf("SubscribeAll with a nil handler: %v, want an error naming %s", err, topic)
	}
	if fake.n != 0 {
		t.Errorf("%d subscriptions made before the nil handler was refused", fake.n)
	}
}

type fakeSubscriber struct{ n int }

func (f *fakeSubscriber) Subscribe(context.Context, wamp.URI, runtime.EventHandler, ...runtime.SubscribeOption) (*runtime.Subscription, error) {
	f.n++
	return nil, errors.New("fake")
}

// TestEventHandlersCloseTogether: handlers of two subscriptions call
// Close at the same time. Each Close waits for the other handlers, but not
// for one that is itself in Close (which would wait for it in turn, until
// ResponseTimeout, and then report a handler still running): both return
// nil.
func TestEventHandlersCloseTogether(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)
	sess := dialT(t, url, runtime.Config{ResponseTimeout: testWait / 2})
	pub := dialT(t, url, runtime.Config{})
	var arrived sync.WaitGroup
	arrived.Add(2)
	closed := make(chan error, 2)
	h := func(context.Context, *runtime.Event) error {
		arrived.Done()
		arrived.Wait() // both handlers run: both Close calls overlap
		closed <- sess.Close()
		return nil
	}
	subscribeT(t, sess, "com.test.close.a", h)
	subscribeT(t, sess, "com.test.close.b", h)
	publishAck(t, pub, "com.test.close.a", "a")
	publishAck(t, pub, "com.test.close.b", "b")
	for range 2 {
		if err := recvT(t, closed, "a handler's Close"); err != nil {
			t.Errorf("Close from a handler: %v", err)
		}
	}
}
