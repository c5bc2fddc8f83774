package runtime

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"sync/atomic"

	"github.com/wampgen/wampgen/wamp"
)

// Interceptors: see the package documentation, "Interceptors".

// Interceptor wraps the kinds of WAMP traffic a session takes part in:
// its outgoing calls (Call, Stream, the generated clients), its outgoing
// calls with streamed input (CallInput), the invocations its registered
// handlers serve, its publications, and the events its subscribed handlers
// receive. Each method returns a func that does its work around next (or
// instead of it: one that does not call next stops the traffic, nothing is
// sent). InterceptorFuncs implements it from optional funcs.
//
// The first interceptor acts first: it is the outermost. Set them for a
// whole session (Config.Interceptors) or per call, generated client,
// registration, subscription and publication (WithInterceptors).
type Interceptor interface {
	WrapCall(next CallFunc) CallFunc                // outgoing CALL (Call, Stream, the generated clients)
	WrapCallInput(next CallInputFunc) CallInputFunc // outgoing call with streamed input (CallInput)
	WrapInvocation(next Handler) Handler            // incoming INVOCATION (handlers registered)
	WrapPublish(next PublishFunc) PublishFunc       // outgoing PUBLISH
	WrapEvent(next EventHandler) EventHandler       // incoming EVENT (handlers subscribed)
}

// CallFunc makes one outgoing call: what an Interceptor's WrapCall wraps.
type CallFunc func(ctx context.Context, call *Call) (*Result, error)

// CallInputFunc starts one outgoing call with streamed input: what an
// Interceptor's WrapCallInput wraps. Its InputCall may be wrapped too, to
// see the chunks and the final result.
type CallInputFunc func(ctx context.Context, call *Call) (InputCall, error)

// PublishFunc makes one publication: what an Interceptor's WrapPublish
// wraps. It returns the publication ID (0 without WithAcknowledge).
type PublishFunc func(ctx context.Context, pub *Publication) (wamp.ID, error)

// InterceptorFuncs implements Interceptor from optional funcs; a nil field
// passes that kind of traffic through.
type InterceptorFuncs struct {
	Call       func(CallFunc) CallFunc
	CallInput  func(CallInputFunc) CallInputFunc
	Invocation func(Handler) Handler
	Publish    func(PublishFunc) PublishFunc
	Event      func(EventHandler) EventHandler
}

var _ Interceptor = InterceptorFuncs{}

// WrapCall implements Interceptor.
func (f InterceptorFuncs) WrapCall(next CallFunc) CallFunc {
	if f.Call == nil {
		return next
	}
	return f.Call(next)
}

// WrapCallInput implements Interceptor.
func (f InterceptorFuncs) WrapCallInput(next CallInputFunc) CallInputFunc {
	if f.CallInput == nil {
		return next
	}
	return f.CallInput(next)
}

// WrapInvocation implements Interceptor.
func (f InterceptorFuncs) WrapInvocation(next Handler) Handler {
	if f.Invocation == nil {
		return next
	}
	return f.Invocation(next)
}

// WrapPublish implements Interceptor.
func (f InterceptorFuncs) WrapPublish(next PublishFunc) PublishFunc {
	if f.Publish == nil {
		return next
	}
	return f.Publish(next)
}

// WrapEvent implements Interceptor.
func (f InterceptorFuncs) WrapEvent(next EventHandler) EventHandler {
	if f.Event == nil {
		return next
	}
	return f.Event(next)
}

