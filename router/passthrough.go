package router

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gammazero/nexus/v3/wamp"
	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire"
	wampbin "github.com/wampgen/wampgen/wamp"
)

// Payload passthrough.
//
// nexus never looks inside the Arguments and ArgumentsKw of the messages it
// routes between clients (CALL → INVOCATION, YIELD → RESULT, ERROR → ERROR,
// PUBLISH → EVENT): it copies the two fields from one message to the other.
// Decoding them into Go values on the way in and encoding them again on the
// way out is most of what the router's serializers cost. So decodeFast
// leaves them encoded: Arguments becomes a one-element wamp.List, and
// ArgumentsKw a one-entry wamp.Dict, holding a *rawPayload, and appendFast
// writes those bytes as they are to a client of the same serializer. A client
// of another serializer gets them converted, by decoding them exactly as
// deserializeFull would have and encoding the values exactly as before.
//
// The places where nexus v3.3.0 does read the payload of a client's message
// are the meta procedures it serves itself (wamp.session.*,
// wamp.registration.*, wamp.subscription.*, among them session kill,
// add_testament and get_events): their INVOCATION carries the CALL's
// Arguments and ArgumentsKw to nexus's own callee. A CALL to any procedure
// under "wamp." is therefore always decoded in full, as is a PUBLISH to a
// topic under "wamp.". The event history (broker.go storedEvent), which keeps
// and re-encodes EVENT payloads, is never configured by this package.
//
// The bytes a client receives must not change, so a payload is carried raw
// only when the codec would have written it back byte for byte after
// decoding it (see the canon* functions): compact JSON whose strings and
// numbers are spelled the way the codec spells them, MessagePack and CBOR
// with the shortest heads and definite lengths, no CBOR tags, half or single
// floats, MessagePack extensions or float32, no duplicate or non-string map
// keys, nesting within the module's one limit (wire.MaxDepth, the message
// counting as a level; canon checks it in the walk it makes anyway, so the
// hot path does not walk a message twice). Anything else, and every message
// that is not well-formed, takes the old path (deserializeFull), which
// decides exactly as before: a message too deep for canon is too deep for
// deserializeFull's check too. The one difference that remains is the order
// of map keys inside a payload: the codec wrote Go maps in random order, a
// raw payload keeps the sender's order.

// elemMaxDepth is how many levels an element of a message may nest: the
// message, a list, takes one of wire.MaxDepth's. canon recurses once per
// level, so this also bounds its stack.
const elemMaxDepth = wire.MaxDepth - 1

// tooDeep reports whether a list or dict opened inside a message element,
// under depth others, would nest deeper than elemMaxDepth.
func tooDeep(depth int) bool { return depth+1 > elemMaxDepth }

// rawKwargsKey is the key under which a raw ArgumentsKw is stored in its
// one-entry wamp.Dict. A client's own dict may have it too, but its value
// then can't be a *rawPayload, which only this package makes.
const rawKwargsKey = "\x00wampgen.raw"

// rawPayload is an Arguments list or ArgumentsKw dict left encoded: b, a
// canonical encoding (see above) of a non-empty list or dict, in ser's
// format. It refers to the frame it was decoded from, which the transports
// allocate per message and never reuse.
type rawPayload struct {
	ser *serializer
	b   []byte
}

// rawArgs holds a raw Arguments and the one-element list that carries it,
// allocated together.
type rawArgs struct {
	p    rawPayload
	list [1]any
}

func newRawArgs(s *serializer, b []byte) wamp.List {
	r := &rawArgs{p: rawPayload{ser: s, b: b}}
	r.list[0] = &r.p
	return r.list[:]
}

func newRawKwargs(s *serializer, b []byte) wamp.Dict {
	return wamp.Dict{rawKwargsKey: &rawPayload{ser: s, b: b}}
}

// rawOf returns the raw payload a message's Arguments or ArgumentsKw field
// carries, or nil.
func rawOf(v any) *rawPayload {
	switch t := v.(type) {
	case wamp.List:
		if len(t) == 1 {
			r, _ := t[0].(*rawPayload)
			return r
		}
	case wamp.Dict:
		if len(t) == 1 {
			r, _ := t[rawKwargsKey].(*rawPayload)
			return r
		}
	}
	return nil
}

// payloadValue returns the value of a message's Arguments or ArgumentsKw
// field for the codec: the field itself, or the Go values of a raw payload.
func payloadValue(v any) (any, error) {
	if r := rawOf(v); r != nil {
		return r.value()
	}
	return v, nil
}

