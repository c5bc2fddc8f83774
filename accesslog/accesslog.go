// Package accesslog is an access log for WAMP sessions: a
// runtime.Interceptor that writes one structured log/slog record for each
// call, call with streamed input, invocation, publication and event of a
// session, once it has ended.
//
//	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
//	sess, err := runtime.Dial(ctx, url, runtime.Config{
//		Realm:        "realm1",
//		Interceptors: []runtime.Interceptor{accesslog.New(log)},
//	})
//
// Set on the session (Config.Interceptors), it logs everything the session
// does; given with runtime.WithInterceptors, only what that call, generated
// client, registrar, subscription or publication does. Put it first: it
// then times the other interceptors too and logs the outcome they made.
//
// # Records
//
// The message is "wamp " followed by the kind; the attributes, in this
// order, are those that apply:
//
//	kind            call, call_input (a call with streamed input, CallInput),
//	                invocation, publish or event
//	uri             the procedure or topic: for a pattern registration or
//	                subscription, the concrete URI called or published to
//	pattern         the URI or pattern the handler was registered or
//	                subscribed with, when it differs from uri
//	duration        from the start of the call (invocation, …) to its end;
//	                slog's JSON handler writes it in nanoseconds
//	outcome         "ok"; else the error URI: the one the caller received
//	                (wamp.error.canceled, wamp.error.timeout, the callee's or
//	                the router's), or for an invocation the one the session
//	                answers with (Invocation.ErrorURI); "error" for a failure
//	                without one (the session closed, a result that does not
//	                decode, an event handler's error)
//	error           the text of an error that holds no *runtime.Error: a
//	                handler's own error (one the session maps to its URI
//	                through the ErrorRegistry, or answers with
//	                wamp.error.runtime_error), or a call's or publication's
//	                local failure. A *runtime.Error, received or returned by a
//	                handler, is logged by its URI alone: its text is its
//	                arguments, which are payload (a peer's words, or what a
//	                handler tells its caller).
//	caller, caller_authid, caller_authrole
//	                the caller of an invocation, when the router disclosed it
//	publisher, publisher_authid, publisher_authrole
//	                the publisher of an event, when the router disclosed it
//	publication     the publication ID of an event, or of an acknowledged
//	                publication
//	progress        true when progressive results were asked for (a call)
//	                or requested by the caller (an invocation)
//	chunks          the input chunks a call with streamed input sent
//	args_bytes      the encoded size of the arguments (Args and Kwargs) of
//	                a call, invocation, publication or event, when known:
//	                payloads the runtime received carry their bytes
//	                (wamp.Payload.Encoded); those built from Go values
//	                (wamp.ArgsOf: what a session usually sends) are not
//	                encoded a second time to measure them, and go without;
//	                for an invocation with streamed input, the first chunk's
//	result_bytes    the encoded size of the result of a call or invocation,
//	                likewise (known for a call's, which was received)
//
// A success is logged at Info, a failure at Warn; WithSuccessLevel and
// WithErrorLevel change that. WithoutKinds leaves kinds out (events can be
// many), WithFilter drops records by what they say. When the logger's
// handler is not enabled at the level an outcome would be logged at, the
// interceptor allocates nothing: it costs a call of Handler.Enabled when
// neither level is enabled, and two clock readings and two calls when the
// other one is.
//
// # What is never logged
//
// Payloads: the arguments and results of calls, invocations, publications
// and events, the arguments of errors, and the options and details
// (custom keys included) are never written, whatever the options: they
// may hold passwords, tokens and personal data. Sizes are. To log
// contents, write an interceptor that knows which of them are safe.
//
// Values that come from the network (URIs, error URIs, authids, authroles)
// are chosen by peers, possibly hostile: they are written as strings, which
// slog's JSON and text handlers escape, each cut to 512 bytes; the set of
// attributes is fixed, so no peer can add to it.
package accesslog

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Kind is the kind of traffic a record is about.
type Kind string

