package wamp

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"unsafe"

	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire"
)

// envelope is the reusable scratch space of one Decode call.
type envelope struct {
	raws [][]byte       // the elements of the message
	dict map[string]any // a dictionary being decoded (its address goes to the codec)
	str  string         // a string being decoded by the codec
}

// encBuf is the reusable scratch space of one encoding.
type encBuf struct {
	enc  *codec.Encoder
	tail []byte // what the codec writes into (its address goes to the codec)
	msg  []byte // Encode's message, before it is copied out
}

// maxKeptBuf is the largest scratch buffer kept for reuse.
const maxKeptBuf = 64 << 10

func (s *Serializer) getEncBuf() *encBuf { return s.encoders.Get().(*encBuf) }

func (s *Serializer) putEncBuf(eb *encBuf) {
	if cap(eb.msg) > maxKeptBuf {
		eb.msg = nil
	}
	s.encoders.Put(eb)
}

// appendCodec appends the encoding of v, written inside depth lists and
// dictionaries (1 for an element of a message), to b: the codec's, unless
// v holds a value of a type with its own form (see form.go), which this
// package writes itself. A value that would stand deeper than a receiver
// accepts (wire.MaxDepth levels) is refused.
func (s *Serializer) appendCodec(eb *encBuf, b []byte, v any, depth int) ([]byte, error) {
	own, err := checkEncodable(v, depth)
	if err != nil {
		return b, err
	}
	if own {
		return s.appendOwn(eb, b, reflect.ValueOf(v), depth)
	}
	return s.appendCodecOnly(eb, b, v)
}

// appendCodecOnly appends the codec's encoding of v, which holds no value
// with an own form, to b.
func (s *Serializer) appendCodecOnly(eb *encBuf, b []byte, v any) ([]byte, error) {
	b = slices.Grow(b, 64)
	eb.tail = b[len(b):]
	eb.enc.ResetBytes(&eb.tail)
	err := eb.enc.Encode(v)
	t := eb.tail
	if s.format != formatJSON {
		// Let go of the buffer. (Resetting the JSON encoder allocates,
		// so it keeps the buffer until its next use.)
		eb.enc.ResetBytes(nil)
	}
	eb.tail = nil
	if err != nil {
		return b, err
	}
	if len(t) > 0 && cap(b)-len(b) >= len(t) && unsafe.SliceData(t) == unsafe.SliceData(b[len(b):cap(b)]) {
		return b[:len(b)+len(t)], nil // written in place
	}
	return append(b, t...), nil
}

// Encode encodes m. Nil dictionaries are written as {}, an absent
// ArgumentsKw is left out, and an absent Arguments is left out unless
// ArgumentsKw is present (then it is []). Arguments must encode as a list
// and ArgumentsKw as a dictionary; a nil slice or map is taken as empty.
func (s *Serializer) Encode(m Message) ([]byte, error) {
	eb := s.getEncBuf()
	defer s.putEncBuf(eb)
	msg, err := s.appendMessage(eb, eb.msg[:0], m)
	eb.msg = msg[:0]
	if err != nil {
		return nil, err
	}
	return bytes.Clone(msg), nil
}

