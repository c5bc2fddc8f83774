package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// maxTimeoutOption is the largest timeout, in milliseconds, that a CALL
// carries: 2³¹−1, about 24.8 days. A later deadline is not sent (the
// caller still cancels the call when it passes): routers and callees
// overflow on larger values (nexus multiplies the milliseconds into a
// time.Duration; a JavaScript timer fires at once above 2³¹−1 ms), and
// the call would time out at once.
const maxTimeoutOption = 1<<31 - 1

// Result is the outcome of a call (and one progressive result), and what a
// Handler returns to answer an invocation.
type Result struct {
	Args    wamp.Payload
	Kwargs  wamp.Payload
	Details wamp.Dict // RESULT.Details on the caller side; ignored in a Handler's return
}

// Caller makes WAMP calls. *Session implements it; generated clients depend
// only on this interface, so tests can substitute anything.
type Caller interface {
	Call(ctx context.Context, procedure wamp.URI, args, kwargs wamp.Payload, opts ...CallOption) (*Result, error)
}

// CallOption configures one call.
type CallOption interface{ applyCall(*callConfig) }

type callConfig struct {
	progress    func(*Result) error
	rawProgress func(*wamp.Result) error // progress without a *Result per item (typed helpers)
	cancelMode  CancelMode
	discloseMe  bool
	options     wamp.Dict
	// interceptors are those of WithInterceptors, after the session's.
	interceptors []Interceptor
}

type callOptionFunc func(*callConfig)

func (f callOptionFunc) applyCall(c *callConfig) { f(c) }

// applyCallOptions returns cfg with opts applied. (Kept apart from call, and
// not inlined, so that a call without options keeps its config on the
// stack.)
//
//go:noinline
func applyCallOptions(cfg callConfig, opts []CallOption) callConfig {
	for _, o := range opts {
		o.applyCall(&cfg)
	}
	return cfg
}

// callConfig returns the config of a call of procedure made with opts,
// after checking the options and ctx: the first steps of Call and
// CallInput.
func (s *Session) callConfig(ctx context.Context, procedure wamp.URI, opts []CallOption) (callConfig, error) {
	cfg := callConfig{cancelMode: s.cfg.CancelMode}
	if len(opts) > 0 {
		if err := optionError(opts); err != nil {
			return cfg, fmt.Errorf("runtime: calling %s: %w", procedure, err)
		}
		cfg = applyCallOptions(cfg, opts)
	}
	if err := cfg.cancelMode.check(); err != nil {
		return cfg, fmt.Errorf("runtime: calling %s: %w", procedure, err)
	}
	if err := ctx.Err(); err != nil {
		return cfg, contextError(err)
	}
	return cfg, nil
}

// withRawProgress is WithProgress for the runtime's typed helpers: fn gets
// each progressive RESULT as it arrived.
func withRawProgress(fn func(*wamp.Result) error) CallOption {
	return callOptionFunc(func(c *callConfig) { c.rawProgress, c.progress = fn, nil })
}

// WithProgress asks for progressive results and passes each one to fn, in
// order, on the goroutine that called Call, and never after Call returns.
// If fn returns an error, the call is cancelled and Call returns that error.
//
// A router that does not announce progressive_call_results is not asked
// (CALL.Options.receive_progress is left out): fn is then never called,
// and the final result is all there is.
func WithProgress(fn func(*Result) error) CallOption {
	return callOptionFunc(func(c *callConfig) { c.progress, c.rawProgress = fn, nil })
}

// WithCancelMode sets the CANCEL mode sent when the call's context ends:
// CancelKill, CancelKillNoWait or CancelSkip; Call refuses any other
// value, before anything is sent. The default is Config.CancelMode,
// itself CancelKill by default, so that the callee is interrupted and
// stops working for a caller that is gone. The zero value "" leaves
// that default.
//
// A router that does not announce call_canceling gets no CANCEL: the call
// returns at once all the same, as in skip mode, and the callee is not
// interrupted.
func WithCancelMode(mode CancelMode) CallOption {
	return callOptionFunc(func(c *callConfig) {
		if mode != "" {
			c.cancelMode = mode
		}
	})
}

