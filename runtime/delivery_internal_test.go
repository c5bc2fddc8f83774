package runtime

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// TestEventQueueReusesItsArray drives one subscription's queue step by
// step: the worker takes events from the front while new ones arrive, so
// the queue moves through its array and is compacted into the room its
// handled events left, in order, within its bound, without the array
// growing past the bound.
func TestEventQueueReusesItsArray(t *testing.T) {
	const bound = 4
	s := &Session{log: slog.New(slog.DiscardHandler)}
	got := make(chan int)
	step := make(chan struct{})
	sub := &Subscription{s: s, topic: "com.test.q", handler: func(ctx context.Context, ev *Event) error {
		got <- int(ev.Publication)
		<-step
		return nil
	}}
	sub.ctx, sub.cancel = context.WithCancelCause(context.Background())
	defer sub.end(nil)
	sub.queue.maxEvents, sub.queue.maxBytes = bound, 1<<20
	recv := func(want int) {
		t.Helper()
		select {
		case n := <-got:
			if n != want {
				t.Fatalf("handler got event %d, want %d", n, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("waiting for event %d", want)
		}
	}
	queued := func() (n, head, capacity int) {
		sub.queue.mu.Lock()
		defer sub.queue.mu.Unlock()
		return len(sub.queue.items) - sub.queue.head, sub.queue.head, cap(sub.queue.items)
	}

	next := 1
	enqueue := func(k int) {
		for range k {
			sub.enqueue(&Event{Publication: wamp.ID(next)}, 10)
			next++
		}
	}
	enqueue(1)
	recv(1) // the worker holds 1; the queue is empty
	enqueue(bound)
	// Handled one by one while new ones come: the front moves on, and
	// the room it leaves is reused: the array does not grow.
	_, _, arrayCap := queued()
	want := 2
	for range 3 * bound {
		step <- struct{}{} // the handler returns; the worker takes the next
		recv(want)
		want++
		enqueue(1)
		if n, head, c := queued(); n != bound || c != arrayCap || head > c {
			t.Fatalf("queue holds %d events (head %d, array of %d), want %d in the array of %d", n, head, c, bound, arrayCap)
		}
	}
	// Full: the newest is dropped.
	enqueue(1)
	last := next - 1
	if d := sub.Stats().Dropped; d != 1 {
		t.Errorf("Dropped %d, want 1", d)
	}
	for want < last {
		step <- struct{}{}
		recv(want)
		want++
	}
	step <- struct{}{}
	for _, w := range s.workers.running(0) {
		<-w.released
	}
	if st := sub.Stats(); st != (SubscriptionStats{Delivered: uint64(last - 1), Dropped: 1}) {
		t.Errorf("stats %+v after %d events, the last one dropped", st, last)
	}
	if n, _, _ := queued(); n != 0 {
		t.Errorf("%d events left in the queue", n)
	}
}
