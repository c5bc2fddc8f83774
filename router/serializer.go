package router

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"unicode/utf8"

	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"
	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire"
)

// serializer implements nexus's serialize.Serializer for one wire format.
//
// It replaces nexus's stock serializers on every connection the router
// accepts, for three reasons:
//
//   - JSON has no binary type. WAMP's convention (see the package
//     documentation) carries bytes as a string made of a NUL character and
//     standard padded base64. nexus's stock JSON serializer implements neither
//     direction, so bytes were mangled between a JSON peer and a MsgPack or
//     CBOR peer.
//   - nexus encodes a nil Arguments list that precedes a non-empty
//     ArgumentsKw as null, and a nil Details or Options dict as null; the
//     spec requires [] and {}.
//   - nexus decodes leniently (missing or mistyped elements are skipped). A
//     router used for testing clients should reject malformed messages, so
//     these serializers check the element count and types of each message,
//     and that its strings and dict keys are valid UTF-8.
//   - A router must survive any client: every message is checked against
//     the module's one nesting rule (internal/wire: at most wire.MaxDepth
//     levels, lists, dicts and CBOR tags each counting as one) before the
//     codec sees it (the passthrough's canonical check, or wire's nesting
//     checker). The codec recurses once per level and counts only
//     lists and maps, so 800,000 nested CBOR tags in one frame overflowed
//     the goroutine stack and ended the process (issue 11).
//
// A serializer is stateless and safe for concurrent use.
type serializer struct {
	name   string // "json", "msgpack" or "cbor"
	format wire.Format
	handle codec.Handle // the format's one codec configuration (internal/wire)
	json   bool         // apply the JSON binary convention
}

var _ serialize.Serializer = (*serializer)(nil)

var (
	jsonSerializer    = newSerializer("json", wire.JSON)
	msgpackSerializer = newSerializer("msgpack", wire.MsgPack)
	cborSerializer    = newSerializer("cbor", wire.CBOR)
)

func newSerializer(name string, f wire.Format) *serializer {
	return &serializer{name: name, format: f, handle: f.Handle(), json: f == wire.JSON}
}

// Serialize encodes msg as a WAMP message list. The hot messages
// (INVOCATION, RESULT, ERROR, EVENT) are written by appendFast, which
// copies payloads carried raw (see rawPayload) as they are; every other
// message takes serializeFull.
func (s *serializer) Serialize(msg wamp.Message) ([]byte, error) {
	if b, ok, err := s.appendFast(nil, msg); ok {
		return b, err
	}
	return s.serializeFull(msg)
}

// serializeFull is the general Serialize: the message is turned into a list
// of Go values (raw payloads decoded) and encoded by the codec.
func (s *serializer) serializeFull(msg wamp.Message) ([]byte, error) {
	list, err := messageToList(msg)
	if err != nil {
		return nil, err
	}
	var b []byte
	if err := codec.NewEncoderBytes(&b, s.handle).Encode(list); err != nil {
		return nil, fmt.Errorf("encode %s as %s: %w", msg.MessageType(), s.name, err)
	}
	return b, nil
}

// Deserialize decodes a WAMP message list. CALL, YIELD, ERROR and PUBLISH
// go through decodeFast, which leaves their payloads encoded (see
// rawPayload); whatever it can't take, including every malformed message,
// goes through deserializeFull, which decides.
func (s *serializer) Deserialize(data []byte) (wamp.Message, error) {
	if msg := s.decodeFast(data); msg != nil {
		return msg, nil
	}
	return s.deserializeFull(data)
}

// deserializeFull is the general Deserialize: the whole message is decoded
// into Go values and validated.
func (s *serializer) deserializeFull(data []byte) (wamp.Message, error) {
	if err := s.format.Depth(data); err != nil {
		return nil, fmt.Errorf("decode %s: %w", s.name, err)
	}
	var v any
	if err := codec.NewDecoderBytes(data, s.handle).Decode(&v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", s.name, err)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("decode %s: message is %T, not a list", s.name, v)
	}
	if err := checkUTF8(list); err != nil {
		return nil, fmt.Errorf("decode %s: %w", s.name, err)
	}
	if s.name == "cbor" {
		if _, err := wire.UnwrapCBOR(list); err != nil {
			return nil, fmt.Errorf("decode cbor: %w", err)
		}
	}
	if s.json {
		// Only payload containers (dicts and lists) follow the binary
		// convention; top-level strings are URIs, auth methods and the like.
		for _, e := range list[min(1, len(list)):] {
			switch e.(type) {
			case []any, map[string]any:
				wire.DecodeBinaryStrings(e)
			}
		}
	}
	return listToMessage(list)
}

