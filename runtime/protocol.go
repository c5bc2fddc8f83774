package runtime

import (
	"errors"
	"fmt"

	"github.com/wampgen/wampgen/wamp"
)

// The protocol check of an established session. The serializers already
// refuse what is not a well-formed message (wamp.Serializer.Decode: not a
// list, truncated, an unknown message type, a field of the wrong type, an
// ID outside 1..2^53), and the transports refuse frames that are too large
// or use reserved bits; those end the session with ABORT
// wamp.error.protocol_violation in the read loop. checkIncoming adds the
// rules that need the session's state.
//
// References are to the WAMP specification (rfc/text in wamp-proto):
// "Protocol Errors" is basic/building_blocks.md#protocol_errors, which
// says a peer MUST answer each of its cases with ABORT
// wamp.error.protocol_violation and end the session.
//
// Not everything unexpected is a violation: messages that can cross a
// request the client has given up on are late, not wrong, and are ignored
// where they are dispatched:
//
//   - RESULT or ERROR for a call cancelled in skip or killnowait mode, or
//     whose caller's context ended ("Call Canceling", the caller does not
//     wait for the callee's answer);
//   - an answer to a REGISTER, SUBSCRIBE, … that timed out;
//   - EVENT for a subscription just unsubscribed (the broker may have
//     queued it before UNSUBSCRIBE arrived);
//   - INTERRUPT for an invocation already answered ("Call Canceling": the
//     YIELD and the INTERRUPT cross);
//   - INVOCATION for a registration just unregistered, which is answered
//     with ERROR wamp.error.no_such_registration;
//   - INVOCATION that continues a call with streamed input which has
//     ended (answered, refused, overflowed) before its last chunk came
//     ("Continuations on Completed Calls" in
//     advanced/rpc_progressive_call_invocations.md), which is ignored.
//
// Those have request or subscription IDs the session issued (or the router
// assigned) before, and cannot be told apart from a late answer. An answer
// to a request ID this session never issued cannot be late, and is a
// violation.
//
// One message the spec makes a violation is dropped instead: an
// INVOCATION repeating the ID of an invocation still running, which a
// plain nexus dealer sends when a caller repeats a CALL request ID (see
// checkInvocation). Ending the session for it would let any one caller end
// a callee's session and fail every other caller's calls on it.

// checkIncoming enforces the protocol on a message from the router before
// it is dispatched; an error ends the session with ABORT
// wamp.error.protocol_violation, except errRepeatedInvocation, for which
// the INVOCATION is dropped.
func (s *Session) checkIncoming(m wamp.Message) error {
	switch m := m.(type) {
	case *wamp.Result:
		return s.checkAnswer(m, m.Request, wamp.TypeCall)
	case *wamp.Error:
		// "Protocol Errors": receiving ERROR with an invalid REQUEST.Type.
		// A client receives ERROR only for the requests it sends; an
		// ERROR for INVOCATION goes from a callee to the router, never
		// back.
		switch m.RequestType {
		case wamp.TypeCall, wamp.TypeRegister, wamp.TypeUnregister, wamp.TypeSubscribe, wamp.TypeUnsubscribe, wamp.TypePublish:
		default:
			return fmt.Errorf("ERROR answers %s, which a client never sends", m.RequestType)
		}
		return s.checkAnswer(m, m.Request, m.RequestType)
	case *wamp.Registered:
		if err := s.checkAnswer(m, m.Request, wamp.TypeRegister); err != nil {
			return err
		}
		return s.checkRegistrationID(m)
	case *wamp.Subscribed:
		return s.checkAnswer(m, m.Request, wamp.TypeSubscribe)
	case *wamp.Published:
		return s.checkAnswer(m, m.Request, wamp.TypePublish)
	case *wamp.Unregistered:
		if m.Request == 0 {
			return checkRevocation(m, m.Details, "registration")
		}
		return s.checkAnswer(m, m.Request, wamp.TypeUnregister)
	case *wamp.Unsubscribed:
		if m.Request == 0 {
			return checkRevocation(m, m.Details, "subscription")
		}
		return s.checkAnswer(m, m.Request, wamp.TypeUnsubscribe)
	case *wamp.Invocation:
		return s.checkInvocation(m)
	case *wamp.Interrupt, *wamp.Event, *wamp.Goodbye, *wamp.Abort:
		return nil
	}
	// What is left is what only a client sends (HELLO, AUTHENTICATE,
	// CALL, CANCEL, YIELD, REGISTER, UNREGISTER, PUBLISH, SUBSCRIBE,
	// UNSUBSCRIBE), or what a router sends only before the session is
	// established (WELCOME, CHALLENGE). "Protocol Errors" lists receiving
	// WELCOME, HELLO or CHALLENGE after the session was established, and
	// basic/sessions.md the second WELCOME ("Client peer received second
	// WELCOME message"); the client-to-router messages are "protocol
	// incompatible" for a peer that implements no router role.
	return fmt.Errorf("a router must not send %s to a client in an established session", m.Type())
}