// AppendEncode appends the encoding of m (see Encode) to dst and returns
// the extended buffer; on error it returns dst unchanged. A sender that
// writes the message out before encoding the next one can reuse its buffer
// and allocate nothing.
func (s *Serializer) AppendEncode(dst []byte, m Message) ([]byte, error) {
	eb := s.getEncBuf()
	defer s.putEncBuf(eb)
	out, err := s.appendMessage(eb, dst, m)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// emptyDict is encoded for a nil Details or Options: the specification
// requires a dictionary, never null. It is never modified.
var emptyDict = map[string]any{}

// emptyList is encoded for an Arguments that is absent or nil while
// ArgumentsKw is present. It is never modified.
var emptyList = []any{}

// msgWriter writes the elements of one message.
type msgWriter struct {
	s   *Serializer
	eb  *encBuf
	b   []byte
	n   int // elements written
	err error
}

// begin writes the list head and the type code of a message of type typ:
// the elements its layout requires (wire.Arity) and extra optional ones
// (payloads, a revocation's Details). The elements that follow are written
// in the layout's order (internal/wire, layout.go), which
// TestLayoutEncodeDecode checks for every message type.
func (w *msgWriter) begin(typ MessageType, extra int) {
	least, _, _ := wire.Arity(uint64(typ))
	w.b = w.s.appendListHead(w.b, least+extra)
	w.uint(uint64(typ))
}

func (w *msgWriter) next() {
	w.b = w.s.appendSep(w.b, w.n)
	w.n++
}

func (w *msgWriter) uint(u uint64) {
	w.next()
	w.b = w.s.appendUint(w.b, u)
}

func (w *msgWriter) str(x string) {
	w.next()
	b, ok := w.s.appendString(w.b, x)
	if !ok && w.err == nil {
		b, w.err = w.s.appendCodec(w.eb, b, x, 1)
	}
	w.b = b
}

// dict writes d, and {} for a nil or empty d.
func (w *msgWriter) dict(d Dict) {
	w.next()
	if len(d) == 0 {
		w.b = w.s.appendEmptyDict(w.b)
		return
	}
	if progressOnly(d) {
		if p := w.s.progressDict(); p != nil {
			w.b = append(w.b, p...)
			return
		}
	}
	if w.err == nil {
		w.b, w.err = w.s.appendCodec(w.eb, w.b, d, 1)
	}
}

// payloadCount is the number of payload elements written for args and
// kwargs.
func payloadCount(args, kwargs Payload) int {
	switch {
	case !kwargs.IsZero():
		return 2
	case !args.IsZero():
		return 1
	}
	return 0
}

func (w *msgWriter) payloads(args, kwargs Payload) {
	if args.IsZero() && kwargs.IsZero() {
		return
	}
	w.payload(args, KindList, "Arguments")
	if !kwargs.IsZero() {
		w.payload(kwargs, KindDict, "ArgumentsKw")
	}
}

func (w *msgWriter) payload(p Payload, want Kind, name string) {
	w.next()
	if w.err != nil {
		return
	}
	if p.list != nil { // from ArgsOf
		if want != KindList {
			w.err = fmt.Errorf("%s: %T does not encode as a %s", name, p.list, want)
			return
		}
		var done bool
		if w.b, done = w.s.appendSimpleList(w.b, p.list); !done {
			var err error
			if w.b, err = w.s.appendCodec(w.eb, w.b, p.list, 1); err != nil {
				w.err = fmt.Errorf("%s: %w", name, err)
			}
		}
		return
	}
	raw, v, empty, err := w.s.payloadWire(p, want)
	switch {
	case err != nil:
		w.err = fmt.Errorf("%s: %w", name, err)
	case empty && want == KindList:
		w.b = w.s.appendEmptyList(w.b)
	case empty:
		w.b = w.s.appendEmptyDict(w.b)
	case raw != nil:
		w.b = append(w.b, raw...)
	default:
		if l, ok := v.([]any); ok {
			var done bool
			if w.b, done = w.s.appendSimpleList(w.b, l); done {
				return
			}
		}
		if w.b, err = w.s.appendCodec(w.eb, w.b, v, 1); err != nil {
			w.err = fmt.Errorf("%s: %w", name, err)
		}
	}
}

// appendMessage appends the encoding of m to b.
func (s *Serializer) appendMessage(eb *encBuf, b []byte, m Message) ([]byte, error) {
	if m == nil {
		return b, errors.New("wamp: cannot encode a nil message")
	}
	if v := reflect.ValueOf(m); v.Kind() == reflect.Pointer && v.IsNil() {
		return b, fmt.Errorf("wamp: cannot encode a nil %T", m)
	}
	w := msgWriter{s: s, eb: eb, b: b}
	typ := m.Type()
	switch m := m.(type) {
	case *Hello:
		w.begin(typ, 0)
		w.str(string(m.Realm))
		w.dict(m.Details)
	case *Welcome:
		w.begin(typ, 0)
		w.uint(uint64(m.Session))
		w.dict(m.Details)
	case *Abort:
		w.begin(typ, payloadCount(m.Args, m.Kwargs))
		w.dict(m.Details)
		w.str(string(m.Reason))
		w.payloads(m.Args, m.Kwargs)
	case *Challenge:
		w.begin(typ, 0)
		w.str(m.AuthMethod)
		w.dict(m.Extra)
	case *Authenticate:
		w.begin(typ, 0)
		w.str(m.Signature)
		w.dict(m.Extra)
	case *Goodbye:
		w.begin(typ, 0)
		w.dict(m.Details)
		w.str(string(m.Reason))
	case *Error:
		w.begin(typ, payloadCount(m.Args, m.Kwargs))
		w.uint(uint64(m.RequestType))
		w.uint(uint64(m.Request))
		w.dict(m.Details)
		w.str(string(m.Error))
		w.payloads(m.Args, m.Kwargs)
	case *Publish:
		w.begin(typ, payloadCount(m.Args, m.Kwargs))
		w.uint(uint64(m.Request))
		w.dict(m.Options)
		w.str(string(m.Topic))
		w.payloads(m.Args, m.Kwargs)
	case *Published:
		w.begin(typ, 0)
		w.uint(uint64(m.Request))
		w.uint(uint64(m.Publication))
	case *Subscribe:
		w.begin(typ, 0)
		w.uint(uint64(m.Request))
		w.dict(m.Options)
		w.str(string(m.Topic))
	case *Subscribed:
		w.begin(typ, 0)
		w.uint(uint64(m.Request))
		w.uint(uint64(m.Subscription))
	case *Unsubscribe:
		w.begin(typ, 0)
		w.uint(uint64(m.Request))
		w.uint(uint64(m.Subscription))
	case *Unsubscribed:
		w.optionalDetails(typ, m.Request, m.Details)
	case *Event:
		w.begin(typ, payloadCount(m.Args, m.Kwargs))
		w.uint(uint64(m.Subscription))
		w.uint(uint64(m.Publication))
		w.dict(m.Details)
		w.payloads(m.Args, m.Kwargs)
	case *Call:
		w.begin(typ, payloadCount(m.Args, m.Kwargs))
		w.uint(uint64(m.Request))
		w.dict(m.Options)
		w.str(string(m.Procedure))
		w.payloads(m.Args, m.Kwargs)
	case *Cancel:
		w.begin(typ, 0)
		w.uint(uint64(m.Request))
		w.dict(m.Options)
	case *Result:
		w.begin(typ, payloadCount(m.Args, m.Kwargs))
		w.uint(uint64(m.Request))
		w.dict(m.Details)
		w.payloads(m.Args, m.Kwargs)
	case *Register:
		w.begin(typ, 0)
		w.uint(uint64(m.Request))
		w.dict(m.Options)
		w.str(string(m.Procedure))
	case *Registered:
		w.begin(typ, 0)
		w.uint(uint64(m.Request))
		w.uint(uint64(m.Registration))
	case *Unregister:
		w.begin(typ, 0)
		w.uint(uint64(m.Request))
		w.uint(uint64(m.Registration))
	case *Unregistered:
		w.optionalDetails(typ, m.Request, m.Details)
	case *Invocation:
		w.begin(typ, payloadCount(m.Args, m.Kwargs))
		w.uint(uint64(m.Request))
		w.uint(uint64(m.Registration))
		w.dict(m.Details)
		w.payloads(m.Args, m.Kwargs)
	case *Interrupt:
		w.begin(typ, 0)
		w.uint(uint64(m.Request))
		w.dict(m.Options)
	case *Yield:
		w.begin(typ, payloadCount(m.Args, m.Kwargs))
		w.uint(uint64(m.Request))
		w.dict(m.Options)
		w.payloads(m.Args, m.Kwargs)
	default:
		w.err = fmt.Errorf("cannot encode message type %T", m)
	}
	if w.err != nil {
		return b, fmt.Errorf("wamp: encoding %s: %w", m.Type(), w.err)
	}
	return s.appendListEnd(w.b), nil
}

// optionalDetails writes UNSUBSCRIBED or UNREGISTERED: Details only when
// not nil (an empty one is written as {}).
func (w *msgWriter) optionalDetails(typ MessageType, req ID, details Dict) {
	if details == nil {
		w.begin(typ, 0)
		w.uint(uint64(req))
		return
	}
	w.begin(typ, 1)
	w.uint(uint64(req))
	w.dict(details)
}

// payloadWire returns what to write for p, which must encode as want
// (KindList for Arguments, KindDict for ArgumentsKw): raw bytes to write as
// they are (p was decoded by s, or is a Go value that encodes itself), a Go
// value for the codec (built with Go values, or decoded by another
// serializer: a relay between formats), or empty for an absent or nil
// payload.
func (s *Serializer) payloadWire(p Payload, want Kind) (raw []byte, v any, empty bool, err error) {
	switch {
	case p.val != nil:
		return s.goPayload(p.val, want)
	case p.raw == nil:
		return nil, nil, true, nil
	}
	if k := p.ser.kind(p.raw); k != want {
		return nil, nil, false, fmt.Errorf("a decoded %s cannot be sent as a %s", k, want)
	}
	if p.ser == s {
		return p.raw, nil, false, nil
	}
	v, err = p.ser.decodeAnyValue(p.raw)
	return nil, v, false, err
}

// decodeAnyValue decodes raw into plain Go values.
func (s *Serializer) decodeAnyValue(raw []byte) (any, error) {
	var v any
	err := s.decodeValue(raw, &v)
	return v, err
}

// goPayload checks that the Go value v encodes as want: a slice or array
// (but not []byte, which is binary) for a list, a map or a struct for a
// dictionary. A nil pointer, slice or map is empty. Types with their own
// encoding are encoded here and their encoding is checked.
func (s *Serializer) goPayload(v any, want Kind) (raw []byte, _ any, empty bool, err error) {
	// The common cases without reflection.
	switch x := v.(type) {
	case []any:
		if want == KindList {
			return nil, v, x == nil, nil
		}
	case map[string]any:
		if want == KindDict {
			return nil, v, x == nil, nil
		}
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil, nil, true, nil
		}
		rv = rv.Elem()
	}
	if hasOwnForm(rv.Type()) {
		b, err := s.EncodeValue(v)
		if err != nil {
			return nil, nil, false, err
		}
		if k := s.kind(b); k != want {
			return nil, nil, false, fmt.Errorf("%T encodes as a %s, not a %s", v, k, want)
		}
		return b, nil, false, nil
	}
	switch k := rv.Kind(); {
	case want == KindList && (k == reflect.Slice || k == reflect.Array) && rv.Type().Elem().Kind() != reflect.Uint8,
		want == KindDict && (k == reflect.Map || k == reflect.Struct):
		if (k == reflect.Slice || k == reflect.Map) && rv.IsNil() {
			return nil, nil, true, nil
		}
		return nil, v, false, nil
	}
	return nil, nil, false, fmt.Errorf("%T does not encode as a %s", v, want)
}

