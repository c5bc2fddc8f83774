package runtime

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/wampgen/wampgen/wamp"
)

// The helpers in this file are the runtime side of the code wampgen
// generates; they are exported for it and stable across minor versions.

// SupportPackageIsVersion1 is referenced by generated code: a build fails
// at compile time, rather than misbehaving, when generated code needs a
// newer runtime than the one it is built with.
const SupportPackageIsVersion1 = true

// SupportPackageIsVersion2 is referenced by code generated since version 2,
// which calls ResolveProcedureURI, DecodeKeywordArguments and
// UnimplementedError. Code generated for version 1 still builds.
const SupportPackageIsVersion2 = true

// SupportPackageIsVersion3 is referenced by code generated with topics,
// which uses Publisher, Subscriber, PublishEvent, SubscribeAll and the
// Event… helpers. Code generated for versions 1 and 2 still builds.
const SupportPackageIsVersion3 = true

// SupportPackageIsVersion4 is referenced by code generated with streamed
// input (a parameter iter.Seq[T]), which uses CallInputNone, CallInputOne,
// CallInputStream, InputSeq and WithStreamedInput. Code generated for
// versions 1 to 3 still builds.
const SupportPackageIsVersion4 = true

// ErrBadResult is matched by the errors a generated client returns when a
// result does not have the count or the types its procedure declares.
var ErrBadResult = errors.New("result does not match the procedure's declared types")

// ArgumentsError reports arguments that are not a list.
func ArgumentsError(procedure wamp.URI, err error) error {
	return invalidArgument(argumentsText(procedure, err))
}

// ArgumentCountError reports a wrong number of positional arguments;
// signature describes the expected ones, such as "a float64, b float64".
func ArgumentCountError(procedure wamp.URI, signature string, got int) error {
	return invalidArgument(argumentCountText(procedure, signature, got))
}

// ArgumentError reports argument index (from 0), named name, that does not
// decode into its parameter's type.
func ArgumentError(procedure wamp.URI, index int, name string, err error) error {
	return invalidArgument(argumentText(procedure, index, name, err))
}

// KeywordArgumentsError reports ArgumentsKw that do not decode into the
// procedure's keyword-argument struct.
func KeywordArgumentsError(procedure wamp.URI, err error) error {
	return invalidArgument(keywordArgumentsText(procedure, err))
}

// ErrBadEvent is matched by the errors a generated event handler returns,
// without calling the implementation, for an event that does not have the
// count or the types its topic declares; the subscription counts it as
// Rejected (see SubscriptionStats).
var ErrBadEvent = errors.New("event does not match the topic's declared types")

// EventArgumentsError reports event arguments that are not a list.
func EventArgumentsError(topic wamp.URI, err error) error {
	return badEvent(argumentsText(topic, err))
}

// EventArgumentCountError reports an event with a wrong number of
// positional arguments; signature describes the expected ones.
func EventArgumentCountError(topic wamp.URI, signature string, got int) error {
	return badEvent(argumentCountText(topic, signature, got))
}

// EventArgumentError reports event argument index (from 0), named name,
// that does not decode into its parameter's type.
func EventArgumentError(topic wamp.URI, index int, name string, err error) error {
	return badEvent(argumentText(topic, index, name, err))
}

// The texts of the argument errors, the same for procedures and topics.
func argumentsText(uri wamp.URI, err error) string {
	return fmt.Sprintf("%s: arguments: %v", uri, err)
}

func argumentCountText(uri wamp.URI, signature string, got int) string {
	return fmt.Sprintf("%s takes (%s), got %d arguments", uri, signature, got)
}

func argumentText(uri wamp.URI, index int, name string, err error) string {
	return fmt.Sprintf("%s: argument %d (%s): %v", uri, index+1, name, err)
}

func keywordArgumentsText(uri wamp.URI, err error) string {
	return fmt.Sprintf("%s: keyword arguments: %v", uri, err)
}

func invalidArgument(msg string) error {
	return &Error{URI: wamp.ErrInvalidArgument, Args: wamp.ArgsOf(msg)}
}

