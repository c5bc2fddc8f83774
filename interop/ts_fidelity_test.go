package interop

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wampgen/wampgen/interop/fidelitysvc"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// fidelityBuild bundles ts/fidelity.ts (type-checked by tsBuild with the
// other programs) into tsBuildDir, once.
var fidelityBuild = sync.OnceValues(func() (string, error) {
	dir, err := tsBuild()
	if err != nil {
		return "", err
	}
	out, err := exec.Command(filepath.Join("node_modules", ".bin", "esbuild"), "ts/fidelity.ts",
		"--bundle", "--platform=node", "--format=esm", "--target=node20", "--packages=external", "--keep-names",
		"--outfile="+filepath.Join(dir, "fidelity.mjs"), "--log-level=warning").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("esbuild ts/fidelity.ts: %v\n%s", err, out)
	}
	return filepath.Join(dir, "fidelity.mjs"), nil
})

// fidelitySamples are fidelitysvc.Sample's: 0 must travel exactly on every
// client and serializer; 1 (int64 and uint64 extremes) exactly or refused
// with an error, never a rounded value, and refused over JSON; 2 (a string
// "\x00AAAA") exactly unless a JSON peer is on either side, where WAMP's
// convention makes it bytes, which the string's schema refuses (as the Go
// runtime does).
//
// Sample 3, a dictionary key "__proto__", only the TypeScript caller gets
// (keyProtoOutcome): the JavaScript decoders guard against it each their
// own way.
var fidelitySamples = []int{0, 1, 2}

// TestTSFidelity holds the generated TypeScript schemas to the Go runtime's
// encoding, both ways, on each JavaScript client's adapter over each
// serializer: as a caller (the TypeScript decodes what the Go service
// sends and sends it back, where Go compares) and as a callee (the Go
// client decodes what the TypeScript implementation sends, and the
// TypeScript compares what Go sends), with the Go side on each of its
// serializers.
func TestTSFidelity(t *testing.T) {
	t.Parallel()
	e, _ := needTS(t)
	program, err := fidelityBuild()
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range tsClients {
		for _, ser := range serializers {
			t.Run("caller/"+cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				r := routertest.New(t)
				for _, gs := range wamp.Serializers() {
					t.Run("go-callee-"+gs.String(), func(t *testing.T) {
						testFidelityCaller(t, e, r.WebSocketURL(), program, cl.lib, ser, gs)
					})
				}
			})
			t.Run("callee/"+cl.id+"/"+ser, func(t *testing.T) {
				t.Parallel()
				r := routertest.New(t)
				testFidelityCallee(t, e, r.WebSocketURL(), program, cl.lib, ser)
			})
		}
	}
}

func testFidelityCaller(t *testing.T, e *env, wsURL, program, client, ser string, gs *wamp.Serializer) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sess, err := runtime.Dial(ctx, wsURL, runtime.Config{Realm: "realm1", Serializer: gs})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	regs, err := fidelitysvc.RegisterFidelity(ctx, sess, fidelitysvc.Service{})
	if err != nil {
		t.Fatal(err)
	}
	defer regs.Unregister(ctx)
	results, exitErr := runNode(t, e, time.Minute, program,
		"--role", "caller", "--client", client, "--serializer", ser, "--url", wsURL)
	if exitErr != nil {
		t.Errorf("%s: exit %v", program, exitErr)
	}
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
	want := keyProtoOutcome(client, ser)
	switch r, ok := got["sample 3"]; {
	case !ok:
		t.Errorf("%s did not report sample 3", program)
	case r["ok"] != true:
		t.Errorf("FAIL sample 3: %v", r["error"])
	case r[want] == nil:
		t.Errorf("sample 3 on %s over %s: %v, want %s", client, ser, r, want)
	}
	for _, which := range fidelitySamples {
		for _, name := range []string{fmt.Sprintf("sample %d", which), fmt.Sprintf("sample %d back", which)} {
			r, ok := got[name]
			switch {
			case !ok:
				t.Errorf("%s did not report %q", program, name)
			case r["ok"] != true:
				t.Errorf("FAIL %s: %v", name, r["error"])
			case which == 2 && (ser == "json" || gs.String() == "json"):
				if r["exact"] == true {
					t.Errorf("%s: exact, but a JSON peer makes the string bytes", name)
				}
			case which != 1 && r["exact"] != true:
				t.Errorf("%s: refused (%v), but every serializer carries it exactly", name, r["refused"])
			case which == 1 && ser == "json" && r["refused"] == nil:
				t.Errorf("%s over JSON: %v, but JSON cannot carry 64-bit extremes exactly: want refused", name, r)
			case r["refused"] != nil:
				t.Logf("%s: refused, as it may be: %v", name, r["refused"])
			}
		}
	}
}

// keyProtoOutcome is what the TypeScript caller must report for sample 3
// (a dictionary key "__proto__") on client over ser: exact where the
// decoder keeps the key as an own property (JSON.parse; Autobahn|JS's
// cbor); renamed "__proto_" by Wampy.js's msgpackr and cbor-x (a lack of
// theirs, which nothing downstream can undo); and over Autobahn|JS's
// msgpack5, which throws on the key inside the WebSocket's message handler,
// the session closed (autobahnPeer answers the message as one of an
// unknown type; before, the uncaught exception ended the Node.js process).
func keyProtoOutcome(client, ser string) string {
	switch {
	case ser == "json", client == "autobahn" && ser == "cbor":
		return "exact"
	case client == "wampy":
		return "renamed"
	}
	return "closed"
}

func testFidelityCallee(t *testing.T, e *env, wsURL, program, client, ser string) {
	args := slices.Concat(e.node[1:], []string{program, "--role", "callee", "--client", client, "--serializer", ser, "--url", wsURL})
	p := startProcess(t, e.node[0], args...)
	t.Cleanup(func() { p.stop(t, program, 10*time.Second) })
	p.waitLine(t, program, readyLine, 30*time.Second)
	for _, gs := range wamp.Serializers() {
		t.Run("go-caller-"+gs.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			sess, err := runtime.Dial(ctx, wsURL, runtime.Config{Realm: "realm1", Serializer: gs})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			c := fidelitysvc.NewFidelityClient(sess)
			for _, which := range fidelitySamples {
				want, err := fidelitysvc.Sample(which)
				if err != nil {
					t.Fatal(err)
				}
				// (The TypeScript callee cannot send 64-bit extremes over
				// JSON, nor Autobahn|JS over MessagePack: refused there.)
				wide := which == 1
				got, err := c.Sample(ctx, which)
				switch {
				case err != nil && (wide || which == 2 && (ser == "json" || gs.String() == "json")):
					t.Logf("sample %d: %v (refused, as it may be)", which, err)
				case err != nil:
					t.Errorf("sample %d: %v", which, err)
				default:
					if d, _ := (fidelitysvc.Service{}).Same(ctx, which, got); d != "" {
						t.Errorf("sample %d from the TypeScript callee: %s", which, d)
					}
				}
				d, err := c.Same(ctx, which, want)
				switch {
				case err != nil && (wide || which == 2 && (ser == "json" || gs.String() == "json")):
					t.Logf("same(%d, …): %v (refused, as it may be)", which, err)
				case err != nil:
					t.Errorf("same(%d, …): %v", which, err)
				case d != "":
					t.Errorf("same(%d, …): the TypeScript callee decoded it differently: %s", which, d)
				}
			}
		})
	}
}
