package router

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	nxrouter "github.com/gammazero/nexus/v3/router"
	"github.com/gammazero/nexus/v3/wamp"
)

// DefaultRealm is the realm a Router serves when Config.Realms is empty.
const DefaultRealm = "realm1"

// closeTimeout bounds how long Close waits for sessions to end.
const closeTimeout = 10 * time.Second

// Config configures a Router. The zero Config starts a router with the
// default realm and no listener; serve it through Handler.
type Config struct {
	// Realms the router serves. When empty, the router serves one realm,
	// DefaultRealm, that admits anonymous clients.
	Realms []RealmConfig

	// WebSocketAddr is the TCP address of the WebSocket listener, for
	// example "127.0.0.1:0" for any free port. Empty means no listener.
	WebSocketAddr string

	// RawSocketAddr is the TCP address of the RawSocket listener. Empty
	// means no listener.
	RawSocketAddr string

	// UnixSocketPath is the path of a Unix socket that serves RawSocket.
	// Empty means none. The socket file must not exist; Close removes it.
	UnixSocketPath string

	// TLSConfig, when set, makes the WebSocket and TCP RawSocket listeners
	// serve TLS (wss:// and tcps://). It must hold a certificate. The Unix
	// socket never uses TLS.
	TLSConfig *tls.Config

	// Logger receives the router's log, including nexus's own lines (nexus
	// chatter at Debug, trouble at Warn). nil discards everything.
	Logger *slog.Logger

	// KeepAlive, when positive, is the interval between pings (WebSocket
	// ping frames, RawSocket PING frames); a client that sends nothing, not
	// even a pong, for two intervals is disconnected. The intervals run
	// while the router waits to read from the client, so a router slow to
	// take a client's messages does not count against the client.
	KeepAlive time.Duration

	// MaxMessageSize is the largest message, in bytes, the router accepts
	// from a client; a client that sends a larger one is disconnected. 0
	// means 16 MiB, the RawSocket maximum, which is also the largest value
	// allowed. RawSocket announces limits as powers of two from 512 bytes,
	// so over RawSocket the limit is MaxMessageSize rounded up to one.
	//
	// It also bounds what the router sends: a RawSocket client announces
	// the largest message it accepts, and a WebSocket client, which has no
	// way to, is assumed to accept MaxMessageSize too (the runtime's
	// default limit is the same 16 MiB). A message that grows past that on
	// its way, converted to the client's serializer or given disclosure
	// details, is not sent: an INVOCATION becomes
	// wamp.error.payload_size_exceeded to its caller, a RESULT or ERROR
	// becomes that error to the caller, and an EVENT is dropped for that
	// subscriber.
	MaxMessageSize int

	// OutQueueSize is the number of messages nexus may queue for each
	// client at once (default 8192), made when the client's session is
	// established (before that, 16). nexus never waits for a client: a
	// message that does not fit is dropped (an EVENT) or refused (an
	// INVOCATION, whose caller gets wamp.error.network_failure). The
	// router's writer empties this queue as fast as it can encode, whether
	// or not the client reads, so it only has to absorb the bursts nexus
	// routes faster than one goroutine encodes them.
	OutQueueSize int

	// MaxQueuedBytes is the byte budget of each client: the encoded
	// messages waiting to be written to it (default 16 MiB). Past it, an
	// EVENT is dropped for that client (counted in Stats, and logged at
	// most once per 10 s for the whole router, with the count) and an
	// INVOCATION is refused, its caller getting
	// wamp.error.network_failure (an INTERRUPT is dropped: the call goes on
	// as if not canceled). A refused INVOCATION that continues a
	// progressive call invocation (an input chunk) also sends the callee an
	// INTERRUPT (mode killnowait, reason wamp.error.network_failure),
	// whatever the budget: nexus forgets the invocation, and the callee
	// would wait for the rest of its input. Other messages (results, errors,
	// acknowledgements) may take a client to twice the budget; beyond that
	// the client, which is not reading what it asked for, is disconnected.
	// A single message always fits when nothing else waits.
	MaxQueuedBytes int

	// AuthFailureLimit and AuthFailureWindow throttle failed
	// authentications (ticket, wampcra, cryptosign). A client address
	// (IPv4 address, or IPv6 /64) with AuthFailureLimit failures within a
	// window is refused, whatever authid it tries, until the window ends:
	// ABORT wamp.error.authentication_failed before any CHALLENGE. An authid
	// with AuthFailureLimit failures is refused in the same way to the
	// addresses that have failed in its window (Unix socket clients
	// count as one address of their own), but not to an address with a clean
	// record, so that nobody can lock a user out from elsewhere; a
	// successful login resets the authid. A window starts at a key's first
	// failure. Attempts count from the moment they start, so parallel
	// connections buy no extra guesses. The tables hold at most 10,000
	// addresses and 10,000 authids; beyond that the oldest entries go.
	//
	// AuthFailureLimit 0 means 10, a negative value turns the throttle
	// off; AuthFailureWindow 0 means one minute. Behind a reverse proxy
	// every WebSocket client has the proxy's address.
	AuthFailureLimit  int
	AuthFailureWindow time.Duration

	// MaxConnections caps the connections the router holds at once, all
	// listeners together: HTTP connections (kept alive or not), WebSocket
	// and RawSocket connections, and the WebSocket connections Handler
	// upgrades on another server. 0 means 1000, or three quarters of the
	// process's open-file limit when that is lower; a negative value
	// means no cap. Over the cap the router keeps accepting, so that the
	// kernel's backlog does not fill, and turns each new connection away
	// at once: an HTTP client reads 503 Service Unavailable (Handler on
	// another server answers the upgrade request with it too), a RawSocket
	// client the handshake error 4, "maximum connection count reached"; a
	// TLS connection is closed without an answer, before its handshake.
	// Up to 64 connections being turned away (for a second at most) may
	// come on top of the cap.
	MaxConnections int

	// MaxConnectionsPerAddress caps the connections of one client address
	// (IPv4 address, or IPv6 /64) among those, so that one host cannot
	// take them all; over it a connection is turned away as over
	// MaxConnections. 0 means a quarter of MaxConnections (no cap when
	// MaxConnections has none); a negative value means no cap. Loopback
	// and Unix socket clients are not capped per address: a reverse proxy
	// on the same host brings every client from one loopback address.
	MaxConnectionsPerAddress int

	// HandshakeTimeout bounds every step before a WAMP session can start:
	// the TLS handshake, reading an HTTP request (headers and body),
	// writing the response, the WebSocket upgrade and the RawSocket
	// handshake. 0 means 10 seconds. After the handshake, nexus waits 5
	// seconds for HELLO, and the router 10 seconds for AUTHENTICATE.
	HandshakeTimeout time.Duration

	// IdleTimeout is how long an HTTP keep-alive connection may wait for
	// its next request before it is closed. 0 means 30 seconds. A
	// WebSocket session is not an idle HTTP connection: only KeepAlive
	// bounds its silences.
	IdleTimeout time.Duration
}

