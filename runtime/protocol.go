package runtime

import (
	"fmt"

	"github.com/wampgen/wampgen/wamp"
)

// checkIncoming enforces the protocol on a message from the router before
// it is dispatched; an error ends the session with ABORT
// wamp.error.protocol_violation.
//
// Answers (RESULT, ERROR, REGISTERED, …) must name a request this session
// made. Request IDs count up from 1, so an ID above the last one issued was
// never made: that is a violation. An unknown ID at or below it is a late
// answer to a request given up on (a call cancelled in skip mode, a timed
// out REGISTER) and is ignored where it is dispatched.
func (s *Session) checkIncoming(m wamp.Message) error {
	var req wamp.ID
	switch m := m.(type) {
	case *wamp.Result:
		req = m.Request
	case *wamp.Error:
		switch m.RequestType {
		case wamp.TypeCall, wamp.TypeRegister, wamp.TypeUnregister, wamp.TypeSubscribe, wamp.TypeUnsubscribe, wamp.TypePublish:
		default:
			return fmt.Errorf("ERROR answers %s, which a client never sends", m.RequestType)
		}
		req = m.Request
	case *wamp.Registered:
		req = m.Request
	case *wamp.Subscribed:
		req = m.Request
	case *wamp.Published:
		req = m.Request
	case *wamp.Unregistered:
		req = m.Request // 0 is a router-initiated revocation
	case *wamp.Unsubscribed:
		req = m.Request
	default:
		return nil
	}
	if req != 0 && !s.reqIDs.Issued(req) {
		return fmt.Errorf("%s answers request %d, which this session never made", m.Type(), req)
	}
	return nil
}
