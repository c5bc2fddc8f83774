package runtime

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/wamp"
)

// transport moves encoded messages. Send may be called by any number of
// goroutines at once: messages go out in the order their Send calls queue
// them, and Send returns once data has been copied. While the connection's
// write queue is full, Send waits until ctx ends, and then fails without
// sending anything (see batchWriter); with noWait it never waits, and
// never writes on the caller's goroutine. mode says how the frame gets
// written when nobody else is writing (sendMode): at once, after waiting
// for the other goroutines likely sending at once, or by a goroutine of
// its own while the sender goes on to its next message. One goroutine reads. A failed write closes the
// connection: Recv then returns the write's error.
type transport interface {
	Send(ctx context.Context, data []byte, mode sendMode) error
	Recv() ([]byte, error)
	Close() error
}

// errTooLarge marks a received message over Config.MaxMessageSize.
var errTooLarge = errors.New("message exceeds the maximum message size")

// oversizedMessage is Recv's error for a message over
// Config.MaxMessageSize that the transport read past: the message is
// dropped, and its first bytes are kept so that the session can tell
// which request it concerns and fail just that one (Session.skipOversized).
// It matches errTooLarge. The connection stays usable.
//
// How far a transport reads past the limit is bounded: a RawSocket frame
// carries its length in its header, at most 2^24 bytes; a WebSocket
// message does not, and one beyond maxSkipped ends the connection (as
// every oversized message did before: gorilla/websocket's read limit
// answers close code 1009, and Recv returns a plain errTooLarge).
type oversizedMessage struct {
	prefix []byte // the first oversizedPrefix bytes
	size   int64  // of the whole message
	limit  int
}

func (e *oversizedMessage) Error() string {
	return fmt.Sprintf("%v: %d bytes, limit %d", errTooLarge, e.size, e.limit)
}

func (e *oversizedMessage) Unwrap() error { return errTooLarge }

// oversizedPrefix is how much of an oversized message is kept: far more
// than a message's header (type, request type, request ID: at most 40
// bytes in any serializer, unless a peer pads JSON with whitespace).
const oversizedPrefix = 512

// maxSkipped returns the size of the largest WebSocket message that is
// read past rather than ending the connection: 4 × limit, and at least
// 1 MiB beyond it. A peer can make the session read that much for nothing,
// once per message, no more than it could with messages under the limit;
// a single endless message cannot keep it reading.
func maxSkipped(limit int) int64 {
	return max(4*int64(limit), int64(limit)+1<<20)
}

// dialTransport connects to rawURL with the scheme's transport.
func dialTransport(ctx context.Context, rawURL string, cfg Config) (transport, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// The *url.Error repeats the URL, password and all: keep its reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("runtime: the router URL cannot be parsed: %w", err)
	}
	switch u.Scheme {
	case "ws", "wss":
		return dialWebSocket(ctx, u, cfg)
	case "tcp", "tcps":
		if u.Host == "" {
			return nil, fmt.Errorf("runtime: router URL %q has no host:port", u.Redacted())
		}
		return dialRawSocket(ctx, "tcp", u.Host, u.Scheme == "tcps", cfg)
	case "unix":
		path := u.Path
		if path == "" {
			path = u.Opaque
		}
		if path == "" {
			return nil, fmt.Errorf("runtime: router URL %q has no socket path", u.Redacted())
		}
		return dialRawSocket(ctx, "unix", path, false, cfg)
	}
	return nil, fmt.Errorf("runtime: router URL %q: unsupported scheme %q (use ws, wss, tcp, tcps or unix)", u.Redacted(), u.Scheme)
}

// webSocket is a WAMP WebSocket transport: gorilla/websocket for the
// handshake and for reading, and frames of its own for writing (see Send).
type webSocket struct {
	conn      *websocket.Conn
	bw        *batchWriter // writes every frame
	opcode    byte         // of message frames: text (JSON) or binary
	limit     int          // Config.MaxMessageSize
	pings     context.Context
	stopPings context.CancelFunc
}

