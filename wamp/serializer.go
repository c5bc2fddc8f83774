package wamp

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"time"

	"github.com/ugorji/go/codec"
)

// ErrMalformed is wrapped by every error a Serializer returns for input that
// is not a well-formed WAMP message, so that a session can answer it with
// wamp.error.protocol_violation.
var ErrMalformed = errors.New("malformed WAMP message")

// maxDepth bounds the nesting of decoded values, so that hostile input cannot
// exhaust the stack.
const maxDepth = 100

// Serializer encodes and decodes WAMP messages in one format. The three
// formats WAMP defines are the package variables JSON, MsgPack and CBOR; they
// are safe for concurrent use.
type Serializer struct {
	name        string
	subprotocol string
	rawSocketID byte
	binary      bool
	handle      codec.Handle
	kind        func([]byte) Kind
	decoders    sync.Pool
	encoders    sync.Pool
	envelopes   sync.Pool
}

// The serializers WAMP defines.
var (
	JSON    = newSerializer("json", 1, false, newJSONHandle(), jsonKind)
	MsgPack = newSerializer("msgpack", 2, true, newMsgpackHandle(), msgpackKind)
	CBOR    = newSerializer("cbor", 3, true, newCBORHandle(), cborKind)
)

// Serializers lists JSON, MsgPack and CBOR.
func Serializers() []*Serializer { return []*Serializer{JSON, MsgPack, CBOR} }

