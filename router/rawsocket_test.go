package router_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"
	"github.com/gorilla/websocket"
	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/router"
)

// rawSocket is a hand-written RawSocket client.
type rawSocket struct {
	t    testing.TB
	conn net.Conn
}

func dialRawSocket(t testing.TB, r *router.Router) *rawSocket {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(r.RawSocketURL(), "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(testTimeout))
	return &rawSocket{t: t, conn: conn}
}

func (c *rawSocket) write(b ...byte) {
	c.t.Helper()
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawSocket) read(n int) []byte {
	c.t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(c.conn, b); err != nil {
		c.t.Fatalf("reading %d bytes: %v", n, err)
	}
	return b
}

// handshake sends a handshake request and returns the reply.
func (c *rawSocket) handshake(b1 byte) []byte {
	c.t.Helper()
	c.write(0x7F, b1, 0, 0)
	return c.read(4)
}

func (c *rawSocket) writeFrame(typ byte, payload string) {
	c.t.Helper()
	n := len(payload)
	c.write(append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, payload...)...)
}

func (c *rawSocket) readFrame() (byte, string) {
	c.t.Helper()
	hdr := c.read(4)
	n := int(hdr[1])<<16 | int(hdr[2])<<8 | int(hdr[3])
	return hdr[0], string(c.read(n))
}

// expectEOF checks that the router closed the connection.
func (c *rawSocket) expectEOF() {
	c.t.Helper()
	b, err := io.ReadAll(c.conn)
	if err != nil || len(b) != 0 {
		c.t.Fatalf("want the connection closed, read %q, %v", b, err)
	}
}

// expectAbort checks that the router sends ABORT for a protocol violation
// and closes the connection.
func (c *rawSocket) expectAbort() {
	c.t.Helper()
	typ, msg := c.readFrame()
	var v []any
	if err := json.Unmarshal([]byte(msg), &v); typ != 0 || err != nil || len(v) != 3 || v[0] != 3.0 || v[2] != string(wamp.ErrProtocolViolation) {
		c.t.Fatalf("want ABORT protocol_violation, got frame %d %s", typ, msg)
	}
	c.expectEOF()
}

// rsJSON is a hand-written RawSocket client that speaks JSON and announces
// a length limit of its choice, so tests see exactly what the router sends
// within that limit.
type rsJSON struct {
	t    testing.TB
	conn net.Conn
}

// dialRSJSON connects to the router's TCP RawSocket listener, does the
// handshake announcing the length code maxCode (a limit of 2^(9+maxCode)
// bytes), and returns the client. rcvBuf, when positive, sets the socket's
// receive buffer before connecting, so that a client that stops reading
// stalls the router's writes sooner.
func dialRSJSON(t testing.TB, r *router.Router, maxCode byte, rcvBuf int) *rsJSON {
	t.Helper()
	d := net.Dialer{Timeout: testTimeout}
	if rcvBuf > 0 {
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvBuf)
			})
			if err != nil {
				return err
			}
			return serr
		}
	}
	conn, err := d.Dial("tcp", strings.TrimPrefix(r.RawSocketURL(), "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	c := &rsJSON{t: t, conn: conn}
	c.write([]byte{0x7F, maxCode<<4 | 1, 0, 0})
	_ = conn.SetReadDeadline(time.Now().Add(testTimeout))
	var reply [4]byte
	if _, err := io.ReadFull(conn, reply[:]); err != nil || reply[0] != 0x7F || reply[1]&0x0F != 1 {
		t.Fatalf("handshake reply % x, %v", reply, err)
	}
	return c
}

func (c *rsJSON) write(b []byte) {
	c.t.Helper()
	_ = c.conn.SetWriteDeadline(time.Now().Add(testTimeout))
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

// send writes msg, JSON text, in a message frame.
func (c *rsJSON) send(msg string) {
	c.t.Helper()
	if !json.Valid([]byte(msg)) {
		c.t.Fatalf("test bug: invalid JSON %s", msg)
	}
	n := len(msg)
	c.write(append([]byte{0, byte(n >> 16), byte(n >> 8), byte(n)}, msg...))
}

// recvWithin returns the next message, and its text, waiting at most d.
// PING frames are skipped (and not answered).
func (c *rsJSON) recvWithin(d time.Duration) ([]any, string, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(d))
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(c.conn, hdr[:]); err != nil {
			return nil, "", err
		}
		b := make([]byte, int(hdr[1])<<16|int(hdr[2])<<8|int(hdr[3]))
		if _, err := io.ReadFull(c.conn, b); err != nil {
			return nil, "", err
		}
		if hdr[0]&7 != 0 {
			continue
		}
		var v []any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, string(b), fmt.Errorf("router sent invalid JSON %s: %w", b, err)
		}
		return v, string(b), nil
	}
}