// Call is one outgoing call as interceptors see it.
type Call struct {
	// Procedure is the URI called; an interceptor may change it before
	// next.
	Procedure wamp.URI
	// Args and Kwargs are the call's payloads; an interceptor may replace
	// them. Both are zero for CallInput (the chunks go through InputCall).
	Args   wamp.Payload
	Kwargs wamp.Payload
	// Options are the CALL.Options keys given with WithCallOptions and
	// WithOption (nil when none); the keys the runtime sets itself
	// (timeout, receive_progress, disclose_me) are not in it unless given
	// with WithCallOptions. An interceptor sets keys with SetOption, and
	// never writes into a map it did not make (it may be the caller's);
	// they are sent as WithCallOptions's are. Custom keys (x_…, _…) reach
	// the callee's Invocation.Details through routers that forward them
	// (the embedded router does).
	Options wamp.Dict

	// Read-only facts about the call (changing them changes nothing).

	// Progress: progressive results are asked for (WithProgress, Stream,
	// typed progress).
	Progress bool
	// StreamedInput: the call was made by CallInput.
	StreamedInput bool
	// DiscloseMe: WithDiscloseMe was given.
	DiscloseMe bool
	// CancelMode is the call's CANCEL mode.
	CancelMode CancelMode

	run *callRun // the session's, for its terminal func
	// optionsOf is the Call whose SetOption made Options: a copy of the
	// Call (an interceptor may pass on copies, even at the same time)
	// makes its own on its first SetOption.
	optionsOf *Call
	err       error // the first invalid key given to SetOption
}

// SetOption sets CALL.Options[key] to value, copying Options on its first
// write (and on the first write to a copy of the Call, so that copies
// passed on at the same time never share a map they write). key must be a custom key, as for WithOption: an invalid one makes
// the call fail, before anything is sent, when the chain reaches the
// session.
func (c *Call) SetOption(key string, value any) {
	var own bool
	c.Options, own, c.err = setOption(c.Options, c.optionsOf == c, c.err, key, value)
	if own {
		c.optionsOf = c
	}
}

// Publication is one outgoing PUBLISH as interceptors see it.
type Publication struct {
	// Topic, Args and Kwargs: the publication; an interceptor may change
	// them before next.
	Topic  wamp.URI
	Args   wamp.Payload
	Kwargs wamp.Payload
	// Options are the PUBLISH.Options as the publish options made them
	// (nil when none). An interceptor sets keys with SetOption, as for
	// Call.
	Options wamp.Dict
	// Acknowledge: WithAcknowledge was given (read-only).
	Acknowledge bool

	s         *Session
	optionsOf *Publication // as Call's
	err       error
}

// SetOption sets PUBLISH.Options[key] to value, as Call.SetOption does.
func (p *Publication) SetOption(key string, value any) {
	var own bool
	p.Options, own, p.err = setOption(p.Options, p.optionsOf == p, p.err, key, value)
	if own {
		p.optionsOf = p
	}
}

// setOption is SetOption of Call and Publication.
func setOption(d wamp.Dict, own bool, prev error, key string, value any) (wamp.Dict, bool, error) {
	if err := customKeyError(key); err != nil {
		if prev == nil {
			prev = fmt.Errorf("SetOption: %w", err)
		}
		return d, own, prev
	}
	if !own {
		nd := make(wamp.Dict, len(d)+1)
		maps.Copy(nd, d)
		d, own = nd, true
	}
	d[key] = value
	return d, own, prev
}

// InterceptorOption adds interceptors to one call, generated client,
// registration, subscription or publication: it is at once a CallOption, a
// RegisterOption, a SubscribeOption and a PublishOption. Make one with
// WithInterceptors.
type InterceptorOption struct {
	interceptors []Interceptor
}

// WithInterceptors returns an option that adds interceptors, after the
// session's own (Config.Interceptors) and those of earlier
// WithInterceptors: the first acts first. Given to a generated client
// (NewXClient(sess, runtime.WithInterceptors(i))) it applies to every
// call the client makes; to a generated registrar, to every handler it
// registers.
//
// It is applied by *Session: a Caller, Callee, Publisher or Subscriber
// that is not a *Session (a fake in a test) ignores it.
func WithInterceptors(interceptors ...Interceptor) InterceptorOption {
	return InterceptorOption{interceptors: interceptors}
}

func (o InterceptorOption) applyCall(c *callConfig) {
	c.interceptors = appendInterceptors(c.interceptors, o.interceptors)
}

func (o InterceptorOption) applyRegister(c *registerConfig) {
	c.interceptors = appendInterceptors(c.interceptors, o.interceptors)
}

func (o InterceptorOption) applySubscribe(c *subscribeConfig) {
	c.interceptors = appendInterceptors(c.interceptors, o.interceptors)
}

