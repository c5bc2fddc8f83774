package runtime

import (
	"context"
	"fmt"
	"maps"
	"math"
	"runtime/debug"
	"sync"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// Handler serves the invocations of a registered procedure. It runs on a
// goroutine of its own for each invocation, so a slow one never holds up
// the others. Its ctx ends when the caller cancels (INTERRUPT), when the
// call's timeout passes, or when the session ends; context.Cause tells
// which (ErrCanceled, ErrTimeout, or the session's error).
//
// A nil *Result yields an empty result. A returned error travels as its URI
// (see ErrorRegistry.ToWire), an unmapped one as wamp.error.runtime_error
// with the text Config.ErrorText gives (by default, none of the error's
// own); a panic is recovered and answered the same way, and the session
// keeps serving.
type Handler func(ctx context.Context, inv *Invocation) (*Result, error)

// Callee registers procedures. *Session implements it; generated
// registrars depend only on this interface.
type Callee interface {
	Register(ctx context.Context, procedure wamp.URI, h Handler, opts ...RegisterOption) (*Registration, error)
}

// RegisterOption configures one registration.
type RegisterOption interface{ applyRegister(*registerConfig) }

type registerConfig struct {
	match          Match
	invoke         InvokePolicy
	discloseCaller bool
	forwardTimeout bool
	streamedInput  bool
	options        wamp.Dict
	interceptors   []Interceptor
}

type registerOptionFunc func(*registerConfig)

func (f registerOptionFunc) applyRegister(c *registerConfig) { f(c) }

// WithMatch sets the match policy: MatchExact (the default), MatchPrefix
// or MatchWildcard; Register refuses any other value. Prefix and wildcard
// need a router that announces pattern_based_registration; Register fails
// otherwise, before anything is sent, with an error matching
// ErrFeatureNotSupported.
func WithMatch(policy Match) RegisterOption {
	return registerOptionFunc(func(c *registerConfig) { c.match = policy })
}

// WithInvoke sets the invocation policy of a shared registration:
// InvokeSingle (the default), InvokeRoundRobin, InvokeRandom, InvokeFirst
// or InvokeLast; Register refuses any other value. All but single need a
// router that announces shared_registration; Register fails otherwise,
// before anything is sent, with an error matching ErrFeatureNotSupported
// (the procedure would otherwise be taken for this callee alone).
func WithInvoke(policy InvokePolicy) RegisterOption {
	return registerOptionFunc(func(c *registerConfig) { c.invoke = policy })
}

// WithDiscloseCaller asks the router to disclose every caller's identity.
// It needs a router that announces caller_identification; Register fails
// otherwise, before anything is sent, with an error matching
// ErrFeatureNotSupported.
func WithDiscloseCaller() RegisterOption {
	return registerOptionFunc(func(c *registerConfig) { c.discloseCaller = true })
}

// WithForwardTimeout asks the router to forward a call's timeout to this
// callee (REGISTER.Options.forward_timeout, understood by nexus and
// Crossbar.io) instead of timing the call out itself: the handler's context
// then ends at INVOCATION.Details.timeout. A router that does not announce
// call_timeout times out no call, and the option is left out.
func WithForwardTimeout() RegisterOption {
	return registerOptionFunc(func(c *registerConfig) { c.forwardTimeout = true })
}

// WithRegisterOptions adds raw REGISTER.Options.
func WithRegisterOptions(opts wamp.Dict) RegisterOption {
	return registerOptionFunc(func(c *registerConfig) { c.options = opts })
}

// Registration is an active registration.
type Registration struct {
	itemState  // its ID, and whether it was dropped (see lifecycle)
	procedure  wamp.URI
	handler    Handler
	options    wamp.Dict // REGISTER.Options, kept to register again after a reconnect
	pattern    bool      // a prefix or wildcard registration
	streamed   bool      // the handler takes streamed input (WithStreamedInput)
	unregister func(context.Context) error
}

// NewRegistration returns a registration whose Unregister calls
// unregister: for Callee implementations other than *Session, such as
// fakes in tests.
func NewRegistration(id wamp.ID, procedure wamp.URI, unregister func(context.Context) error) *Registration {
	r := &Registration{procedure: procedure, unregister: unregister}
	r.id.Store(uint64(id))
	return r
}

// ID returns the registration ID the router assigned.
func (r *Registration) ID() wamp.ID { return wamp.ID(r.id.Load()) }

// Procedure returns the registered URI or pattern.
func (r *Registration) Procedure() wamp.URI { return r.procedure }

// matchOptions returns a copy of raw, the caller's own REGISTER or
// SUBSCRIBE options, with the match policy set unless it is exact.
func matchOptions(raw wamp.Dict, match Match) wamp.Dict {
	options := maps.Clone(raw)
	if options == nil {
		options = wamp.Dict{}
	}
	if match.orExact() != MatchExact {
		options[wamp.OptMatch] = string(match)
	}
	return options
}

// registrations is the state of the session's registrations: the
// lifecycle they share with subscriptions, and the active ones. Its mu
// guards it all.
type registrations struct {
	lifecycle[*Registration]
	s *Session
	// active holds the registrations that serve, by the current
	// connection's registration IDs.
	active map[wamp.ID]*Registration
}

func (rs *registrations) init(s *Session) {
	rs.lifecycle.init(rs)
	rs.s = s
	rs.active = map[wamp.ID]*Registration{}
}

func (rs *registrations) request(c *conn, reg *Registration, id wamp.ID) (wamp.Message, error) {
	options := reg.options
	if c != nil {
		var err error
		if options, err = c.feats.registerOptions(options); err != nil {
			return nil, err
		}
	}
	return &wamp.Register{Request: id, Options: options, Procedure: reg.procedure}, nil
}

func (*registrations) answer() wamp.MessageType { return wamp.TypeRegistered }

func (*registrations) standIn(reg *Registration) *Registration {
	r := &Registration{procedure: reg.procedure}
	r.dropped = true
	return r
}

func (rs *registrations) activateLocked(reg *Registration, id wamp.ID) {
	reg.id.Store(uint64(id))
	rs.active[id] = reg
}

// unwantedLocked unregisters the registration a late REGISTERED made,
// unless the ID is one this session uses (which a router does not hand
// out twice): that one stays.
func (rs *registrations) unwantedLocked(c *conn, reg *Registration, id wamp.ID) func() {
	if rs.active[id] != nil {
		return nil
	}
	return func() { rs.s.unregisterUnwanted(c, id, reg.procedure) }
}

func (rs *registrations) abandonLocked(c *conn, reg *Registration, answered bool) func() {
	id := reg.ID()
	if rs.active[id] != reg {
		return nil
	}
	delete(rs.active, id)
	if !answered || c == nil {
		return nil
	}
	return func() { rs.s.unregisterUnwanted(c, id, reg.procedure) }
}

// settledLocked: an unwanted registration is unregistered at once; nothing
// waits for the requests to settle.
func (*registrations) settledLocked(*conn, wamp.ID, *Registration) {}

func (rs *registrations) forgetLocked() { clear(rs.active) }

// Register registers h under procedure.
func (s *Session) Register(ctx context.Context, procedure wamp.URI, h Handler, opts ...RegisterOption) (*Registration, error) {
	var cfg registerConfig
	for _, o := range opts {
		o.applyRegister(&cfg)
	}
	if h == nil {
		return nil, fmt.Errorf("runtime: registering %s: nil handler", procedure)
	}
	if err := cfg.match.check(); err != nil {
		return nil, fmt.Errorf("runtime: registering %s: %w", procedure, err)
	}
	if err := cfg.invoke.check(); err != nil {
		return nil, fmt.Errorf("runtime: registering %s: %w", procedure, err)
	}
	if err := wamp.ValidateURI(procedure, wamp.Loose, string(cfg.match)); err != nil {
		return nil, fmt.Errorf("runtime: registering: %w", err)
	}
	options := matchOptions(cfg.options, cfg.match)
	if cfg.invoke != "" && cfg.invoke != InvokeSingle {
		options[wamp.OptInvoke] = string(cfg.invoke)
	}
	if cfg.discloseCaller {
		options[wamp.OptDiscloseCaller] = true
	}
	if cfg.forwardTimeout {
		options[wamp.OptForwardTimeout] = true
	}
	h, err := s.wrapInvocation(h, procedure, cfg.interceptors)
	if err != nil {
		return nil, fmt.Errorf("runtime: registering %s: %w", procedure, err)
	}
	reg := &Registration{procedure: procedure, handler: h, options: options, pattern: matchPolicy(options) != MatchExact, streamed: cfg.streamedInput}
	reg.unregister = func(ctx context.Context) error { return s.unregister(ctx, reg) }
	if err := s.regs.makeOn(s, ctx, reg); err != nil {
		s.regs.drop(reg)
		return nil, fmt.Errorf("runtime: registering %s: %w", procedure, err)
	}
	return reg, nil
}

// requestMaking is request for a REGISTER or SUBSCRIBE, whose answer
// makes something at the router. gaveUp reports that the session stopped
// waiting while the answer may still come (ctx ended, or no answer within
// ResponseTimeout), as opposed to an answer, a lost connection or a failed
// send, after which none will.
func (s *Session) requestMaking(ctx context.Context, id wamp.ID, ch chan wamp.Message, m wamp.Message) (reply wamp.Message, gaveUp bool, err error) {
	wait := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, s.cfg.ResponseTimeout)
		defer cancel()
	}
	reply, err = s.request(wait, id, ch, m)
	if err != nil && wait.Err() != nil {
		gaveUp = true
		if ctx.Err() == nil {
			err = fmt.Errorf("runtime: no answer to %s within %v", m.Type(), s.cfg.ResponseTimeout)
		}
	}
	return reply, gaveUp, err
}