func badEvent(msg string) error { return fmt.Errorf("%w: %s", ErrBadEvent, msg) }

// ResultCountError reports a result with the wrong number of values.
func ResultCountError(procedure wamp.URI, want, got int) error {
	return fmt.Errorf("%s: %w: want %d values, got %d", procedure, ErrBadResult, want, got)
}

// ResultError reports result value index (from 0) that does not decode
// into its declared type.
func ResultError(procedure wamp.URI, index int, err error) error {
	return fmt.Errorf("%s: %w: value %d: %v", procedure, ErrBadResult, index+1, err)
}

// decodeOne decodes a payload that must hold exactly one value.
func decodeOne[T any](procedure wamp.URI, p wamp.Payload) (T, error) {
	var buf [2]wamp.Value
	vals, err := p.AppendList(buf[:0])
	if err != nil {
		var zero T
		return zero, ResultError(procedure, 0, err)
	}
	if len(vals) != 1 {
		var zero T
		return zero, ResultCountError(procedure, 1, len(vals))
	}
	v, err := decodeValue[T](vals[0])
	if err != nil {
		return v, ResultError(procedure, 0, err)
	}
	return v, nil
}

// decodeNone checks that p, a result's Arguments, holds no values.
func decodeNone(procedure wamp.URI, p wamp.Payload) error {
	var buf [1]wamp.Value
	vals, err := p.AppendList(buf[:0])
	if err != nil {
		return ResultError(procedure, 0, err)
	}
	if len(vals) != 0 {
		return ResultCountError(procedure, 0, len(vals))
	}
	return nil
}

// decodeValue decodes val into a T as val.Decode would: the common scalar
// types through wamp.Value's typed accessors, which need no pointer, so
// that nothing is allocated for them.
func decodeValue[T any](val wamp.Value) (T, error) {
	var v T
	var err error
	switch p := any(&v).(type) {
	case *float64:
		*p, err = val.Float64()
	case *int:
		*p, err = val.Int()
	case *int64:
		*p, err = val.Int64()
	case *uint64:
		*p, err = val.Uint64()
	case *string:
		*p, err = val.Text()
	case *bool:
		*p, err = val.Bool()
	default:
		return decodeReflect[T](val)
	}
	return v, err
}

func decodeReflect[T any](val wamp.Value) (T, error) {
	var v T
	err := val.Decode(&v)
	return v, err
}

// WithTypedProgress asks for progressive results and passes each one,
// decoded from its single positional value into T, to fn (see
// WithProgress). A nil fn asks for no progress.
func WithTypedProgress[T any](procedure wamp.URI, fn func(T) error) CallOption {
	if fn == nil {
		return callOptionFunc(func(*callConfig) {})
	}
	return withRawProgress(func(r *wamp.Result) error {
		v, err := decodeOne[T](procedure, r.Args)
		if err != nil {
			return err
		}
		return fn(v)
	})
}

// ProgressSender returns the function a callee implementation calls to send
// one progressive result: it sends v as the single positional value when the
// caller asked for progressive results, and does nothing otherwise (so an
// implementation needs no check of its own).
func ProgressSender[T any](inv *Invocation) func(T) error {
	return func(v T) error {
		if !inv.ProgressRequested() {
			return nil
		}
		return inv.SendProgress(wamp.ArgsOf(v), wamp.Payload{})
	}
}

// errStopStream cancels a streaming call whose consumer stopped ranging.
var errStopStream = errors.New("stream consumer stopped")

// itemStream is the progress callback of a typed stream: each progressive
// result is one item, its single positional value, yielded in turn.
// stopped reports that the loop body broke out (the callback then returned
// errStopStream, which cancels the call), progressed that any progressive
// result arrived (see yieldFinal).
type itemStream[R any] struct {
	procedure           wamp.URI
	yield               func(R, error) bool
	stopped, progressed bool
}

func (s *itemStream[R]) progress(r *wamp.Result) error {
	s.progressed = true
	v, err := decodeOne[R](s.procedure, r.Args)
	if err != nil {
		return err
	}
	if !s.yield(v, nil) {
		s.stopped = true
		return errStopStream
	}
	return nil
}

