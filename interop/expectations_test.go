package interop

import (
	"regexp"
	"slices"
)

// client is a JavaScript WAMP client under test.
type client struct {
	id   string // the --client flag of js/caller.mjs and js/callee.mjs
	name string // as the README names it
	npm  string // its npm package, pinned in package-lock.json
	// progressiveCall says the client has an API to stream a call's input
	// (progressive call invocations): its caller rows have the
	// streamed-input check (progressive_test.go); "—" for the others.
	progressiveCall bool
}

var clients = []client{
	{id: "autobahn", name: "Autobahn|JS", npm: "autobahn"},
	{id: "wampy", name: "Wampy.js", npm: "wampy", progressiveCall: true},
}

// serializers are the WAMP serializers every client is tested with.
var serializers = []string{"json", "msgpack", "cbor"}

var serializerNames = map[string]string{"json": "JSON", "msgpack": "MessagePack", "cbor": "CBOR"}

// role is what the JavaScript client does in a test.
type role string

const (
	caller  role = "caller"  // calls the Go service through the router (js/caller.mjs)
	callee  role = "callee"  // implements the contract, called by the generated Go client (js/callee.mjs)
	browser role = "browser" // Wampy.js on the calculator's web page in Chromium (js/browser.mjs)
)

// feature is a column of the README's interop table.
type feature struct{ id, title string }

var features = []feature{
	{"results", "results"},
	{"kwargs", "kwargs"},
	{"errors", "mapped errors"},
	{"invalid", "wrong arguments"},
	{"progress", "progressive results"},
	{"int64", "integers > 2⁵³"},
	{"bytes", "bytes 00…ff"},
	{"disclose", "caller disclosure"},
	{"cancel", "cancel"},
	{"timeout", "timeout"},
	{"time", "time.Time"},
	{"events", "events"},
	{"streams", "streamed input"},
}

// check is one check a test program reports, by name, and the feature it
// verifies ("" for a check that every run must pass but no column shows).
type check struct{ name, feature string }

// Names shared by js/contract.mjs and examples/calculator/checks.go.
const (
	checkFib10   = "fibonacci(10) = 55, progress 1 1 2 3 5 8 13 21 34"
	checkFib78   = "fibonacci(78) = 8944394323791464, the largest that a JS Number holds exactly"
	checkFib90   = "fibonacci(90) = 2880067194370816120 without progress"
	checkCancel  = "sleep(10000) cancelled after 100ms: wamp.error.canceled, then active() = 0"
	checkTimeout = "sleep(10000) with a 200ms timeout: wamp.error.timeout, then active() = 0"
	// checkComputed: the caller subscribes to com.example.calc.computed,
	// calls add, a div by zero, div and sqrt with random operands, and
	// finds exactly one matching event for each success and none for the
	// failure. In the caller row the JavaScript client subscribes to the Go
	// service's events; in the callee row it publishes them.
	checkComputed = "computed: one event for each successful add, div and sqrt, none for a failed div"
)

// commonChecks are in both check lists.
var commonChecks = []check{
	{"add(2, 3) = 5", "results"},
	{"div(10, 4) = 2.5", "results"},
	{"div(1, 0) fails with com.example.calc.error.div_by_zero", "errors"},
	{"sqrt(16) = 4", "results"},
	{"sqrt(-4) fails with com.example.calc.error.negative_input {input: -4}", "errors"},
	{checkFib10, "progress"},
	{checkFib90, "int64"},
	{"fibonacci(0) and fibonacci(91) fail with wamp.error.invalid_argument", "invalid"},
	{"stats([1, 2, 3, 4]) = {count 4, sum 10, mean 2.5, min 1, max 4}", "results"},
	{"stats([]) fails with wamp.error.invalid_argument", "invalid"},
	{"round(value=3.14159, places=2) = 3.14 (keyword arguments)", "kwargs"},
	{"reverse_bytes(00 01 7f 80 fe ff) = ff fe 80 7f 01 00", "bytes"},
	{"whoami() = this session's ID", "disclose"},
	{"sleep(50) = 50", "results"},
	{checkCancel, "cancel"},
	{checkTimeout, "timeout"},
	{checkComputed, "events"},
	{`add("two", 3) and add(1) fail with wamp.error.invalid_argument, and the service keeps serving`, "invalid"},
}

// callerChecks are the checks of js/contract.mjs: a JavaScript client calls
// the Go implementation.
var callerChecks = append(slices.Clone(commonChecks), check{checkFib78, "results"})

// calleeChecks are the checks of examples/calculator/checks.go: the
// generated Go client (`calculator call`) calls the JavaScript
// implementation.
var calleeChecks = commonChecks