// Stats are counters of what the router did to protect clients from each
// other, since it started.
type Stats struct {
	// DroppedEvents counts the EVENTs dropped for clients that could not
	// take them: by nexus when the client's queue (Config.OutQueueSize)
	// was full, and by the router when over the client's byte budget
	// (Config.MaxQueuedBytes), too large for the client, or not encodable
	// in its serializer.
	DroppedEvents uint64
	// RefusedInvocations counts the INVOCATIONs refused for callees over
	// their byte budget.
	RefusedInvocations uint64
	// SlowClients counts the clients disconnected for not reading what
	// they had to receive (twice the byte budget).
	SlowClients uint64
}

// counters are the Stats, updated by peers.
type counters struct {
	droppedEvents, refusedInvocations, slowClients atomic.Uint64
}

// Stats returns the router's counters.
func (r *Router) Stats() Stats {
	return Stats{
		DroppedEvents:      r.stats.droppedEvents.Load(),
		RefusedInvocations: r.stats.refusedInvocations.Load(),
		SlowClients:        r.stats.slowClients.Load(),
	}
}

// RealmConfig configures one realm.
//
// Callers and publishers may always ask for their identity to be disclosed
// (disclose_me), and callees may ask for the caller's (disclose_caller).
type RealmConfig struct {
	// Name is the realm URI, for example "realm1".
	Name string

	// Anonymous admits clients that authenticate with "anonymous" or offer
	// no authentication method; they get the authrole "anonymous".
	Anonymous bool

	// Users are the principals that may authenticate. A realm offers
	// "ticket", "wampcra" and "cryptosign" when at least one user has the
	// matching credential.
	Users []User

	// AnonymousMeta opens the meta API to anonymous sessions (authrole
	// "anonymous"), for a test or development realm. By default an
	// anonymous session's CALL of wamp.session.count, wamp.session.list,
	// wamp.session.get or any wamp.registration.* or wamp.subscription.*
	// procedure, and its SUBSCRIBE to a topic under "wamp." (or to a
	// prefix or wildcard pattern that may match one), is answered ERROR
	// wamp.error.not_authorized: those tell about the other sessions of
	// the realm. Authenticated sessions may always use the meta API, and
	// every session may use wamp.session.add_testament and
	// wamp.session.flush_testaments, unless Roles says otherwise. Whatever this setting, the session
	// details the meta API shows are the standard ones only: session,
	// authid, authrole, authmethod, authprovider and transport (its type,
	// serializer, protocol, is_secure and peer address), never the rest of
	// HELLO.Details such as authextra.
	AnonymousMeta bool

	// Roles, when not nil, restricts what sessions may do by their
	// authrole: a CALL, REGISTER, PUBLISH or SUBSCRIBE is allowed only
	// when a Permission of the session's role grants it, and is otherwise
	// answered ERROR wamp.error.not_authorized (a PUBLISH only when it
	// asked for acknowledgement); the session goes on. UNREGISTER,
	// UNSUBSCRIBE, YIELD, CANCEL and the like are always allowed.
	// Permissions only grant: a request is allowed when any one
	// permission of the role covers every URI it may concern (see
	// Permission). A session whose role is not in Roles may do none of
	// those four; Start fails when a user's AuthRole (or "anonymous", for
	// a realm with Anonymous set) is missing, so declare a role that may
	// do nothing with no Permissions. The router's own wamp.* procedures
	// and topics are URIs like any other here: a role needs a permission
	// for wamp.session.add_testament (and one to publish to the
	// testament's topic) or for the meta API, on top of the rules above
	// for anonymous sessions. With Roles nil, every session may do
	// anything but those rules allow, as before.
	Roles []Role
}

