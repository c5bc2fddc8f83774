package runtime

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Event delivery. Each Subscription has a bounded queue of its own
// (eventQueue) between the read loop, which must never wait, and its
// handler, which may be slow. A worker goroutine runs the handler on the
// queued events one at a time, in order; it is started when an event is
// queued and none runs, and ends when the queue is empty, so an idle
// subscription costs no goroutine. A subscription's handler therefore
// delays only its own subscription: neither the read loop, nor calls, nor
// the other subscriptions (each has its own worker) wait for it.
//
// The queue is bounded by events (Config.EventQueue, WithEventQueue) and
// by bytes (Config.EventQueueBytes, counted as the size of the EVENT
// messages as received): an event that does not fit is dropped, counted
// (SubscriptionStats.Dropped) and logged at most once per logEvery. A
// single event larger than the byte bound is queued when the queue is
// empty (it was read already, and MaxMessageSize bounds it).

const (
	defaultEventQueue      = 1024
	defaultEventQueueBytes = 16 << 20
)

// eventQueue is the queue of one Subscription; mu guards it.
type eventQueue struct {
	mu        sync.Mutex
	items     []queuedEvent // the queue is items[head:]
	head      int
	bytes     int  // the sum of the queued items' sizes
	running   bool // a worker runs (see runQueue)
	stopped   bool // the subscription ended: nothing more is handled
	maxEvents int
	maxBytes  int
}

type queuedEvent struct {
	ev   *Event
	size int
}

// subscriptionCounters are the counters behind SubscriptionStats, and the
// throttles of their log lines.
type subscriptionCounters struct {
	delivered, rejected, failed, dropped atomic.Uint64
	logDropped, logRejected, logFailed   throttle
}

// SubscriptionStats counts what became of the events that reached a
// subscription.
type SubscriptionStats struct {
	// Delivered: the handler returned nil.
	Delivered uint64
	// Rejected: the handler returned an error matching ErrBadEvent (the
	// event does not match the topic's declared types), or the event's
	// payload could not be read at all (it never reached the handler).
	Rejected uint64
	// Failed: the handler returned another error, or panicked, or ended
	// its goroutine (runtime.Goexit).
	Failed uint64
	// Dropped: the subscription's queue was full (see WithEventQueue).
	Dropped uint64
}

// Stats returns the subscription's counters. Events still queued, those
// dropped because the subscription ended, and those whose handler returned
// an error matching context.Canceled after its context was cancelled, are
// not counted.
func (sub *Subscription) Stats() SubscriptionStats {
	c := &sub.stats
	return SubscriptionStats{Delivered: c.delivered.Load(), Rejected: c.rejected.Load(), Failed: c.failed.Load(), Dropped: c.dropped.Load()}
}

func (a SubscriptionStats) add(b SubscriptionStats) SubscriptionStats {
	return SubscriptionStats{Delivered: a.Delivered + b.Delivered, Rejected: a.Rejected + b.Rejected,
		Failed: a.Failed + b.Failed, Dropped: a.Dropped + b.Dropped}
}

// stop ends the delivery to sub: the events still queued are dropped by
// the worker, and later ones by enqueue.
func (sub *Subscription) stop() {
	sub.queue.mu.Lock()
	sub.queue.stopped = true
	sub.queue.mu.Unlock()
}

// end stops the delivery to sub and cancels the handler's context with
// cause (nil: context.Canceled). Only the first cause counts.
func (sub *Subscription) end(cause error) {
	sub.stop()
	if sub.cancel != nil {
		sub.cancel(cause)
	}
}

// enqueue queues ev, received in a message of size bytes, for sub's
// handler, starting a worker if none runs. It never waits.
func (sub *Subscription) enqueue(ev *Event, size int) {
	q := &sub.queue
	q.mu.Lock()
	if q.stopped || sub.ctx == nil || sub.ctx.Err() != nil {
		q.mu.Unlock()
		return // ended: it would be dropped anyway
	}
	n := len(q.items) - q.head
	if n >= q.maxEvents || (n > 0 && q.bytes+size > q.maxBytes) {
		bytes := q.bytes
		q.mu.Unlock()
		sub.stats.dropped.Add(1)
		if count, ok := sub.stats.logDropped.tick(); ok {
			sub.s.log.Warn("dropped events: the subscription's queue is full (its handler is too slow)", "topic", sub.topic,
				"subscription", sub.ID(), "dropped", count, "queued", n, "queued_bytes", bytes, "max_events", q.maxEvents, "max_bytes", q.maxBytes)
		}
		return
	}
	if len(q.items) == cap(q.items) && q.head > 0 {
		// Reuse the room before head rather than grow the array.
		k := copy(q.items, q.items[q.head:])
		clear(q.items[k:])
		q.items, q.head = q.items[:k], 0
	}
	q.items = append(q.items, queuedEvent{ev: ev, size: size})
	q.bytes += size
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		w := sub.s.workers.add()
		go sub.runQueue(w)
	}
}

// runQueue runs sub's handler on the queued events, one at a time, until
// the queue is empty or the subscription ended (then what is left is
// dropped).
func (sub *Subscription) runQueue(w *eventWorker) {
	w.gid.Store(curGoroutineID())
	goexit := true // until the loop returns: the handler ended the goroutine
	defer func() {
		if goexit {
			sub.afterGoexit()
		}
		sub.s.workers.done(w)
	}()
	q := &sub.queue
	for {
		q.mu.Lock()
		if q.head == len(q.items) || q.stopped || sub.ctx.Err() != nil {
			clear(q.items)
			q.items, q.head, q.bytes = q.items[:0], 0, 0
			q.running = false
			q.mu.Unlock()
			goexit = false
			return
		}
		e := q.items[q.head]
		q.items[q.head] = queuedEvent{}
		q.head++
		q.bytes -= e.size
		q.mu.Unlock()
		sub.handle(e.ev)
	}
}

