package router

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/gammazero/nexus/v3/wamp"
	"github.com/gorilla/websocket"
)

// wsProtocols are the WebSocket subprotocols the router speaks. JSON travels
// in text frames, MessagePack and CBOR in binary frames.
var wsProtocols = map[string]struct {
	ser    *serializer
	opcode byte
}{
	"wamp.2.json":    {jsonSerializer, wsOpText},
	"wamp.2.msgpack": {msgpackSerializer, wsOpBinary},
	"wamp.2.cbor":    {cborSerializer, wsOpBinary},
}

// WebSocket frame opcodes (RFC 6455, section 5.2).
const (
	wsOpText   = 0x1
	wsOpBinary = 0x2
	wsOpClose  = 0x8
	wsOpPing   = 0x9
	wsOpPong   = 0xA

	wsFinal = 0x80 // FIN: the frame is a whole message
)

// wsHandler is the router's WebSocket endpoint.
type wsHandler struct {
	r        *Router
	upgrader websocket.Upgrader
}

func newWSHandler(r *Router) *wsHandler {
	return &wsHandler{
		r: r,
		upgrader: websocket.Upgrader{
			HandshakeTimeout: r.handshake,
			// ReadBufferSize 0: gorilla reads through the HTTP server's
			// 4 KiB buffer. A larger one would let one read system call take
			// a larger burst of client frames, but 4 KiB already holds
			// dozens of CALLs, and 16 KiB made no measurable difference in
			// the benchmark (64 callers on one connection, with or without
			// client-side write batching) while costing 12 KiB per
			// connection.
			//
			// gorilla takes a write buffer from the pool only to write a
			// message, which it never does here (see wsConn), so no
			// connection holds one. Without a pool each would keep the
			// HTTP server's 4 KiB write buffer.
			WriteBufferPool: &sync.Pool{},
			// The subprotocol is chosen by ServeHTTP, in the client's order
			// of preference, and passed in the response header.
			Subprotocols: nil,
			// CheckOrigin nil: gorilla's default, which refuses a browser
			// request whose Origin host differs from Host.
		},
	}
}

// ServeHTTP upgrades the request to a WebSocket and serves one WAMP session
// on it. The request must offer one of the subprotocols wamp.2.json,
// wamp.2.msgpack or wamp.2.cbor.
func (h *wsHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r := h.r
	var proto string
	for _, p := range websocket.Subprotocols(req) {
		if _, ok := wsProtocols[p]; ok {
			proto = p
			break
		}
	}
	if proto == "" {
		http.Error(w, "WAMP router: the request must offer a WebSocket subprotocol wamp.2.json, wamp.2.msgpack or wamp.2.cbor", http.StatusBadRequest)
		return
	}
	if !r.enter() {
		http.Error(w, "WAMP router is closed", http.StatusServiceUnavailable)
		return
	}
	defer r.work.Done()
	// A connection of the router's own listener holds a slot under
	// MaxConnections already; one of another server takes one now, for
	// as long as its session lasts.
	var release func()
	if !r.limiter.counted(req.Context()) {
		addr, _ := netip.ParseAddrPort(req.RemoteAddr)
		var ok bool
		if release, ok = r.limiter.acquire(addr); !ok {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "WAMP router: connection limit reached", http.StatusServiceUnavailable)
			return
		}
	}

	conn, err := h.upgrader.Upgrade(w, req, http.Header{"Sec-Websocket-Protocol": {proto}})
	if err != nil {
		// gorilla has replied with an HTTP error.
		r.log.Debug("router: WebSocket upgrade failed", "remote", req.RemoteAddr, "err", err)
		if release != nil {
			release()
		}
		return
	}
	// The HTTP server's deadlines (ReadTimeout, WriteTimeout) must not cut
	// the session. net/http clears them when it hands the connection over;
	// clear them here too, whatever server the handler is mounted on. The
	// peer sets its own write deadlines, and newWSConn the keep-alive read
	// deadline.
	_ = conn.NetConn().SetDeadline(time.Time{})
	if !r.track(conn.NetConn(), release) {
		_ = conn.Close()
		if release != nil {
			release()
		}
		return
	}
	conn.SetReadLimit(int64(r.maxMessageSize))
	pr := wsProtocols[proto]
	fc := newWSConn(conn, pr.opcode, r.keepAlive)
	details := wamp.Dict{
		"type":       "websocket",
		"protocol":   proto,
		"serializer": pr.ser.name,
		"peer":       "tcp:" + req.RemoteAddr,
		"is_secure":  req.TLS != nil,
	}
	r.serve(conn.NetConn(), fc, pr.ser, r.keepAlive, details)
}

// wsConn frames WAMP messages as WebSocket messages. gorilla/websocket
// performs the upgrade and reads; the router writes server frames itself,
// straight to the net.Conn, so that a batch of frames goes out in one
// system call (gorilla writes each message with a call of its own).
//
// Nothing may write through gorilla while the session runs: gorilla's
// control frame writes (WriteControl) set a write deadline on the net.Conn a
// second ahead and leave it there, which would make the writer's later
// writes time out. So pings from the client are answered by the writer (see
// relayPings), keep-alive pings and the close frame are written by the
// writer too, and a close frame from the client is not echoed by gorilla
// but answered by the writer once the session has ended.
//
// gorilla still writes a close frame itself, from the reader goroutine,
// when the client breaks the protocol or sends a message over the read
// limit (close codes 1002 and 1009), and leaves its deadline behind. That
// is harmless: the frame can't land inside a batch (see frameConn.write);
// the reader fails right after it, so the session ends, and the writer's
// last writes run under the deadline flush sets; and the client stops
// reading at the first close frame, so whatever the writer sends after it,
// its own close frame included, goes unread.
type wsConn struct {
	c         *websocket.Conn
	nc        net.Conn // c.NetConn(), which the writer writes to
	opcode    byte     // of message frames: wsOpText or wsOpBinary
	keepAlive time.Duration
}