// Role is what the sessions of one authrole may do in a realm.
type Role struct {
	// Name is the authrole: "anonymous" for anonymous sessions, or a
	// User's AuthRole ("user" when that is empty).
	Name string

	// Permissions grant actions on URIs; none means the role may do
	// nothing but what RealmConfig.Roles always allows.
	Permissions []Permission
}

// Permission grants actions on the URIs that URI matches.
//
// Match is how URI matches, as in WAMP pattern-based subscriptions and
// registrations: "" or "exact" (the URI itself), "prefix" (every URI
// that starts with it, as a string: "com.example." matches
// "com.example.add", "com.example" matches "com.examples.x" too, "" matches
// every URI) or "wildcard" (URIs with as many components, equal to URI's
// non-empty ones: "com..update" matches "com.user.update"). Start fails
// for a URI that is not valid for its Match (nexus's loose rules) or a
// permission that grants no action.
//
// A CALL or PUBLISH is granted by a permission that matches its URI. A
// REGISTER or SUBSCRIBE with a pattern (match prefix or wildcard) is
// granted only by a permission that matches every URI the pattern may
// match: a prefix permission that is a prefix of the pattern's fixed
// start, or a wildcard permission with as many components, empty wherever
// it differs from the pattern's. A "com.example." subscribe permission
// thus grants the prefix subscription "com.example.calc." but not "com."
// or "", nor the wildcard subscription "..add"; "com.example..add" it
// grants.
type Permission struct {
	URI   string
	Match string

	Call      bool // CALL of a procedure
	Register  bool // REGISTER of a procedure or pattern
	Publish   bool // PUBLISH to a topic
	Subscribe bool // SUBSCRIBE to a topic or pattern
}

