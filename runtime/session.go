package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// Session is a WAMP client session joined to a realm. It is safe for
// concurrent use: calls, registrations, publications and subscriptions may
// be made from any number of goroutines.
type Session struct {
	cfg     Config
	log     *slog.Logger
	ser     *wamp.Serializer
	tr      transport
	id      wamp.ID
	details wamp.Dict
	reqIDs  wamp.RequestIDs

	writeMu sync.Mutex

	mu       sync.Mutex
	closed   bool  // no new requests
	closeErr error // why: ErrSessionClosed, ErrConnectionLost, or an ABORT
	calls    map[wamp.ID]*pendingCall
	requests map[wamp.ID]chan wamp.Message
	regs     map[wamp.ID]*Registration
	subs     map[wamp.ID]*Subscription
	subReqs  map[wamp.ID]*Subscription // SUBSCRIBE requests awaiting SUBSCRIBED
	regReqs  map[wamp.ID]*Registration // REGISTER requests awaiting REGISTERED
	invs     map[wamp.ID]*invocationState

	goodbye  chan struct{} // closed when the router's GOODBYE arrives
	done     chan struct{} // closed when the session has ended
	baseCtx  context.Context
	cancel   context.CancelFunc
	handlers sync.WaitGroup // invocation handlers
	loops    sync.WaitGroup // read loop
	events   eventQueue
	closing  sync.Once

	// The event dispatcher closes dispatched when it ends, and records its
	// goroutine, so that Close called by an event handler does not wait for
	// itself.
	dispatched   chan struct{}
	dispatcherID atomic.Uint64
}

// Dial connects to the router at url and joins cfg.Realm. URLs: ws:// and
// wss:// (WebSocket), tcp:// and tcps:// (RawSocket over TCP), unix://
// (RawSocket over a Unix socket, as in unix:///run/router.sock).
//
// ctx bounds the connection and the join handshake (or, without a
// deadline, cfg.ResponseTimeout does); once Dial returns, cancelling ctx has
// no effect on the session.
func Dial(ctx context.Context, url string, cfg Config) (*Session, error) {
	cfg = cfg.withDefaults()
	if err := wamp.ValidateURI(cfg.Realm, wamp.Loose, wamp.MatchExact); err != nil {
		return nil, fmt.Errorf("runtime: realm: %w", err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.ResponseTimeout)
		defer cancel()
	}
	tr, err := dialTransport(ctx, url, cfg)
	if err != nil {
		return nil, err
	}
	s, err := join(ctx, tr, cfg)
	if err != nil {
		tr.Close()
		return nil, err
	}
	s.log.Debug("joined", "url", url, "realm", cfg.Realm, "session", s.id, "serializer", cfg.Serializer.Name())
	return s, nil
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
			wamp.FeatureCallTimeout, wamp.FeatureCallerIdentification),
		wamp.RoleCallee: f(wamp.FeatureProgressiveCallResults, wamp.FeatureCallCanceling,
			wamp.FeatureCallTimeout, wamp.FeatureCallerIdentification,
			wamp.FeaturePatternBasedRegistration, wamp.FeatureSharedRegistration),
		wamp.RolePublisher: f(wamp.FeaturePublisherExclusion, wamp.FeatureSubscriberBlackWhiteListing,
			wamp.FeaturePublisherIdentification),
		wamp.RoleSubscriber: f(wamp.FeaturePatternBasedSubscription, wamp.FeaturePublisherIdentification),
	}
}

// Agent is announced as HELLO.Details.agent.
const Agent = "wampgen"

