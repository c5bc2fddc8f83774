package router

import (
	"fmt"
	"sync"

	"github.com/gammazero/nexus/v3/wamp"
	"github.com/wampgen/wampgen/internal/recent"
)

// maxRequestID is the largest ID the WAMP spec allows: IDs are integers in
// 1..2^53, so that every peer can hold them in a float64. The serializers
// hold every ID of a client's message to it (see setField and fastReader).
const maxRequestID = 1 << 53

// What one session may hold at the router at once. Each thing held costs
// nexus memory, and pattern-based registrations and subscriptions cost
// every other session time: nexus matches each CALL without an exact
// registration against every pattern registration of the realm, and each
// PUBLISH against every pattern subscription. Past a limit the request is
// refused with ERROR errLimitExceeded, and nothing is passed on to nexus.
const (
	maxCallsInFlight    = 10_000
	maxRegistrations    = 10_000 // of which pattern-based at most maxPatterns
	maxSubscriptions    = 10_000 // of which pattern-based at most maxPatterns
	maxPatterns         = 100
	maxHeldURIBytes     = 2 << 20 // of the URIs of the registrations, and of the subscriptions
	maxTestaments       = 16
	maxTestamentMessage = 64 << 10 // the CALL of wamp.session.add_testament
	// maxEndedStreams bounds the request IDs of progressive call
	// invocations that ended while their input was open and that nexus
	// has forgotten, remembered so that their late chunks are dropped
	// (see ledger.ended).
	maxEndedStreams = 1024
)

// errLimitExceeded is the error of a request over one of the limits above.
// WAMP defines no URI for it; the router's own namespace says whose limit
// it is.
const errLimitExceeded = wamp.URI("wampgen.error.limit_exceeded")

// callState is where one of the client's calls is.
type callState uint8

const (
	// callRunning: the call's input is complete; it waits for its answer.
	callRunning callState = iota
	// callStreaming: a progressive call invocation whose caller may send
	// more input chunks (CALLs with the same request ID).
	callStreaming
	// callStreamed: a progressive call invocation whose input is complete.
	callStreamed
	// callAnswered: a progressive call invocation that nexus refused
	// (wamp.error.feature_not_supported: the callee does not take
	// progressive invocations). nexus keeps an entry for it until the
	// caller's session ends, and would route the caller's later chunks
	// as new calls; the ledger drops them instead, and keeps the call
	// counted against maxCallsInFlight until then too.
	callAnswered
)

// ledger is what the router knows about one client's requests, learned from
// the messages that pass its peer in both directions: the calls it has in
// flight, and the registrations and subscriptions it holds. The peer's
// reader checks each client message against it before nexus sees the
// message (see admit); the peer's writer updates it from what nexus sends
// the client (see note).
//
// nexus v3.3.0 trusts clients on four points where one client can harm
// another or the router, and the ledger holds them from outside:
//
//   - a CALL that repeats the request ID of a call still in flight is taken
//     as the next chunk of a progressive call invocation, even from a
//     caller that never announced the feature: the callee receives a second
//     INVOCATION with the same ID (which a strict callee takes for a
//     protocol violation and leaves over);
//   - UNREGISTER and UNSUBSCRIBE of an ID the client does not hold are
//     answered UNREGISTERED and UNSUBSCRIBED (and announced in meta events
//     naming the wrong session), while the other client's registration or
//     subscription lives on;
//   - a caller that leaves, with GOODBYE or by dropping its connection, has
//     its pending calls forgotten without an INTERRUPT, so callees go on
//     working for nobody (see pending);
//   - nothing bounds what one session holds: calls in flight,
//     registrations, subscriptions, testaments (see the limits above).
//
// Its methods are safe for concurrent use.
type ledger struct {
	// progressiveCalls says the client announced progressive_call_invocations
	// as a caller in its HELLO, and pptCaller and pptCallee that it
	// announced payload_passthru_mode as a caller and as a callee. Set
	// once, by the reader, before the session is established.
	progressiveCalls, pptCaller, pptCallee bool

	mu    sync.Mutex
	calls map[wamp.ID]callState
	// Registrations and subscriptions held, by ID, and those asked for
	// and not yet answered, by request ID; true for pattern-based ones.
	regs, subs holdings
	// ended are the progressive call invocations that ended while their
	// input was still open, and that nexus no longer knows: refused by
	// the ledger at their first chunk, or answered with an ERROR (nexus
	// forgets a call at its ERROR). The caller's chunks still on their
	// way would reach nexus as new calls, a callee would get their
	// middle as a call of its own: they are dropped ("Continuations on
	// Completed Calls"), and an entry goes with the call's last chunk, or
	// when maxEndedStreams newer ones push it out. They do not count as
	// calls in flight: nexus holds nothing for them.
	ended endedStreams
	// testaments counts the testaments added since the last flush, per
	// scope: nexus keeps "destroyed" and "detached" ones apart, and a
	// flush empties one scope only.
	testaments map[string]int
}