// maxKeptBuffer is the largest frame buffer a transport keeps for reuse.
const maxKeptBuffer = 64 << 10

// unusedWriteBuffers is gorilla's write buffer pool for the runtime's
// WebSocket connections. The runtime writes its frames itself (batchWriter,
// on the connection underneath), never through gorilla's writer, so the
// buffer gorilla would otherwise make for each connection (4 KiB, an
// eighth of an idle session's heap) is never needed: with a pool, gorilla
// takes a buffer only to write a message, which here it never does.
var unusedWriteBuffers sync.Pool

// recvBuffers recycles the buffers Recv reads a message into before copying
// it out, shared by every WebSocket transport: an idle session holds none
// (one per session was 4 KiB, up to maxKeptBuffer after a large message,
// of every idle session's heap).
var recvBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// readBufferSize is the size of a WebSocket transport's read buffer: a
// burst of results the router writes in one go is read in one system call.
const readBufferSize = 16 << 10

func dialWebSocket(ctx context.Context, u *url.URL, cfg Config) (*webSocket, error) {
	// gorilla bounds the HTTP upgrade by ctx's deadline only: a cancelled
	// ctx moves the connection's deadline into the past, which ends any
	// read or write of the handshake at once. (ctx, not the dial's own
	// context, which gorilla cancels when DialContext returns.)
	var stop func() bool
	d := websocket.Dialer{
		NetDialContext: func(dctx context.Context, network, addr string) (net.Conn, error) {
			c, err := cfg.Dial(dctx, network, addr)
			if err == nil {
				stop = context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
			}
			return c, err
		},
		TLSClientConfig:  cfg.TLSConfig,
		Subprotocols:     []string{cfg.Serializer.Subprotocol()},
		HandshakeTimeout: cfg.ResponseTimeout,
		Proxy:            http.ProxyFromEnvironment,
		ReadBufferSize:   readBufferSize,
		WriteBufferPool:  &unusedWriteBuffers,
	}
	conn, resp, err := d.DialContext(ctx, u.String(), nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if stop != nil && !stop() && err == nil {
		// ctx ended during the handshake, which may have succeeded, but
		// with the connection's deadline in the past.
		conn.Close()
		err = ctx.Err()
	}
	if err != nil {
		if ctx.Err() != nil && err != ctx.Err() {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		if resp != nil {
			return nil, fmt.Errorf("runtime: WebSocket handshake with %s: %w (HTTP %s)", u.Redacted(), err, resp.Status)
		}
		return nil, fmt.Errorf("runtime: WebSocket handshake with %s: %w", u.Redacted(), err)
	}
	if got := conn.Subprotocol(); got != cfg.Serializer.Subprotocol() {
		conn.Close()
		return nil, fmt.Errorf("runtime: router at %s did not accept subprotocol %s (answered %q)", u.Redacted(), cfg.Serializer.Subprotocol(), got)
	}
	// Recv enforces MaxMessageSize itself, skipping what is over it;
	// gorilla's limit, which closes the connection, is the hard cap.
	conn.SetReadLimit(maxSkipped(cfg.MaxMessageSize))
	w := &webSocket{conn: conn, bw: newBatchWriter(conn.NetConn(), appendClientFrame), opcode: websocket.TextMessage, limit: cfg.MaxMessageSize}
	w.pings, w.stopPings = context.WithCancel(context.Background())
	if cfg.Serializer.Binary() {
		w.opcode = websocket.BinaryMessage
	}
	// gorilla would answer pings itself, with a write that leaves a
	// deadline on the connection and so fails the next message written a
	// second later; the pong is queued like any frame instead. The read
	// loop runs these handlers, so they do not wait for room in the queue.
	conn.SetPingHandler(func(data string) error {
		return w.bw.send(noWait, websocket.PongMessage, []byte(data), sendNow)
	})
	// The same for echoing the router's close frame.
	conn.SetCloseHandler(func(code int, _ string) error {
		w.bw.send(noWait, websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), sendNow)
		return nil
	})
	if interval := cfg.KeepAlive; interval > 0 {
		// Set before the session reads: gorilla reads the pong handler on
		// the reading goroutine.
		conn.SetReadDeadline(time.Now().Add(2 * interval))
		conn.SetPongHandler(func(string) error {
			return conn.SetReadDeadline(time.Now().Add(2 * interval))
		})
		go w.keepAlive(interval)
	}
	return w, nil
}

// keepAlive pings every interval; a connection that answers no ping within
// two intervals fails the session's read loop (see the pong handler).
func (w *webSocket) keepAlive(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-w.pings.Done():
			return
		case <-t.C:
			if err := w.bw.send(w.pings, websocket.PingMessage, nil, sendNow); err != nil {
				return // closed, or broken: the read loop ends
			}
		}
	}
}

