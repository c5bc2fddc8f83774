package otelwamp

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/messagingconv"
	"go.opentelemetry.io/otel/semconv/v1.43.0/rpcconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// ScopeName is the instrumentation scope of the interceptor's tracer and
// meter.
const ScopeName = "github.com/wampgen/wampgen/otelwamp"

// System is the value of rpc.system.name and messaging.system.
const System = "wamp"

// Attribute keys of WAMP facts the semantic conventions have no key for.
const (
	// ProgressKey (bool) is set on call and invocation spans: progressive
	// results were asked for.
	ProgressKey = attribute.Key("wamp.progress")
	// StreamedInputKey (bool) is set on call and invocation spans: the
	// call's input is streamed (CallInput, progressive call invocations).
	StreamedInputKey = attribute.Key("wamp.streamed_input")
	// InputChunksKey (int) is set on a CallInput span: the chunks sent.
	InputChunksKey = attribute.Key("wamp.input_chunks")
	// CallerKey (int) is set on an invocation span when the router
	// disclosed the caller's session ID.
	CallerKey = attribute.Key("wamp.caller.session_id")
	// PublisherKey (int) is set on an event span when the router disclosed
	// the publisher's session ID.
	PublisherKey = attribute.Key("wamp.publisher.session_id")
	// AcknowledgeKey (bool) is set on a publication span.
	AcknowledgeKey = attribute.Key("wamp.acknowledge")
)

// Interceptor records a span and a duration for every call, CallInput,
// invocation, publication and event it wraps, and carries the trace
// context from caller to callee and from publisher to subscribers. It
// implements runtime.Interceptor; one Interceptor may serve any number of
// sessions and goroutines. Make one with NewInterceptor.
type Interceptor struct {
	tracer      trace.Tracer // nil: WithoutTracing
	propagator  propagation.TextMapPropagator
	trustRemote bool
	attrs       []attribute.KeyValue

	// nil: WithoutMetrics
	calls, invocations, publications, events *recorder
}

var _ runtime.Interceptor = (*Interceptor)(nil)

// NewInterceptor returns an Interceptor configured by opts. It fails only
// when an option is invalid or the meter refuses an instrument.
func NewInterceptor(opts ...Option) (*Interceptor, error) {
	cfg := config{labelLimit: DefaultLabelLimit}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.labelLimit < 1 {
		return nil, fmt.Errorf("otelwamp: label limit %d, want at least 1", cfg.labelLimit)
	}
	i := &Interceptor{
		propagator:  cfg.propagator,
		trustRemote: !cfg.publicEndpoint,
		attrs:       cfg.attrs,
	}
	if i.propagator == nil {
		i.propagator = otel.GetTextMapPropagator()
	}
	if !cfg.noTracing {
		tp := cfg.tracerProvider
		if tp == nil {
			tp = otel.GetTracerProvider()
		}
		i.tracer = tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL))
	}
	if !cfg.noMetrics {
		if err := i.newInstruments(cfg); err != nil {
			return nil, err
		}
	}
	return i, nil
}

func (i *Interceptor) newInstruments(cfg config) error {
	mp := cfg.meterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(ScopeName, metricSchema)
	client, err := rpcconv.NewClientCallDuration(meter)
	if err != nil {
		return fmt.Errorf("otelwamp: %w", err)
	}
	server, err := rpcconv.NewServerCallDuration(meter)
	if err != nil {
		return fmt.Errorf("otelwamp: %w", err)
	}
	publish, err := messagingconv.NewClientOperationDuration(meter)
	if err != nil {
		return fmt.Errorf("otelwamp: %w", err)
	}
	process, err := messagingconv.NewProcessDuration(meter)
	if err != nil {
		return fmt.Errorf("otelwamp: %w", err)
	}
	rpcSystem := semconv.RPCSystemNameKey.String(System)
	msgSystem := semconv.MessagingSystemKey.String(System)
	n := cfg.labelLimit
	i.calls = newRecorder(client.Float64Histogram, semconv.RPCMethodKey, n, rpcSystem)
	i.invocations = newRecorder(server.Float64Histogram, semconv.RPCMethodKey, n, rpcSystem)
	i.publications = newRecorder(publish.Float64Histogram, semconv.MessagingDestinationNameKey, n,
		msgSystem, semconv.MessagingOperationNameKey.String("publish"), semconv.MessagingOperationTypeSend)
	i.events = newRecorder(process.Float64Histogram, semconv.MessagingDestinationNameKey, n,
		msgSystem, semconv.MessagingOperationNameKey.String("event"), semconv.MessagingOperationTypeProcess)
	return nil
}