// errInvalidUTF8 refuses text that is not UTF-8. The codec takes any bytes
// as a string, in each of the three formats, but JSON text, MessagePack str
// and CBOR text strings must be UTF-8, and such a string can't be passed
// on faithfully: a JSON client would receive each invalid byte as U+FFFD,
// so that two distinct dict keys could become one and a value be lost, and
// a CBOR client would receive invalid text.
var errInvalidUTF8 = errors.New("a string or dict key is not valid UTF-8")

// checkUTF8 returns errInvalidUTF8 if a string or dict key anywhere in v,
// a decoded value, is not valid UTF-8. The error does not say which, so
// that it does not depend on the order in which a map is visited.
func checkUTF8(v any) error {
	switch t := v.(type) {
	case string:
		if !utf8.ValidString(t) {
			return errInvalidUTF8
		}
	case []any:
		for _, e := range t {
			if err := checkUTF8(e); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range t {
			if !utf8.ValidString(k) {
				return errInvalidUTF8
			}
			if err := checkUTF8(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// SerializeDataItem encodes an arbitrary value.
func (s *serializer) SerializeDataItem(item any) ([]byte, error) {
	var b []byte
	err := codec.NewEncoderBytes(&b, s.handle).Encode(item)
	return b, err
}

// DeserializeDataItem decodes data into v, a pointer. For JSON, binary
// strings are converted when v points to an interface value.
func (s *serializer) DeserializeDataItem(data []byte, v any) error {
	if err := s.format.Depth(data); err != nil {
		return fmt.Errorf("decode %s: %w", s.name, err)
	}
	if err := codec.NewDecoderBytes(data, s.handle).Decode(v); err != nil {
		return err
	}
	if p, ok := v.(*any); ok && s.json {
		*p = wire.DecodeBinaryStrings(*p)
	}
	return nil
}

// serializerFor returns the serializer for a RawSocket serializer ID.
func serializerFor(id byte) *serializer {
	switch id {
	case 1:
		return jsonSerializer
	case 2:
		return msgpackSerializer
	case 3:
		return cborSerializer
	}
	return nil
}

// The full path converts between a message list and nexus's message
// structs by the message layout (internal/wire, layout.go): the fields of
// each nexus struct are the first elements of its layout after the type
// code, in order (TestLayoutPaths checks it). nexus has no field for the
// optional elements at the end of two layouts (ABORT's Arguments and
// ArgumentsKw, the Details of a revoking UNSUBSCRIBED or UNREGISTERED): a
// message's own are checked like any element and not passed on.

// nexusLayout returns the layout of msg's type and msg's struct, checked to
// have no more fields than the layout has elements.
func nexusLayout(msg wamp.Message) (*wire.Layout, reflect.Value, error) {
	rv := reflect.ValueOf(msg)
	if msg == nil || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, reflect.Value{}, fmt.Errorf("cannot serialize message of type %T", msg)
	}
	rv = rv.Elem()
	lay := wire.LayoutOf(uint64(msg.MessageType()))
	if lay == nil || rv.NumField() > len(lay.Fields) {
		return nil, reflect.Value{}, fmt.Errorf("message %T has no WAMP layout", msg)
	}
	return lay, rv, nil
}

// messageToList turns a nexus message into its WAMP list form. Trailing
// empty optional elements (Arguments, ArgumentsKw) are left off; any other
// nil list or dict is written as an empty one.
func messageToList(msg wamp.Message) ([]any, error) {
	lay, rv, err := nexusLayout(msg)
	if err != nil {
		return nil, err
	}
	last := rv.NumField() - 1
	for ; last >= 0; last-- {
		if !lay.Fields[last].Elem.Optional() || rv.Field(last).Len() > 0 {
			break
		}
	}
	list := make([]any, 0, last+2)
	list = append(list, int(msg.MessageType()))
	for i := 0; i <= last; i++ {
		f := rv.Field(i)
		switch e := lay.Fields[i].Elem; {
		case f.Kind() == reflect.Map && f.IsNil():
			list = append(list, map[string]any{})
		case f.Kind() == reflect.Slice && f.IsNil():
			list = append(list, []any{})
		case e == wire.ElemArguments || e == wire.ElemArgumentsKw:
			v, err := payloadValue(f.Interface())
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", msg.MessageType(), lay.Fields[i].Name, err)
			}
			list = append(list, v)
		default:
			list = append(list, f.Interface())
		}
	}
	return list, nil
}

// listToMessage builds a nexus message from its decoded WAMP list form. Every
// element the layout requires must be present and of the right type; null is
// accepted for a dict or list and means empty.
func listToMessage(list []any) (wamp.Message, error) {
	if len(list) == 0 {
		return nil, errors.New("empty message list")
	}
	code, ok := toUint64(list[0])
	if !ok || code > math.MaxUint8 {
		return nil, fmt.Errorf("message type %v is not a valid message code", list[0])
	}
	msg := wamp.NewMessage(wamp.MessageType(code))
	if msg == nil {
		return nil, fmt.Errorf("unknown message type %d", code)
	}
	lay, rv, err := nexusLayout(msg)
	if err != nil {
		return nil, err
	}
	least, most, _ := wire.Arity(code)
	if len(list) > most {
		return nil, fmt.Errorf("%s has %d elements, at most %d allowed", msg.MessageType(), len(list), most)
	}
	if len(list) < least {
		return nil, fmt.Errorf("%s is missing element %d (%s)", msg.MessageType(), len(list), lay.Fields[len(list)-1].Name)
	}
	for i, fd := range lay.Fields[:len(list)-1] {
		var f reflect.Value // none: checked, not passed on
		if i < rv.NumField() {
			f = rv.Field(i)
		}
		if err := setField(f, fd.Elem, list[i+1]); err != nil {
			return nil, fmt.Errorf("%s element %d (%s): %w", msg.MessageType(), i+1, fd.Name, err)
		}
	}
	return msg, nil
}

// setField checks v, a decoded value, against an element of kind e and
// stores it in f, a message field, unless f is the zero Value.
func setField(f reflect.Value, e wire.Elem, v any) error {
	var want reflect.Kind
	switch e {
	case wire.ElemID, wire.ElemIDOrZero:
		n, ok := toUint64(v)
		if !ok {
			return fmt.Errorf("want an ID, have %s", wireKind(v))
		}
		if n > maxRequestID || n == 0 && e == wire.ElemID {
			return fmt.Errorf("ID %d is outside 1..2^53", n)
		}
		if want = reflect.Uint64; f.IsValid() && f.Kind() == want {
			f.SetUint(n)
		}
	case wire.ElemType:
		n, ok := toUint64(v)
		if !ok {
			return fmt.Errorf("want a message type, have %s", wireKind(v))
		}
		if wire.LayoutOf(n) == nil {
			return fmt.Errorf("%d is no message type", n)
		}
		if want = reflect.Int; f.IsValid() && f.Kind() == want {
			f.SetInt(int64(n))
		}
	case wire.ElemURI, wire.ElemString:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, have %s", wireKind(v))
		}
		if want = reflect.String; f.IsValid() && f.Kind() == want {
			f.SetString(s)
		}
	case wire.ElemDict, wire.ElemOptDict, wire.ElemArgumentsKw:
		m, ok := v.(map[string]any)
		if !ok && v != nil {
			return fmt.Errorf("want a dict, have %s", wireKind(v))
		}
		if want = reflect.Map; f.IsValid() && f.Kind() == want {
			if m == nil {
				f.Set(reflect.MakeMap(f.Type()))
			} else {
				f.Set(reflect.ValueOf(m).Convert(f.Type()))
			}
		}
	case wire.ElemArguments:
		l, ok := v.([]any)
		if !ok && v != nil {
			return fmt.Errorf("want a list, have %s", wireKind(v))
		}
		if want = reflect.Slice; f.IsValid() && f.Kind() == want && l != nil {
			f.Set(reflect.ValueOf(l).Convert(f.Type()))
		}
	}
	if f.IsValid() && f.Kind() != want {
		return fmt.Errorf("internal error: a %s field for this element", f.Kind())
	}
	return nil
}

// wireKind names the kind of a decoded value as a client knows it, for
// error texts sent to clients: WAMP's words, not Go's types, and not the
// value, which may be large.
func wireKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a bool"
	case string:
		return "a string"
	case []byte:
		return "bytes"
	case []any:
		return "a list"
	case map[string]any:
		return "a dict"
	case float32, float64:
		return "a float"
	case int64, uint64, int, int32, uint32, int16, uint16, int8, uint8:
		if n, ok := toUint64(v); ok && n > maxRequestID {
			return "an integer above 2^53"
		}
		return "an integer"
	default:
		return "another kind of value"
	}
}

// toUint64 converts a decoded non-negative integer to uint64. Decoders
// produce int64 or uint64; an integral float is accepted too, since some
// JSON encoders write every number as a float.
func toUint64(v any) (uint64, bool) {
	switch n := v.(type) {
	case uint64:
		return n, true
	case int64:
		return uint64(n), n >= 0
	case float64:
		if n >= 0 && n < (1<<63) && n == math.Trunc(n) {
			return uint64(n), true
		}
	case float32:
		return toUint64(float64(n))
	}
	return 0, false
}