// Send writes data as one message frame (RFC 6455 section 5.2: final, not
// compressed, masked with a random key as a client must), batched with the
// frames other goroutines send meanwhile (see batchWriter). gorilla's
// writer would allocate for every message and copy the payload in pieces.
// Each write of the connection is whole frames, so the close frame gorilla
// writes from Close never lands inside a message.
func (w *webSocket) Send(ctx context.Context, data []byte, mode sendMode) error {
	return w.bw.send(ctx, w.opcode, data, mode)
}

// appendClientFrame appends a final, masked frame of opcode carrying
// payload to b.
func appendClientFrame(b []byte, opcode byte, payload []byte) []byte {
	b = append(b, 0x80|opcode)
	switch n := len(payload); {
	case n <= 125:
		b = append(b, 0x80|byte(n))
	case n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, 0x80|126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 0x80|127), uint64(n))
	}
	key := rand.Uint32()
	b = binary.LittleEndian.AppendUint32(b, key)
	start := len(b)
	b = append(b, payload...)
	maskPayload(b[start:], key)
	return b
}

// maskPayload XORs p with the masking key, whose bytes are key's in
// little-endian order, eight bytes at a time where it can.
func maskPayload(p []byte, key uint32) {
	k8 := uint64(key) | uint64(key)<<32
	i := 0
	for ; i+8 <= len(p); i += 8 {
		binary.LittleEndian.PutUint64(p[i:], binary.LittleEndian.Uint64(p[i:])^k8)
	}
	for ; i < len(p); i++ {
		p[i] ^= byte(key >> (8 * (i & 3)))
	}
}

// Recv reads the next message into a reused buffer and returns a copy of
// exactly its size (the decoded message refers to it). A message over the
// limit is read past (see oversizedMessage); the buffer never holds more
// than limit+1 bytes of it.
func (w *webSocket) Recv() ([]byte, error) {
	_, r, err := w.conn.NextReader()
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			return nil, errTooLarge
		}
		if werr := w.bw.brokenBy(); werr != nil {
			return nil, werr
		}
		return nil, err
	}
	bp := recvBuffers.Get().(*[]byte)
	buf := (*bp)[:0]
	defer func() {
		// buf may have grown, or be one of a skipped message's.
		if cap(buf) <= maxKeptBuffer {
			*bp = buf[:0]
			recvBuffers.Put(bp)
		}
	}()
	for {
		if len(buf) == cap(buf) {
			if cap(buf) >= maxKeptBuffer {
				return w.recvLarge(buf, r)
			}
			// Doubling, up to exactly the size kept: append's own growth
			// could pass maxKeptBuffer, and a buffer that is not kept
			// grows again from 4 KiB for the next message.
			grown := make([]byte, len(buf), min(2*cap(buf), maxKeptBuffer))
			copy(grown, buf)
			buf = grown
		}
		// len(buf) <= limit here: room for at least one byte.
		n, err := r.Read(buf[len(buf):min(cap(buf), w.limit+1)])
		buf = buf[:len(buf)+n]
		if len(buf) > w.limit {
			return w.skip(buf, r)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, w.readError(err)
		}
	}
	data := make([]byte, len(buf))
	copy(data, buf)
	return data, nil
}

