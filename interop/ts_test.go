package interop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wampgen/wampgen/interop/streamsvc"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// The generated TypeScript (examples/calculator/calc/calc_wamp.ts and its
// support module wampgen.ts, a copy of templates/wampgen.ts) in Node.js:
// ts/ holds the test programs, type-checked with tsc --strict (ts/tsconfig.json)
// and bundled with esbuild, both pinned in package-lock.json.

// tsBuildDir holds the bundled TypeScript programs; TestMain removes it. It
// is inside interop/, so that the bundles' imports of npm packages resolve
// to node_modules/.
var tsBuildDir string

// tsBuild type-checks the TypeScript programs and bundles each into
// tsBuildDir/NAME.mjs, once.
var tsBuild = sync.OnceValues(func() (string, error) {
	for _, pkg := range []string{"typescript", "esbuild"} {
		if _, err := os.Stat(filepath.Join("node_modules", pkg, "package.json")); err != nil {
			return "", fmt.Errorf("the npm package %s is not installed: run `npm ci` in interop/ (./test.sh does)", pkg)
		}
	}
	if out, err := exec.Command(filepath.Join("node_modules", ".bin", "tsc"), "-p", "ts").CombinedOutput(); err != nil {
		return "", fmt.Errorf("tsc -p ts (type-checking the TypeScript programs and the generated module): %v\n%s", err, out)
	}
	dir, err := os.MkdirTemp(".", ".tsbuild-")
	if err != nil {
		return "", err
	}
	tsBuildDir = dir
	args := []string{"ts/support_test.ts", "ts/caller.ts", "ts/callee.ts", "ts/time.ts", "ts/stream.ts",
		"--bundle", "--platform=node", "--format=esm", "--target=node20",
		// The npm packages stay imports, resolved from node_modules/ as
		// an application's would be; only the TypeScript is bundled.
		"--packages=external",
		// Error classes keep their names (WampError sets name from them).
		"--keep-names",
		"--outdir=" + dir, "--out-extension:.js=.mjs", "--log-level=warning"}
	if out, err := exec.Command(filepath.Join("node_modules", ".bin", "esbuild"), args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("esbuild: %v\n%s", err, out)
	}
	return dir, nil
})

// needTS returns the environment and the directory of the bundled
// TypeScript programs, or fails the test.
func needTS(t *testing.T) (*env, string) {
	t.Helper()
	e := need(t)
	dir, err := tsBuild()
	if err != nil {
		t.Fatal(err)
	}
	return e, dir
}

// tsClients are the generated TypeScript on each JavaScript client, through
// the support module's adapter for it (autobahnPeer, wampyPeer): rows of
// the README's interop table like the clients'. lib is the --client flag
// of ts/caller.ts and ts/callee.ts.
var tsClients = []struct {
	client
	lib string
}{
	{client{id: "ts-autobahn", name: "generated TypeScript on Autobahn|JS", npm: "autobahn"}, "autobahn"},
	{client{id: "ts-wampy", name: "generated TypeScript on Wampy.js", npm: "wampy"}, "wampy"},
}

var (
	tsBoth     = []string{"ts-autobahn", "ts-wampy"}
	tsAutobahn = []string{"ts-autobahn"}
	tsWampy    = []string{"ts-wampy"}
)

// isTS reports whether id is one of tsClients: they run the contract's and
// the time service's checks (streamed input is not in the generated
// TypeScript).
func isTS(id string) bool {
	for _, c := range tsClients {
		if c.id == id {
			return true
		}
	}
	return false
}

// TestTSSupport runs the unit tests of the support module
// (ts/support_test.ts): the schemas at their edges, the errors, and the
// calls, registrations and events through a fake peer.
func TestTSSupport(t *testing.T) {
	t.Parallel()
	e, dir := needTS(t)
	results, exitErr := runNode(t, e, 2*time.Minute, filepath.Join(dir, "support_test.mjs"))
	checks, done := 0, false
	for _, r := range results {
		switch {
		case r["check"] != nil:
			checks++
			if r["ok"] != true {
				t.Errorf("FAIL %s: %v", r["check"], r["error"])
			}
		case r["done"] == true:
			done = true
		}
	}
	if !done || checks == 0 {
		t.Errorf("ts/support_test.ts did not finish (%d checks): %v", checks, results)
	}
	if exitErr != nil && !t.Failed() {
		t.Errorf("ts/support_test.ts: exit %v, but every check passed", exitErr)
	}
}

// TestTSCaller runs the contract's checks through the generated TypeScript
// client (ts/caller.ts) on each JavaScript client's adapter, over each
// serializer, against `calculator serve`: all must pass but for the lacks,
// which must fail as expected.
func TestTSCaller(t *testing.T) {
	t.Parallel()
	e, dir := needTS(t)
	program := filepath.Join(dir, "caller.mjs")
	for _, cl := range tsClients {
		for _, ser := range serializers {
			t.Run(cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				wsURL, _ := serveCalculator(t, e)
				results, exitErr := runNode(t, e, 2*time.Minute, program,
					"--client", cl.lib, "--serializer", ser, "--url", wsURL, "--realm", "realm1")
				checkCallerResults(t, "ts/caller.ts", cl.id, ser, results, exitErr)
			})
		}
	}
}

// TestTSCallee serves the calculator implemented in TypeScript
// (ts/callee.ts, through the generated registerCalculator and
// CalculatorEventsPublisher) on each JavaScript client's adapter, over each
// serializer, and checks it with the generated Go client (`calculator
// call`), as TestJSCallee does the JavaScript callees.
func TestTSCallee(t *testing.T) {
	t.Parallel()
	e, dir := needTS(t)
	program := filepath.Join(dir, "callee.mjs")
	for _, cl := range tsClients {
		for _, ser := range serializers {
			t.Run(cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				wsURL, _ := serveCalculator(t, e, "--callee=false")
				jc := startCallee(t, e, program, cl.lib, ser, wsURL)
				checkCallee(t, e, cl.id, ser, wsURL, jc, "ts/callee.ts")
			})
		}
	}
}