// recv returns the next message, which must be of the given type.
func (c *rsJSON) recv(code int) []any {
	c.t.Helper()
	v, raw, err := c.recvWithin(testTimeout)
	if err != nil {
		c.t.Fatalf("waiting for message %d: %v", code, err)
	}
	if len(v) == 0 || v[0] != float64(code) {
		c.t.Fatalf("got %s, want message type %d", raw, code)
	}
	return v
}

// join joins realm1 announcing roles, a JSON dict.
func (c *rsJSON) join(roles string) {
	c.t.Helper()
	c.send(`[1,"realm1",{"roles":` + roles + `}]`)
	c.recv(2)
}

// allRoles announces every client role, with no features.
const allRoles = `{"caller":{},"callee":{},"publisher":{},"subscriber":{}}`

func TestRawSocketHandshake(t *testing.T) {
	r := startRouter(t, router.Config{})
	tests := []struct {
		name  string
		req   []byte
		reply []byte // nil: connection closed without reply
	}{
		{"json", []byte{0x7F, 0xF1, 0, 0}, []byte{0x7F, 0xF1, 0, 0}},
		{"msgpack small client limit", []byte{0x7F, 0x02, 0, 0}, []byte{0x7F, 0xF2, 0, 0}},
		{"cbor", []byte{0x7F, 0x53, 0, 0}, []byte{0x7F, 0xF3, 0, 0}},
		{"unsupported serializer", []byte{0x7F, 0xF4, 0, 0}, []byte{0x7F, 0x10, 0, 0}},
		{"reserved serializer", []byte{0x7F, 0xFF, 0, 0}, []byte{0x7F, 0x10, 0, 0}},
		{"reserved bits", []byte{0x7F, 0xF1, 0, 1}, []byte{0x7F, 0x30, 0, 0}},
		{"illegal serializer", []byte{0x7F, 0xF0, 0, 0}, nil},
		{"not rawsocket", []byte("GET "), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := dialRawSocket(t, r)
			c.write(tt.req...)
			if tt.reply == nil {
				c.expectEOF()
				return
			}
			if got := c.read(4); !bytes.Equal(got, tt.reply) {
				t.Fatalf("reply % x, want % x", got, tt.reply)
			}
			if tt.reply[1]&0x0F == 0 {
				c.expectEOF() // an error reply ends the connection
			}
		})
	}
}

func TestRawSocketFraming(t *testing.T) {
	// 1000 bytes is announced as 1024, the next RawSocket length.
	r := startRouter(t, router.Config{MaxMessageSize: 1000})
	hello := func(size int) string {
		msg := `[1,"realm1",{"roles":{"caller":{}},"pad":""}]`
		return strings.Replace(msg, `""`, `"`+strings.Repeat("x", size-len(msg))+`"`, 1)
	}

	t.Run("ping pong and a message at the limit", func(t *testing.T) {
		t.Parallel()
		c := dialRawSocket(t, r)
		if got := c.handshake(0xF1); !bytes.Equal(got, []byte{0x7F, 0x11, 0, 0}) {
			t.Fatalf("handshake reply % x, want 7f 11 00 00", got)
		}
		c.writeFrame(1, "abc")
		if typ, payload := c.readFrame(); typ != 2 || payload != "abc" {
			t.Fatalf("PING answered with frame %d %q, want PONG abc", typ, payload)
		}
		c.writeFrame(2, "unsolicited pong, ignored")
		c.writeFrame(0, hello(1024))
		if typ, msg := c.readFrame(); typ != 0 || !strings.HasPrefix(msg, "[2,") {
			t.Fatalf("want WELCOME, got frame %d %s", typ, msg)
		}
	})

	violations := map[string]func(c *rawSocket){
		"message over the limit": func(c *rawSocket) { c.writeFrame(0, hello(1025)) },
		"16M length bit":         func(c *rawSocket) { c.write(0x08, 0, 0, 0) },
		"reserved frame type":    func(c *rawSocket) { c.writeFrame(3, "") },
		"reserved header bits":   func(c *rawSocket) { c.writeFrame(0x10, "[]") },
		"invalid JSON":           func(c *rawSocket) { c.writeFrame(0, `[1,"realm1",{}`) },
		"not a list":             func(c *rawSocket) { c.writeFrame(0, `{"hello":1}`) },
		"missing element":        func(c *rawSocket) { c.writeFrame(0, `[1,"realm1"]`) },
		"unknown message type":   func(c *rawSocket) { c.writeFrame(0, `[99,"realm1",{}]`) },
	}
	for name, violate := range violations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := dialRawSocket(t, r)
			c.handshake(0xF1)
			violate(c)
			c.expectAbort()
		})
	}
}