// WithDiscloseMe asks the router to disclose the caller's identity to the
// callee (CALL.Options.disclose_me). If the router does not announce
// caller_identification, the call fails before anything is sent, with an
// error matching ErrFeatureNotSupported: a callee may decide on who calls.
func WithDiscloseMe() CallOption {
	return callOptionFunc(func(c *callConfig) { c.discloseMe = true })
}

// WithCallOptions adds raw CALL.Options; keys the runtime sets itself
// (receive_progress, timeout, disclose_me) are overridden by it, and
// follow its rules for routers that do not announce their features:
// timeout and receive_progress are left out, disclose_me is refused.
func WithCallOptions(opts wamp.Dict) CallOption {
	return callOptionFunc(func(c *callConfig) { c.options = opts })
}

type callEvent struct {
	res *wamp.Result
	err error
}

// pendingCall queues what the read loop receives for one call, so the read
// loop never waits on a slow progress callback. pendingCalls are recycled,
// with their queues.
type pendingCall struct {
	progress bool
	// limit, when not 0, bounds the progressive results queued: a call
	// with streamed input does not drain its queue while its caller is
	// busy producing input (see deliverResult).
	limit int
	mu    sync.Mutex
	queue []callEvent // filled by the read loop
	spare []callEvent // the caller's: what the last take returned
	wake  chan struct{}
}

var pendingPool = sync.Pool{New: func() any { return &pendingCall{wake: make(chan struct{}, 1)} }}

func (p *pendingCall) push(ev callEvent) {
	p.mu.Lock()
	p.queue = append(p.queue, ev)
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// take returns what was queued; the caller must be done with what the
// previous take returned.
func (p *pendingCall) take() []callEvent {
	clear(p.spare)
	p.mu.Lock()
	got := p.queue
	p.queue = p.spare[:0]
	p.mu.Unlock()
	p.spare = got
	return got
}

// reset empties p for reuse.
func (p *pendingCall) reset() {
	select {
	case <-p.wake:
	default:
	}
	p.mu.Lock()
	clear(p.queue)
	p.queue = p.queue[:0]
	p.mu.Unlock()
	clear(p.spare)
	p.spare = p.spare[:0]
	p.progress = false
	p.limit = 0
}

// queued returns how many events wait in p.
func (p *pendingCall) queued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queue)
}

// callMessages recycles CALL messages: a message is encoded by the time
// send returns, and nothing keeps it.
var callMessages = sync.Pool{New: func() any { return new(wamp.Call) }}

// Call calls procedure with positional arguments args and keyword arguments
// kwargs (either may be the zero Payload) and waits for the result.
//
// The context's deadline travels as CALL.Options.timeout (milliseconds,
// rounded up), so a router with call_timeout stops the call in time too; a
// router that does not announce call_timeout gets no timeout option, and
// only the caller times the call out. When ctx ends first, Call sends
// CANCEL (see WithCancelMode; only to a router that announces
// call_canceling) and returns at once with an error that matches
// ErrCanceled or ErrTimeout and context.Canceled or
// context.DeadlineExceeded. An ERROR from the callee
// returns an *Error (see ErrorRegistry for mapped Go errors).
func (s *Session) Call(ctx context.Context, procedure wamp.URI, args, kwargs wamp.Payload, opts ...CallOption) (*Result, error) {
	r, err := s.call(ctx, procedure, args, kwargs, opts)
	if err != nil {
		return nil, err
	}
	return &Result{Args: r.Args, Kwargs: r.Kwargs, Details: r.Details}, nil
}

// call is Call returning the final RESULT as it arrived.
func (s *Session) call(ctx context.Context, procedure wamp.URI, args, kwargs wamp.Payload, opts []CallOption) (*wamp.Result, error) {
	cfg, err := s.callConfig(ctx, procedure, opts)
	if err != nil {
		return nil, err
	}
	if s.chains != nil || len(cfg.interceptors) > 0 {
		return s.interceptedCall(ctx, procedure, args, kwargs, cfg)
	}
	return s.callWith(ctx, procedure, args, kwargs, &cfg)
}