// TestTSTime holds the generated TypeScript of the time service
// (interop/timesvc/timesvc_wamp.ts, ts/time.ts) to the way time travels, as
// TestJSTime does the JavaScript clients: as a caller against the Go
// service on each serializer, and as a callee served through registerClock
// to the generated Go client on each serializer.
func TestTSTime(t *testing.T) {
	t.Parallel()
	e, dir := needTS(t)
	program := filepath.Join(dir, "time.mjs")
	for _, cl := range tsClients {
		for _, ser := range serializers {
			t.Run("caller/"+cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				r := routertest.New(t)
				for _, gs := range wamp.Serializers() {
					t.Run("go-callee-"+gs.String(), func(t *testing.T) {
						testTimeCaller(t, e, r.WebSocketURL(), program, cl.lib, ser, gs)
					})
				}
			})
			t.Run("callee/"+cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				r := routertest.New(t)
				testTimeCallee(t, e, r.WebSocketURL(), program, cl.lib, ser)
			})
		}
	}
}

// tsStreamChecks are the checks of ts/stream.ts as a caller.
var tsStreamChecks = []string{
	"count(1, 5) yields 1 2 3 4 5",
	"count(10, 5) yields 10 11 12, then fails with UnluckyError",
	"count(0, 0) yields nothing",
	"count(1, 2000) fails with wamp.error.invalid_argument",
	"leaving count(100, 1000) after 3 items cancels it; the service keeps serving",
	"each iteration of one count(…) makes its own call",
}

// TestTSStream holds the generated TypeScript's streamed results
// (interop/streamsvc: an iter.Seq2 result) to the Go runtime's form, both
// ways, on each JavaScript client's adapter over each serializer: the
// generated client (callStream) against the Go service, whose items come as
// progressive results; and a TypeScript implementation served through the
// generated registrar against the generated Go client (neither JavaScript
// client's callee is offered receive_progress, so every item comes in the
// final result, which the Go client reads as the items too).
func TestTSStream(t *testing.T) {
	t.Parallel()
	e, dir := needTS(t)
	program := filepath.Join(dir, "stream.mjs")
	for _, cl := range tsClients {
		for _, ser := range serializers {
			t.Run("caller/"+cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				r := routertest.New(t)
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: "realm1"})
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				regs, err := streamsvc.RegisterCounter(ctx, sess, streamsvc.Service{})
				if err != nil {
					t.Fatal(err)
				}
				defer regs.Unregister(ctx)
				results, exitErr := runNode(t, e, time.Minute, program,
					"--role", "caller", "--client", cl.lib, "--serializer", ser, "--url", r.WebSocketURL())
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
					t.Errorf("ts/stream.ts did not finish: %v", results)
				}
				for _, name := range tsStreamChecks {
					switch r, ok := got[name]; {
					case !ok:
						t.Errorf("ts/stream.ts did not report %q", name)
					case r["ok"] != true:
						t.Errorf("FAIL %s: %v", name, r["error"])
					}
					delete(got, name)
				}
				for name := range got {
					t.Errorf("ts/stream.ts ran a check this test does not know (add it to tsStreamChecks): %q", name)
				}
				if exitErr != nil && !t.Failed() {
					t.Errorf("ts/stream.ts: exit %v, but every check passed", exitErr)
				}
			})
			t.Run("callee/"+cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				r := routertest.New(t)
				args := slices.Concat(e.node[1:], []string{program, "--role", "callee", "--client", cl.lib, "--serializer", ser, "--url", r.WebSocketURL()})
				p := startProcess(t, e.node[0], args...)
				t.Cleanup(func() { p.stop(t, "ts/stream.ts", 10*time.Second) })
				p.waitLine(t, "ts/stream.ts", readyLine, 30*time.Second)
				for _, gs := range wamp.Serializers() {
					t.Run("go-caller-"+gs.String(), func(t *testing.T) {
						ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
						defer cancel()
						sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: "realm1", Serializer: gs})
						if err != nil {
							t.Fatal(err)
						}
						defer sess.Close()
						client := streamsvc.NewCounterClient(sess)
						collect := func(from int64, n int) (string, error) {
							seq, err := client.Count(ctx, from, n)
							if err != nil {
								return "", err
							}
							var got []string
							for v, err := range seq {
								if err != nil {
									return strings.Join(got, " "), err
								}
								got = append(got, fmt.Sprint(v))
							}
							return strings.Join(got, " "), nil
						}
						if got, err := collect(1, 5); err != nil || got != "1 2 3 4 5" {
							t.Errorf("count(1, 5) = %q, %v; want 1 2 3 4 5", got, err)
						}
						if got, err := collect(0, 0); err != nil || got != "" {
							t.Errorf("count(0, 0) = %q, %v; want nothing", got, err)
						}
						// Every item comes in the final result: an error
						// during the stream leaves none of them.
						if got, err := collect(10, 5); !errors.Is(err, streamsvc.ErrUnlucky) || got != "" {
							t.Errorf("count(10, 5) = %q, %v; want ErrUnlucky and no items", got, err)
						}
						if _, err := collect(1, 2000); !errors.Is(err, runtime.ErrInvalidArgument) {
							t.Errorf("count(1, 2000): %v, want wamp.error.invalid_argument", err)
						}
					})
				}
			})
		}
	}
}