// value decodes the payload the way deserializeFull decodes it inside a
// message.
func (r *rawPayload) value() (any, error) {
	v, err := r.ser.decodeValue(r.b)
	if err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case []any:
		return wamp.List(t), nil
	case map[string]any:
		return wamp.Dict(t), nil
	}
	return v, nil
}

// codecs are a serializer's reusable codec encoders and decoders.
type codecs struct {
	enc sync.Pool // *encState
	dec sync.Pool // *codec.Decoder
}

type encState struct {
	enc *codec.Encoder
	buf []byte
}

var codecPools = map[*serializer]*codecs{}

func init() {
	for _, s := range []*serializer{jsonSerializer, msgpackSerializer, cborSerializer} {
		h := s.handle
		c := &codecs{}
		c.enc.New = func() any {
			e := &encState{}
			e.enc = codec.NewEncoderBytes(&e.buf, h)
			return e
		}
		c.dec.New = func() any { return codec.NewDecoderBytes(nil, h) }
		codecPools[s] = c
	}
}

// decodeValue decodes one value (a dict or a payload) as deserializeFull
// decodes it inside a message: CBOR-only values unwrapped, JSON binary
// strings converted in containers. b is always an element of a message
// that splitList has passed through canon, which bounds its nesting by
// elemMaxDepth, CBOR tags refused: it needs no second depth check.
func (s *serializer) decodeValue(b []byte) (any, error) {
	pool := &codecPools[s].dec
	d := pool.Get().(*codec.Decoder)
	d.ResetBytes(b)
	var v any
	err := d.Decode(&v)
	d.ResetBytes(nil)
	pool.Put(d)
	if err != nil {
		return nil, err
	}
	if s.name == "cbor" {
		if v, err = unwrapCBOR(v); err != nil {
			return nil, err
		}
	}
	if s.json {
		switch v.(type) {
		case []any, map[string]any:
			wampbin.DecodeBinaryStrings(v)
		}
	}
	return v, nil
}

// appendValue appends the codec's encoding of v to b.
func (s *serializer) appendValue(b []byte, v any) ([]byte, error) {
	pool := &codecPools[s].enc
	e := pool.Get().(*encState)
	e.buf = e.buf[:0]
	e.enc.ResetBytes(&e.buf)
	err := e.enc.Encode(v)
	b = append(b, e.buf...)
	if cap(e.buf) > maxKeptBuffer {
		e.buf = nil
	}
	pool.Put(e)
	return b, err
}

// decodeFast decodes a CALL, YIELD, ERROR or PUBLISH whose payloads can be
// carried raw, and returns nil for anything else: another message type, a
// message deserializeFull might decode differently or refuse, a CALL to a
// meta procedure. It never fails; the caller falls back to
// deserializeFull.
func (s *serializer) decodeFast(data []byte) wamp.Message {
	// el is an array indexed directly, and the readers take elements, not
	// the array: so it stays on the stack.
	var el [7][]byte
	n, ok := s.splitList(data, &el)
	if !ok || n < 3 {
		return nil
	}
	code, ok := s.uintOf(el[0])
	if !ok {
		return nil
	}
	rd := fastReader{s: s, ok: true}
	switch wamp.MessageType(code) {
	case wamp.CALL:
		if n < 4 || n > 6 {
			return nil
		}
		m := &wamp.Call{Request: rd.id(el[1]), Options: rd.dict(el[2]), Procedure: rd.uri(el[3]),
			Arguments: rd.args(el[4]), ArgumentsKw: rd.kwargs(el[5])}
		if !rd.ok || strings.HasPrefix(string(m.Procedure), "wamp.") {
			return nil
		}
		return m
	case wamp.YIELD:
		if n > 5 {
			return nil
		}
		m := &wamp.Yield{Request: rd.id(el[1]), Options: rd.dict(el[2]), Arguments: rd.args(el[3]), ArgumentsKw: rd.kwargs(el[4])}
		if !rd.ok {
			return nil
		}
		return m
	case wamp.ERROR:
		if n < 5 || n > 7 {
			return nil
		}
		typ, ok := s.uintOf(el[1])
		if !ok || typ > math.MaxUint8 {
			return nil
		}
		m := &wamp.Error{Type: wamp.MessageType(typ), Request: rd.id(el[2]), Details: rd.dict(el[3]), Error: rd.uri(el[4]),
			Arguments: rd.args(el[5]), ArgumentsKw: rd.kwargs(el[6])}
		if !rd.ok {
			return nil
		}
		return m
	case wamp.PUBLISH:
		if n < 4 || n > 6 {
			return nil
		}
		m := &wamp.Publish{Request: rd.id(el[1]), Options: rd.dict(el[2]), Topic: rd.uri(el[3]),
			Arguments: rd.args(el[4]), ArgumentsKw: rd.kwargs(el[5])}
		if !rd.ok || strings.HasPrefix(string(m.Topic), "wamp.") {
			return nil
		}
		return m
	}
	return nil
}

