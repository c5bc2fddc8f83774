package router_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"
	"github.com/gorilla/websocket"
	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/router"
)

// deepChildEnv marks the child process in which
// TestDeeplyNestedFramesDoNotCrashRouter runs its router.
const deepChildEnv = "WAMPGEN_DEEP_NESTING_CHILD"

// deepFrames are the hostile messages of TestDeeplyNestedFramesDoNotCrashRouter,
// by serializer (RawSocket serializer ID): each a few hundred kilobytes of
// nesting far beyond the router's limit. The first is the frame of issue 11:
// 800,000 CBOR tags around the integer 1, which the codec decodes with one
// recursion per tag, unbounded by its depth limit, until the Go runtime ends
// the process with "fatal error: stack overflow".
var deepFrames = []struct {
	name string
	ser  byte
	data []byte
}{
	{"cbor-tags", 3, append(bytes.Repeat([]byte{0xc6}, 800_000), 0x01)},
	{"cbor-tag-64-chain", 3, append(bytes.Repeat([]byte{0xd8, 0x40}, 400_000), 0x40)},
	{"cbor-lists", 3, append(bytes.Repeat([]byte{0x81}, 800_000), 0x01)},
	{"cbor-indefinite-lists", 3, append(bytes.Repeat([]byte{0x9f}, 800_000), 0x01)},
	{"cbor-dicts", 3, append(bytes.Repeat([]byte{0xa1, 0x61, 'k'}, 300_000), 0x01)},
	{"msgpack-lists", 2, append(bytes.Repeat([]byte{0x91}, 800_000), 0x01)},
	{"msgpack-dicts", 2, append(bytes.Repeat([]byte{0x81, 0xa1, 'k'}, 300_000), 0x01)},
	{"json-lists", 1, []byte(strings.Repeat("[", 800_000) + strings.Repeat("]", 800_000))},
	{"json-dicts", 1, []byte(strings.Repeat(`{"k":`, 200_000) + "1" + strings.Repeat("}", 200_000))},
	// Before HELLO, a frame over 64 KiB is refused for its size before it
	// is decoded (see maxHandshakeMessage); these stay under that, so the
	// nesting rule is what refuses them.
	{"cbor-tags-small", 3, append(bytes.Repeat([]byte{0xc6}, 60_000), 0x01)},
	{"msgpack-lists-small", 2, append(bytes.Repeat([]byte{0x91}, 60_000), 0x01)},
	{"json-lists-small", 1, []byte(strings.Repeat("[", 30_000) + strings.Repeat("]", 30_000))},
	// Inside the Arguments of a CALL after WELCOME, where the passthrough
	// path looks first: [48, 1, {}, "com.x", [tags...]].
	{"cbor-tags-in-call", 3, append(append([]byte{0x85, 0x18, 0x30, 0x01, 0xa0, 0x65, 'c', 'o', 'm', '.', 'x', 0x81},
		bytes.Repeat([]byte{0xc6}, 800_000)...), 0x01)},
	{"msgpack-lists-in-call", 2, append(append([]byte{0x95, 0x30, 0x01, 0x80, 0xa5, 'c', 'o', 'm', '.', 'x', 0x91},
		bytes.Repeat([]byte{0x91}, 800_000)...), 0x01)},
}

// TestDeeplyNestedFramesDoNotCrashRouter sends each of deepFrames to an
// embedded router, over WebSocket and over RawSocket, before HELLO and
// after WELCOME, and checks that the client gets ABORT
// wamp.error.protocol_violation and that another client's session keeps
// working.
//
// Before the fix the first frame ended the whole process with a stack
// overflow, which no recover can catch. So that such a failure is reported
// as a failure of this test, not as a crash of the package's test binary,
// the router runs in a child process (this test binary, run again for this
// test only); the parent fails the test with the child's output when the
// child fails or dies.
func TestDeeplyNestedFramesDoNotCrashRouter(t *testing.T) {
	if os.Getenv(deepChildEnv) == "1" {
		deepNestingScenario(t)
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^TestDeeplyNestedFramesDoNotCrashRouter$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), deepChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the router's process failed (%v):\n%s", err, excerpt(out))
	}
	if !bytes.Contains(out, []byte("--- PASS: TestDeeplyNestedFramesDoNotCrashRouter")) {
		t.Fatalf("the child process did not run the test:\n%s", excerpt(out))
	}
}