func join(ctx context.Context, tr transport, cfg Config) (*Session, error) {
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
		return tr.Send(data)
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
			return nil, fail(err)
		}
		switch m := msg.(type) {
		case *wamp.Welcome:
			return newSession(tr, cfg, m), nil
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
			return nil, fail(fmt.Errorf("%w: router sent %s before WELCOME", ErrProtocolViolation, msg.Type()))
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

func newSession(tr transport, cfg Config, w *wamp.Welcome) *Session {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Session{
		cfg:      cfg,
		log:      cfg.Logger,
		ser:      cfg.Serializer,
		tr:       tr,
		id:       w.Session,
		details:  w.Details,
		calls:    map[wamp.ID]*pendingCall{},
		requests: map[wamp.ID]chan wamp.Message{},
		regs:     map[wamp.ID]*Registration{},
		subs:     map[wamp.ID]*Subscription{},
		subReqs:  map[wamp.ID]*Subscription{},
		regReqs:  map[wamp.ID]*Registration{},
		invs:     map[wamp.ID]*invocationState{},
		goodbye:  make(chan struct{}),
		done:     make(chan struct{}),
		baseCtx:  ctx,
		cancel:   cancel,
	}
	s.events.init()
	s.dispatched = make(chan struct{})
	s.loops.Add(1)
	go s.readLoop()
	go s.dispatchEvents()
	return s
}

// ID returns the session ID the router assigned.
func (s *Session) ID() wamp.ID { return s.id }

// Realm returns the realm the session joined.
func (s *Session) Realm() wamp.URI { return s.cfg.Realm }

// Details returns WELCOME.Details: authid, authrole, authmethod, the
// router's roles and features.
func (s *Session) Details() wamp.Dict { return s.details }

// Serializer returns the serializer of the session.
func (s *Session) Serializer() *wamp.Serializer { return s.ser }

// Done is closed when the session has ended, by Close, by the router or by
// a broken connection; Err tells which.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err returns nil while the session is open, and afterwards why it ended:
// ErrSessionClosed, ErrConnectionLost (wrapping the transport error), or
// the *Error of the router's ABORT or GOODBYE.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeErr
}

// send encodes and writes one message.
func (s *Session) send(m wamp.Message) error {
	data, err := s.ser.Encode(m)
	if err != nil {
		return fmt.Errorf("runtime: %w", err)
	}
	if len(data) > s.cfg.MaxMessageSize {
		return fmt.Errorf("%w: %s of %d bytes exceeds MaxMessageSize %d", ErrPayloadSizeExceeded, m.Type(), len(data), s.cfg.MaxMessageSize)
	}
	s.writeMu.Lock()
	err = s.tr.Send(data)
	s.writeMu.Unlock()
	if err != nil {
		if e := s.Err(); e != nil {
			return e
		}
		if errors.Is(err, ErrPayloadSizeExceeded) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrConnectionLost, err)
	}
	return nil
}

func (s *Session) readLoop() {
	defer s.loops.Done()
	for {
		data, err := s.tr.Recv()
		if err != nil {
			switch {
			case errors.Is(err, errTooLarge), errors.Is(err, wamp.ErrMalformed):
				s.abort(wamp.ErrProtocolViolation, err.Error())
			default:
				s.shutdown(fmt.Errorf("%w: %v", ErrConnectionLost, err))
			}
			return
		}
		msg, err := s.ser.Decode(data)
		if err != nil {
			s.abort(wamp.ErrProtocolViolation, err.Error())
			return
		}
		if err := s.checkIncoming(msg); err != nil {
			s.abort(wamp.ErrProtocolViolation, err.Error())
			return
		}
		if !s.handle(msg) {
			return
		}
	}
}

// handle dispatches one message; it returns false when the session ended.
func (s *Session) handle(msg wamp.Message) bool {
	switch m := msg.(type) {
	case *wamp.Result:
		s.deliverResult(m)
	case *wamp.Error:
		if m.RequestType == wamp.TypeCall {
			s.deliverCallError(m)
		} else {
			s.deliverReply(m.Request, m)
		}
	case *wamp.Invocation:
		s.invoke(m)
	case *wamp.Interrupt:
		s.interrupt(m)
	case *wamp.Event:
		s.deliverEvent(m)
	case *wamp.Registered:
		s.activateRegistration(m)
		s.deliverReply(m.Request, m)
	case *wamp.Unregistered:
		if m.Request == 0 {
			s.revokeRegistration(m)
		} else {
			s.deliverReply(m.Request, m)
		}
	case *wamp.Subscribed:
		s.activateSubscription(m)
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
		s.mu.Lock()
		initiated := s.closed
		s.mu.Unlock()
		if initiated {
			close(s.goodbye)
			return false
		}
		// The router ends the session: acknowledge, then close.
		s.log.Info("router closed the session", "reason", m.Reason)
		s.send(&wamp.Goodbye{Reason: wamp.CloseGoodbyeAndOut})
		s.shutdown(fmt.Errorf("%w by the router: %s", ErrSessionClosed, m.Reason))
		return false
	case *wamp.Abort:
		s.log.Warn("router aborted the session", "reason", m.Reason)
		s.shutdown(abortError(m, s.cfg.Errors))
		return false
	default:
		s.abort(wamp.ErrProtocolViolation, fmt.Sprintf("a router must not send %s to a client in an established session", msg.Type()))
		return false
	}
	return true
}