// readError is what Recv returns for a read of a message that failed
// with err: errTooLarge past gorilla's read limit, the write error that
// broke the connection if one did (the read's error only follows from it),
// or err.
func (w *webSocket) readError(err error) error {
	if errors.Is(err, websocket.ErrReadLimit) {
		return errTooLarge
	}
	if werr := w.bw.brokenBy(); werr != nil {
		return werr
	}
	return err
}

// largeChunk is the size of the pooled chunks recvLarge reads in.
const largeChunk = 256 << 10

var largeChunks = sync.Pool{New: func() any { b := make([]byte, largeChunk); return &b }}

// recvLarge reads the rest of a message larger than the buffer Recv keeps,
// of which buf, that full buffer, holds the start: into pooled chunks, then
// into one slice of exactly the message's size. Growing a buffer instead
// allocated four to five times the message (append grows a large slice by a
// quarter at a time), and its copy once more.
func (w *webSocket) recvLarge(buf []byte, r io.Reader) ([]byte, error) {
	var chunks []*[]byte
	defer func() {
		for _, c := range chunks {
			largeChunks.Put(c)
		}
	}()
	total, last := len(buf), 0
	for {
		c := largeChunks.Get().(*[]byte)
		chunks = append(chunks, c)
		// total <= limit here: room for at least one byte.
		n, err := io.ReadFull(r, (*c)[:min(largeChunk, w.limit+1-total)])
		total, last = total+n, n
		if total > w.limit {
			_, err := w.skip(buf, r)
			if over, ok := err.(*oversizedMessage); ok {
				over.size += int64(total - len(buf))
			}
			return nil, err
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, w.readError(err)
		}
	}
	data := make([]byte, total)
	i := copy(data, buf)
	for k, c := range chunks {
		if k == len(chunks)-1 {
			copy(data[i:], (*c)[:last])
		} else {
			i += copy(data[i:], *c)
		}
	}
	return data, nil
}

// skip reads past the rest of a message over the limit, of which buf holds
// the start, and returns the oversizedMessage.
func (w *webSocket) skip(buf []byte, r io.Reader) ([]byte, error) {
	over := &oversizedMessage{prefix: append([]byte(nil), buf[:min(len(buf), oversizedPrefix)]...), limit: w.limit}
	n, err := io.Copy(io.Discard, r)
	over.size = int64(len(buf)) + n
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			return nil, fmt.Errorf("%w: over %d bytes, the most this session reads past", errTooLarge, maxSkipped(w.limit))
		}
		if werr := w.bw.brokenBy(); werr != nil {
			return nil, werr
		}
		return nil, err
	}
	return nil, over
}

// Close sends a close frame after whatever is queued, waits up to
// closeWait for them to be written, and closes the connection.
func (w *webSocket) Close() error {
	w.stopPings()
	deadline := time.Now().Add(closeWait)
	w.bw.limit(deadline)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	w.bw.send(ctx, websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), sendNow)
	cancel()
	w.bw.close(deadline)
	return w.conn.Close()
}

// closeWait bounds how long closing a transport waits for the messages
// queued before it, such as an ABORT or a GOODBYE, to be written.
const closeWait = time.Second

// RawSocket frame types.
const (
	rawRegular = 0
	rawPing    = 1
	rawPong    = 2
)

// rawSocket is a WAMP RawSocket transport over TCP, TLS or a Unix socket.
type rawSocket struct {
	conn     net.Conn
	r        *bufio.Reader
	bw       *batchWriter
	sendMax  int           // the router's limit
	recvMax  int           // ours
	interval time.Duration // of keep-alive pings; 0 without
	// pings ends when the transport closes.
	pings     context.Context
	stopPings context.CancelFunc
}

