package runtime

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/wampgen/wampgen/internal/recent"
	"github.com/wampgen/wampgen/wamp"
)

// Streamed input, the callee side: progressive call invocations
// (advanced/rpc_progressive_call_invocations.md). See the package
// documentation, "Streamed input".

const (
	defaultInputQueue      = 1024
	defaultInputQueueBytes = 4 << 20

	// maxLateInputs bounds, per connection, the request IDs of the
	// invocations with streamed input that ended before their input did,
	// remembered so that their late chunks are ignored (see lateInputs).
	maxLateInputs = 4096
)

// ErrInputOverflowURI is the error URI of a call whose streamed input
// overflowed the callee's input queue (Config.InputQueue,
// Config.InputQueueBytes): the callee reads its input more slowly than the
// caller sends it. It is not defined by the WAMP specification; its
// namespace is wampgen's own.
const ErrInputOverflowURI wamp.URI = "wampgen.error.input_overflow"

// ErrInputOverflow matches (with errors.Is) the error of a call whose
// streamed input overflowed the callee's input queue: on the caller's side
// the ERROR of the call, on the callee's side what Invocation.Input yields
// and the cause of the handler's context.
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
// Chunks wait in a bounded queue (Config.InputQueue, InputQueueBytes)
// until Input yields them: a handler that reads its input more slowly than
// the caller sends it ends the call with wampgen.error.input_overflow.
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
type inputQueue struct {
	mu        sync.Mutex
	chunks    []InputChunk
	sizes     []int
	head      int // chunks[head:] are queued
	bytes     int
	closed    bool  // the last chunk was received (queued or not)
	err       error // the input ended early (overflow)
	ranged    bool
	maxChunks int
	maxBytes  int
	wake      chan struct{}
}

func newInputQueue(maxChunks, maxBytes int) *inputQueue {
	return &inputQueue{maxChunks: maxChunks, maxBytes: maxBytes, wake: make(chan struct{}, 1)}
}

// push queues one chunk of size bytes. It reports false if the queue was
// full: the input overflowed, and the queue takes nothing more. A chunk
// after the last one, or after an overflow, is ignored.
func (q *inputQueue) push(ch InputChunk, size int) bool {
	q.mu.Lock()
	if q.closed || q.err != nil {
		q.mu.Unlock()
		return true
	}
	n := len(q.chunks) - q.head
	if n >= q.maxChunks || (n > 0 && q.bytes+size > q.maxBytes) {
		q.err = &Error{URI: ErrInputOverflowURI, Args: wamp.ArgsOf(fmt.Sprintf(
			"the callee's input queue is full (%d chunks, %d bytes): it reads its input more slowly than the caller sends it", q.maxChunks, q.maxBytes))}
		q.mu.Unlock()
		q.signal()
		return false
	}
	if q.head > 0 && q.head == len(q.chunks) {
		clear(q.chunks)
		q.chunks, q.sizes, q.head = q.chunks[:0], q.sizes[:0], 0
	}
	q.chunks = append(q.chunks, ch)
	q.sizes = append(q.sizes, size)
	q.bytes += size
	q.closed = ch.Last
	q.mu.Unlock()
	q.signal()
	return true
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
	if q.head == len(q.chunks) {
		return InputChunk{}, false, nil
	}
	ch := q.chunks[q.head]
	q.chunks[q.head] = InputChunk{}
	q.bytes -= q.sizes[q.head]
	q.head++
	return ch, true, nil
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

// fail ends the input with err, unless it has ended.
func (q *inputQueue) fail(err error) {
	q.mu.Lock()
	if q.err == nil && !q.closed {
		q.err = err
	}
	q.mu.Unlock()
	q.signal()
}

func (q *inputQueue) failed() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err
}

// continueInput handles the next chunk m of the running invocation st
// (the read loop calls it): it is queued, or, if the queue is full, the
// call ends with ERROR wampgen.error.input_overflow (see endInput).
func (s *Session) continueInput(c *conn, st *invocationState, m *wamp.Invocation, last bool) {
	inv := st.inv
	if inv == nil || inv.input == nil {
		return // checkInvocation refuses these
	}
	if inv.input.push(InputChunk{Args: m.Args, Kwargs: m.Kwargs, Last: last}, c.frameSize) {
		return
	}
	s.log.Warn("streamed input overflowed the input queue: the call ends", "procedure", inv.Procedure, "request", m.Request)
	s.endInput(c, st, inv.input.failed().(*Error))
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
