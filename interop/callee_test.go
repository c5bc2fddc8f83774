package interop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// jsCallee is a JavaScript client serving the contract (js/callee.mjs).
type jsCallee struct {
	p *process

	mu          sync.Mutex
	invocations []invocation
}

// invocation is what the dealer told the JavaScript callee about one call.
type invocation struct {
	Procedure string `json:"invocation"`
	Details   struct {
		ReceiveProgress bool `json:"receive_progress"`
		Caller          any  `json:"caller"`
	} `json:"details"`
}

var readyLine = regexp.MustCompile(`^\{"ready":true,`)

func startJSCallee(t *testing.T, e *env, client, serializer, wsURL string) *jsCallee {
	t.Helper()
	return startCallee(t, e, "js/callee.mjs", client, serializer, wsURL)
}

// startCallee runs a callee program (js/callee.mjs, or the bundle of
// ts/callee.ts) with client over serializer until the test ends.
func startCallee(t *testing.T, e *env, program, client, serializer, wsURL string) *jsCallee {
	t.Helper()
	args := slices.Concat(e.node[1:], []string{program, "--client", client, "--serializer", serializer, "--url", wsURL})
	c := &jsCallee{p: startProcess(t, e.node[0], args...)}
	t.Cleanup(func() { c.p.stop(t, program, 10*time.Second) })
	c.p.waitLine(t, program, readyLine, 30*time.Second)
	go func() {
		for s := range c.p.stdout.ch {
			var inv invocation
			if json.Unmarshal([]byte(s), &inv) == nil && inv.Procedure != "" {
				c.mu.Lock()
				c.invocations = append(c.invocations, inv)
				c.mu.Unlock()
			}
		}
	}()
	return c
}