// fastReader reads the elements of a message for decodeFast; ok turns
// false at the first element it can't take.
type fastReader struct {
	s  *serializer
	ok bool
}

func (r *fastReader) id(b []byte) wamp.ID {
	n, ok := r.s.uintOf(b)
	r.ok = r.ok && ok
	return wamp.ID(n)
}

func (r *fastReader) uri(b []byte) wamp.URI {
	str, ok := r.s.stringOf(b)
	r.ok = r.ok && ok
	return wamp.URI(str)
}

func (r *fastReader) dict(b []byte) wamp.Dict {
	if !r.ok {
		return nil
	}
	if r.s.kindOf(b) != kindDict {
		r.ok = false
		return nil
	}
	if r.s.isEmpty(b) {
		return wamp.Dict{}
	}
	v, err := r.s.decodeValue(b)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		r.ok = false
		return nil
	}
	return m
}

// args reads an optional Arguments; b is nil when absent.
func (r *fastReader) args(b []byte) wamp.List {
	if !r.ok || b == nil {
		return nil
	}
	if r.s.kindOf(b) != kindList {
		r.ok = false
		return nil
	}
	if r.s.isEmpty(b) {
		return wamp.List{}
	}
	return newRawArgs(r.s, b)
}

// kwargs reads an optional ArgumentsKw; b is nil when absent.
func (r *fastReader) kwargs(b []byte) wamp.Dict {
	if !r.ok || b == nil {
		return nil
	}
	if r.s.kindOf(b) != kindDict {
		r.ok = false
		return nil
	}
	if r.s.isEmpty(b) {
		return wamp.Dict{}
	}
	return newRawKwargs(r.s, b)
}

// appendFast appends the encoding of an INVOCATION, RESULT, ERROR or EVENT
// to b, byte for byte what serializeFull would write (but for the order of
// map keys, see above). It reports false for other messages.
func (s *serializer) appendFast(b []byte, msg wamp.Message) ([]byte, bool, error) {
	if b == nil {
		b = make([]byte, 0, 64+rawLen(msg))
	}
	w := fastWriter{s: s, b: b}
	switch m := msg.(type) {
	case *wamp.Invocation:
		w.head(4, m.Arguments, m.ArgumentsKw)
		w.uint(uint64(wamp.INVOCATION))
		w.uint(uint64(m.Request))
		w.uint(uint64(m.Registration))
		w.dict(m.Details)
		w.payloads(m.Arguments, m.ArgumentsKw)
	case *wamp.Result:
		w.head(3, m.Arguments, m.ArgumentsKw)
		w.uint(uint64(wamp.RESULT))
		w.uint(uint64(m.Request))
		w.dict(m.Details)
		w.payloads(m.Arguments, m.ArgumentsKw)
	case *wamp.Error:
		// The request type is an int in nexus's message, which the codec
		// writes in MessagePack as a signed integer: above 127 (no
		// message type is) its form differs from w.uint's.
		if m.Type < 0 || m.Type > math.MaxInt8 {
			return nil, false, nil
		}
		w.head(5, m.Arguments, m.ArgumentsKw)
		w.uint(uint64(wamp.ERROR))
		w.uint(uint64(m.Type))
		w.uint(uint64(m.Request))
		w.dict(m.Details)
		w.str(string(m.Error))
		w.payloads(m.Arguments, m.ArgumentsKw)
	case *wamp.Event:
		w.head(4, m.Arguments, m.ArgumentsKw)
		w.uint(uint64(wamp.EVENT))
		w.uint(uint64(m.Subscription))
		w.uint(uint64(m.Publication))
		w.dict(m.Details)
		w.payloads(m.Arguments, m.ArgumentsKw)
	default:
		return nil, false, nil
	}
	if w.err != nil {
		return nil, true, w.err
	}
	if s.json {
		w.b = append(w.b, ']')
	}
	return w.b, true, nil
}