// forgetRefused forgets the pending REGISTER or SUBSCRIBE that ERROR m,
// read on c, refuses (see lifecycle.refused).
func (s *Session) forgetRefused(c *conn, m *wamp.Error) {
	switch m.RequestType {
	case wamp.TypeRegister:
		s.regs.refused(c, m.Request)
	case wamp.TypeSubscribe:
		s.subs.refused(c, m.Request)
	}
}

// unregisterUnwanted sends UNREGISTER on c for registration id, which the
// router made for a REGISTER that nobody waits for any more. It does not
// wait: the answer, UNREGISTERED or ERROR, answers a request nothing waits
// for, which the read loop drops (deliverReply).
func (s *Session) unregisterUnwanted(c *conn, id wamp.ID, procedure wamp.URI) {
	s.log.Debug("unregistering a registration made after its REGISTER was given up", "procedure", procedure, "registration", id)
	if err := s.sendOn(noWait, c, &wamp.Unregister{Request: s.reqIDs.Next(), Registration: id}); err != nil {
		s.log.Debug("unregistering a registration made too late failed", "registration", id, "err", err)
	}
}

// Unregister ends the registration. Invocations already running finish.
func (r *Registration) Unregister(ctx context.Context) error {
	if r.unregister == nil {
		return fmt.Errorf("runtime: unregistering %s: %w", r.procedure, ErrNoSuchRegistration)
	}
	return r.unregister(ctx)
}

