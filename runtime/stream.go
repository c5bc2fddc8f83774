package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// Streamed input, the caller side: progressive call invocations
// (advanced/rpc_progressive_call_invocations.md). See the package
// documentation, "Streamed input".

// StreamCaller makes calls whose input is streamed (progressive call
// invocations). *Session implements it.
type StreamCaller interface {
	CallInput(ctx context.Context, procedure wamp.URI, opts ...CallOption) (InputCall, error)
}

// InputCall is one call whose arguments are sent in chunks; ctx given to
// CallInput governs the whole call (its end cancels the call, with the
// call's cancel mode, except that CancelSkip is sent as CancelKillNoWait
// until the last chunk is sent: a callee the router does not interrupt
// would wait for the rest of its input). Its methods are safe for concurrent use, but the
// chunks are sent in the order the calls of Send return; make them from
// one goroutine.
//
// A call that is started must be ended, with CloseSend or by ending the
// context given to CallInput: until then the session keeps it pending.
type InputCall interface {
	// Send sends one chunk (CALL with progress=true; the first one starts
	// the call). Once the call has ended (callee error, cancellation,
	// session gone) it returns that error without sending; once the callee
	// has answered before the input ended, an error matching
	// ErrAnsweredEarly (CloseSend then returns the answer). A chunk that
	// cannot be sent (ctx ended while the connection's write queue was
	// full, a chunk over MaxMessageSize) cancels the call: the callee must
	// never see an input with a hole.
	Send(ctx context.Context, args, kwargs wamp.Payload) error
	// CloseSend sends the last chunk (CALL without progress) and waits for
	// the final result. If ctx ends first the call is cancelled, as when
	// the context given to CallInput ends.
	CloseSend(ctx context.Context, args, kwargs wamp.Payload) (*Result, error)
}

// ErrAnsweredEarly is matched by the error InputCall.Send returns once the
// callee has sent its final result before the input ended: the call is
// over, nothing more is sent, and CloseSend returns that result without
// sending.
var ErrAnsweredEarly = errors.New("runtime: the callee answered before the input ended")

// CallInput starts a call of procedure whose input is streamed: nothing is
// sent until the first Send (or CloseSend, for an empty input). It needs a
// router that announces progressive_call_invocations; otherwise it fails,
// nothing sent, with an error matching ErrFeatureNotSupported. The callee
// must have registered with WithStreamedInput (or be another client that
// takes progressive invocations): a router answers
// wamp.error.feature_not_supported for a callee that does not announce the
// feature, and this runtime answers wamp.error.invalid_argument for a
// handler registered without WithStreamedInput.
//
// The options are those of Call, fixed for the whole call: they travel in
// the first CALL only (the spec freezes them there) and every later chunk
// carries just progress. WithProgress works at the same time
// (bidirectional): its callback runs on the goroutine in Send or
// CloseSend, never after CloseSend returns. The progressive results that
// arrive between two Sends wait for the next one, at most 1024 of them:
// one more cancels the call (an error matching ErrCanceled), so a callee
// cannot fill the caller's memory while it produces its input.
//
// Unlike Call, the context's deadline does not travel as
// CALL.Options.timeout (nor does a timeout given with WithCallOptions):
// routers time progressive invocations out unreliably (nexus v3.3.0 starts
// a timer per chunk), so the caller does it, by cancelling the call when
// ctx ends; the callee is interrupted as for any cancelled call.
func (s *Session) CallInput(ctx context.Context, procedure wamp.URI, opts ...CallOption) (InputCall, error) {
	cfg, err := s.callConfig(ctx, procedure, opts)
	if err != nil {
		return nil, err
	}
	if s.chains != nil || len(cfg.interceptors) > 0 {
		return s.interceptedCallInput(ctx, procedure, cfg)
	}
	return s.callInputWith(ctx, procedure, &cfg)
}