// afterGoexit is for a handler that ended its worker's goroutine instead
// of returning (runtime.Goexit, which t.FailNow calls): a failure, counted
// and logged as such, after which a new worker goes on with the queue, as
// after a panic. Without one, the subscription would keep queueing for a
// worker that no longer runs.
func (sub *Subscription) afterGoexit() {
	c := &sub.stats
	c.failed.Add(1)
	if n, ok := c.logFailed.tick(); ok {
		sub.s.log.Error("event handler called runtime.Goexit instead of returning", "topic", sub.topic, "subscription", sub.ID(), "failed_since_last_line", n)
	}
	q := &sub.queue
	q.mu.Lock()
	start := q.head < len(q.items) && !q.stopped && sub.ctx.Err() == nil
	q.running = start
	if !start {
		clear(q.items)
		q.items, q.head, q.bytes = q.items[:0], 0, 0
	}
	q.mu.Unlock()
	if start {
		w := sub.s.workers.add()
		go sub.runQueue(w)
	}
}

// handle runs the handler on ev and counts and logs the outcome.
func (sub *Subscription) handle(ev *Event) {
	err, stack := sub.call(ev)
	c := &sub.stats
	log := sub.s.log
	switch {
	case err == nil:
		c.delivered.Add(1)
	case stack == nil && sub.ctx.Err() != nil && errors.Is(err, context.Canceled): // context.Cause's too
		// It gave up because the subscription or the session ended, as
		// its context asked: not a failure.
		log.Debug("event handler stopped: the subscription ended", "topic", ev.Topic, "err", err)
	case stack != nil:
		c.failed.Add(1)
		if n, ok := c.logFailed.tick(); ok {
			log.Error("event handler panicked", "topic", ev.Topic, "subscription", sub.ID(), "failed_since_last_line", n, "err", err, "stack", string(stack))
		}
	case errors.Is(err, ErrBadEvent):
		c.rejected.Add(1)
		if n, ok := c.logRejected.tick(); ok {
			log.Warn("rejected an event that does not match the topic's declared types", "topic", ev.Topic, "subscription", sub.ID(), "rejected_since_last_line", n, "err", err)
		}
	default:
		c.failed.Add(1)
		if n, ok := c.logFailed.tick(); ok {
			log.Error("event handler failed", "topic", ev.Topic, "subscription", sub.ID(), "failed_since_last_line", n, "err", err)
		}
	}
}

// call calls the handler, recovering a panic as an error with its stack.
func (sub *Subscription) call(ev *Event) (err error, stack []byte) {
	defer func() {
		if p := recover(); p != nil {
			err, stack = fmt.Errorf("panic: %v", p), debug.Stack()
		}
	}()
	if sub.ownEvent {
		own := *ev
		ev = &own
	}
	err = sub.handler(context.WithValue(sub.ctx, eventKey{}, ev), ev)
	// With interceptors, the handler's own panic is recovered inside them
	// (see wrapEvent): it is still a panic, with its stack.
	var p *handlerPanic
	if err != nil && errors.As(err, &p) && p.stack != nil {
		return fmt.Errorf("panic: %v", p.value), p.stack
	}
	return err, nil
}

// eventWorkers are the running workers of all subscriptions, for Close to
// wait for.
type eventWorkers struct {
	mu sync.Mutex
	m  map[*eventWorker]struct{}
}

type eventWorker struct {
	gid atomic.Uint64 // its goroutine, once it runs (see curGoroutineID)
	// released is closed when the worker ends, or when its handler calls
	// Close: Close waits for it no longer then. Two handlers closing their
	// session at the same time would otherwise each wait for the other.
	released chan struct{}
	release  sync.Once
}

// unblockClose closes w.released, once.
func (w *eventWorker) unblockClose() { w.release.Do(func() { close(w.released) }) }

func (ws *eventWorkers) add() *eventWorker {
	w := &eventWorker{released: make(chan struct{})}
	ws.mu.Lock()
	if ws.m == nil {
		ws.m = map[*eventWorker]struct{}{}
	}
	ws.m[w] = struct{}{}
	ws.mu.Unlock()
	return w
}

func (ws *eventWorkers) done(w *eventWorker) {
	ws.mu.Lock()
	delete(ws.m, w)
	ws.mu.Unlock()
	w.unblockClose()
}

// of returns the running worker of goroutine gid, or nil.
func (ws *eventWorkers) of(gid uint64) *eventWorker {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for w := range ws.m {
		if gid != 0 && w.gid.Load() == gid {
			return w
		}
	}
	return nil
}

// running returns the workers that run, but the one of goroutine gid.
func (ws *eventWorkers) running(gid uint64) []*eventWorker {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	out := make([]*eventWorker, 0, len(ws.m))
	for w := range ws.m {
		if gid == 0 || w.gid.Load() != gid {
			out = append(out, w)
		}
	}
	return out
}

// logEvery is how often, at most, a throttled kind of log line is
// written: one line for a burst, not one per message.
const logEvery = 10 * time.Second

// throttle counts occurrences of one kind of trouble since its last log
// line.
type throttle struct {
	mu     sync.Mutex
	n      int
	logged time.Time // when the last line was logged
}

// tick counts one occurrence and reports whether to log it now: for the
// first one, then at most once per logEvery, with n the number since the
// line before (this one included).
func (t *throttle) tick() (n int, log bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	now := time.Now()
	if !t.logged.IsZero() && now.Sub(t.logged) < logEvery {
		return 0, false
	}
	n, t.n, t.logged = t.n, 0, now
	return n, true
}
