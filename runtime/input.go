package runtime

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/wampgen/wampgen/internal/recent"
	"github.com/wampgen/wampgen/wamp"
)

// Streamed input, the callee side: progressive call invocations
// (advanced/rpc_progressive_call_invocations.md). See the package
// documentation, "Streamed input".

const (
	// defaultInputQueueBytes bounds one call's queued input. A caller
	// sending small chunks as fast as it can, through the embedded router
	// on a shared 2-core machine (load average 0.4 to 12), ran up to 4,400
	// chunks (under 2 MiB as counted here) ahead of a handler that only
	// sums them: the read loop queues while the scheduler keeps the
	// handler off a processor.
	// 16 MiB (some 38,000 such chunks) leaves room for worse scheduling,
	// and equals the largest message and an event queue's default bound.
	defaultInputQueueBytes = 16 << 20
	// defaultInputSessionBytes bounds the queued input of all a session's
	// calls: four calls at their own bound, or dozens each a normal lag
	// behind their callers, and no more than that however many calls one
	// or more callers start.
	defaultInputSessionBytes = 64 << 20

	// maxLateInputs bounds, per connection, the request IDs of the
	// invocations with streamed input that ended before their input did,
	// remembered so that their late chunks are ignored (see lateInputs).
	maxLateInputs = 4096
)

// ErrInputOverflowURI is the error URI of a call whose streamed input
// overflowed the callee's input queue for the call (Config.InputQueue,
// Config.InputQueueBytes) or the callee session's input budget for all its
// calls (Config.InputSessionBytes): the callee reads its input more slowly
// than its callers send it. It is not defined by the WAMP specification; its
// namespace is wampgen's own.
const ErrInputOverflowURI wamp.URI = "wampgen.error.input_overflow"

// ErrInputOverflow matches (with errors.Is) the error of a call whose
// streamed input overflowed the callee's input queue or input budget: on
// the caller's side the ERROR of the call, on the callee's side what
// Invocation.Input yields and the cause of the handler's context.
var ErrInputOverflow = &Error{URI: ErrInputOverflowURI}

// errRangedTwice is yielded by an Input ranged a second time.
var errRangedTwice = errors.New("runtime: the input of an invocation can be ranged only once")

// WithStreamedInput makes the handler take progressive invocations
// (streamed input): it reads the chunks with Invocation.Input, the first
// one as soon as it arrives. Without it, an INVOCATION with progress is
// answered with wamp.error.invalid_argument and the later chunks of that
// call are ignored. Nothing about it travels in REGISTER: the session
// announces progressive_call_invocations for all its registrations. The
// Invocation's Args and Kwargs hold the first chunk (Input yields it too),
// its Details those of the first INVOCATION, for the whole call.
func WithStreamedInput() RegisterOption {
	return registerOptionFunc(func(c *registerConfig) { c.streamedInput = true })
}

// InputChunk is one chunk of a call's streamed input: the arguments of one
// INVOCATION. Last is set on the final one (the INVOCATION without
// progress).
type InputChunk struct {
	Args, Kwargs wamp.Payload
	Last         bool
}

