package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// Session is a WAMP client session joined to a realm. It is safe for
// concurrent use: calls, registrations, publications and subscriptions may
// be made from any number of goroutines.
//
// With Config.Reconnect set, a Session outlives its connections: when one
// is lost it dials again with backoff, joins the realm again, and restores
// every registration and subscription with its original options (see
// ReconnectPolicy). Its ID then changes; its Registration and Subscription
// values stay valid.
type Session struct {
	// Set by Dial and never changed.
	cfg    Config
	url    string
	log    *slog.Logger
	ser    *wamp.Serializer
	reqIDs wamp.RequestIDs // safe for concurrent use
	// chains are the session's interceptors (Config.Interceptors) and the
	// chains they make for calls and publications; nil without any, so
	// that the call path without interceptors is unchanged.
	chains *chains

	cur atomic.Pointer[conn] // nil while not connected

	// The session's state, in groups that each have a lock of their own
	// (the lock named in the group's type). A goroutine holds one of them
	// at a time, but for subs.mu, then requests.mu (Unsubscribe).
	//
	// Each group changes for its own reasons: life when the session
	// connects, reconnects or ends; calls per CALL (the hot path, where
	// callers and the read loop meet); requests per other request; regs
	// and subs when the application or the router changes what the
	// session serves and receives. A connection's running invocations
	// are the connection's own (conn.invs).
	life     lifeState     // closed, why, reconnecting
	calls    callTable     // CALLs awaiting their RESULT
	requests replyTable    // other requests awaiting their answer
	regs     registrations // registrations: pending, active, to restore
	subs     subscriptions // subscriptions: pending, active, unwanted, to restore

	// Goroutines, queues and counters, each synchronised on its own.
	state    atomic.Int32 // a State
	notes    fifo[StateChange]
	done     chan struct{} // closed when the session has ended
	baseCtx  context.Context
	cancel   context.CancelFunc
	handlers sync.WaitGroup // invocation handlers
	// handlerPool keeps the goroutines that ran handlers for a while, to
	// run the next ones (see handlerpool.go).
	handlerPool handlerPool
	loops       sync.WaitGroup // read loops, the reconnect loop, the state notifier
	workers     eventWorkers   // event handlers (see delivery.go)
	closing     sync.Once
	// The oversized INVOCATIONs and EVENTs, and the unreadable
	// INVOCATIONs, which other peers send, are logged in aggregate (see
	// logOversized).
	oversizedInvocations, oversizedEvents, unreadableInvocations throttle
	// The INVOCATIONs repeating the ID of one still running, which a
	// router relaying a caller's repeated CALL request ID sends, are
	// dropped and logged in aggregate (see dropRepeatedInvocation).
	repeatedInvocations throttle
	// inputBudget bounds the streamed input queued for all the session's
	// invocations (Config.InputSessionBytes; see input.go).
	inputBudget inputBudget
	// drain is the state of Shutdown (see shutdown.go).
	drain drainState
}

// lifeState is whether the session has ended, and why, and whether it is
// reconnecting. mu orders the decisions about connections: the loss of one
// (lost), the end of the session (Close, shutdown) and the attaching and
// restoring of a new one (reconnectOnce) each decide under it.
type lifeState struct {
	mu sync.Mutex
	// closed says that Close was called, or that the session ended for
	// good. It is written under mu, so that the decisions made under mu
	// see it settled, and read anywhere: the tables below check it under
	// their own lock before taking a new request, and shutdown sets it
	// before it fails the requests they hold, so none is left behind.
	closed atomic.Bool
	// err is why the session ended: ErrSessionClosed,
	// ErrConnectionLost, or an ABORT. Guarded by mu.
	err error
	// reconnecting says that a reconnect loop runs. It is the only one:
	// lost starts one only when this is false, and the loop clears it only
	// once restored, under mu, where it also checks that its connection is
	// still current (see reconnectOnce). Guarded by mu.
	reconnecting bool
}

// callTable holds the CALLs awaiting their RESULT, by request ID; mu
// guards it. The read loop pushes into a pendingCall only under mu and
// while the call is in the table (see endCall).
type callTable struct {
	mu sync.Mutex
	m  map[wamp.ID]*pendingCall
}

// replyTable holds the reply channels of the requests other than CALL
// (REGISTER, SUBSCRIBE, UNREGISTER, UNSUBSCRIBE, acknowledged PUBLISH)
// awaiting their answer, by request ID; mu guards it. Each channel has
// room for the one reply it gets.
type replyTable struct {
	mu sync.Mutex
	m  map[wamp.ID]chan wamp.Message
}

// add records the reply channel of request id.
func (t *replyTable) add(id wamp.ID, ch chan wamp.Message) {
	t.mu.Lock()
	t.m[id] = ch
	t.mu.Unlock()
}

