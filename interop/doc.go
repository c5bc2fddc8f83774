// Package interop proves that the calculator (examples/calculator) works
// with two JavaScript WAMP clients from npm, Autobahn|JS and Wampy.js, in
// Node.js and in a real browser. It holds only tests:
//
//   - each JavaScript client as a CALLER of `calculator serve` (the Go
//     implementation behind the embedded router), over JSON, MessagePack
//     and CBOR, runs every check of the contract (js/contract.mjs), and
//     subscribes to the service's com.example.calc.computed events;
//   - each JavaScript client as a CALLEE implementing the contract, and
//     publishing its events, is checked by the generated Go client
//     (`calculator call`, subscribed through the generated
//     SubscribeCalculatorEventsComputed), over each serializer;
//   - headless Chromium clicks through the calculator's web page, which
//     `calculator serve` serves at http://ADDR/ next to ws://ADDR/, and
//     sees its computations in the page's live log;
//   - Autobahn|JS logs in to the embedded router by WAMP-CRA (salted and
//     not) and cryptosign, and fails for authids the router does not know;
//   - each JavaScript client, over each serializer, calls the time service
//     of timesvc (js/time.mjs) and implements it for the generated Go
//     client, with the Go side on each serializer in turn: a time.Time must
//     arrive as the exact RFC 3339 string Go writes, and come back as the
//     exact time.Time (TestJSTime);
//   - Wampy.js streams the input of the calculator's sum with
//     progressiveCall (js/progressive.mjs), which it does not announce: the
//     router ends its session and the calculator keeps serving
//     (TestWampyProgressiveCall);
//   - the TypeScript that wampgen generates (examples/calculator/calc/
//     calc_wamp.ts, interop/timesvc and interop/streamsvc, with their
//     support module wampgen.ts), type-checked with tsc --strict and bundled
//     with esbuild, runs in Node.js on each JavaScript client's adapter
//     (autobahnPeer, wampyPeer) over each serializer: the generated client
//     runs the contract's checks against `calculator serve` (TestTSCaller);
//     a TypeScript implementation served through the generated
//     registerCalculator passes `calculator call` (TestTSCallee); the time
//     service both ways (TestTSTime); streamed results both ways
//     (TestTSStream); and the support module's unit tests (TestTSSupport,
//     ts/support_test.ts).
//
// What a client lacks is written down in expectations_test.go, by name, with
// the check it makes fail and how; the tests fail if such a check passes
// (so the list never outlives the lack) or fails differently. The README's
// Interoperability table is rendered from the same data, and a test fails
// when the README differs (go test ./interop -update rewrites it).
//
// The JavaScript and TypeScript side needs `npm ci` in this directory and
// Chromium at /usr/bin/chromium; ./test.sh installs both.
package interop