// callInputWith starts the call with the config cfg: the work of
// CallInput, after the interceptors.
func (s *Session) callInputWith(ctx context.Context, procedure wamp.URI, cfg *callConfig) (InputCall, error) {
	c := s.cur.Load()
	if c == nil {
		return nil, fmt.Errorf("runtime: calling %s: %w", procedure, s.notConnected())
	}
	feats := c.features()
	if !feats.has(dealerProgressiveCallInvocations) {
		return nil, fmt.Errorf("runtime: calling %s: %w", procedure, missing(dealerProgressiveCallInvocations, "streamed input"))
	}
	if (cfg.discloseMe || isTrue(cfg.options, wamp.OptDiscloseMe)) && !feats.has(dealerCallerIdentification) {
		return nil, fmt.Errorf("runtime: calling %s: %w", procedure, missing(dealerCallerIdentification, "disclose_me"))
	}
	progress := (cfg.progress != nil || cfg.rawProgress != nil) && feats.has(dealerProgressiveCallResults)
	options := make(wamp.Dict, len(cfg.options)+3)
	for k, v := range cfg.options {
		options[k] = v
	}
	// The keys the runtime owns: progress is set per chunk, timeout is
	// never sent (see above).
	delete(options, wamp.OptTimeout)
	delete(options, wamp.OptProgress)
	delete(options, wamp.OptReceiveProgress)
	if progress {
		options[wamp.OptReceiveProgress] = true
	}
	if cfg.discloseMe {
		options[wamp.OptDiscloseMe] = true
	}
	return &inputCall{s: s, ctx: ctx, procedure: procedure, cfg: *cfg, options: options, progress: progress, c: c}, nil
}

// inputCall is a *Session's InputCall.
type inputCall struct {
	s         *Session
	ctx       context.Context // governs the whole call
	procedure wamp.URI
	cfg       callConfig
	options   wamp.Dict // of the first CALL
	progress  bool      // progressive results were asked for
	run       *callRun  // an intercepted call's (see guardedInputCall); nil otherwise

	mu      sync.Mutex
	c       *conn // the connection the call is made on
	id      wamp.ID
	p       *pendingCall // while the call is in flight
	started bool
	sent    bool         // the first CALL was sent
	sentAll bool         // the last CALL (without progress) was sent
	closed  bool         // CloseSend was called
	err     error        // what ended the call, when it did not end with a result
	early   *wamp.Result // the final result, when it came before the input ended
	stop    func() bool  // stops the watch on ctx

	// split is set for a call whose results one goroutine receives (recv)
	// while another sends its input (see CallInputStream): Send and
	// closeInput then never take what arrives for the call. Its
	// pendingCall is not recycled (recv may still wait on its wake), and
	// note wakes recv when the call starts or ends on the caller's side.
	split bool
	note  chan struct{}
	// waitClose is set for a split call whose input an interceptor's
	// InputCall sends: its CloseSend sends the last chunk and waits for
	// the end of the call that recv receives (closeAndWait); done is
	// closed then.
	waitClose bool
	done      chan struct{}
}

// continuation are the options of every CALL after the first.
var (
	continuation = wamp.Dict{wamp.OptProgress: true}
	finalChunk   = wamp.Dict{}
)

func (ic *inputCall) Send(ctx context.Context, args, kwargs wamp.Payload) error {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if err := ic.endedLocked(); err != nil {
		return err
	}
	if ic.closed {
		return fmt.Errorf("runtime: calling %s: Send after CloseSend", ic.procedure)
	}
	if !ic.split {
		if err := ic.drainLocked(); err != nil {
			return err
		}
	}
	return ic.sendLocked(ctx, args, kwargs, true)
}