func (s *Session) unregister(ctx context.Context, r *Registration) error {
	s.regs.mu.Lock()
	// After a reconnect an old ID may name another registration: only
	// this one's own entry counts.
	regID := r.ID()
	active := s.regs.active[regID] == r
	if active {
		delete(s.regs.active, regID)
	}
	wasDropped, held := s.regs.releaseLocked(r)
	s.regs.mu.Unlock()
	if wasDropped || (!active && !held) {
		return fmt.Errorf("runtime: unregistering %s: %w", r.procedure, ErrNoSuchRegistration)
	}
	if !active {
		return nil // disconnected: it will not be restored, nothing to tell the router
	}
	id, ch, err := s.begin()
	if err != nil {
		return err
	}
	if _, err := s.request(ctx, id, ch, &wamp.Unregister{Request: id, Registration: regID}); err != nil {
		return fmt.Errorf("runtime: unregistering %s: %w", r.procedure, err)
	}
	return nil
}

func (s *Session) revokeRegistration(m *wamp.Unregistered) {
	id, _ := wamp.DictID(m.Details, "registration")
	s.regs.mu.Lock()
	reg := s.regs.active[id]
	delete(s.regs.active, id)
	if reg != nil {
		s.regs.dropLocked(reg) // revoked: a reconnect must not bring it back
	}
	s.regs.mu.Unlock()
	if reg != nil {
		reason, _ := wamp.DictString(m.Details, wamp.OptReason)
		s.log.Warn("router revoked a registration", "procedure", reg.procedure, "reason", reason)
	}
}

