// Package runtime is the WAMP v2 client session that wampgen's generated
// code runs on, and a complete WAMP client in its own right: it dials a
// router, joins a realm, calls and registers procedures, publishes and
// subscribes, and maps Go errors to WAMP error URIs and back.
//
// # Sessions
//
// [Dial] connects to a router and joins [Config.Realm]; only the realm is
// required. The URL picks the transport: ws:// and wss:// (WebSocket),
// tcp:// and tcps:// (RawSocket over TCP), unix:// (RawSocket over a Unix
// socket). [Config.Serializer] picks the serializer: JSON (the default),
// MessagePack or CBOR; values travel the same in all three (see package
// wamp). [Config.Auth] authenticates with [Ticket], [WAMPCRA] or
// [CryptoSign]. A [Session] is safe for concurrent use; [Session.Close]
// leaves the realm (GOODBYE) and [Session.Done] tells when the session has
// ended, [Session.Err] why.
//
// # Calling and registering
//
// [Session.Call] sends a CALL and waits for its RESULT; [Session.Register]
// serves a procedure with a [Handler], which runs on a goroutine of its own
// for each invocation. Arguments and results are [wamp.Payload] values: build
// them with [wamp.ArgsOf] and [wamp.PayloadOf], read them with
// [wamp.Payload.List] and [wamp.Payload.Decode]. Generated code depends only
// on the two small interfaces [Caller] and [Callee], which *Session
// implements, so a test can put anything in its place.
//
// Progressive results: the caller asks with [WithProgress] (generated
// clients with a progress callback or an iter.Seq2 result, through
// [WithTypedProgress] and [Stream]), the callee sends them with
// [Invocation.SendProgress].
//
// # Streamed input
//
// A call's input can be streamed: the caller sends its arguments in
// chunks, and the callee reads them as they arrive (WAMP's progressive call
// invocations; the router must announce progressive_call_invocations,
// which the session announces as caller and callee). With progressive
// results at the same time, a call is a bidirectional stream.
//
//   - Caller: [Session.CallInput] (the [StreamCaller] interface) returns an
//     [InputCall]; each [InputCall.Send] sends one CALL with progress=true,
//     the first one starting the call, and [InputCall.CloseSend] the final
//     CALL, then waits for the result. Generated clients use
//     [CallInputNone], [CallInputOne] and [CallInputStream]: each item
//     travels as one chunk with Arguments [item], the last item in the
//     final CALL (the input is read one item ahead), and an empty input is
//     one final CALL with Arguments []. The options of the call are those
//     of its first CALL, for the whole call (the spec freezes them there);
//     every later chunk carries only progress. The call's context governs
//     the whole call: when it ends the call is cancelled (CANCEL in the
//     call's mode, but killnowait for skip until the last chunk is sent,
//     or the callee, never interrupted, would wait for the rest of its
//     input), whether or not a Send is running. Its deadline does not
//     travel as CALL.Options.timeout: the caller cancels the call itself.
//     A callee error, a cancellation or the loss of the session ends the
//     stream at once: the next Send returns that error, nothing sent. A
//     callee that answers before the input has ended makes Send return an
//     error matching [ErrAnsweredEarly], and CloseSend returns the answer.
//     [CallInputStream] (bidirectional) through a *Session reads the input
//     and sends its chunks on a goroutine of its own while the goroutine
//     that ranges receives the results as they arrive, so a ping-pong
//     works within the read-ahead: the input may wait for the result of
//     item k−2 before it yields item k (item k−1 is sent only once item k
//     is read). The loop ends once the input has returned; a panic in the
//     input cancels the call and is raised again in the loop.
//   - Callee: a handler registered with [WithStreamedInput] reads its
//     input with [Invocation.Input] (generated registrars: [InputSeq]),
//     starting as soon as the first chunk arrives; the details of the
//     first INVOCATION (caller, receive_progress, timeout) hold for the
//     whole call, and a later chunk counts only for its arguments and its
//     progress flag. A generated bidirectional implementation is answered
//     by [ServeStream]: its items are progressive results while the input
//     goes on, and once the input has ended the last item travels in the
//     final RESULT (a running total: a progressive result after each chunk
//     but the last, then the final RESULT [total]). INTERRUPT, the call's timeout and the end of the
//     session end the input (Input yields the context's cause) and the
//     handler's ctx, as for any call. A handler registered without
//     WithStreamedInput that receives a streamed call answers it with
//     wamp.error.invalid_argument ("… does not take streamed input"). The
//     chunks that arrive for a call already over (answered, refused,
//     overflowed: "late" chunks, which cross the answer on the wire) are
//     ignored, as the spec asks; the session remembers the last 4096 such
//     calls per connection.
//
// Flow control. WAMP has no message with which a callee could ask its
// caller to slow down (progressive call invocations have no window, credit
// or acknowledgement, and YIELDs need not match CALLs), the router never
// waits for a client, and the session's read loop, which serves every call
// of the connection, never waits for a handler. So each invocation with
// streamed input queues its chunks until the handler reads them, counting
// each as the size of its INVOCATION message plus 384 bytes (what a queued
// chunk costs in memory besides its message, measured): at most
// [Config.InputQueueBytes] per call (16 MiB by default, some 38,000 small
// chunks; [Config.InputQueue] bounds the chunks too, by default no tighter)
// and [Config.InputSessionBytes] for all the session's calls together
// (64 MiB by default). These defaults let a handler that does little per
// chunk keep up with a caller that sends as fast as it can, however long
// the input, on a loaded machine, where the scheduler may keep the handler
// off a processor while the read loop queues thousands of chunks. A chunk
// that does not fit ends its call at once, and only that call: the callee
// answers ERROR wampgen.error.input_overflow ([ErrInputOverflowURI]; the
// error matches [ErrInputOverflow] on both sides), its handler's ctx is
// cancelled with that cause and its Input yields that error, what was
// queued is dropped, and the chunks still coming are ignored. The caller
// experiences it like any callee error: its next Send (or CloseSend)
// returns the error matching ErrInputOverflow. A caller's Send waits only
// for room in its own connection's write queue, never for the callee, so
// memory is bounded on both sides and a caller that must not lose its call
// sends no more than the callee's queue holds before it hears back (for
// example, one chunk per progressive result it receives). The other way
// round, the progressive results of a bidirectional call wait for the
// caller's next Send (for CallInputStream: for its loop to take them), at
// most 1024 of them; one more cancels the call.
//
// # Cancellation and timeouts
//
// A call ends when its context does. Its deadline travels as
// CALL.Options.timeout, so the router and the callee stop in time too; when
// the context ends first the caller sends CANCEL, in the mode
// [Config.CancelMode] gives (kill by default; [WithCancelMode] per call),
// and returns at once with an error matching [ErrCanceled] or [ErrTimeout]
// (and context.Canceled or context.DeadlineExceeded). On the callee's
// side, a handler's ctx ends on INTERRUPT, on the call's timeout and when
// the session ends; context.Cause tells which. Requests other than calls
// (REGISTER, SUBSCRIBE, …) are bounded by [Config.ResponseTimeout] when
// their context has no deadline.
//
// # Errors
//
// An ERROR from a peer arrives as an [*Error] carrying its URI and payload;
// it matches, with errors.Is, the sentinels of the WAMP error URIs
// ([ErrNoSuchProcedure], [ErrInvalidArgument], …). An [ErrorRegistry]
// (generated code fills [DefaultErrors] from //wampgen:error declarations)
// maps Go errors to URIs both ways, so errors.Is and errors.As work across
// the wire; one URI may map to several Go errors, an API's v1 and v2 side
// by side. A handler's unmapped error, a panic, or a result or error that
// cannot be encoded reaches the caller as wamp.error.runtime_error with a
// text that names the procedure and an incident ID only, while the callee
// logs the full error under that ID (an error wrapping a context error
// keeps the context error's URI, with its text only); [Config.ErrorText]
// changes what is sent ([ExposeErrorText] for development). [UnimplementedError] is what a procedure the callee does not
// implement answers: wampgen.error.unimplemented, matching
// [ErrUnimplemented].
//
// # Publish and subscribe
//
// [Session.Publish] publishes an event (acknowledged with
// [WithAcknowledge]: a refusal by the router then arrives as an [*Error]);
// [Session.Subscribe] delivers the events of a topic to an [EventHandler].
// Generated code depends only on the small interfaces [Publisher] and
// [Subscriber], which *Session implements. How events reach handlers:
//
//   - Order: the events of one subscription reach its handler one at a
//     time, in the order the session received them (for one publisher,
//     the order it published in). Different subscriptions do not wait for
//     each other: each runs its handler on a goroutine of its own, started
//     when an event arrives and ended when none is left, and neither the
//     goroutine that reads the network nor calls ever wait for a handler.
//     A slow handler delays only its own subscription.
//   - Bound: each subscription queues at most [Config.EventQueue] events
//     (1024 by default; [WithEventQueue] per subscription) and
//     [Config.EventQueueBytes] bytes of EVENT messages (16 MiB by
//     default) for its handler. An event that does not fit is dropped: the
//     newest is dropped, never one already queued, so what is handled is
//     still in order. Drops are counted ([SubscriptionStats].Dropped) and
//     logged at Warn, at most once per 10 s per subscription with the
//     count. A handler that cannot keep up therefore loses events rather
//     than the session's memory; give it a larger queue, or hand the work
//     off, if it must see every event.
//   - Context: a handler's ctx carries the event ([EventFromContext]: the
//     concrete topic of a pattern subscription, the publication ID, the
//     publisher's session ID, authid and authrole when disclosed). It is
//     cancelled when the subscription is unsubscribed (as Unsubscribe
//     returns, so that a handler may unsubscribe with its own context) or
//     revoked by the router, or the session closes (context.Cause says
//     which); the events still queued then are dropped, uncounted. A
//     reconnect keeps subscriptions, their queues and their contexts (see
//     Reconnecting).
//   - Errors: a handler's error is logged and counted, never fatal: an
//     error matching [ErrBadEvent] (what a generated handler returns for an
//     event that does not match the topic's declared types, without
//     calling the implementation) counts as Rejected and is logged at
//     Warn, and so does an EVENT whose payload cannot be read at all
//     (it never reaches the handler); any other error, or a panic (recovered), counts as Failed and
//     is logged at Error. Like drops, these lines are written at most once
//     per 10 s per subscription and kind, with the count since the last:
//     a publisher cannot flood the log.
//   - Close: [Session.Close] cancels every handler's ctx and waits for the
//     running handlers up to [Config.ResponseTimeout], not longer. A
//     handler may call Close itself; Close then does not wait for it (nor
//     for other handlers that call Close too).
//     [Subscription.Unsubscribe] does not wait for a running handler.
//
// # Features
//
// A session uses an advanced feature (progressive results, call timeouts,
// cancellation, caller disclosure, pattern-based registrations and
// subscriptions, shared registrations, publisher exclusion and
// identification, …) only when the router announced it in WELCOME. Where
// the runtime can keep an option's promise alone, it does (a call still
// ends with its context without call_canceling); where it cannot, the
// request fails before anything is sent with an error matching
// [ErrFeatureNotSupported] that names the feature.
//
// # Interceptors
//
// An [Interceptor] wraps the traffic of a session for logging, metrics,
// tracing or checks (connect-go's interceptors are the model); build one
// from funcs with [InterceptorFuncs]. Each kind wraps one thing:
//
//   - WrapCall: an outgoing call ([Session.Call], [Stream], the generated
//     clients), as a [CallFunc] that gets a [*Call] and returns the final
//     result or error;
//   - WrapCallInput: an outgoing call with streamed input
//     ([Session.CallInput], the generated clients' streamed methods); it
//     may wrap the returned [InputCall] to see the chunks and the final
//     result;
//   - WrapInvocation: every handler registered on the session, as a
//     [Handler] around it;
//   - WrapPublish: an outgoing publication, as a [PublishFunc] that gets a
//     [*Publication];
//   - WrapEvent: every handler subscribed on the session, as an
//     [EventHandler] around it.
//
// Set them for everything a session does with [Config.Interceptors], or
// for one call, one generated client or registrar, one subscription or one
// publication (or generated publisher) with [WithInterceptors], an option
// that is at once a [CallOption], [RegisterOption], [SubscribeOption] and
// [PublishOption]: NewXClient(sess, runtime.WithInterceptors(i)) applies i
// to every call of the client, RegisterX(ctx, sess, impl,
// runtime.WithInterceptors(i)) to every handler it registers. Only a
// [*Session] applies them; a fake Caller or Callee ignores the option.
//
// Order: the session's interceptors first, then those of the options in
// the order given; the first acts first, wrapping all the others: for
// outgoing traffic its code before next runs first and its code after
// next last; for incoming traffic it sees the invocation or event first
// and the outcome last. Handlers are wrapped once, at Register or
// Subscribe, and stay wrapped across reconnects; while an invocation's
// interceptors run its handler counts as running ([Session.Shutdown]
// waits for them). Without any interceptor nothing is wrapped, and a call
// costs what it did.
//
// What an interceptor may change: before next, a [*Call]'s Procedure,
// Args, Kwargs and options, and a [*Publication]'s Topic, Args, Kwargs and
// options; custom options are set with [Call.SetOption] and
// [Publication.SetOption] (x_… and _… keys, as for [WithOption]: an
// invalid key fails the call before anything is sent), never by writing
// into the Options map, which may be the caller's. The keys the runtime
// sets itself on a CALL (timeout, receive_progress, disclose_me) are not
// in Call.Options, and no interceptor sets them or any other key that is
// not custom (such as acknowledge); the Call's other fields (Progress,
// StreamedInput, DiscloseMe, CancelMode) and Publication.Acknowledge only
// inform. It may pass next a new context (a trace context), return
// without calling next (nothing is sent; the caller gets what it
// returns), or replace the result or error. An interceptor passes next
// the *Call or *Publication it was given, or a copy of it. On the incoming
// side the [*Invocation] and [*Event] are the handler's: an intercepted
// handler gets an Event of its own (a shallow copy of the one the
// handlers of a subscription share), whose fields its interceptors may
// replace before next, but whose Details map is shared: read-only; the custom
// options the caller or publisher set arrive in their Details (through
// routers that forward them, as the embedded router does).
// [Invocation.Registered] and [Event.Subscribed] give the registered or
// subscribed URI or pattern (a bounded label for metrics), and
// [Invocation.ErrorURI] the error URI the session answers a handler's
// error with; on the caller's side, [ErrorURIOf] gives a failed call's
// error URI.
//
// Panics: a handler's panic is recovered inside the interceptors, which
// see it as an error whose ErrorURI is wamp.error.runtime_error. An
// interceptor's own panic is recovered outside all of them and logged:
// the caller gets an [*Error] wamp.error.runtime_error (a remote caller
// too, as for a handler's panic), and the session goes on. A panic of
// Wrap itself fails [Dial], Register, Subscribe or the call with an error.
// A panic of the caller's own progress callback (or of a loop over
// [Stream]) is not an interceptor's: it goes on up to the caller.
//
// A bidirectional call through a [*Session] ([CallInputStream]) sends its
// input from a goroutine of its own while the results arrive, through the
// interceptors' InputCall if they wrap it: its Send sees each chunk on that
// goroutine, and its CloseSend returns how the call ended (the final
// result or the error) once the loop has received it, or an error once
// the loop has stopped. Send is followed by CloseSend even when it fails.
// (An interceptor that sends a chunk itself before it returns the
// InputCall makes the results arrive inside Send instead, as through
// another StreamCaller.)
//
// # Reconnecting
//
// With [Config.Reconnect] set, a session that loses its connection
// reconnects with exponential backoff and restores its registrations and
// subscriptions before it reports [StateJoined] again; requests in flight
// when the connection broke fail with [ErrConnectionLost]. Without it, the
// session ends. [Config.OnStateChange] reports every change of [State].
//
// # Logging
//
// A session never prints. It logs through [Config.Logger] (a *slog.Logger;
// nil discards): protocol trouble at Warn, handler failures and panics at
// Error, with the procedure and the incident ID the caller was given.
package runtime