// User is one principal of a realm. Set at least one credential.
type User struct {
	// AuthID is the name the client announces in HELLO.Details.authid.
	AuthID string

	// AuthRole is the role the session gets; empty means "user".
	AuthRole string

	// Ticket enables ticket authentication with this ticket.
	Ticket string

	// Secret enables WAMP-CRA with this secret. With Salt set, the signing
	// key is derived with PBKDF2-HMAC-SHA256 (salted WAMP-CRA), and the
	// CHALLENGE tells the client the salt, iterations and key length;
	// Iterations defaults to 1000 and KeyLen to 32.
	Secret     string
	Salt       string
	Iterations int
	KeyLen     int

	// PublicKey enables WAMP-Cryptosign with this Ed25519 key. If the
	// client also announces HELLO.Details.authextra.pubkey, it must match.
	PublicKey ed25519.PublicKey
}

// Router is a WAMP router running in-process, built on nexus. It routes
// calls and events between the sessions of each realm, whatever transport and
// serializer each client uses. Its methods are safe for concurrent use.
type Router struct {
	log            *slog.Logger
	nexus          nxrouter.Router
	handler        *wsHandler
	httpSrv        *http.Server
	rsListeners    []net.Listener
	keepAlive      time.Duration
	maxMessageSize int
	outQueueSize   int
	maxQueuedBytes int
	rsLengthCode   byte
	stats          counters
	drops          dropSummary   // nexus's drop lines, see nexusLogger
	clientLogs     clientLogs    // see clientLogs
	handshake      time.Duration // Config.HandshakeTimeout
	limiter        *connLimiter

	wsURL, rsURL, unixURL string

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]*connState

	work    sync.WaitGroup // connection handlers and live peers
	serving sync.WaitGroup // accept loops and the HTTP server

	closeOnce sync.Once
	closeErr  error
}

// connState tracks one client connection.
type connState struct {
	peer    *peer  // nil until the transport's handshake (WebSocket upgrade, RawSocket) is done
	release func() // gives back the connection's slot under MaxConnections, if untrack must
}

