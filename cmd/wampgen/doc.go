// Command wampgen generates typed WAMP v2 clients and registrars from Go
// interfaces annotated with //wampgen:service, and typed publishers and
// subscribers from interfaces annotated with //wampgen:topics.
//
// Usage:
//
//	wampgen [-check] [-v] [-ts DIR] [packages]
//
// With no arguments it generates for the package in the current directory,
// which is what
//
//	//go:generate go run github.com/wampgen/wampgen/cmd/wampgen
//
// does; packages are go command patterns (./... for a whole module). For
// each source file that declares a service, a topics interface or a
// //wampgen:error it writes
// FILE_wamp.go next to it (calc.go → calc_wamp.go; a GOOS/GOARCH suffix
// stays last, svc_linux.go → svc_wamp_linux.go, and the source's //go:build
// line is copied), and removes the files it generated earlier whose source
// is gone or declares nothing any more. A package of test files only, which
// ./... matches in ordinary repositories, is skipped, also when files its
// build constraints exclude sit beside the tests (a //go:build ignore
// program), unless one of those holds a //wampgen: directive.
//
// The flags are:
//
//	-check
//		Write nothing; exit 1 if any generated file is missing, out of date
//		or stale (naming each). CI runs wampgen -check ./...
//	-v
//		List the files written and removed, and the packages skipped for
//		having only test files.
//	-ts DIR
//		Also write TypeScript for every package given, into DIR (relative
//		to the current directory): PACKAGE_wamp.ts for each package and
//		wampgen.ts, the support module they import, once. -check then
//		checks these files too. Packages with a //wampgen:typescript
//		directive get TypeScript without the flag, where the directive
//		says, and with it in both places.
//
// # Annotations
//
// A directive is a comment //wampgen:NAME key=value ... in the doc comment
// of the declaration it belongs to; its place among the prose does not
// matter (gofmt moves directives to the end of a doc comment). An unknown
// directive or key, a key given twice, a value outside the sets below and a
// directive attached to nothing are diagnostics that list what is allowed.
//
//	//wampgen:service prefix=URI
//
// On an interface type declaration: the interface is a service, and each
// of its methods (embedded interfaces' included) a procedure, whose URI is
// by default prefix + "." + snake_case(Method): Add → com.example.calc.add,
// ReverseBytes → com.example.calc.reverse_bytes, GetIDs → …get_ids. The
// prefix may be left out when every method has a uri=.
//
//	//wampgen:procedure uri=URI match=exact|prefix|wildcard invoke=single|roundrobin|random|first|last disclose_caller=true|false cancel=skip|kill|killnowait kwargs=true|false
//
// On a method of a service, every key optional:
//
//	uri=URI
//		The procedure's URI instead of the default; with match=prefix or
//		match=wildcard, the pattern registered (wildcard needs one: empty
//		components match any, as in com.example..add).
//	match=exact|prefix|wildcard
//		How the router matches calls against the URI (default exact). The
//		generated client calls the concrete URI set on its context with
//		runtime.WithProcedureURI, else the pattern itself; a URI the pattern
//		does not match is refused (wamp.error.invalid_uri) and not sent.
//	invoke=single|roundrobin|random|first|last
//		Which of the callees that register the URI gets a call (default
//		single: only one callee may register it).
//	disclose_caller=true|false
//		The registration asks the router to tell the callee who calls, and
//		the client discloses itself (default false).
//	cancel=skip|kill|killnowait
//		The cancel mode the client asks for when a call's context ends
//		(default: the session's, kill unless configured).
//	kwargs=true|false
//		The method's one struct parameter travels as ArgumentsKw, a field
//		under its json tag name (default false: positional arguments); a
//		struct that encodes itself (time.Time, a marshaler pair) has no
//		fields that travel, and is a diagnostic. The
//		registrar is strict: positional arguments, an unknown key and a
//		missing required field (one neither a pointer nor tagged omitempty
//		or omitzero) are answered with wamp.error.invalid_argument.
//
//	//wampgen:topics prefix=URI
//
// On an interface type declaration: the interface is a set of topics, and
// each of its methods (embedded interfaces' included) a topic whose event
// carries the method's parameters; its URI is by default prefix + "." +
// snake_case(Method), as for procedures (Computed →
// com.example.calc.computed). The prefix may be left out when every method
// has a uri=. An interface is either a service or a topics interface, not
// both.
//
//	//wampgen:topic uri=URI match=exact|prefix|wildcard kwargs=true|false acknowledge=true|false exclude_me=true|false disclose_publisher=true|false
//
// On a method of a topics interface, every key optional (a
// //wampgen:procedure there, or a //wampgen:topic on a service's method,
// is a diagnostic):
//
//	uri=URI
//		The topic's URI instead of the default; with match=prefix or
//		match=wildcard, the pattern subscribed to (wildcard needs one, as
//		for procedures).
//	match=exact|prefix|wildcard
//		How the router matches publications against the URI (default
//		exact). Subscribers subscribe to the pattern and learn each event's
//		concrete topic from runtime.EventFromContext; the publisher
//		publishes to the concrete topic set on its context with
//		runtime.WithTopicURI, which the pattern must match (else
//		wamp.error.invalid_uri, and nothing is sent), or without one to
//		the pattern itself for prefix (a wildcard pattern is no topic: an
//		error).
//	kwargs=true|false
//		The method's one struct parameter travels as ArgumentsKw, with the
//		same strict rules as for procedures (default false: positional
//		arguments).
//	acknowledge=true|false
//		The publisher asks the router for PUBLISHED and waits for it, so
//		that the method's error reports a refusal (an *runtime.Error such as
//		wamp.error.not_authorized); default false: the method returns once
//		the event is sent.
//	exclude_me=true|false
//		Whether the publisher's own session is left out of the receivers.
//		Sent only when given; WAMP's default is true.
//	disclose_publisher=true|false
//		The publisher asks the router to disclose its identity: the
//		subscriber's context then carries the publisher's session ID,
//		authid and authrole (runtime.EventFromContext). Default false.
//
// Options for one publication, such as the sessions eligible for an event
// or excluded from it, are no annotation: they travel on the context,
// ctx = runtime.WithPublishOptions(ctx, runtime.WithEligible(id)).
//
//	//wampgen:typescript dir=DIR
//
// In the package doc comment of any file of a package, or in a comment
// group of its own (not in a declaration's doc comment), once per package:
// wampgen also writes the package's contract in TypeScript into DIR,
// relative to the package directory and slash-separated (default .), and
// inside the package's module (for a directory elsewhere, use -ts DIR):
// PACKAGE_wamp.ts (URIs, the types that travel with their schemas, an
// exception class per //wampgen:error, for each service an interface, a
// client class and a registrar, for each topics interface an interface, a
// publisher class and subscribe functions) and wampgen.ts, the support
// module it imports (the same for every package). Methods with a streamed
// input are left out of the TypeScript, with a comment saying why: no
// JavaScript WAMP client implements progressive call invocations. A type
// TypeScript cannot name or represent exactly (an instantiation of a
// generic type, two types of one name from different packages, a name the
// module needs for itself) is a diagnostic, only when TypeScript is asked
// for; the README's TypeScript section has the type mapping. A
// PACKAGE_wamp.ts in the package's directory (or the directive's) that
// names the package as its source but is not generated any more is stale,
// and removed; wampgen.ts is left, as other packages' modules may use it.
//
//	//wampgen:error uri=URI
//
// On a sentinel error variable (var ErrNotFound = errors.New("not found"),
// of type error) or on a struct type that implements error (its exported
// fields travel as ArgumentsKw): the error crosses the wire as that URI and
// arrives as itself, so errors.Is and errors.As work on the caller's side.
// One package may not give two errors the same URI; another package may
// (an API's v1 and v2 side by side). A Go error has one URI, though: a
// sentinel declared as a copy of another (var ErrGone = v1.ErrGone), or an
// error type declared as an alias (type NotFound = v1.NotFound), may only
// be annotated with the URI the original already has.
//
// Every URI follows the WAMP strict rules (dot-separated components of a-z,
// 0-9 and _) and may not start with wamp.
//
// # Method shapes
//
// The first parameter is a context.Context and the last result an error.
// Between them, a service's method takes one of four shapes, gRPC's four
// kinds of call side by side:
//
//	gRPC              WAMP                          Go method
//	unary             CALL → RESULT                 Add(ctx, a, b float64) (float64, error)
//	server streaming  progressive results           Fib(ctx, n int, progress func(int64) error) (int64, error)
//	                                                Lines(ctx, n int) (iter.Seq2[string, error], error)
//	client streaming  progressive call invocations  Sum(ctx, xs iter.Seq[float64]) (float64, error)
//	                                                Store(ctx, samples iter.Seq[Sample]) error
//	bidirectional     both at once                  RunningSum(ctx, xs iter.Seq[float64]) (iter.Seq2[float64, error], error)
//
// Unary and server streaming: the parameters travel as positional
// arguments, in order (with kwargs=true, as described above). The results
// besides the error: none, one (Arguments[0], never a list of one) or
// several (positional). Progressive results take one of two forms: a last
// parameter progress func(T) error, which the implementation calls for
// each result (the caller passes a callback, or nil for none), or the
// results (iter.Seq2[T, error], error), which the caller ranges over.
//
// Client streaming and bidirectional: a parameter iter.Seq[T] is the
// call's streamed input, and the only parameter besides ctx. The client
// sends each item as one chunk of a progressive call (a CALL with
// progress=true and Arguments [item], all under one request ID), the last
// item in the final CALL, without progress; an empty input is one CALL
// with Arguments []. It reads one item ahead to know which item is the
// last. The results are (error), (R, error) or, bidirectional,
// (iter.Seq2[R, error], error), whose progressive results the caller
// ranges over while its input is still being sent: they are delivered
// between two items of the input, so an input must not wait for a result
// before it yields its next item. The implementation
// receives an iter.Seq[T] that yields the items as their chunks arrive and
// ends when the caller's input ends; the registrar registers with
// runtime.WithStreamedInput, and a callee that did not announce the feature
// is never sent chunks. When the input ends early (a chunk that does not
// decode: wamp.error.invalid_argument naming its index; the callee's
// bounded input queue overflowing; the call interrupted or timed out), the
// call fails with that error whatever the implementation returned. The
// procedure options apply as to any procedure (the dealer sends every
// chunk to the callee that got the first, whatever invoke= says). Another
// parameter next to the stream (every chunk carries one value), two
// streams, kwargs=true, a progress callback (a bidirectional call returns
// an iter.Seq2), an iter.Seq2 parameter, and several results are
// diagnostics.
//
// A variadic parameter, a func parameter that is none of the above, and
// any other stream type are diagnostics; T, R and the progressive results
// follow the value rules below.
//
// A topic method is Method(ctx context.Context, params...) error: its
// parameters travel as the event's positional arguments (or, with
// kwargs=true, its one struct as ArgumentsKw) under the same value rules,
// and its one result is error. Any other result, a progress callback or
// other func parameter, a streamed input (an event is one message) and a
// variadic parameter are diagnostics. Two topics of a run may not share a
// URI, nor may a topic and a procedure of a run, whatever their packages.
//
// # Values
//
// Parameters, results and progressive results must be values the runtime
// carries exactly between peers on any serializer (JSON, MsgPack, CBOR):
// booleans, numbers, strings, []byte, slices, arrays, pointers, structs
// (as their exported fields, named by their codec or json tag, less those
// tagged "-"; embedded structs inlined), maps with string keys, any, and
// types that encode themselves: time.Time (an RFC 3339 string with
// nanoseconds), time.Duration (int64 nanoseconds), and any type T where T
// or *T has both methods of one pair: MarshalText and UnmarshalText (text),
// MarshalBinary and UnmarshalBinary (binary), MarshalJSON and UnmarshalJSON
// (its JSON value), taken in that order. wampgen does not look inside such
// a type. A map key may also be a type with MarshalText and UnmarshalText.
//
// Diagnostics name what cannot travel exactly: a type with one method of a
// pair only (it could be sent but not received, or the reverse), a type
// with the methods of github.com/ugorji/go/codec.Selfer (its encoding
// differs per serializer), a struct that gets a pair from an embedded field
// but has other fields that travel (struct{ time.Time; Note string } would
// travel as a time, without Note), a struct with no exported field that
// travels (it would arrive as {}), a struct with two fields that travel
// under one name at the same depth (only the first would arrive; a
// shallower field shadowing a deeper one is Go's rule, and fine), at any
// depth; channels, functions, complex numbers, uintptr, unsafe.Pointer,
// error values, interfaces with methods, type parameters, other map keys,
// and types that contain themselves through maps, slices or pointers alone.
//
// # Generated code
//
// For a service Calculator, in calc_wamp.go: one constant per procedure URI
// (CalculatorAddProcedure); CalculatorClient, which implements Calculator
// by making calls, and NewCalculatorClient; UnimplementedCalculator, whose
// methods all fail with runtime.UnimplementedError, to embed in an
// implementation so that it keeps compiling when the interface gains a
// method (remote callers then get wampgen.error.unimplemented, matched by
// errors.Is(err, runtime.ErrUnimplemented)); RegisterCalculator, which
// registers an implementation's methods and returns one handle that
// unregisters them all; and an init function that registers the
// //wampgen:error declarations of the source file. Generated signatures
// keep the interface's parameter and result names, except that a name
// that would hide a package the generated file imports gets a suffix
// (runtime → runtime2) and a blank or missing one gets a name (arg1, r0).
//
// For a topics interface CalculatorEvents: one constant per topic URI
// (CalculatorEventsComputedTopic); CalculatorEventsPublisher, which
// implements CalculatorEvents by publishing (runtime.PublishEvent, with
// the options given to NewCalculatorEventsPublisher, then the
// annotation's, then those on the call's context); SubscribeCalculatorEvents,
// which subscribes an implementation's methods and returns one handle that
// unsubscribes them all; and, per topic, SubscribeCalculatorEventsComputed,
// which subscribes one function of the method's signature. The handlers
// decode each event as a registrar decodes a call's arguments; an event
// that does not fit is not delivered: the handler returns an error
// matching runtime.ErrBadEvent, which the runtime logs and counts as
// Rejected. A subscriber's context carries the event
// (runtime.EventFromContext: the concrete topic, the publication ID and,
// when disclosed, the publisher) and ends with the subscription. Code with
// topics needs runtime.SupportPackageIsVersion3, code with streamed input
// runtime.SupportPackageIsVersion4. A nil implementation, function or
// Subscriber is an error of the Subscribe… function, a nil Publisher an
// error of each publication.
//
// # Exit status
//
// 0 on success (and for -h); 1 when the input has problems, each printed as
// file:line:col: message naming the rule and the fix, all of them, sorted,
// and nothing written (a package that does not compile is reported as such
// first), or when -check finds a generated file missing, out of date or
// stale; 2 on usage and I/O errors.
package main