// conn is one connection to the router and the WAMP session joined over it.
type conn struct {
	tr       transport
	id       wamp.ID
	details  wamp.Dict
	feats    routerFeatures  // what the router announced in WELCOME (see features.go)
	ctx      context.Context // handlers of invocations received on it
	cancel   context.CancelCauseFunc
	goodbye  chan struct{} // closed when the router answers our GOODBYE
	readDone chan struct{} // closed when its read loop has ended
	invs     invocations   // running invocations, by request
	// frameSize is the size of the message the read loop handles (an
	// EVENT's queue counts it); only the read loop uses it.
	frameSize int
}

// Dial connects to the router at url and joins cfg.Realm. URLs: ws:// and
// wss:// (WebSocket), tcp:// and tcps:// (RawSocket over TCP), unix://
// (RawSocket over a Unix socket, as in unix:///run/router.sock).
//
// ctx bounds the connection and the join handshake (or, without a
// deadline, cfg.ResponseTimeout does); once Dial returns, cancelling ctx has
// no effect on the session. The first connection is not retried, even with
// Config.Reconnect: an error here usually means a wrong URL, realm or
// secret, which retrying would hide.
func Dial(ctx context.Context, url string, cfg Config) (*Session, error) {
	cfg = cfg.withDefaults()
	if err := wamp.ValidateURI(cfg.Realm, wamp.Loose, wamp.MatchExact); err != nil {
		return nil, fmt.Errorf("runtime: realm: %w", err)
	}
	if err := cfg.Reconnect.validate(); err != nil {
		return nil, err
	}
	if err := cfg.CancelMode.check(); err != nil {
		return nil, fmt.Errorf("runtime: Config.CancelMode: %w", err)
	}
	ch, err := newChains(cfg.Interceptors)
	if err != nil {
		return nil, fmt.Errorf("runtime: Config.Interceptors: %w", err)
	}
	s := newSession(url, cfg)
	s.chains = ch
	s.setState(StateConnecting, 0, nil)
	c, err := s.connect(ctx)
	if err != nil {
		s.cancel()
		s.notes.close()
		s.loops.Wait()
		return nil, err
	}
	s.attach(c)
	s.setState(StateJoined, c.id, nil)
	s.log.Debug("joined", "url", redactURL(url), "realm", cfg.Realm, "session", c.id, "serializer", cfg.Serializer.Name())
	return s, nil
}

func newSession(url string, cfg Config) *Session {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Session{
		cfg:     cfg,
		url:     url,
		log:     cfg.Logger,
		ser:     cfg.Serializer,
		done:    make(chan struct{}),
		baseCtx: ctx,
		cancel:  cancel,
	}
	s.inputBudget.max = int64(cfg.InputSessionBytes)
	s.calls.m = map[wamp.ID]*pendingCall{}
	s.requests.m = map[wamp.ID]chan wamp.Message{}
	s.regs.init(s)
	s.subs.init(s)
	s.notes.init()
	if cfg.OnStateChange != nil {
		s.loops.Add(1)
		go s.notify()
	} else {
		s.notes.close()
	}
	return s
}

// connect dials the router and joins the realm, bounded by ctx (or, without
// a deadline, by ResponseTimeout).
func (s *Session) connect(ctx context.Context) (*conn, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.ResponseTimeout)
		defer cancel()
	}
	tr, err := dialTransport(ctx, s.url, s.cfg)
	if err != nil {
		return nil, err
	}
	w, err := join(ctx, tr, s.cfg)
	if err != nil {
		tr.Close()
		return nil, err
	}
	cctx, cancel := context.WithCancelCause(s.baseCtx)
	return &conn{tr: tr, id: w.Session, details: w.Details, feats: announcedFeatures(w.Details), ctx: cctx, cancel: cancel,
		goodbye: make(chan struct{}), readDone: make(chan struct{}), invs: invocations{m: map[wamp.ID]*invocationState{}}}, nil
}

// attach makes c the session's connection and starts reading from it.
//
// The session has no connection then: Dial attaches the first one, and the
// one reconnect loop attaches only after the connection before was
// detached. Should that ever not hold, the replaced connection is closed
// rather than left open at the router, unread and holding registrations.
func (s *Session) attach(c *conn) {
	if old := s.cur.Swap(c); old != nil && old != c {
		s.log.Error("attaching a connection while another is current; closing the other", "session", old.id)
		old.cancel(ErrConnectionLost)
		old.tr.Close()
	}
	s.loops.Add(1)
	go s.readLoop(c)
}

