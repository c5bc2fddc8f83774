package router_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"
	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
)

func checkURL(t *testing.T, raw, scheme string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	if u.Scheme != scheme {
		t.Fatalf("%q: scheme %q, want %q", raw, u.Scheme, scheme)
	}
	if scheme == "unix" {
		if u.Host != "" || !filepath.IsAbs(u.Path) {
			t.Fatalf("%q: want unix:// and an absolute path", raw)
		}
		return u
	}
	if u.Hostname() != "127.0.0.1" {
		t.Fatalf("%q: host %q, want 127.0.0.1", raw, u.Hostname())
	}
	if port, err := strconv.Atoi(u.Port()); err != nil || port <= 0 {
		t.Fatalf("%q: bad port %q", raw, u.Port())
	}
	return u
}

func TestStartCloseLeavesNothingRunning(t *testing.T) {
	verify := checkNoLeaks(t)
	sock := unixPath(t)
	r, err := router.Start(context.Background(), router.Config{
		WebSocketAddr:  "127.0.0.1:0",
		RawSocketAddr:  "127.0.0.1:0",
		UnixSocketPath: sock,
		KeepAlive:      time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if u := checkURL(t, r.WebSocketURL(), "ws"); u.Path != "/" {
		t.Errorf("WebSocketURL %q: want path /", r.WebSocketURL())
	}
	checkURL(t, r.RawSocketURL(), "tcp")
	if u := checkURL(t, r.UnixURL(), "unix"); u.Path != sock {
		t.Errorf("UnixURL %q: want path %q", r.UnixURL(), sock)
	}

	// Sessions on every transport and serializer, left open; a callee, and
	// a call in flight that would time out in the dealer after Close.
	var clients []*client.Client
	for _, tr := range transports {
		c, err := dialErr(tr.url(r), client.Config{Serialization: tr.ser})
		if err != nil {
			t.Fatalf("%s: %v", tr.name, err)
		}
		clients = append(clients, c)
	}
	invoked := make(chan struct{})
	err = clients[0].Register("test.block", func(ctx context.Context, _ *wamp.Invocation) client.InvokeResult {
		close(invoked)
		<-ctx.Done()
		return client.InvokeResult{Err: wamp.ErrCanceled}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	callDone := make(chan error, 1)
	go func() {
		_, err := clients[1].Call(context.Background(), "test.block", wamp.Dict{wamp.OptTimeout: 300}, nil, nil, nil)
		callDone <- err
	}()
	<-invoked

	// Connections that never finish joining: one silent after the
	// RawSocket handshake, one before it, one WebSocket without HELLO.
	rs, err := net.Dial("tcp", strings.TrimPrefix(r.RawSocketURL(), "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if _, err := rs.Write([]byte{0x7F, 0xF2, 0, 0}); err != nil {
		t.Fatal(err)
	}
	silent, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	ws := dialRawJSON(t, r.WebSocketURL())

	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	for i, c := range clients {
		select {
		case <-c.Done():
		case <-time.After(testTimeout):
			t.Fatalf("%s: client still connected after Close", transports[i].name)
		}
		if gb := c.RouterGoodbye(); gb == nil || gb.Reason != wamp.CloseSystemShutdown {
			t.Errorf("%s: router said goodbye with %v, want %s", transports[i].name, gb, wamp.CloseSystemShutdown)
		}
		_ = c.Close()
	}
	select {
	case err := <-callDone:
		if err == nil {
			t.Error("call in flight succeeded after Close")
		}
	case <-time.After(testTimeout):
		t.Fatal("call in flight did not end")
	}
	_ = ws.conn.SetReadDeadline(time.Now().Add(testTimeout))
	if _, _, err := ws.conn.ReadMessage(); err == nil {
		t.Error("WebSocket without session still open after Close")
	}
	_ = ws.conn.Close()
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Unix socket file still there after Close: %v", err)
	}
	for _, addr := range []string{r.WebSocketURL(), r.RawSocketURL()} {
		u, _ := url.Parse(addr)
		if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Close", addr)
		}
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	// The call had a 300ms dealer-side timeout. Had its timer survived
	// Close, it would fire into the closed dealer and panic.
	time.Sleep(400 * time.Millisecond)
	verify()
}

func TestStartFailsOnOccupiedAddress(t *testing.T) {
	verify := checkNoLeaks(t)
	r := startRouter(t, withAnonymousMeta(router.Config{}))
	wsHost := strings.TrimSuffix(strings.TrimPrefix(r.WebSocketURL(), "ws://"), "/")
	rsHost := strings.TrimPrefix(r.RawSocketURL(), "tcp://")
	sock := strings.TrimPrefix(r.UnixURL(), "unix://")

	for name, cfg := range map[string]router.Config{
		"websocket": {WebSocketAddr: wsHost},
		"rawsocket": {RawSocketAddr: rsHost},
		"unix":      {UnixSocketPath: sock},
		// The first listeners succeed; the later failure must close them.
		"partial": {WebSocketAddr: "127.0.0.1:0", RawSocketAddr: "127.0.0.1:0", UnixSocketPath: sock},
	} {
		r2, err := router.Start(context.Background(), cfg)
		if err == nil {
			_ = r2.Close()
			t.Errorf("%s: Start on an occupied address succeeded", name)
			continue
		}
		if !strings.Contains(err.Error(), "address already in use") {
			t.Errorf("%s: unexpected error %v", name, err)
		}
	}

	// The first router is unaffected.
	c := dial(t, r.WebSocketURL(), client.Config{})
	if _, err := c.Call(context.Background(), string(wamp.MetaProcSessionCount), nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	verify()
}

func TestStartRejectsBadConfig(t *testing.T) {
	defer checkNoLeaks(t)()
	pub := make([]byte, 32)
	for name, cfg := range map[string]router.Config{
		"empty realm name":        {Realms: []router.RealmConfig{{Anonymous: true}}},
		"invalid realm URI":       {Realms: []router.RealmConfig{{Name: "bad realm", Anonymous: true}}},
		"duplicate realm":         {Realms: []router.RealmConfig{{Name: "a", Anonymous: true}, {Name: "a", Anonymous: true}}},
		"nobody admitted":         {Realms: []router.RealmConfig{{Name: "a"}}},
		"user without authid":     {Realms: []router.RealmConfig{{Name: "a", Users: []router.User{{Ticket: "t"}}}}},
		"user without credential": {Realms: []router.RealmConfig{{Name: "a", Users: []router.User{{AuthID: "u"}}}}},
		"duplicate user":          {Realms: []router.RealmConfig{{Name: "a", Users: []router.User{{AuthID: "u", Ticket: "t"}, {AuthID: "u", Ticket: "s"}}}}},
		"short public key":        {Realms: []router.RealmConfig{{Name: "a", Users: []router.User{{AuthID: "u", PublicKey: pub[:31]}}}}},
		"salt without secret":     {Realms: []router.RealmConfig{{Name: "a", Users: []router.User{{AuthID: "u", Ticket: "t", Salt: "s"}}}}},
		"iterations without salt": {Realms: []router.RealmConfig{{Name: "a", Users: []router.User{{AuthID: "u", Secret: "s", Iterations: 10}}}}},
		"negative keepalive":      {KeepAlive: -time.Second},
		"huge message size":       {MaxMessageSize: 1<<24 + 1},
		"tls without cert":        {TLSConfig: &tls.Config{}},
	} {
		r, err := router.Start(context.Background(), cfg)
		if err == nil {
			_ = r.Close()
			t.Errorf("%s: Start succeeded", name)
		} else if !strings.HasPrefix(err.Error(), "router: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
}

func TestHandlerOnOwnMux(t *testing.T) {
	r, err := router.Start(context.Background(), withAnonymousMeta(router.Config{}))
	if err != nil {
		t.Fatal(err)
	}
	if r.WebSocketURL() != "" || r.RawSocketURL() != "" || r.UnixURL() != "" {
		t.Fatalf("URLs without listeners: %q %q %q", r.WebSocketURL(), r.RawSocketURL(), r.UnixURL())
	}
	mux := http.NewServeMux()
	mux.Handle("/wamp", r.Handler())
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/wamp"

	for _, ser := range []serialize.Serialization{serialize.JSON, serialize.MSGPACK, serialize.CBOR} {
		c := dial(t, wsURL, client.Config{Serialization: ser})
		res, err := c.Call(context.Background(), string(wamp.MetaProcSessionCount), nil, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := wamp.AsInt64(res.Arguments[0]); n < 1 {
			t.Fatalf("session count %v", res.Arguments)
		}
		_ = c.Close()
	}

	rsp, err := http.Get(srv.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	rsp.Body.Close()
	if rsp.StatusCode != http.StatusOK {
		t.Fatalf("/health: %s", rsp.Status)
	}

	// A WebSocket request without a WAMP subprotocol is refused.
	_, rsp, err = websocket.DefaultDialer.Dial(wsURL, nil)
	if err == nil || rsp == nil || rsp.StatusCode != http.StatusBadRequest {
		t.Fatalf("dial without subprotocol: err %v, response %v", err, rsp)
	}
	d := websocket.Dialer{Subprotocols: []string{"wamp.2.ubjson", "wamp.2.cbor", "wamp.2.json"}}
	conn, _, err := d.Dial(wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if conn.Subprotocol() != "wamp.2.cbor" {
		t.Errorf("negotiated %q, want the client's first supported choice wamp.2.cbor", conn.Subprotocol())
	}
	conn.Close()

	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	_, rsp, err = (&websocket.Dialer{Subprotocols: []string{"wamp.2.json"}}).Dial(wsURL, nil)
	if err == nil || rsp == nil || rsp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial after Close: err %v, response %v", err, rsp)
	}
}

func TestTLS(t *testing.T) {
	server, trusted := routertest.TLS(t)
	r, err := router.Start(context.Background(), withAnonymousMeta(router.Config{
		WebSocketAddr:  "127.0.0.1:0",
		RawSocketAddr:  "127.0.0.1:0",
		UnixSocketPath: unixPath(t),
		TLSConfig:      server,
	}))
	if err != nil {
		t.Fatal(err)
	}
	closeAtCleanup(t, r)
	checkURL(t, r.WebSocketURL(), "wss")
	checkURL(t, r.RawSocketURL(), "tcps")
	checkURL(t, r.UnixURL(), "unix")

	callee := dial(t, r.WebSocketURL(), client.Config{TlsCfg: trusted, Serialization: serialize.MSGPACK})
	if err := callee.Register("test.echo", echo, nil); err != nil {
		t.Fatal(err)
	}
	caller := dial(t, r.RawSocketURL(), client.Config{TlsCfg: trusted, Serialization: serialize.CBOR})
	res, err := caller.Call(context.Background(), "test.echo", nil, wamp.List{"over tls"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Arguments[0] != "over tls" {
		t.Fatalf("got %v", res.Arguments)
	}
	info, err := caller.Call(context.Background(), string(wamp.MetaProcSessionGet), nil, wamp.List{caller.ID()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	details, _ := wamp.AsDict(info.Arguments[0])
	transport, _ := wamp.AsDict(details["transport"])
	if transport["type"] != "rawsocket" || transport["is_secure"] != true || transport["serializer"] != "cbor" {
		t.Errorf("transport details %v", transport)
	}

	// A plain client is not served.
	if _, err := dialErr(strings.Replace(r.WebSocketURL(), "wss:", "ws:", 1), client.Config{}); err == nil {
		t.Error("plain WebSocket client joined a TLS listener")
	}
}

// TestKeepAlive checks that with keep-alive on a WebSocket client that
// answers pings stays connected, and one that does not is dropped after two
// intervals. The interval, a second, leaves a loaded machine room for the
// pongs (with 50 ms the answering client, descheduled 100 ms, was dropped;
// 500 ms still failed at a load of 20), and the
// test checks the answering client once the silent one is gone, two
// intervals at least, rather than after a fixed sleep.
func TestKeepAlive(t *testing.T) {
	r, err := router.Start(context.Background(), withAnonymousMeta(router.Config{WebSocketAddr: "127.0.0.1:0", KeepAlive: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	closeAtCleanup(t, r)

	// A client that reads (and so answers pings) stays connected.
	c := dial(t, r.WebSocketURL(), client.Config{})
	// One that doesn't is dropped after two intervals.
	silent := dialRawJSON(t, r.WebSocketURL())
	silent.join(router.DefaultRealm)
	pinged := make(chan struct{}, 1)
	silent.conn.SetPingHandler(func(string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return nil // and no pong
	})

	_ = silent.conn.SetReadDeadline(time.Now().Add(4 * testTimeout))
	for {
		_, _, err := silent.conn.ReadMessage()
		if err == nil {
			continue
		}
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Fatal("client that answers no ping is still connected")
		}
		break
	}
	select {
	case <-pinged:
	default:
		t.Error("router sent no ping")
	}
	if _, err := c.Call(context.Background(), string(wamp.MetaProcSessionCount), nil, nil, nil, nil); err != nil {
		t.Fatalf("reading client was dropped: %v", err)
	}
}

// TestCloseWithStalledClient checks that Close returns promptly when a
// client has stopped reading while events are routed to it. The peer's
// writer is then blocked in a write that can't finish; Close must end that
// connection flushTimeout after sending GOODBYE rather than wait for the
// write, which had no deadline and blocked Close forever.
//
// flushTimeout is a second. Close may take longer on a loaded machine, so
// the bound is closeBound: still well under the 30-second write deadline,
// so a Close that waits for the blocked write, or forever, fails.
func TestCloseWithStalledClient(t *testing.T) {
	// A 1 MiB budget: stall then publishes about 5 MB, not 20.
	r, err := router.Start(context.Background(), router.Config{RawSocketAddr: "127.0.0.1:0", MaxQueuedBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	sub := dialRSJSON(t, r, 15, 4096)
	sub.join(allRoles)
	sub.send(`[32,1,{},"com.test.topic"]`)
	sub.recv(33)
	stall(t, r)

	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- r.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
		t.Logf("Close took %v", time.Since(start).Round(time.Millisecond))
	case <-time.After(closeBound):
		t.Errorf("Close has not returned after %v with a client that stopped reading", closeBound)
		_ = sub.conn.Close() // unblock the router so that the test can end
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Errorf("Close still blocked after the stalled client was closed")
		}
	}
}

// closeBound is how long TestCloseWithStalledClient lets Close take.
const closeBound = 10 * time.Second

// stall publishes to com.test.topic, in messages of 60 KB, until the router
// drops events for a subscriber of it that does not read: what waits for
// that subscriber is then over its byte budget (16 MiB by default), past
// what the socket buffers hold, so its writer is blocked in a write. (A
// fixed pause after publishing did not make sure of it on a loaded
// machine, where the router can still be reading the publications.)
func stall(t *testing.T, r *router.Router) {
	t.Helper()
	pub := dialRSJSON(t, r, 15, 0)
	pub.join(allRoles)
	payload := strings.Repeat("x", 60000)
	for range 2000 { // 120 MB at most
		if r.Stats().DroppedEvents > 0 {
			return
		}
		pub.send(`[16,1,{},"com.test.topic",["` + payload + `"]]`)
	}
	deadline := time.Now().Add(4 * testTimeout)
	for r.Stats().DroppedEvents == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no EVENT dropped for the subscriber that does not read, after 120 MB published")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestKeepAliveDropsStalledClient checks that a client that neither reads
// nor sends is disconnected when its keep-alive read deadline passes, even
// while the router's writer is blocked writing to it: the connection is
// closed, not left open with the write pending and the peer's goroutines
// running for the life of the process.
//
// The subscriber sends PINGs until its writer is blocked (see stall), then
// falls silent. The test waits for its session to leave (a meta event) and
// for the connection to be closed, flushTimeout later, before it reads:
// reading sooner would unblock the writer. With a keep-alive of 100 ms and
// fixed sleeps it failed on a loaded machine: the subscriber was dropped
// before its writer blocked, or the publisher while it was publishing.
func TestKeepAliveDropsStalledClient(t *testing.T) {
	const every = time.Second
	// An 8 MiB budget: stall fills it within the stalled connection's 30 s
	// write deadline on a loaded machine (16 MiB did not always), and it
	// is still more than the socket buffers hold (4 MiB here).
	const budget = 8 << 20
	r, err := router.Start(context.Background(), withAnonymousMeta(router.Config{RawSocketAddr: "127.0.0.1:0", KeepAlive: every, MaxQueuedBytes: budget}))
	if err != nil {
		t.Fatal(err)
	}
	closeAtCleanup(t, r)
	leaves := make(events, 16)
	watcher := dial(t, r.RawSocketURL(), client.Config{Serialization: serialize.JSON})
	if err := watcher.Subscribe(string(wamp.MetaEventSessionOnLeave), leaves.handle, nil); err != nil {
		t.Fatal(err)
	}
	sub := dialRSJSON(t, r, 15, 4096)
	sub.send(`[1,"realm1",{"roles":` + allRoles + `}]`)
	session := sub.recv(2)[1]
	sub.send(`[32,1,{},"com.test.topic"]`)
	sub.recv(33)

	// The subscriber shows it is alive, without reading, until stalled.
	stop, pinged := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(pinged)
		for {
			select {
			case <-stop:
				return
			case <-time.After(every / 5):
			}
			_ = sub.conn.SetWriteDeadline(time.Now().Add(testTimeout))
			if _, err := sub.conn.Write([]byte{1, 0, 0, 0}); err != nil {
				return
			}
		}
	}()
	stall(t, r)
	close(stop)
	<-pinged

	// Its session leaves two intervals later.
	deadline := time.After(4 * testTimeout)
	for left := false; !left; {
		select {
		case ev := <-leaves:
			if len(ev.Arguments) > 0 {
				id, _ := wamp.AsID(ev.Arguments[0])
				left = id == wamp.ID(session.(float64))
			}
		case <-deadline:
			t.Fatal("the stalled subscriber's session has not left")
		}
	}
	// Nothing tells the client that its connection was closed, flushTimeout
	// after the session ended, but reading it: wait three times as long.
	time.Sleep(3 * time.Second)

	// The router has closed the connection: what the socket buffers held
	// arrives, then EOF, before the 8 MiB that waited for it.
	_ = sub.conn.SetReadDeadline(time.Now().Add(testTimeout))
	n, err := io.Copy(io.Discard, sub.conn)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("after reading %d bytes: %v", n, err)
	}
	if n > budget*3/4 {
		t.Errorf("read %d bytes before EOF: the router kept writing to a client it should have dropped", n)
	}
	t.Logf("read %d KiB before EOF", n>>10)
}