// The kinds, as the attribute kind says them.
const (
	KindCall       Kind = "call"       // an outgoing call (Call, Stream, the generated clients)
	KindCallInput  Kind = "call_input" // an outgoing call with streamed input (CallInput)
	KindInvocation Kind = "invocation" // an invocation of a registered handler
	KindPublish    Kind = "publish"    // an outgoing publication
	KindEvent      Kind = "event"      // an event for a subscribed handler
)

// Entry is what one record says: a filter (WithFilter) decides on it.
type Entry struct {
	Kind Kind
	// URI is the procedure or topic (the concrete one, for a pattern
	// registration or subscription).
	URI wamp.URI
	// Pattern is the URI or pattern the handler was registered or
	// subscribed with, when it differs from URI; empty otherwise.
	Pattern  wamp.URI
	Duration time.Duration
	// Outcome is "ok", an error URI, or "error" (see the package
	// documentation).
	Outcome string
	// Err is the error; nil for "ok".
	Err error
	// Peer, PeerAuthID and PeerAuthRole are the caller of an invocation or
	// the publisher of an event when the router disclosed them; zero
	// otherwise.
	Peer         wamp.ID
	PeerAuthID   string
	PeerAuthRole string
	// Publication is the ID of an event or of an acknowledged publication.
	Publication wamp.ID
	// Progress: progressive results asked for (a call) or requested (an
	// invocation).
	Progress bool
	// Chunks is the number of input chunks a call with streamed input
	// sent.
	Chunks int
	// ArgsBytes and ResultBytes are encoded sizes, -1 where unknown (see
	// the package documentation).
	ArgsBytes   int
	ResultBytes int
}

// Option configures New.
type Option interface{ apply(*Interceptor) }

type optionFunc func(*Interceptor)

func (f optionFunc) apply(l *Interceptor) { f(l) }

// WithSuccessLevel sets the level of records whose outcome is "ok"
// (default slog.LevelInfo). A *slog.LevelVar changes it while running.
func WithSuccessLevel(level slog.Leveler) Option {
	return optionFunc(func(l *Interceptor) {
		if level != nil {
			l.okLevel = level
		}
	})
}

// WithErrorLevel sets the level of records of failures (default
// slog.LevelWarn). A *slog.LevelVar changes it while running.
func WithErrorLevel(level slog.Leveler) Option {
	return optionFunc(func(l *Interceptor) {
		if level != nil {
			l.errLevel = level
		}
	})
}

// WithoutKinds leaves kinds out of the log: the interceptor passes their
// traffic through untouched, at no cost.
func WithoutKinds(kinds ...Kind) Option {
	return optionFunc(func(l *Interceptor) {
		for _, k := range kinds {
			l.without[k] = true
		}
	})
}

// WithFilter logs only the records for which keep returns true. It is
// called once the traffic has ended, only when the record's level is
// enabled, with the context of the call, invocation, publication or event.
// It must be safe for concurrent use.
func WithFilter(keep func(ctx context.Context, e Entry) bool) Option {
	return optionFunc(func(l *Interceptor) { l.keep = keep })
}

// Interceptor is the access-log interceptor: New makes one. It is safe for
// concurrent use, by any number of sessions.
type Interceptor struct {
	log      *slog.Logger
	okLevel  slog.Leveler
	errLevel slog.Leveler
	without  map[Kind]bool
	keep     func(context.Context, Entry) bool
}

var _ runtime.Interceptor = (*Interceptor)(nil)

// New returns an interceptor that logs to logger (nil: slog.Default()).
func New(logger *slog.Logger, opts ...Option) *Interceptor {
	if logger == nil {
		logger = slog.Default()
	}
	l := &Interceptor{log: logger, okLevel: slog.LevelInfo, errLevel: slog.LevelWarn, without: map[Kind]bool{}}
	for _, o := range opts {
		if o != nil {
			o.apply(l)
		}
	}
	return l
}

// enabled reports whether a record of either outcome could be logged, so
// that a log turned off costs nothing more than this.
func (l *Interceptor) enabled(ctx context.Context) bool {
	return l.log.Enabled(ctx, max(l.okLevel.Level(), l.errLevel.Level()))
}

// levelFor returns the level of a record with error err, and whether it
// is enabled.
func (l *Interceptor) levelFor(ctx context.Context, err error) (slog.Level, bool) {
	level := l.okLevel.Level()
	if err != nil {
		level = l.errLevel.Level()
	}
	return level, l.log.Enabled(ctx, level)
}

