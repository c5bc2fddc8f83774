package router

import (
	"bytes"
	"math"
	"strings"
	"sync"

	"github.com/gammazero/nexus/v3/wamp"
	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire"
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
// decoding it: when wire.Format.CanonicalList finds every element of the
// message in canonical form. That check also bounds the nesting by the
// module's one limit (wire.MaxDepth, the message counting as a level), in
// the walk it makes anyway, so the hot path does not walk a message twice.
// Anything else, and every message that is not well-formed, takes the old
// path (deserializeFull), which decides exactly as before: a message too
// deep for the canonical check is too deep for deserializeFull's check too.
// The one difference that remains is the order of map keys inside a
// payload: the codec wrote Go maps in random order, a raw payload keeps the
// sender's order.

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
	// progress is the codec's encoding of {"progress": true}, the details
	// of every progressive RESULT and the options of every progressive
	// YIELD: written as it is and recognised byte for byte, since encoding
	// and decoding it with the codec took as much of the router's CPU as
	// the item in a stream of small items (issue 18's profile). Any other
	// encoding of it goes to the codec. nil if the codec failed.
	progress []byte
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
		if b, err := s.appendValue(nil, map[string]any{wamp.OptProgress: true}); err == nil {
			c.progress = b
		}
	}
}

// isProgress reports whether d is exactly {"progress": true}.
func isProgress(d wamp.Dict) bool {
	if len(d) != 1 {
		return false
	}
	v, ok := d[wamp.OptProgress].(bool)
	return ok && v
}

// decodeValue decodes one value (a dict or a payload) as deserializeFull
// decodes it inside a message: CBOR-only values unwrapped, JSON binary
// strings converted in containers. b is always an element of a message
// that wire.Format.CanonicalList has checked, which bounds its nesting,
// CBOR tags refused: it needs no second depth check.
func (s *serializer) decodeValue(b []byte) (any, error) {
	if s.json {
		if l, ok := jsonBinaryList(b); ok {
			return l, nil
		}
	}
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
		if v, err = wire.UnwrapCBOR(v); err != nil {
			return nil, err
		}
	}
	if s.json {
		switch v.(type) {
		case []any, map[string]any:
			wire.DecodeBinaryStrings(v)
		}
	}
	return v, nil
}

// jsonBinaryList reads a JSON list of byte strings written the usual way
// (wire.JSONBinary) without the codec: what decodeValue would return for it,
// the list with each string converted (wire.DecodeBinaryStrings). It
// reports false for any other list or value.
func jsonBinaryList(b []byte) ([]any, bool) {
	var buf [4][]byte
	elems, err := wire.JSON.AppendElems(buf[:0], b, -1)
	if err != nil || len(elems) == 0 {
		return nil, false
	}
	l := make([]any, len(elems))
	for i, e := range elems {
		v, ok := wire.JSONBinary(e)
		if !ok {
			return nil, false
		}
		l[i] = v
	}
	return l, true
}

// appendValue appends the codec's encoding of v to b. A list of plain
// values (numbers, strings, bools, bytes: most payloads that are converted
// from one serializer to another) is written without the codec, byte for
// byte as it would (wire.Format.AppendSimpleList, with the same handle).
func (s *serializer) appendValue(b []byte, v any) ([]byte, error) {
	var l []any
	switch t := v.(type) {
	case wamp.List:
		l = t
	case []any:
		l = t
	}
	if l != nil {
		if out, ok := s.format.AppendSimpleList(b, l); ok {
			return out, nil
		}
	}
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
	// rd, and the elements in it, stay on the stack: no reader keeps its
	// address.
	rd := fastReader{s: s, ok: true}
	n, ok := s.format.CanonicalList(data, &rd.el)
	if !ok || n == 0 {
		return nil
	}
	code, ok := s.format.Uint(rd.el[0])
	if !ok {
		return nil
	}
	// The layout's arity: every element before the payloads is there (an
	// absent payload's element is nil).
	if least, most, ok := wire.Arity(code); !ok || n < least || n > most {
		return nil
	}
	// Each struct's fields are in the order of the message's layout, and Go
	// evaluates a composite literal's elements in order: each reader takes
	// the next element.
	rd.lay = wire.LayoutOf(code)
	switch wamp.MessageType(code) {
	case wamp.CALL:
		m := &wamp.Call{Request: rd.id(), Options: rd.dict(), Procedure: rd.uri(),
			Arguments: rd.args(), ArgumentsKw: rd.kwargs()}
		if !rd.ok || strings.HasPrefix(string(m.Procedure), "wamp.") {
			return nil
		}
		return m
	case wamp.YIELD:
		m := &wamp.Yield{Request: rd.id(), Options: rd.dict(), Arguments: rd.args(), ArgumentsKw: rd.kwargs()}
		if !rd.ok {
			return nil
		}
		return m
	case wamp.ERROR:
		m := &wamp.Error{Type: rd.typ(), Request: rd.id(), Details: rd.dict(), Error: rd.uri(),
			Arguments: rd.args(), ArgumentsKw: rd.kwargs()}
		if !rd.ok {
			return nil
		}
		return m
	case wamp.PUBLISH:
		m := &wamp.Publish{Request: rd.id(), Options: rd.dict(), Topic: rd.uri(),
			Arguments: rd.args(), ArgumentsKw: rd.kwargs()}
		if !rd.ok || strings.HasPrefix(string(m.Topic), "wamp.") {
			return nil
		}
		return m
	}
	return nil
}