// last returns the last invocation of procedure the callee reported.
func (c *jsCallee) last(procedure wamp.URI) (invocation, bool) {
	deadline := time.Now().Add(2 * time.Second) // the report may trail the call
	for {
		c.mu.Lock()
		for i := len(c.invocations) - 1; i >= 0; i-- {
			if c.invocations[i].Procedure == string(procedure) {
				inv := c.invocations[i]
				c.mu.Unlock()
				return inv, true
			}
		}
		c.mu.Unlock()
		if time.Now().After(deadline) {
			return invocation{}, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// calleeEnv is what an expectation's instead check works with: the
// generated Go client, connected to the JavaScript callee through the router.
type calleeEnv struct {
	ctx    context.Context
	client *calc.CalculatorClient
	callee *jsCallee
}

// exactUpTo53Bits checks that integers up to 2^53 travel exactly.
func exactUpTo53Bits(c *calleeEnv) error {
	v, err := c.client.Fibonacci(c.ctx, 78, nil)
	if err != nil {
		return err
	}
	if v != 8944394323791464 {
		return fmt.Errorf("fibonacci(78) = %d, want 8944394323791464", v)
	}
	return nil
}

// finalResultWithoutProgress checks what happens when a caller asks a
// callee that gets no receive_progress for progressive results.
func finalResultWithoutProgress(c *calleeEnv) error {
	var progress []int64
	v, err := c.client.Fibonacci(c.ctx, 10, func(f int64) error {
		progress = append(progress, f)
		return nil
	})
	if err != nil {
		return err
	}
	if v != 55 || len(progress) != 0 {
		return fmt.Errorf("fibonacci(10) = %d with progress %v, want 55 and no progressive results", v, progress)
	}
	inv, ok := c.callee.last(calc.CalculatorFibonacciProcedure)
	if !ok {
		return errors.New("the callee reported no invocation of fibonacci")
	}
	if inv.Details.ReceiveProgress {
		return errors.New("the callee was offered receive_progress after all: the expectation is out of date")
	}
	return nil
}

// notInterrupted checks what a cancelled and a timed-out call do to a
// callee that the router cannot interrupt: the caller gets its error at
// once, the handler runs to its end, and the session keeps serving.
func notInterrupted(c *calleeEnv) error {
	const ms = 3000
	stopped := func(what string, err error, want error, start time.Time) error {
		if !errors.Is(err, want) {
			return fmt.Errorf("%s: got %v, want %v", what, err, want)
		}
		// The error comes at once; the margin is for a loaded machine.
		if took := time.Since(start); took > (ms-1000)*time.Millisecond {
			return fmt.Errorf("%s: the caller waited %v for its error", what, took)
		}
		n, err := c.client.Active(c.ctx)
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("%s: active() = %d right after the error, want 1 (the handler still sleeping)", what, n)
		}
		for {
			n, err := c.client.Active(c.ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
			if time.Since(start) > ms*time.Millisecond+5*time.Second {
				return fmt.Errorf("%s: active() = %d long after the sleep should have ended", what, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if took := time.Since(start); took < ms*time.Millisecond*9/10 {
			return fmt.Errorf("%s: the handler stopped after %v, before its %dms sleep was over: the expectation is out of date", what, took, ms)
		}
		return nil
	}

	cctx, cancel := context.WithCancel(c.ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.client.Sleep(cctx, ms)
	if err := stopped("cancelled sleep", err, runtime.ErrCanceled, start); err != nil {
		return err
	}

	tctx, cancel := context.WithTimeout(c.ctx, 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = c.client.Sleep(tctx, ms)
	if err := stopped("timed-out sleep", err, runtime.ErrTimeout, start); err != nil {
		return err
	}

	if v, err := c.client.Add(c.ctx, 1, 1); err != nil || v != 2 {
		return fmt.Errorf("add(1, 1) after the stopped sleeps = %v, %v", v, err)
	}
	return nil
}

// checkerLine is a line of `calculator call`'s output.
var checkerLine = regexp.MustCompile(`^(ok  |FAIL) (.*)$`)

// parseChecker maps each check of `calculator call`'s output to its
// outcome: "" for ok, or why it failed.
func parseChecker(t *testing.T, out string) map[string]*string {
	t.Helper()
	got := map[string]*string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		m := checkerLine.FindStringSubmatch(line)
		if m == nil {
			continue // the summary line
		}
		i := slices.IndexFunc(calleeChecks, func(c check) bool {
			if m[1] == "ok  " {
				return strings.HasPrefix(m[2], c.name+"  [")
			}
			return strings.HasPrefix(m[2], c.name+": ")
		})
		if i < 0 {
			t.Errorf("calculator call ran a check this test does not know (add it to calleeChecks): %s", line)
			continue
		}
		name := calleeChecks[i].name
		if _, dup := got[name]; dup {
			t.Errorf("calculator call reported %q twice", name)
		}
		outcome := ""
		if m[1] == "FAIL" {
			outcome = strings.TrimPrefix(m[2], name+": ")
		}
		got[name] = &outcome
	}
	return got
}

// TestJSCallee has each JavaScript client implement the contract (over each
// serializer) and checks it with the generated Go client: first what the
// client does where it lacks a feature, then `calculator call`, whose
// checks must all pass but for the lacks, which must fail as expected.
func TestJSCallee(t *testing.T) {
	t.Parallel()
	e := need(t)
	for _, cl := range clients {
		for _, ser := range serializers {
			t.Run(cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				wsURL, _ := serveCalculator(t, e, "--callee=false")
				jc := startJSCallee(t, e, cl.id, ser, wsURL)
				checkCallee(t, e, cl.id, ser, wsURL, jc, "js/callee.mjs")
			})
		}
	}
}

// checkCallee checks the callee jc, a JavaScript program serving the
// contract as clientID over ser, with the generated Go client: first what
// the client does where it lacks a feature, then `calculator call`, whose
// checks must all pass but for the lacks, which must fail as expected.
func checkCallee(t *testing.T, e *env, clientID, ser, wsURL string, jc *jsCallee, program string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ws, err := wamp.SerializerByName(ser)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := runtime.Dial(ctx, wsURL, runtime.Config{Realm: "realm1", Serializer: ws})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	ce := &calleeEnv{ctx: ctx, client: calc.NewCalculatorClient(sess), callee: jc}
	for _, x := range expectations {
		if x.instead != nil && x.applies(clientID, callee, ser) {
			t.Run("lacks/"+x.name, func(t *testing.T) {
				if err := x.instead(ce); err != nil {
					t.Error(err)
				}
			})
		}
	}

	cmd := exec.Command(e.calculator, "call", "--url", wsURL, "--realm", "realm1", "--serializer", ser)
	out, err := cmd.CombinedOutput()
	got := parseChecker(t, string(out))
	failures := 0
	for _, c := range calleeChecks {
		outcome, ok := got[c.name]
		switch lack := expected(clientID, callee, ser, c.name); {
		case !ok:
			t.Errorf("calculator call did not report %q", c.name)
		case lack == nil && *outcome != "":
			t.Errorf("FAIL %s: %s", c.name, *outcome)
		case lack != nil && *outcome == "":
			t.Errorf("%q passes although %s: update expectations_test.go and the README (go test ./interop -update)", c.name, lack.name)
		case lack != nil && !lack.failure.MatchString(*outcome):
			t.Errorf("%q fails with %q, not as %s does (%s)", c.name, *outcome, lack.name, lack.failure)
		case lack != nil:
			failures++
		}
	}
	if (failures > 0) != (err != nil) {
		t.Errorf("calculator call: %d expected failures but exit %v", failures, err)
	}
	if t.Failed() {
		t.Logf("calculator call output:\n%s\n%s stderr:\n%s", out, program, jc.p.stderr)
	}
}