// rawSocketLengthCode returns the handshake nibble for the largest length
// not above max: 2^(9+n) bytes, n in 0..15.
func rawSocketLengthCode(max int) byte {
	if max < 512 {
		return 0
	}
	n := bits.Len(uint(max)) - 1 - 9
	return byte(min(n, 15))
}

var rawSocketErrors = map[byte]string{
	0: "illegal (must not be used)",
	1: "serializer unsupported",
	2: "maximum message length unacceptable",
	3: "use of reserved bits (unsupported feature)",
	4: "maximum connection count reached",
}

func dialRawSocket(ctx context.Context, network, addr string, useTLS bool, cfg Config) (*rawSocket, error) {
	conn, err := cfg.Dial(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("runtime: connecting to %s %s: %w", network, addr, err)
	}
	if useTLS {
		tc := cfg.TLSConfig
		if tc == nil {
			tc = &tls.Config{}
		}
		if tc.ServerName == "" {
			tc = tc.Clone()
			host, _, _ := net.SplitHostPort(addr)
			tc.ServerName = host
		}
		tconn := tls.Client(conn, tc)
		if err := tconn.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("runtime: TLS handshake with %s: %w", addr, err)
		}
		conn = tconn
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(cfg.ResponseTimeout))
	}
	// A cancelled ctx moves the deadline into the past, which ends the
	// handshake's read or write at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	handshakeErr := func(err error) error {
		conn.Close()
		if ctx.Err() != nil && err != ctx.Err() {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return fmt.Errorf("runtime: RawSocket handshake with %s: %w", addr, err)
	}
	code := rawSocketLengthCode(cfg.MaxMessageSize)
	if _, err := conn.Write([]byte{0x7F, code<<4 | cfg.Serializer.RawSocketID(), 0, 0}); err != nil {
		stop()
		return nil, handshakeErr(err)
	}
	var reply [4]byte
	_, err = io.ReadFull(conn, reply[:])
	if !stop() && err == nil {
		err = ctx.Err() // the deadline is in the past now
	}
	if err != nil {
		return nil, handshakeErr(err)
	}
	switch {
	case reply[0] != 0x7F:
		conn.Close()
		return nil, fmt.Errorf("runtime: %s is not a WAMP RawSocket router (first handshake byte 0x%02x)", addr, reply[0])
	case reply[1]&0x0F == 0:
		conn.Close()
		return nil, fmt.Errorf("runtime: RawSocket router at %s refused the connection: %s", addr, rawSocketErrors[reply[1]>>4])
	case reply[1]&0x0F != cfg.Serializer.RawSocketID():
		conn.Close()
		return nil, fmt.Errorf("runtime: RawSocket router at %s answered serializer %d, asked for %d", addr, reply[1]&0x0F, cfg.Serializer.RawSocketID())
	}
	conn.SetDeadline(time.Time{})
	rs := &rawSocket{
		conn:     conn,
		bw:       newBatchWriter(conn, appendRawFrame),
		r:        bufio.NewReaderSize(conn, 64<<10),
		sendMax:  1 << (9 + int(reply[1]>>4)),
		recvMax:  min(cfg.MaxMessageSize, 1<<(9+int(code))),
		interval: cfg.KeepAlive,
	}
	rs.pings, rs.stopPings = context.WithCancel(context.Background())
	if rs.interval > 0 {
		rs.extend()
		go rs.keepAlive()
	}
	return rs, nil
}

// keepAlive sends a PING frame every interval. Each PONG extends the read
// deadline by two intervals (see Recv), so a connection that answers no
// ping for that long fails the session's read loop.
func (rs *rawSocket) keepAlive() {
	t := time.NewTicker(rs.interval)
	defer t.Stop()
	for {
		select {
		case <-rs.pings.Done():
			return
		case <-t.C:
			if err := rs.bw.send(rs.pings, rawPing, nil, sendNow); err != nil {
				return // closed, or broken: the read loop ends
			}
		}
	}
}