// redactURL returns rawURL with any password replaced, for logs and errors.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// clientRoles is what HELLO announces: every feature listed is implemented.
func clientRoles() wamp.Dict {
	f := func(names ...string) wamp.Dict {
		feats := wamp.Dict{}
		for _, n := range names {
			feats[n] = true
		}
		return wamp.Dict{wamp.KeyFeatures: feats}
	}
	return wamp.Dict{
		wamp.RoleCaller: f(wamp.FeatureProgressiveCallResults, wamp.FeatureCallCanceling,
			wamp.FeatureCallTimeout, wamp.FeatureCallerIdentification, featureProgressiveCallInvocations),
		wamp.RoleCallee: f(wamp.FeatureProgressiveCallResults, wamp.FeatureCallCanceling, featureProgressiveCallInvocations,
			wamp.FeatureCallTimeout, wamp.FeatureCallerIdentification,
			wamp.FeaturePatternBasedRegistration, wamp.FeatureSharedRegistration,
			wamp.FeatureRegistrationRevocation, featureCallReroute),
		wamp.RolePublisher: f(wamp.FeaturePublisherExclusion, wamp.FeatureSubscriberBlackWhiteListing,
			wamp.FeaturePublisherIdentification),
		wamp.RoleSubscriber: f(wamp.FeaturePatternBasedSubscription, wamp.FeaturePublisherIdentification,
			wamp.FeatureSubscriptionRevocation),
	}
}

// Agent is announced as HELLO.Details.agent.
const Agent = "wampgen"

func join(ctx context.Context, tr transport, cfg Config) (*wamp.Welcome, error) {
	details := wamp.Dict{}
	for k, v := range cfg.HelloDetails {
		details[k] = v
	}
	details[wamp.KeyRoles] = clientRoles()
	if _, ok := details[wamp.KeyAgent]; !ok {
		details[wamp.KeyAgent] = Agent
	}
	method := "anonymous"
	if a := cfg.Auth; a != nil {
		method = a.Method()
		details[wamp.KeyAuthMethods] = []any{method}
		if id := a.AuthID(); id != "" {
			details[wamp.KeyAuthID] = id
		}
		if extra := a.AuthExtra(); extra != nil {
			details[wamp.KeyAuthExtra] = extra
		}
	}
	fail := func(err error) error {
		return fmt.Errorf("runtime: joining realm %q (auth %s): %w", cfg.Realm, method, err)
	}
	// The handshake reads synchronously; a context that ends closes the
	// transport, which unblocks the read.
	stop := context.AfterFunc(ctx, func() { tr.Close() })
	defer stop()
	send := func(m wamp.Message) error {
		data, err := cfg.Serializer.Encode(m)
		if err != nil {
			return err
		}
		return tr.Send(ctx, data, sendNow)
	}
	// violation tells the router why the handshake ends, as the spec asks
	// (ABORT wamp.error.protocol_violation), and returns the error.
	violation := func(cause error) error {
		send(&wamp.Abort{Details: wamp.Dict{wamp.KeyMessage: cause.Error()}, Reason: wamp.ErrProtocolViolation})
		return fmt.Errorf("%w: %w", ErrProtocolViolation, cause)
	}
	if err := send(&wamp.Hello{Realm: cfg.Realm, Details: details}); err != nil {
		return nil, fail(err)
	}
	for {
		data, err := tr.Recv()
		if err != nil {
			if ctx.Err() != nil {
				return nil, fail(ctx.Err())
			}
			return nil, fail(err)
		}
		msg, err := cfg.Serializer.Decode(data)
		if err != nil {
			return nil, fail(violation(err))
		}
		switch m := msg.(type) {
		case *wamp.Welcome:
			return m, nil
		case *wamp.Abort:
			return nil, fail(abortError(m, cfg.Errors))
		case *wamp.Challenge:
			if cfg.Auth == nil || m.AuthMethod != cfg.Auth.Method() {
				return nil, fail(fmt.Errorf("router challenged with method %q, which was not offered", m.AuthMethod))
			}
			sig, extra, err := cfg.Auth.Respond(m)
			if err != nil {
				return nil, fail(err)
			}
			if err := send(&wamp.Authenticate{Signature: sig, Extra: extra}); err != nil {
				return nil, fail(err)
			}
		default:
			return nil, fail(violation(fmt.Errorf("router sent %s before WELCOME", msg.Type())))
		}
	}
}

func abortError(m *wamp.Abort, reg *ErrorRegistry) *Error {
	e := reg.FromWire(m.Reason, m.Details, m.Args, m.Kwargs)
	if msg, ok := wamp.DictString(m.Details, wamp.KeyMessage); ok && e.Args.IsZero() {
		e.Args = wamp.ArgsOf(msg)
	}
	return e
}

// ID returns the session ID the router assigned to the current
// connection; 0 while not connected. It changes when the session reconnects.
func (s *Session) ID() wamp.ID {
	if c := s.cur.Load(); c != nil {
		return c.id
	}
	return 0
}

// Realm returns the realm the session joined.
func (s *Session) Realm() wamp.URI { return s.cfg.Realm }

// Details returns WELCOME.Details of the current connection: authid,
// authrole, authmethod, the router's roles and features; nil while not
// connected.
func (s *Session) Details() wamp.Dict {
	if c := s.cur.Load(); c != nil {
		return c.details
	}
	return nil
}

// Serializer returns the serializer of the session.
func (s *Session) Serializer() *wamp.Serializer { return s.ser }

// Done is closed when the session has ended, by Close, by the router or by
// a broken connection; Err tells which.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err returns nil while the session is open, and afterwards why it ended:
// ErrSessionClosed, ErrConnectionLost (wrapping the transport error), or
// the *Error of the router's ABORT or GOODBYE.
func (s *Session) Err() error {
	s.life.mu.Lock()
	defer s.life.mu.Unlock()
	return s.life.err
}