// callWith makes the call with the config cfg: the work of call, after
// the interceptors.
func (s *Session) callWith(ctx context.Context, procedure wamp.URI, args, kwargs wamp.Payload, cfg *callConfig) (*wamp.Result, error) {
	var err error
	progress := cfg.progress != nil || cfg.rawProgress != nil
	// The advanced options go only to a router that announced them (see
	// features.go). Without a connection the send below fails anyway.
	c := s.cur.Load()
	feats := c.features()
	if c != nil && (cfg.discloseMe || isTrue(cfg.options, wamp.OptDiscloseMe)) && !feats.has(dealerCallerIdentification) {
		return nil, fmt.Errorf("runtime: calling %s: %w", procedure, missing(dealerCallerIdentification, "disclose_me"))
	}
	dl, hasDeadline := ctx.Deadline()
	sendTimeout := hasDeadline && feats.has(dealerCallTimeout)
	progress = progress && feats.has(dealerProgressiveCallResults)
	// CALL.Options: nil (sent as {}) unless something goes in.
	var options wamp.Dict
	if len(cfg.options) > 0 || sendTimeout || progress || cfg.discloseMe {
		options = make(wamp.Dict, len(cfg.options)+3)
		for k, v := range cfg.options {
			options[k] = v
		}
		// The keys the runtime owns go only where they are understood.
		if !feats.has(dealerCallTimeout) {
			delete(options, wamp.OptTimeout)
		}
		if !feats.has(dealerProgressiveCallResults) {
			delete(options, wamp.OptReceiveProgress)
		}
	}
	if hasDeadline {
		// Rounded up to whole milliseconds, without overflowing: time.Until
		// saturates at the largest Duration for a deadline centuries away.
		left := time.Until(dl)
		ms := left / time.Millisecond
		if left%time.Millisecond > 0 {
			ms++
		}
		switch {
		case ms < 1:
			return nil, contextError(context.DeadlineExceeded)
		case sendTimeout && ms <= maxTimeoutOption:
			options[wamp.OptTimeout] = int64(ms)
		}
	}
	if progress {
		options[wamp.OptReceiveProgress] = true
	}
	if cfg.discloseMe {
		options[wamp.OptDiscloseMe] = true
	}

	id := s.reqIDs.Next()
	p := pendingPool.Get().(*pendingCall)
	p.progress = progress
	s.calls.mu.Lock()
	if s.life.closed.Load() {
		s.calls.mu.Unlock()
		p.reset()
		pendingPool.Put(p)
		return nil, s.errClosed()
	}
	s.calls.m[id] = p
	s.calls.mu.Unlock()

	msg := callMessages.Get().(*wamp.Call)
	*msg = wamp.Call{Request: id, Options: options, Procedure: procedure, Args: args, Kwargs: kwargs}
	if c == nil {
		err = s.notConnected()
	} else {
		err = s.sendOn(ctx, c, msg)
	}
	*msg = wamp.Call{}
	callMessages.Put(msg)
	if err != nil {
		s.endCall(id, p)
		if errors.Is(err, errQueueFull) && ctx.Err() != nil {
			return nil, contextError(ctx.Err()) // the CALL was not sent
		}
		return nil, fmt.Errorf("runtime: calling %s: %w", procedure, err)
	}

	for {
		select {
		case <-p.wake:
		case <-ctx.Done():
			s.cancelCall(ctx, c, id, cfg.cancelMode)
			s.endCall(id, p)
			return nil, contextError(ctx.Err())
		}
		for _, ev := range p.take() {
			if ev.err != nil {
				recycleCall(p) // the read loop already took it out of s.calls
				return nil, ev.err
			}
			if isProgress(ev.res.Details) {
				var err error
				if cfg.rawProgress != nil {
					err = cfg.rawProgress(ev.res)
				} else {
					err = cfg.progress(&Result{Args: ev.res.Args, Kwargs: ev.res.Kwargs, Details: ev.res.Details})
				}
				if err != nil {
					s.cancelCall(ctx, c, id, cfg.cancelMode)
					s.endCall(id, p)
					return nil, err
				}
				continue
			}
			recycleCall(p) // the final result: already out of s.calls
			return ev.res, nil
		}
	}
}