// MessageError describes input that is not a well-formed WAMP message. It
// wraps ErrMalformed.
type MessageError struct {
	Serializer string
	Type       MessageType // 0 when the type itself could not be read
	Field      string      // the offending field, "" for the envelope
	Reason     string
}

func (e *MessageError) Error() string {
	switch {
	case e.Type == 0:
		return fmt.Sprintf("wamp: malformed %s message: %s", e.Serializer, e.Reason)
	case e.Field == "":
		return fmt.Sprintf("wamp: malformed %s %s message: %s", e.Serializer, e.Type, e.Reason)
	}
	return fmt.Sprintf("wamp: malformed %s %s message: %s: %s", e.Serializer, e.Type, e.Field, e.Reason)
}

func (e *MessageError) Unwrap() error { return ErrMalformed }

// fields reads the elements of one message in order, remembering the first
// error: each reader takes the next element, whose name and kind the
// message's layout (internal/wire, layout.go) gives. A reader that asks for
// another kind than the layout has at its position is this package's
// error, reported as such, never a misread.
type fields struct {
	s    *Serializer
	env  *envelope
	typ  MessageType
	lay  *wire.Layout
	raws [][]byte
	next int // the position of the next element
	err  error
}

func (f *fields) fail(field, reason string, args ...any) {
	if f.err == nil {
		f.err = &MessageError{Serializer: f.s.name, Type: f.typ, Field: field, Reason: fmt.Sprintf(reason, args...)}
	}
}