// Start starts a router and its listeners. ctx bounds starting only; the
// router runs until Close. On error nothing is left running.
func Start(ctx context.Context, cfg Config) (*Router, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	maxMsg := cfg.MaxMessageSize
	if maxMsg == 0 {
		maxMsg = rsMaxLength
	}
	if maxMsg < 0 || maxMsg > rsMaxLength {
		return nil, fmt.Errorf("router: MaxMessageSize %d out of range 1..%d", cfg.MaxMessageSize, rsMaxLength)
	}
	if cfg.KeepAlive < 0 {
		return nil, fmt.Errorf("router: negative KeepAlive %v", cfg.KeepAlive)
	}
	queue := cfg.OutQueueSize
	if queue == 0 {
		queue = defaultOutQueueSize
	}
	if queue < 0 {
		return nil, fmt.Errorf("router: negative OutQueueSize %d", cfg.OutQueueSize)
	}
	budget := cfg.MaxQueuedBytes
	if budget == 0 {
		budget = defaultMaxQueuedBytes
	}
	if budget < 0 {
		return nil, fmt.Errorf("router: negative MaxQueuedBytes %d", cfg.MaxQueuedBytes)
	}
	if cfg.TLSConfig != nil && len(cfg.TLSConfig.Certificates) == 0 &&
		cfg.TLSConfig.GetCertificate == nil && cfg.TLSConfig.GetConfigForClient == nil {
		return nil, errors.New("router: TLSConfig has no certificate")
	}
	if cfg.AuthFailureWindow < 0 {
		return nil, fmt.Errorf("router: negative AuthFailureWindow %v", cfg.AuthFailureWindow)
	}
	failLimit, failWindow := cfg.AuthFailureLimit, cfg.AuthFailureWindow
	if failLimit == 0 {
		failLimit = defaultAuthFailureLimit
	}
	if failWindow == 0 {
		failWindow = defaultAuthFailureWindow
	}
	throttle := newAuthThrottle(failLimit, failWindow, maxThrottleEntries)
	if cfg.HandshakeTimeout < 0 || cfg.IdleTimeout < 0 {
		return nil, fmt.Errorf("router: negative HandshakeTimeout %v or IdleTimeout %v", cfg.HandshakeTimeout, cfg.IdleTimeout)
	}
	handshake := cfg.HandshakeTimeout
	if handshake == 0 {
		handshake = defaultHandshakeTimeout
	}
	idle := cfg.IdleTimeout
	if idle == 0 {
		idle = defaultIdleTimeout
	}
	maxConns := cfg.MaxConnections
	if maxConns == 0 {
		maxConns = defaultConnectionCap()
	}
	perAddr := cfg.MaxConnectionsPerAddress
	if perAddr == 0 {
		perAddr = max(maxConns/4, 1)
		if maxConns < 0 {
			perAddr = -1
		}
	}
	realms, err := nexusRealms(cfg.Realms, throttle, log)
	if err != nil {
		return nil, err
	}

	r := &Router{
		log:            log,
		keepAlive:      cfg.KeepAlive,
		maxMessageSize: maxMsg,
		outQueueSize:   queue,
		maxQueuedBytes: budget,
		rsLengthCode:   rsLengthCode(maxMsg),
		handshake:      handshake,
		limiter:        newConnLimiter(maxConns, perAddr, log),
		conns:          map[net.Conn]*connState{},
	}
	r.handler = newWSHandler(r)
	var wsLn net.Listener
	wsLn, err = r.listen(ctx, cfg)
	if err != nil {
		return nil, err
	}
	nx, err := nxrouter.NewRouter(&nxrouter.Config{RealmConfigs: realms}, nexusLogger{log: log, stats: &r.stats, drops: &r.drops})
	if err != nil {
		r.closeListeners(wsLn)
		return nil, fmt.Errorf("router: %w", err)
	}
	r.nexus = nx

	if wsLn != nil {
		// Every phase of an HTTP connection has a deadline: the TLS
		// handshake (net/http bounds it by the shortest of the three
		// timeouts below), the request, the response, and the wait for the
		// next request. A hijacked (upgraded) connection has its deadlines
		// cleared, see wsHandler.ServeHTTP.
		r.httpSrv = &http.Server{
			Handler:           r.handler,
			ReadHeaderTimeout: handshake,
			ReadTimeout:       handshake,
			WriteTimeout:      handshake,
			IdleTimeout:       idle,
			MaxHeaderBytes:    maxHeaderBytes,
			ConnContext:       r.limiter.markCounted,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		}
		r.serving.Go(func() { _ = r.httpSrv.Serve(wsLn) })
	}
	for _, ln := range r.rsListeners {
		r.serving.Go(func() { r.acceptLoop(ln, cfg.TLSConfig != nil && ln.Addr().Network() != "unix") })
	}
	log.Debug("router: started", "websocket", r.wsURL, "rawsocket", r.rsURL, "unix", r.unixURL)
	return r, nil
}