// excerpt returns what explains a failed child: for a crash, the fatal
// error and the top of its stack, not the million frames after; else the
// end of its output, where the test's failures are.
func excerpt(out []byte) string {
	const max = 6000
	if i := bytes.Index(out, []byte("fatal error")); i >= 0 {
		out = out[i:]
		if len(out) > max {
			return string(out[:max]) + "\n[...]"
		}
		return string(out)
	}
	if len(out) > max {
		return "[...]\n" + string(out[len(out)-max:])
	}
	return string(out)
}

// deepNestingScenario is the body of TestDeeplyNestedFramesDoNotCrashRouter
// in the child process.
func deepNestingScenario(t *testing.T) {
	r := startRouter(t, router.Config{})
	ctx := context.Background()

	// The bystanders: a callee and a caller, both on CBOR, which stay
	// connected through every attack.
	callee := dial(t, r.WebSocketURL(), client.Config{Serialization: serialize.CBOR})
	if err := callee.Register("test.echo", echo, nil); err != nil {
		t.Fatal(err)
	}
	caller := dial(t, r.RawSocketURL(), client.Config{Serialization: serialize.CBOR})
	checkBystander := func(t *testing.T) {
		t.Helper()
		res, err := caller.Call(ctx, "test.echo", nil, wamp.List{"still here"}, nil, nil)
		if err != nil || len(res.Arguments) != 1 || res.Arguments[0] != "still here" {
			t.Fatalf("bystander's call after the attack: %v, %v", res, err)
		}
	}

	for _, tc := range deepFrames {
		afterWelcome := strings.HasSuffix(tc.name, "-in-call")
		for _, via := range []string{"websocket", "rawsocket"} {
			t.Run(tc.name+"/"+via, func(t *testing.T) {
				var c hostileClient
				if via == "websocket" {
					c = dialHostileWS(t, r, tc.ser)
				} else {
					c = dialHostileRS(t, r, tc.ser)
				}
				if afterWelcome {
					c.send(t, encodeFor(t, tc.ser, []any{1, "realm1", map[string]any{"roles": map[string]any{"caller": map[string]any{}}}}))
					if m := c.recv(t); len(m) == 0 || !isCode(m[0], 2) {
						t.Fatalf("want WELCOME, got %v", m)
					}
				}
				if !afterWelcome && len(tc.data) > 64<<10 {
					// Refused at its header, before its payload is read:
					// the router aborts and closes while the client may
					// still be sending, so it sees the ABORT or a reset.
					_ = c.write(tc.data)
					b, err := c.read()
					if err == nil {
						m := decodeFrom(t, tc.ser, b)
						if len(m) != 3 || !isCode(m[0], 3) || !strings.Contains(fmt.Sprint(m[1]), "before the session is established exceeds") {
							t.Fatalf("want ABORT for the size, got %v", m)
						}
					} else if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
						t.Fatalf("connection still open: %v", err)
					}
					checkBystander(t)
					return
				}
				c.send(t, tc.data)
				m := c.recv(t)
				if len(m) != 3 || !isCode(m[0], 3) || m[2] != string(wamp.ErrProtocolViolation) {
					t.Fatalf("want ABORT %s, got %v", wamp.ErrProtocolViolation, m)
				}
				if !strings.Contains(fmt.Sprint(m[1]), "nested deeper than") {
					t.Errorf("ABORT details %v do not say why", m[1])
				}
				c.expectClosed(t)
				checkBystander(t)
			})
		}
	}
}

// hostileClient writes hand-made frames and reads the router's replies in
// one of the three serializers.
type hostileClient interface {
	write(data []byte) error // one message
	read() ([]byte, error)   // the next message
	send(t *testing.T, data []byte)
	recv(t *testing.T) []any   // the next message, decoded
	expectClosed(t *testing.T) // the router closed the connection
}

var testHandles = map[byte]codec.Handle{
	1: &codec.JsonHandle{},
	2: &codec.MsgpackHandle{WriteExt: true, BasicHandle: codec.BasicHandle{DecodeOptions: codec.DecodeOptions{RawToString: true}}},
	3: &codec.CborHandle{},
}