// Stream calls procedure asking for progressive results and returns them as
// a sequence: each progressive result is one item (its single positional
// value); the final result ends the sequence (an item too, if it carries
// one). A failure is yielded as the last pair, with the zero T. Breaking out
// of the loop cancels the call. Each range makes a new call.
//
// Through a router that does not announce progressive_call_results no
// progressive result is asked for: the callee then sends every item in the
// final result (as ServeStream does), and each of its positional values is
// one item.
func Stream[T any](ctx context.Context, caller Caller, procedure wamp.URI, args, kwargs wamp.Payload, opts ...CallOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		items := itemStream[T]{procedure: procedure, yield: yield}
		res, err := call(ctx, caller, procedure, args, kwargs, append(opts[:len(opts):len(opts)], withRawProgress(items.progress)))
		if items.stopped {
			return
		}
		yieldFinal(procedure, res, err, items.progressed, yield)
	}
}

// yieldFinal ends a stream of results with the final result res (or the
// call's error): its values are items too (see Stream).
func yieldFinal[T any](procedure wamp.URI, res resultPayloads, err error, progressed bool, yield func(T, error) bool) {
	if err != nil {
		var zero T
		yield(zero, err)
		return
	}
	var buf [2]wamp.Value
	vals, err := res.Args.AppendList(buf[:0])
	if err != nil || (len(vals) > 1 && progressed) {
		var zero T
		if err == nil {
			err = ResultCountError(procedure, 1, len(vals))
		}
		yield(zero, ResultError(procedure, 0, err))
		return
	}
	// Several values come only from a callee that sent no progressive
	// results (see Stream).
	for i, val := range vals {
		v, err := decodeValue[T](val)
		if err != nil {
			yield(v, ResultError(procedure, i, err))
			return
		}
		if !yield(v, nil) {
			return
		}
	}
}

// ServeStream answers an invocation from seq: each item is sent as a
// progressive result when the caller asked for them. A caller that did not
// ask for progressive results gets all the items at once, as the positional
// values of the final result. An error from seq ends the call with that
// error.
//
// Which item the final result carries: for an invocation without streamed
// input, none (every item is a progressive result, the final result is
// empty). For a handler registered with WithStreamedInput (a bidirectional
// call), the last one, as a final RESULT [item]: once the input has ended
// (its last chunk arrived), each item is held back until the next one comes
// (then it is sent as a progressive result) or seq ends (then it is the
// final result); before the input ends, items are sent as they come. So an
// implementation that yields one item per chunk (a running total) answers
// with a progressive result after each chunk but the last and the last
// item in the final result. Clients generated by wampgen (Stream,
// CallInputStream) take either form.
func ServeStream[T any](ctx context.Context, inv *Invocation, seq iter.Seq2[T, error]) (*Result, error) {
	var all []any
	var held T
	holding := false
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !inv.ProgressRequested() {
			all = append(all, v)
			continue
		}
		if holding {
			holding = false
			if err := inv.SendProgress(wamp.ArgsOf(held), wamp.Payload{}); err != nil {
				return nil, err
			}
		}
		if inv.input != nil && inv.input.complete() {
			held, holding = v, true
			continue
		}
		if err := inv.SendProgress(wamp.ArgsOf(v), wamp.Payload{}); err != nil {
			return nil, err
		}
	}
	if holding {
		return &Result{Args: wamp.ArgsOf(held)}, nil
	}
	if len(all) > 0 {
		return &Result{Args: wamp.ArgsOf(all...)}, nil
	}
	return nil, nil
}

// Procedure is one procedure of a service, as a generated registrar lists
// them.
type Procedure struct {
	URI     wamp.URI
	Handler Handler
	Options []RegisterOption
}

// Registrations is the handle RegisterAll returns: all the procedures of a
// service, unregistered together.
type Registrations struct {
	regs []*Registration
}

// Registrations returns the individual registrations.
func (r *Registrations) Registrations() []*Registration { return r.regs }