// rawLen returns the length of the raw payloads of msg.
func rawLen(msg wamp.Message) int {
	var args wamp.List
	var kwargs wamp.Dict
	switch m := msg.(type) {
	case *wamp.Invocation:
		args, kwargs = m.Arguments, m.ArgumentsKw
	case *wamp.Result:
		args, kwargs = m.Arguments, m.ArgumentsKw
	case *wamp.Error:
		args, kwargs = m.Arguments, m.ArgumentsKw
	case *wamp.Event:
		args, kwargs = m.Arguments, m.ArgumentsKw
	}
	n := 0
	if r := rawOf(args); r != nil {
		n += len(r.b)
	}
	if r := rawOf(kwargs); r != nil {
		n += len(r.b)
	}
	return n
}

// fastWriter writes the elements of one message for appendFast.
type fastWriter struct {
	s   *serializer
	b   []byte
	n   int // elements written
	err error
}

// head writes the list head of a message with fixed elements before its
// payloads. Trailing empty payloads are left off, as messageToList does.
func (w *fastWriter) head(fixed int, args wamp.List, kwargs wamp.Dict) {
	n := fixed
	switch {
	case len(kwargs) > 0:
		n += 2
	case len(args) > 0:
		n++
	}
	switch w.s.name {
	case "json":
		w.b = append(w.b, '[')
	case "msgpack":
		w.b = append(w.b, 0x90|byte(n)) // n <= 7
	default:
		w.b = append(w.b, 0x80|byte(n))
	}
}

func (w *fastWriter) next() {
	if w.s.json && w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
}

func (w *fastWriter) uint(u uint64) {
	w.next()
	switch w.s.name {
	case "json":
		w.b = strconv.AppendUint(w.b, u, 10)
	case "msgpack":
		switch {
		case u <= math.MaxInt8:
			w.b = append(w.b, byte(u))
		case u <= math.MaxUint8:
			w.b = append(w.b, 0xcc, byte(u))
		case u <= math.MaxUint16:
			w.b = append(w.b, 0xcd, byte(u>>8), byte(u))
		case u <= math.MaxUint32:
			w.b = append(w.b, 0xce, byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
		default:
			w.b = append(w.b, 0xcf)
			w.b = be64(w.b, u)
		}
	default:
		w.b = cborHead(w.b, 0, u)
	}
}

func (w *fastWriter) dict(d wamp.Dict) {
	w.next()
	if len(d) == 0 {
		switch w.s.name {
		case "json":
			w.b = append(w.b, '{', '}')
		case "msgpack":
			w.b = append(w.b, 0x80)
		default:
			w.b = append(w.b, 0xa0)
		}
		return
	}
	w.value(d)
}

// str writes a string. JSON strings of characters the codec writes as they
// are are written here; the others by the codec.
func (w *fastWriter) str(s string) {
	w.next()
	switch w.s.name {
	case "json":
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '&' || c == '<' || c == '>' {
				w.value(s)
				return
			}
		}
		w.b = append(w.b, '"')
		w.b = append(w.b, s...)
		w.b = append(w.b, '"')
	case "msgpack":
		n := uint64(len(s))
		switch {
		case n < 32:
			w.b = append(w.b, 0xa0|byte(n))
		case n <= math.MaxUint8:
			w.b = append(w.b, 0xd9, byte(n))
		case n <= math.MaxUint16:
			w.b = append(w.b, 0xda, byte(n>>8), byte(n))
		default:
			w.b = append(w.b, 0xdb, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		}
		w.b = append(w.b, s...)
	default:
		w.b = cborHead(w.b, 3, uint64(len(s)))
		w.b = append(w.b, s...)
	}
}

// value writes v with the codec.
func (w *fastWriter) value(v any) {
	if w.err != nil {
		return
	}
	w.b, w.err = w.s.appendValue(w.b, v)
}

func (w *fastWriter) payloads(args wamp.List, kwargs wamp.Dict) {
	if len(args) == 0 && len(kwargs) == 0 {
		return
	}
	if len(args) == 0 {
		w.next()
		switch w.s.name {
		case "json":
			w.b = append(w.b, '[', ']')
		case "msgpack":
			w.b = append(w.b, 0x90)
		default:
			w.b = append(w.b, 0x80)
		}
	} else {
		w.payload(args)
	}
	if len(kwargs) > 0 {
		w.payload(kwargs)
	}
}

func (w *fastWriter) payload(v any) {
	w.next()
	r := rawOf(v)
	switch {
	case r == nil:
		w.value(v)
	case r.ser == w.s:
		w.b = append(w.b, r.b...)
	default:
		pv, err := r.value()
		if err != nil {
			if w.err == nil {
				w.err = err
			}
			return
		}
		w.value(pv)
	}
}

func be64(b []byte, u uint64) []byte {
	return append(b, byte(u>>56), byte(u>>48), byte(u>>40), byte(u>>32), byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
}

// cborHead appends the shortest CBOR head of a major type and argument.
func cborHead(b []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < 24:
		return append(b, m|byte(arg))
	case arg <= math.MaxUint8:
		return append(b, m|24, byte(arg))
	case arg <= math.MaxUint16:
		return append(b, m|25, byte(arg>>8), byte(arg))
	case arg <= math.MaxUint32:
		return append(b, m|26, byte(arg>>24), byte(arg>>16), byte(arg>>8), byte(arg))
	}
	return be64(append(b, m|27), arg)
}

// Element kinds decodeFast tells apart.
const (
	kindOther = iota
	kindList
	kindDict
)

func (s *serializer) kindOf(b []byte) int {
	c := b[0]
	switch s.name {
	case "json":
		switch c {
		case '[':
			return kindList
		case '{':
			return kindDict
		}
	case "msgpack":
		switch {
		case c&0xf0 == 0x90 || c == 0xdc || c == 0xdd:
			return kindList
		case c&0xf0 == 0x80 || c == 0xde || c == 0xdf:
			return kindDict
		}
	default:
		switch c >> 5 {
		case 4:
			return kindList
		case 5:
			return kindDict
		}
	}
	return kindOther
}

// isEmpty reports whether b, a canonical list or dict, is empty.
func (s *serializer) isEmpty(b []byte) bool {
	if s.json {
		return len(b) == 2
	}
	return len(b) == 1 // a one-byte head with length 0
}

// uintOf reads a canonical unsigned integer.
func (s *serializer) uintOf(b []byte) (uint64, bool) {
	switch s.name {
	case "json":
		if b[0] == '-' {
			return 0, false
		}
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false // a float
			}
		}
		n, err := strconv.ParseUint(string(b), 10, 64)
		return n, err == nil
	case "msgpack":
		c := b[0]
		switch {
		case c <= 0x7f:
			return uint64(c), true
		case c >= 0xcc && c <= 0xcf:
			var n uint64
			for _, x := range b[1:] {
				n = n<<8 | uint64(x)
			}
			return n, true
		}
		return 0, false
	default:
		if b[0]>>5 != 0 {
			return 0, false
		}
		n, _, ok := cborArg(b, 0)
		return n, ok
	}
}