// Invocation is one call of a registered procedure, as its handler sees it.
type Invocation struct {
	// Procedure is the URI the caller called: for pattern registrations,
	// the concrete URI (INVOCATION.Details.procedure); for exact ones, the
	// registered URI, whatever the details say.
	Procedure    wamp.URI
	Registration wamp.ID
	Args         wamp.Payload
	Kwargs       wamp.Payload
	Details      wamp.Dict
	// Caller, CallerAuthID and CallerAuthRole identify the caller when the
	// router disclosed it (zero values otherwise, and always from a router
	// that does not announce caller_identification).
	Caller         wamp.ID
	CallerAuthID   string
	CallerAuthRole string
	// Timeout is INVOCATION.Details.timeout; zero when none was given, or
	// when the router does not announce call_timeout.
	Timeout time.Duration

	registered wamp.URI // the registration's URI or pattern (Registered)
	s          *Session
	conn       *conn // the connection it arrived on, and the only one it answers on
	request    wamp.ID
	progress   bool
	input      *inputQueue     // the streamed input, for a handler that takes it
	ctx        context.Context // the handler's, once it runs
	mu         sync.Mutex
	finished   bool // the handler returned
	answered   bool // answered without the handler (input overflow)
	ranged     bool // Input was ranged (an invocation without input queue)
}

type invocationKey struct{}

// InvocationFromContext returns the invocation a handler's context belongs
// to: typed handlers read caller details through it.
func InvocationFromContext(ctx context.Context) (*Invocation, bool) {
	inv, ok := ctx.Value(invocationKey{}).(*Invocation)
	return inv, ok
}

// ProgressRequested reports whether the caller asked for progressive
// results; always false through a router that does not announce
// progressive_call_results, which could not carry them.
func (inv *Invocation) ProgressRequested() bool { return inv.progress }

// SendProgress sends one progressive result. It returns
// ErrProgressNotRequested if the caller did not ask for progressive results
// and an error once the handler has returned.
func (inv *Invocation) SendProgress(args, kwargs wamp.Payload) error {
	if !inv.progress {
		return ErrProgressNotRequested
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.finished {
		return fmt.Errorf("runtime: progress for %s after its handler returned", inv.Procedure)
	}
	if inv.answered {
		return fmt.Errorf("runtime: progress for %s after the call ended: %w", inv.Procedure, inv.input.failed())
	}
	return inv.s.sendOn(inv.conn.ctx, inv.conn, &wamp.Yield{Request: inv.request, Options: wamp.Dict{wamp.OptProgress: true}, Args: args, Kwargs: kwargs})
}

type invocationState struct {
	cancel context.CancelCauseFunc
	inv    *Invocation
}

// invocations are the running invocations of one connection, by request
// ID, and the request IDs whose late input chunks are ignored; mu guards
// them.
type invocations struct {
	mu   sync.Mutex
	m    map[wamp.ID]*invocationState
	late lateInputs
}

// lookup returns the running invocation req, or reports that req is an
// invocation with streamed input that ended before its input did (late).
func (is *invocations) lookup(req wamp.ID) (st *invocationState, late bool) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if st, ok := is.m[req]; ok {
		return st, false
	}
	return nil, is.late.has(req)
}

