package router

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"time"

	"github.com/gammazero/nexus/v3/wamp"
)

// RawSocket constants from the WAMP spec ("RawSocket Transport").
const (
	rsMagic = 0x7F

	// Handshake error codes, sent in the upper nibble of the second octet.
	rsErrSerializerUnsupported = 1
	rsErrReservedBits          = 3

	// Frame types.
	rsFrameMessage = 0
	rsFramePing    = 1
	rsFramePong    = 2

	// rsMaxLength is the largest frame payload: 2^24 octets, encoded with
	// the extra length bit X set and the 24 length bits zero.
	rsMaxLength = 1 << 24

	// defaultHandshakeTimeout is Config.HandshakeTimeout when zero. Over
	// RawSocket it bounds the RawSocket handshake and, through it, the TLS
	// handshake, which runs on the first read.
	defaultHandshakeTimeout = 10 * time.Second
)

// rsLengthCode returns the 4-bit length code for the smallest RawSocket
// maximum (2^(9+code) octets) that is at least n, capped at 2^24.
func rsLengthCode(n int) byte {
	for code := byte(0); code < 15; code++ {
		if rsLength(code) >= n {
			return code
		}
	}
	return 15
}

// rsLength returns the maximum message length a 4-bit length code stands for.
func rsLength(code byte) int { return 1 << (9 + int(code&0x0F)) }

// serveRawSocket runs the RawSocket handshake on a new connection and then
// serves one WAMP session on it.
func (r *Router) serveRawSocket(conn net.Conn, network string, secure bool) {
	defer r.work.Done()
	ser, sendLimit, err := rawSocketHandshake(conn, r.rsLengthCode, r.handshake)
	if err != nil {
		r.log.Debug("router: RawSocket handshake failed", "remote", conn.RemoteAddr().String(), "err", err)
		_ = conn.Close()
		r.untrack(conn)
		return
	}
	fc := &rsConn{
		c:         conn,
		br:        newRSReader(conn),
		recvLimit: rsLength(r.rsLengthCode),
		sendLimit: sendLimit,
		keepAlive: r.keepAlive,
	}
	if fc.keepAlive > 0 {
		fc.br = newRSReader(keepAliveReader{conn, fc.keepAlive})
	}
	details := wamp.Dict{
		"type":       "rawsocket",
		"protocol":   "wamp.2." + ser.name,
		"serializer": ser.name,
		"peer":       network + ":" + conn.RemoteAddr().String(),
		"is_secure":  secure,
	}
	r.serve(conn, fc, ser, r.keepAlive, details)
}

// rawSocketHandshake reads the client's handshake request and answers it.
// lengthCode is the router's maximum incoming message length code. It returns
// the serializer and the largest message the client accepts.
func rawSocketHandshake(conn net.Conn, lengthCode byte, timeout time.Duration) (*serializer, int, error) {
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, 0, err
	}
	var req [4]byte
	if _, err := io.ReadFull(conn, req[:]); err != nil {
		return nil, 0, fmt.Errorf("read handshake: %w", err)
	}
	if req[0] != rsMagic {
		// Not RawSocket: fail the connection without a reply.
		return nil, 0, fmt.Errorf("bad magic octet %#02x", req[0])
	}
	reply := func(b1 byte) error {
		_, err := conn.Write([]byte{rsMagic, b1, 0, 0})
		return err
	}
	if req[2] != 0 || req[3] != 0 {
		_ = reply(rsErrReservedBits << 4)
		return nil, 0, errors.New("reserved handshake bits set")
	}
	id := req[1] & 0x0F
	if id == 0 {
		return nil, 0, errors.New("illegal serializer 0")
	}
	ser := serializerFor(id)
	if ser == nil {
		_ = reply(rsErrSerializerUnsupported << 4)
		return nil, 0, fmt.Errorf("unsupported serializer %d", id)
	}
	if err := reply(lengthCode<<4 | id); err != nil {
		return nil, 0, fmt.Errorf("write handshake: %w", err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return nil, 0, err
	}
	return ser, rsLength(req[1] >> 4), nil
}

// rsConn frames WAMP messages as RawSocket frames: one octet RRRRXTTT (R
// reserved, X the 25th length bit, T the frame type), then a 24-bit
// big-endian length, then the payload.
type rsConn struct {
	c         net.Conn
	br        *bufio.Reader
	recvLimit int // the router's limit, announced in the handshake
	sendLimit int // the client's limit, from its handshake
	// keepAlive, when positive, is the interval of the peer's PING frames;
	// a client that sends nothing at all, not even a PONG, for two
	// intervals while the router waits to read is disconnected (see
	// keepAliveReader).
	keepAlive time.Duration
}