// take returns the next element if the layout has one of kind a or b
// there; present is false when an optional element is absent or an error
// came first.
func (f *fields) take(a, b wire.Elem) (raw []byte, fd wire.Field, present bool) {
	i := f.next
	f.next++
	if i >= len(f.lay.Fields) || (f.lay.Fields[i].Elem != a && f.lay.Fields[i].Elem != b) {
		if f.err == nil {
			f.err = fmt.Errorf("wamp: internal error: %s element %d is not of the kind its reader takes", f.typ, i+1)
		}
		return nil, wire.Field{}, false
	}
	fd = f.lay.Fields[i]
	if f.err != nil || i+1 >= len(f.raws) {
		return nil, fd, false
	}
	return f.raws[i+1], fd, true
}

func (f *fields) id() ID {
	raw, fd, ok := f.take(wire.ElemID, wire.ElemIDOrZero)
	if !ok {
		return 0
	}
	k := f.s.kind(raw)
	if k != KindUint && k != KindInt {
		f.fail(fd.Name, "expected an ID (integer), got %s", k)
		return 0
	}
	n, err := f.s.decodeInt(raw, k, "ID", 0, int64(MaxID))
	if err != nil {
		f.fail(fd.Name, "ID out of range 1..2^53: %v", err)
		return 0
	}
	if n == 0 && fd.Elem != wire.ElemIDOrZero {
		f.fail(fd.Name, "ID 0 is not allowed here")
	}
	return ID(n)
}