func TestWebSocketMessageLimit(t *testing.T) {
	r := startRouter(t, router.Config{MaxMessageSize: 1000})
	c := dialRawJSON(t, r.WebSocketURL())
	c.send(`[1,"realm1",{"pad":"` + strings.Repeat("x", 1000) + `"}]`)
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	_, _, err := c.conn.ReadMessage()
	if ce, ok := errors.AsType[*websocket.CloseError](err); !ok || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("want close 1009 (message too big), got %v", err)
	}
}

// TestClientMessageLimit checks that the router never sends a RawSocket
// client more than it announced, and that the call concerned fails with
// wamp.error.payload_size_exceeded instead of hanging.
func TestClientMessageLimit(t *testing.T) {
	r := startRouter(t, router.Config{})
	ctx := context.Background()
	big := strings.Repeat("x", 4000)

	bigCallee := dial(t, r.WebSocketURL(), client.Config{Serialization: serialize.MSGPACK})
	if err := bigCallee.Register("test.big", func(context.Context, *wamp.Invocation) client.InvokeResult {
		return client.InvokeResult{Args: wamp.List{big}}
	}, nil); err != nil {
		t.Fatal(err)
	}
	if err := bigCallee.Register("test.echo", echo, nil); err != nil {
		t.Fatal(err)
	}
	invoked := make(chan struct{}, 1)
	smallCallee := dial(t, r.RawSocketURL(), client.Config{Serialization: serialize.CBOR, RecvLimit: 2048})
	if err := smallCallee.Register("test.small", func(_ context.Context, inv *wamp.Invocation) client.InvokeResult {
		invoked <- struct{}{}
		return client.InvokeResult{Args: inv.Arguments}
	}, nil); err != nil {
		t.Fatal(err)
	}

	wantExceeded := func(err error) {
		t.Helper()
		rpcErr, ok := errors.AsType[client.RPCError](err)
		if !ok || rpcErr.Err.Error != "wamp.error.payload_size_exceeded" {
			t.Fatalf("want wamp.error.payload_size_exceeded, got %v", err)
		}
	}

	// RESULT too large for the caller.
	smallCaller := dial(t, r.RawSocketURL(), client.Config{Serialization: serialize.MSGPACK, RecvLimit: 2048})
	_, err := smallCaller.Call(ctx, "test.big", nil, nil, nil, nil)
	wantExceeded(err)
	res, err := smallCaller.Call(ctx, "test.echo", nil, wamp.List{"small"}, nil, nil)
	if err != nil || res.Arguments[0] != "small" {
		t.Fatalf("small call after the refused one: %v %v", res, err)
	}

	// INVOCATION too large for the callee.
	caller := dial(t, r.WebSocketURL(), client.Config{Serialization: serialize.JSON})
	_, err = caller.Call(ctx, "test.small", nil, wamp.List{big}, nil, nil)
	wantExceeded(err)
	select {
	case <-invoked:
		t.Fatal("callee received a message larger than it accepts")
	default:
	}
	res, err = caller.Call(ctx, "test.small", nil, wamp.List{"fits"}, nil, nil)
	if err != nil || res.Arguments[0] != "fits" {
		t.Fatalf("small call after the refused one: %v %v", res, err)
	}
}

// callPair joins a callee that accepts any size and registers com.test.p,
// and a caller that announces the RawSocket length code callerCode; the
// caller calls com.test.p as request 7. It returns both clients and the
// INVOCATION's request ID.
func callPair(t *testing.T, r *router.Router, callerCode byte) (callee, caller *rsJSON, inv int64) {
	t.Helper()
	callee = dialRSJSON(t, r, 15, 0)
	callee.join(allRoles)
	callee.send(`[64,1,{},"com.test.p"]`)
	callee.recv(65)
	caller = dialRSJSON(t, r, callerCode, 0)
	caller.join(allRoles)
	caller.send(`[48,7,{},"com.test.p",[]]`)
	return callee, caller, int64(callee.recv(68)[1].(float64))
}