// holdings are the registrations or the subscriptions of a session.
type holdings struct {
	held    map[wamp.ID]holding // by registration or subscription ID
	pending map[wamp.ID]holding // by request ID
	// all, patterns and bytes count the entries of both maps, of those the
	// pattern-based ones, and the bytes of their URIs.
	all, patterns, bytes int
	// keys counts the entries of both maps by match policy and URI.
	keys map[string]int
}

// holding is one registration or subscription.
type holding struct {
	pattern bool
	size    int    // of its URI
	key     string // its match policy and URI
}

// put adds an entry to m, one of h's maps, and counts it.
func (h *holdings) put(m *map[wamp.ID]holding, id wamp.ID, e holding) {
	if *m == nil {
		*m = map[wamp.ID]holding{}
	}
	if _, ok := (*m)[id]; ok {
		h.take(m, id)
	}
	(*m)[id] = e
	if h.keys == nil {
		h.keys = map[string]int{}
	}
	h.keys[e.key]++
	h.all++
	h.bytes += e.size
	if e.pattern {
		h.patterns++
	}
}

// take removes an entry from m, one of h's maps, and returns it, with
// whether it was there.
func (h *holdings) take(m *map[wamp.ID]holding, id wamp.ID) (holding, bool) {
	e, ok := (*m)[id]
	if !ok {
		return holding{}, false
	}
	delete(*m, id)
	if h.keys[e.key]--; h.keys[e.key] <= 0 {
		delete(h.keys, e.key)
	}
	h.all--
	h.bytes -= e.size
	if e.pattern {
		h.patterns--
	}
	return e, true
}

// verdict is what admit decided about a client message.
type verdict struct {
	// violation, when not empty, says why the message breaks the protocol:
	// the session ends with ABORT wamp.error.protocol_violation.
	violation string
	// reply, when not nil, is sent to the client instead of passing the
	// message on to nexus.
	reply wamp.Message
	// drop says the message is neither passed on nor answered.
	drop bool
	// recorded says the ledger recorded a new call, REGISTER or SUBSCRIBE
	// (see undo).
	recorded bool
}

// hello records what the client's HELLO announced.
func (l *ledger) hello(m *wamp.Hello) {
	roles, _ := wamp.AsDict(m.Details["roles"])
	feature := func(role, name string) bool {
		r, _ := wamp.AsDict(roles[role])
		features, _ := wamp.AsDict(r["features"])
		on, _ := features[name].(bool)
		return on
	}
	l.progressiveCalls = feature(wamp.RoleCaller, wamp.FeatureProgCallInvocations)
	l.pptCaller = feature(wamp.RoleCaller, wamp.FeaturePayloadPassthruMode)
	l.pptCallee = feature(wamp.RoleCallee, wamp.FeaturePayloadPassthruMode)
}

// usesPPT reports whether a message's options ask for payload passthru
// mode, as nexus reads them.
func usesPPT(opts wamp.Dict) bool {
	scheme, _ := opts[wamp.OptPPTScheme].(string)
	return scheme != ""
}