// fastReader reads the elements of a message for decodeFast in order,
// each reader taking the next element, whose kind the message's layout
// (internal/wire, layout.go) gives; ok turns false at the first element it
// can't take, and at a reader asking for another kind than the layout has
// there (this package's error: decodeFast then leaves the message to
// deserializeFull, and TestLayoutPaths fails).
type fastReader struct {
	s    *serializer
	lay  *wire.Layout
	el   [wire.MaxMessageLen][]byte // the elements, type code first; nil for an absent one
	next int                        // the position of the next element after the type code
	ok   bool
}

// take returns the next element, nil when an optional one is absent, if
// the layout has one of kind a or b there.
func (r *fastReader) take(a, b wire.Elem) []byte {
	i := r.next
	r.next++
	if i >= len(r.lay.Fields) || (r.lay.Fields[i].Elem != a && r.lay.Fields[i].Elem != b) {
		r.ok = false
		return nil
	}
	return r.el[i+1]
}

// id reads an ID, in 1..2^53 (the passthrough's messages have no
// revocation's ID, which may be 0).
func (r *fastReader) id() wamp.ID {
	n, ok := r.s.format.Uint(r.take(wire.ElemID, wire.ElemID))
	r.ok = r.ok && ok && n >= 1 && n <= maxRequestID
	return wamp.ID(n)
}

// typ reads ERROR's REQUEST.Type, a message type.
func (r *fastReader) typ() wamp.MessageType {
	n, ok := r.s.format.Uint(r.take(wire.ElemType, wire.ElemType))
	r.ok = r.ok && ok && wire.LayoutOf(n) != nil
	return wamp.MessageType(n)
}

func (r *fastReader) uri() wamp.URI {
	str, ok := r.s.format.StringBytes(r.take(wire.ElemURI, wire.ElemURI))
	r.ok = r.ok && ok
	return wamp.URI(str)
}

func (r *fastReader) dict() wamp.Dict {
	b := r.take(wire.ElemDict, wire.ElemDict)
	if !r.ok {
		return nil
	}
	if r.s.format.Kind(b) != wire.KindDict {
		r.ok = false
		return nil
	}
	if r.s.isEmpty(b) {
		return wamp.Dict{}
	}
	if p := codecPools[r.s].progress; p != nil && bytes.Equal(b, p) {
		return wamp.Dict{wamp.OptProgress: true}
	}
	v, err := r.s.decodeValue(b)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		r.ok = false
		return nil
	}
	return m
}

// args reads an optional Arguments.
func (r *fastReader) args() wamp.List {
	b := r.take(wire.ElemArguments, wire.ElemArguments)
	if !r.ok || b == nil {
		return nil
	}
	if r.s.format.Kind(b) != wire.KindList {
		r.ok = false
		return nil
	}
	if r.s.isEmpty(b) {
		return wamp.List{}
	}
	return newRawArgs(r.s, b)
}

// kwargs reads an optional ArgumentsKw.
func (r *fastReader) kwargs() wamp.Dict {
	b := r.take(wire.ElemArgumentsKw, wire.ElemArgumentsKw)
	if !r.ok || b == nil {
		return nil
	}
	if r.s.format.Kind(b) != wire.KindDict {
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
		w.head(wamp.INVOCATION, m.Arguments, m.ArgumentsKw)
		w.uint(uint64(wamp.INVOCATION))
		w.uint(uint64(m.Request))
		w.uint(uint64(m.Registration))
		w.dict(m.Details)
		w.payloads(m.Arguments, m.ArgumentsKw)
	case *wamp.Result:
		w.head(wamp.RESULT, m.Arguments, m.ArgumentsKw)
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
		w.head(wamp.ERROR, m.Arguments, m.ArgumentsKw)
		w.uint(uint64(wamp.ERROR))
		w.uint(uint64(m.Type))
		w.uint(uint64(m.Request))
		w.dict(m.Details)
		w.str(string(m.Error))
		w.payloads(m.Arguments, m.ArgumentsKw)
	case *wamp.Event:
		w.head(wamp.EVENT, m.Arguments, m.ArgumentsKw)
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
	return s.format.AppendListEnd(w.b), true, nil
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

// head writes the list head of a message of type typ, whose elements
// before the payloads are the least its layout has. Trailing empty payloads
// are left off, as messageToList does.
func (w *fastWriter) head(typ wamp.MessageType, args wamp.List, kwargs wamp.Dict) {
	n, _, _ := wire.Arity(uint64(typ))
	switch {
	case len(kwargs) > 0:
		n += 2
	case len(args) > 0:
		n++
	}
	w.b = w.s.format.AppendListHead(w.b, n)
}

func (w *fastWriter) next() {
	w.b = w.s.format.AppendSep(w.b, w.n)
	w.n++
}

func (w *fastWriter) uint(u uint64) {
	w.next()
	w.b = w.s.format.AppendUint(w.b, u)
}

func (w *fastWriter) dict(d wamp.Dict) {
	w.next()
	if len(d) == 0 {
		w.b = w.s.format.AppendEmptyDict(w.b)
		return
	}
	if p := codecPools[w.s].progress; p != nil && isProgress(d) {
		w.b = append(w.b, p...)
		return
	}
	w.value(d)
}

// str writes a string; a JSON string that needs escapes is written by the
// codec.
func (w *fastWriter) str(s string) {
	w.next()
	if b, ok := w.s.format.AppendString(w.b, s); ok {
		w.b = b
		return
	}
	w.value(s)
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
		w.b = w.s.format.AppendEmptyList(w.b)
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

// isEmpty reports whether b, a canonical list or dict, is empty.
func (s *serializer) isEmpty(b []byte) bool {
	if s.json {
		return len(b) == 2
	}
	return len(b) == 1 // a one-byte head with length 0
}