// TestUndeliverableErrorWithSizeURI checks that a callee's ERROR too large
// for the caller is replaced by ERROR wamp.error.payload_size_exceeded
// whatever its own URI. One that already had that URI was taken for the
// router's own replacement that did not fit, and dropped: the call never
// ended.
func TestUndeliverableErrorWithSizeURI(t *testing.T) {
	for _, uri := range []string{"com.test.error", "wamp.error.payload_size_exceeded"} {
		t.Run(uri, func(t *testing.T) {
			// A router of its own: the last subtest's callee may not be
			// gone yet, and com.test.p with it.
			r := startRouter(t, router.Config{})
			callee, caller, inv := callPair(t, r, 1) // the caller accepts 1024 bytes
			callee.send(fmt.Sprintf(`[8,68,%d,{},%q,[%q]]`, inv, uri, strings.Repeat("x", 2000)))
			v := caller.recv(8)
			if v[1] != 48.0 || v[2] != 7.0 || v[4] != "wamp.error.payload_size_exceeded" {
				t.Fatalf("caller got %v, want ERROR payload_size_exceeded for its CALL", v)
			}
		})
	}
}

// TestWelcomeOverClientLimit checks what a RawSocket client that accepts
// only 512 bytes, the least it may announce, gets in answer to HELLO: the
// router's WELCOME (about 700 bytes) without the roles' feature lists, and
// a working session; or, when even that is too large, ABORT and a closed
// connection. The WELCOME used to be dropped, leaving the client waiting
// for good.
func TestWelcomeOverClientLimit(t *testing.T) {
	longID := strings.Repeat("u", 600)
	r := startRouter(t, withAnonymousMeta(router.Config{Realms: []router.RealmConfig{{
		Name:      "realm1",
		Anonymous: true,
		Users:     []router.User{{AuthID: longID, Ticket: "secret"}},
	}}}))

	t.Run("trimmed", func(t *testing.T) {
		c := dialRSJSON(t, r, 0, 0)
		c.send(`[1,"realm1",{"roles":{"caller":{}}}]`)
		v := c.recv(2)
		roles, _ := v[2].(map[string]any)["roles"].(map[string]any)
		if len(roles) == 0 {
			t.Fatalf("WELCOME without roles: %v", v)
		}
		for role, d := range roles {
			if len(d.(map[string]any)) != 0 {
				t.Errorf("role %s keeps %v", role, d)
			}
		}
		c.send(`[48,1,{},"wamp.session.count",[]]`)
		if v := c.recv(50); v[1] != 1.0 {
			t.Fatalf("got %v, want RESULT for request 1", v)
		}
	})

	t.Run("abort", func(t *testing.T) {
		c := dialRSJSON(t, r, 0, 0)
		c.send(`[1,"realm1",{"roles":{"caller":{}},"authmethods":["ticket"],"authid":"` + longID + `"}]`)
		c.recv(4) // CHALLENGE
		c.send(`[5,"secret",{}]`)
		v := c.recv(3)
		if v[2] != "wamp.error.payload_size_exceeded" {
			t.Errorf("got %v, want ABORT payload_size_exceeded", v)
		}
		if _, raw, err := c.recvWithin(testTimeout); err != io.EOF {
			t.Errorf("after ABORT: %s, %v; want the connection closed", raw, err)
		}
	})
}