// Input returns the chunks of a call with streamed input, in order, the
// first INVOCATION's first; it ends after the last chunk, or yields an
// error once when the call is interrupted, times out, the session ends, or
// the input queue overflowed (an error matching ErrInputOverflow; the
// caller has been answered with it already). Ranging twice is an error.
//
// An invocation without streamed input (a call made with Call, or a
// handler registered without WithStreamedInput) has one chunk: its
// arguments, with Last set.
//
// Chunks wait in a bounded queue (Config.InputQueueBytes, InputQueue,
// InputSessionBytes) until Input yields them: a handler that reads its
// input more slowly than the caller sends it ends the call with
// wampgen.error.input_overflow. Once the handler has returned, what it did
// not read is dropped, and an Input ranged then yields an error.
func (inv *Invocation) Input() iter.Seq2[InputChunk, error] {
	return func(yield func(InputChunk, error) bool) {
		q := inv.input
		if q == nil {
			inv.mu.Lock()
			ranged := inv.ranged
			inv.ranged = true
			inv.mu.Unlock()
			if ranged {
				yield(InputChunk{}, errRangedTwice)
				return
			}
			yield(InputChunk{Args: inv.Args, Kwargs: inv.Kwargs, Last: true}, nil)
			return
		}
		var done <-chan struct{}
		if inv.ctx != nil {
			done = inv.ctx.Done()
		}
		q.mu.Lock()
		ranged := q.ranged
		q.ranged = true
		q.mu.Unlock()
		if ranged {
			yield(InputChunk{}, errRangedTwice)
			return
		}
		for {
			ch, ok, err := q.next()
			switch {
			case ok:
				if !yield(ch, nil) || ch.Last {
					return
				}
				continue
			case err != nil:
				yield(InputChunk{}, err)
				return
			}
			select {
			case <-q.wake:
			case <-done:
				yield(InputChunk{}, inputEndError(inv))
				return
			}
		}
	}
}

// inputEndError is what Input yields when the handler's context ended
// before the input did: the context's cause (ErrCanceled for INTERRUPT,
// ErrTimeout, ErrInputOverflow, the session's error).
func inputEndError(inv *Invocation) error {
	if err := inv.input.failed(); err != nil {
		return err
	}
	if inv.ctx != nil && inv.ctx.Err() != nil {
		return context.Cause(inv.ctx)
	}
	return fmt.Errorf("runtime: the input of %s ended early", inv.Procedure)
}

// inputQueue is the bounded queue of one invocation's streamed input: the
// read loop pushes, the handler's Input pops. Its mu guards it.
//
// Each queued chunk costs the size of its INVOCATION message (the chunk's
// payloads are parts of that message, which the transport allocated for
// it alone) plus inputChunkOverhead: that cost counts against the queue's
// maxBytes and the session's input budget, from the push until the chunk
// is read or dropped.
type inputQueue struct {
	mu        sync.Mutex
	ring      []queuedChunk // a ring: ring[(head+i)%len(ring)], i < n, are queued
	head, n   int
	bytes     int   // the cost of the queued chunks
	closed    bool  // the last chunk was received (queued or not)
	err       error // the input ended early (overflow, a chunk that cannot be read, the handler's return)
	ranged    bool
	maxChunks int
	maxBytes  int
	budget    *inputBudget // the session's, shared by all its queues
	wake      chan struct{}
}

type queuedChunk struct {
	InputChunk
	cost int
}

const (
	// inputChunkOverhead is what a queued chunk costs in memory besides
	// its INVOCATION message: its slot in the queue's ring (160 bytes: an
	// InputChunk and its cost; twice that just after the ring has
	// doubled) and the rounding of the message's allocation to Go's size
	// classes (a few bytes for a small message, at most an eighth of a
	// larger one, which the fixed overhead does not cover). Measured by
	// TestInputChunkCost, which fails if it is too low: 325 bytes for a
	// chunk of one number in a ring just doubled, the worst case.
	inputChunkOverhead = 384

	// minRingSize is the ring's size when it first grows; a ring larger
	// than maxIdleRing is let go when the queue empties, so that one burst
	// does not pin its memory for the rest of the call.
	minRingSize = 8
	maxIdleRing = 1024
)

func newInputQueue(maxChunks, maxBytes int, budget *inputBudget) *inputQueue {
	return &inputQueue{maxChunks: maxChunks, maxBytes: maxBytes, budget: budget, wake: make(chan struct{}, 1)}
}