// browserSteps are the steps of js/browser.mjs, run once per serializer.
var browserSteps = []check{
	{"page loads and connects", ""},
	{"add: a=2, b=3 shows 5", "results"},
	{"computations: the live log shows the add, and not the failed div", "events"},
	{"computations: an event that does not fit Computation shows as an error, and the log goes on", "events"},
	{"div by zero shows the mapped error as an error", "errors"},
	{"sqrt(-4) shows the mapped error with its payload", "errors"},
	{"an empty operand is refused on the page, and nothing is called", ""},
	{"fibonacci(10): progressive results arrive before the result", "progress"},
	{"sleep(10000) runs on the server, cancel stops it: wamp.error.canceled, then 0 running", "cancel"},
	{"no page errors, console errors, failed or foreign requests", ""},
}

// expectation is a way checks go, for some clients, roles and serializers,
// other than plainly passing: a lack (fails lists the checks it makes
// fail, and failure how they fail) or a note on a pass (fails is empty).
// Each is a footnote of the README table, on the cell of its feature.
type expectation struct {
	name        string // names the lack in test names
	clients     []string
	roles       []role
	serializers []string
	feature     string
	fails       []string
	failure     *regexp.Regexp
	// instead checks, against a JavaScript callee, what the client does
	// where it lacks the feature.
	instead func(c *calleeEnv) error
	text    string // the footnote, in Markdown
}

var (
	both         = []string{"autobahn", "wampy"}
	autobahnOnly = []string{"autobahn"}
	wampyOnly    = []string{"wampy"}
	callerOrSelf = []role{caller, callee}
	allSers      = serializers
)