// checkAnswer checks the request ID of an answer of type m (RESULT,
// ERROR, REGISTERED, …) to a request of type want.
//
// "Protocol Errors": request IDs are session-scope IDs that count up from 1
// (basic/building_blocks.md, "IDs": session scope, incremented by 1 for
// each direction), and every answer mirrors the ID of its request
// (RESULT.Request mirrors CALL.Request, ERROR.Request the request's). So an
// ID above the last one issued answers a request never made. And an answer
// to a request still waiting for one must be of that request's kind: a
// RESULT for a pending REGISTER, or an ERROR whose REQUEST.Type is not the
// type of the pending request ("Receiving ERROR message with invalid
// REQUEST.Type"), is a violation; the session cannot tell which request
// the router meant. An answer to an issued ID nothing waits for any more is
// late and ignored (see above).
func (s *Session) checkAnswer(m wamp.Message, req wamp.ID, want wamp.MessageType) error {
	if !s.reqIDs.Issued(req) {
		return fmt.Errorf("%s answers request %d, which this session never made", m.Type(), req)
	}
	k := s.pendingRequest(req)
	if k == noRequest || k.accepts(want) {
		return nil
	}
	if m.Type() == wamp.TypeError {
		return fmt.Errorf("ERROR for %s answers request %d, which is %s", want, req, k)
	}
	return fmt.Errorf("%s answers request %d, which is %s", m.Type(), req, k)
}

// requestKind is the kind of a request waiting for its answer.
type requestKind uint8

const (
	noRequest requestKind = iota
	callRequest
	registerRequest
	subscribeRequest
	// otherRequest is an UNREGISTER, UNSUBSCRIBE or acknowledged PUBLISH:
	// the session tracks them by their reply channel only, and cannot
	// tell them apart.
	otherRequest
)

// accepts reports whether an answer to a request of type t fits.
func (k requestKind) accepts(t wamp.MessageType) bool {
	switch k {
	case callRequest:
		return t == wamp.TypeCall
	case registerRequest:
		return t == wamp.TypeRegister
	case subscribeRequest:
		return t == wamp.TypeSubscribe
	case otherRequest:
		return t == wamp.TypeUnregister || t == wamp.TypeUnsubscribe || t == wamp.TypePublish
	}
	return true
}

func (k requestKind) String() string {
	switch k {
	case callRequest:
		return "a CALL"
	case registerRequest:
		return "a REGISTER"
	case subscribeRequest:
		return "a SUBSCRIBE"
	case otherRequest:
		return "an UNREGISTER, UNSUBSCRIBE or PUBLISH"
	}
	return "not pending"
}

// pendingRequest returns the kind of request req, if it is waiting for an
// answer. It allocates nothing: it runs for every answer the router sends.
//
// The tables are looked at one after the other, each under its own lock.
// A REGISTER or SUBSCRIBE is in s.requests too, so it is looked for in
// regs and subs first: it is recorded there before it is sent (see
// lifecycle.makeOn), and its answer takes it out of both on the read loop
// that calls pendingRequest (activate, then deliverReply), so they do not
// change between the looks. Only for a connection that is no longer the
// session's can they: failPending may forget its requests between two
// looks, and its read loop then ends quietly (see readLoop).
func (s *Session) pendingRequest(req wamp.ID) requestKind {
	s.calls.mu.Lock()
	_, ok := s.calls.m[req]
	s.calls.mu.Unlock()
	if ok {
		return callRequest
	}
	if s.regs.isPending(req) {
		return registerRequest
	}
	if s.subs.isPending(req) {
		return subscribeRequest
	}
	s.requests.mu.Lock()
	_, ok = s.requests.m[req]
	s.requests.mu.Unlock()
	if ok {
		return otherRequest
	}
	return noRequest
}