func encodeFor(t *testing.T, ser byte, v any) []byte {
	t.Helper()
	var b []byte
	if err := codec.NewEncoderBytes(&b, testHandles[ser]).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeFrom(t *testing.T, ser byte, b []byte) []any {
	t.Helper()
	var v []any
	if err := codec.NewDecoderBytes(b, testHandles[ser]).Decode(&v); err != nil {
		t.Fatalf("router sent undecodable % x: %v", b[:min(len(b), 64)], err)
	}
	return v
}

// isCode reports whether v, a decoded message type, is code.
func isCode(v any, code int) bool {
	switch n := v.(type) {
	case uint64:
		return n == uint64(code)
	case int64:
		return n == int64(code)
	case float64:
		return n == float64(code)
	}
	return false
}

type hostileWS struct {
	ser  byte
	conn *websocket.Conn
}

func dialHostileWS(t *testing.T, r *router.Router, ser byte) *hostileWS {
	t.Helper()
	proto := map[byte]string{1: "wamp.2.json", 2: "wamp.2.msgpack", 3: "wamp.2.cbor"}[ser]
	d := websocket.Dialer{Subprotocols: []string{proto}, HandshakeTimeout: testTimeout}
	conn, _, err := d.Dial(r.WebSocketURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if conn.Subprotocol() != proto {
		t.Fatalf("negotiated %q, want %q", conn.Subprotocol(), proto)
	}
	return &hostileWS{ser: ser, conn: conn}
}

func (c *hostileWS) write(data []byte) error {
	typ := websocket.BinaryMessage
	if c.ser == 1 {
		typ = websocket.TextMessage
	}
	_ = c.conn.SetWriteDeadline(time.Now().Add(testTimeout))
	return c.conn.WriteMessage(typ, data)
}

func (c *hostileWS) read() ([]byte, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	_, b, err := c.conn.ReadMessage()
	return b, err
}

func (c *hostileWS) send(t *testing.T, data []byte) {
	t.Helper()
	if err := c.write(data); err != nil {
		t.Fatal(err)
	}
}

func (c *hostileWS) recv(t *testing.T) []any {
	t.Helper()
	b, err := c.read()
	if err != nil {
		t.Fatalf("want a message, got %v", err)
	}
	return decodeFrom(t, c.ser, b)
}

func (c *hostileWS) expectClosed(t *testing.T) {
	t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	_, b, err := c.conn.ReadMessage()
	if err == nil {
		t.Fatalf("want the connection closed, got a message % x", b[:min(len(b), 64)])
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		t.Fatalf("want the connection closed, it is still open: %v", err)
	}
}

type hostileRS struct {
	ser  byte
	conn net.Conn
}

func dialHostileRS(t *testing.T, r *router.Router, ser byte) *hostileRS {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(r.RawSocketURL(), "tcp://"), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(testTimeout))
	if _, err := conn.Write([]byte{0x7F, 0xF0 | ser, 0, 0}); err != nil {
		t.Fatal(err)
	}
	var reply [4]byte
	if _, err := io.ReadFull(conn, reply[:]); err != nil || reply[0] != 0x7F || reply[1]&0x0F != ser {
		t.Fatalf("handshake reply % x, %v", reply, err)
	}
	return &hostileRS{ser: ser, conn: conn}
}

func (c *hostileRS) write(data []byte) error {
	n := len(data)
	_ = c.conn.SetWriteDeadline(time.Now().Add(testTimeout))
	_, err := c.conn.Write(append([]byte{0, byte(n >> 16), byte(n >> 8), byte(n)}, data...))
	return err
}

func (c *hostileRS) read() ([]byte, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	var hdr [4]byte
	if _, err := io.ReadFull(c.conn, hdr[:]); err != nil {
		return nil, err
	}
	b := make([]byte, int(hdr[1])<<16|int(hdr[2])<<8|int(hdr[3]))
	if _, err := io.ReadFull(c.conn, b); err != nil {
		return nil, fmt.Errorf("reading a message: %w", err)
	}
	if hdr[0] != 0 {
		return nil, fmt.Errorf("want a message frame, got frame type %d", hdr[0])
	}
	return b, nil
}

func (c *hostileRS) send(t *testing.T, data []byte) {
	t.Helper()
	if err := c.write(data); err != nil {
		t.Fatal(err)
	}
}

func (c *hostileRS) recv(t *testing.T) []any {
	t.Helper()
	b, err := c.read()
	if err != nil {
		t.Fatalf("want a message, got %v", err)
	}
	return decodeFrom(t, c.ser, b)
}

func (c *hostileRS) expectClosed(t *testing.T) {
	t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(testTimeout))
	b, err := io.ReadAll(c.conn)
	if err != nil || len(b) != 0 {
		t.Fatalf("want the connection closed, read % x, %v", b[:min(len(b), 64)], err)
	}
}