// stringOf reads a canonical string with no escapes (JSON).
func (s *serializer) stringOf(b []byte) (string, bool) {
	switch s.name {
	case "json":
		if b[0] != '"' || bytes.IndexByte(b, '\\') >= 0 {
			return "", false
		}
		return string(b[1 : len(b)-1]), true
	case "msgpack":
		c := b[0]
		switch {
		case c&0xe0 == 0xa0:
			return string(b[1:]), true
		case c == 0xd9:
			return string(b[2:]), true
		case c == 0xda:
			return string(b[3:]), true
		case c == 0xdb:
			return string(b[5:]), true
		}
		return "", false
	default:
		if b[0]>>5 != 3 {
			return "", false
		}
		_, i, ok := cborArg(b, 0)
		return string(b[i:]), ok
	}
}

// splitList splits a message, a list, into its elements, each canonical
// (see canon), and reports false if it can't. Only the message's own list
// may have whitespace (JSON) or non-shortest length.
func (s *serializer) splitList(data []byte, el *[7][]byte) (int, bool) {
	c := canon{s: s, b: data}
	switch s.name {
	case "json":
		i := jsonWS(data, 0)
		if i >= len(data) || data[i] != '[' {
			return 0, false
		}
		i = jsonWS(data, i+1)
		if i < len(data) && data[i] == ']' {
			return 0, false
		}
		for n := 0; n < len(el); n++ {
			end, ok := c.json(i, 0)
			if !ok {
				return 0, false
			}
			el[n] = data[i:end]
			i = jsonWS(data, end)
			if i >= len(data) {
				return 0, false
			}
			if data[i] == ']' {
				return n + 1, jsonWS(data, i+1) == len(data)
			}
			if data[i] != ',' {
				return 0, false
			}
			i = jsonWS(data, i+1)
		}
		return 0, false
	case "msgpack":
		if len(data) == 0 || data[0]&0xf0 != 0x90 {
			return 0, false
		}
		return c.elems(1, int(data[0]&0x0f), el)
	default:
		if len(data) == 0 || data[0]>>5 != 4 || data[0]&0x1f >= 24 {
			return 0, false
		}
		return c.elems(1, int(data[0]&0x1f), el)
	}
}

