package runtime

import (
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

// TestCheckIncomingAllocatesNothing: the protocol check runs for every
// message the router sends, before dispatch; on the answers of the hot
// path it must not allocate.
func TestCheckIncomingAllocatesNothing(t *testing.T) {
	s := newSession("ws://127.0.0.1:1/", Config{Realm: "realm1"}.withDefaults())
	defer s.cancel()
	for range 3 {
		s.reqIDs.Next()
	}
	s.calls.m[2] = &pendingCall{}
	for _, m := range []wamp.Message{
		&wamp.Result{Request: 2, Details: wamp.Dict{}},                              // the pending call
		&wamp.Result{Request: 1, Details: wamp.Dict{}},                              // a late answer
		&wamp.Error{RequestType: wamp.TypeCall, Request: 2, Error: wamp.ErrRuntime}, // its error
		&wamp.Event{Subscription: 1, Publication: 1},
		&wamp.Invocation{Request: 1, Registration: 1},
	} {
		if err := s.checkIncoming(m); err != nil {
			t.Fatalf("%s: %v", m.Type(), err)
		}
		if n := testing.AllocsPerRun(100, func() { s.checkIncoming(m) }); n != 0 {
			t.Errorf("checkIncoming(%s) allocates %v times", m.Type(), n)
		}
	}
}