// push queues one chunk that arrived in a message of size bytes. It
// reports false if the chunk did not fit: the input overflowed (see
// overflow), and the queue takes nothing more. A chunk after the last one,
// or after the input ended early, is ignored.
func (q *inputQueue) push(ch InputChunk, size int) bool {
	cost := size + inputChunkOverhead
	q.mu.Lock()
	if q.closed || q.err != nil {
		q.mu.Unlock()
		return true
	}
	var why string
	switch {
	case q.n >= q.maxChunks:
		why = fmt.Sprintf("the callee's input queue for this call is full (%d chunks)", q.maxChunks)
	case q.n > 0 && q.bytes+cost > q.maxBytes:
		why = fmt.Sprintf("the callee's input queue for this call is full (%d bytes)", q.maxBytes)
	case !q.budget.take(cost):
		why = fmt.Sprintf("the callee's input budget for all its calls is spent (%d bytes)", q.budget.max)
	}
	if why != "" {
		q.err = &Error{URI: ErrInputOverflowURI, Args: wamp.ArgsOf(why + ": it reads its input more slowly than its callers send it")}
		q.dropLocked()
		q.mu.Unlock()
		q.signal()
		return false
	}
	if q.n == len(q.ring) {
		q.growLocked()
	}
	q.ring[(q.head+q.n)%len(q.ring)] = queuedChunk{InputChunk: ch, cost: cost}
	q.n++
	q.bytes += cost
	q.closed = ch.Last
	q.mu.Unlock()
	q.signal()
	return true
}

// growLocked doubles the ring, keeping the chunks in order.
func (q *inputQueue) growLocked() {
	ring := make([]queuedChunk, max(minRingSize, 2*len(q.ring)))
	for i := range q.n {
		ring[i] = q.ring[(q.head+i)%len(q.ring)]
	}
	q.ring, q.head = ring, 0
}

// dropLocked drops the queued chunks and gives their cost back to the
// session's budget.
func (q *inputQueue) dropLocked() {
	q.budget.give(q.bytes)
	q.ring, q.head, q.n, q.bytes = nil, 0, 0, 0
}

func (q *inputQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// next pops the next chunk (ok), or returns the error that ended the
// input; neither when the queue is empty and the input goes on.
func (q *inputQueue) next() (InputChunk, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		// An overflow ends the input at once: the caller has its answer.
		return InputChunk{}, false, q.err
	}
	if q.n == 0 {
		return InputChunk{}, false, nil
	}
	qc := q.ring[q.head]
	q.ring[q.head] = queuedChunk{}
	q.head = (q.head + 1) % len(q.ring)
	q.n--
	q.bytes -= qc.cost
	q.budget.give(qc.cost)
	if q.n == 0 {
		q.head = 0
		if len(q.ring) > maxIdleRing {
			q.ring = nil
		}
	}
	return qc.InputChunk, true, nil
}

// open reports whether more chunks may come.
func (q *inputQueue) open() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return !q.closed && q.err == nil
}

// complete reports whether the last chunk was received.
func (q *inputQueue) complete() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

// fail ends the input with err, unless it has ended, dropping what is
// queued.
func (q *inputQueue) fail(err error) {
	q.mu.Lock()
	if q.err == nil && !q.closed {
		q.err = err
		q.dropLocked()
	}
	q.mu.Unlock()
	q.signal()
}

// errHandlerReturned is what an Input ranged after its handler returned
// yields, once the chunks it had not read are dropped.
var errHandlerReturned = errors.New("runtime: the handler returned before it read all of its input")

// discard drops what is still queued once the handler has returned: no one
// reads it any more, and it must not hold the session's budget. A chunk
// pushed later is ignored, and an Input ranged later yields an error.
func (q *inputQueue) discard() {
	q.mu.Lock()
	if q.err == nil && (q.n > 0 || !q.closed) {
		q.err = errHandlerReturned
	}
	q.dropLocked()
	q.mu.Unlock()
	q.signal()
}

func (q *inputQueue) failed() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err
}

// inputBudget bounds the cost of the chunks queued in all the input queues
// of a session (Config.InputSessionBytes).
type inputBudget struct {
	used atomic.Int64
	max  int64
	// overflows: the calls that overflowed, logged in aggregate (a
	// caller decides how often that happens).
	overflows throttle
}