// lostMessage is what a pending request receives when its connection is
// lost or the session ends.
type lostMessage struct{ err error }

func (*lostMessage) Type() wamp.MessageType { return 0 }

// notConnected returns why no message can be sent now.
func (s *Session) notConnected() error {
	if s.life.closed.Load() {
		return s.errClosed()
	}
	return fmt.Errorf("%w: reconnecting", ErrConnectionLost)
}

// send encodes and writes one message on the current connection (see
// sendOn for ctx).
func (s *Session) send(ctx context.Context, m wamp.Message) error {
	c := s.cur.Load()
	if c == nil {
		return s.notConnected()
	}
	return s.sendOn(ctx, c, m)
}

// sendBuffers recycles the buffers messages are encoded into: both
// transports have copied a message into a frame when Send returns.
var sendBuffers = sync.Pool{New: func() any { return new([]byte) }}

// sendOn writes m on c, if c is still the session's connection. A handler
// of a lost connection can never answer on the next one, since c's
// transport is c's own; the check gives it a clear error instead of a
// write on a closed connection.
//
// While the connection's write queue is full (the router reads slowly),
// sendOn waits for room until ctx ends, and then fails with an error
// matching ctx's cause, m unsent. The read loop sends with noWait, which
// never waits and never drops m (see noWait). A
// write error closes the connection (see batchWriter): the read loop then
// fails every request in flight, those whose messages were queued behind
// the failed write included.
func (s *Session) sendOn(ctx context.Context, c *conn, m wamp.Message) error {
	bp := sendBuffers.Get().(*[]byte)
	data, err := s.ser.AppendEncode((*bp)[:0], m)
	defer func() {
		// Large buffers too, up to maxPooledBuffer: a large message
		// encoded into a buffer grown afresh cost its size again (issue
		// 18). The pool is shared and keeps nothing for ever.
		if cap(data) <= maxPooledBuffer {
			*bp = data[:0]
		}
		sendBuffers.Put(bp)
	}()
	if err != nil {
		return fmt.Errorf("runtime: %w", err)
	}
	if len(data) > s.cfg.MaxMessageSize {
		return fmt.Errorf("%w: %s of %d bytes exceeds MaxMessageSize %d", ErrPayloadSizeExceeded, m.Type(), len(data), s.cfg.MaxMessageSize)
	}
	if s.cur.Load() != c {
		return fmt.Errorf("%w: the connection this was for is gone", ErrConnectionLost)
	}
	if err := c.tr.Send(ctx, data, sendModeOf(m)); err != nil {
		if errors.Is(err, ErrPayloadSizeExceeded) {
			return err
		}
		if errors.Is(err, errQueueFull) {
			return fmt.Errorf("runtime: %s not sent: %w", m.Type(), err)
		}
		if e := s.Err(); e != nil {
			return e
		}
		return fmt.Errorf("%w: %v", ErrConnectionLost, err)
	}
	return nil
}

// sendModeOf returns how m is written (sendMode). sendGather if m is
// usually sent by one of many goroutines that run at the same time: a CALL
// by one of many callers, a handler's final YIELD or ERROR by one of the
// handlers of a burst of invocations. Their writes wait a moment for each
// other (see yieldBelowBytes). sendStream for a progressive result, which
// a handler sends one after another. sendNow for the rest.
//
// A lone request yields too. Skipping the yield when no other request was
// in flight was tried: it made sequential calls slower, not faster (p50 59
// to 69 µs against 49 to 52 on MsgPack and CBOR in interleaved runs), since
// with nothing else ready the yield returns at once, and throughput did not
// change.
func sendModeOf(m wamp.Message) sendMode {
	switch m := m.(type) {
	case *wamp.Call, *wamp.Error:
		return sendGather
	case *wamp.Yield:
		if m.Options[wamp.OptProgress] == true {
			return sendStream
		}
		return sendGather
	}
	return sendNow
}

func (s *Session) readLoop(c *conn) {
	defer s.loops.Done()
	defer close(c.readDone)
	for {
		data, err := c.tr.Recv()
		if err != nil {
			var over *oversizedMessage
			switch {
			case errors.As(err, &over):
				if s.skipOversized(c, over) {
					continue
				}
				return
			case errors.Is(err, errTooLarge), errors.Is(err, wamp.ErrMalformed):
				s.abort(c, wamp.ErrProtocolViolation, err.Error())
			default:
				s.lost(c, fmt.Errorf("%w: %v", ErrConnectionLost, err))
			}
			return
		}
		msg, err := s.ser.Decode(data)
		if err != nil {
			if s.salvage(c, data, err) {
				continue
			}
			s.abort(c, wamp.ErrProtocolViolation, err.Error())
			return
		}
		if err := s.checkIncoming(msg); err != nil {
			if s.cur.Load() != c {
				// Checked against the state of the connection after c,
				// or while c's was being forgotten: c is gone, and what
				// it still held is dropped (see handle).
				s.log.Debug("dropping a message read on a connection no longer in use", "type", msg.Type(), "session", c.id)
				return
			}
			if inv, ok := msg.(*wamp.Invocation); ok && errors.Is(err, errRepeatedInvocation) {
				s.dropRepeatedInvocation(inv.Request, false)
				continue
			}
			s.abort(c, wamp.ErrProtocolViolation, err.Error())
			return
		}
		c.frameSize = len(data)
		if !s.handle(c, msg) {
			return
		}
	}
}