// newWSConn prepares an upgraded connection for a peer. opcode is the
// frame opcode of messages (wsOpText for JSON, wsOpBinary otherwise).
// keepAlive, when positive, arms the read deadline: a client that sends
// nothing, not even a pong, for two intervals is disconnected.
func newWSConn(c *websocket.Conn, opcode byte, keepAlive time.Duration) *wsConn {
	w := &wsConn{c: c, nc: c.NetConn(), opcode: opcode, keepAlive: keepAlive}
	// The close frame is answered by the writer when the session ends.
	c.SetCloseHandler(func(int, string) error { return nil })
	if keepAlive > 0 {
		w.extend()
		c.SetPongHandler(func(string) error {
			w.extend()
			return nil
		})
	}
	return w
}

// relayPings makes the client's pings reach the writer, which answers each
// with a pong. gorilla calls the handler on the reader goroutine, within
// readFrame; its default handler would write the pong itself (see wsConn).
func (w *wsConn) relayPings(pong func(payload []byte) bool) {
	w.c.SetPingHandler(func(data string) error {
		if w.keepAlive > 0 {
			w.extend()
		}
		pong([]byte(data))
		return nil
	})
}

// wsKeepAliveReader moves the read deadline ahead before each read of a
// message's payload, as keepAliveReader does for RawSocket.
type wsKeepAliveReader struct {
	r io.Reader
	w *wsConn
}

func (k wsKeepAliveReader) Read(b []byte) (int, error) {
	k.w.extend()
	return k.r.Read(b)
}

func (w *wsConn) extend() {
	_ = w.c.SetReadDeadline(time.Now().Add(2 * w.keepAlive))
}

// readFrame returns the next message; gorilla handles control frames
// meanwhile. With keep-alive on, the read deadline is moved ahead as the
// router starts waiting for a message and as it reads each part of one
// (see keepAliveReader), and by each ping or pong.
func (w *wsConn) readFrame(limit func() int) (frameKind, []byte, error) {
	if w.keepAlive > 0 {
		w.extend()
	}
	_, r, err := w.c.NextReader()
	if err != nil {
		return 0, nil, err
	}
	if w.keepAlive > 0 {
		r = wsKeepAliveReader{r, w}
	}
	// The message's first frame header has arrived: limit applies.
	l := limit()
	if l > 0 {
		r = io.LimitReader(r, int64(l)+1)
	}
	b, err := readMessage(r)
	if err != nil {
		return 0, nil, err
	}
	if l > 0 && len(b) > l {
		return 0, nil, handshakeTooLarge()
	}
	return frameMessage, b, nil
}

// readBufs holds the buffers readMessage reads into: *[]byte, each at most
// maxKeptBuffer long.
var readBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, 4<<10)
	return &b
}}

// readMessage reads r to its end into a pooled buffer and returns a copy
// of exactly the message's length. gorilla does not tell a message's length
// before it has been read; io.ReadAll, used before, started each message
// at 512 bytes and grew it, allocating, zeroing and copying again at every
// step (issue 18: 5% of the CPU of a stream of 1 KiB items). The copy is
// needed because what Deserialize returns may keep parts of the message; a
// buffer grown past maxKeptBuffer is returned itself, as io.ReadAll's was.
func readMessage(r io.Reader) ([]byte, error) {
	bp := readBufs.Get().(*[]byte)
	b := (*bp)[:0]
	var err error
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow, as io.ReadAll does
		}
		var n int
		n, err = r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			break
		}
	}
	if cap(b) > maxKeptBuffer {
		// Grown for a large message: not kept, so it needs no copy.
		if err != io.EOF {
			return nil, err
		}
		return b, nil
	}
	var msg []byte
	if err == io.EOF {
		err = nil
		msg = bytes.Clone(b)
	}
	*bp = b[:0]
	readBufs.Put(bp)
	return msg, err
}

// appendFrame appends one unmasked server frame (RFC 6455, section 5.2): a
// whole message, a ping or pong carrying payload, or a close frame with
// status 1000 (normal closure), whatever the payload.
func (w *wsConn) appendFrame(buf []byte, kind frameKind, payload []byte) []byte {
	var opcode byte
	switch kind {
	case frameMessage:
		opcode = w.opcode
	case framePing:
		opcode = wsOpPing
	case framePong:
		opcode = wsOpPong
	case frameClose:
		opcode = wsOpClose
		payload = closeNormal[:]
	}
	buf = append(buf, wsFinal|opcode)
	switch n := len(payload); {
	case n <= 125:
		buf = append(buf, byte(n))
	case n <= 0xFFFF:
		buf = append(buf, 126, byte(n>>8), byte(n))
	default:
		buf = append(buf, 127)
		buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	}
	return append(buf, payload...)
}

// closeNormal is the payload of a close frame with status 1000.
var closeNormal = [2]byte{0x03, 0xE8}

func (w *wsConn) write(buf []byte) error {
	_, err := w.nc.Write(buf)
	return err
}

func (w *wsConn) setWriteDeadline(t time.Time) { _ = w.nc.SetWriteDeadline(t) }
func (w *wsConn) close() error                 { return w.c.Close() }
func (w *wsConn) maxSendSize() int             { return 0 }
func (w *wsConn) netConn() net.Conn            { return w.nc }
