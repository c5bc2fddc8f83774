package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wampgen/wampgen/interop/timesvc"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// timeCallerChecks are the checks of js/time.mjs --role caller: a
// JavaScript client calls the Go time service (interop/timesvc).
var timeCallerChecks = []check{
	{"echo(a JS Date's toISOString(), .123Z) returns the same string; new Date() of it, the same milliseconds", "time"},
	{"echo(a JS Date's toISOString(), .500Z) returns the same instant written as Go writes it, .5Z", "time"},
	{"echo(2026-12-07T17:18:11.123456789Z) returns it to the nanosecond", "time"},
	{"echo(2026-12-07T18:18:11.123456789+01:00) keeps the offset", "time"},
	{"echo(0001-01-01T00:00:00Z), the zero time, returns it", "time"},
	{"shift(2026-12-07T17:18:11.123456789Z, 1000000001 ns) = 2026-12-07T17:18:12.12345679Z", "time"},
	{"shift(a JS Date's toISOString(), -1 day in ns) = the Date a day before", "time"},
	{`echo("yesterday") fails with wamp.error.invalid_argument`, "time"},
}

// timeCall is one call the generated Go client makes to a JavaScript
// implementation of the time service, and what must come back.
type timeCall struct {
	name string
	call func(ctx context.Context, c timesvc.Clock) (time.Time, error)
	want time.Time
	// sees is what the JavaScript callee must report it decoded: each
	// argument's JavaScript type and value.
	procedure wamp.URI
	sees      []string
}

func mustParse(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	nanoUTC    = mustParse("2026-12-07T17:18:11.123456789Z")
	nanoOffset = time.Date(2026, 12, 7, 18, 18, 11, 123456789, time.FixedZone("", 3600))
	dateMillis = time.Date(2026, 12, 7, 17, 18, 11, 123000000, time.UTC)
)

func echo(t time.Time) func(context.Context, timesvc.Clock) (time.Time, error) {
	return func(ctx context.Context, c timesvc.Clock) (time.Time, error) { return c.Echo(ctx, t) }
}

// timeCalls are the checks the Go caller runs against js/time.mjs --role
// callee; their names are timeCalleeChecks.
var timeCalls = []timeCall{
	{
		name: "echo(2026-12-07T17:18:11.123456789Z) returns it to the nanosecond",
		call: echo(nanoUTC), want: nanoUTC,
		procedure: timesvc.ClockEchoProcedure, sees: []string{`a string "2026-12-07T17:18:11.123456789Z"`},
	},
	{
		name: "echo(2026-12-07T18:18:11.123456789+01:00) keeps the offset",
		call: echo(nanoOffset), want: nanoOffset,
		procedure: timesvc.ClockEchoProcedure, sees: []string{`a string "2026-12-07T18:18:11.123456789+01:00"`},
	},
	{
		name: "echo(0001-01-01T00:00:00Z), the zero time, returns it",
		call: echo(time.Time{}), want: time.Time{},
		procedure: timesvc.ClockEchoProcedure, sees: []string{`a string "0001-01-01T00:00:00Z"`},
	},
	{
		name: "echo(2026-12-07T17:18:11.123Z), a JS Date's precision, returns it",
		call: echo(dateMillis), want: dateMillis,
		procedure: timesvc.ClockEchoProcedure, sees: []string{`a string "2026-12-07T17:18:11.123Z"`},
	},
	{
		name: "shift(2026-12-07T17:18:11.123456789Z, 1000000001 ns) = 2026-12-07T17:18:12.12345679Z",
		call: func(ctx context.Context, c timesvc.Clock) (time.Time, error) {
			return c.Shift(ctx, nanoUTC, time.Second+time.Nanosecond)
		},
		want:      mustParse("2026-12-07T17:18:12.12345679Z"),
		procedure: timesvc.ClockShiftProcedure, sees: []string{`a string "2026-12-07T17:18:11.123456789Z"`, `a number 1000000001`},
	},
}

// timeCalleeChecks are the checks of timeCalls, for the README table.
var timeCalleeChecks = func() []check {
	var list []check
	for _, c := range timeCalls {
		list = append(list, check{c.name, "time"})
	}
	return list
}()

// sameTime reports whether got is want exactly: the same instant, the same
// offset from UTC, and so the same text.
func sameTime(got, want time.Time) bool {
	_, go1 := got.Zone()
	_, wo := want.Zone()
	return got.Equal(want) && go1 == wo && got.Format(time.RFC3339Nano) == want.Format(time.RFC3339Nano)
}

// TestJSTime holds each JavaScript client, over each serializer, to the way
// a time.Time and a time.Duration travel, against a Go service and a Go
// caller on each of the three serializers: 9 serializer pairs per client
// and direction, every value compared exactly (the string the JavaScript
// side gets, the time.Time the Go side gets).
func TestJSTime(t *testing.T) {
	t.Parallel()
	e := need(t)
	for _, cl := range clients {
		for _, ser := range serializers {
			t.Run("caller/"+cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				r := routertest.New(t)
				for _, gs := range wamp.Serializers() {
					t.Run("go-callee-"+gs.String(), func(t *testing.T) {
						testTimeCaller(t, e, r.WebSocketURL(), "js/time.mjs", cl.id, ser, gs)
					})
				}
			})
			t.Run("callee/"+cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				r := routertest.New(t)
				testTimeCallee(t, e, r.WebSocketURL(), "js/time.mjs", cl.id, ser)
			})
		}
	}
}