// elems splits the n elements of a MessagePack or CBOR list that start at
// i.
func (c *canon) elems(i, n int, el *[7][]byte) (int, bool) {
	if n > len(el) {
		return 0, false
	}
	for k := range n {
		var end int
		var ok bool
		if c.s.name == "msgpack" {
			end, ok = c.msgpack(i, 0)
		} else {
			end, ok = c.cbor(i, 0)
		}
		if !ok {
			return 0, false
		}
		el[k] = c.b[i:end]
		i = end
	}
	return n, i == len(c.b)
}

func jsonWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// canon checks that a value is in the form the codec writes it, so that
// decoding and encoding it again gives the same bytes. Each method takes the
// offset of a value and returns the offset after it.
type canon struct {
	s    *serializer
	b    []byte
	keys [][]byte // the keys of the maps being checked, innermost last
}

// pushKey records a key of the map whose keys start at keys[base].
func (c *canon) pushKey(k []byte) { c.keys = append(c.keys, k) }

// popKeys ends the map whose keys start at base and reports whether it had
// a duplicate key.
func (c *canon) popKeys(base int) bool {
	dup := dupKey(c.keys[base:])
	c.keys = c.keys[:base]
	return dup
}

// dupKey reports whether keys (raw encodings) holds a duplicate.
func dupKey(keys [][]byte) bool {
	if len(keys) <= 16 {
		for i := 1; i < len(keys); i++ {
			for j := range i {
				if bytes.Equal(keys[i], keys[j]) {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		if _, ok := seen[string(k)]; ok {
			return true
		}
		seen[string(k)] = struct{}{}
	}
	return false
}

// json checks one compact JSON value: no whitespace, strings with only the
// escapes the codec writes, numbers spelled as the codec spells them.
func (c *canon) json(i, depth int) (int, bool) {
	b := c.b
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return jsonCanonString(b, i)
	case '[':
		if tooDeep(depth) {
			return 0, false
		}
		i++
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = c.json(i, depth+1); !ok || i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case ']':
				return i + 1, true
			case ',':
				i++
			default:
				return 0, false
			}
		}
	case '{':
		if tooDeep(depth) {
			return 0, false
		}
		i++
		if i < len(b) && b[i] == '}' {
			return i + 1, true
		}
		base := len(c.keys)
		for {
			end, ok := jsonCanonString(b, i)
			if !ok || end >= len(b) || b[end] != ':' {
				return 0, false
			}
			c.pushKey(b[i:end])
			if i, ok = c.json(end+1, depth+1); !ok || i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case '}':
				if c.popKeys(base) {
					return 0, false
				}
				return i + 1, true
			case ',':
				i++
			default:
				return 0, false
			}
		}
	case 't':
		return jsonLit(b, i, "true")
	case 'f':
		return jsonLit(b, i, "false")
	case 'n':
		return jsonLit(b, i, "null")
	}
	return jsonCanonNumber(b, i)
}

func jsonLit(b []byte, i int, lit string) (int, bool) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return 0, false
}

// jsonEscapes are the \u escapes the codec writes (lower-case hex): control
// characters without a short escape, &, <, >, U+2028 and U+2029.
var jsonEscapes = func() map[string]bool {
	m := map[string]bool{}
	for r := rune(0); r < 0x20; r++ {
		switch r {
		case '\b', '\t', '\n', '\f', '\r':
		default:
			m[fmt.Sprintf("%04x", r)] = true
		}
	}
	for _, r := range []string{"0026", "003c", "003e", "2028", "2029"} {
		m[r] = true
	}
	return m
}()

func jsonCanonString(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	for i++; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 >= len(b) {
				return 0, false
			}
			switch b[i+1] {
			case '"', '\\', 'b', 't', 'n', 'f', 'r':
				i += 2
			case 'u':
				if i+6 > len(b) || !jsonEscapes[string(b[i+2:i+6])] {
					return 0, false
				}
				i += 6
			default:
				return 0, false
			}
		case c < 0x20 || c == '&' || c == '<' || c == '>':
			return 0, false
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				return 0, false
			}
			i += n
		}
	}
	return 0, false
}