// addLate remembers req as a call whose late input chunks are ignored.
func (is *invocations) addLate(req wamp.ID) {
	is.mu.Lock()
	is.late.add(req)
	is.mu.Unlock()
}

// forgetLate forgets req, whose last chunk arrived.
func (is *invocations) forgetLate(req wamp.ID) {
	is.mu.Lock()
	is.late.forget(req)
	is.mu.Unlock()
}

// finish removes the running invocation req; with late, its later input
// chunks are ignored.
func (is *invocations) finish(req wamp.ID, late bool) {
	is.mu.Lock()
	delete(is.m, req)
	if late {
		is.late.add(req)
	}
	is.mu.Unlock()
}

func (is *invocations) add(req wamp.ID, st *invocationState) {
	is.mu.Lock()
	is.m[req] = st
	is.mu.Unlock()
}

func (is *invocations) get(req wamp.ID) (*invocationState, bool) {
	is.mu.Lock()
	st, ok := is.m[req]
	is.mu.Unlock()
	return st, ok
}

func (is *invocations) remove(req wamp.ID) {
	is.mu.Lock()
	delete(is.m, req)
	is.mu.Unlock()
}

func (s *Session) invoke(c *conn, m *wamp.Invocation) {
	// Progressive invocations are read only from a router that announced
	// them (see features.go).
	streamed := c.feats.has(dealerProgressiveCallInvocations)
	progress := streamed && isProgress(m.Details)
	if streamed {
		st, late := c.invs.lookup(m.Request)
		if st != nil {
			// The next chunk of a running invocation (checkInvocation
			// drops a repeat of any other).
			s.continueInput(c, st, m, !progress)
			return
		}
		if late {
			// "Continuations on Completed Calls": ignored.
			if !progress {
				c.invs.forgetLate(m.Request)
			}
			s.log.Debug("ignoring an input chunk of a call already ended", "request", m.Request)
			return
		}
	}
	// Checked under regs.mu, c is the current connection, so the
	// registration IDs are c's (see handle).
	s.regs.mu.Lock()
	reg, ok := s.regs.active[m.Registration]
	current := s.cur.Load() == c
	s.regs.mu.Unlock()
	if !ok || !current || s.life.closed.Load() {
		if progress {
			c.invs.addLate(m.Request)
		}
		s.sendOn(noWait, c, &wamp.Error{RequestType: wamp.TypeInvocation, Request: m.Request, Details: wamp.Dict{},
			Error: wamp.ErrNoSuchRegistration, Args: wamp.ArgsOf(fmt.Sprintf("registration %d is not active in this session", m.Registration))})
		return
	}
	if progress && !reg.streamed {
		c.invs.addLate(m.Request)
		s.sendOn(noWait, c, &wamp.Error{RequestType: wamp.TypeInvocation, Request: m.Request, Details: wamp.Dict{},
			Error: wamp.ErrInvalidArgument, Args: wamp.ArgsOf(fmt.Sprintf("%s does not take streamed input", reg.procedure))})
		return
	}
	var input *inputQueue
	if reg.streamed {
		input = newInputQueue(s.cfg.InputQueue, s.cfg.InputQueueBytes, &s.inputBudget)
		if !input.push(InputChunk{Args: m.Args, Kwargs: m.Kwargs, Last: !progress}, c.frameSize) {
			// The session's input budget is spent: the call ends before
			// its handler runs, and its later chunks are ignored.
			if progress {
				c.invs.addLate(m.Request)
			}
			err := input.failed().(*Error)
			s.logOverflow(reg.procedure, m.Request, err)
			s.sendOn(noWait, c, &wamp.Error{RequestType: wamp.TypeInvocation, Request: m.Request, Details: wamp.Dict{},
				Error: err.URI, Args: err.Args})
			return
		}
	}
	// Counted in s.handlers (only the read loop calls invoke, and Close
	// waits for the read loops before it waits for the handlers), unless
	// Shutdown began: then it is refused (see shutdown.go).
	if !s.admitHandler(reg.streamed) {
		s.refuseDraining(c, m.Request, input, progress)
		return
	}
	ctx, cancel := context.WithCancelCause(c.ctx)
	st := &invocationState{cancel: cancel}
	c.invs.add(m.Request, st)

	inv := &Invocation{
		Procedure:    reg.procedure,
		Registration: m.Registration,
		Args:         m.Args,
		Kwargs:       m.Kwargs,
		Details:      m.Details,
		s:            s,
		conn:         c,
		request:      m.Request,
		input:        input,
	}
	st.inv = inv
	// Only the details that this registration and the router's features
	// make meaningful are read (see features.go): a router that did not
	// announce a feature cannot rename the procedure of an exact
	// registration, vouch for a caller, ask for progressive YIELDs or time
	// a handler out.
	if reg.pattern {
		if p, ok := wamp.DictString(m.Details, wamp.OptProcedure); ok {
			inv.Procedure = wamp.URI(p)
		}
	}
	if c.feats.has(dealerCallerIdentification) {
		inv.Caller, _ = wamp.DictID(m.Details, wamp.OptCaller)
		inv.CallerAuthID, _ = wamp.DictString(m.Details, wamp.OptCallerAuthID)
		inv.CallerAuthRole, _ = wamp.DictString(m.Details, wamp.OptCallerAuthRole)
	}
	if c.feats.has(dealerProgressiveCallResults) {
		inv.progress, _ = wamp.DictBool(m.Details, wamp.OptReceiveProgress)
	}
	// A timeout beyond what a Duration holds (292 years) is no timeout.
	if ms, ok := wamp.DictInt(m.Details, wamp.OptTimeout); ok && ms > 0 && ms <= math.MaxInt64/int64(time.Millisecond) && c.feats.has(dealerCallTimeout) {
		inv.Timeout = time.Duration(ms) * time.Millisecond
	}
	go s.runHandler(ctx, cancel, reg.handler, inv)
}

