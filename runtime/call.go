package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

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
	progress   func(*Result) error
	cancelMode string
	discloseMe bool
	options    wamp.Dict
}

type callOptionFunc func(*callConfig)

func (f callOptionFunc) applyCall(c *callConfig) { f(c) }

// WithProgress asks for progressive results and passes each one to fn, in
// order, on the goroutine that called Call, and never after Call returns.
// If fn returns an error, the call is cancelled and Call returns that error.
func WithProgress(fn func(*Result) error) CallOption {
	return callOptionFunc(func(c *callConfig) { c.progress = fn })
}

// WithCancelMode sets the CANCEL mode sent when the call's context ends:
// wamp.CancelKill, wamp.CancelKillNoWait or wamp.CancelSkip. The default is
// Config.CancelMode, itself wamp.CancelKill by default, so that the callee
// is interrupted and stops working for a caller that is gone.
func WithCancelMode(mode string) CallOption {
	return callOptionFunc(func(c *callConfig) { c.cancelMode = mode })
}

// WithDiscloseMe asks the router to disclose the caller's identity to the
// callee (CALL.Options.disclose_me).
func WithDiscloseMe() CallOption {
	return callOptionFunc(func(c *callConfig) { c.discloseMe = true })
}

// WithCallOptions adds raw CALL.Options; keys the runtime sets itself
// (receive_progress, timeout, disclose_me) are overridden by it.
func WithCallOptions(opts wamp.Dict) CallOption {
	return callOptionFunc(func(c *callConfig) { c.options = opts })
}

type callEvent struct {
	res *wamp.Result
	err error
}

// pendingCall queues what the read loop receives for one call, so the read
// loop never waits on a slow progress callback.
type pendingCall struct {
	progress bool
	mu       sync.Mutex
	queue    []callEvent
	wake     chan struct{}
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

func (p *pendingCall) take(buf []callEvent) []callEvent {
	p.mu.Lock()
	buf = append(buf, p.queue...)
	clear(p.queue)
	p.queue = p.queue[:0]
	p.mu.Unlock()
	return buf
}

func validCancelMode(m string) bool {
	return m == wamp.CancelKill || m == wamp.CancelKillNoWait || m == wamp.CancelSkip
}

// Call calls procedure with positional arguments args and keyword arguments
// kwargs (either may be the zero Payload) and waits for the result.
//
// The context's deadline travels as CALL.Options.timeout (milliseconds,
// rounded up), so a router with call_timeout stops the call in time too.
// When ctx ends first, Call sends CANCEL (see WithCancelMode) and returns at
// once with an error that matches ErrCanceled or ErrTimeout and
// context.Canceled or context.DeadlineExceeded. An ERROR from the callee
// returns an *Error (see ErrorRegistry for mapped Go errors).
func (s *Session) Call(ctx context.Context, procedure wamp.URI, args, kwargs wamp.Payload, opts ...CallOption) (*Result, error) {
	cfg := callConfig{cancelMode: s.cfg.CancelMode}
	for _, o := range opts {
		o.applyCall(&cfg)
	}
	if !validCancelMode(cfg.cancelMode) {
		return nil, fmt.Errorf("runtime: calling %s: cancel mode %q (allowed: kill, killnowait, skip)", procedure, cfg.cancelMode)
	}
	if err := ctx.Err(); err != nil {
		return nil, contextError(err)
	}
	options := wamp.Dict{}
	for k, v := range cfg.options {
		options[k] = v
	}
	if dl, ok := ctx.Deadline(); ok {
		ms := (time.Until(dl) + time.Millisecond - 1) / time.Millisecond
		if ms < 1 {
			return nil, contextError(context.DeadlineExceeded)
		}
		options[wamp.OptTimeout] = int64(ms)
	}
	if cfg.progress != nil {
		options[wamp.OptReceiveProgress] = true
	}
	if cfg.discloseMe {
		options[wamp.OptDiscloseMe] = true
	}

	id := s.reqIDs.Next()
	p := pendingPool.Get().(*pendingCall)
	p.progress = cfg.progress != nil
	s.mu.Lock()
	if s.closed {
		err := s.errClosed()
		s.mu.Unlock()
		pendingPool.Put(p)
		return nil, err
	}
	s.calls[id] = p
	s.mu.Unlock()
	release := func() {
		s.mu.Lock()
		delete(s.calls, id)
		s.mu.Unlock()
		// Drain a wake-up the read loop may have left, then recycle.
		select {
		case <-p.wake:
		default:
		}
		p.take(nil)
		pendingPool.Put(p)
	}

	msg := &wamp.Call{Request: id, Options: options, Procedure: procedure, Args: args, Kwargs: kwargs}
	if err := s.send(msg); err != nil {
		release()
		return nil, fmt.Errorf("runtime: calling %s: %w", procedure, err)
	}

	var buf []callEvent
	for {
		select {
		case <-p.wake:
		case <-ctx.Done():
			s.cancelCall(id, cfg.cancelMode)
			release()
			return nil, contextError(ctx.Err())
		}
		buf = p.take(buf[:0])
		for _, ev := range buf {
			if ev.err != nil {
				release()
				return nil, ev.err
			}
			res := &Result{Args: ev.res.Args, Kwargs: ev.res.Kwargs, Details: ev.res.Details}
			if isProgress(ev.res.Details) {
				if err := cfg.progress(res); err != nil {
					s.cancelCall(id, cfg.cancelMode)
					release()
					return nil, err
				}
				continue
			}
			release()
			return res, nil
		}
	}
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

func (s *Session) cancelCall(id wamp.ID, mode string) {
	if err := s.send(&wamp.Cancel{Request: id, Options: wamp.Dict{wamp.OptMode: mode}}); err != nil {
		s.log.Debug("sending CANCEL failed", "request", id, "err", err)
	}
}

// deliverResult and deliverCallError push while holding s.mu: a call
// removes itself from s.calls under s.mu before recycling its pendingCall,
// so nothing is pushed into a recycled one.
func (s *Session) deliverResult(m *wamp.Result) {
	progress := isProgress(m.Details)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.calls[m.Request]
	if !ok {
		// A call cancelled in skip or killnowait mode, or one whose caller
		// gave up, may still be answered.
		s.log.Debug("RESULT for no pending call", "request", m.Request)
		return
	}
	if progress && !p.progress {
		s.log.Debug("progressive RESULT for a call that did not ask for it", "request", m.Request)
		return
	}
	if !progress {
		delete(s.calls, m.Request)
	}
	p.push(callEvent{res: m})
}

func (s *Session) deliverCallError(m *wamp.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.calls[m.Request]
	if !ok {
		s.log.Debug("ERROR for no pending call", "request", m.Request, "error", m.Error)
		return
	}
	delete(s.calls, m.Request)
	p.push(callEvent{err: s.cfg.Errors.FromWire(m.Error, m.Details, m.Args, m.Kwargs)})
}