func (o InterceptorOption) applyPublish(c *publishConfig) {
	c.interceptors = appendInterceptors(c.interceptors, o.interceptors)
}

// appendInterceptors appends add to list without writing into the array
// of a list it did not make, and skips nil interceptors.
func appendInterceptors(list, add []Interceptor) []Interceptor {
	out := list[:len(list):len(list)]
	for _, i := range add {
		if i != nil {
			out = append(out, i)
		}
	}
	return out
}

// Registered returns the URI or pattern the handler was registered with
// (for a pattern registration, Procedure is the concrete URI called): a
// bounded label for metrics. The session sets it before the interceptors
// run; for a handler registered without any it is looked up, and empty
// once the registration has ended. Empty for an Invocation the runtime did
// not make.
func (inv *Invocation) Registered() wamp.URI {
	s := inv.s
	if inv.registered != "" || s == nil {
		return inv.registered
	}
	s.regs.mu.Lock()
	defer s.regs.mu.Unlock()
	if reg := s.regs.active[inv.Registration]; reg != nil && s.cur.Load() == inv.conn {
		return reg.procedure
	}
	return ""
}

// Subscribed returns the topic or pattern the handler was subscribed with
// (for a pattern subscription, Topic is the concrete topic): a bounded
// label for metrics. Empty for an Event the runtime did not make.
func (ev *Event) Subscribed() wamp.URI { return ev.subscribed }

// ErrorURI returns the error URI the session answers inv with when its
// handler returns err: the URI of an *Error or of an error mapped in the
// session's ErrorRegistry, wamp.error.canceled or wamp.error.timeout for
// a call the caller cancelled or that timed out (whatever err is) and for
// context errors, wamp.error.runtime_error for any other error and for a
// handler's panic. "" for a nil err.
func (inv *Invocation) ErrorURI(err error) wamp.URI {
	if err == nil {
		return ""
	}
	if ctx := inv.ctx; ctx != nil && ctx.Err() != nil {
		if cause := context.Cause(ctx); cause == ErrCanceled || cause == ErrTimeout {
			uri, _ := ErrorURIOf(cause)
			return uri
		}
	}
	reg := DefaultErrors
	if inv.s != nil && inv.s.cfg.Errors != nil {
		reg = inv.s.cfg.Errors
	}
	uri, _, _, _ := reg.toWire(err)
	return uri
}

// ErrorURIOf returns the WAMP error URI that err carries: that of an
// *Error in its chain (a call's error from the callee or the router, or
// the caller's own for a cancelled or timed-out call). ok is false for an
// error without one (the session closed, a connection lost, a bad
// option, a result that does not decode).
func ErrorURIOf(err error) (uri wamp.URI, ok bool) {
	var we *Error
	if errors.As(err, &we) && we != nil {
		return we.URI, true
	}
	return "", false
}

// chains holds a session's interceptors and the chains they make around
// the session's own work, built once (Dial).
type chains struct {
	interceptors []Interceptor
	call         CallFunc
	callInput    CallInputFunc
	publish      PublishFunc
}

// newChains returns the chains of interceptors, or nil if there are none.
func newChains(interceptors []Interceptor) (*chains, error) {
	list := appendInterceptors(nil, interceptors)
	if len(list) == 0 {
		return nil, nil
	}
	ch := &chains{interceptors: list}
	var err error
	if ch.call, err = buildCall(list); err != nil {
		return nil, err
	}
	if ch.callInput, err = buildCallInput(list); err != nil {
		return nil, err
	}
	if ch.publish, err = buildPublish(list); err != nil {
		return nil, err
	}
	return ch, nil
}

// all returns the session's interceptors followed by more.
func (ch *chains) all(more []Interceptor) []Interceptor {
	if ch == nil {
		return more
	}
	if len(more) == 0 {
		return ch.interceptors
	}
	return appendInterceptors(ch.interceptors, more)
}

// wrapError returns the error of a Wrap method that panicked (p) or
// returned nil.
func wrapError(i Interceptor, method string, p any) error {
	if p != nil {
		return fmt.Errorf("interceptor %T: %s panicked: %v", i, method, p)
	}
	return fmt.Errorf("interceptor %T: %s returned nil", i, method)
}

