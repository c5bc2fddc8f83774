package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/wamp"
)

// The router floor: the least any WAMP client can spend on a call through
// the benchmark's router. A caller and a callee, each on a WebSocket of its
// own to the same router as the other systems, speak WAMP with no client
// library. Joining and registering use package wamp's encoder once, at
// setup; after that the caller writes one pre-encoded CALL per call with
// only its request ID patched in place, and the callee answers each
// INVOCATION with a pre-encoded YIELD of 3 around the INVOCATION's request
// ID (read with wamp's PeekHeader): neither decodes arguments or results.
// The caller checks every answer byte for byte against the RESULT the router
// sent for the first call, which was fully decoded and checked (a RESULT of
// [3] for that request), so an ERROR, a wrong sum or a wrong request fails
// the call. Whatever the figures show beyond this floor is the client's.
// Like every client here (and the relay's), the floor's caller has one
// goroutine reading the connection, which hands each answer to the
// goroutine waiting for it; its callee answers from the goroutine that
// read the INVOCATION, as a client that runs handlers in goroutines of
// their own cannot.
//
// The floor is a latency figure only. Its caller takes many concurrent
// callers on one connection, as the relay's does, but it and its callee
// write one frame per system call, while the runtime and the router batch
// the frames that goroutines send at once into one write: under 64 callers
// the floor spent more CPU per call than wampgen's client (24 against 21 µs
// on MsgPack), so its calls/s and CPU per call would be no floor, and would
// cost the run 0.8 s per serializer and round.

// floorAddURI is the procedure the floor's callee registers.
const floorAddURI = "com.example.floor.add"

// floorIDBase is where the floor caller's request IDs start: they are
// floorIDBase+1, +2, …, so every one is 16 decimal digits in JSON and takes
// the 8-byte integer form in MsgPack and CBOR (it is over 2^32). A CALL and
// its RESULT therefore keep their length, and patching the ID is
// overwriting the same bytes.
const floorIDBase = 1_000_000_000_000_000

// appendID appends id as ser's encoder writes it: in decimal for JSON, in
// the shortest integer form for MsgPack and CBOR.
func appendID(ser *wamp.Serializer, b []byte, id uint64) []byte {
	if ser == wamp.JSON {
		return strconv.AppendUint(b, id, 10)
	}
	// The heads of 1-, 2-, 4- and 8-byte unsigned integers; smaller values
	// are their own head (MsgPack's positive fixint, CBOR's major type 0).
	heads, inline := [4]byte{0xcc, 0xcd, 0xce, 0xcf}, uint64(0x80)
	if ser == wamp.CBOR {
		heads, inline = [4]byte{0x18, 0x19, 0x1a, 0x1b}, 24
	}
	switch {
	case id < inline:
		return append(b, byte(id))
	case id <= 0xff:
		return append(b, heads[0], byte(id))
	case id <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, heads[1]), uint16(id))
	case id <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, heads[2]), uint32(id))
	}
	return binary.BigEndian.AppendUint64(append(b, heads[3]), id)
}

// floorIDOf reads a request ID of the floor caller's, written by appendID,
// from field, which is as long as every such ID is.
func floorIDOf(ser *wamp.Serializer, field []byte) (uint64, bool) {
	if ser == wamp.JSON {
		var id uint64
		for _, c := range field {
			if c < '0' || c > '9' {
				return 0, false
			}
			id = id*10 + uint64(c-'0')
		}
		return id, id > floorIDBase
	}
	head := byte(0xcf)
	if ser == wamp.CBOR {
		head = 0x1b
	}
	if len(field) != 9 || field[0] != head {
		return 0, false
	}
	id := binary.BigEndian.Uint64(field[1:])
	return id, id > floorIDBase
}

// idField returns where the request ID id sits in frame, and its length.
func idField(ser *wamp.Serializer, frame []byte, id uint64) (at, width int, err error) {
	field := appendID(ser, nil, id)
	if bytes.Count(frame, field) != 1 {
		return 0, 0, fmt.Errorf("request ID %d not found once in %q", id, frame)
	}
	return bytes.Index(frame, field), len(field), nil
}

