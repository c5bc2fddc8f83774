package runtime_test

import (
	"context"
	goruntime "runtime"
	"testing"

	"github.com/wampgen/wampgen/runtime"
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