// wrap wraps inner in the interceptors list, the first outermost, with
// the Wrap method that wrap calls; a panic in it, or a nil func, is an
// error.
func wrap[F any](list []Interceptor, inner F, method string, w func(Interceptor, F) F, isNil func(F) bool) (f F, err error) {
	f = inner
	var cur Interceptor
	defer func() {
		if p := recover(); p != nil {
			var zero F
			f, err = zero, wrapError(cur, method, p)
		}
	}()
	for i := len(list) - 1; i >= 0; i-- {
		cur = list[i]
		f = w(cur, f)
		if isNil(f) {
			var zero F
			return zero, wrapError(cur, method, nil)
		}
	}
	return f, nil
}

func buildCall(list []Interceptor) (CallFunc, error) {
	return wrap(list, CallFunc(callTerminal), "WrapCall",
		func(i Interceptor, f CallFunc) CallFunc { return i.WrapCall(f) }, func(f CallFunc) bool { return f == nil })
}

func buildCallInput(list []Interceptor) (CallInputFunc, error) {
	return wrap(list, CallInputFunc(callInputTerminal), "WrapCallInput",
		func(i Interceptor, f CallInputFunc) CallInputFunc { return i.WrapCallInput(f) }, func(f CallInputFunc) bool { return f == nil })
}

func buildPublish(list []Interceptor) (PublishFunc, error) {
	return wrap(list, PublishFunc(publishTerminal), "WrapPublish",
		func(i Interceptor, f PublishFunc) PublishFunc { return i.WrapPublish(f) }, func(f PublishFunc) bool { return f == nil })
}

// callRun is what a Call carries for the session's terminal func; copies
// of a Call share it. It holds the Call and its results too, so that an
// intercepted call allocates one of them for all.
type callRun struct {
	call Call
	s    *Session
	cfg  callConfig
	// inner counts the session's own work running (the terminal func;
	// an interceptor may call next more than once, at the same time): a
	// panic from there (the caller's progress callback, a Stream's loop
	// body) is the caller's, raised on as it is, not an interceptor's.
	inner atomic.Int32
	// res is the terminal's result (once: a chain that calls next again
	// gets a new one; resUsed claims it), wres what call returns.
	res     Result
	resUsed atomic.Bool
	wres    wamp.Result
	// input is the session's InputCall of an intercepted CallInput.
	input *inputCall
}

// interceptedCall is call through the interceptors: the session's, then
// those of cfg.
func (s *Session) interceptedCall(ctx context.Context, procedure wamp.URI, args, kwargs wamp.Payload, cfg callConfig) (*wamp.Result, error) {
	var chain CallFunc
	if len(cfg.interceptors) == 0 {
		chain = s.chains.call
	} else {
		var err error
		if chain, err = buildCall(s.chains.all(cfg.interceptors)); err != nil {
			return nil, fmt.Errorf("runtime: calling %s: %w", procedure, err)
		}
	}
	run := &callRun{s: s, cfg: cfg}
	run.call = Call{
		Procedure:  procedure,
		Args:       args,
		Kwargs:     kwargs,
		Options:    cfg.options,
		Progress:   cfg.progress != nil || cfg.rawProgress != nil,
		DiscloseMe: cfg.discloseMe,
		CancelMode: cfg.cancelMode,
		run:        run,
	}
	res, err := s.runCall(ctx, chain, &run.call, run)
	if err != nil {
		return nil, err
	}
	if res != nil {
		run.wres = wamp.Result{Args: res.Args, Kwargs: res.Kwargs, Details: res.Details}
	}
	return &run.wres, nil
}

// runCall runs chain on call; a panic of an interceptor is logged and
// returned as an *Error wamp.error.runtime_error.
func (s *Session) runCall(ctx context.Context, chain CallFunc, call *Call, run *callRun) (res *Result, err error) {
	procedure := call.Procedure
	defer func() {
		if run.inner.Load() > 0 {
			return // not recovered: the caller's own panic
		}
		if p := recover(); p != nil {
			res, err = nil, s.interceptorPanic("call", procedure, p)
		}
	}()
	return chain(ctx, call)
}