func (f *fields) requestType() MessageType {
	raw, fd, ok := f.take(wire.ElemType, wire.ElemType)
	if !ok {
		return 0
	}
	k := f.s.kind(raw)
	if k != KindUint && k != KindInt {
		f.fail(fd.Name, "expected an integer, got %s", k)
		return 0
	}
	n, err := f.s.decodeInt(raw, k, "message type", 1, 255)
	if err != nil {
		f.fail(fd.Name, "%v", err)
		return 0
	}
	if t := MessageType(n); t.Known() {
		return t
	}
	f.fail(fd.Name, "unknown message type %d", n)
	return 0
}

// dict reads a dictionary. An optional one (ElemOptDict), whose presence
// the message tells, is nil when absent and not nil when present, even
// empty.
func (f *fields) dict() Dict {
	raw, fd, ok := f.take(wire.ElemDict, wire.ElemOptDict)
	if !ok {
		return nil
	}
	d := f.dictAt(raw, fd.Name)
	if d == nil && f.err == nil && fd.Elem == wire.ElemOptDict {
		d = Dict{}
	}
	return d
}

func (f *fields) dictAt(raw []byte, name string) Dict {
	if k := f.s.kind(raw); k != KindDict {
		f.fail(name, "expected a dict, got %s", k)
		return nil
	}
	if f.s.isEmptyDict(raw) {
		return nil // most are empty: reading a nil Dict is reading an empty one
	}
	if f.s.isProgressDict(raw) {
		return Dict{OptProgress: true}
	}
	env := f.env
	env.dict = nil
	err := f.s.decode(raw, &env.dict)
	d := env.dict
	env.dict = nil
	if err != nil {
		f.fail(name, "%v", err)
		return nil
	}
	if f.s.format == formatJSON {
		DecodeBinaryStrings(d)
	}
	return d
}