// admit checks a message from the client, of size bytes encoded, and
// records the calls it starts and the registrations, subscriptions and
// testaments it asks for or gives up. A message that carries neither a
// verdict's violation, reply nor drop goes on to nexus.
func (l *ledger) admit(msg wamp.Message, size int) verdict {
	switch m := msg.(type) {
	case *wamp.Call:
		return l.admitCall(m, size)
	case *wamp.Cancel:
		l.admitCancel(m)
	case *wamp.Yield:
		// As for CALL: nexus would end the session from the dealer.
		if usesPPT(m.Options) && !l.pptCallee {
			return verdict{violation: "YIELD in payload passthru mode, but the callee did not announce payload_passthru_mode"}
		}
	case *wamp.Error:
		// nexus would end the session too, but with an ABORT that shows
		// the message as a Go value: heap addresses of raw payloads.
		if m.Type != wamp.INVOCATION {
			return verdict{violation: fmt.Sprintf("ERROR for a %s: a client sends ERROR only in answer to an INVOCATION", m.Type)}
		}
	case *wamp.Register:
		if v := checkRequestID(m); v.violation != "" {
			return v
		}
		return l.ask(&l.regs, wamp.REGISTER, m.Request, m.Procedure, m.Options, maxRegistrations)
	case *wamp.Subscribe:
		if v := checkRequestID(m); v.violation != "" {
			return v
		}
		return l.ask(&l.subs, wamp.SUBSCRIBE, m.Request, m.Topic, m.Options, maxSubscriptions)
	case *wamp.Publish:
		return checkRequestID(msg)
	case *wamp.Unregister:
		if v := checkRequestID(m); v.violation != "" {
			return v
		}
		if !l.release(&l.regs, m.Registration) {
			return verdict{reply: &wamp.Error{Type: wamp.UNREGISTER, Request: m.Request, Details: wamp.Dict{}, Error: wamp.ErrNoSuchRegistration}}
		}
	case *wamp.Unsubscribe:
		if v := checkRequestID(m); v.violation != "" {
			return v
		}
		if !l.release(&l.subs, m.Subscription) {
			return verdict{reply: &wamp.Error{Type: wamp.UNSUBSCRIBE, Request: m.Request, Details: wamp.Dict{}, Error: wamp.ErrNoSuchSubscription}}
		}
	}
	return verdict{}
}