func (s *Session) runHandler(ctx context.Context, cancel context.CancelCauseFunc, h Handler, inv *Invocation) {
	defer s.handlerDone(inv.input != nil)
	defer cancel(nil)
	if inv.Timeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeoutCause(ctx, inv.Timeout, ErrTimeout)
		defer stop()
	}
	ctx = context.WithValue(ctx, invocationKey{}, inv)
	inv.ctx = ctx

	res, err := s.callHandler(ctx, h, inv)
	inv.mu.Lock()
	inv.finished = true
	answered := inv.answered
	inv.mu.Unlock()
	// The invocation stops counting as running before it is answered: the
	// router may reuse its request ID the moment the answer arrives. One
	// whose input has not ended yet is remembered, so that the chunks
	// still on their way are ignored.
	inv.conn.invs.finish(inv.request, inv.input != nil && !inv.input.complete())
	if inv.input != nil {
		inv.input.discard()
	}
	if answered {
		return // the input overflowed: the caller has its ERROR
	}

	// A handler stopped by INTERRUPT or by its timeout answers with that,
	// whatever it returned: the call is over for the caller.
	if cause := context.Cause(ctx); ctx.Err() != nil && (cause == ErrCanceled || cause == ErrTimeout) {
		err = cause
	}
	s.answer(inv, res, err)
}