// start starts a span named name, or returns ctx and nil when tracing is
// off.
func (i *Interceptor) start(ctx context.Context, name string, kind trace.SpanKind, attrs []attribute.KeyValue, extra ...trace.SpanStartOption) (context.Context, trace.Span) {
	if i.tracer == nil {
		return ctx, nil
	}
	attrs = append(attrs, i.attrs...)
	opts := make([]trace.SpanStartOption, 0, 2+len(extra))
	opts = append(opts, kindOptions[kind], trace.WithAttributes(attrs...))
	opts = append(opts, extra...)
	return i.tracer.Start(ctx, name, opts...)
}

// kindOptions are the span kinds' start options, made once.
var kindOptions = map[trace.SpanKind]trace.SpanStartOption{
	trace.SpanKindClient:   trace.WithSpanKind(trace.SpanKindClient),
	trace.SpanKindServer:   trace.WithSpanKind(trace.SpanKindServer),
	trace.SpanKindProducer: trace.WithSpanKind(trace.SpanKindProducer),
	trace.SpanKindConsumer: trace.WithSpanKind(trace.SpanKindConsumer),
}

// end ends span (if any) with the outcome: errType is "" for a success.
func end(span trace.Span, errType string, err error) {
	if span == nil {
		return
	}
	if err != nil {
		span.SetAttributes(semconv.ErrorTypeKey.String(truncate(errType)))
		desc := errType
		if errType == otherValue {
			desc = truncate(err.Error())
		}
		span.SetStatus(codes.Error, desc)
	}
	span.End()
}

// endIfPanicked, deferred, ends span and records the duration of traffic
// whose next panicked (*returned is still false): an inner interceptor's
// panic, which the session recovers outermost and answers with
// wamp.error.runtime_error, or the caller's own progress callback. So no
// span stays open; the panic goes on.
func endIfPanicked(returned *bool, ctx context.Context, span trace.Span, r *recorder, start time.Time, uri string) {
	if *returned {
		return
	}
	end(span, string(wamp.ErrRuntime), errPanicked)
	r.record(context.WithoutCancel(ctx), time.Since(start), uri, string(wamp.ErrRuntime))
}