// nexusRealms validates realm configurations and converts them for nexus.
func nexusRealms(cfgs []RealmConfig, throttle *authThrottle, log *slog.Logger) ([]*nxrouter.RealmConfig, error) {
	if len(cfgs) == 0 {
		cfgs = []RealmConfig{{Name: DefaultRealm, Anonymous: true}}
	}
	// Validate everything nexus would reject: nexus.NewRouter leaks the
	// goroutines of the realms it created before failing on a later one.
	out := make([]*nxrouter.RealmConfig, 0, len(cfgs))
	seen := map[string]bool{}
	for _, rc := range cfgs {
		if rc.Name == "" {
			return nil, errors.New("router: realm with empty Name")
		}
		if !wamp.URI(rc.Name).ValidURI(false, "") {
			return nil, fmt.Errorf("router: realm name %q is not a valid URI", rc.Name)
		}
		if seen[rc.Name] {
			return nil, fmt.Errorf("router: duplicate realm %q", rc.Name)
		}
		seen[rc.Name] = true
		ks := keyStore{}
		for _, u := range rc.Users {
			p, err := newPrincipal(u)
			if err != nil {
				return nil, fmt.Errorf("router: realm %q: %w", rc.Name, err)
			}
			if _, dup := ks[p.AuthID]; dup {
				return nil, fmt.Errorf("router: realm %q: duplicate user %q", rc.Name, p.AuthID)
			}
			ks[p.AuthID] = p
		}
		if !rc.Anonymous && len(ks) == 0 {
			return nil, fmt.Errorf("router: realm %q admits nobody: set Anonymous or add Users", rc.Name)
		}
		roles, err := compileRoles(rc)
		if err != nil {
			return nil, fmt.Errorf("router: realm %q: %w", rc.Name, err)
		}
		// nexus calls an authorizer for every message; a realm without
		// roles and anonymous sessions does without.
		var authorizer nxrouter.Authorizer
		meta := !rc.AnonymousMeta && admitsAnonymous(rc)
		switch {
		case roles != nil:
			authorizer = &permAuthorizer{roles: roles, meta: meta}
		case meta:
			authorizer = metaAuthorizer{}
		}
		out = append(out, &nxrouter.RealmConfig{
			URI:            wamp.URI(rc.Name),
			AnonymousAuth:  rc.Anonymous,
			AllowDisclose:  true,
			Authenticators: authenticators(rc.Name, ks, throttle, log),
			// Every client is remote, but its peer says it is local (see
			// peer.IsLocal), so nexus must authenticate and authorize it
			// exactly as it would a remote one.
			RequireLocalAuth:  true,
			RequireLocalAuthz: true,
			// Session details in the meta API: the standard ones only,
			// not what else a client put in its HELLO (authextra).
			MetaStrict: true,
			Authorizer: authorizer,
		})
	}
	return out, nil
}