// Unregister unregisters every procedure, returning the errors joined.
func (r *Registrations) Unregister(ctx context.Context) error {
	var errs []error
	for _, reg := range r.regs {
		errs = append(errs, reg.Unregister(ctx))
	}
	return errors.Join(errs...)
}

// RegisterAll registers every procedure on callee, each with opts followed
// by its own options. If one fails, those already registered are
// unregistered again and the error names the procedure.
func RegisterAll(ctx context.Context, callee Callee, procs []Procedure, opts ...RegisterOption) (*Registrations, error) {
	regs, err := makeAll(procs, func(p Procedure) (*Registration, error) {
		return callee.Register(ctx, p.URI, p.Handler, append(opts[:len(opts):len(opts)], p.Options...)...)
	}, "registrations", func(done []*Registration) error {
		return (&Registrations{regs: done}).Unregister(ctx)
	})
	if err != nil {
		return nil, err
	}
	return &Registrations{regs: regs}, nil
}

// makeAll makes one handle for each item, in order, with mk; if one fails,
// undo undoes those already made (named what in its error, which joins the
// failure's).
func makeAll[I, H any](items []I, mk func(I) (H, error), what string, undo func([]H) error) ([]H, error) {
	done := make([]H, 0, len(items))
	for _, it := range items {
		h, err := mk(it)
		if err != nil {
			if uerr := undo(done); uerr != nil {
				err = errors.Join(err, fmt.Errorf("undoing earlier %s: %w", what, uerr))
			}
			return nil, err
		}
		done = append(done, h)
	}
	return done, nil
}

// CallNone makes a call whose procedure returns no values; a result with
// values is an ErrBadResult error.
func CallNone(ctx context.Context, caller Caller, procedure wamp.URI, args, kwargs wamp.Payload, opts ...CallOption) error {
	res, err := call(ctx, caller, procedure, args, kwargs, opts)
	if err != nil {
		return err
	}
	return decodeNone(procedure, res.Args)
}

// CallOne makes a call whose procedure returns one value, decoded into T; a
// result of another count or type is an ErrBadResult error.
func CallOne[T any](ctx context.Context, caller Caller, procedure wamp.URI, args, kwargs wamp.Payload, opts ...CallOption) (T, error) {
	res, err := call(ctx, caller, procedure, args, kwargs, opts)
	if err != nil {
		var zero T
		return zero, err
	}
	return decodeOne[T](procedure, res.Args)
}

// call calls through caller and returns the final result's payloads. A
// *Session is called directly, without a *Result for each call.
func call(ctx context.Context, caller Caller, procedure wamp.URI, args, kwargs wamp.Payload, opts []CallOption) (resultPayloads, error) {
	if s, ok := caller.(*Session); ok {
		r, err := s.call(ctx, procedure, args, kwargs, opts)
		if err != nil {
			return resultPayloads{}, err
		}
		return resultPayloads{Args: r.Args, Kwargs: r.Kwargs}, nil
	}
	r, err := caller.Call(ctx, procedure, args, kwargs, opts...)
	if err != nil {
		return resultPayloads{}, err
	}
	return resultPayloads{Args: r.Args, Kwargs: r.Kwargs}, nil
}

// resultPayloads are the payloads of a final result.
type resultPayloads struct{ Args, Kwargs wamp.Payload }

type procedureURIKey struct{}

// WithProcedureURI returns a context that makes a generated client method
// of a pattern-based procedure (match=prefix or match=wildcard) call uri
// instead of its pattern: the concrete URI the callee's pattern matches,
// such as com.example.ops.add for the prefix com.example.ops.
func WithProcedureURI(ctx context.Context, uri wamp.URI) context.Context {
	return context.WithValue(ctx, procedureURIKey{}, uri)
}

// ProcedureURI returns the URI set with WithProcedureURI, or pattern,
// unchecked.
//
// Deprecated: code generated for version 1 calls it; code generated now
// calls ResolveProcedureURI, which refuses a URI the pattern does not
// match. Regenerate to get that check.
func ProcedureURI(ctx context.Context, pattern wamp.URI) wamp.URI {
	if u, ok := ctx.Value(procedureURIKey{}).(wamp.URI); ok && u != "" {
		return u
	}
	return pattern
}