// interceptorPanic logs an interceptor's panic p under a new incident ID
// and returns the error the caller gets for it.
func (s *Session) interceptorPanic(what string, uri wamp.URI, p any) error {
	incident := newIncidentID()
	s.log.Error("interceptor panicked", "kind", what, "uri", uri, "incident", incident, "panic", p, "stack", string(debug.Stack()))
	return &Error{URI: wamp.ErrRuntime, Args: wamp.ArgsOf(fmt.Sprintf("runtime: an interceptor of the %s of %s panicked; incident %s in the log", what, uri, incident))}
}

// callTerminal is the session's work at the end of a call's chain.
func callTerminal(ctx context.Context, call *Call) (*Result, error) {
	run := call.run
	if run == nil {
		return nil, fmt.Errorf("runtime: calling %s: an interceptor passed on a *Call that the session did not make", call.Procedure)
	}
	if call.err != nil {
		return nil, fmt.Errorf("runtime: calling %s: %w", call.Procedure, call.err)
	}
	cfg := run.cfg
	cfg.options = call.Options
	run.inner.Add(1)
	r, err := run.s.callWith(ctx, call.Procedure, call.Args, call.Kwargs, &cfg)
	run.inner.Add(-1)
	if err != nil {
		return nil, err
	}
	res := &run.res
	if !run.resUsed.CompareAndSwap(false, true) {
		res = new(Result)
	}
	*res = Result{Args: r.Args, Kwargs: r.Kwargs, Details: r.Details}
	return res, nil
}

// interceptedCallInput is CallInput through the interceptors.
func (s *Session) interceptedCallInput(ctx context.Context, procedure wamp.URI, cfg callConfig) (ic InputCall, err error) {
	var chain CallInputFunc
	if len(cfg.interceptors) == 0 {
		chain = s.chains.callInput
	} else if chain, err = buildCallInput(s.chains.all(cfg.interceptors)); err != nil {
		return nil, fmt.Errorf("runtime: calling %s: %w", procedure, err)
	}
	run := &callRun{s: s, cfg: cfg}
	call := &Call{
		Procedure:     procedure,
		Options:       cfg.options,
		Progress:      cfg.progress != nil || cfg.rawProgress != nil,
		StreamedInput: true,
		DiscloseMe:    cfg.discloseMe,
		CancelMode:    cfg.cancelMode,
		run:           run,
	}
	defer func() {
		if p := recover(); p != nil {
			ic, err = nil, s.interceptorPanic("call", procedure, p)
		}
	}()
	ic, err = chain(ctx, call)
	if err != nil {
		return nil, err
	}
	if ic == nil {
		return nil, fmt.Errorf("runtime: calling %s: an interceptor returned a nil InputCall", procedure)
	}
	if _, ok := ic.(*inputCall); ok {
		return ic, nil // the session's own: no interceptor code in it
	}
	return &guardedInputCall{InputCall: ic, s: s, procedure: procedure, run: run}, nil
}

// guardedInputCall is an InputCall that an interceptor returned: a panic
// of its methods is recovered and logged as an interceptor's, unless it
// is the caller's own (its progress callback, which the session's
// inputCall runs with run.inner set).
type guardedInputCall struct {
	InputCall
	s         *Session
	procedure wamp.URI
	run       *callRun
}

func (g *guardedInputCall) Send(ctx context.Context, args, kwargs wamp.Payload) (err error) {
	defer func() {
		if g.run.inner.Load() > 0 {
			return
		}
		if p := recover(); p != nil {
			err = g.s.interceptorPanic("call", g.procedure, p)
		}
	}()
	return g.InputCall.Send(ctx, args, kwargs)
}

func (g *guardedInputCall) CloseSend(ctx context.Context, args, kwargs wamp.Payload) (res *Result, err error) {
	defer func() {
		if g.run.inner.Load() > 0 {
			return
		}
		if p := recover(); p != nil {
			res, err = nil, g.s.interceptorPanic("call", g.procedure, p)
		}
	}()
	return g.InputCall.CloseSend(ctx, args, kwargs)
}