// truncate bounds a span attribute or status that may come from a peer to
// 512 bytes, cutting at a character boundary.
func truncate(s string) string {
	n := 512
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// errorType is the error.type of a failed call, CallInput or publication:
// the error URI the router or callee answered with, wamp.error.canceled or
// wamp.error.timeout for an ended context, "_OTHER" for other local errors
// (the session closed, say); "" for no error.
func errorType(err error) string {
	if err == nil {
		return ""
	}
	if uri, ok := runtime.ErrorURIOf(err); ok {
		return string(uri)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return string(wamp.ErrTimeout)
	case errors.Is(err, context.Canceled):
		return string(wamp.ErrCanceled)
	}
	return otherValue
}

// WrapCall returns a CallFunc that makes a client span named after the
// procedure, injects its trace context into the call's options, and
// records the call's duration.
func (i *Interceptor) WrapCall(next runtime.CallFunc) runtime.CallFunc {
	return func(ctx context.Context, call *runtime.Call) (*runtime.Result, error) {
		start := time.Now()
		proc := string(call.Procedure)
		ctx, span := i.start(ctx, proc, trace.SpanKindClient, i.callAttrs(call))
		if span != nil {
			i.propagator.Inject(ctx, (*callCarrier)(call))
		}
		returned := false
		defer endIfPanicked(&returned, ctx, span, i.calls, start, proc)
		res, err := next(ctx, call)
		returned = true
		et := errorType(err)
		end(span, et, err)
		i.calls.record(ctx, time.Since(start), proc, et)
		return res, err
	}
}

func (i *Interceptor) callAttrs(call *runtime.Call) []attribute.KeyValue {
	if i.tracer == nil {
		return nil
	}
	return []attribute.KeyValue{
		semconv.RPCSystemNameKey.String(System),
		semconv.RPCMethodKey.String(string(call.Procedure)),
		ProgressKey.Bool(call.Progress),
		StreamedInputKey.Bool(call.StreamedInput),
	}
}

// WrapCallInput returns a CallInputFunc whose span covers the whole call:
// it ends when CloseSend returns, when a Send fails (the call is over), or
// when the context given to CallInput ends, whichever comes first; so a
// call abandoned by ending its context leaves no span open.
func (i *Interceptor) WrapCallInput(next runtime.CallInputFunc) runtime.CallInputFunc {
	return func(ctx context.Context, call *runtime.Call) (runtime.InputCall, error) {
		st := &inputState{i: i, start: time.Now(), proc: string(call.Procedure)}
		spanCtx, span := i.start(ctx, st.proc, trace.SpanKindClient, i.callAttrs(call))
		st.span = span
		if span != nil {
			i.propagator.Inject(spanCtx, (*callCarrier)(call))
		}
		returned := false
		defer endIfPanicked(&returned, spanCtx, span, i.calls, st.start, st.proc)
		in, err := next(spanCtx, call)
		returned = true
		if err == nil && in == nil { // the session fails the call with its own error
			err = errNilInput
		}
		if err != nil {
			st.finish(spanCtx, err)
			if err == errNilInput {
				return nil, nil
			}
			return nil, err
		}
		st.stop = context.AfterFunc(ctx, func() {
			// Abandoned: ended without Send or CloseSend running, which
			// otherwise end the span with what they return.
			if st.closing.Load() || st.running.Load() > 0 {
				return
			}
			st.finish(context.WithoutCancel(spanCtx), ctx.Err())
		})
		return &tracedInput{next: in, st: st, ctx: spanCtx, callCtx: ctx}, nil
	}
}

// inputState is the span and duration of one CallInput; finish ends them
// once.
type inputState struct {
	i      *Interceptor
	span   trace.Span
	start  time.Time
	proc   string
	stop   func() bool // stops the AfterFunc; called only by tracedInput's methods
	chunks atomic.Int64
	done   atomic.Bool
	// running counts the Sends running; closing is set once CloseSend is
	// called. While either holds, the end of the call's context is left
	// to them: CloseSend returns how the call ended (a bidirectional
	// call's context ends as soon as its final result is received, maybe
	// before CloseSend has returned it).
	running atomic.Int64
	closing atomic.Bool
}

func (st *inputState) finish(ctx context.Context, err error) {
	if !st.done.CompareAndSwap(false, true) {
		return
	}
	if st.span != nil {
		st.span.SetAttributes(InputChunksKey.Int64(st.chunks.Load()))
	}
	et := errorType(err)
	end(st.span, et, err)
	st.i.calls.record(ctx, time.Since(st.start), st.proc, et)
}

// tracedInput is the InputCall WrapCallInput returns.
type tracedInput struct {
	next    runtime.InputCall
	st      *inputState
	ctx     context.Context // the span's, for recording
	callCtx context.Context // the one given to CallInput
}

// errNilInput ends the span of a CallInput whose inner chain returned no
// InputCall and no error.
var errNilInput = errors.New("otelwamp: an interceptor returned a nil InputCall")

// errPanicked ends the span of traffic whose inner interceptor or
// InputCall panicked (the session answers with an error).
var errPanicked = errors.New("otelwamp: panicked inside the span")

// finishOnPanic, deferred, ends the span when the inner InputCall panics
// (so that it never stays open), and lets the panic go on.
func (t *tracedInput) finishOnPanic(returned *bool) {
	if !*returned {
		t.st.finish(context.WithoutCancel(t.ctx), errPanicked)
		t.st.stop()
	}
}

func (t *tracedInput) Send(ctx context.Context, args, kwargs wamp.Payload) error {
	returned := false
	defer t.finishOnPanic(&returned)
	t.st.running.Add(1)
	err := t.next.Send(ctx, args, kwargs)
	t.st.running.Add(-1)
	returned = true
	switch {
	case err == nil:
		t.st.chunks.Add(1)
		if cerr := t.callCtx.Err(); cerr != nil && !t.st.closing.Load() {
			// The call's context ended while this Send ran, and the
			// caller may never call again: the call is cancelled.
			t.st.finish(context.WithoutCancel(t.ctx), cerr)
			t.st.stop()
		}
	case !errors.Is(err, runtime.ErrAnsweredEarly):
		// The call is over (see runtime.InputCall.Send); after
		// ErrAnsweredEarly, CloseSend returns the answer.
		t.st.finish(context.WithoutCancel(t.ctx), err)
		t.st.stop()
	}
	return err
}

func (t *tracedInput) CloseSend(ctx context.Context, args, kwargs wamp.Payload) (*runtime.Result, error) {
	t.st.closing.Store(true)
	returned := false
	defer t.finishOnPanic(&returned)
	res, err := t.next.CloseSend(ctx, args, kwargs)
	returned = true
	if err == nil && !t.st.done.Load() {
		t.st.chunks.Add(1)
	}
	t.st.finish(context.WithoutCancel(t.ctx), err)
	t.st.stop()
	return res, err
}

// WrapInvocation returns a Handler that makes a server span, a child of
// the caller's span when the invocation carries its trace context (or the
// root of a new trace linked to it, WithPublicEndpoint), named after the
// registered URI (the pattern, for pattern registrations), and records the
// invocation's duration by that URI and the error URI it is answered with.
func (i *Interceptor) WrapInvocation(next runtime.Handler) runtime.Handler {
	return func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		start := time.Now()
		name := string(inv.Registered())
		if name == "" { // an Invocation the runtime did not make
			name = string(inv.Procedure)
		}
		var span trace.Span
		if i.tracer != nil {
			attrs := []attribute.KeyValue{
				semconv.RPCSystemNameKey.String(System),
				semconv.RPCMethodKey.String(name),
				ProgressKey.Bool(inv.ProgressRequested()),
				StreamedInputKey.Bool(isTrue(inv.Details, wamp.OptProgress)),
			}
			if string(inv.Procedure) != name {
				attrs = append(attrs, semconv.RPCMethodOriginalKey.String(truncate(string(inv.Procedure))))
			}
			if inv.Caller != 0 {
				attrs = append(attrs, CallerKey.Int64(int64(inv.Caller)))
			}
			var opts []trace.SpanStartOption
			ctx, opts = i.extract(ctx, inv.Details)
			ctx, span = i.start(ctx, name, trace.SpanKindServer, attrs, opts...)
		}
		returned := false
		defer endIfPanicked(&returned, ctx, span, i.invocations, start, name)
		res, err := next(ctx, inv)
		returned = true
		et := ""
		if err != nil {
			et = string(inv.ErrorURI(err))
		}
		end(span, et, err)
		i.invocations.record(ctx, time.Since(start), name, et)
		return res, err
	}
}