// emptyArgs is the Arguments of the final CALL of an empty input: [].
var emptyArgs = wamp.PayloadOf([]any{})

// callInput makes a call with streamed input through caller, which must be
// a StreamCaller: each item of input travels as one chunk with Arguments
// [item]; input is read one item ahead, so that the last item travels in
// the final CALL, and an empty input is one final CALL with Arguments [].
// Input stops being read as soon as the call ends (a callee error, an
// answer before the input ended, ctx).
func callInput[T any](ctx context.Context, caller Caller, procedure wamp.URI, input iter.Seq[T], opts []CallOption) (resultPayloads, error) {
	sc, ok := caller.(StreamCaller)
	if !ok {
		return resultPayloads{}, fmt.Errorf("runtime: calling %s: %w", procedure, &Error{URI: wamp.ErrFeatureNotSupported,
			Args: wamp.ArgsOf(fmt.Sprintf("streamed input needs a Caller that is a runtime.StreamCaller, and %T is not", caller))})
	}
	ic, err := sc.CallInput(ctx, procedure, opts...)
	if err != nil {
		return resultPayloads{}, err
	}
	return sendAll(ctx, ic, input)
}

// sendAll sends input through ic as callInput says and returns the final
// result's payloads.
func sendAll[T any](ctx context.Context, ic InputCall, input iter.Seq[T]) (resultPayloads, error) {
	var prev T
	have := false
	for v := range input {
		if have {
			if err := ic.Send(ctx, wamp.ArgsOf(prev), wamp.Payload{}); err != nil {
				have = false
				break // CloseSend returns what ended the call
			}
		}
		prev, have = v, true
	}
	last := emptyArgs
	if have {
		last = wamp.ArgsOf(prev)
	}
	r, err := ic.CloseSend(ctx, last, wamp.Payload{})
	if err != nil {
		return resultPayloads{}, err
	}
	return resultPayloads{Args: r.Args, Kwargs: r.Kwargs}, nil
}

// CallInputNone makes a call with streamed input (see CallInput) whose
// procedure returns no values: each item of input travels as one chunk
// with Arguments [item], the last one in the final CALL (input is read one
// item ahead); an empty input is one final CALL with Arguments []. caller
// must be a StreamCaller (a *Session is): otherwise the error matches
// ErrFeatureNotSupported and nothing is sent. Input is not read any further
// once the call has ended (a callee error, an answer before the input
// ended, cancellation). It returns only once input has returned, or
// yielded after the call ended: the end of ctx cancels the call at once,
// but an input that blocks (on a channel, a socket) must watch ctx itself
// for CallInputNone to return. A result with values is an ErrBadResult
// error.
func CallInputNone[T any](ctx context.Context, caller Caller, procedure wamp.URI, input iter.Seq[T], opts ...CallOption) error {
	res, err := callInput(ctx, caller, procedure, input, opts)
	if err != nil {
		return err
	}
	return decodeNone(procedure, res.Args)
}

// CallInputOne is CallInputNone for a procedure that returns one value,
// decoded into R (client streaming).
func CallInputOne[T, R any](ctx context.Context, caller Caller, procedure wamp.URI, input iter.Seq[T], opts ...CallOption) (R, error) {
	res, err := callInput(ctx, caller, procedure, input, opts)
	if err != nil {
		var zero R
		return zero, err
	}
	return decodeOne[R](procedure, res.Args)
}