// SerializerByName returns the serializer named "json", "msgpack" or "cbor".
func SerializerByName(name string) (*Serializer, error) {
	for _, s := range Serializers() {
		if s.name == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("wamp: unknown serializer %q (known: json, msgpack, cbor)", name)
}

// SerializerBySubprotocol returns the serializer of a WebSocket subprotocol
// such as "wamp.2.json", or nil.
func SerializerBySubprotocol(p string) *Serializer {
	for _, s := range Serializers() {
		if s.subprotocol == p {
			return s
		}
	}
	return nil
}

// SerializerByRawSocketID returns the serializer of a RawSocket handshake
// serializer code (1 JSON, 2 MsgPack, 3 CBOR), or nil.
func SerializerByRawSocketID(id byte) *Serializer {
	for _, s := range Serializers() {
		if s.rawSocketID == id {
			return s
		}
	}
	return nil
}

func newSerializer(name string, id byte, binary bool, h codec.Handle, kind func([]byte) Kind) *Serializer {
	s := &Serializer{name: name, subprotocol: "wamp.2." + name, rawSocketID: id, binary: binary, handle: h, kind: kind}
	s.decoders.New = func() any { return codec.NewDecoderBytes(nil, h) }
	s.encoders.New = func() any { return codec.NewEncoderBytes(nil, h) }
	s.envelopes.New = func() any { return new(envelope) }
	return s
}

func baseHandle(b *codec.BasicHandle) {
	b.MapType = reflect.TypeFor[map[string]any]()
	b.SliceType = reflect.TypeFor[[]any]()
	b.MaxDepth = maxDepth
	b.InterfaceReset = true
	b.ZeroCopy = true
	b.Raw = true // encode codec.Raw as is: a received payload is re-sent without re-encoding
}

func newJSONHandle() codec.Handle {
	h := &codec.JsonHandle{}
	baseHandle(&h.BasicHandle)
	h.RawBytesExt = nulBase64{}
	h.HTMLCharsAsIs = true
	return h
}

func newMsgpackHandle() codec.Handle {
	h := &codec.MsgpackHandle{}
	baseHandle(&h.BasicHandle)
	h.WriteExt = true // str8 and the bin family: strings and bytes stay apart
	return h
}

func newCBORHandle() codec.Handle {
	h := &codec.CborHandle{}
	baseHandle(&h.BasicHandle)
	return h
}

// nulBase64 is the WAMP JSON convention for binary data: a string made of a
// NUL character and the standard base64 encoding of the bytes.
type nulBase64 struct{}

func (nulBase64) ConvertExt(v any) any {
	b, _ := v.([]byte)
	return "\x00" + base64.StdEncoding.EncodeToString(b)
}

func (nulBase64) UpdateExt(dst, src any) {
	s, ok := src.(string)
	if !ok {
		// ugorji recovers error panics raised inside extensions and
		// returns them from Decode; nothing escapes the decoder.
		panic(fmt.Errorf("binary value: expected a string, got %T", src))
	}
	b, ok := decodeNulBase64(s)
	if !ok {
		panic(errors.New(`binary value: expected "\u0000" followed by base64`))
	}
	*dst.(*[]byte) = b
}

func decodeNulBase64(s string) ([]byte, bool) {
	if len(s) == 0 || s[0] != 0 {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(s[1:])
	return b, err == nil
}

// Name returns "json", "msgpack" or "cbor".
func (s *Serializer) Name() string { return s.name }

// Subprotocol returns the WebSocket subprotocol, such as "wamp.2.json".
func (s *Serializer) Subprotocol() string { return s.subprotocol }

// RawSocketID returns the serializer code of the RawSocket handshake.
func (s *Serializer) RawSocketID() byte { return s.rawSocketID }

// Binary reports whether messages travel in binary WebSocket frames.
func (s *Serializer) Binary() bool { return s.binary }

// String returns the name.
func (s *Serializer) String() string { return s.name }

// EncodeValue encodes any Go value in this format.
func (s *Serializer) EncodeValue(v any) ([]byte, error) {
	var out []byte
	e := s.encoders.Get().(*codec.Encoder)
	e.ResetBytes(&out)
	err := e.Encode(v)
	e.ResetBytes(nil)
	s.encoders.Put(e)
	if err != nil {
		return nil, fmt.Errorf("wamp: %s encoding: %w", s.name, err)
	}
	return out, nil
}

// decode decodes raw into dst with a pooled decoder; a decoder that failed
// is dropped, as ugorji decoders are unusable after an error.
func (s *Serializer) decode(raw []byte, dst any) error {
	d := s.decoders.Get().(*codec.Decoder)
	d.ResetBytes(raw)
	if err := d.Decode(dst); err != nil {
		return err
	}
	d.ResetBytes(nil)
	s.decoders.Put(d)
	return nil
}

// DecodeError reports an encoded value that does not suit the Go type it is
// decoded into.
type DecodeError struct {
	Want string // the Go type, such as "float64"
	Got  Kind   // the encoded kind
	Err  error  // the underlying decoder error, if any
}

func (e *DecodeError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("cannot decode %s into %s: %v", e.Got, e.Want, e.Err)
	}
	return fmt.Sprintf("expected %s, got %s", e.Want, e.Got)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// selfDecoding lists the interfaces of types that decode themselves; the
// codec handles them and kind checks do not apply.
var selfDecoding = []reflect.Type{
	reflect.TypeFor[codec.Selfer](),
	reflect.TypeFor[encoding.BinaryUnmarshaler](),
	reflect.TypeFor[encoding.TextUnmarshaler](),
	reflect.TypeFor[json.Unmarshaler](),
}

func decodesItself(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	for _, i := range selfDecoding {
		if pt.Implements(i) {
			return true
		}
	}
	return t == reflect.TypeFor[time.Time]()
}

// DecodeValue decodes one encoded value into dst, strictly, as described at
// Value.Decode.
func (s *Serializer) DecodeValue(raw []byte, dst any) error {
	k := s.kind(raw)
	if k == KindInvalid {
		return &DecodeError{Want: fmt.Sprintf("%T", dst), Got: k, Err: ErrMalformed}
	}
	// Fast paths for the types typed procedures use most.
	switch p := dst.(type) {
	case *float64:
		if k != KindUint && k != KindInt && k != KindFloat {
			return &DecodeError{Want: "float64", Got: k}
		}
		return s.wrap(raw, p, "float64", k)
	case *string:
		if k != KindString {
			return &DecodeError{Want: "string", Got: k}
		}
		return s.wrap(raw, p, "string", k)
	case *bool:
		if k != KindBool {
			return &DecodeError{Want: "bool", Got: k}
		}
		return s.wrap(raw, p, "bool", k)
	case *int64:
		n, err := s.decodeInt(raw, k, "int64", math.MinInt64, math.MaxInt64)
		*p = n
		return err
	case *int:
		n, err := s.decodeInt(raw, k, "int", math.MinInt, math.MaxInt)
		*p = int(n)
		return err
	case *[]byte:
		if k != KindBytes && k != KindNil {
			return &DecodeError{Want: "[]byte", Got: k}
		}
		return s.wrap(raw, p, "[]byte", k)
	case *any:
		if err := s.wrap(raw, p, "interface value", k); err != nil {
			return err
		}
		if s == JSON {
			*p = fixJSONBinary(*p)
		}
		return nil
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("wamp: decoding needs a non-nil pointer, got %T", dst)
	}
	return s.decodeReflect(raw, k, rv.Elem())
}

func (s *Serializer) wrap(raw []byte, dst any, want string, k Kind) error {
	if err := s.decode(raw, dst); err != nil {
		return &DecodeError{Want: want, Got: k, Err: err}
	}
	return nil
}

func (s *Serializer) decodeReflect(raw []byte, k Kind, v reflect.Value) error {
	t := v.Type()
	want := t.String()
	mismatch := func() error { return &DecodeError{Want: want, Got: k} }
	if k == KindNil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			v.SetZero()
			return nil
		}
		return mismatch()
	}
	// Types with their own encoding (time.Time, codec.Selfer, Unmarshalers)
	// are left to the codec.
	if decodesItself(t) {
		return s.wrap(raw, v.Addr().Interface(), want, k)
	}
	switch t.Kind() {
	case reflect.Bool:
		if k != KindBool {
			return mismatch()
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := s.decodeInt(raw, k, want, math.MinInt64, math.MaxInt64)
		if err != nil {
			return err
		}
		if v.OverflowInt(n) {
			return &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%d overflows %s", n, want)}
		}
		v.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u, err := s.decodeUint(raw, k, want)
		if err != nil {
			return err
		}
		if v.OverflowUint(u) {
			return &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%d overflows %s", u, want)}
		}
		v.SetUint(u)
		return nil
	case reflect.Float32, reflect.Float64:
		if k != KindUint && k != KindInt && k != KindFloat {
			return mismatch()
		}
	case reflect.String:
		if k != KindString {
			return mismatch()
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if k != KindBytes {
				return mismatch()
			}
		} else if k != KindList {
			return mismatch()
		}
	case reflect.Array:
		if k != KindList && !(k == KindBytes && t.Elem().Kind() == reflect.Uint8) {
			return mismatch()
		}
	case reflect.Map, reflect.Struct:
		if k != KindDict {
			return mismatch()
		}
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return s.decodeReflect(raw, k, v.Elem())
	case reflect.Interface:
		if err := s.wrap(raw, v.Addr().Interface(), want, k); err != nil {
			return err
		}
		if s == JSON && !v.IsNil() {
			v.Set(reflect.ValueOf(fixJSONBinary(v.Interface())))
		}
		return nil
	default:
		return fmt.Errorf("wamp: cannot decode into %s", want)
	}
	return s.wrap(raw, v.Addr().Interface(), want, k)
}

// decodeInt decodes an integer (or a float without fraction) that must lie
// in min..max.
func (s *Serializer) decodeInt(raw []byte, k Kind, want string, lo, hi int64) (int64, error) {
	switch k {
	case KindUint:
		var u uint64
		if err := s.decode(raw, &u); err != nil {
			return 0, &DecodeError{Want: want, Got: k, Err: err}
		}
		if u > uint64(hi) {
			return 0, &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%d overflows %s", u, want)}
		}
		return int64(u), nil
	case KindInt:
		var n int64
		if err := s.decode(raw, &n); err != nil {
			return 0, &DecodeError{Want: want, Got: k, Err: err}
		}
		if n < lo || n > hi {
			return 0, &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%d overflows %s", n, want)}
		}
		return n, nil
	case KindFloat:
		var f float64
		if err := s.decode(raw, &f); err != nil {
			return 0, &DecodeError{Want: want, Got: k, Err: err}
		}
		if f != math.Trunc(f) || f < float64(lo) || f >= -float64(math.MinInt64) || f > float64(hi) {
			return 0, &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%v is not an integer in range", f)}
		}
		return int64(f), nil
	}
	return 0, &DecodeError{Want: want, Got: k}
}

func (s *Serializer) decodeUint(raw []byte, k Kind, want string) (uint64, error) {
	switch k {
	case KindUint:
		var u uint64
		if err := s.decode(raw, &u); err != nil {
			return 0, &DecodeError{Want: want, Got: k, Err: err}
		}
		return u, nil
	case KindInt, KindFloat:
		n, err := s.decodeInt(raw, k, want, 0, math.MaxInt64)
		return uint64(n), err
	}
	return 0, &DecodeError{Want: want, Got: k}
}

// fixJSONBinary turns NUL-prefixed base64 strings inside decoded JSON into
// []byte, in place where possible.
func fixJSONBinary(v any) any {
	switch x := v.(type) {
	case string:
		if b, ok := decodeNulBase64(x); ok {
			return b
		}
	case []any:
		for i, e := range x {
			x[i] = fixJSONBinary(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = fixJSONBinary(e)
		}
	}
	return v
}

// splitList splits an encoded list into its encoded elements.
func (s *Serializer) splitList(raw []byte) ([]Value, error) {
	if k := s.kind(raw); k != KindList {
		if k == KindNil {
			return nil, nil
		}
		return nil, &DecodeError{Want: "list", Got: k}
	}
	var elems []codec.Raw
	if err := s.decode(raw, &elems); err != nil {
		return nil, &DecodeError{Want: "list", Got: KindList, Err: err}
	}
	vals := make([]Value, len(elems))
	for i, e := range elems {
		vals[i] = Value{raw: e, ser: s}
	}
	return vals, nil
}
