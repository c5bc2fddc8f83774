package runtime_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestOversizedEventsLoggedOnce: a burst of EVENTs too large to read is
// dropped with one log line, not one per event, and the session goes on.
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
			}
			rs.expectAlive() // after every EVENT: the connection reads in order
			rs.expectNewCall()
			if got := strings.Count(log.String(), "dropped EVENTs too large"); got != 1 {
				t.Fatalf("%d log lines for %d dropped EVENTs, want 1:\n%s", got, n, log.String())
			}
			if !strings.Contains(log.String(), "count=1 ") {
				t.Errorf("the first drop is not logged at once:\n%s", log.String())
			}
		})
	}
}