func (ic *inputCall) CloseSend(ctx context.Context, args, kwargs wamp.Payload) (*Result, error) {
	ic.mu.Lock()
	if ic.split {
		wait := ic.waitClose
		ic.mu.Unlock()
		if !wait {
			return nil, fmt.Errorf("runtime: calling %s: CloseSend of a call whose results another goroutine receives", ic.procedure)
		}
		return ic.closeAndWait(ctx, args, kwargs)
	}
	defer ic.mu.Unlock()
	if ic.closed {
		return nil, fmt.Errorf("runtime: calling %s: CloseSend called twice", ic.procedure)
	}
	ic.closed = true
	if ic.early != nil {
		r := ic.early
		ic.early = nil
		return &Result{Args: r.Args, Kwargs: r.Kwargs, Details: r.Details}, nil
	}
	if ic.err != nil {
		return nil, ic.err
	}
	if err := ic.drainLocked(); err != nil {
		if ic.early != nil {
			r := ic.early
			ic.early = nil
			return &Result{Args: r.Args, Kwargs: r.Kwargs, Details: r.Details}, nil
		}
		return nil, err
	}
	if err := ic.sendLocked(ctx, args, kwargs, false); err != nil {
		return nil, err
	}
	r, err := ic.awaitLocked(ctx)
	if err != nil {
		return nil, err
	}
	return &Result{Args: r.Args, Kwargs: r.Kwargs, Details: r.Details}, nil
}

// endedLocked returns the error of a call that has ended.
func (ic *inputCall) endedLocked() error {
	if ic.early != nil {
		return fmt.Errorf("runtime: calling %s: %w", ic.procedure, ErrAnsweredEarly)
	}
	return ic.err
}

// sendLocked sends one chunk; the first one starts the call.
func (ic *inputCall) sendLocked(ctx context.Context, args, kwargs wamp.Payload, more bool) error {
	if err := ic.ctx.Err(); err != nil {
		return ic.failLocked(contextError(err), true)
	}
	if err := ctx.Err(); err != nil {
		return ic.failLocked(contextError(err), true)
	}
	s := ic.s
	var options wamp.Dict
	if !ic.started {
		options = ic.options
		if more {
			options[wamp.OptProgress] = true
		} else {
			delete(options, wamp.OptProgress)
		}
		ic.id = s.reqIDs.Next()
		var p *pendingCall
		if ic.split {
			p = &pendingCall{wake: make(chan struct{}, 1)}
		} else {
			p = pendingPool.Get().(*pendingCall)
		}
		p.progress = ic.progress
		p.limit = maxUnreadProgress
		s.calls.mu.Lock()
		if s.life.closed.Load() {
			s.calls.mu.Unlock()
			ic.release(p)
			ic.err = s.errClosed()
			ic.notify()
			return ic.err
		}
		s.calls.m[ic.id] = p
		s.calls.mu.Unlock()
		ic.p = p
		ic.started = true
		ic.stop = context.AfterFunc(ic.ctx, ic.contextEnded)
		ic.notify()
	} else if more {
		options = continuation
	} else {
		options = finalChunk
	}
	// Waits for room in the write queue no longer than either context.
	wait := ic.ctx
	if ctx != ic.ctx && ctx.Done() != nil {
		var cancel context.CancelFunc
		wait, cancel = context.WithCancel(ctx)
		defer context.AfterFunc(ic.ctx, cancel)()
		defer cancel()
	}
	msg := callMessages.Get().(*wamp.Call)
	*msg = wamp.Call{Request: ic.id, Options: options, Procedure: ic.procedure, Args: args, Kwargs: kwargs}
	err := s.sendOn(wait, ic.c, msg)
	*msg = wamp.Call{}
	callMessages.Put(msg)
	if err != nil {
		if errors.Is(err, errQueueFull) {
			if e := ic.ctx.Err(); e != nil {
				return ic.failLocked(contextError(e), true)
			}
			if e := ctx.Err(); e != nil {
				return ic.failLocked(contextError(e), true)
			}
		}
		return ic.failLocked(fmt.Errorf("runtime: calling %s: %w", ic.procedure, err), true)
	}
	ic.sent = true
	ic.sentAll = !more
	return nil
}

// drainLocked handles what arrived for the call without waiting:
// progressive results go to the progress callback; an error or a final
// result ends the call.
func (ic *inputCall) drainLocked() error {
	if ic.p == nil {
		return nil
	}
	for _, ev := range ic.p.take() {
		if err := ic.eventLocked(ev); err != nil {
			return err
		}
	}
	return nil
}

