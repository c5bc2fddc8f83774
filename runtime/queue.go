package runtime

import "sync"

// fifo is an unbounded queue between a producer that must never block and
// one consuming goroutine. It holds state changes, which come at most a
// few per connection attempt (events have bounded queues of their own:
// see delivery.go).
type fifo[T any] struct {
	mu     sync.Mutex
	items  []T
	wake   chan struct{}
	closed bool
}

func (q *fifo[T]) init() { q.wake = make(chan struct{}, 1) }

// push queues v, unless the queue is closed.
func (q *fifo[T]) push(v T) {
	q.mu.Lock()
	if !q.closed {
		q.items = append(q.items, v)
	}
	q.mu.Unlock()
	q.signal()
}

func (q *fifo[T]) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// close takes no more items and wakes the consumer.
func (q *fifo[T]) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

// pop waits for items and moves them into buf. Once the queue is closed it
// returns what is left (possibly nothing) with closed set; the consumer
// decides whether to handle or drop it.
func (q *fifo[T]) pop(buf []T) (items []T, closed bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 || q.closed {
			buf = append(buf[:0], q.items...)
			clear(q.items)
			q.items = q.items[:0]
			closed = q.closed
			q.mu.Unlock()
			return buf, closed
		}
		q.mu.Unlock()
		<-q.wake
	}
}