// salvage handles a message that does not decode but whose header does:
// an INVOCATION is answered with wamp.error.invalid_argument, a RESULT or
// ERROR fails just the call it answers, an EVENT is dropped, and the
// session goes on. A router forwards payloads it does not inspect, so one
// peer sending something this runtime refuses (say, a MsgPack extension)
// must cost only that request, not every procedure of the callee. Anything
// else is a protocol violation.
func (s *Session) salvage(c *conn, data []byte, decodeErr error) bool {
	h, ok := s.ser.PeekHeader(data)
	if !ok {
		return false
	}
	switch {
	case h.Type == wamp.TypeInvocation:
		if s.failChunk(c, h.Request, &Error{URI: wamp.ErrInvalidArgument, Args: wamp.ArgsOf("the callee cannot read a chunk of this call's input: " + decodeErr.Error())}) {
			return true
		}
		// Another peer's payload, as many as it likes: one line a burst.
		if n, ok := s.unreadableInvocations.tick(); ok {
			s.log.Warn("answering an unreadable INVOCATION with invalid_argument", "request", h.Request, "count", n, "err", decodeErr)
		}
		s.sendOn(noWait, c, &wamp.Error{RequestType: wamp.TypeInvocation, Request: h.Request, Details: wamp.Dict{},
			Error: wamp.ErrInvalidArgument, Args: wamp.ArgsOf("the callee cannot read this invocation: " + decodeErr.Error())})
		return true
	case h.Type == wamp.TypeResult, h.Type == wamp.TypeError && h.RequestType == wamp.TypeCall:
		if !s.reqIDs.Issued(h.Request) {
			return false
		}
		s.calls.mu.Lock()
		s.failCallLocked(h.Request, fmt.Errorf("runtime: the answer to call %d cannot be read: %w", h.Request, decodeErr))
		s.calls.mu.Unlock()
		return true
	case h.Type == wamp.TypeEvent:
		s.rejectUnreadableEvent(c, h.Request, decodeErr)
		return true
	}
	return false
}

// skipOversized handles a message over MaxMessageSize that the transport
// read past (see oversizedMessage), from the header in its first bytes,
// and reports whether the session goes on. As for an unreadable payload
// (see salvage), only the request it concerns fails, since a router relays
// what other peers send:
//
//   - a RESULT or ERROR fails the request it answers with
//     wamp.error.payload_size_exceeded: it is dispatched as an ERROR of
//     that URI, through the same checks as any answer;
//   - an INVOCATION is answered with ERROR wamp.error.payload_size_exceeded
//     (which the router passes on to the caller), its handler not run; one
//     repeating the ID of an invocation still running that is not the next
//     chunk of its input is dropped (see checkInvocation), and the running
//     invocation goes on;
//   - an EVENT is dropped.
//
// The INVOCATIONs and EVENTs come from other peers, as many as they like:
// they are logged in aggregate (see logOversized).
//
// Anything else, or a message whose header cannot be read from the first
// bytes, ends the session with ABORT wamp.error.protocol_violation, as
// every oversized message did before.
func (s *Session) skipOversized(c *conn, over *oversizedMessage) bool {
	h, ok := s.ser.PeekHeader(over.prefix)
	if !ok {
		s.abort(c, wamp.ErrProtocolViolation, over.Error())
		return false
	}
	what := fmt.Sprintf("a %s of %d bytes exceeds the session's MaxMessageSize %d", h.Type, over.size, over.limit)
	switch h.Type {
	case wamp.TypeResult, wamp.TypeError:
		rt := h.RequestType
		if h.Type == wamp.TypeResult {
			rt = wamp.TypeCall
		}
		m := &wamp.Error{RequestType: rt, Request: h.Request, Details: wamp.Dict{}, Error: wamp.ErrPayloadSizeExceeded, Args: wamp.ArgsOf(what)}
		if err := s.checkIncoming(m); err != nil {
			s.abort(c, wamp.ErrProtocolViolation, fmt.Sprintf("%s; %v", what, err))
			return false
		}
		// A late answer fails nothing; the router could send those
		// without end.
		kind := s.pendingRequest(h.Request)
		level := slog.LevelDebug
		if kind != noRequest {
			level = slog.LevelWarn
		}
		s.log.Log(context.Background(), level, "failing a request whose answer is too large", "request", h.Request, "type", h.Type, "size", over.size, "limit", over.limit)
		if kind == callRequest && h.Type == wamp.TypeResult {
			// It may be a progressive RESULT: the callee would go on
			// streaming to a call that is over for the caller. A CANCEL
			// of a call that has ended is ignored by the router.
			s.cancelCall(noWait, c, h.Request, wamp.CancelKill)
		}
		return s.handle(c, m)
	case wamp.TypeInvocation:
		if s.failChunk(c, h.Request, &Error{URI: wamp.ErrPayloadSizeExceeded, Args: wamp.ArgsOf("the callee cannot take " + what)}) {
			return true
		}
		if _, running := c.invs.get(h.Request); running {
			// Not the next chunk of its input (failChunk took those):
			// dropped, as in the read loop (see checkInvocation).
			s.dropRepeatedInvocation(h.Request, true)
			return true
		}
		s.logOversized(&s.oversizedInvocations, "answered INVOCATIONs too large to read with payload_size_exceeded", over)
		s.sendOn(noWait, c, &wamp.Error{RequestType: wamp.TypeInvocation, Request: h.Request, Details: wamp.Dict{},
			Error: wamp.ErrPayloadSizeExceeded, Args: wamp.ArgsOf("the callee cannot take " + what)})
		return true
	case wamp.TypeEvent:
		s.logOversized(&s.oversizedEvents, "dropped EVENTs too large to read", over)
		return true
	}
	s.abort(c, wamp.ErrProtocolViolation, what)
	return false
}