// testTimeCaller registers the Go time service over gs and runs program
// (js/time.mjs, or the bundle of ts/time.ts) as a caller with client over
// ser.
func testTimeCaller(t *testing.T, e *env, wsURL, program, client, ser string, gs *wamp.Serializer) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sess, err := runtime.Dial(ctx, wsURL, runtime.Config{Realm: "realm1", Serializer: gs})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	regs, err := timesvc.RegisterClock(ctx, sess, timesvc.Service{})
	if err != nil {
		t.Fatal(err)
	}
	defer regs.Unregister(ctx)

	results, exitErr := runNode(t, e, time.Minute, program,
		"--role", "caller", "--client", client, "--serializer", ser, "--url", wsURL)
	got := map[string]map[string]any{}
	done := false
	for _, r := range results {
		switch {
		case r["check"] != nil:
			got[fmt.Sprint(r["check"])] = r
		case r["done"] == true:
			done = true
		}
	}
	if !done {
		t.Errorf("%s did not finish: %v", program, results)
	}
	failed := 0
	for _, c := range timeCallerChecks {
		r, ok := got[c.name]
		switch {
		case !ok:
			t.Errorf("%s did not report %q", program, c.name)
		case r["ok"] != true:
			failed++
			t.Errorf("FAIL %s: %v", c.name, r["error"])
		}
		delete(got, c.name)
	}
	for name := range got {
		t.Errorf("%s ran a check this test does not know (add it to timeCallerChecks): %q", program, name)
	}
	if (failed > 0) != (exitErr != nil) {
		t.Errorf("%s: %d failures but exit %v", program, failed, exitErr)
	}
}

// timeCallee is js/time.mjs as a callee, with what it reported decoding.
type timeCallee struct {
	p    *process
	mu   sync.Mutex
	seen map[wamp.URI][][]string // per procedure, each invocation's arguments
}

// last returns what the callee last reported decoding for procedure.
func (c *timeCallee) last(procedure wamp.URI) ([]string, bool) {
	deadline := time.Now().Add(2 * time.Second) // the report may trail the result
	for {
		c.mu.Lock()
		s := c.seen[procedure]
		c.mu.Unlock()
		if len(s) > 0 {
			return s[len(s)-1], true
		}
		if time.Now().After(deadline) {
			return nil, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testTimeCallee runs program (js/time.mjs, or the bundle of ts/time.ts)
// as a callee with client over ser and checks it with the generated Go
// client over each serializer.
func testTimeCallee(t *testing.T, e *env, wsURL, program, client, ser string) {
	args := slices.Concat(e.node[1:], []string{program, "--role", "callee", "--client", client, "--serializer", ser, "--url", wsURL})
	c := &timeCallee{p: startProcess(t, e.node[0], args...), seen: map[wamp.URI][][]string{}}
	t.Cleanup(func() { c.p.stop(t, program, 10*time.Second) })
	c.p.waitLine(t, program, readyLine, 30*time.Second)
	go func() {
		for s := range c.p.stdout.ch {
			var inv struct {
				Invocation wamp.URI `json:"invocation"`
				Sees       []string `json:"sees"`
			}
			if json.Unmarshal([]byte(s), &inv) == nil && inv.Invocation != "" {
				c.mu.Lock()
				c.seen[inv.Invocation] = append(c.seen[inv.Invocation], inv.Sees)
				c.mu.Unlock()
			}
		}
	}()

	for _, gs := range wamp.Serializers() {
		t.Run("go-caller-"+gs.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			sess, err := runtime.Dial(ctx, wsURL, runtime.Config{Realm: "realm1", Serializer: gs})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			clock := timesvc.NewClockClient(sess)
			for _, tc := range timeCalls {
				c.mu.Lock()
				delete(c.seen, tc.procedure)
				c.mu.Unlock()
				got, err := tc.call(ctx, clock)
				sees, reported := c.last(tc.procedure)
				switch {
				case !reported && err != nil:
					t.Errorf("FAIL %s: %v (the JavaScript callee was never invoked)", tc.name, err)
				case !reported:
					t.Errorf("FAIL %s: the JavaScript callee reported no invocation", tc.name)
				case !slices.Equal(sees, tc.sees):
					t.Errorf("FAIL %s: the JavaScript callee decoded [%s], want [%s] (the call returned %v, %v)",
						tc.name, strings.Join(sees, ", "), strings.Join(tc.sees, ", "), got.Format(time.RFC3339Nano), err)
				case err != nil:
					t.Errorf("FAIL %s: %v", tc.name, err)
				case !sameTime(got, tc.want):
					t.Errorf("FAIL %s: got %s, want %s", tc.name, got.Format(time.RFC3339Nano), tc.want.Format(time.RFC3339Nano))
				}
			}
		})
	}
}
