// Package otelwamp traces and measures WAMP traffic with OpenTelemetry: an
// interceptor for the wampgen runtime (runtime.Interceptor) that makes a
// span for every call, invocation, publication and event, carries the trace
// context from caller to callee and from publisher to subscribers, and
// records their durations as histograms by URI and outcome.
//
// It is a package of its own so that the core stays light: the runtime,
// wamp and router packages never import it, and only a program that
// imports otelwamp links OpenTelemetry.
//
// # Installing
//
// Give the interceptor to a whole session, or to one generated client,
// registrar, subscription or publisher:
//
//	otw, err := otelwamp.NewInterceptor() // the global providers and propagator
//	sess, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1", Interceptors: []runtime.Interceptor{otw}})
//	// or
//	client := calc.NewCalculatorClient(sess, runtime.WithInterceptors(otw))
//	regs, err := calc.RegisterCalculator(ctx, sess, impl, runtime.WithInterceptors(otw))
//
// WithTracerProvider, WithMeterProvider and WithPropagator replace the
// OpenTelemetry globals (otel.GetTracerProvider and friends). The global
// propagator does nothing until the program sets one, for example
// propagation.NewCompositeTextMapPropagator(propagation.TraceContext{},
// propagation.Baggage{}).
//
// # Spans
//
// A call (Call, Stream, the generated clients) is a client span; a
// CallInput one client span from CallInput to its final result (it ends
// when CloseSend returns, a Send fails, or the context given to CallInput
// ends, so an abandoned call leaves no span open); an invocation a server
// span; a publication a producer span; an event a consumer span. A span is
// named after its URI: the procedure or topic, and on the callee's and
// subscriber's side the URI registered or subscribed to (the pattern, for
// pattern registrations and subscriptions, which keeps names bounded).
// Attributes follow the OpenTelemetry semantic conventions (v1.43.0)
// where they fit: rpc.system.name "wamp", rpc.method (and
// rpc.method_original, the procedure called, under a pattern);
// messaging.system "wamp", messaging.destination.name (and
// messaging.destination.template, the pattern), messaging.message.id (the
// publication ID); error.type, the error URI, on failure, with the span's
// status Error and the URI as its description. WAMP's own: wamp.progress,
// wamp.streamed_input, wamp.input_chunks, wamp.caller.session_id and
// wamp.publisher.session_id (when the router disclosed them),
// wamp.acknowledge. WithAttributes adds attributes of the program's own,
// such as the realm.
//
// # Propagation
//
// The propagator's fields travel as custom options: "x_" followed by the
// field name lower-cased with "-" replaced by "_" (W3C: x_traceparent,
// x_tracestate, x_baggage), set in CALL.Options and PUBLISH.Options and read
// from INVOCATION.Details and EVENT.Details. The router must forward them:
// the embedded router (package router) does, other routers may drop
// custom options, and then every service starts traces of its own. A value
// over 2048 bytes is neither sent nor read, and one that is not a string is
// ignored: details come from the network. The remote trace context is
// trusted by default (the invocation span is the caller's span's child);
// WithPublicEndpoint makes a callee or subscriber facing untrusted peers
// start new traces linked to theirs instead, and drop their baggage.
//
// # Metrics
//
// Four histograms, in seconds, named as the semantic conventions name them:
//
//	rpc.client.call.duration             calls and CallInputs (rpc.system.name, rpc.method, error.type)
//	rpc.server.call.duration             invocations (same attributes; rpc.method is the registered URI)
//	messaging.client.operation.duration  publications (messaging.system, messaging.operation.name "publish",
//	                                     messaging.operation.type "send", messaging.destination.name, error.type)
//	messaging.process.duration           events (messaging.operation.name "event", messaging.operation.type "process",
//	                                     messaging.destination.name: the subscribed URI, error.type)
//
// A histogram's count is the count of calls, invocations, publications or
// events. error.type is absent for a success and the error URI for a
// failure: the one the callee or router answered, wamp.error.canceled or
// wamp.error.timeout when the context ended, "_OTHER" for a local error
// without a URI (the session closed, say); on the callee's side the URI
// the invocation is answered with (wamp.error.runtime_error for an
// unmapped Go error).
//
// Error URIs come from remote peers, and a pattern registration is
// invoked under any URI a caller makes up, so the attribute values are
// capped: each instrument admits at most DefaultLabelLimit (1000, see
// WithLabelLimit) distinct values per attribute, and records later new
// values, and any value over 256 bytes, as "_OTHER"; it admits as many
// distinct (URI, error URI) pairs, and records the error URI of a later
// new pair as "_OTHER", so that an instrument has O(limit) data points.
package otelwamp