var expectations = []expectation{
	{
		name:    "JSON has no 64-bit integers in JavaScript",
		clients: both, roles: callerOrSelf, serializers: []string{"json"}, feature: "int64",
		fails:   []string{checkFib90},
		failure: regexp.MustCompile(`^got 2880067194370816000\b`),
		instead: exactUpTo53Bits,
		text: "JSON in JavaScript has no 64-bit integers: `JSON.parse` reads F(90) = 2880067194370816120 as the " +
			"double 2880067194370816000, and `JSON.stringify` cannot write a BigInt. Exact up to 2⁵³: F(78) passes both ways.",
	},
	{
		name:    "msgpack5 has no 64-bit integers",
		clients: autobahnOnly, roles: callerOrSelf, serializers: []string{"msgpack"}, feature: "int64",
		fails:   []string{checkFib90},
		failure: regexp.MustCompile(`^got 2880067194370816000\b`),
		instead: exactUpTo53Bits,
		text: "Autobahn|JS's MessagePack serializer, msgpack5 6, decodes a uint64 into a Number and cannot encode a " +
			"BigInt (\"not implemented yet\"). Exact up to 2⁵³: F(78) passes both ways.",
	},
	{
		name:    "Wampy CBOR decodes 64-bit integers as Numbers",
		clients: wampyOnly, roles: []role{caller}, serializers: []string{"cbor"}, feature: "int64",
		fails:   []string{checkFib90},
		failure: regexp.MustCompile(`^got 2880067194370816000\b`),
		text: "Wampy.js's `CborSerializer` sets cbor-x's `int64AsNumber`, so 64-bit integers arrive as Numbers " +
			"(it sends BigInts exactly: the callee row passes). Exact up to 2⁵³: F(78) passes.",
	},
	{
		name:    "Autobahn callee gets no receive_progress",
		clients: []string{"autobahn", "ts-autobahn"}, roles: []role{callee}, serializers: allSers, feature: "progress",
		fails:   []string{checkFib10},
		failure: regexp.MustCompile(`^progress \[\]$`),
		instead: finalResultWithoutProgress,
		text: "Autobahn|JS's callee announces `progressive_call_results` but not `call_canceling`; the dealer " +
			"(nexus, as the spec asks) forwards `receive_progress` only to callees that announce both. Checked " +
			"instead: the INVOCATION comes without `receive_progress` and the caller gets the final result, 55, alone.",
	},
	{
		name:    "Wampy callee has no progressive results",
		clients: []string{"wampy", "ts-wampy"}, roles: []role{callee}, serializers: allSers, feature: "progress",
		fails:   []string{checkFib10},
		failure: regexp.MustCompile(`^progress \[\]$`),
		instead: finalResultWithoutProgress,
		text: "Wampy.js's callee announces neither `progressive_call_results` nor `call_canceling`, so the dealer " +
			"never offers it `receive_progress`. Checked instead: the INVOCATION comes without `receive_progress` " +
			"and the caller gets the final result, 55, alone.",
	},
	{
		name:    "callee has no INTERRUPT",
		clients: slices.Concat(both, tsBoth), roles: []role{callee}, serializers: allSers, feature: "cancel",
		fails:   []string{checkCancel},
		failure: regexp.MustCompile(`^active = \d+ long after the sleep was stopped$`),
		instead: notInterrupted,
		text: "Neither client implements call canceling for a callee: neither announces `call_canceling`, so the " +
			"router sends no INTERRUPT (Wampy.js 8 takes one for a protocol violation), and a handler cannot learn that " +
			"its call was cancelled or timed out. Checked instead: the caller gets `wamp.error.canceled` (or " +
			"`wamp.error.timeout`) without waiting for the handler, which runs to its end (`active()` is 1, then 0 " +
			"once the sleep is over), and the session keeps serving.",
	},
	{
		name:    "callee has no INTERRUPT (timeout)",
		clients: slices.Concat(both, tsBoth), roles: []role{callee}, serializers: allSers, feature: "timeout",
		fails:   []string{checkTimeout},
		failure: regexp.MustCompile(`^active = \d+ long after the sleep was stopped$`),
		text:    "As for cancel: the router times the call out, but cannot stop the handler.",
	},
	{
		name:    "Wampy progressiveCall does not announce the feature",
		clients: wampyOnly, roles: []role{caller}, serializers: allSers, feature: "streams",
		fails:   []string{checkProgressiveCall},
		failure: regexp.MustCompile(`^the router ended the session: CALL with progress, but the caller did not announce progressive_call_invocations$`),
		text: "Wampy.js's `progressiveCall` checks that the router announces `progressive_call_invocations`, but its " +
			"HELLO does not announce the feature for the caller: its first CALL with `progress` is a protocol " +
			"violation (a peer must not use a feature it did not announce), so the embedded router ends the session " +
			"(ABORT `wamp.error.protocol_violation`, \"CALL with progress, but the caller did not announce " +
			"progressive_call_invocations\", which Wampy.js receives although it has already sent the next chunks: the " +
			"router discards them before it closes the connection; Wampy.js fails the call with a WebSocket error, not " +
			"the ABORT's reason) and the callee gets no INVOCATION. The calculator keeps " +
			"serving its other callers. Not part of the default contract (issue 15): `calculator call --streams` checks " +
			"`sum` and `running_sum` against peers that implement the feature.",
	},
	{
		name:    "JSON bytes by hand",
		clients: both, roles: callerOrSelf, serializers: []string{"json"}, feature: "bytes",
		text: "By hand: neither client's JSON serializer implements WAMP's binary convention (a string of NUL and " +
			"base64); `js/peers.mjs` converts, and the router hands MessagePack and CBOR peers real bytes.",
	},
	{
		name:    "CBOR bytes as Buffer",
		clients: both, roles: callerOrSelf, serializers: []string{"cbor"}, feature: "bytes",
		text: "Sent as a Node.js `Buffer`: both CBOR encoders (node-cbor, cbor-x) write a plain `Uint8Array` as an " +
			"RFC 8746 typed array (tag 64), not as a byte string. The embedded router reads tag 64 as bytes too, and " +
			"a Go callee answers a payload it cannot read with `wamp.error.invalid_argument` instead of losing its session.",
	},
	{
		name:    "Wampy cannot register with disclose_caller",
		clients: []string{"wampy", "ts-wampy"}, roles: []role{callee}, serializers: allSers, feature: "disclose",
		text: "Wampy.js's `register()` cannot ask for `disclose_caller`; the caller's identity arrives because the " +
			"generated Go client asks for it (`disclose_me`) on `whoami`.",
	},
	{
		name:    "time.Time as an RFC 3339 string",
		clients: slices.Concat(both, tsBoth), roles: callerOrSelf, serializers: allSers, feature: "time",
		text: "Against `interop/timesvc` (`js/time.mjs`; `ts/time.ts` through its generated TypeScript, a `time.Time` as " +
			"`w.time`, a `time.Duration` as `w.int(64, true)`), with the Go side on each of the three serializers. A " +
			"`time.Time` travels in every serializer as the string `time.Time.MarshalText` writes: RFC 3339 with up to " +
			"nine fractional digits, trailing zeros trimmed, its offset kept (`2026-12-07T18:18:11.123456789+01:00`; the " +
			"zero time `0001-01-01T00:00:00Z`). A JavaScript peer gets that string, exactly, whatever its serializer; " +
			"`new Date(s)` keeps milliseconds, and a `Date`'s `toISOString()` is accepted (`.500Z` comes back as the " +
			"same instant, written `.5Z`). Python 3.11's `datetime.fromisoformat(s)` keeps microseconds (it truncates " +
			"the rest). A `time.Duration` travels as integer nanoseconds: a Number in JavaScript, exact up to 2⁵³ ns " +
			"(104 days).",
	},
	{
		name:    "Autobahn progress needs when.js",
		clients: []string{"autobahn", "ts-autobahn"}, roles: []role{caller}, serializers: allSers, feature: "progress",
		text: "Through when.js promises (`when`, Autobahn|JS's optional dependency, which npm installs): with " +
			"`use_es6_promises`, a progressive result throws (`d.notify is not a function`).",
	},
	// The generated TypeScript (tsClients): where it differs from the
	// JavaScript programs on the same client.
	{
		name:    "TypeScript refuses a Number beyond 2^53 for an int64",
		clients: tsBoth, roles: []role{caller}, serializers: []string{"json"}, feature: "int64",
		fails:   []string{checkFib90},
		failure: regexp.MustCompile(`^BadResultError: com\.example\.calc\.fibonacci: result: the number 2880067194370816000 is beyond 2\^53 and cannot have arrived exactly`),
		text: "`JSON.parse` reads F(90) = 2880067194370816120 as the double 2880067194370816000; the generated client's " +
			"`int64` result refuses a Number beyond 2⁵³ (a `BadResultError` naming the result) instead of returning a " +
			"wrong `bigint`. Exact up to 2⁵³: F(78) passes.",
	},
	{
		name:    "TypeScript refuses msgpack5's rounded uint64",
		clients: tsAutobahn, roles: []role{caller}, serializers: []string{"msgpack"}, feature: "int64",
		fails:   []string{checkFib90},
		failure: regexp.MustCompile(`^BadResultError: com\.example\.calc\.fibonacci: result: the number 2880067194370816000 is beyond 2\^53`),
		text:    "msgpack5 decodes F(90) into a Number; the generated client refuses it, as over JSON.",
	},
	{
		name:    "TypeScript callee cannot send a bigint beyond 2^53",
		clients: tsBoth, roles: []role{callee}, serializers: []string{"json"}, feature: "int64",
		fails:   []string{checkFib90},
		failure: regexp.MustCompile(`^wamp\.error\.runtime_error: com\.example\.calc\.fibonacci failed; incident [0-9a-f]{8} in the callee's log$`),
		instead: exactUpTo53Bits,
		text: "The implementation returns F(90) as a `bigint`, which `JSON.stringify` cannot write: the registrar " +
			"answers `wamp.error.runtime_error` (redacted as the Go runtime does; `RegisterOptions.onError` gets the " +
			"`RangeError` with the incident ID) rather than send a rounded Number. Exact up to 2⁵³: F(78) passes.",
	},
	{
		name:    "TypeScript callee on msgpack5 cannot send a bigint",
		clients: tsAutobahn, roles: []role{callee}, serializers: []string{"msgpack"}, feature: "int64",
		fails:   []string{checkFib90},
		failure: regexp.MustCompile(`^wamp\.error\.runtime_error: com\.example\.calc\.fibonacci failed; incident [0-9a-f]{8} in the callee's log$`),
		instead: exactUpTo53Bits,
		text:    "msgpack5 cannot encode a BigInt: the registrar answers `wamp.error.runtime_error`, as over JSON.",
	},
	{
		name:    "TypeScript adapters convert bytes",
		clients: tsBoth, roles: callerOrSelf, serializers: []string{"json", "cbor"}, feature: "bytes",
		text: "By the adapter (`autobahnPeer`, `wampyPeer` in `wampgen.ts`): over JSON it writes and reads WAMP's " +
			"binary convention (NUL and base64), which neither client's JSON serializer implements; over CBOR it sends " +
			"a Node.js `Buffer` where there is one (both CBOR encoders write a plain `Uint8Array` as a typed array, tag 64). " +
			"The generated code sees `Uint8Array` only.",
	},
}

// applies reports whether x is about client c in role r over serializer s.
func (x *expectation) applies(c string, r role, s string) bool {
	return slices.Contains(x.clients, c) && slices.Contains(x.roles, r) && slices.Contains(x.serializers, s)
}

// expected returns how check name should go for client c in role r over
// serializer s: nil when it should pass, or the lack that makes it fail.
func expected(c string, r role, s, name string) *expectation {
	for i := range expectations {
		x := &expectations[i]
		if x.applies(c, r, s) && slices.Contains(x.fails, name) {
			return x
		}
	}
	return nil
}