// listen opens the configured listeners. It returns the WebSocket listener
// (nil when not configured) and records the RawSocket ones and all URLs.
func (r *Router) listen(ctx context.Context, cfg Config) (net.Listener, error) {
	var lc net.ListenConfig
	var wsLn net.Listener
	fail := func(what string, err error) (net.Listener, error) {
		r.closeListeners(wsLn)
		return nil, fmt.Errorf("router: %s listener: %w", what, err)
	}
	var wsTLS, rsTLS *tls.Config
	if cfg.TLSConfig != nil {
		wsTLS = cfg.TLSConfig.Clone()
		if len(wsTLS.NextProtos) == 0 {
			// WebSocket upgrades need HTTP/1.1.
			wsTLS.NextProtos = []string{"http/1.1"}
		}
		rsTLS = cfg.TLSConfig.Clone()
	}
	if cfg.WebSocketAddr != "" {
		ln, err := lc.Listen(ctx, "tcp", cfg.WebSocketAddr)
		if err != nil {
			return fail("WebSocket", err)
		}
		if wsTLS != nil {
			ln = r.limiter.listen(ln, nil)
		} else {
			ln = r.limiter.listen(ln, []byte(refusalHTTP))
		}
		scheme := "ws"
		if wsTLS != nil {
			scheme = "wss"
			ln = tls.NewListener(ln, wsTLS)
		}
		wsLn = ln
		r.wsURL = scheme + "://" + dialAddr(ln.Addr()) + "/"
	}
	if cfg.RawSocketAddr != "" {
		ln, err := lc.Listen(ctx, "tcp", cfg.RawSocketAddr)
		if err != nil {
			return fail("RawSocket", err)
		}
		if rsTLS != nil {
			ln = r.limiter.listen(ln, nil)
		} else {
			ln = r.limiter.listen(ln, refusalRawSocket)
		}
		scheme := "tcp"
		if rsTLS != nil {
			scheme = "tcps"
			ln = tls.NewListener(ln, rsTLS)
		}
		r.rsListeners = append(r.rsListeners, ln)
		r.rsURL = scheme + "://" + dialAddr(ln.Addr())
	}
	if cfg.UnixSocketPath != "" {
		path, err := filepath.Abs(cfg.UnixSocketPath)
		if err != nil {
			return fail("Unix socket", err)
		}
		ln, err := lc.Listen(ctx, "unix", path)
		if err != nil {
			return fail("Unix socket", err)
		}
		ln = r.limiter.listen(ln, refusalRawSocket)
		r.rsListeners = append(r.rsListeners, ln)
		r.unixURL = "unix://" + filepath.ToSlash(path)
	}
	return wsLn, nil
}

func (r *Router) closeListeners(wsLn net.Listener) {
	if wsLn != nil {
		_ = wsLn.Close()
	}
	for _, ln := range r.rsListeners {
		_ = ln.Close()
	}
}

// dialAddr returns host:port for a listener address, with an unspecified
// IP (0.0.0.0, ::) replaced by the loopback address of the same family, so
// that the URL can be dialed.
func dialAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := ta.IP
	switch {
	case ip == nil || ip.To4() != nil && ip.IsUnspecified():
		ip = net.IPv4(127, 0, 0, 1)
	case ip.IsUnspecified():
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(ta.Port))
}

// WebSocketURL returns the URL of the WebSocket listener, for example
// "ws://127.0.0.1:41234/" ("wss://" with TLS), or "" when there is none.
func (r *Router) WebSocketURL() string { return r.wsURL }

// RawSocketURL returns the URL of the TCP RawSocket listener, for example
// "tcp://127.0.0.1:41235" ("tcps://" with TLS), or "" when there is none.
func (r *Router) RawSocketURL() string { return r.rsURL }

// UnixURL returns the URL of the Unix socket listener, "unix://" followed by
// the absolute socket path, or "" when there is none.
func (r *Router) UnixURL() string { return r.unixURL }

// Handler returns the router's WebSocket endpoint, so that a program can
// serve it on its own mux next to other handlers, with or without a
// WebSocketAddr listener. It serves every path it is mounted on, refuses
// requests that do not offer a WAMP subprotocol, and answers 503 Service
// Unavailable after Close and when Config.MaxConnections sessions are
// running. Like gorilla/websocket by default, it refuses a browser request
// whose Origin does not match its Host. It clears the connection's
// deadlines once upgraded, so the server's ReadTimeout and WriteTimeout do
// not cut sessions; the server's other timeouts are the caller's to set.
func (r *Router) Handler() http.Handler { return r.handler }

// Close shuts the router down: it stops the listeners, sends GOODBYE
// (wamp.close.system_shutdown) to every session, closes every connection
// (a second after its GOODBYE at the latest, even when the client has
// stopped reading) and waits until all of the router's goroutines have ended. It is safe to call
// more than once; later calls return the first call's result.
func (r *Router) Close() error {
	r.closeOnce.Do(func() { r.closeErr = r.shutdown() })
	return r.closeErr
}