// logOverflow logs that the input of procedure's invocation request
// overflowed (err says which bound): the first time, then at most once
// per 10 s with the count since the line before.
func (s *Session) logOverflow(procedure wamp.URI, request wamp.ID, err error) {
	if n, ok := s.inputBudget.overflows.tick(); ok {
		s.log.Warn("streamed input overflowed: the call ends", "procedure", procedure, "request", request, "count", n, "err", err)
	}
}

// take reserves n bytes of the budget, and reports whether it could: the
// budget's max is not exceeded, or nothing was queued (a chunk larger than
// the whole budget is taken only then, as a queue takes a chunk larger
// than its own bound only when empty).
func (b *inputBudget) take(n int) bool {
	for {
		used := b.used.Load()
		if used > 0 && used+int64(n) > b.max {
			return false
		}
		if b.used.CompareAndSwap(used, used+int64(n)) {
			return true
		}
	}
}

// give returns n bytes to the budget.
func (b *inputBudget) give(n int) {
	if n != 0 {
		b.used.Add(-int64(n))
	}
}

// continueInput handles the next chunk m of the running invocation st
// (the read loop calls it): it is queued, or, if the queue is full, the
// call ends with ERROR wampgen.error.input_overflow (see endInput).
func (s *Session) continueInput(c *conn, st *invocationState, m *wamp.Invocation, last bool) {
	inv := st.inv
	if inv == nil || inv.input == nil {
		return // checkInvocation drops these
	}
	if inv.input.push(InputChunk{Args: m.Args, Kwargs: m.Kwargs, Last: last}, c.frameSize) {
		return
	}
	err := inv.input.failed().(*Error)
	s.logOverflow(inv.Procedure, m.Request, err)
	s.endInput(c, st, err)
}

// endInput ends the running invocation st, whose input ended with err (an
// overflow, a chunk that cannot be read): the caller is answered with
// ERROR err at once, the handler's context is cancelled with err as its
// cause, and its own answer is dropped. The read loop calls it.
func (s *Session) endInput(c *conn, st *invocationState, err *Error) {
	inv := st.inv
	inv.input.fail(err)
	inv.mu.Lock()
	answered := inv.finished || inv.answered
	inv.answered = true
	inv.mu.Unlock()
	st.cancel(err)
	if answered {
		return // the handler's own answer is on its way
	}
	if e := s.sendOn(noWait, c, &wamp.Error{RequestType: wamp.TypeInvocation, Request: inv.request, Details: wamp.Dict{},
		Error: err.URI, Args: err.Args}); e != nil {
		s.log.Debug("answering an invocation whose input failed", "procedure", inv.Procedure, "err", e)
	}
}

// failChunk handles an INVOCATION that cannot be read (undecodable, over
// MaxMessageSize) and reports whether it was a chunk of streamed input: of
// a running invocation, which then ends with err (see endInput), or a late
// one, ignored. The read loop calls it.
func (s *Session) failChunk(c *conn, req wamp.ID, err *Error) bool {
	if !c.feats.has(dealerProgressiveCallInvocations) {
		return false
	}
	st, late := c.invs.lookup(req)
	if late {
		return true
	}
	if st == nil || st.inv == nil || st.inv.input == nil || !st.inv.input.open() {
		return false
	}
	s.log.Warn("a chunk of streamed input cannot be read: the call ends", "procedure", st.inv.Procedure, "request", req, "err", err)
	s.endInput(c, st, err)
	return true
}

// lateInputs remembers, per connection, the request IDs of invocations
// with streamed input that ended (answered, refused, overflowed) before
// their last chunk arrived: the chunks still on their way are ignored,
// as the spec asks ("Continuations on Completed Calls"). An entry goes at
// the last chunk, or, past maxLateInputs entries, the oldest goes first.
type lateInputs struct{ set recent.Set[wamp.ID] }

func (l *lateInputs) add(id wamp.ID)      { l.set.Add(id, maxLateInputs) }
func (l *lateInputs) has(id wamp.ID) bool { return l.set.Has(id) }

// forget removes id (its last chunk arrived); its slot in the ring stays
// until it is reused.
func (l *lateInputs) forget(id wamp.ID) { l.set.Forget(id) }