// jsonCanonNumber checks a number: an integer that fits in an int64 (uint64
// when not negative) and is not -0, or a float spelled as the codec
// formats it.
func jsonCanonNumber(b []byte, i int) (int, bool) {
	start := i
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	digits := i
	if i >= len(b) || b[i] < '0' || b[i] > '9' {
		return 0, false
	}
	if b[i] == '0' {
		i++
	} else {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	nDigits := i - digits
	float := false
	if i < len(b) && b[i] == '.' {
		float = true
		i++
		f := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == f {
			return 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		float = true
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		f := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == f {
			return 0, false
		}
	}
	text := b[start:i]
	if !float {
		switch {
		case neg && (nDigits > 18 || b[digits] == '0'):
			return 0, false
		case nDigits > 19:
			return 0, false
		}
		return i, true
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		return 0, false
	}
	var buf [32]byte
	if !bytes.Equal(appendJSONFloat(buf[:0], f), text) {
		return 0, false
	}
	return i, true
}

// appendJSONFloat formats f as the codec's JSON encoder does (ugorji
// v1.3.2 jsonFloatStrconvFmtPrec64 and noFrac64).
func appendJSONFloat(b []byte, f float64) []byte {
	format, prec := byte('f'), -1
	bits := math.Float64bits(f)
	abs := math.Abs(f)
	exp := uint64(bits>>52)&0x7FF - 1023
	switch {
	case abs == 0 || abs == 1:
		prec = 1
	case abs < 1e-6 || abs >= 1e21:
		format = 'e'
	case exp < 52 && bits<<(12+exp) == 0:
		prec = 1
	}
	return strconv.AppendFloat(b, f, format, prec, 64)
}

// msgpack checks one MessagePack value: shortest forms as the codec writes
// them, no float32, no extensions, string keys only, valid UTF-8 strings.
func (c *canon) msgpack(i, depth int) (int, bool) {
	b := c.b
	if i >= len(b) {
		return 0, false
	}
	t := b[i]
	need := func(n int) bool { return len(b)-i > n }
	switch {
	case t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3:
		return i + 1, true
	case t&0xf0 == 0x80:
		return c.msgpackMap(i+1, int(t&0x0f), depth)
	case t&0xf0 == 0x90:
		return c.msgpackArray(i+1, int(t&0x0f), depth)
	case t&0xe0 == 0xa0:
		return msgpackStr(b, i+1, int(t&0x1f))
	}
	switch t {
	case 0xcb:
		if !need(8) {
			return 0, false
		}
		return i + 9, true
	case 0xcc, 0xcd, 0xce, 0xcf:
		w := 1 << (t - 0xcc)
		if !need(w) {
			return 0, false
		}
		u := beUint(b[i+1 : i+1+w])
		min := [...]uint64{math.MaxInt8, math.MaxUint8, math.MaxUint16, math.MaxUint32}[t-0xcc]
		if u <= min {
			return 0, false
		}
		return i + 1 + w, true
	case 0xd0, 0xd1, 0xd2, 0xd3:
		w := 1 << (t - 0xd0)
		if !need(w) {
			return 0, false
		}
		u := beUint(b[i+1 : i+1+w])
		var v int64
		switch w {
		case 1:
			v = int64(int8(u))
		case 2:
			v = int64(int16(u))
		case 4:
			v = int64(int32(u))
		default:
			v = int64(u)
		}
		// The codec writes an int64 in the first form that holds it,
		// signed forms only above 127 and below -32.
		var lo, hi int64 = -32, math.MaxInt8
		switch w {
		case 2:
			lo, hi = math.MinInt8, math.MaxInt8
		case 4:
			lo, hi = math.MinInt16, math.MaxInt16
		case 8:
			lo, hi = math.MinInt32, math.MaxInt32
		}
		if v >= lo && v <= hi {
			return 0, false
		}
		return i + 1 + w, true
	case 0xc4, 0xc5, 0xc6: // bin
		w := 1 << (t - 0xc4)
		if !need(w) {
			return 0, false
		}
		n := beUint(b[i+1 : i+1+w])
		if (w == 2 && n <= math.MaxUint8) || (w == 4 && n <= math.MaxUint16) || n > uint64(len(b)) {
			return 0, false
		}
		end := i + 1 + w + int(n)
		if end > len(b) {
			return 0, false
		}
		return end, true
	case 0xd9, 0xda, 0xdb:
		w := 1 << (t - 0xd9)
		if !need(w) {
			return 0, false
		}
		n := beUint(b[i+1 : i+1+w])
		min := [...]uint64{31, math.MaxUint8, 0, math.MaxUint16}[w-1]
		if n <= min || n > uint64(len(b)) {
			return 0, false
		}
		return msgpackStr(b, i+1+w, int(n))
	case 0xdc, 0xdd, 0xde, 0xdf:
		w := 2
		if t == 0xdd || t == 0xdf {
			w = 4
		}
		if !need(w) {
			return 0, false
		}
		n := beUint(b[i+1 : i+1+w])
		if (w == 2 && n < 16) || (w == 4 && n <= math.MaxUint16) || n > uint64(len(b)) {
			return 0, false
		}
		if t <= 0xdd {
			return c.msgpackArray(i+1+w, int(n), depth)
		}
		return c.msgpackMap(i+1+w, int(n), depth)
	}
	return 0, false
}

func msgpackStr(b []byte, i, n int) (int, bool) {
	if n > len(b)-i || !utf8.Valid(b[i:i+n]) {
		return 0, false
	}
	return i + n, true
}

func (c *canon) msgpackArray(i, n, depth int) (int, bool) {
	if n > len(c.b)-i || tooDeep(depth) {
		return 0, false
	}
	for range n {
		var ok bool
		if i, ok = c.msgpack(i, depth+1); !ok {
			return 0, false
		}
	}
	return i, true
}

func (c *canon) msgpackMap(i, n, depth int) (int, bool) {
	if n > (len(c.b)-i)/2 || tooDeep(depth) {
		return 0, false
	}
	base := len(c.keys)
	for range n {
		if i >= len(c.b) {
			return 0, false
		}
		t := c.b[i]
		if t&0xe0 != 0xa0 && (t < 0xd9 || t > 0xdb) {
			return 0, false // not a string key
		}
		end, ok := c.msgpack(i, depth+1)
		if !ok {
			return 0, false
		}
		c.pushKey(c.b[i:end])
		if i, ok = c.msgpack(end, depth+1); !ok {
			return 0, false
		}
	}
	if c.popKeys(base) {
		return 0, false
	}
	return i, true
}

func beUint(b []byte) uint64 {
	var n uint64
	for _, x := range b {
		n = n<<8 | uint64(x)
	}
	return n
}

// cborArg reads the argument of the CBOR head at i, which must be definite
// and shortest, and returns it with the offset after the head.
func cborArg(b []byte, i int) (uint64, int, bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	ai := b[i] & 0x1f
	switch {
	case ai < 24:
		return uint64(ai), i + 1, true
	case ai <= 27:
		w := 1 << (ai - 24)
		if len(b)-i-1 < w {
			return 0, 0, false
		}
		n := beUint(b[i+1 : i+1+w])
		min := [...]uint64{23, math.MaxUint8, math.MaxUint16, math.MaxUint32}[ai-24]
		if n <= min {
			return 0, 0, false
		}
		return n, i + 1 + w, true
	}
	return 0, 0, false
}

// cbor checks one CBOR value: shortest definite heads, no tags, float64
// only, simple values false, true and null only, text keys only, valid
// UTF-8 text.
func (c *canon) cbor(i, depth int) (int, bool) {
	b := c.b
	if i >= len(b) {
		return 0, false
	}
	major := b[i] >> 5
	if major == 7 {
		switch b[i] {
		case 0xf4, 0xf5, 0xf6:
			return i + 1, true
		case 0xfb:
			if len(b)-i < 9 {
				return 0, false
			}
			return i + 9, true
		}
		return 0, false
	}
	n, j, ok := cborArg(b, i)
	if !ok {
		return 0, false
	}
	switch major {
	case 0:
		return j, true
	case 1:
		return j, n <= math.MaxInt64
	case 2, 3:
		if n > uint64(len(b)-j) {
			return 0, false
		}
		end := j + int(n)
		if major == 3 && !utf8.Valid(b[j:end]) {
			return 0, false
		}
		return end, true
	case 4:
		if n > uint64(len(b)-j) || tooDeep(depth) {
			return 0, false
		}
		for range n {
			if j, ok = c.cbor(j, depth+1); !ok {
				return 0, false
			}
		}
		return j, true
	case 5:
		if n > uint64(len(b)-j)/2 || tooDeep(depth) {
			return 0, false
		}
		base := len(c.keys)
		for range n {
			if j >= len(b) || b[j]>>5 != 3 {
				return 0, false
			}
			end, ok := c.cbor(j, depth+1)
			if !ok {
				return 0, false
			}
			c.pushKey(b[j:end])
			if j, ok = c.cbor(end, depth+1); !ok {
				return 0, false
			}
		}
		if c.popKeys(base) {
			return 0, false
		}
		return j, true
	}
	return 0, false // tags
}