func (r *Router) shutdown() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()

	// Stop accepting connections.
	if r.httpSrv != nil {
		_ = r.httpSrv.Close()
	}
	for _, ln := range r.rsListeners {
		_ = ln.Close()
	}
	r.serving.Wait()
	r.limiter.refusals.Wait() // a second at most, see refuseTimeout

	// End every connection. Sessions end because their connection does,
	// which lets nexus remove them from the broker and dealer (cancelling
	// pending calls and their timers) while the realm still runs. Closing
	// the nexus router with sessions still attached skips that cleanup and
	// leaves dealer timeout timers that panic when they fire later.
	// An established session gets GOODBYE, written after what is queued
	// for it; its connection is closed flushTimeout plus lingerTimeout
	// later at the latest, even when the client has stopped reading or
	// keeps sending (see peer.closeWith and peer.linger). A
	// session is established once its WELCOME has gone to the writer or
	// AttachClient has returned (see peer.welcomed).
	r.mu.Lock()
	for c, st := range r.conns {
		if st.peer != nil && st.peer.welcomed.Load() {
			st.peer.closeWith(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseSystemShutdown})
		} else {
			_ = c.Close()
		}
	}
	r.mu.Unlock()

	var err error
	done := make(chan struct{})
	go func() {
		r.work.Wait()
		close(done)
	}()
	timer := time.NewTimer(closeTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		err = fmt.Errorf("router: sessions still running %v after Close", closeTimeout)
	}

	r.nexus.Close()
	r.drops.flush(r.log, true)
	r.clientLogs.flush(r.log)
	r.log.Debug("router: closed")
	return err
}

// enter registers a connection handler with r.work. It reports false once
// the router is closed.
func (r *Router) enter() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.work.Add(1)
	return true
}

// track records a new connection so that Close can end it. release, if
// not nil, is called when the connection is untracked. It reports false
// once the router is closed; release is not called then.
func (r *Router) track(c net.Conn, release func()) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.conns[c] = &connState{release: release}
	return true
}

func (r *Router) untrack(c net.Conn) {
	r.mu.Lock()
	st, ok := r.conns[c]
	delete(r.conns, c)
	r.mu.Unlock()
	if ok && st.release != nil {
		st.release()
	}
}

// serve runs a WAMP session on a connection whose transport handshake is
// done. It returns once the session is established or has failed to be; the
// session then lives on in the peer's goroutines until nexus closes it.
func (r *Router) serve(c net.Conn, fc frameConn, ser *serializer, pingEvery time.Duration, details wamp.Dict) {
	r.work.Add(1) // released by Peer.Close, which nexus always calls
	cfg := peerConfig{
		pingEvery: pingEvery,
		queueSize: r.outQueueSize,
		sendLimit: r.maxMessageSize,
		budget:    r.maxQueuedBytes,
		stats:     &r.stats,
		logs:      &r.clientLogs,
	}
	p := newPeer(fc, ser, r.log.With("peer", details["peer"]), cfg, func() {
		r.untrack(c)
		r.work.Done()
	})
	r.mu.Lock()
	if st, ok := r.conns[c]; ok {
		st.peer = p
	}
	r.mu.Unlock()

	// AttachClient reads HELLO, authenticates and sends WELCOME; on failure
	// it has sent ABORT and closed the peer.
	if err := r.nexus.AttachClient(p, details); err != nil {
		p.log.Debug("router: session not established", "err", err)
		return
	}
	p.welcomed.Store(true) // if the writer has not taken the WELCOME yet
}

// acceptLoop accepts RawSocket connections until the listener is closed.
func (r *Router) acceptLoop(ln net.Listener, secure bool) {
	network := ln.Addr().Network()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait and retry.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			r.log.Warn("router: accept failed", "network", network, "err", err, "retry_in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if !r.enter() {
			_ = c.Close()
			return
		}
		if !r.track(c, nil) {
			_ = c.Close()
			r.work.Done()
			return
		}
		go r.serveRawSocket(c, network, secure)
	}
}