// admitCall checks a CALL: its request ID, the features it uses, and where
// the call it starts or continues is (see callState).
func (l *ledger) admitCall(m *wamp.Call, size int) verdict {
	if v := checkRequestID(m); v.violation != "" {
		return v
	}
	progress, _ := m.Options[wamp.OptProgress].(bool)
	// nexus ends the session of a caller that uses a feature it did not
	// announce, but from the dealer's goroutine, which then routes nothing
	// until the peer has closed: end it here instead.
	if progress && !l.progressiveCalls {
		return verdict{violation: "CALL with progress, but the caller did not announce progressive_call_invocations"}
	}
	if usesPPT(m.Options) && !l.pptCaller {
		return verdict{violation: "CALL in payload passthru mode, but the caller did not announce payload_passthru_mode"}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	state, inFlight := l.calls[m.Request]
	if !inFlight && l.ended.has(m.Request) {
		// A late chunk of a call that has ended (the spec's
		// continuation candidate without a call in progress): dropped.
		if !progress {
			l.ended.forget(m.Request)
		}
		return verdict{drop: true}
	}
	switch {
	case !inFlight:
		v := l.startCall(m, size, progress)
		if v.reply != nil && progress {
			// Its later chunks must not start a call of their own.
			l.ended.add(m.Request)
		}
		return v
	case state == callRunning || state == callStreamed:
		return verdict{violation: fmt.Sprintf("CALL repeats the request ID %d of a call in progress", m.Request)}
	case state == callAnswered:
		return verdict{drop: true}
	default: // the next chunk of a progressive call invocation
		if !progress {
			l.calls[m.Request] = callStreamed
		}
	}
	return verdict{}
}

// admitCancel makes a CANCEL with mode skip of a progressive call
// invocation whose input is still open a CANCEL with mode killnowait: with
// skip, nexus answers the caller and forgets the call without telling the
// callee, whose handler would then wait for the rest of its input as long
// as its session lasts (one such handler per call: a caller could pin any
// number of them). killnowait answers the caller at once too, and
// interrupts the callee. The message is the reader's own, changed in
// place.
func (l *ledger) admitCancel(m *wamp.Cancel) {
	if mode, _ := wamp.AsString(m.Options[wamp.OptMode]); mode != wamp.CancelModeSkip {
		return
	}
	l.mu.Lock()
	streaming := l.calls[m.Request] == callStreaming
	l.mu.Unlock()
	if streaming {
		m.Options[wamp.OptMode] = wamp.CancelModeKillNoWait
	}
}

// startCall records a new call, unless it is refused (see admitCall); l.mu
// is held.
func (l *ledger) startCall(m *wamp.Call, size int, progress bool) verdict {
	if progress && hasTimeout(m.Options) {
		// nexus applies the first CALL's options to every chunk, and
		// starts a timer for each, of which it stops only the last:
		// the others outlive the call, and fire after the router has
		// closed, a panic. A caller can cancel instead.
		return verdict{reply: &wamp.Error{
			Type: wamp.CALL, Request: m.Request, Details: wamp.Dict{}, Error: wamp.ErrInvalidArgument,
			Arguments: wamp.List{"the router does not time out progressive call invocations: cancel the call instead"},
		}}
	}
	if len(l.calls) >= maxCallsInFlight {
		return verdict{reply: limitError(wamp.CALL, m.Request, fmt.Sprintf("%d calls in flight", maxCallsInFlight))}
	}
	if v := l.testament(m, size); v.reply != nil {
		return v
	}
	if l.calls == nil {
		l.calls = map[wamp.ID]callState{}
	}
	l.calls[m.Request] = callRunning
	if progress {
		l.calls[m.Request] = callStreaming
	}
	return verdict{recorded: true}
}

// hasTimeout reports whether a CALL's options ask for a timeout, as nexus
// reads them.
func hasTimeout(opts wamp.Dict) bool {
	timeout, _ := wamp.AsInt64(opts[wamp.OptTimeout])
	return timeout > 0
}

// testament checks a CALL of the testament meta procedures: a testament's
// CALL may be at most maxTestamentMessage bytes, and a session may hold
// maxTestaments. Called with l.mu held.
func (l *ledger) testament(m *wamp.Call, size int) verdict {
	switch m.Procedure {
	case wamp.MetaProcSessionAddTestament, wamp.MetaProcSessionFlushTestaments:
	default:
		return verdict{}
	}
	// The scope as nexus reads it; "" is "destroyed".
	scope, _ := wamp.AsString(m.ArgumentsKw["scope"])
	if scope == "" {
		scope = "destroyed"
	}
	switch m.Procedure {
	case wamp.MetaProcSessionAddTestament:
		if size > maxTestamentMessage {
			return verdict{reply: limitError(wamp.CALL, m.Request, fmt.Sprintf("a testament of at most %d bytes", maxTestamentMessage))}
		}
		total := 0
		for _, n := range l.testaments {
			total += n
		}
		if total >= maxTestaments {
			return verdict{reply: limitError(wamp.CALL, m.Request, fmt.Sprintf("%d testaments", maxTestaments))}
		}
		if l.testaments == nil {
			l.testaments = map[string]int{}
		}
		l.testaments[scope]++
	case wamp.MetaProcSessionFlushTestaments:
		delete(l.testaments, scope)
	}
	return verdict{}
}

// ask records a REGISTER or SUBSCRIBE, unless the session holds or has
// asked for max of them, or maxPatterns pattern-based ones and this is one,
// or their URIs would take more than maxHeldURIBytes.
func (l *ledger) ask(h *holdings, typ wamp.MessageType, request wamp.ID, uri wamp.URI, opts wamp.Dict, max int) verdict {
	// As nexus reads it: wamp.AsString takes []byte too (MessagePack bin,
	// CBOR byte strings, JSON's binary convention).
	match, _ := wamp.AsString(opts[wamp.OptMatch])
	pattern := match == wamp.MatchPrefix || match == wamp.MatchWildcard
	if !pattern {
		match = wamp.MatchExact // as nexus reads any other value
	}
	key := match + " " + string(uri)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case h.asked(request):
		// One entry for several requests would count them once, and
		// only the first answer would find it.
		return verdict{violation: fmt.Sprintf("%s repeats the request ID %d of one awaiting its answer", typ, request)}
	case typ == wamp.REGISTER && h.keys[key] > 0:
		// nexus v3.3.0 adds the session to a shared registration once
		// per REGISTER, under the same ID, and removes one copy per
		// UNREGISTER or when the session leaves: the others stay, and
		// the calls routed to them are never answered.
		return verdict{reply: &wamp.Error{Type: typ, Request: request, Details: wamp.Dict{}, Error: wamp.ErrProcedureAlreadyExists,
			Arguments: wamp.List{"the session has registered " + string(uri) + " already"}}}
	case h.all >= max:
		return verdict{reply: limitError(typ, request, fmt.Sprintf("%d %ss", max, typ))}
	case pattern && h.patterns >= maxPatterns:
		return verdict{reply: limitError(typ, request, fmt.Sprintf("%d pattern-based %ss", maxPatterns, typ))}
	case h.bytes+len(uri) > maxHeldURIBytes:
		return verdict{reply: limitError(typ, request, fmt.Sprintf("%d bytes of %s URIs", maxHeldURIBytes, typ))}
	}
	h.put(&h.pending, request, holding{pattern: pattern, size: len(uri), key: key})
	return verdict{recorded: true}
}