// answer sends the YIELD or ERROR for inv. What the handler returned is
// user code too (an error's methods, a result's encoding, Config.ErrorText):
// a panic there is logged and answered with wamp.error.runtime_error, like
// a panic in the handler, and never ends the program.
func (s *Session) answer(inv *Invocation, res *Result, err error) {
	answered := false
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		incident := newIncidentID()
		s.log.Error("answering an invocation panicked", "procedure", inv.Procedure, "incident", incident, "panic", p, "stack", string(debug.Stack()))
		if !answered {
			s.sendOn(inv.conn.ctx, inv.conn, &wamp.Error{RequestType: wamp.TypeInvocation, Request: inv.request, Details: wamp.Dict{},
				Error: wamp.ErrRuntime, Args: wamp.ArgsOf(RedactErrorText(inv.Procedure, incident, nil))})
		}
	}()
	if err != nil {
		uri, args, kwargs, mapped := s.cfg.Errors.toWire(err)
		if !mapped {
			args = wamp.ArgsOf(s.unmappedErrorText(inv.Procedure, err))
		}
		err = s.sendOn(inv.conn.ctx, inv.conn, &wamp.Error{RequestType: wamp.TypeInvocation, Request: inv.request, Details: wamp.Dict{}, Error: uri, Args: args, Kwargs: kwargs})
		answered = err == nil
		if err != nil && s.Err() == nil {
			// The error's payload could not be encoded (or is too large):
			// answer as for a result that cannot be sent, rather than
			// leave the caller waiting for its timeout.
			text := s.unmappedErrorText(inv.Procedure, fmt.Errorf("the callee could not send its error %s: %w", uri, err))
			err = s.sendOn(inv.conn.ctx, inv.conn, &wamp.Error{RequestType: wamp.TypeInvocation, Request: inv.request, Details: wamp.Dict{},
				Error: wamp.ErrRuntime, Args: wamp.ArgsOf(text)})
			answered = err == nil
		}
	} else {
		var y wamp.Yield
		y.Request = inv.request
		if res != nil {
			y.Args, y.Kwargs = res.Args, res.Kwargs
		}
		err = s.sendOn(inv.conn.ctx, inv.conn, &y)
		answered = err == nil
		if err != nil && s.Err() == nil {
			// The result could not be encoded (or is too large): tell the
			// caller instead of leaving it waiting. The encoder's error may
			// hold the text of a user's marshaler error: it is an incident
			// like an unmapped error, logged in full and sent as
			// Config.ErrorText says.
			text := s.unmappedErrorText(inv.Procedure, fmt.Errorf("the callee could not send its result: %w", err))
			err = s.sendOn(inv.conn.ctx, inv.conn, &wamp.Error{RequestType: wamp.TypeInvocation, Request: inv.request, Details: wamp.Dict{},
				Error: wamp.ErrRuntime, Args: wamp.ArgsOf(text)})
			answered = err == nil
		}
	}
	if err != nil {
		s.log.Debug("answering an invocation failed", "procedure", inv.Procedure, "err", err)
	}
}

// unmappedErrorText logs a handler's unmapped error, or its panic, at Error
// level under a new incident ID, and returns the text the remote caller
// receives for it (Config.ErrorText).
func (s *Session) unmappedErrorText(procedure wamp.URI, err error) string {
	incident := newIncidentID()
	if p, ok := err.(*handlerPanic); ok {
		s.log.Error("handler panicked", "procedure", procedure, "incident", incident, "panic", p.value, "stack", string(p.stack))
	} else {
		s.log.Error("handler failed", "procedure", procedure, "incident", incident, "err", errorText(err))
	}
	return s.cfg.ErrorText(procedure, incident, err)
}

// callHandler runs h, turning a panic into a *handlerPanic error.
func (s *Session) callHandler(ctx context.Context, h Handler, inv *Invocation) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, &handlerPanic{value: p, stack: debug.Stack()}
		}
	}()
	return h(ctx, inv)
}

func (s *Session) interrupt(c *conn, m *wamp.Interrupt) {
	st, ok := c.invs.get(m.Request)
	if !ok {
		// The handler already answered.
		return
	}
	cause := ErrCanceled
	if r, _ := wamp.DictString(m.Options, wamp.OptReason); wamp.URI(r) == wamp.ErrTimeout {
		cause = ErrTimeout
	}
	st.cancel(cause)
}