// logOversized counts one oversized message of the kind of c, and logs
// msg: at once for the first one, then at most once per logEvery, with the
// number since the line before and the size of the last one.
func (s *Session) logOversized(c *throttle, msg string, over *oversizedMessage) {
	if n, ok := c.tick(); ok {
		s.log.Warn(msg, "count", n, "size", over.size, "limit", over.limit)
	}
}

// handle dispatches one message; it returns false when the connection
// ended.
//
// A connection that is no longer current may still hold messages it read
// before it was detached. They are dropped and its read loop ends: the
// registration and subscription IDs they name may by now belong to the
// next connection, so a stale EVENT or INVOCATION would reach a handler
// it was never meant for.
func (s *Session) handle(c *conn, msg wamp.Message) bool {
	if s.cur.Load() != c {
		s.log.Debug("dropping a message read on a connection no longer in use", "type", msg.Type(), "session", c.id)
		return false
	}
	switch m := msg.(type) {
	case *wamp.Result:
		s.deliverResult(m)
	case *wamp.Error:
		if m.RequestType == wamp.TypeCall {
			s.deliverCallError(m)
		} else {
			s.forgetRefused(c, m)
			s.deliverReply(m.Request, m)
		}
	case *wamp.Invocation:
		s.invoke(c, m)
	case *wamp.Interrupt:
		s.interrupt(c, m)
	case *wamp.Event:
		s.deliverEvent(c, m)
	case *wamp.Registered:
		s.regs.activate(c, m.Request, m.Registration)
		s.deliverReply(m.Request, m)
	case *wamp.Unregistered:
		if m.Request == 0 {
			s.revokeRegistration(m)
		} else {
			s.deliverReply(m.Request, m)
		}
	case *wamp.Subscribed:
		s.subs.activate(c, m.Request, m.Subscription)
		s.deliverReply(m.Request, m)
	case *wamp.Unsubscribed:
		if m.Request == 0 {
			s.revokeSubscription(m)
		} else {
			s.deliverReply(m.Request, m)
		}
	case *wamp.Published:
		s.deliverReply(m.Request, m)
	case *wamp.Goodbye:
		if initiated := s.life.closed.Load(); initiated {
			close(c.goodbye)
			return false
		}
		// The router ends the session: acknowledge, then close.
		s.log.Info("router closed the session", "reason", m.Reason)
		s.sendOn(noWait, c, &wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseGoodbyeAndOut})
		s.lost(c, fmt.Errorf("%w by the router: %s", ErrSessionClosed, m.Reason))
		return false
	case *wamp.Abort:
		s.log.Warn("router aborted the session", "reason", m.Reason)
		s.lost(c, abortError(m, s.cfg.Errors))
		return false
	default:
		s.abort(c, wamp.ErrProtocolViolation, fmt.Sprintf("a router must not send %s to a client in an established session", msg.Type()))
		return false
	}
	return true
}

// abort queues ABORT with reason on c (noWait) and ends c.
func (s *Session) abort(c *conn, reason wamp.URI, msg string) {
	s.log.Warn("aborting session", "reason", reason, "message", msg)
	s.sendOn(noWait, c, &wamp.Abort{Details: wamp.Dict{wamp.KeyMessage: msg}, Reason: reason})
	s.lost(c, &Error{URI: reason, Args: wamp.ArgsOf(msg)})
}