// extract returns the context to start an incoming span from, and the
// options to start it with: the remote span as parent (and the remote
// baggage) when trusted, else a new root with a link to it.
func (i *Interceptor) extract(ctx context.Context, details wamp.Dict) (context.Context, []trace.SpanStartOption) {
	if len(details) == 0 {
		return ctx, nil
	}
	remote := i.propagator.Extract(ctx, detailsCarrier(details))
	if i.trustRemote {
		return remote, nil
	}
	opts := []trace.SpanStartOption{trace.WithNewRoot()}
	if sc := trace.SpanContextFromContext(remote); sc.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: sc}))
	}
	return ctx, opts
}

func isTrue(d wamp.Dict, key string) bool {
	b, _ := d[key].(bool)
	return b
}

// WrapPublish returns a PublishFunc that makes a producer span named after
// the topic, injects its trace context into the publication's options, and
// records the publication's duration (until the router acknowledged it,
// for acknowledged ones; until it was written, else).
func (i *Interceptor) WrapPublish(next runtime.PublishFunc) runtime.PublishFunc {
	return func(ctx context.Context, pub *runtime.Publication) (wamp.ID, error) {
		start := time.Now()
		topic := string(pub.Topic)
		var span trace.Span
		if i.tracer != nil {
			ctx, span = i.start(ctx, topic, trace.SpanKindProducer, []attribute.KeyValue{
				semconv.MessagingSystemKey.String(System),
				semconv.MessagingOperationNameKey.String("publish"),
				semconv.MessagingOperationTypeSend,
				semconv.MessagingDestinationNameKey.String(topic),
				AcknowledgeKey.Bool(pub.Acknowledge),
			})
			i.propagator.Inject(ctx, (*publicationCarrier)(pub))
		}
		returned := false
		defer endIfPanicked(&returned, ctx, span, i.publications, start, topic)
		id, err := next(ctx, pub)
		returned = true
		et := errorType(err)
		if span != nil && id != 0 {
			span.SetAttributes(semconv.MessagingMessageIDKey.Int64(int64(id)))
		}
		end(span, et, err)
		i.publications.record(ctx, time.Since(start), topic, et)
		return id, err
	}
}

