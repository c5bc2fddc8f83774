package runtime_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestRouterPingsLeaveSendsAlone is a regression test: gorilla answers a
// ping with a write that leaves a one-second deadline on the connection, so
// a client that let it answer the router's pings failed its next message
// sent more than a second after a ping (with a router keep-alive above a
// second, that is most messages). The transport answers pings itself.
func TestRouterPingsLeaveSendsAlone(t *testing.T) {
	const interval = 1500 * time.Millisecond
	r := newTestRouter(t, router.Config{KeepAlive: interval})
	callee := dialT(t, r.WebSocketURL(), runtime.Config{})
	caller := dialT(t, r.WebSocketURL(), runtime.Config{})
	const proc = "com.test.ping"
	rpcRegister(t, callee, proc, func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf("pong")}, nil
	})
	call := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if got := mustResult[string](t)(caller.Call(ctx, proc, wamp.Payload{}, wamp.Payload{})); got != "pong" {
			t.Fatalf("result %q", got)
		}
	}
	call()
	// The first ping comes at 1.5 s, the next at 3 s: at 2.7 s
	// the deadline a gorilla pong would have left has passed.
	time.Sleep(2*interval - 300*time.Millisecond)
	call()
	if caller.State() != runtime.StateJoined || callee.State() != runtime.StateJoined {
		t.Fatalf("states %v, %v", caller.State(), callee.State())
	}
}

// silentListener accepts connections and never answers them; it closes
// them when the test ends. It returns the listener's address.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var conns []net.Conn
	var mu sync.Mutex
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // accepted, never answered
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// TestHandshakeHonoursCancel is a regression test: the RawSocket handshake
// (and the WebSocket upgrade, which gorilla bounds by the context's
// deadline only) waited for the connection's deadline alone, so cancelling
// Dial's context, one without a deadline, did nothing until
// ResponseTimeout had passed.
func TestHandshakeHonoursCancel(t *testing.T) {
	for _, scheme := range []string{"tcp", "ws"} {
		t.Run(scheme, func(t *testing.T) {
			url := scheme + "://" + silentListener(t) + "/"
			if scheme == "tcp" {
				url = strings.TrimSuffix(url, "/")
			}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			s, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1", ResponseTimeout: 4 * time.Second})
			took := time.Since(start)
			if err == nil {
				s.Close()
				t.Fatal("Dial succeeded")
			}
			if took > 2*time.Second {
				t.Errorf("Dial returned %v after its context was cancelled at 100ms (took %v)", err, took)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Dial: %v; want context.Canceled", err)
			}
		})
	}
}

// TestWebSocketKeepAlivePongHandlerNoRace is a regression test: with
// KeepAlive set, the keep-alive goroutine installed the pong handler after
// dialWebSocket had returned, while the session read the same connection:
// a router's unsolicited PONG (allowed by RFC 6455 5.5.3 as a heartbeat)
// made gorilla read the handler concurrently. Fails under -race.
func TestWebSocketKeepAlivePongHandlerNoRace(t *testing.T) {
	up := websocket.Upgrader{Subprotocols: []string{wamp.JSON.Subprotocol()}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		conn.WriteControl(websocket.PongMessage, []byte("hb"), time.Now().Add(time.Second))
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			m, err := wamp.JSON.Decode(data)
			if err != nil {
				return
			}
			switch m.(type) {
			case *wamp.Hello:
				conn.WriteControl(websocket.PongMessage, []byte("hb"), time.Now().Add(time.Second))
				welcome, _ := wamp.JSON.Encode(&wamp.Welcome{Session: 1, Details: wamp.Dict{wamp.KeyRoles: wamp.Dict{wamp.RoleDealer: wamp.Dict{}}}})
				conn.WriteMessage(websocket.TextMessage, welcome)
				conn.WriteControl(websocket.PongMessage, []byte("hb"), time.Now().Add(time.Second))
			case *wamp.Goodbye:
				bye, _ := wamp.JSON.Encode(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseGoodbyeAndOut})
				conn.WriteMessage(websocket.TextMessage, bye)
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	for range 5 {
		s, err := runtime.Dial(testCtx(t), "ws"+strings.TrimPrefix(srv.URL, "http"), runtime.Config{Realm: "realm1", KeepAlive: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}
