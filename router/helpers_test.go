package router_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"
	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/router"
)

const testTimeout = 5 * time.Second

// startRouter starts a router with WebSocket, TCP RawSocket and Unix socket
// listeners, and closes it when the test ends.
func startRouter(t testing.TB, cfg router.Config) *router.Router {
	t.Helper()
	cfg.WebSocketAddr = "127.0.0.1:0"
	cfg.RawSocketAddr = "127.0.0.1:0"
	cfg.UnixSocketPath = unixPath(t)
	r, err := router.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	closeAtCleanup(t, r)
	return r
}

// withAnonymousMeta returns cfg with the meta API open to anonymous
// sessions (RealmConfig.AnonymousMeta) in every realm, the default realm
// when cfg has none. It is for the tests whose anonymous clients call
// wamp.session.count as a round trip, read their own session's details or
// watch meta events: the router refuses them the meta API by default.
func withAnonymousMeta(cfg router.Config) router.Config {
	if len(cfg.Realms) == 0 {
		cfg.Realms = []router.RealmConfig{{Name: router.DefaultRealm, Anonymous: true}}
	}
	cfg.Realms = slices.Clone(cfg.Realms)
	for i := range cfg.Realms {
		cfg.Realms[i].AnonymousMeta = true
	}
	return cfg
}

// closeAtCleanup closes r when the test ends. Called before clients are
// dialed, it runs after their cleanups: a nexus client whose Close races
// with the router going away can block for twice its response timeout.
func closeAtCleanup(t testing.TB, r *router.Router) {
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
}

// unixPath returns a socket path short enough for the 108-byte limit.
func unixPath(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "wr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "r.sock")
}

// transports lists every way a nexus client can reach a test router.
var transports = []struct {
	name string
	url  func(*router.Router) string
	ser  serialize.Serialization
}{
	{"ws-json", (*router.Router).WebSocketURL, serialize.JSON},
	{"ws-msgpack", (*router.Router).WebSocketURL, serialize.MSGPACK},
	{"ws-cbor", (*router.Router).WebSocketURL, serialize.CBOR},
	{"tcp-json", (*router.Router).RawSocketURL, serialize.JSON},
	{"tcp-msgpack", (*router.Router).RawSocketURL, serialize.MSGPACK},
	{"tcp-cbor", (*router.Router).RawSocketURL, serialize.CBOR},
	{"unix-json", (*router.Router).UnixURL, serialize.JSON},
	{"unix-msgpack", (*router.Router).UnixURL, serialize.MSGPACK},
	{"unix-cbor", (*router.Router).UnixURL, serialize.CBOR},
}

var quietLog = log.New(io.Discard, "", 0)

// dial connects a nexus client, which the test closes when it ends.
func dial(t testing.TB, url string, cfg client.Config) *client.Client {
	t.Helper()
	c, err := dialErr(url, cfg)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func dialErr(url string, cfg client.Config) (*client.Client, error) {
	if cfg.Realm == "" {
		cfg.Realm = router.DefaultRealm
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLog
	}
	if cfg.ResponseTimeout == 0 {
		cfg.ResponseTimeout = testTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	return client.ConnectNet(ctx, url, cfg)
}

// rawJSON is a WebSocket client that writes and reads WAMP JSON text frames
// by hand, so tests see the exact wire form.
type rawJSON struct {
	t    testing.TB
	conn *websocket.Conn
}

func dialRawJSON(t testing.TB, url string) *rawJSON {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"wamp.2.json"}, HandshakeTimeout: testTimeout}
	conn, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if p := conn.Subprotocol(); p != "wamp.2.json" {
		t.Fatalf("negotiated subprotocol %q", p)
	}
	return &rawJSON{t: t, conn: conn}
}

func (c *rawJSON) send(msg string) {
	c.t.Helper()
	if !json.Valid([]byte(msg)) {
		c.t.Fatalf("test bug: invalid JSON %s", msg)
	}
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		c.t.Fatal(err)
	}
}

// recv reads one message, checks that it is a text frame holding a WAMP
// message of the given type, and returns its raw text and elements.
func (c *rawJSON) recv(code int) (string, []any) {
	c.t.Helper()
	raw, msg, err := c.tryRecv(code)
	if err != nil {
		c.t.Fatal(err)
	}
	return raw, msg
}

// tryRecv is recv for use outside the test goroutine.
func (c *rawJSON) tryRecv(code int) (string, []any, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	typ, b, err := c.conn.ReadMessage()
	if err != nil {
		return "", nil, fmt.Errorf("waiting for message %d: %w", code, err)
	}
	if typ != websocket.TextMessage {
		return "", nil, fmt.Errorf("JSON arrived in frame type %d, want text", typ)
	}
	var msg []any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&msg); err != nil {
		return "", nil, fmt.Errorf("router sent invalid JSON %s: %w", b, err)
	}
	if len(msg) == 0 || msg[0] != json.Number(strconv.Itoa(code)) {
		return "", nil, fmt.Errorf("got %s, want message type %d", b, code)
	}
	return string(b), msg, nil
}

func (c *rawJSON) join(realm string) {
	c.t.Helper()
	c.send(`[1,"` + realm + `",{"roles":{"caller":{},"callee":{},"publisher":{},"subscriber":{}}}]`)
	c.recv(2)
}

// goroutines returns the stacks of all goroutines by goroutine ID.
func goroutines() map[string]string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[string]string{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		fields := strings.Fields(g)
		if len(fields) > 1 && fields[0] == "goroutine" {
			out[fields[1]] = g
		}
	}
	return out
}

// checkNoLeaks records the running goroutines and returns a function that
// fails the test if goroutines started since are still running after a
// grace period. Tests using it must not be parallel.
func checkNoLeaks(t *testing.T) func() {
	t.Helper()
	before := goroutines()
	return func() {
		t.Helper()
		deadline := time.Now().Add(testTimeout)
		for {
			var leaked []string
			for id, stack := range goroutines() {
				if _, ok := before[id]; !ok {
					leaked = append(leaked, stack)
				}
			}
			if len(leaked) == 0 {
				return
			}
			if time.Now().After(deadline) {
				slices.Sort(leaked)
				t.Errorf("%d goroutines still running:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// echo is an invocation handler that returns its arguments.
func echo(_ context.Context, inv *wamp.Invocation) client.InvokeResult {
	return client.InvokeResult{Args: inv.Arguments, Kwargs: inv.ArgumentsKw}
}

// events collects the events of a subscription.
type events chan *wamp.Event

func (e events) handle(ev *wamp.Event) { e <- ev }

func (e events) next(t testing.TB) *wamp.Event {
	t.Helper()
	select {
	case ev := <-e:
		return ev
	case <-time.After(testTimeout):
		t.Fatal("no event")
		return nil
	}
}
