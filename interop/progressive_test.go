package interop

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// checkProgressiveCall is the check of js/progressive.mjs: Wampy.js streams
// the input of com.example.calc.sum with progressiveCall.
const checkProgressiveCall = "sum streamed 1 2 3 with progressiveCall = 6"

// progressiveCallChecks are the checks of a client that can stream a
// call's input (client.progressiveCall), for the README table.
var progressiveCallChecks = []check{{checkProgressiveCall, "streams"}}

// violationNoFeature is what the embedded router answers a CALL with
// progress from a caller that did not announce
// progressive_call_invocations (router/requests.go).
const violationNoFeature = "CALL with progress, but the caller did not announce progressive_call_invocations"

// TestWampyProgressiveCall has Wampy.js stream the input of the Go
// calculator's sum (progressiveCall: CALL [1] and [2] with progress, [3]
// without) through the embedded router, over each serializer, and holds
// what happens to expectations_test.go: if the call is answered, it must
// be 6; where the table says it fails, it must fail as said, and the
// calculator must keep serving other callers.
func TestWampyProgressiveCall(t *testing.T) {
	t.Parallel()
	e := need(t)
	for _, ser := range serializers {
		t.Run(ser, func(t *testing.T) {
			t.Parallel()
			p := startProcess(t, e.calculator, "serve", "--listen", "127.0.0.1:0", "--realm", "realm1")
			t.Cleanup(func() { p.stop(t, "calculator serve", 15*time.Second) })
			wsURL := p.waitLine(t, "calculator serve", servingLine, 30*time.Second)[1]

			results, exitErr := runNode(t, e, 2*time.Minute, "js/progressive.mjs", "--serializer", ser, "--url", wsURL)
			if exitErr != nil {
				t.Fatalf("js/progressive.mjs: %v: %v", exitErr, results)
			}
			var announced, sent, outcome, end map[string]any
			for _, r := range results {
				switch {
				case r["announced"] != nil:
					announced = r
				case r["sent"] != nil:
					sent = r
				case r["outcome"] != nil:
					outcome = r
				case r["closed"] != nil:
					end = r
				}
			}
			if announced == nil || sent == nil || end == nil {
				t.Fatalf("js/progressive.mjs did not report everything: %v", results)
			}
			if sent["sent"] != true {
				t.Fatalf("progressiveCall threw: %v", sent["error"])
			}

			why := describeProgressiveCall(t, p, announced["announced"] == true, outcome, end)
			switch lack := expected("wampy", caller, ser, checkProgressiveCall); {
			case why == "":
				if lack != nil {
					t.Errorf("%q passes although %s: update expectations_test.go and the README (go test ./interop -update)", checkProgressiveCall, lack.name)
				}
			case lack == nil:
				t.Errorf("FAIL %s: %s", checkProgressiveCall, why)
			case !lack.failure.MatchString(why):
				t.Errorf("%q fails with %q, not as %s does (%s)", checkProgressiveCall, why, lack.name, lack.failure)
			}

			// One client's violation harms no other: the Go service still
			// serves a caller that streams its input properly.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			sess, err := runtime.Dial(ctx, wsURL, runtime.Config{Realm: "realm1", Serializer: wamp.JSON})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			if v, err := calc.NewCalculatorClient(sess).Sum(ctx, slices.Values([]float64{1, 2, 3})); err != nil || v != 6 {
				t.Errorf("after Wampy's progressiveCall, a Go caller's sum(1, 2, 3) = %v, %v; want 6", v, err)
			}
		})
	}
}

// describeProgressiveCall returns "" when the call was answered with 6, or
// says how it failed, checking that every report of js/progressive.mjs
// agrees.
func describeProgressiveCall(t *testing.T, p *process, announced bool, outcome, end map[string]any) string {
	t.Helper()
	if outcome["outcome"] == "result" {
		if args, _ := outcome["args"].([]any); len(args) == 1 && args[0] == float64(6) {
			return ""
		}
		return fmt.Sprintf("the result is %v, not [6]", outcome["args"])
	}
	if outcome["outcome"] != "error" {
		return fmt.Sprintf("the call did not settle: %v", outcome)
	}
	if announced {
		return fmt.Sprintf("the call failed although Wampy announced the feature: %v", outcome)
	}
	if uri, _ := outcome["uri"].(string); uri != "" {
		return fmt.Sprintf("the call failed with %s: %v", uri, outcome["message"])
	}
	// The call failed with the connection: the router must have ended the
	// session for the violation, said so in its log, and sent nothing but
	// WELCOME and the ABORT. The ABORT arrives although Wampy sent its next
	// chunks right after the violation: the router reads and discards them
	// before it closes the connection, which would otherwise be reset, the
	// ABORT lost with it (see router/peer.go, linger).
	if end["closed"] != true {
		return fmt.Sprintf("the call failed (%v) but the session is open", outcome["message"])
	}
	msgs, _ := end["messages"].([]any)
	for i, m := range msgs {
		msg, _ := m.([]any)
		switch {
		case i == 0 && len(msg) > 0 && msg[0] == float64(2): // WELCOME
		case i == 1 && len(msg) == 3 && msg[0] == float64(3): // ABORT
			details, _ := msg[1].(map[string]any)
			if msg[2] != string(wamp.ErrProtocolViolation) || details["message"] != violationNoFeature {
				return fmt.Sprintf("the router sent ABORT %v %v", msg[2], details)
			}
		default:
			return fmt.Sprintf("the router sent message %d: %v", i+1, m)
		}
	}
	if len(msgs) < 2 {
		return fmt.Sprintf("the session closed (%v) but Wampy received no ABORT: %v", outcome["message"], msgs)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.stderr.String(), violationNoFeature) {
		if time.Now().After(deadline) {
			return fmt.Sprintf("the session closed (%v) but the router logged no violation:\n%s", outcome["message"], p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "the router ended the session: " + violationNoFeature
}