// lost handles the end of connection c for reason why: requests in flight
// on it fail at once, its handlers are cancelled, and then the session
// either reconnects (Config.Reconnect, and Close was not called) or ends.
//
// A connection that a reconnect attempt is still restoring is only
// detached: the attempt fails, and its loop, the only one, retries. Only
// the loss of a connection that is in use starts a reconnect loop.
func (s *Session) lost(c *conn, why error) {
	failWith := why
	if !errors.Is(why, ErrConnectionLost) {
		failWith = fmt.Errorf("%w: %w", ErrConnectionLost, why)
	}
	s.life.mu.Lock()
	if s.cur.Load() != c {
		s.life.mu.Unlock()
		c.cancel(failWith)
		c.tr.Close()
		return // already handled
	}
	if s.life.reconnecting {
		// Swapped under life.mu: reconnectOnce decides under it whether
		// its connection survived the restore.
		s.cur.CompareAndSwap(c, nil)
		s.life.mu.Unlock()
		s.log.Warn("connection lost while restoring", "session", c.id, "err", why)
		s.detach(c, failWith)
		return
	}
	reconnect := s.cfg.Reconnect != nil && !s.life.closed.Load()
	if reconnect {
		s.life.reconnecting = true
		s.cur.CompareAndSwap(c, nil)
	}
	s.life.mu.Unlock()
	if !reconnect {
		s.shutdown(why)
		return
	}
	s.log.Warn("connection lost; reconnecting", "session", c.id, "err", why)
	s.detach(c, failWith)
	s.setState(StateReconnecting, 0, why)
	s.life.mu.Lock()
	if !s.life.closed.Load() {
		s.loops.Add(1)
		go s.reconnectLoop()
	}
	s.life.mu.Unlock()
}

// detach stops using c: it fails the requests in flight with why, forgets
// the router-assigned IDs of c (the registrations and subscriptions stay
// to be restored), cancels c's handlers, and closes c.
func (s *Session) detach(c *conn, why error) {
	s.cur.CompareAndSwap(c, nil)
	s.failPending(why)
	c.cancel(why)
	c.tr.Close()
}

// failPending fails every call and request in flight with why and forgets
// the router-assigned IDs of the connection they were made on.
//
// The IDs go first: a request that waits for its answer is failed only
// after, so what its failure sets off (a reconnect attempt that restores)
// finds them forgotten already. And a request decided under regs.mu or
// subs.mu (Unsubscribe) either records its reply channel before they are
// forgotten, and is failed below, or finds them forgotten.
func (s *Session) failPending(why error) {
	s.regs.forgetConnection()
	s.subs.forgetConnection()
	s.calls.mu.Lock()
	for id := range s.calls.m {
		s.failCallLocked(id, why)
	}
	s.calls.mu.Unlock()
	s.requests.mu.Lock()
	reqs := s.requests.m
	s.requests.m = map[wamp.ID]chan wamp.Message{}
	s.requests.mu.Unlock()
	for _, ch := range reqs {
		ch <- &lostMessage{err: why} // each has room: see begin
	}
}

// failCallLocked ends the pending call id with err, if it is pending;
// calls.mu is held (see deliverResult for why pushes happen under it).
func (s *Session) failCallLocked(id wamp.ID, err error) bool {
	p, ok := s.calls.m[id]
	if ok {
		delete(s.calls.m, id)
		p.push(callEvent{err: err})
	}
	return ok
}

// shutdown ends the session for good, once: it records why, fails every
// request in flight with that error, cancels every handler, stops
// reconnecting, and closes the connection. It does not wait for anything.
func (s *Session) shutdown(why error) {
	s.closing.Do(func() {
		s.life.mu.Lock()
		s.life.closed.Store(true)
		s.life.err = why
		s.life.mu.Unlock()
		if c := s.cur.Load(); c != nil {
			s.detach(c, why)
		} else {
			s.failPending(why)
		}
		s.cancel()
		close(s.done)
		s.setState(StateClosed, 0, why)
		s.notes.close()
	})
}

// Close leaves the realm with the GOODBYE handshake, closes the
// connection, and waits for the session's goroutines to end. The GOODBYE
// handshake is bounded by Config.ResponseTimeout, sending included (a
// router that does not read leaves no room to send). Requests in flight
// fail with ErrSessionClosed. A session that is reconnecting stops trying.
// Close is idempotent; it returns nil if the session ended cleanly.
//
// Running handlers, of procedures and of events, see their context
// cancelled (Shutdown lets them finish instead), and Close waits for them, all together, up to
// Config.ResponseTimeout (not forever: it then logs and returns an error
// saying what still runs). Events still queued for a subscription are
// dropped.
//
// An event handler may call Close: Close then does not wait for that
// handler (it waits for the others, but for those that call Close too). A procedure handler (or an
// OnStateChange callback) that closes its own session must do so from
// another goroutine (go sess.Close()): like http.Server.Shutdown, Close
// waits for the running handlers, and would otherwise wait for its caller
// until ResponseTimeout.
func (s *Session) Close() error {
	_, err := s.closeWith(wamp.CloseRealm)
	return err
}