// asked reports whether request is a REGISTER or SUBSCRIBE awaiting its
// answer.
func (h *holdings) asked(request wamp.ID) bool {
	_, ok := h.pending[request]
	return ok
}

// limitError is the ERROR for a request over one of the session's limits.
func limitError(typ wamp.MessageType, request wamp.ID, what string) *wamp.Error {
	return &wamp.Error{
		Type: typ, Request: request, Details: wamp.Dict{}, Error: errLimitExceeded,
		Arguments: wamp.List{"over the router's limit per session: " + what},
	}
}

// release removes a registration or subscription ID from what the client
// holds, and reports whether it was there.
func (l *ledger) release(h *holdings, id wamp.ID) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := h.take(&h.held, id)
	return ok
}

// undo forgets what admit recorded for msg (its verdict said recorded),
// when msg is refused after all, before it reaches nexus: the ERROR that
// refuses it may be dropped on the way to the client (a full queue), and
// then note would never see it.
func (l *ledger) undo(msg wamp.Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch m := msg.(type) {
	case *wamp.Call:
		if l.calls[m.Request] == callStreaming {
			l.ended.add(m.Request) // its later chunks must not start a call
		}
		delete(l.calls, m.Request)
	case *wamp.Register:
		l.regs.take(&l.regs.pending, m.Request)
	case *wamp.Subscribe:
		l.subs.take(&l.subs.pending, m.Request)
	}
}

// checkRequestID refuses a request ID outside 1..2^53: a second line, for
// the serializers refuse any ID out of range before the ledger sees it.
func checkRequestID(msg wamp.Message) verdict {
	var id wamp.ID
	switch m := msg.(type) {
	case *wamp.Call:
		id = m.Request
	case *wamp.Register:
		id = m.Request
	case *wamp.Unregister:
		id = m.Request
	case *wamp.Subscribe:
		id = m.Request
	case *wamp.Unsubscribe:
		id = m.Request
	case *wamp.Publish:
		id = m.Request
	default:
		return verdict{}
	}
	if id == 0 || id > maxRequestID {
		return verdict{violation: fmt.Sprintf("%s request ID %d is outside 1..2^53", msg.MessageType(), id)}
	}
	return verdict{}
}