// WrapCall implements runtime.Interceptor: one record per call.
func (l *Interceptor) WrapCall(next runtime.CallFunc) runtime.CallFunc {
	if l.without[KindCall] {
		return next
	}
	return func(ctx context.Context, call *runtime.Call) (*runtime.Result, error) {
		if !l.enabled(ctx) {
			return next(ctx, call)
		}
		start := time.Now()
		res, err := next(ctx, call)
		end := time.Now()
		if level, ok := l.levelFor(ctx, err); ok {
			e := Entry{Kind: KindCall, URI: call.Procedure, Duration: end.Sub(start), Err: err,
				Progress: call.Progress, ArgsBytes: encodedSize(call.Args, call.Kwargs), ResultBytes: -1}
			e.Outcome = remoteOutcome(err)
			if res != nil {
				e.ResultBytes = encodedSize(res.Args, res.Kwargs)
			}
			l.emit(ctx, level, end, &e)
		}
		return res, err
	}
}

// WrapCallInput implements runtime.Interceptor: one record per call with
// streamed input, when CloseSend returns, when Send fails for good (the
// call ended), or when the context given to CallInput ends first (the
// runtime then cancels the call), whichever comes first.
//
// A bidirectional call (runtime.CallInputStream, generated bidirectional
// clients) is logged the same way: a *runtime.Session keeps receiving its
// results concurrently with its input when its InputCall is wrapped, and
// calls CloseSend at its end.
func (l *Interceptor) WrapCallInput(next runtime.CallInputFunc) runtime.CallInputFunc {
	if l.without[KindCallInput] {
		return next
	}
	return func(ctx context.Context, call *runtime.Call) (runtime.InputCall, error) {
		if !l.enabled(ctx) {
			return next(ctx, call)
		}
		start := time.Now()
		in, err := next(ctx, call)
		if err != nil {
			l.endInput(ctx, call, start, 0, nil, err)
			return in, err
		}
		c := &inputCall{l: l, next: in, ctx: ctx, call: call, start: start}
		c.stop = context.AfterFunc(ctx, c.contextEnded)
		return c, nil
	}
}

// endInput logs the record of a call with streamed input.
func (l *Interceptor) endInput(ctx context.Context, call *runtime.Call, start time.Time, chunks int, res *runtime.Result, err error) {
	end := time.Now()
	level, ok := l.levelFor(ctx, err)
	if !ok {
		return
	}
	e := Entry{Kind: KindCallInput, URI: call.Procedure, Duration: end.Sub(start), Err: err,
		Progress: call.Progress, Chunks: chunks, ArgsBytes: -1, ResultBytes: -1}
	e.Outcome = remoteOutcome(err)
	if res != nil {
		e.ResultBytes = encodedSize(res.Args, res.Kwargs)
	}
	l.emit(ctx, level, end, &e)
}

// inputCall is the InputCall of a logged call with streamed input.
type inputCall struct {
	l     *Interceptor
	next  runtime.InputCall
	ctx   context.Context
	call  *runtime.Call
	start time.Time
	stop  func() bool // stops contextEnded

	mu      sync.Mutex
	chunks  int         // sent
	early   bool        // Send returned ErrAnsweredEarly: CloseSend sends nothing
	closing atomic.Bool // CloseSend was called: it logs the call
	logged  atomic.Bool
}

func (c *inputCall) Send(ctx context.Context, args, kwargs wamp.Payload) error {
	err := c.next.Send(ctx, args, kwargs)
	switch {
	case err == nil:
		c.mu.Lock()
		c.chunks++
		c.mu.Unlock()
	case errors.Is(err, runtime.ErrAnsweredEarly):
		c.mu.Lock()
		c.early = true
		c.mu.Unlock()
	default:
		c.end(nil, err) // the call has ended
	}
	return err
}