// closeWith is Close, saying GOODBYE with reason; already reports that the
// session was closed (or had ended) before.
func (s *Session) closeWith(reason wamp.URI) (already bool, err error) {
	s.life.mu.Lock()
	already = s.life.closed.Swap(true)
	s.life.mu.Unlock()
	if c := s.cur.Load(); !already && c != nil {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ResponseTimeout)
		if err = s.sendOn(ctx, c, &wamp.Goodbye{Details: wamp.Dict{}, Reason: reason}); err == nil {
			select {
			case <-c.goodbye:
			case <-c.readDone:
			case <-ctx.Done():
				err = fmt.Errorf("runtime: router did not answer GOODBYE within %v", s.cfg.ResponseTimeout)
			}
		} else if errors.Is(err, ErrConnectionLost) {
			err = nil // nothing to say goodbye to
		}
		cancel()
	}
	s.shutdown(ErrSessionClosed)
	s.loops.Wait()
	// Running handlers get ResponseTimeout, all together, to return.
	patience := time.NewTimer(s.cfg.ResponseTimeout)
	defer patience.Stop()
	outwaited := false
	wait := func(done <-chan struct{}, what string) {
		if outwaited {
			return
		}
		select {
		case <-done:
			return
		case <-patience.C:
		}
		outwaited = true
		s.log.Error(what + " still running after Close")
		if err == nil {
			err = fmt.Errorf("runtime: %s still running after Close", what)
		}
	}
	// Unless an event handler called Close: its worker ends after it
	// returns, and other handlers' Close calls must not wait for it
	// either (each would wait for the other). No worker starts now: the
	// read loops, which start them, have ended.
	gid := curGoroutineID()
	if w := s.workers.of(gid); w != nil {
		w.unblockClose()
	}
	for _, w := range s.workers.running(gid) {
		wait(w.released, "an event handler")
	}
	waited := make(chan struct{})
	go func() { s.handlers.Wait(); close(waited) }()
	wait(waited, "procedure handlers (they ignore their context)")
	if !outwaited {
		// The handlers have returned; their goroutines end now that the
		// session's context is cancelled (see handlerpool.go).
		s.handlerPool.running.Wait()
	}
	if already {
		return true, nil
	}
	return false, err
}

// begin registers a reply channel for a new request, or fails if the session
// has ended.
func (s *Session) begin() (wamp.ID, chan wamp.Message, error) {
	id := s.reqIDs.Next()
	ch := make(chan wamp.Message, 1)
	s.requests.mu.Lock()
	if s.life.closed.Load() {
		s.requests.mu.Unlock()
		return 0, nil, s.errClosed()
	}
	s.requests.m[id] = ch
	s.requests.mu.Unlock()
	return id, ch, nil
}

// errClosed returns why the session cannot take requests. It takes
// life.mu: no other lock may be held.
func (s *Session) errClosed() error {
	s.life.mu.Lock()
	defer s.life.mu.Unlock()
	if s.life.err != nil {
		return s.life.err
	}
	return ErrSessionClosed
}

func (s *Session) deliverReply(req wamp.ID, m wamp.Message) {
	s.requests.mu.Lock()
	ch, ok := s.requests.m[req]
	delete(s.requests.m, req)
	s.requests.mu.Unlock()
	if !ok {
		s.log.Debug("reply to an unknown request", "type", m.Type(), "request", req)
		return
	}
	ch <- m
}

// request sends m (whose request ID is id) and waits for its reply, bounded
// by ctx or, if ctx has no deadline, by Config.ResponseTimeout; sending
// included.
func (s *Session) request(ctx context.Context, id wamp.ID, ch chan wamp.Message, m wamp.Message) (wamp.Message, error) {
	wait, cancel := s.responseContext(ctx)
	defer cancel()
	if err := s.send(wait, m); err != nil {
		s.forgetRequest(id)
		return nil, err
	}
	return s.awaitReply(ctx, wait, id, ch, m.Type())
}

// responseContext returns ctx, bounded by Config.ResponseTimeout if ctx
// has no deadline.
func (s *Session) responseContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.cfg.ResponseTimeout)
}

// awaitReply waits for the reply to the request id, of type typ, already
// sent, until wait ends; ctx is the caller's context, of which wait is
// derived.
func (s *Session) awaitReply(ctx, wait context.Context, id wamp.ID, ch chan wamp.Message, typ wamp.MessageType) (wamp.Message, error) {
	select {
	case reply := <-ch:
		if l, isLost := reply.(*lostMessage); isLost {
			return nil, l.err
		}
		if e, isErr := reply.(*wamp.Error); isErr {
			return nil, s.cfg.Errors.FromWire(e.Error, e.Details, e.Args, e.Kwargs)
		}
		return reply, nil
	case <-wait.Done():
		s.forgetRequest(id)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("runtime: no answer to %s within %v", typ, s.cfg.ResponseTimeout)
	}
}

// forgetRequest stops waiting for the reply to request id.
func (s *Session) forgetRequest(id wamp.ID) {
	s.requests.mu.Lock()
	delete(s.requests.m, id)
	s.requests.mu.Unlock()
}