// callInputTerminal is the session's work at the end of a CallInput's
// chain.
func callInputTerminal(ctx context.Context, call *Call) (InputCall, error) {
	run := call.run
	if run == nil {
		return nil, fmt.Errorf("runtime: calling %s: an interceptor passed on a *Call that the session did not make", call.Procedure)
	}
	if call.err != nil {
		return nil, fmt.Errorf("runtime: calling %s: %w", call.Procedure, call.err)
	}
	cfg := run.cfg
	cfg.options = call.Options
	ic, err := run.s.callInputWith(ctx, call.Procedure, &cfg)
	if err != nil {
		return nil, err
	}
	run.input = ic.(*inputCall)
	run.input.run = run
	return ic, nil
}

// interceptedPublish is publish through the interceptors.
func (s *Session) interceptedPublish(ctx context.Context, topic wamp.URI, args, kwargs wamp.Payload, options wamp.Dict, more []Interceptor) (id wamp.ID, err error) {
	var chain PublishFunc
	if len(more) == 0 {
		chain = s.chains.publish
	} else if chain, err = buildPublish(s.chains.all(more)); err != nil {
		return 0, err
	}
	ack, _ := wamp.DictBool(options, wamp.OptAcknowledge)
	pub := &Publication{Topic: topic, Args: args, Kwargs: kwargs, Options: options, Acknowledge: ack, s: s}
	if options != nil {
		pub.optionsOf = pub // made by publish
	}
	defer func() {
		if p := recover(); p != nil {
			id, err = 0, s.interceptorPanic("publication", topic, p)
		}
	}()
	return chain(ctx, pub)
}

// publishTerminal is the session's work at the end of a publication's
// chain.
func publishTerminal(ctx context.Context, pub *Publication) (wamp.ID, error) {
	s := pub.s
	if s == nil {
		return 0, errors.New("an interceptor passed on a *Publication that the session did not make")
	}
	if pub.err != nil {
		return 0, pub.err
	}
	if err := wamp.ValidateURI(pub.Topic, wamp.Loose, wamp.MatchExact); err != nil {
		return 0, err
	}
	return s.publishWith(ctx, pub.Topic, pub.Args, pub.Kwargs, pub.Options)
}

// wrapInvocation returns h wrapped in the session's interceptors and
// more, or h itself without any. A panic of h is recovered innermost, so
// that the interceptors see it as an error (whose ErrorURI is
// wamp.error.runtime_error); the session recovers an interceptor's own
// (runHandler), and answers it the same way.
func (s *Session) wrapInvocation(h Handler, registered wamp.URI, more []Interceptor) (Handler, error) {
	list := s.chains.all(more)
	if len(list) == 0 {
		return h, nil
	}
	inner := func(ctx context.Context, inv *Invocation) (res *Result, err error) {
		defer func() {
			if p := recover(); p != nil {
				res, err = nil, &handlerPanic{value: p, stack: debug.Stack()}
			}
		}()
		return h(ctx, inv)
	}
	chain, err := wrap(list, Handler(inner), "WrapInvocation",
		func(i Interceptor, f Handler) Handler { return i.WrapInvocation(f) }, func(f Handler) bool { return f == nil })
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, inv *Invocation) (*Result, error) {
		inv.registered = registered
		return chain(ctx, inv)
	}, nil
}

// wrapEvent returns h wrapped in the session's interceptors and more, or
// h itself without any; a panic of h is recovered innermost, as for
// wrapInvocation. (Subscription.call gives the chain its own copy of each
// Event: see Subscription.ownEvent.)
func (s *Session) wrapEvent(h EventHandler, more []Interceptor) (EventHandler, error) {
	list := s.chains.all(more)
	if len(list) == 0 {
		return h, nil
	}
	inner := func(ctx context.Context, ev *Event) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = &handlerPanic{value: p, stack: debug.Stack()}
			}
		}()
		return h(ctx, ev)
	}
	return wrap(list, EventHandler(inner), "WrapEvent",
		func(i Interceptor, f EventHandler) EventHandler { return i.WrapEvent(f) }, func(f EventHandler) bool { return f == nil })
}