// CallInputStream makes a bidirectional call: the input streamed as by
// CallInputNone, the results returned as by Stream, at the same time.
// Breaking out of the loop cancels the call. Each range makes a new call.
//
// Through a *Session the input is read, and its chunks sent, on a
// goroutine of its own (input is called from that goroutine only), while
// the goroutine that ranges receives the results as they arrive: a
// ping-pong works. As the last item travels in the final CALL, the input is
// read one item ahead: item k is read (input asked for it) once item k−1
// has been and item k−2 has been sent, so an input may wait for the result
// of item k−2 before it yields item k, not for that of item k−1 (which has
// not been sent yet). The loop ends only once input has returned, so
// nothing of the call runs after it: an input that waits for something
// the loop body provides must stop waiting when the loop stops (its next
// yield returns false once the call has ended). A panic in input cancels
// the call and is raised again on the goroutine that ranges, with the same
// value. The progressive results that arrive while the loop body runs
// wait, at most 1024 of them: one more cancels the call (the loop gets
// those that waited, then an error matching ErrCanceled).
//
// Through another StreamCaller, results arrive while the input is sent,
// on the goroutine that ranges (inside Send), so there an input that waits
// for a result before it produces the next item waits forever.
func CallInputStream[T, R any](ctx context.Context, caller Caller, procedure wamp.URI, input iter.Seq[T], opts ...CallOption) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		if s, ok := caller.(*Session); ok {
			callInputSplit(ctx, s, procedure, input, opts, yield)
			return
		}
		items := itemStream[R]{procedure: procedure, yield: yield}
		res, err := callInput(ctx, caller, procedure, input, append(opts[:len(opts):len(opts)], withRawProgress(items.progress)))
		if items.stopped {
			return
		}
		yieldFinal(procedure, res, err, items.progressed, yield)
	}
}

// inputPanic carries a panic of a bidirectional call's input to the
// goroutine that ranges.
type inputPanic struct {
	value    any
	panicked bool
}

// callInputSplit is CallInputStream through a *Session: the input is sent
// from a goroutine of its own while this one yields the results.
func callInputSplit[T, R any](ctx context.Context, s *Session, procedure wamp.URI, input iter.Seq[T], opts []CallOption, yield func(R, error) bool) {
	var zero R
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The callback only asks for progressive results: recv takes them,
	// unless an interceptor wrapped the call (below).
	var onProgress func(*wamp.Result) error
	ask := withRawProgress(func(r *wamp.Result) error {
		if onProgress != nil {
			return onProgress(r)
		}
		return nil
	})
	icall, err := s.CallInput(cctx, procedure, append(opts[:len(opts):len(opts)], ask)...)
	if err != nil {
		yield(zero, err)
		return
	}
	ic, ok := icall.(*inputCall)
	in := icall // what the input is sent through
	if g, guarded := icall.(*guardedInputCall); guarded && g.run.input != nil {
		// An interceptor wrapped the session's InputCall: the input goes
		// through the interceptor's, the results come from the session's,
		// which must not have started (an interceptor may have sent a
		// chunk already).
		ic = g.run.input
		ic.mu.Lock()
		ok = !ic.started
		ic.waitClose = ok
		ic.mu.Unlock()
	}
	if !ok {
		// An InputCall that the session cannot split: its Send and
		// CloseSend are the way in, and the results arrive inside them, on
		// this goroutine, as through another StreamCaller. The callback
		// runs only there, so onProgress is set before it first runs.
		items := itemStream[R]{procedure: procedure, yield: yield}
		onProgress = items.progress
		res, err := sendAll(cctx, icall, input)
		if items.stopped {
			return
		}
		yieldFinal(procedure, res, err, items.progressed, yield)
		return
	}
	ic.splitCall()
	sent := make(chan inputPanic, 1)
	go func() {
		p := inputPanic{panicked: true}
		defer func() {
			if p.panicked {
				p.value = recover()
			}
			// Before the cancellation, so that the loop, woken by the
			// call's end, finds the panic.
			sent <- p
			if p.panicked {
				cancel()
			}
		}()
		sendInput(cctx, ic, in, input)
		p.panicked = false
	}()
	// The input's goroutine has ended when this returns; a panic of the
	// input is raised again here.
	var p inputPanic
	waited := false
	defer func() {
		if !waited {
			cancel()
			p = <-sent
		}
		if p.panicked {
			panic(p.value)
		}
	}()
	progressed := false
	for {
		progress, final, err := ic.recv()
		for _, r := range progress {
			progressed = true
			v, derr := decodeOne[R](procedure, r.Args)
			if derr != nil {
				ic.mu.Lock()
				ic.failLocked(derr, true)
				ic.mu.Unlock()
				final, err = nil, derr
				break
			}
			if !yield(v, nil) {
				return // the deferred cancel cancels the call
			}
		}
		if final == nil && err == nil {
			continue
		}
		// The call is over: the input's goroutine stops at its next Send
		// (the deferred func waits for it). What ended the call is yielded
		// first, so that a loop body can release an input that waits for
		// it; a panic of the input that ended the call goes first.
		cancel()
		select {
		case p = <-sent:
			waited = true
			if p.panicked {
				return
			}
		default:
		}
		if final != nil {
			yieldFinal(procedure, resultPayloads{Args: final.Args, Kwargs: final.Kwargs}, nil, progressed, yield)
			return
		}
		yield(zero, err)
		return
	}
}