func (c *inputCall) CloseSend(ctx context.Context, args, kwargs wamp.Payload) (*runtime.Result, error) {
	c.closing.Store(true)
	res, err := c.next.CloseSend(ctx, args, kwargs)
	c.mu.Lock()
	if !c.early {
		c.chunks++ // the last chunk, sent unless the callee had answered
	}
	c.mu.Unlock()
	c.end(res, err)
	return res, err
}

// contextEnded logs the call when the context given to CallInput ends
// before the call did: the runtime cancels the call then. Once CloseSend
// has been called, it returns how the call ended, and logs that: the
// context may end as the call does (runtime.CallInputStream cancels it
// when its loop has the final result, while CloseSend returns).
func (c *inputCall) contextEnded() {
	if c.closing.Load() {
		return
	}
	err := context.Cause(c.ctx)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		err = runtime.ErrTimeout
	case errors.Is(err, context.Canceled):
		err = runtime.ErrCanceled
	}
	c.end(nil, err)
}

// end logs the call once.
func (c *inputCall) end(res *runtime.Result, err error) {
	if !c.logged.CompareAndSwap(false, true) {
		return
	}
	c.stop()
	c.mu.Lock()
	chunks := c.chunks
	c.mu.Unlock()
	c.l.endInput(c.ctx, c.call, c.start, chunks, res, err)
}

// WrapInvocation implements runtime.Interceptor: one record per
// invocation, when its handler has returned.
func (l *Interceptor) WrapInvocation(next runtime.Handler) runtime.Handler {
	if l.without[KindInvocation] {
		return next
	}
	return func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		if !l.enabled(ctx) {
			return next(ctx, inv)
		}
		start := time.Now()
		res, err := next(ctx, inv)
		end := time.Now()
		if level, ok := l.levelFor(ctx, err); ok {
			e := Entry{Kind: KindInvocation, URI: inv.Procedure, Duration: end.Sub(start), Err: err,
				Peer: inv.Caller, PeerAuthID: inv.CallerAuthID, PeerAuthRole: inv.CallerAuthRole,
				Progress: inv.ProgressRequested(), ArgsBytes: encodedSize(inv.Args, inv.Kwargs), ResultBytes: -1}
			if p := inv.Registered(); p != inv.Procedure {
				e.Pattern = p
			}
			e.Outcome = "ok"
			if err != nil {
				e.Outcome = string(inv.ErrorURI(err))
			}
			if res != nil {
				e.ResultBytes = encodedSize(res.Args, res.Kwargs)
			}
			l.emit(ctx, level, end, &e)
		}
		return res, err
	}
}

// WrapPublish implements runtime.Interceptor: one record per
// publication, once sent (or, with WithAcknowledge, acknowledged).
func (l *Interceptor) WrapPublish(next runtime.PublishFunc) runtime.PublishFunc {
	if l.without[KindPublish] {
		return next
	}
	return func(ctx context.Context, pub *runtime.Publication) (wamp.ID, error) {
		if !l.enabled(ctx) {
			return next(ctx, pub)
		}
		start := time.Now()
		id, err := next(ctx, pub)
		end := time.Now()
		if level, ok := l.levelFor(ctx, err); ok {
			e := Entry{Kind: KindPublish, URI: pub.Topic, Duration: end.Sub(start), Err: err,
				Publication: id, ArgsBytes: encodedSize(pub.Args, pub.Kwargs), ResultBytes: -1}
			e.Outcome = remoteOutcome(err)
			l.emit(ctx, level, end, &e)
		}
		return id, err
	}
}

// WrapEvent implements runtime.Interceptor: one record per event, when
// its handler has returned.
func (l *Interceptor) WrapEvent(next runtime.EventHandler) runtime.EventHandler {
	if l.without[KindEvent] {
		return next
	}
	return func(ctx context.Context, ev *runtime.Event) error {
		if !l.enabled(ctx) {
			return next(ctx, ev)
		}
		start := time.Now()
		err := next(ctx, ev)
		end := time.Now()
		if level, ok := l.levelFor(ctx, err); ok {
			e := Entry{Kind: KindEvent, URI: ev.Topic, Duration: end.Sub(start), Err: err,
				Peer: ev.Publisher, PeerAuthID: ev.PublisherAuthID, PeerAuthRole: ev.PublisherAuthRole,
				Publication: ev.Publication, ArgsBytes: encodedSize(ev.Args, ev.Kwargs), ResultBytes: -1}
			if p := ev.Subscribed(); p != ev.Topic {
				e.Pattern = p
			}
			e.Outcome = "ok"
			if err != nil {
				e.Outcome = "error"
				if uri, ok := runtime.ErrorURIOf(err); ok {
					e.Outcome = string(uri)
				}
			}
			l.emit(ctx, level, end, &e)
		}
		return err
	}
}

