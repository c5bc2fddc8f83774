package runtime_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestOversizedEventsLoggedOnce: a burst of EVENTs too large to read is
// dropped, and one of INVOCATIONs answered, with one log line each, not
// one per message, and the session goes on.
// (The hostile router cases check each oversized message kind over both
// transports and every serializer.)
func TestOversizedEventsLoggedOnce(t *testing.T) {
	for _, transport := range []string{"websocket", "rawsocket"} {
		t.Run(transport, func(t *testing.T) {
			var log secBuffer
			srv := startRogue(t, transport, wamp.MsgPack, true)
			rs := dialRogue(t, srv, runtime.Config{Logger: slog.New(slog.NewTextHandler(&log, nil))})
			const n = 50
			for i := range n {
				rs.rc.send(&wamp.Event{Subscription: 31337, Publication: wamp.ID(i + 1), Details: wamp.Dict{}, Args: rogueOversizedArgs()})
				rs.rc.send(&wamp.Invocation{Request: wamp.ID(i + 1), Registration: rogueRegistration, Details: wamp.Dict{}, Args: rogueOversizedArgs()})
			}
			for i := range n {
				if e := rogueExpect[*wamp.Error](t, rs.rc); e.Request != wamp.ID(i+1) || e.Error != wamp.ErrPayloadSizeExceeded {
					t.Fatalf("answered %+v, want ERROR %d payload_size_exceeded", e, i+1)
				}
			}
			rs.expectAlive() // after every EVENT: the connection reads in order
			rs.expectNewCall()
			for _, what := range []string{"dropped EVENTs too large", "answered INVOCATIONs too large"} {
				if got := strings.Count(log.String(), what); got != 1 {
					t.Fatalf("%d log lines %q for %d messages, want 1:\n%s", got, what, n, log.String())
				}
			}
			if got := strings.Count(log.String(), "count=1 "); got != 2 {
				t.Errorf("the first of each is not logged at once:\n%s", log.String())
			}
		})
	}
}
