// Package router runs a real WAMP router inside a Go program, for tests,
// examples and users' own tests. It is built on the nexus router
// (github.com/gammazero/nexus/v3) and adds what an embedded test router needs
// on top: listeners on port 0 with their URLs, a WebSocket http.Handler to
// mount on any mux, simple per-realm users for every common authentication
// method, a clean Close that leaves no goroutine behind, and serializers that
// carry binary data correctly between JSON, MessagePack and CBOR clients.
// It is hardened so that no client, however it misbehaves, can crash the
// process or harm the other clients: every limit below has a default.
//
// # Starting a router
//
// Start takes a Config and returns a running Router; Close stops it and
// waits for everything it started. Each listener is optional: set
// Config.WebSocketAddr for ws:// (or wss:// with Config.TLSConfig),
// Config.RawSocketAddr for RawSocket over TCP (tcp://, tcps://),
// Config.UnixSocketPath for RawSocket over a Unix socket (unix://). An
// address with port 0 picks a free port; WebSocketURL, RawSocketURL and
// UnixURL give the URLs clients dial. Handler serves the WebSocket endpoint
// on a mux of the program's own instead, or as well (examples/calculator
// serves its web page and the router on one port that way).
//
//	r, err := router.Start(ctx, router.Config{WebSocketAddr: "127.0.0.1:0"})
//	if err != nil { ... }
//	defer r.Close()
//	sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: router.DefaultRealm})
//
// In a test, routertest.New(t) does this in one line and closes the router
// when the test ends.
//
// # Realms and authentication
//
// Config.Realms lists the realms served; with none, the router serves
// DefaultRealm ("realm1") to anonymous clients. A RealmConfig admits
// anonymous clients when Anonymous is set, and its Users by ticket,
// WAMP-CRA (salted or not) or WAMP-Cryptosign (Ed25519), each user
// offering the methods it has a credential for and getting its AuthRole.
// By default every session of a realm may call, register, publish and
// subscribe; the router refuses only what would speak in its own name
// (wamp.* URIs) and, to anonymous sessions, the meta API that tells about
// other sessions (see Meta API). RealmConfig.Roles restricts that by
// authrole (see Authorization). Authentication is hardened against
// guessing and probing (see Authentication).
//
// # Authorization
//
// A realm with RealmConfig.Roles lets a session CALL, REGISTER, PUBLISH
// and SUBSCRIBE only where a Permission of its authrole grants it. The
// role is the one authentication gave: "anonymous" for anonymous clients,
// the User's AuthRole for ticket, WAMP-CRA and cryptosign users. For
// instance, anonymous clients that may call and subscribe under
// com.example., and a service that may also register and publish there:
//
//	router.RealmConfig{
//		Name: "realm1", Anonymous: true,
//		Users: []router.User{{AuthID: "calc", AuthRole: "service", Ticket: secret}},
//		Roles: []router.Role{
//			{Name: "anonymous", Permissions: []router.Permission{
//				{URI: "com.example.", Match: "prefix", Call: true, Subscribe: true}}},
//			{Name: "service", Permissions: []router.Permission{
//				{URI: "com.example.", Match: "prefix", Call: true, Register: true, Publish: true, Subscribe: true}}},
//		},
//	}
//
// A refused request is answered ERROR wamp.error.not_authorized, of the
// request's type, with no arguments (a PUBLISH only when it asked for
// acknowledgement), and the session goes on. Permissions only grant: a
// request passes when one permission of the role covers every URI it may
// concern. A permission matches its URI exactly, by prefix (as a string,
// as WAMP does: end it with a dot) or by wildcard (empty components match
// any one component). A pattern subscription or registration is granted
// only by a permission that covers all it may match, so that a pattern
// never reaches further than its permission: with "com.example." (prefix)
// a client may subscribe to the prefix "com.example.calc." or the
// wildcard "com.example..done", not to the prefix "com." nor the wildcard
// "..done". A session whose role is not in Roles may do none of the four;
// Start refuses a realm whose users, or anonymous clients, have a role
// Roles lacks (declare a role without permissions for one that may do
// nothing), and invalid permissions: an unknown Match, a URI invalid for
// its Match or longer than 1 KiB, a permission that grants no action.
//
// The router's own URIs are no exception: the meta API (wamp.session.*,
// wamp.registration.*, wamp.subscription.*) and testaments need a
// permission like any procedure or topic, and a testament
// (wamp.session.add_testament) also needs permission to publish to its
// topic, since nexus publishes it in its own name. The rule that keeps
// anonymous sessions out of the meta API applies on top, unless
// AnonymousMeta is set. UNREGISTER, UNSUBSCRIBE, YIELD, CANCEL and ERROR
// are never refused. A realm without Roles (nil) keeps the default above.
//
// The check runs in nexus's Authorizer, for every message of every
// session: the permissions are compiled at Start (an exact set, a list of
// prefixes none of which covers another, and wildcards split into
// components), so that a CALL or PUBLISH costs a type switch, two map
// lookups and a few string comparisons, without allocating (about 0.1 µs,
// against 70 µs or more for the round trip of a CALL through the router).
//
// # Defaults
//
// The limits that keep one client from harming the others, and their
// defaults (a zero Config field means the default):
//
//	Config.MaxMessageSize            16 MiB per message, both ways
//	Config.MaxQueuedBytes            16 MiB waiting to be written to one client
//	Config.OutQueueSize              8192 messages queued by nexus per client
//	Config.MaxConnections            1000 (or 3/4 of the open-file limit)
//	Config.MaxConnectionsPerAddress  a quarter of MaxConnections
//	Config.HandshakeTimeout          10 s for every step before HELLO
//	Config.IdleTimeout               30 s for an idle HTTP keep-alive connection
//	Config.AuthFailureLimit/Window   10 failed logins per minute, per address and authid
//	Config.KeepAlive                 off: no pings unless set
//	per session                      10,000 calls in flight, registrations, subscriptions
//	nesting                          100 levels in any message, in every serializer
//
// The sections below say what each limit does when it is reached.
//
// # Transports and serializers
//
// WebSocket clients pick a serializer by subprotocol: wamp.2.json (text
// frames), wamp.2.msgpack or wamp.2.cbor (binary frames). If a client offers
// several, its first choice wins. RawSocket clients, over TCP or a Unix
// socket, pick one in the handshake (1 JSON, 2 MessagePack, 3 CBOR); other
// values are refused with the "serializer unsupported" error reply. Both
// directions respect the RawSocket message length limits: the router
// announces Config.MaxMessageSize and disconnects a client that exceeds it,
// and never sends a client a message larger than the client announced.
//
// A WebSocket client has no way to announce a limit; the router assumes it
// accepts Config.MaxMessageSize, and never sends it more.
//
// The router never waits on a client. Its writer for a client writes what
// the socket takes at once and leaves the rest to a goroutine of that
// client's own, whose writes have a deadline of 30 seconds at least: a
// client that reads nothing for that long while the router has messages
// for it is disconnected. What waits for a client meanwhile is held to
// Config.MaxQueuedBytes (see there). Close sends every session GOODBYE and
// closes each connection a second later at the latest, whether or not its
// client is still reading.
//
// # What one client may hold
//
// A session may have at most 10,000 calls in flight, 10,000 registrations
// and 10,000 subscriptions (of each, 100 pattern-based and 2 MiB of URIs)
// and 16 testaments of 64 KiB per scope; a request past a limit gets ERROR wampgen.error.limit_exceeded and
// does not reach nexus. URIs are at most 1 KiB (wamp.error.invalid_uri), a
// message before WELCOME at most 64 KiB. A CALL that repeats the request ID
// of a call in flight, other than the next chunk of a progressive call
// invocation the caller announced, and an ID outside 1..2^53 (any ID of
// any message, 0 only where a revocation has it), are protocol violations. UNREGISTER and UNSUBSCRIBE of an ID the client does
// not hold get wamp.error.no_such_registration and
// wamp.error.no_such_subscription. When a caller leaves, with GOODBYE or
// without, or breaks the protocol, the router cancels its calls in flight
// (mode killnowait), so their callees are interrupted (not at Close, when
// every session ends). A progressive call invocation with a
// timeout option is refused (wamp.error.invalid_argument): nexus v3.3.0
// leaks a timer per chunk of it. The chunks a caller sends after its
// progressive call has ended (answered, refused, failed: they cross the
// answer on the wire) are dropped, as the spec asks, rather than routed
// as new calls; the router remembers the last 1,024 such calls per
// session whose entries nexus has dropped (and counts those it keeps as
// calls in flight). An input chunk refused because its callee is over
// its byte budget (Config.MaxQueuedBytes) ends the call: the caller gets
// wamp.error.network_failure, the callee an INTERRUPT. Request IDs are not checked for gaps or order: a
// client's concurrent requests may reach the router out of order, and a
// CALL with an ID below the highest seen is a new call unless it
// continues one of those calls.
//
// # Connections and timeouts
//
// No client can hold a connection for long without a session, nor take
// every connection the process can open:
//
//   - Every step before a session has a deadline, Config.HandshakeTimeout
//     (10 seconds unless set): the TLS handshake, reading an HTTP request,
//     headers and body, writing the response, the WebSocket upgrade and the
//     RawSocket handshake. Then nexus waits 5 seconds for HELLO, and an
//     authenticating client has 10 seconds to answer its CHALLENGE. Request
//     headers are limited to 16 KiB.
//   - An HTTP keep-alive connection waiting for its next request is closed
//     after Config.IdleTimeout (30 seconds unless set). A WebSocket session
//     is not subject to any HTTP deadline; only Config.KeepAlive bounds its
//     silences.
//   - Config.MaxConnections (1000 unless set, or three quarters of the
//     process's open-file limit when that is lower) caps the connections
//     the router holds, all listeners together: HTTP, WebSocket, RawSocket
//     over TCP and Unix, and the WebSocket sessions Handler serves on
//     another server. Over the cap, a new connection is turned away at
//     once rather than left in the kernel's backlog: an HTTP request gets
//     503 Service Unavailable with Retry-After: 1, a RawSocket client the
//     handshake error 4 ("maximum connection count reached"), a TLS
//     connection is closed before its handshake. At most 64 connections
//     are being turned away at a time, for a second at most each; more are
//     closed without an answer. Config.MaxConnectionsPerAddress (a quarter
//     of MaxConnections unless set) caps those of one IPv4 address or IPv6
//     /64 the same way; loopback and Unix socket clients share only the
//     total.
//   - Before its session is established a connection holds little
//     memory: the 4 KiB read buffer of its transport, no write buffer, and
//     a RawSocket payload buffer of 4 KiB at first that grows with the
//     bytes that arrive, not with the length a frame header announces.
//
// # Authentication
//
// The router authenticates with its own ticket, WAMP-CRA and cryptosign
// code (not nexus's): secrets are compared in constant time (a ticket as
// its SHA-256 digest, so its length does not show either), an unknown
// authid is challenged like a known one, and the text an ABORT carries is
// a fixed phrase ("authentication failed", "expected AUTHENTICATE, got
// CALL", ...); the reason goes to Config.Logger at Debug.
//
// No CHALLENGE tells whether an authid exists or what its role is. An
// authid without a credential for the method (a stranger) is challenged
// like a user and fails at AUTHENTICATE, as does a cryptosign user whose
// HELLO announces another public key. The WAMP-CRA challenge shows the
// authrole "user" whatever the user's role, which WELCOME gives. When a
// realm has salted WAMP-CRA users, a stranger gets a salt too: 16 bytes of
// HMAC-SHA256 of the authid under a key random to the router, in base64
// (24 characters), the same every time, with the default 1000 iterations
// and 32-byte key. Users look like strangers only if they look like each
// other: give every WAMP-CRA user a random salt of that form and the
// default iterations and key length, or give none of them a salt.
//
// # Meta API
//
// Realms serve nexus's meta API (the wamp.session.*, wamp.registration.*
// and wamp.subscription.* procedures and events, and testaments) with the
// standard session details only: session, authid, authrole, authmethod,
// authprovider and transport (type, protocol, serializer, is_secure, and
// peer, the client's address and port), never the rest of HELLO.Details
// such as authextra. Anonymous sessions (authrole "anonymous") may not use
// the part that tells about other sessions: their CALL of
// wamp.session.count, list or get, or of any wamp.registration.* or
// wamp.subscription.* procedure, and their SUBSCRIBE to a topic under
// "wamp." or to a prefix or wildcard pattern that may match one, are
// answered ERROR wamp.error.not_authorized. RealmConfig.AnonymousMeta
// opens the meta API to them, for test realms. In a realm with Roles,
// every session needs a permission for the meta API besides (see
// Authorization). Every session may call wamp.session.add_testament and
// wamp.session.flush_testaments, unless the realm has Roles; the
// session kill and modify procedures are not offered, and no client may
// publish to a topic under "wamp.".
//
// Failed authentications are throttled (Config.AuthFailureLimit, 10 unless
// set, within Config.AuthFailureWindow, one minute unless set). A client
// address (an IPv4 address, or an IPv6 /64) with 10 failures in its window
// is refused whatever authid it tries; an authid with 10 failures is
// refused to the addresses that have failed in its window (Unix socket
// clients count as one address), but not to an address with a clean
// record, so an
// attacker can slow a user down but not lock them out from elsewhere, and
// a successful login resets the authid. A refusal is an immediate ABORT
// wamp.error.authentication_failed, "too many failed authentication
// attempts, try again later", without a CHALLENGE: nothing is delayed, so
// no connection is held longer. Attempts in flight count as failures until
// they succeed, so parallel connections buy no extra guesses. The router
// remembers at most 10,000 addresses and 10,000 authids (about 3 MB);
// beyond that the oldest entries go first. Behind a reverse proxy all
// WebSocket clients share the proxy's address.
//
// # Binary data
//
// MessagePack (bin) and CBOR (byte string) carry bytes natively, and the
// router hands them to nexus as []byte. JSON has no binary type; WAMP's
// convention is a JSON string made of a NUL character (\u0000) followed by
// the standard, padded base64 encoding of the bytes. The router applies it
// everywhere in a message's dicts and lists (Arguments, ArgumentsKw,
// Details, Options, at any depth; not to dict keys):
//
//   - to a JSON client, every []byte is written as "\u0000" + base64;
//   - from a JSON client, a string becomes []byte exactly when its first
//     character is NUL and the rest is canonical standard base64 (padded to
//     a multiple of 4, no line breaks, unused bits zero). "\u0000" alone is
//     the empty byte string.
//
// Every other string stays a string, byte for byte: "a\u0000b" (NUL later in
// the string) and "\u0000not base64!" reach MessagePack and CBOR clients as
// text. Inherent to the convention, a text string that happens to be NUL
// plus canonical base64 cannot be told from bytes, and a MessagePack or CBOR
// text string of that shape reaches a JSON client looking like bytes.
//
// Floats that JSON cannot represent (NaN, ±Inf) reach a JSON client as null.
//
// A message that can't be delivered to a client (larger than its limit, or
// not encodable in its serializer) does not leave a call hanging:
// a RESULT or ERROR becomes an ERROR wamp.error.payload_size_exceeded (or
// wamp.error.invalid_payload) to the caller, and an INVOCATION becomes that
// ERROR from the callee; when it was the next chunk of a progressive call
// invocation, the callee also gets an INTERRUPT (mode killnowait), for
// nexus forgets the invocation. When the RESULT was a progressive one, the router
// also cancels the call on the caller's behalf (mode kill), so the callee is
// interrupted, and passes nothing more of it to the caller. An
// undeliverable EVENT is dropped, counted in Stats and logged at most once
// per 10 seconds for the whole router. A WELCOME too large for the client is sent without the roles' feature
// lists, which lets a client that accepts only 512 bytes join; any other
// message the client can't take ends the session with ABORT and closes the
// connection.
//
// # Payloads
//
// The router does not decode the Arguments and ArgumentsKw of the CALL,
// YIELD, ERROR and PUBLISH messages it routes between clients when it can
// avoid it: a payload in the form this package's codec would write anyway
// is carried encoded and written as received to clients of the same
// serializer, and converted for the others (see passthrough.go). The only
// visible difference is that dict keys inside such a payload keep the
// sender's order, where they used to come out in random order. Calls to
// the router's own wamp.* procedures are always decoded. The router and the
// wamp package share one codec configuration (internal/wire): in JSON, &, <
// and > are written as they are, not as \u0026, \u003c and \u003e.
//
// # Malformed input
//
// The router checks every message a client sends: a message with missing or
// mistyped elements, with a string or dict key that is not valid UTF-8 (in
// any serializer), nested deeper than 100 levels, or that cannot be decoded,
// ends the session with ABORT wamp.error.protocol_violation, as does a
// RawSocket frame that breaks the framing rules. The nesting limit is the
// one the runtime's decoder applies too, in every serializer: the message
// itself, each list and dict inside it, and each CBOR tag count as one
// level, and the check runs, without recursion, before any decoding, so
// that no message can exhaust the stack (one frame of 800,000 nested CBOR
// tags used to end the process). It also refuses, with
// wamp.error.invalid_argument, the few option values on which nexus would
// panic and take the program down: an unknown REGISTER invoke or match
// policy, payload passthru options that are not strings, and testaments
// whose publish options are other than subscriber filters; and it refuses
// what would speak in the router's name: a PUBLISH to a wamp.* topic, a
// testament to one, and a REGISTER of a pattern that may match a wamp.*
// procedure.
//
// When the router ends a session (ABORT, GOODBYE, a router shutdown), it
// stops passing on the client's messages, writes what is queued, the last
// message and, over WebSocket, a close frame, half-closes the connection,
// and then reads and discards what the client still sends until the client
// closes its side, for at most a second after the last write and at most
// a MiB. Closing at once, with the client's bytes unread, makes the kernel
// reset the connection, and a client that had already sent more (Wampy.js
// sends the next chunks of a streamed call right after the CALL) could
// lose the ABORT that says why its session ended.
//
// # What nexus routes
//
// The realms' dealer supports call timeouts (call_timeout: the dealer
// enforces CALL.Options.timeout and answers wamp.error.timeout, or forwards
// it in INVOCATION.Details.timeout when the callee registered with
// forward_timeout), call canceling (modes skip, kill and killnowait; the
// default when CANCEL has no mode is killnowait; skip of a progressive call
// invocation whose input is still open is taken as killnowait, for nexus
// would not interrupt a callee that waits for the rest of its input),
// progressive call results and progressive call invocations, shared registrations (invoke single,
// roundrobin, random, first, last), pattern-based registrations, and caller
// identification. The broker supports pattern-based subscriptions,
// publisher exclusion and identification, subscriber black/white listing and
// event history. Both offer the session meta API and the
// registration/subscription meta APIs.
//
// # Stats
//
// Router.Stats returns counters of what the router did to protect clients
// from each other since it started: EVENTs dropped for subscribers that
// could not take them (Stats.DroppedEvents), INVOCATIONs refused for
// callees over their byte budget (Stats.RefusedInvocations), and clients
// disconnected for not reading (Stats.SlowClients). A test can assert on
// them; a service can export them as metrics.
//
// # Logging
//
// The router logs through Config.Logger, a *slog.Logger; nil logs
// nothing, and the package never prints. Lines about one client's doing
// (a failed login, a refused message, a connection ended) are at Debug;
// Warn is for what an operator should see: a connection limit reached,
// the authentication throttle engaging, and the trouble clients cause as
// often as they like (EVENTs dropped, messages not delivered, protocol
// violations), which is logged at most once per 10 seconds for the whole
// router, with the count since the last line, so that no client can flood
// the log. nexus's own lines go to the same logger with
// "component"="nexus": its routine chatter at Debug, lines that look like
// trouble at Warn. routertest sends warnings to the test's log.
package router