func (f *fields) str() string {
	raw, fd, ok := f.take(wire.ElemString, wire.ElemURI)
	if !ok {
		return ""
	}
	// WAMP messages are not polymorphic: where a string belongs, a JSON
	// string is one, even if it starts with NUL like JSON binary (as a
	// string relayed from a MsgPack or CBOR peer may).
	k := f.s.kind(raw)
	if k != KindString && !(k == KindBytes && f.s.format == formatJSON) {
		f.fail(fd.Name, "expected a string, got %s", k)
		return ""
	}
	var s string
	if v, ok := f.s.stringOf(raw); ok && k == KindString {
		s = v
	} else {
		env := f.env
		env.str = ""
		err := f.s.decode(raw, &env.str)
		s = env.str
		env.str = ""
		if err != nil {
			f.fail(fd.Name, "%v", err)
		}
	}
	if f.err == nil && s == "" && fd.Elem == wire.ElemURI {
		f.fail(fd.Name, "empty URI")
	}
	return s
}

func (f *fields) uri() URI { return URI(f.str()) }

// payload reads the optional Arguments or ArgumentsKw, which must be a list
// or a dictionary (or null, taken as absent).
func (f *fields) payload() Payload {
	raw, fd, ok := f.take(wire.ElemArguments, wire.ElemArgumentsKw)
	if !ok {
		return Payload{}
	}
	want := KindList
	if fd.Elem == wire.ElemArgumentsKw {
		want = KindDict
	}
	switch k := f.s.kind(raw); k {
	case want:
		return Payload{raw: raw, ser: f.s}
	case KindNil:
		return Payload{}
	default:
		f.fail(fd.Name, "expected a %s, got %s", want, k)
		return Payload{}
	}
}

// Decode decodes one message. Any input that is not a well-formed message
// of a known type returns an error wrapping ErrMalformed; Decode never
// panics. Well-formed includes nesting at most 100 levels, the message,
// each list and dictionary and each CBOR tag counting as one: the limit
// the embedded router applies too, checked before any decoding. The
// returned message refers to data, which must not be modified afterwards:
// its payloads are parts of data, and the codec decodes strings and binary
// values (in dictionaries, and later from the payloads) without copying
// them. An empty dictionary (most Details and Options are) decodes
// as a nil Dict, which reads like an empty one; the optional Details of
// UNSUBSCRIBED and UNREGISTERED are not nil when present.
func (s *Serializer) Decode(data []byte) (Message, error) {
	malformed := func(reason string, args ...any) error {
		return &MessageError{Serializer: s.name, Reason: fmt.Sprintf(reason, args...)}
	}
	if k := s.kind(data); k != KindList {
		return nil, malformed("expected a list, got %s", k)
	}
	// The check records where the elements lie, so that splitting the
	// message does not walk it (its payloads above all) a second time.
	var lb wire.ListBounds
	if err := s.wellFormedList(data, &lb); err != nil {
		return nil, malformed("%v", err)
	}
	if lb.N == 0 {
		return nil, malformed("empty list")
	}
	env := s.envelopes.Get().(*envelope)
	defer func() {
		clear(env.raws)
		env.raws = env.raws[:0]
		s.envelopes.Put(env)
	}()
	env.raws = lb.AppendElems(env.raws[:0], data) // all of them for a message (see wire.ListBounds)
	raws := env.raws
	k := s.kind(raws[0])
	if k != KindUint && k != KindInt {
		return nil, malformed("message type: expected an integer, got %s", k)
	}
	code, err := s.decodeInt(raws[0], k, "message type", 0, 255)
	if err != nil {
		return nil, malformed("message type: %v", err)
	}
	typ := MessageType(code)
	lay := wire.LayoutOf(uint64(code))
	least, most, ok := wire.Arity(uint64(code))
	if !ok {
		return nil, malformed("unknown message type %d", code)
	}
	if lb.N < least || lb.N > most {
		if least == most {
			return nil, &MessageError{Serializer: s.name, Type: typ, Reason: fmt.Sprintf("has %d elements, want %d", lb.N, least)}
		}
		return nil, &MessageError{Serializer: s.name, Type: typ, Reason: fmt.Sprintf("has %d elements, want %d to %d", lb.N, least, most)}
	}
	f := &fields{s: s, env: env, typ: typ, lay: lay, raws: raws}
	m := f.message()
	if f.err != nil {
		return nil, f.err
	}
	return m, nil
}

