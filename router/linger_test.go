package router_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gammazero/nexus/v3/wamp"
	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/router"
)

// The router ends a session for a protocol violation with ABORT, though the
// client has already sent more messages, which the router will never read:
// Wampy.js's progressiveCall sends its next chunks at once after a CALL
// with progress that is a violation. Closing a socket with unread bytes
// makes the kernel reset the connection, and a client that reads the ABORT
// only after the reset has arrived loses it. The router lingers instead
// (see peer.linger): it writes the ABORT, half-closes, and reads and
// discards what the client still sends, within a time and a byte bound.

// lingerViolation is a CALL with progress from a caller that did not
// announce progressive_call_invocations: a protocol violation.
const lingerViolation = `[48,1,{"progress":true},"com.test.p",["chunk 1"]]`

// trailingMessages returns n PUBLISHes of about 1 KiB each, what a client
// sends after its violation and before it reads.
func trailingMessages(n int) []string {
	pad := strings.Repeat("x", 1000)
	msgs := make([]string, n)
	for i := range msgs {
		msgs[i] = fmt.Sprintf(`[16,%d,{},"com.test.t",[%q]]`, i+2, pad)
	}
	return msgs
}

// checkViolationAbort checks that msg, JSON text, is the ABORT for
// lingerViolation.
func checkViolationAbort(t *testing.T, msg []byte) {
	t.Helper()
	var v []any
	if err := json.Unmarshal(msg, &v); err != nil || len(v) != 3 || v[0] != 3.0 || v[2] != string(wamp.ErrProtocolViolation) {
		t.Fatalf("want ABORT %s, got %s", wamp.ErrProtocolViolation, msg)
	}
	details, _ := v[1].(map[string]any)
	if m, _ := details["message"].(string); !strings.Contains(m, "did not announce progressive_call_invocations") {
		t.Fatalf("ABORT's message is %q, want the violation", m)
	}
}

// rsFrame returns msg in a RawSocket message frame.
func rsFrame(msg string) []byte {
	n := len(msg)
	return append([]byte{0, byte(n >> 16), byte(n >> 8), byte(n)}, msg...)
}

// waitWriter waits for the client's writer goroutine to be done, which it
// is when it has written everything or the router has closed the
// connection.
func waitWriter(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the client's writes did not end")
		return nil
	}
}

// The client writes its violation and 256 more messages in one go, and
// only then reads: the ABORT, with its reason, must be there, followed by
// the end of the connection.
func TestAbortDeliveredDespiteTrailingMessagesRawSocket(t *testing.T) {
	r := startRouter(t, router.Config{})
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)

	var burst []byte
	burst = append(burst, rsFrame(lingerViolation)...)
	for _, m := range trailingMessages(256) {
		burst = append(burst, rsFrame(m)...)
	}
	done := make(chan error, 1)
	go func() {
		_ = c.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		_, err := c.conn.Write(burst)
		done <- err
	}()
	if err := waitWriter(t, done); err != nil {
		t.Fatalf("the router did not read the client's messages to the end of its burst: %v", err)
	}
	v, raw, err := c.recvWithin(testTimeout)
	if err != nil {
		t.Fatalf("reading the ABORT: %v", err)
	}
	_ = v
	checkViolationAbort(t, []byte(raw))
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	if b, err := io.ReadAll(c.conn); err != nil || len(b) != 0 {
		t.Fatalf("after the ABORT, want the connection closed, read %q, %v", b, err)
	}
}

// The same over WebSocket: the ABORT, then a close frame.
func TestAbortDeliveredDespiteTrailingMessagesWebSocket(t *testing.T) {
	r := startRouter(t, router.Config{})
	c := dialRawJSON(t, r.WebSocketURL())
	c.join("realm1")

	done := make(chan error, 1)
	go func() {
		_ = c.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		err := c.conn.WriteMessage(websocket.TextMessage, []byte(lingerViolation))
		for _, m := range trailingMessages(256) {
			if err != nil {
				break
			}
			err = c.conn.WriteMessage(websocket.TextMessage, []byte(m))
		}
		done <- err
	}()
	if err := waitWriter(t, done); err != nil {
		t.Fatalf("the router did not read the client's messages to the end of its burst: %v", err)
	}
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	typ, msg, err := c.conn.ReadMessage()
	if err != nil {
		t.Fatalf("reading the ABORT: %v", err)
	}
	if typ != websocket.TextMessage {
		t.Fatalf("ABORT in frame type %d", typ)
	}
	checkViolationAbort(t, msg)
	_, _, err = c.conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("after the ABORT, want a close frame (1000), got %v", err)
	}
}

// A client that goes on sending after its violation, as fast as it can or
// a little at a time, never holds the connection: the router closes it
// within its bounds (about a second or a MiB, see peer.linger; the test
// allows far more, for a loaded machine).
func TestLingerBoundedAgainstEndlessSender(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pause time.Duration // between messages
	}{
		{"flood", 0},
		{"trickle", 20 * time.Millisecond},
	} {
		for _, transport := range []string{"rawsocket", "websocket"} {
			t.Run(tc.name+"/"+transport, func(t *testing.T) {
				r := startRouter(t, router.Config{})
				var conn net.Conn
				var send func(string) error
				switch transport {
				case "rawsocket":
					c := dialRSJSON(t, r, 15, 0)
					c.join(allRoles)
					conn = c.conn
					send = func(m string) error { _, err := conn.Write(rsFrame(m)); return err }
				case "websocket":
					c := dialRawJSON(t, r.WebSocketURL())
					c.join("realm1")
					conn = c.conn.NetConn()
					send = func(m string) error { return c.conn.WriteMessage(websocket.TextMessage, []byte(m)) }
				}
				stop := make(chan struct{})
				defer close(stop)
				done := make(chan error, 1)
				go func() {
					err := send(lingerViolation)
					pad := trailingMessages(1)[0]
					for err == nil {
						select {
						case <-stop:
							done <- errors.New("stopped by the test")
							return
						case <-time.After(tc.pause):
						}
						err = send(pad)
					}
					done <- err
				}()
				// The router's side ends: the client reads to the end of
				// the connection (EOF, or a reset once the router closes
				// with the client's bytes unread), and its writes fail.
				_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
				_, err := io.Copy(io.Discard, conn)
				if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
					t.Fatalf("the router still holds the connection of a client that keeps sending: %v", err)
				}
				if err := waitWriter(t, done); err == nil {
					t.Fatal("the client's writes ended without an error")
				}
			})
		}
	}
}

// A client that says GOODBYE and, pipelining, sends more before it reads
// the router's GOODBYE still gets that GOODBYE, then the end of the
// connection.
func TestGoodbyeDeliveredDespiteTrailingMessages(t *testing.T) {
	r := startRouter(t, router.Config{})
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)

	burst := rsFrame(`[6,{},"wamp.close.close_realm"]`)
	for _, m := range trailingMessages(256) {
		burst = append(burst, rsFrame(m)...)
	}
	done := make(chan error, 1)
	go func() {
		_ = c.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		_, err := c.conn.Write(burst)
		done <- err
	}()
	if err := waitWriter(t, done); err != nil {
		t.Fatalf("the router did not read the client's messages to the end of its burst: %v", err)
	}
	v := c.recv(6)
	if v[2] != string(wamp.CloseGoodbyeAndOut) {
		t.Fatalf("GOODBYE reason %v, want %s", v[2], wamp.CloseGoodbyeAndOut)
	}
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	if b, err := io.ReadAll(c.conn); err != nil || len(b) != 0 {
		t.Fatalf("after the GOODBYE, want the connection closed, read %q, %v", b, err)
	}
}