// checkRegistrationID refuses a REGISTERED that hands out the ID of
// another registration this session holds. A registration ID identifies
// one registration for the dealer (basic/remote_procedure_call.md,
// REGISTERED: "an ID chosen by the Dealer for the registration"), and a
// dealer refuses a second registration of a procedure by the same session
// (wamp.error.procedure_already_exists); taking the ID would silently
// route the other procedure's invocations to this handler.
func (s *Session) checkRegistrationID(m *wamp.Registered) error {
	s.regs.mu.Lock()
	defer s.regs.mu.Unlock()
	pending, ok := s.regs.pending[m.Request]
	if !ok {
		return nil // late: nothing is activated
	}
	if reg, taken := s.regs.active[m.Registration]; taken && reg != pending {
		return fmt.Errorf("REGISTERED for request %d gives registration %d, which is already %s's", m.Request, m.Registration, reg.procedure)
	}
	return nil
}

// checkRevocation checks an UNREGISTERED or UNSUBSCRIBED with request 0,
// with which a router revokes a registration or subscription
// (advanced/rpc_registration_revocation.md,
// advanced/pubsub_subscription_revocation.md): Details.registration (or
// .subscription) "MUST be a previously issued registration ID". One that
// names none cannot be acted upon. An ID the session does not hold (any
// more) is ignored where it is dispatched, as the revocation may cross an
// UNREGISTER.
func checkRevocation(m wamp.Message, details wamp.Dict, key string) error {
	if id, ok := wamp.DictID(details, key); !ok || !id.Valid() {
		return fmt.Errorf("%s with request 0 (a revocation) has no valid Details.%s", m.Type(), key)
	}
	return nil
}

// errRepeatedInvocation is checkInvocation's answer to an INVOCATION that
// repeats the request ID of an invocation still running and is not the
// next chunk of its streamed input. The read loop drops such an INVOCATION
// (see dropRepeatedInvocation) instead of ending the session.
var errRepeatedInvocation = errors.New("INVOCATION repeats the request ID of an invocation still running")

// checkInvocation finds an INVOCATION whose request ID is that of an
// invocation still running on the connection, and which is not a
// continuation of it: it returns errRepeatedInvocation, which is not a
// protocol violation (see below).
//
// INVOCATION.Request is a session-scope ID of the router-to-client
// direction, incremented by 1 for each request (basic/building_blocks.md,
// "IDs"), so by the letter of the spec a repeat is "non-sequential" and a
// protocol error ("Protocol Errors"). The exception is progressive call
// invocations: from a router that announced them, the next chunk of an
// invocation with streamed input whose last chunk has not arrived repeats
// its ID (and an invocation whose input ended early is not running any
// more; see lateInputs).
//
// Any other repeat is nonetheless dropped, not answered with ABORT:
// the callee cannot tell a broken router from a dealer driven by a hostile
// caller. nexus's dealer (v3.3.0, dealer.call) takes any CALL whose caller
// and request ID match a call still running as a continuation and sends the
// callee an INVOCATION with the running invocation's ID, even when the call
// never had streamed input or its last chunk was sent. One caller repeating
// a CALL request ID would then end the callee's session, failing every
// other caller's calls on it. Serving the repeat is no option either (two
// handlers whose YIELDs, ERRORs and INTERRUPTs the router could not tell
// apart), nor is answering it with ERROR, which the router would take as
// the answer to the running call. So the repeat is dropped, and the
// running invocation goes on untouched: its YIELD answers the call.
//
// The read loop of the current connection calls checkIncoming, so the
// running invocations are those of s.cur; a connection being dropped has
// none worth checking.
func (s *Session) checkInvocation(m *wamp.Invocation) error {
	c := s.cur.Load()
	if c == nil {
		return nil
	}
	st, running := c.invs.get(m.Request)
	if !running {
		return nil
	}
	if c.feats.has(dealerProgressiveCallInvocations) && st.inv != nil && st.inv.input != nil && !st.inv.input.complete() {
		return nil
	}
	return errRepeatedInvocation
}

// dropRepeatedInvocation logs an INVOCATION for request req that repeats
// the ID of an invocation still running (see checkInvocation), which is
// dropped. Other peers drive these, as many as they like: one line a burst.
func (s *Session) dropRepeatedInvocation(req wamp.ID, oversized bool) {
	if n, ok := s.repeatedInvocations.tick(); ok {
		s.log.Warn("dropped INVOCATIONs repeating the request ID of an invocation still running (a router relaying a repeated CALL request ID, or a broken router)",
			"count", n, "request", req, "oversized", oversized)
	}
}
