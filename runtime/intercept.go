package runtime

import (
	"context"
	"errors"
	"fmt"
	"maps"

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

	cfg        *callConfig // the call's options (its progress callbacks)
	ownOptions bool        // Options is a map SetOption made
	err        error       // the first invalid key given to SetOption
}

// SetOption sets CALL.Options[key] to value, copying Options on its first
// write. key must be a custom key, as for WithOption: an invalid one makes
// the call fail, before anything is sent, when the chain reaches the
// session.
func (c *Call) SetOption(key string, value any) {
	c.Options, c.ownOptions, c.err = setOption(c.Options, c.ownOptions, c.err, key, value)
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

	ownOptions bool
	err        error
}

// SetOption sets PUBLISH.Options[key] to value, as Call.SetOption does.
func (p *Publication) SetOption(key string, value any) {
	p.Options, p.ownOptions, p.err = setOption(p.Options, p.ownOptions, p.err, key, value)
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
// bounded label for metrics. Empty for an Invocation the runtime did not
// make.
func (inv *Invocation) Registered() wamp.URI { return inv.registered }

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