// remoteOutcome is the outcome of a call or publication that failed with
// err: its error URI, or "error" for a failure without one.
func remoteOutcome(err error) string {
	if err == nil {
		return "ok"
	}
	if uri, ok := runtime.ErrorURIOf(err); ok {
		return string(uri)
	}
	return "error"
}

// encodedSize returns the encoded size of args and kwargs, or -1 when
// either was built from Go values (its size is not known without encoding
// it).
func encodedSize(args, kwargs wamp.Payload) int {
	n := 0
	for _, p := range [2]wamp.Payload{args, kwargs} {
		if p.IsZero() {
			continue
		}
		raw, _ := p.Encoded()
		if raw == nil {
			return -1
		}
		n += len(raw)
	}
	return n
}

// messages are the records' messages, by kind.
var messages = map[Kind]string{
	KindCall:       "wamp call",
	KindCallInput:  "wamp call_input",
	KindInvocation: "wamp invocation",
	KindPublish:    "wamp publish",
	KindEvent:      "wamp event",
}

// peerKeys are the attribute keys of the peer: the caller, the publisher.
var peerKeys = [2]struct{ id, authID, authRole string }{
	{"caller", "caller_authid", "caller_authrole"},
	{"publisher", "publisher_authid", "publisher_authrole"},
}

// maxText bounds each string attribute, in bytes: URIs, authids and error
// texts come from peers.
const maxText = 512

// clip cuts s to maxText bytes, at a character boundary, marking the cut.
func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	i := maxText
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// emit writes the record of e at level, unless the filter drops it.
func (l *Interceptor) emit(ctx context.Context, level slog.Level, end time.Time, e *Entry) {
	if l.keep != nil && !l.keep(ctx, *e) {
		return
	}
	// The record has no source position: the place that logs is this
	// package, for every record, and says nothing.
	r := slog.NewRecord(end, level, messages[e.Kind], 0)
	r.AddAttrs(slog.String("kind", string(e.Kind)), slog.String("uri", clip(string(e.URI))))
	if e.Pattern != "" {
		r.AddAttrs(slog.String("pattern", clip(string(e.Pattern))))
	}
	r.AddAttrs(slog.Duration("duration", e.Duration), slog.String("outcome", clip(e.Outcome)))
	if e.Err != nil {
		if _, wire := runtime.ErrorURIOf(e.Err); !wire {
			r.AddAttrs(slog.String("error", clip(e.Err.Error())))
		}
	}
	keys := &peerKeys[0] // the caller of an invocation
	if e.Kind == KindEvent {
		keys = &peerKeys[1] // the publisher of an event
	}
	if e.Peer != 0 {
		r.AddAttrs(slog.Uint64(keys.id, uint64(e.Peer)))
	}
	if e.PeerAuthID != "" {
		r.AddAttrs(slog.String(keys.authID, clip(e.PeerAuthID)))
	}
	if e.PeerAuthRole != "" {
		r.AddAttrs(slog.String(keys.authRole, clip(e.PeerAuthRole)))
	}
	if e.Publication != 0 {
		r.AddAttrs(slog.Uint64("publication", uint64(e.Publication)))
	}
	if e.Progress {
		r.AddAttrs(slog.Bool("progress", true))
	}
	if e.Kind == KindCallInput {
		r.AddAttrs(slog.Int("chunks", e.Chunks))
	}
	if e.ArgsBytes >= 0 {
		r.AddAttrs(slog.Int("args_bytes", e.ArgsBytes))
	}
	if e.ResultBytes >= 0 {
		r.AddAttrs(slog.Int("result_bytes", e.ResultBytes))
	}
	_ = l.log.Handler().Handle(ctx, r)
}