// readInto reads the next message into buf's array, growing it as needed.
func readInto(c *websocket.Conn, buf []byte) ([]byte, error) {
	_, r, err := c.NextReader()
	if err != nil {
		return buf, err
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// floorSetupTimeout bounds each exchange of the setup.
const floorSetupTimeout = 10 * time.Second

// floorSession opens a WebSocket to the router at url speaking ser and joins
// the realm in role (wamp.RoleCaller or wamp.RoleCallee). It returns the
// connection and the WebSocket message type of ser's frames.
func floorSession(ctx context.Context, url string, ser *wamp.Serializer, role string) (*websocket.Conn, int, error) {
	d := websocket.Dialer{Subprotocols: []string{ser.Subprotocol()}, HandshakeTimeout: floorSetupTimeout}
	conn, _, err := d.DialContext(ctx, url, nil)
	if err != nil {
		return nil, 0, err
	}
	if p := conn.Subprotocol(); p != ser.Subprotocol() {
		conn.Close()
		return nil, 0, fmt.Errorf("router chose subprotocol %q", p)
	}
	mt := websocket.TextMessage
	if ser.Binary() {
		mt = websocket.BinaryMessage
	}
	hello := &wamp.Hello{Realm: router.DefaultRealm, Details: wamp.Dict{wamp.KeyRoles: wamp.Dict{role: wamp.Dict{}}}}
	if _, _, err := floorExchange[*wamp.Welcome](conn, ser, mt, hello); err != nil {
		conn.Close()
		return nil, 0, err
	}
	return conn, mt, nil
}

// floorExchange sends m, encoded with package wamp, and returns the answer,
// which must be a T, and its bytes.
func floorExchange[T wamp.Message](conn *websocket.Conn, ser *wamp.Serializer, mt int, m wamp.Message) (T, []byte, error) {
	var zero T
	b, err := ser.Encode(m)
	if err != nil {
		return zero, nil, err
	}
	conn.SetReadDeadline(time.Now().Add(floorSetupTimeout))
	defer conn.SetReadDeadline(time.Time{})
	if err := conn.WriteMessage(mt, b); err != nil {
		return zero, nil, err
	}
	_, b, err = conn.ReadMessage()
	if err != nil {
		return zero, nil, err
	}
	a, err := ser.Decode(b)
	if err != nil {
		return zero, nil, err
	}
	t, ok := a.(T)
	if !ok {
		return zero, nil, fmt.Errorf("%v answered with %T %+v", m.Type(), a, a)
	}
	return t, b, nil
}

// floorCallee registers floorAddURI on a session of its own and answers
// every INVOCATION with [3], from one goroutine that reads and writes.
func floorCallee(ctx context.Context, url string, ser *wamp.Serializer) (func(), error) {
	conn, mt, err := floorSession(ctx, url, ser, wamp.RoleCallee)
	if err != nil {
		return nil, err
	}
	reg, _, err := floorExchange[*wamp.Registered](conn, ser, mt, &wamp.Register{Request: 1, Procedure: floorAddURI})
	if err == nil && reg.Request != 1 {
		err = fmt.Errorf("REGISTERED for request %d", reg.Request)
	}
	var prefix, suffix []byte
	if err == nil {
		prefix, suffix, err = yieldTemplate(ser)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var in, out []byte
		for {
			var err error
			if in, err = readInto(conn, in); err != nil {
				return
			}
			h, ok := ser.PeekHeader(in)
			if !ok || h.Type != wamp.TypeInvocation {
				continue // nothing else comes but the router's GOODBYE
			}
			out = append(appendID(ser, append(out[:0], prefix...), uint64(h.Request)), suffix...)
			if err := conn.WriteMessage(mt, out); err != nil {
				return
			}
		}
	}()
	return func() {
		conn.Close()
		<-done
	}, nil
}

// yieldTemplate returns what comes before and after the request ID in a
// YIELD of [3], checked against package wamp's encoding for IDs of every
// length.
func yieldTemplate(ser *wamp.Serializer) (prefix, suffix []byte, err error) {
	yield := func(id uint64) ([]byte, error) {
		return ser.Encode(&wamp.Yield{Request: wamp.ID(id), Args: wamp.ArgsOf(3.0)})
	}
	y, err := yield(floorIDBase)
	if err != nil {
		return nil, nil, err
	}
	at, w, err := idField(ser, y, floorIDBase)
	if err != nil {
		return nil, nil, err
	}
	prefix, suffix = y[:at], y[at+w:]
	for _, id := range []uint64{1, 23, 24, 127, 128, 255, 256, 1 << 16, 1 << 32, uint64(wamp.MaxID)} {
		want, err := yield(id)
		if err != nil {
			return nil, nil, err
		}
		if got := append(appendID(ser, bytes.Clone(prefix), id), suffix...); !bytes.Equal(got, want) {
			return nil, nil, fmt.Errorf("YIELD of request %d is %x, want %x", id, got, want)
		}
	}
	return prefix, suffix, nil
}

// floorClient makes calls with pre-encoded frames: many callers, one
// connection, one goroutine reading the answers.
type floorClient struct {
	ser  *wamp.Serializer
	conn *websocket.Conn
	mt   int

	writeMu sync.Mutex
	call    []byte // the CALL of add(1, 2); its ID is patched under writeMu
	callAt  int    // where the request ID is in call

	result   []byte // the RESULT of the first call
	resultAt int    // where the request ID is in result
	idWidth  int    // the length of every request ID the caller sends

	nextID  atomic.Uint64
	mu      sync.Mutex
	pending map[uint64]chan error // nil once the connection failed
	failed  error                 // why it failed
	waits   sync.Pool             // chan error
}

// floorCaller connects a floor caller to the router at url, whose floor
// callee is already there, and makes the first call with package wamp's
// encoder and decoder to learn what a RESULT looks like.
func floorCaller(ctx context.Context, url string, ser *wamp.Serializer) (_ *system, err error) {
	conn, mt, err := floorSession(ctx, url, ser, wamp.RoleCaller)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()
	fc := &floorClient{ser: ser, conn: conn, mt: mt, pending: map[uint64]chan error{}}
	fc.waits.New = func() any { return make(chan error, 1) }
	callMsg := func(id uint64) *wamp.Call {
		return &wamp.Call{Request: wamp.ID(id), Procedure: floorAddURI, Args: wamp.ArgsOf(1.0, 2.0)}
	}
	callOf := func(id uint64) ([]byte, error) { return ser.Encode(callMsg(id)) }
	first := floorIDBase + fc.nextID.Add(1)
	res, resBytes, err := floorExchange[*wamp.Result](conn, ser, mt, callMsg(first))
	if err != nil {
		return nil, err
	}
	if uint64(res.Request) != first {
		return nil, fmt.Errorf("RESULT for request %d, want %d", res.Request, first)
	}
	var sum []float64
	if err := res.Args.Decode(&sum); err != nil || len(sum) != 1 || sum[0] != 3 {
		return nil, errWrongAnswer
	}
	fc.result = resBytes
	if fc.resultAt, fc.idWidth, err = idField(ser, resBytes, first); err != nil {
		return nil, fmt.Errorf("RESULT: %w", err)
	}
	if fc.call, err = callOf(first); err != nil {
		return nil, err
	}
	if fc.callAt, _, err = idField(ser, fc.call, first); err != nil {
		return nil, fmt.Errorf("CALL: %w", err)
	}
	// Patching the ID must give what the encoder writes.
	probe := uint64(floorIDBase + 1<<40 + 12345)
	want, err := callOf(probe)
	if err != nil {
		return nil, err
	}
	if fc.patch(probe); !bytes.Equal(fc.call, want) {
		return nil, fmt.Errorf("patched CALL is %x, want %x", fc.call, want)
	}
	go fc.readLoop()
	return &system{
		name:        sysFloor,
		ser:         ser.Name(),
		call:        fc.do,
		addr:        url,
		close:       func() { conn.Close() },
		latencyOnly: true,
	}, nil
}

// patch writes id into the CALL frame in place: every ID the caller sends
// has the same length.
func (fc *floorClient) patch(id uint64) { appendID(fc.ser, fc.call[:fc.callAt], id) }

var errFloorClosed = errors.New("router floor: connection closed")

func (fc *floorClient) do(ctx context.Context) error {
	id := floorIDBase + fc.nextID.Add(1)
	ch := fc.waits.Get().(chan error)
	fc.mu.Lock()
	if fc.pending == nil {
		err := fc.failed
		fc.mu.Unlock()
		return err
	}
	fc.pending[id] = ch
	fc.mu.Unlock()
	fc.writeMu.Lock()
	fc.patch(id)
	err := fc.conn.WriteMessage(fc.mt, fc.call)
	fc.writeMu.Unlock()
	if err != nil {
		fc.forget(id)
		return err
	}
	select {
	case err := <-ch:
		fc.waits.Put(ch)
		return err
	case <-ctx.Done():
		fc.forget(id)
		return ctx.Err()
	}
}

func (fc *floorClient) forget(id uint64) {
	fc.mu.Lock()
	delete(fc.pending, id)
	fc.mu.Unlock()
}

// readLoop hands each answer to its caller until the connection fails or a
// message answers no call.
func (fc *floorClient) readLoop() {
	var b []byte
	for {
		var err error
		if b, err = readInto(fc.conn, b); err != nil {
			fc.fail(errFloorClosed)
			return
		}
		id, err := fc.answers(b)
		if id == 0 {
			fc.fail(err)
			fc.conn.Close()
			return
		}
		fc.mu.Lock()
		ch := fc.pending[id]
		delete(fc.pending, id)
		fc.mu.Unlock()
		if ch != nil {
			ch <- err
		}
	}
}

// answers returns the request b answers, with nil if b is that request's
// RESULT of [3]: the first call's RESULT but for the request ID.
func (fc *floorClient) answers(b []byte) (uint64, error) {
	r, at, end := fc.result, fc.resultAt, fc.resultAt+fc.idWidth
	if len(b) == len(r) && bytes.Equal(b[:at], r[:at]) && bytes.Equal(b[end:], r[end:]) {
		if id, ok := floorIDOf(fc.ser, b[at:end]); ok {
			return id, nil
		}
	}
	h, ok := fc.ser.PeekHeader(b)
	m, err := fc.ser.Decode(b)
	if err != nil {
		return 0, fmt.Errorf("router floor: %w", err)
	}
	if !ok || (h.Type != wamp.TypeResult && h.Type != wamp.TypeError) {
		return 0, fmt.Errorf("router floor: unexpected %v", h.Type)
	}
	if e, isErr := m.(*wamp.Error); isErr {
		return uint64(h.Request), fmt.Errorf("router floor: ERROR %s", e.Error)
	}
	return uint64(h.Request), errWrongAnswer
}

// fail ends every pending call, and every later one, with err.
func (fc *floorClient) fail(err error) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.pending == nil {
		return
	}
	for _, ch := range fc.pending {
		ch <- err
	}
	fc.pending, fc.failed = nil, err
}