// message builds the message from its elements. Each struct's fields are
// in the order of the message's layout, and Go evaluates a composite
// literal's elements in order: each reader takes the next element.
func (f *fields) message() Message {
	switch f.typ {
	case TypeHello:
		return &Hello{Realm: f.uri(), Details: f.dict()}
	case TypeWelcome:
		return &Welcome{Session: f.id(), Details: f.dict()}
	case TypeAbort:
		return &Abort{Details: f.dict(), Reason: f.uri(), Args: f.payload(), Kwargs: f.payload()}
	case TypeChallenge:
		return &Challenge{AuthMethod: f.str(), Extra: f.dict()}
	case TypeAuthenticate:
		return &Authenticate{Signature: f.str(), Extra: f.dict()}
	case TypeGoodbye:
		return &Goodbye{Details: f.dict(), Reason: f.uri()}
	case TypeError:
		return &Error{RequestType: f.requestType(), Request: f.id(), Details: f.dict(), Error: f.uri(),
			Args: f.payload(), Kwargs: f.payload()}
	case TypePublish:
		return &Publish{Request: f.id(), Options: f.dict(), Topic: f.uri(), Args: f.payload(), Kwargs: f.payload()}
	case TypePublished:
		return &Published{Request: f.id(), Publication: f.id()}
	case TypeSubscribe:
		return &Subscribe{Request: f.id(), Options: f.dict(), Topic: f.uri()}
	case TypeSubscribed:
		return &Subscribed{Request: f.id(), Subscription: f.id()}
	case TypeUnsubscribe:
		return &Unsubscribe{Request: f.id(), Subscription: f.id()}
	case TypeUnsubscribed:
		return &Unsubscribed{Request: f.id(), Details: f.dict()}
	case TypeEvent:
		return &Event{Subscription: f.id(), Publication: f.id(), Details: f.dict(), Args: f.payload(), Kwargs: f.payload()}
	case TypeCall:
		return &Call{Request: f.id(), Options: f.dict(), Procedure: f.uri(), Args: f.payload(), Kwargs: f.payload()}
	case TypeCancel:
		return &Cancel{Request: f.id(), Options: f.dict()}
	case TypeResult:
		return &Result{Request: f.id(), Details: f.dict(), Args: f.payload(), Kwargs: f.payload()}
	case TypeRegister:
		return &Register{Request: f.id(), Options: f.dict(), Procedure: f.uri()}
	case TypeRegistered:
		return &Registered{Request: f.id(), Registration: f.id()}
	case TypeUnregister:
		return &Unregister{Request: f.id(), Registration: f.id()}
	case TypeUnregistered:
		return &Unregistered{Request: f.id(), Details: f.dict()}
	case TypeInvocation:
		return &Invocation{Request: f.id(), Registration: f.id(), Details: f.dict(), Args: f.payload(), Kwargs: f.payload()}
	case TypeInterrupt:
		return &Interrupt{Request: f.id(), Options: f.dict()}
	case TypeYield:
		return &Yield{Request: f.id(), Options: f.dict(), Args: f.payload(), Kwargs: f.payload()}
	}
	f.err = fmt.Errorf("wamp: internal error: no message for type %s", f.typ)
	return nil
}
