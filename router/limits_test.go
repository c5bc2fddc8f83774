package router_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"

	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/router"
)

// closedWithin reads from c until the router closes it, and reports
// whether that happened within d. Whatever the router sends before is
// discarded.
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// TestHTTPIdleConnectionClosed: a keep-alive connection that has had its
// answer and sends nothing more is closed after IdleTimeout. It used to
// wait for its next request forever.
func TestHTTPIdleConnectionClosed(t *testing.T) {
	r := startRouter(t, router.Config{IdleTimeout: 200 * time.Millisecond})
	c, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(r.WebSocketURL(), "ws://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: router\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	rsp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, rsp.Body)
	if rsp.StatusCode != http.StatusBadRequest || rsp.Close {
		t.Fatalf("status %d, close %v; want a 400 on a kept-alive connection", rsp.StatusCode, rsp.Close)
	}
	start := time.Now()
	if !closedWithin(c, 3*time.Second) {
		t.Fatal("idle keep-alive connection still open after 3s")
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("closed after %v, before the idle timeout", d)
	}
}

// TestHTTPSlowBodyCut: a request whose body trickles in is cut after
// HandshakeTimeout, however steadily it trickles.
func TestHTTPSlowBodyCut(t *testing.T) {
	r := startRouter(t, router.Config{HandshakeTimeout: 300 * time.Millisecond})
	c, err := net.Dial("tcp", wsAddr(r))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: router\r\nContent-Length: 1000\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, c)
		close(closed)
	}()
	deadline := time.After(3 * time.Second)
	for tick := time.NewTicker(50 * time.Millisecond); ; {
		select {
		case <-closed:
			return
		case <-deadline:
			t.Fatal("a body trickling in for 3s was not cut")
		case <-tick.C:
			_, _ = c.Write([]byte("x"))
		}
	}
}

// TestHTTPSlowHeadersCut: so are request headers.
func TestHTTPSlowHeadersCut(t *testing.T) {
	r := startRouter(t, router.Config{HandshakeTimeout: 300 * time.Millisecond})
	c, err := net.Dial("tcp", wsAddr(r))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\n")
	if !closedWithin(c, 3*time.Second) {
		t.Fatal("unfinished request headers kept the connection open for 3s")
	}
}

// TestRawSocketHandshakeTimeout: a RawSocket client that never completes
// its handshake is disconnected after HandshakeTimeout.
func TestRawSocketHandshakeTimeout(t *testing.T) {
	r := startRouter(t, router.Config{HandshakeTimeout: 300 * time.Millisecond})
	c, err := net.Dial("tcp", strings.TrimPrefix(r.RawSocketURL(), "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte{0x7F})
	if !closedWithin(c, 3*time.Second) {
		t.Fatal("half a RawSocket handshake kept the connection open for 3s")
	}
}

func wsAddr(r *router.Router) string {
	return strings.TrimSuffix(strings.TrimPrefix(r.WebSocketURL(), "ws://"), "/")
}

// rsHandshake opens a RawSocket connection and returns the router's
// handshake reply, or an error if the connection ended without one.
func rsHandshake(t *testing.T, addr string) (net.Conn, []byte, error) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.Write([]byte{0x7F, 0xF1, 0, 0}); err != nil {
		return c, nil, err
	}
	_ = c.SetReadDeadline(time.Now().Add(testTimeout))
	reply := make([]byte, 4)
	if _, err := io.ReadFull(c, reply); err != nil {
		return c, nil, err
	}
	return c, reply, nil
}

// TestConnectionCap: MaxConnections counts HTTP, WebSocket and RawSocket
// connections together. Over the cap, an HTTP client gets 503 and a
// RawSocket client the handshake error "maximum connection count reached",
// at once, and a new connection is taken once one has closed.
func TestConnectionCap(t *testing.T) {
	r := startRouter(t, router.Config{MaxConnections: 2})
	rsAddr := strings.TrimPrefix(r.RawSocketURL(), "tcp://")

	// One WebSocket session and one RawSocket connection fill the cap.
	ws := dialRawJSON(t, r.WebSocketURL())
	ws.join(router.DefaultRealm)
	_, reply, err := rsHandshake(t, rsAddr)
	if err != nil || reply[0] != 0x7F || reply[1]&0x0F != 1 {
		t.Fatalf("RawSocket handshake within the cap: reply %x, %v", reply, err)
	}

	// Over the cap: HTTP.
	c, err := net.Dial("tcp", wsAddr(r))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: router\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(testTimeout))
	rsp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("over the cap, HTTP: %v; want a 503", err)
	}
	if rsp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("over the cap, HTTP status %d; want 503", rsp.StatusCode)
	}
	if !closedWithin(c, 3*time.Second) {
		t.Error("refused HTTP connection left open")
	}

	// Over the cap: RawSocket.
	start := time.Now()
	_, reply, err = rsHandshake(t, rsAddr)
	if err != nil {
		t.Fatalf("over the cap, RawSocket: %v; want the handshake error", err)
	}
	if reply[0] != 0x7F || reply[1] != 0x40 || time.Since(start) > time.Second {
		t.Errorf("over the cap, RawSocket reply %x after %v; want 7f400000 at once", reply, time.Since(start))
	}

	// The WebSocket client leaves; a new client gets in.
	_ = ws.conn.Close()
	deadline := time.Now().Add(testTimeout)
	for {
		_, reply, err = rsHandshake(t, rsAddr)
		if err == nil && reply[1]&0x0F == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection taken after one closed: reply %x, %v", reply, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConnectionCapHandler: Handler on another server counts its
// WebSocket sessions against MaxConnections too, and refuses with 503.
func TestConnectionCapHandler(t *testing.T) {
	r, err := router.Start(context.Background(), router.Config{MaxConnections: 1})
	if err != nil {
		t.Fatal(err)
	}
	closeAtCleanup(t, r)
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	first := dialRawJSON(t, url)
	first.join(router.DefaultRealm)
	d := websocket.Dialer{Subprotocols: []string{"wamp.2.json"}, HandshakeTimeout: testTimeout}
	_, rsp, err := d.Dial(url, nil)
	if err == nil || rsp == nil || rsp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("second session over a cap of 1: %v, %v; want 503", rsp, err)
	}
	_ = first.conn.Close()
	deadline := time.Now().Add(testTimeout)
	for {
		conn, _, err := d.Dial(url, nil)
		if err == nil {
			_ = conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no session taken after one closed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebSocketOutlivesHTTPTimeouts: the HTTP server's deadlines do not
// reach into a WebSocket session, on the router's listener or on another
// server's. The deadlines are 2 s, so that a loaded machine completes the
// handshake within them (with 100 ms it could not always); the sessions,
// run in parallel, then outlive them by a second.
func TestWebSocketOutlivesHTTPTimeouts(t *testing.T) {
	const timeout = 2 * time.Second
	r := startRouter(t, withAnonymousMeta(router.Config{HandshakeTimeout: timeout, IdleTimeout: timeout}))
	own := &http.Server{
		Handler:      r.Handler(),
		ReadTimeout:  timeout,
		WriteTimeout: timeout,
		IdleTimeout:  timeout,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = own.Serve(ln) }()
	t.Cleanup(func() { _ = own.Close() })

	for name, url := range map[string]string{"listener": r.WebSocketURL(), "handler": "ws://" + ln.Addr().String() + "/"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := dialRawJSON(t, url)
			c.join(router.DefaultRealm)
			time.Sleep(timeout + time.Second)
			c.send(`[48,1,{},"wamp.session.count"]`)
			c.recv(50)
		})
	}
}