// abort sends ABORT with reason and ends the session.
func (s *Session) abort(reason wamp.URI, msg string) {
	s.log.Warn("aborting session", "reason", reason, "message", msg)
	s.send(&wamp.Abort{Details: wamp.Dict{wamp.KeyMessage: msg}, Reason: reason})
	s.shutdown(&Error{URI: reason, Args: wamp.ArgsOf(msg)})
}

// shutdown ends the session once: it records why, fails every request in
// flight with that error, cancels every running handler, and closes the
// transport. It does not wait for anything.
func (s *Session) shutdown(why error) {
	s.closing.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.closeErr = why
		for id, c := range s.calls {
			c.push(callEvent{err: why}) // under s.mu: see deliverResult
			delete(s.calls, id)
		}
		reqs := s.requests
		s.requests = map[wamp.ID]chan wamp.Message{}
		s.mu.Unlock()
		for _, ch := range reqs {
			close(ch)
		}
		s.cancel()
		s.tr.Close()
		s.events.close()
		close(s.done)
	})
}

// Close leaves the realm with the GOODBYE handshake, closes the
// connection, and waits for the session's goroutines to end: running
// handlers see their context cancelled, and Close waits for them up to
// Config.ResponseTimeout. Requests in flight fail with ErrSessionClosed.
// Close is idempotent; it returns nil if the session ended cleanly.
//
// An event handler may call Close: Close then does not wait for that
// handler, and the session's event goroutine ends when the handler returns.
// A procedure handler that closes its own session must do so from another
// goroutine (go sess.Close()): like http.Server.Shutdown, Close waits for
// the running handlers, and would otherwise wait for its caller until
// ResponseTimeout.
func (s *Session) Close() error {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	var err error
	if !already {
		if err = s.send(&wamp.Goodbye{Reason: wamp.CloseRealm}); err == nil {
			select {
			case <-s.goodbye:
			case <-s.done:
			case <-time.After(s.cfg.ResponseTimeout):
				err = fmt.Errorf("runtime: router did not answer GOODBYE within %v", s.cfg.ResponseTimeout)
			}
		}
	}
	s.shutdown(ErrSessionClosed)
	s.loops.Wait()
	if id := curGoroutineID(); id == 0 || id != s.dispatcherID.Load() {
		<-s.dispatched // unless an event handler called Close
	}
	waited := make(chan struct{})
	go func() { s.handlers.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(s.cfg.ResponseTimeout):
		s.log.Error("handlers still running after Close; they ignore their context")
		if err == nil {
			err = errors.New("runtime: handlers still running after Close")
		}
	}
	if already {
		return nil
	}
	return err
}

// begin registers a reply channel for a new request, or fails if the session
// has ended.
func (s *Session) begin() (wamp.ID, chan wamp.Message, error) {
	id := s.reqIDs.Next()
	ch := make(chan wamp.Message, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, nil, s.errClosed()
	}
	s.requests[id] = ch
	return id, ch, nil
}

// errClosed returns why the session cannot take requests; s.mu is held.
func (s *Session) errClosed() error {
	if s.closeErr != nil {
		return s.closeErr
	}
	return ErrSessionClosed
}

func (s *Session) deliverReply(req wamp.ID, m wamp.Message) {
	s.mu.Lock()
	ch, ok := s.requests[req]
	delete(s.requests, req)
	s.mu.Unlock()
	if !ok {
		s.log.Debug("reply to an unknown request", "type", m.Type(), "request", req)
		return
	}
	ch <- m
}

// request sends m (whose request ID is id) and waits for its reply, bounded
// by ctx or, if ctx has no deadline, by Config.ResponseTimeout.
func (s *Session) request(ctx context.Context, id wamp.ID, ch chan wamp.Message, m wamp.Message) (wamp.Message, error) {
	forget := func() {
		s.mu.Lock()
		delete(s.requests, id)
		s.mu.Unlock()
	}
	if err := s.send(m); err != nil {
		forget()
		return nil, err
	}
	var timeout <-chan time.Time
	if _, ok := ctx.Deadline(); !ok {
		t := time.NewTimer(s.cfg.ResponseTimeout)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case reply, ok := <-ch:
		if !ok {
			return nil, s.Err()
		}
		if e, isErr := reply.(*wamp.Error); isErr {
			return nil, s.cfg.Errors.FromWire(e.Error, e.Details, e.Args, e.Kwargs)
		}
		return reply, nil
	case <-ctx.Done():
		forget()
		return nil, ctx.Err()
	case <-timeout:
		forget()
		return nil, fmt.Errorf("runtime: no answer to %s within %v", m.Type(), s.cfg.ResponseTimeout)
	}
}
