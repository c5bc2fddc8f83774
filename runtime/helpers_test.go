package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// testWait bounds every wait in these tests. It is generous on purpose: a
// test that passes never waits this long, and a slow -race run must not
// turn into a flake.
const testWait = 10 * time.Second

// testCtx returns a context that ends with the test, bounded by testWait.
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	t.Cleanup(cancel)
	return ctx
}

// newTestRouter starts an embedded router with WebSocket and RawSocket
// listeners on loopback (unless cfg names its own) and closes it when the
// test ends, after the sessions dialled later (t.Cleanup runs last in,
// first out).
func newTestRouter(t testing.TB, cfg router.Config) *router.Router {
	t.Helper()
	if cfg.WebSocketAddr == "" {
		cfg.WebSocketAddr = "127.0.0.1:0"
	}
	if cfg.RawSocketAddr == "" {
		cfg.RawSocketAddr = "127.0.0.1:0"
	}
	r, err := router.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("starting router: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("closing router: %v", err)
		}
	})
	return r
}

// dialT joins cfg.Realm (default realm1) at url and closes the session when
// the test ends, failing the test if Close reports an error.
func dialT(t testing.TB, url string, cfg runtime.Config) *runtime.Session {
	t.Helper()
	if cfg.Realm == "" {
		cfg.Realm = router.DefaultRealm
	}
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	s, err := runtime.Dial(ctx, url, cfg)
	if err != nil {
		t.Fatalf("dialling %s (realm %s, %v): %v", url, cfg.Realm, serName(cfg.Serializer), err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing session %d: %v", s.ID(), err)
		}
		select {
		case <-s.Done():
		default:
			t.Errorf("session %d: Done not closed after Close", s.ID())
		}
	})
	return s
}

func serName(s *wamp.Serializer) string {
	if s == nil {
		return "json"
	}
	return s.Name()
}

// recvT receives one value from ch or fails the test after testWait.
func recvT[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testWait):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// eventLog collects the events of one or more subscriptions in the order
// their handlers ran: for one subscription, the order the events arrived;
// across subscriptions, no particular order (each has its own queue).
type eventLog chan *runtime.Event

func newEventLog() eventLog { return make(eventLog, 1024) }

func (l eventLog) handler(_ context.Context, ev *runtime.Event) error { l <- ev; return nil }

// next returns the next event delivered.
func (l eventLog) next(t testing.TB) *runtime.Event {
	t.Helper()
	return recvT(t, (<-chan *runtime.Event)(l), "an event")
}

// nextLabel returns the first argument (a string) of the next event.
func (l eventLog) nextLabel(t testing.TB) string {
	t.Helper()
	return argString(t, l.next(t).Args, 0)
}

// argString decodes positional argument i as a string.
func argString(t testing.TB, p wamp.Payload, i int) string {
	t.Helper()
	var s string
	decodeArg(t, p, i, &s)
	return s
}

// decodeArg decodes positional argument i of p into dst.
func decodeArg(t testing.TB, p wamp.Payload, i int, dst any) {
	t.Helper()
	vals, err := p.List()
	if err != nil {
		t.Fatalf("payload is not a list: %v", err)
	}
	if i >= len(vals) {
		t.Fatalf("payload has %d arguments, want at least %d", len(vals), i+1)
	}
	if err := vals[i].Decode(dst); err != nil {
		t.Fatalf("argument %d: %v", i, err)
	}
}

// checkNoLeakedGoroutines fails the test if goroutines started during it
// are still running once its cleanups (sessions, clients, routers) are done.
// Call it first in a test, so that its cleanup runs last. Top-level tests
// that use it must not call t.Parallel.
func checkNoLeakedGoroutines(t *testing.T) {
	t.Helper()
	before := goroutineIDs()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			leaked := leakedGoroutines(before)
			if len(leaked) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%d goroutine(s) still running after the test ended:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// goroutineStacks returns the stack of every goroutine, keyed by ID.
func goroutineStacks() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := goruntime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[string]string{}
	for block := range bytes.SplitSeq(buf, []byte("\n\n")) {
		header, _, _ := bytes.Cut(block, []byte("\n"))
		// "goroutine 42 [select]:"
		f := strings.Fields(string(header))
		if len(f) >= 2 && f[0] == "goroutine" {
			out[f[1]] = string(block)
		}
	}
	return out
}

func goroutineIDs() map[string]bool {
	ids := map[string]bool{}
	for id := range goroutineStacks() {
		ids[id] = true
	}
	return ids
}

// benignGoroutines are started lazily by the Go runtime or the testing
// package, not by the code under test.
var benignGoroutines = []string{
	"testing.(*T).Run",
	"testing.tRunner",
	"runtime.goexit0",
	"os/signal.signal_recv",
	"runtime.ensureSigM",
	"created by runtime.gc",
	"runtime.forcegchelper",
	"runtime.bgsweep",
	"runtime.bgscavenge",
	"runtime.runfinq",
	"runtime.unique_runtime_registerUniqueMapCleanup",
}

func leakedGoroutines(before map[string]bool) []string {
	var leaked []string
	for id, stack := range goroutineStacks() {
		if before[id] {
			continue
		}
		if slices.ContainsFunc(benignGoroutines, func(s string) bool { return strings.Contains(stack, s) }) {
			continue
		}
		leaked = append(leaked, stack)
	}
	slices.Sort(leaked)
	return leaked
}

// errorText returns err's text, or "<nil>".
func errorText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return fmt.Sprint(err)
}

// startFakeRouter serves a scripted WAMP peer over WebSocket (JSON) for
// what a real router cannot be made to do on cue, such as sending two
// messages back to back. It answers HELLO with WELCOME and GOODBYE with
// GOODBYE itself and passes every other message to onMessage, which answers
// through send. It returns the ws:// URL.
func startFakeRouter(t testing.TB, onMessage func(m wamp.Message, send func(wamp.Message))) string {
	t.Helper()
	return startFakeRouterWith(t, wamp.Dict{wamp.RoleBroker: wamp.Dict{}, wamp.RoleDealer: wamp.Dict{}}, onMessage)
}

// startFakeRouterWith is startFakeRouter whose WELCOME announces roles.
func startFakeRouterWith(t testing.TB, roles wamp.Dict, onMessage func(m wamp.Message, send func(wamp.Message))) string {
	t.Helper()
	up := websocket.Upgrader{Subprotocols: []string{wamp.JSON.Subprotocol()}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		send := func(m wamp.Message) {
			data, err := wamp.JSON.Encode(m)
			if err != nil {
				panic(err)
			}
			_ = conn.WriteMessage(websocket.TextMessage, data)
		}
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			msg, err := wamp.JSON.Decode(data)
			if err != nil {
				return
			}
			switch m := msg.(type) {
			case *wamp.Hello:
				send(&wamp.Welcome{Session: 1, Details: wamp.Dict{wamp.KeyRoles: roles}})
			case *wamp.Goodbye:
				send(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseGoodbyeAndOut})
				return
			default:
				onMessage(m, send)
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}
