package interop

import (
	"fmt"
	"testing"
	"time"
)

// TestJSCaller has each JavaScript client, over each serializer, run every
// check of the contract (js/contract.mjs) against `calculator serve`: all
// must pass but for the client's lacks, which must fail as expected.
func TestJSCaller(t *testing.T) {
	t.Parallel()
	e := need(t)
	for _, cl := range clients {
		for _, ser := range serializers {
			t.Run(cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				wsURL, _ := serveCalculator(t, e)
				results, exitErr := runNode(t, e, 2*time.Minute, "js/caller.mjs",
					"--client", cl.id, "--serializer", ser, "--url", wsURL)
				checkCallerResults(t, "js/caller.mjs", cl.id, ser, results, exitErr)
			})
		}
	}
}

// checkCallerResults checks the results of a caller program (one JSON line
// per check, and {done}) against callerChecks and the expectations of
// clientID as a caller over ser: every check must pass but for the lacks,
// which must fail as expected.
func checkCallerResults(t *testing.T, program, clientID, ser string, results []map[string]any, exitErr error) {
	t.Helper()
	got := map[string]map[string]any{}
	done := false
	for _, r := range results {
		switch {
		case r["check"] != nil:
			name := fmt.Sprint(r["check"])
			if _, dup := got[name]; dup {
				t.Errorf("%s reported %q twice", program, name)
			}
			got[name] = r
		case r["done"] == true:
			done = true
		}
	}
	if !done {
		t.Errorf("%s did not finish: %v", program, results)
	}
	known := map[string]bool{}
	failures := 0
	for _, c := range callerChecks {
		known[c.name] = true
		r, ok := got[c.name]
		why := fmt.Sprint(r["error"])
		switch lack := expected(clientID, caller, ser, c.name); {
		case !ok:
			t.Errorf("%s did not report %q", program, c.name)
		case lack == nil && r["ok"] != true:
			t.Errorf("FAIL %s: %s", c.name, why)
		case lack != nil && r["ok"] == true:
			t.Errorf("%q passes although %s: update expectations_test.go and the README (go test ./interop -update)", c.name, lack.name)
		case lack != nil && !lack.failure.MatchString(why):
			t.Errorf("%q fails with %q, not as %s does (%s)", c.name, why, lack.name, lack.failure)
		case lack != nil:
			failures++
		}
	}
	for name := range got {
		if !known[name] {
			t.Errorf("%s ran a check this test does not know (add it to callerChecks): %q", program, name)
		}
	}
	if (failures > 0) != (exitErr != nil) {
		t.Errorf("%s: %d expected failures but exit %v", program, failures, exitErr)
	}
}