// eventLocked handles one event of the call: nil for a progressive result
// handled, otherwise the error that ends the call (for a final result,
// one matching ErrAnsweredEarly, with ic.early set).
func (ic *inputCall) eventLocked(ev callEvent) error {
	if ev.err != nil {
		return ic.endLocked(ev.err)
	}
	if isProgress(ev.res.Details) {
		var err error
		if ic.run != nil {
			ic.run.inner.Add(1) // a panic from here is the caller's (see guardedInputCall)
		}
		if ic.cfg.rawProgress != nil {
			err = ic.cfg.rawProgress(ev.res)
		} else if ic.cfg.progress != nil {
			err = ic.cfg.progress(&Result{Args: ev.res.Args, Kwargs: ev.res.Kwargs, Details: ev.res.Details})
		}
		if ic.run != nil {
			ic.run.inner.Add(-1)
		}
		if err != nil {
			return ic.failLocked(err, true)
		}
		return nil
	}
	ic.early = ev.res
	ic.finishLocked()
	return fmt.Errorf("runtime: calling %s: %w", ic.procedure, ErrAnsweredEarly)
}

// awaitLocked waits for the final result, handling progressive results.
func (ic *inputCall) awaitLocked(ctx context.Context) (*wamp.Result, error) {
	p := ic.p
	for {
		select {
		case <-p.wake:
		case <-ic.ctx.Done():
			return nil, ic.failLocked(contextError(ic.ctx.Err()), true)
		case <-ctx.Done():
			return nil, ic.failLocked(contextError(ctx.Err()), true)
		}
		for _, ev := range p.take() {
			if err := ic.eventLocked(ev); err != nil {
				if ic.early != nil {
					r := ic.early
					ic.early = nil
					return r, nil
				}
				return nil, err
			}
		}
	}
}

// endLocked ends the call with err, which the read loop delivered (it has
// taken the call out of s.calls already).
func (ic *inputCall) endLocked(err error) error {
	ic.err = err
	ic.finishLocked()
	return err
}

// finishLocked forgets a call the read loop has ended.
func (ic *inputCall) finishLocked() {
	if ic.stop != nil {
		ic.stop()
	}
	if ic.p != nil {
		ic.release(ic.p)
		ic.p = nil
	}
}

// release puts back p, a pendingCall no longer in s.calls, unless the call
// is split (see inputCall.split).
func (ic *inputCall) release(p *pendingCall) {
	if !ic.split {
		recycleCall(p)
	}
}

// notify wakes recv, of a split call.
func (ic *inputCall) notify() {
	if ic.note == nil {
		return
	}
	select {
	case ic.note <- struct{}{}:
	default:
	}
}

// failLocked ends the call with err on the caller's side: a call in flight
// is cancelled (CANCEL with the call's mode) when cancel is true, and
// forgotten.
func (ic *inputCall) failLocked(err error, cancel bool) error {
	if ic.err != nil || ic.early != nil {
		return ic.endedLocked()
	}
	ic.err = err
	ic.notify()
	if ic.p == nil {
		return err
	}
	if ic.stop != nil {
		ic.stop()
	}
	if cancel && ic.sent {
		// The CANCEL waits for room no longer than the call's context
		// lasts, or a moment when that one has not ended (the chunk's
		// context did): the call is over for the caller either way.
		ctx := ic.ctx
		if ctx.Err() == nil {
			var stop context.CancelFunc
			ctx, stop = context.WithTimeout(ctx, cancelWait)
			defer stop()
		}
		ic.s.cancelCall(ctx, ic.c, ic.id, ic.cancelMode())
	}
	ic.s.calls.mu.Lock()
	delete(ic.s.calls.m, ic.id)
	ic.s.calls.mu.Unlock()
	ic.release(ic.p)
	ic.p = nil
	return err
}

// cancelMode is the mode of the call's CANCEL: the call's own, except that
// skip while the input is open is killnowait. With skip the router answers
// the caller and never tells the callee, whose handler would wait for the
// rest of its input as long as its session lasts; killnowait answers the
// caller as soon, and interrupts the callee.
func (ic *inputCall) cancelMode() CancelMode {
	if ic.cfg.cancelMode == CancelSkip && !ic.sentAll {
		return CancelKillNoWait
	}
	return ic.cfg.cancelMode
}