// endCall forgets the call id and recycles its pendingCall. The read loop
// pushes into a pendingCall only under calls.mu and while the call is in
// s.calls, so nothing is pushed into a recycled one.
func (s *Session) endCall(id wamp.ID, p *pendingCall) {
	s.calls.mu.Lock()
	delete(s.calls.m, id)
	s.calls.mu.Unlock()
	recycleCall(p)
}

// recycleCall puts back a pendingCall no longer in s.calls: a final result
// or an error is pushed only by whoever removed the call under calls.mu
// (deliverResult, failCallLocked), so nothing is pushed into it any more.
func recycleCall(p *pendingCall) {
	p.reset()
	pendingPool.Put(p)
}

func isProgress(details wamp.Dict) bool {
	b, _ := wamp.DictBool(details, wamp.OptProgress)
	return b
}

// contextError maps a context error to the matching WAMP error, which still
// matches the context error with errors.Is.
func contextError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{URI: wamp.ErrTimeout, Args: wamp.ArgsOf("the call's context deadline passed"), cause: context.DeadlineExceeded}
	}
	return &Error{URI: wamp.ErrCanceled, Args: wamp.ArgsOf("the call's context was cancelled"), cause: context.Canceled}
}

// cancelCall sends CANCEL for call id, made on c, waiting for room in the
// write queue no longer than ctx, the call's context, lasts: a call whose
// context has ended returns at once, and its CANCEL is dropped if the queue
// is full (the router reads so slowly that the call is over for the caller
// anyway).
//
// A router that did not announce call_canceling gets no CANCEL: the call
// returns all the same, the callee is just not interrupted, and its late
// RESULT or ERROR finds no pending call and is dropped (deliverResult).
func (s *Session) cancelCall(ctx context.Context, c *conn, id wamp.ID, mode CancelMode) {
	if !c.features().has(dealerCallCanceling) {
		s.log.Debug("no CANCEL: the router does not announce call_canceling", "request", id)
		return
	}
	if err := s.sendOn(ctx, c, &wamp.Cancel{Request: id, Options: wamp.Dict{wamp.OptMode: string(mode)}}); err != nil {
		s.log.Debug("sending CANCEL failed", "request", id, "err", err)
	}
}

// deliverResult and deliverCallError push while holding calls.mu: a call
// removes itself from s.calls under calls.mu before recycling its
// pendingCall, so nothing is pushed into a recycled one.
//
// A call with streamed input holds at most maxUnreadProgress progressive
// results that its caller has not taken (it takes them in Send and
// CloseSend): one more ends the call, which is cancelled (kill), and its
// caller's next Send returns the error.
func (s *Session) deliverResult(m *wamp.Result) {
	progress := isProgress(m.Details)
	s.calls.mu.Lock()
	p, ok := s.calls.m[m.Request]
	if !ok {
		s.calls.mu.Unlock()
		// A call cancelled in skip or killnowait mode, or one whose caller
		// gave up, may still be answered.
		s.log.Debug("RESULT for no pending call", "request", m.Request)
		return
	}
	if progress && !p.progress {
		s.calls.mu.Unlock()
		s.log.Debug("progressive RESULT for a call that did not ask for it", "request", m.Request)
		return
	}
	if progress && p.limit > 0 && p.queued() >= p.limit {
		s.failCallLocked(m.Request, &Error{URI: wamp.ErrCanceled, Args: wamp.ArgsOf(fmt.Sprintf(
			"the caller did not take %d progressive results while it sent its input: the call is cancelled", p.limit))})
		s.calls.mu.Unlock()
		s.log.Warn("cancelling a call with streamed input whose caller does not take its progressive results", "request", m.Request, "limit", p.limit)
		s.cancelCall(noWait, s.cur.Load(), m.Request, CancelKill)
		return
	}
	if !progress {
		delete(s.calls.m, m.Request)
	}
	p.push(callEvent{res: m})
	s.calls.mu.Unlock()
}

func (s *Session) deliverCallError(m *wamp.Error) {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	if _, ok := s.calls.m[m.Request]; !ok {
		s.log.Debug("ERROR for no pending call", "request", m.Request, "error", m.Error)
		return
	}
	s.failCallLocked(m.Request, s.cfg.Errors.FromWire(m.Error, m.Details, m.Args, m.Kwargs))
}