// note updates the ledger from a message nexus sends the client: a call
// ends with its final RESULT or its ERROR, and REGISTERED and SUBSCRIBED
// give the client an ID it may later give up.
//
// It returns the request ID of a progressive call invocation that nexus
// answered while its input was open, which the peer must cancel on the
// caller's behalf, and the CANCEL's mode; 0 otherwise:
//
//   - answered with an ERROR (killnowait): nexus forgets such a call at its
//     ERROR, and a chunk of it that reached nexus before the ERROR reached
//     the ledger has started a new call, which a callee would serve
//     forever (its input never ends). Nothing happens when there is no
//     such call (nexus ignores a CANCEL for a call it does not hold);
//   - answered with its final RESULT (skip): nexus keeps the call while
//     its input is open, until the caller's session ends, and the caller
//     does not end it (this runtime's stops sending at the answer; the
//     ledger drops what comes): a long-lived caller of calls answered
//     early would pile them up, and be refused any call past
//     maxCallsInFlight. CANCEL with mode skip makes nexus forget it
//     without a word to the callee, which has answered.
func (l *ledger) note(msg wamp.Message) (cancel wamp.ID, mode string) {
	switch m := msg.(type) {
	case *wamp.Result:
		if progress, _ := m.Details[wamp.OptProgress].(bool); !progress {
			if l.endCall(m.Request, false, false) {
				return m.Request, wamp.CancelModeSkip
			}
		}
	case *wamp.Error:
		switch m.Type {
		case wamp.CALL:
			if l.endCall(m.Request, m.Error == wamp.ErrFeatureNotSupported, true) {
				return m.Request, wamp.CancelModeKillNoWait
			}
		case wamp.REGISTER:
			l.answer(&l.regs, m.Request, 0, false)
		case wamp.SUBSCRIBE:
			l.answer(&l.subs, m.Request, 0, false)
		}
	case *wamp.Registered:
		l.answer(&l.regs, m.Request, m.Registration, true)
	case *wamp.Subscribed:
		l.answer(&l.subs, m.Request, m.Subscription, true)
	}
	return 0, ""
}

// endCall forgets a call at its answer (an ERROR when failed). A
// progressive call invocation whose input is still open is remembered as
// ended (see ended), so that its late chunks are dropped, and endCall
// reports it: the peer ends it in nexus (see note). One that nexus refused
// for a callee without the feature (refused), its input open or not, is
// remembered as answered: nexus keeps an entry for it that nothing but the
// caller's leaving removes (see callAnswered).
func (l *ledger) endCall(request wamp.ID, refused, failed bool) (streamEnded bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state, ok := l.calls[request]; {
	case !ok:
	case state == callStreaming && !refused:
		delete(l.calls, request)
		l.ended.add(request)
		return true
	case state == callStreaming, state == callStreamed && refused:
		l.calls[request] = callAnswered
	default:
		delete(l.calls, request)
	}
	return false
}

// answer records the router's answer to a REGISTER or SUBSCRIBE: the ID
// the client now holds, if granted.
func (l *ledger) answer(h *holdings, request, id wamp.ID, granted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, asked := h.take(&h.pending, request); granted && asked {
		h.put(&h.held, id, e)
	}
}

// pending returns the request IDs of the client's calls in flight and
// forgets them. The peer's reader, when the client leaves, cancels each one
// with mode killnowait before nexus learns that the session is gone, so
// that the dealer interrupts the callees (nexus itself drops a leaving
// caller's calls without telling their callees).
func (l *ledger) pending() []wamp.ID {
	l.mu.Lock()
	defer l.mu.Unlock()
	ids := make([]wamp.ID, 0, len(l.calls))
	for id, state := range l.calls {
		if state != callAnswered {
			ids = append(ids, id)
		}
	}
	clear(l.calls)
	return ids
}

// endedStreams is a bounded set of request IDs (see ledger.ended): past
// maxEndedStreams entries, the oldest goes.
type endedStreams struct{ set recent.Set[wamp.ID] }

func (e *endedStreams) add(id wamp.ID)      { e.set.Add(id, maxEndedStreams) }
func (e *endedStreams) has(id wamp.ID) bool { return e.set.Has(id) }

// forget removes id; its slot in the ring is reused in turn.
func (e *endedStreams) forget(id wamp.ID) { e.set.Forget(id) }
