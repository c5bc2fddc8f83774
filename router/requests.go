package router

import (
	"fmt"
	"sync"

	"github.com/gammazero/nexus/v3/wamp"
)

// maxRequestID is the largest request ID the WAMP spec allows: IDs are
// integers in 1..2^53, so that every peer can hold them in a float64.
const maxRequestID = 1 << 53

// ledger is what the router knows about one client's requests, learned from
// the messages that pass its peer in both directions: the calls it has in
// flight, and the registrations and subscriptions it holds. The peer's
// reader checks each client message against it before nexus sees the
// message (see admit); the peer's writer updates it from what nexus sends
// the client (see note).
//
// nexus v3.3.0 trusts clients on three points where one client can harm
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
//     working for nobody (see pending).
//
// Its methods are safe for concurrent use.
type ledger struct {
	// progressiveCalls says the client announced progressive_call_invocations
	// as a caller in its HELLO, and pptCaller and pptCallee that it
	// announced payload_passthru_mode as a caller and as a callee. Set
	// once, by the reader, before the session is established.
	progressiveCalls, pptCaller, pptCallee bool

	mu    sync.Mutex
	calls map[wamp.ID]bool // calls in flight; true while more input chunks may follow
	regs  map[wamp.ID]struct{}
	subs  map[wamp.ID]struct{}
}

// verdict is what admit decided about a client message.
type verdict struct {
	// violation, when not empty, says why the message breaks the protocol:
	// the session ends with ABORT wamp.error.protocol_violation.
	violation string
	// reply, when not nil, is sent to the client instead of passing the
	// message on to nexus.
	reply wamp.Message
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

// admit checks a message from the client and records the calls it starts
// and the registrations and subscriptions it gives up. A message that
// carries neither a verdict's violation nor its reply goes on to nexus.
func (l *ledger) admit(msg wamp.Message) verdict {
	switch m := msg.(type) {
	case *wamp.Call:
		if v := checkRequestID(m); v.violation != "" {
			return v
		}
		progress, _ := m.Options[wamp.OptProgress].(bool)
		// nexus ends the session of a caller that uses a feature it did
		// not announce, but from the dealer's goroutine, which waits for
		// the peer to close (up to flushTimeout) and routes nothing
		// meanwhile: end it here instead.
		if progress && !l.progressiveCalls {
			return verdict{violation: "CALL with progress, but the caller did not announce progressive_call_invocations"}
		}
		if usesPPT(m.Options) && !l.pptCaller {
			return verdict{violation: "CALL in payload passthru mode, but the caller did not announce payload_passthru_mode"}
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		open, inFlight := l.calls[m.Request]
		switch {
		case !inFlight:
			if l.calls == nil {
				l.calls = map[wamp.ID]bool{}
			}
			l.calls[m.Request] = progress
		case !open || !l.progressiveCalls:
			return verdict{violation: fmt.Sprintf("CALL repeats the request ID %d of a call in progress", m.Request)}
		default:
			l.calls[m.Request] = progress
		}
	case *wamp.Yield:
		// As for CALL above: nexus would end the session from the dealer.
		if usesPPT(m.Options) && !l.pptCallee {
			return verdict{violation: "YIELD in payload passthru mode, but the callee did not announce payload_passthru_mode"}
		}
	case *wamp.Error:
		// nexus would end the session too, but with an ABORT that shows
		// the message as a Go value: heap addresses of raw payloads.
		if m.Type != wamp.INVOCATION {
			return verdict{violation: fmt.Sprintf("ERROR for a %s: a client sends ERROR only in answer to an INVOCATION", m.Type)}
		}
	case *wamp.Register, *wamp.Subscribe, *wamp.Publish:
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

// release removes id from the set, and reports whether it was there.
func (l *ledger) release(set *map[wamp.ID]struct{}, id wamp.ID) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := (*set)[id]; !ok {
		return false
	}
	delete(*set, id)
	return true
}

// checkRequestID refuses a request ID outside 1..2^53.
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
func (l *ledger) note(msg wamp.Message) {
	switch m := msg.(type) {
	case *wamp.Result:
		if progress, _ := m.Details[wamp.OptProgress].(bool); !progress {
			l.endCall(m.Request)
		}
	case *wamp.Error:
		if m.Type == wamp.CALL {
			l.endCall(m.Request)
		}
	case *wamp.Registered:
		l.hold(&l.regs, m.Registration)
	case *wamp.Subscribed:
		l.hold(&l.subs, m.Subscription)
	}
}

func (l *ledger) endCall(request wamp.ID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.calls, request)
}

func (l *ledger) hold(set *map[wamp.ID]struct{}, id wamp.ID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if *set == nil {
		*set = map[wamp.ID]struct{}{}
	}
	(*set)[id] = struct{}{}
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
	for id := range l.calls {
		ids = append(ids, id)
	}
	clear(l.calls)
	return ids
}