// maxUnreadProgress bounds the progressive results that a call with
// streamed input holds for its caller between two Sends (see
// deliverResult).
const maxUnreadProgress = 1024

// cancelWait bounds how long an InputCall whose own context has not ended
// waits for room in the write queue to send CANCEL.
const cancelWait = time.Second

// contextEnded cancels the call when the context given to CallInput ends
// while no Send or CloseSend is running (one that is returns at once).
func (ic *inputCall) contextEnded() {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if ic.p == nil {
		return
	}
	ic.failLocked(contextError(ic.ctx.Err()), true)
}

// splitCall makes ic a split call (see inputCall.split); it must be called
// before the first Send.
func (ic *inputCall) splitCall() {
	ic.split = true
	ic.note = make(chan struct{}, 1)
	ic.done = make(chan struct{})
}

// endedSplitLocked marks the end of a split call, which recv reports.
func (ic *inputCall) endedSplitLocked() {
	select {
	case <-ic.done:
	default:
		close(ic.done)
	}
}

// closeAndWait is CloseSend of a split call whose input an interceptor's
// InputCall sends (waitClose): it sends the last chunk and returns how the
// call ended, once recv has received it (or ctx has ended: the call is
// cancelled then).
func (ic *inputCall) closeAndWait(ctx context.Context, args, kwargs wamp.Payload) (*Result, error) {
	ic.closeInput(ctx, args, kwargs)
	select {
	case <-ic.done:
	case <-ctx.Done():
		select {
		case <-ic.done:
		default:
			ic.mu.Lock()
			err := ic.failLocked(contextError(ctx.Err()), true)
			ic.mu.Unlock()
			return nil, err
		}
	}
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if r := ic.early; r != nil {
		return &Result{Args: r.Args, Kwargs: r.Kwargs, Details: r.Details}, nil
	}
	return nil, ic.err
}

// closeInput sends the last chunk of a split call, without waiting for the
// result (recv receives it). A call that has ended is left alone: recv
// reports how it ended.
func (ic *inputCall) closeInput(ctx context.Context, args, kwargs wamp.Payload) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if ic.closed || ic.endedLocked() != nil {
		return
	}
	ic.closed = true
	ic.sendLocked(ctx, args, kwargs, false) //nolint:errcheck // recv reports it: a failure ends the call
}

// recv waits for what arrives for a split call: the progressive results
// that arrived, in order, then, once, the final result or the error that
// ended the call (on either side). After that it must not be called again.
func (ic *inputCall) recv() (progress []*wamp.Result, final *wamp.Result, err error) {
	for {
		ic.mu.Lock()
		if ic.err != nil {
			err := ic.err
			ic.endedSplitLocked()
			ic.mu.Unlock()
			return nil, nil, err
		}
		var wake <-chan struct{}
		if p := ic.p; p != nil {
			for _, ev := range p.take() {
				switch {
				case ev.err != nil:
					ic.endLocked(ev.err)
					ic.endedSplitLocked()
					ic.mu.Unlock()
					return progress, nil, ev.err
				case isProgress(ev.res.Details):
					progress = append(progress, ev.res)
				default:
					ic.early = ev.res
					ic.finishLocked()
					ic.endedSplitLocked()
					ic.mu.Unlock()
					return progress, ev.res, nil
				}
			}
			if len(progress) > 0 {
				ic.mu.Unlock()
				return progress, nil, nil
			}
			wake = p.wake
		}
		ic.mu.Unlock()
		select {
		case <-wake:
		case <-ic.note:
		case <-ic.ctx.Done():
			// contextEnded cancels a call in flight; this ends one that
			// has not started (the input has not produced its first item).
			ic.mu.Lock()
			ic.failLocked(contextError(ic.ctx.Err()), true)
			ic.mu.Unlock()
		}
	}
}