// TestUndeliverableProgressiveResult checks that a progressive RESULT too
// large for the caller ends the call for good: the caller gets ERROR
// wamp.error.payload_size_exceeded, the callee gets INTERRUPT (the router
// cancels the call with mode kill on the caller's behalf), and whatever
// the callee sends afterwards for the call is not passed on. The caller
// used to receive the final RESULT of a request that had already failed,
// and the callee went on working.
func TestUndeliverableProgressiveResult(t *testing.T) {
	r := startRouter(t, withAnonymousMeta(router.Config{}))
	for _, answer := range []string{"yield", "error"} {
		t.Run(answer, func(t *testing.T) {
			callee := dialRSJSON(t, r, 15, 0)
			callee.join(`{"callee":{"features":{"progressive_call_results":true,"call_canceling":true}}}`)
			callee.send(`[64,1,{},"com.test.` + answer + `"]`)
			callee.recv(65)
			caller := dialRSJSON(t, r, 1, 0) // accepts 1024 bytes
			caller.join(`{"caller":{"features":{"progressive_call_results":true,"call_canceling":true}}}`)
			caller.send(`[48,7,{"receive_progress":true},"com.test.` + answer + `",[]]`)
			inv := int64(callee.recv(68)[1].(float64))

			callee.send(fmt.Sprintf(`[70,%d,{"progress":true},["small"]]`, inv))
			if v := caller.recv(50); v[1] != 7.0 {
				t.Fatalf("caller got %v, want the first progressive RESULT", v)
			}
			callee.send(fmt.Sprintf(`[70,%d,{"progress":true},[%q]]`, inv, strings.Repeat("x", 2000)))
			if v := caller.recv(8); v[1] != 48.0 || v[2] != 7.0 || v[4] != "wamp.error.payload_size_exceeded" {
				t.Fatalf("caller got %v, want ERROR payload_size_exceeded for request 7", v)
			}
			if v := callee.recv(69); v[1] != float64(inv) || v[2].(map[string]any)["mode"] != "kill" {
				t.Fatalf("callee got %v, want INTERRUPT mode kill for its INVOCATION", v)
			}

			// The callee sends more before it stops, then answers.
			callee.send(fmt.Sprintf(`[70,%d,{"progress":true},["late"]]`, inv))
			if answer == "yield" {
				callee.send(fmt.Sprintf(`[70,%d,{},["done"]]`, inv))
			} else {
				callee.send(fmt.Sprintf(`[8,68,%d,{},"wamp.error.canceled"]`, inv))
			}
			// The call is over for the caller; its next one works.
			caller.send(`[48,8,{},"wamp.session.count",[]]`)
			if v, raw, err := caller.recvWithin(testTimeout); err != nil || v[0] != 50.0 || v[1] != 8.0 {
				t.Fatalf("caller got %s (%v), want only the RESULT of its next call", raw, err)
			}
			if _, raw, err := caller.recvWithin(300 * time.Millisecond); err == nil {
				t.Fatalf("caller got %s, want nothing more", raw)
			}
		})
	}
}

// TestInvalidUTF8KeysRefused checks that a MessagePack client's PUBLISH
// with two dict keys that are not UTF-8 ends its session with ABORT
// wamp.error.protocol_violation instead of reaching a JSON subscriber,
// which received both keys as "\uFFFD": a JSON object with a duplicate key,
// one of the two values lost, which one at random.
func TestInvalidUTF8KeysRefused(t *testing.T) {
	r := startRouter(t, router.Config{})
	sub := dialRSJSON(t, r, 15, 0)
	sub.join(allRoles)
	sub.send(`[32,1,{},"com.test.topic"]`)
	sub.recv(33)

	mh := &codec.MsgpackHandle{WriteExt: true}
	mh.RawToString = true
	enc := func(v any) string {
		var b []byte
		if err := codec.NewEncoderBytes(&b, mh).Encode(v); err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	pub := dialRawSocket(t, r)
	if reply := pub.handshake(0xF2); reply[1] != 0xF2 {
		t.Fatalf("handshake reply % x", reply)
	}
	pub.writeFrame(0, enc([]any{1, "realm1", map[string]any{"roles": map[string]any{"publisher": map[string]any{}}}}))
	if typ, msg := pub.readFrame(); typ != 0 || msg[1] != 2 {
		t.Fatalf("want WELCOME, got frame %d % x", typ, msg)
	}
	pub.writeFrame(0, enc([]any{16, 1, map[string]any{}, "com.test.topic", []any{}, map[string]any{"\x92": 1, "\xa1": 2}}))
	typ, msg := pub.readFrame()
	var abort []any
	if err := codec.NewDecoderBytes([]byte(msg), mh).Decode(&abort); typ != 0 || err != nil ||
		len(abort) != 3 || abort[2] != string(wamp.ErrProtocolViolation) {
		t.Fatalf("want ABORT protocol_violation, got frame %d %v (%v)", typ, abort, err)
	}
	pub.expectEOF()
	if _, raw, err := sub.recvWithin(300 * time.Millisecond); err == nil {
		t.Errorf("JSON subscriber received %s", raw)
	}
}