// keepAliveReader reads a connection under the keep-alive: each read must
// return within two intervals. The deadline is set as each read starts,
// not once per frame: the time the router spends between reads (decoding
// a message, waiting for nexus, being descheduled on a busy machine) is
// not the client's silence, and a client whose bytes are already waiting
// in the socket is never dropped for it. (Go fails a read whose deadline
// has passed even when data is waiting.)
type keepAliveReader struct {
	c     net.Conn
	every time.Duration
}

func (k keepAliveReader) Read(b []byte) (int, error) {
	_ = k.c.SetReadDeadline(time.Now().Add(2 * k.every))
	return k.c.Read(b)
}

// readFrame returns the next message or PING; PONGs are read and skipped.
func (rc *rsConn) readFrame(limit func() int) (frameKind, []byte, error) {
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(rc.br, hdr[:]); err != nil {
			return 0, nil, err
		}
		if hdr[0]&0xF0 != 0 {
			return 0, nil, &protocolError{fmt.Sprintf("RawSocket frame header %#02x has reserved bits set", hdr[0])}
		}
		n := int(hdr[1])<<16 | int(hdr[2])<<8 | int(hdr[3])
		if hdr[0]&0x08 != 0 {
			if n != 0 {
				return 0, nil, &protocolError{"RawSocket frame length exceeds 2^24"}
			}
			n = rsMaxLength
		}
		if n > rc.recvLimit {
			return 0, nil, &protocolError{fmt.Sprintf("RawSocket message of %d bytes exceeds the router's limit of %d", n, rc.recvLimit)}
		}
		if l := limit(); l > 0 && n > l {
			return 0, nil, handshakeTooLarge()
		}
		switch hdr[0] & 0x07 {
		case rsFrameMessage, rsFramePing:
			b, err := readPayload(rc.br, n)
			if err != nil {
				return 0, nil, err
			}
			if hdr[0]&0x07 == rsFramePing {
				return framePing, b, nil
			}
			return frameMessage, b, nil
		case rsFramePong:
			if _, err := rc.br.Discard(n); err != nil {
				return 0, nil, err
			}
		default:
			return 0, nil, &protocolError{fmt.Sprintf("reserved RawSocket frame type %d", hdr[0]&0x07)}
		}
	}
}

// newRSReader returns the buffered reader of a RawSocket connection.
func newRSReader(c io.Reader) *bufio.Reader { return bufio.NewReader(c) }

// payloadChunk is the most readPayload allocates before bytes arrive: as
// much as the connection's read buffer holds. Most messages are smaller.
const payloadChunk = 4 << 10

// readPayload reads an n-byte frame payload. A large one is read into a
// buffer that grows as its bytes arrive (doubling, capped at n), so that
// a header that announces 16 MiB and is followed by nothing costs
// nothing: memory follows what a client sends, not what it announces.
func readPayload(r io.Reader, n int) ([]byte, error) {
	if n <= payloadChunk {
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	b := make([]byte, 0, payloadChunk)
	for len(b) < n {
		if len(b) == cap(b) {
			b = slices.Grow(b, min(len(b), n-len(b)))
		}
		end := min(cap(b), n)
		k, err := io.ReadFull(r, b[len(b):end])
		b = b[:len(b)+k]
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return b, nil
}

// relayPings does nothing: RawSocket pings come out of readFrame.
func (rc *rsConn) relayPings(func([]byte) bool) {}

// appendFrame appends one RawSocket frame. The payload is at most 2^24
// bytes, the most a RawSocket frame carries: a message is held to the
// client's limit, at most 2^24, and a pong echoes a ping held to the
// router's. RawSocket has no close frame; a frameClose appends nothing.
func (rc *rsConn) appendFrame(buf []byte, kind frameKind, payload []byte) []byte {
	var typ byte
	switch kind {
	case frameMessage:
		typ = rsFrameMessage
	case framePing:
		typ = rsFramePing
	case framePong:
		typ = rsFramePong
	default:
		return buf
	}
	n := len(payload)
	if n == rsMaxLength {
		buf = append(buf, typ|0x08, 0, 0, 0)
	} else {
		buf = append(buf, typ, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(buf, payload...)
}

func (rc *rsConn) write(buf []byte) error {
	_, err := rc.c.Write(buf)
	return err
}

func (rc *rsConn) setWriteDeadline(t time.Time) { _ = rc.c.SetWriteDeadline(t) }
func (rc *rsConn) close() error                 { return rc.c.Close() }
func (rc *rsConn) maxSendSize() int             { return rc.sendLimit }
func (rc *rsConn) netConn() net.Conn            { return rc.c }