// sendInput sends input through in, the split call ic or an interceptor's
// InputCall around it, one item ahead (see callInput), until the input
// ends or the call does.
func sendInput[T any](ctx context.Context, ic *inputCall, in InputCall, input iter.Seq[T]) {
	var prev T
	have := false
	for v := range input {
		if have {
			if err := in.Send(ctx, wamp.ArgsOf(prev), wamp.Payload{}); err != nil {
				if in == InputCall(ic) {
					return // recv reports what ended the call
				}
				// An interceptor's Send may fail without the call
				// ending: the input would have a hole, so the call
				// ends (nothing happens to one that has ended). The
				// interceptor's CloseSend then sees how it ended.
				ic.mu.Lock()
				ic.failLocked(err, true)
				ic.mu.Unlock()
				have = false
				break
			}
		}
		prev, have = v, true
	}
	last := emptyArgs
	if have {
		last = wamp.ArgsOf(prev)
	}
	if in == InputCall(ic) {
		ic.closeInput(ctx, last, wamp.Payload{})
		return
	}
	_, err := in.CloseSend(ctx, last, wamp.Payload{})
	// An interceptor's InputCall that failed, or did not send the last
	// chunk, ends the call: recv must not wait for it.
	ic.mu.Lock()
	if !ic.sentAll {
		if err == nil {
			err = fmt.Errorf("runtime: calling %s: an interceptor's InputCall did not send the last chunk", ic.procedure)
		}
		ic.failLocked(err, true)
	}
	ic.mu.Unlock()
}

// InputSeq is for generated registrars: the input of inv (see
// Invocation.Input) with each chunk's single positional value decoded into
// T; the last chunk may carry none (an empty input, or a caller that ends
// its input with an empty chunk). The returned func reports, after the
// implementation returns, what ended the input early: a chunk that does
// not decode (an *Error wamp.error.invalid_argument naming the chunk's
// index, from 1), an overflow (ErrInputOverflow), an interruption or
// timeout (the context's cause); nil if the input ended normally or was
// not read to the end.
func InputSeq[T any](ctx context.Context, procedure wamp.URI, inv *Invocation) (iter.Seq[T], func() error) {
	var failure error
	seq := func(yield func(T) bool) {
		n := 0
		for ch, err := range inv.Input() {
			if err != nil {
				failure = err
				return
			}
			n++
			var buf [2]wamp.Value
			vals, err := ch.Args.AppendList(buf[:0])
			if err != nil {
				failure = invalidArgument(fmt.Sprintf("%s: input chunk %d: arguments: %v", procedure, n, err))
				return
			}
			if len(vals) == 0 && ch.Last {
				return
			}
			if len(vals) != 1 {
				failure = invalidArgument(fmt.Sprintf("%s: input chunk %d: want 1 value, got %d", procedure, n, len(vals)))
				return
			}
			v, err := decodeValue[T](vals[0])
			if err != nil {
				failure = invalidArgument(fmt.Sprintf("%s: input chunk %d: %v", procedure, n, err))
				return
			}
			if !yield(v) {
				return
			}
			if err := ctx.Err(); err != nil && !ch.Last {
				failure = context.Cause(ctx)
				return
			}
		}
	}
	return seq, func() error { return failure }
}