// WrapEvent returns an EventHandler that makes a consumer span, a child of
// the publisher's span when the event carries its trace context (or a new
// root linked to it, WithPublicEndpoint), named after the subscribed topic
// (the pattern, for pattern subscriptions), and records the handler's
// duration by that topic and outcome.
func (i *Interceptor) WrapEvent(next runtime.EventHandler) runtime.EventHandler {
	return func(ctx context.Context, ev *runtime.Event) error {
		start := time.Now()
		name := string(ev.Subscribed())
		if name == "" { // an Event the runtime did not make
			name = string(ev.Topic)
		}
		var span trace.Span
		if i.tracer != nil {
			attrs := []attribute.KeyValue{
				semconv.MessagingSystemKey.String(System),
				semconv.MessagingOperationNameKey.String("event"),
				semconv.MessagingOperationTypeProcess,
				semconv.MessagingDestinationNameKey.String(truncate(string(ev.Topic))),
				semconv.MessagingMessageIDKey.Int64(int64(ev.Publication)),
			}
			if string(ev.Topic) != name {
				attrs = append(attrs, semconv.MessagingDestinationTemplateKey.String(name))
			}
			if ev.Publisher != 0 {
				attrs = append(attrs, PublisherKey.Int64(int64(ev.Publisher)))
			}
			var opts []trace.SpanStartOption
			ctx, opts = i.extract(ctx, ev.Details)
			ctx, span = i.start(ctx, name, trace.SpanKindConsumer, attrs, opts...)
		}
		returned := false
		defer endIfPanicked(&returned, ctx, span, i.events, start, name)
		err := next(ctx, ev)
		returned = true
		et := errorType(err)
		end(span, et, err)
		i.events.record(ctx, time.Since(start), name, et)
		return err
	}
}