// extend moves the read deadline two keep-alive intervals ahead.
func (rs *rawSocket) extend() { rs.conn.SetReadDeadline(time.Now().Add(2 * rs.interval)) }

func (rs *rawSocket) Send(ctx context.Context, data []byte, mode sendMode) error {
	if len(data) > rs.sendMax {
		return fmt.Errorf("%w: %d bytes, the router accepts at most %d", ErrPayloadSizeExceeded, len(data), rs.sendMax)
	}
	return rs.bw.send(ctx, rawRegular, data, mode)
}

// The RawSocket frame header is RRRR LTTT and a 24-bit length: R bits are
// reserved, TTT is the frame type, and L is the length's 25th bit, set only
// for a frame of exactly 2^24 bytes (the largest a router may announce).
const rawLengthBit = 0x08

// appendRawFrame appends a RawSocket frame of type typ carrying payload.
func appendRawFrame(b []byte, typ byte, payload []byte) []byte {
	n := len(payload)
	if n == 1<<24 {
		b = append(b, typ|rawLengthBit, 0, 0, 0)
	} else {
		b = append(b, typ, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, payload...)
}

func (rs *rawSocket) Recv() ([]byte, error) {
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(rs.r, hdr[:]); err != nil {
			return nil, rs.readErr(err)
		}
		typ := hdr[0] & 0x07
		n := int(binary.BigEndian.Uint32(hdr[:]) & 0xFFFFFF)
		if hdr[0]&0xF0 != 0 || typ > rawPong {
			return nil, fmt.Errorf("%w: RawSocket frame header 0x%02x (reserved bits or type)", wamp.ErrMalformed, hdr[0])
		}
		if hdr[0]&rawLengthBit != 0 {
			if n != 0 {
				return nil, fmt.Errorf("%w: RawSocket frame with the 2^24 length bit and a length", wamp.ErrMalformed)
			}
			n = 1 << 24
		}
		if n > rs.recvMax {
			if typ != rawRegular {
				return nil, fmt.Errorf("%w: a RawSocket %s of %d bytes, limit %d", errTooLarge, rawFrameNames[typ], n, rs.recvMax)
			}
			return rs.skip(n)
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(rs.r, data); err != nil {
			return nil, rs.readErr(err)
		}
		switch typ {
		case rawRegular:
			return data, nil
		case rawPing:
			// Recv runs on the read loop, which never waits (noWait).
			if err := rs.bw.send(noWait, rawPong, data, sendNow); err != nil {
				return nil, err
			}
		case rawPong:
			if rs.interval > 0 {
				rs.extend()
			}
		}
	}
}

var rawFrameNames = [...]string{rawRegular: "message", rawPing: "PING", rawPong: "PONG"}

// skip reads past a message of n bytes, over the limit, whose frame header
// was just read, and returns the oversizedMessage. n is at most 2^24.
//
// The RawSocket specification would have the connection failed here ("If
// a message received during a connection exceeds the limit requested, a
// Peer MUST fail the connection"); like an unreadable payload (see
// Session.salvage), an oversized one fails only its request, since the
// router relays what another peer sent.
func (rs *rawSocket) skip(n int) ([]byte, error) {
	over := &oversizedMessage{prefix: make([]byte, min(n, oversizedPrefix)), size: int64(n), limit: rs.recvMax}
	if _, err := io.ReadFull(rs.r, over.prefix); err != nil {
		return nil, rs.readErr(err)
	}
	if _, err := rs.r.Discard(n - len(over.prefix)); err != nil {
		return nil, rs.readErr(err)
	}
	return nil, over
}

// readErr returns the write error that closed the connection, if one did,
// and otherwise err.
func (rs *rawSocket) readErr(err error) error {
	if werr := rs.bw.brokenBy(); werr != nil {
		return werr
	}
	return err
}

// Close waits up to closeWait for what is queued to be written and closes
// the connection.
func (rs *rawSocket) Close() error {
	rs.stopPings()
	rs.bw.close(time.Now().Add(closeWait))
	return rs.conn.Close()
}
