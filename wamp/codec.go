package wamp

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/ugorji/go/codec"
)

// emptyDict is encoded for a nil Details or Options: the specification
// requires a dictionary, never null. It is never modified.
var emptyDict = map[string]any{}

// envelope is the reusable scratch space of one Encode or Decode call.
type envelope struct {
	elems []any
	raws  []codec.Raw
}

// Encode encodes m. Nil dictionaries are written as {}, an absent
// ArgumentsKw is left out, and an absent Arguments is left out unless
// ArgumentsKw is present (then it is []). Arguments must encode as a list
// and ArgumentsKw as a dictionary; a nil slice or map is taken as empty.
func (s *Serializer) Encode(m Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("wamp: cannot encode a nil message")
	}
	if v := reflect.ValueOf(m); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("wamp: cannot encode a nil %T", m)
	}
	env := s.envelopes.Get().(*envelope)
	defer func() {
		clear(env.elems)
		env.elems = env.elems[:0]
		s.envelopes.Put(env)
	}()
	el, err := s.appendFields(env.elems[:0], m)
	env.elems = el
	if err != nil {
		return nil, fmt.Errorf("wamp: encoding %s: %w", m.Type(), err)
	}
	out, err := s.EncodeValue(el)
	if err != nil {
		return nil, fmt.Errorf("wamp: encoding %s: %w", m.Type(), err)
	}
	return out, nil
}

func dict(d Dict) any {
	if d == nil {
		return emptyDict
	}
	return d
}

// emptyList is encoded for an Arguments that is absent or nil while
// ArgumentsKw is present. It is never modified.
var emptyList = []any{}

// payloadValue returns what to encode for p, which must encode as want
// (KindList for Arguments, KindDict for ArgumentsKw): the Go value, the raw
// bytes when p was decoded by s, or the decoded value when another
// serializer produced p (a relay between formats). An absent or nil payload
// gives empty.
func (s *Serializer) payloadValue(p Payload, want Kind, empty any) (any, error) {
	switch {
	case p.val != nil:
		return s.goPayload(p.val, want, empty)
	case p.raw == nil:
		return empty, nil
	}
	if k := p.ser.kind(p.raw); k != want {
		return nil, fmt.Errorf("a decoded %s cannot be sent as a %s", k, want)
	}
	if p.ser == s {
		return codec.Raw(p.raw), nil
	}
	var v any
	if err := p.ser.decodeValue(p.raw, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// goPayload checks that the Go value v encodes as want: a slice or array
// (but not []byte, which is binary) for a list, a map or a struct for a
// dictionary. A nil pointer, slice or map gives empty. Types with their own
// encoding are encoded here and their encoding is checked.
func (s *Serializer) goPayload(v any, want Kind, empty any) (any, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return empty, nil
		}
		rv = rv.Elem()
	}
	if codesItself(rv.Type()) {
		b, err := s.EncodeValue(v)
		if err != nil {
			return nil, err
		}
		if k := s.kind(b); k != want {
			return nil, fmt.Errorf("%T encodes as a %s, not a %s", v, k, want)
		}
		return codec.Raw(b), nil
	}
	switch k := rv.Kind(); {
	case want == KindList && (k == reflect.Slice || k == reflect.Array) && rv.Type().Elem().Kind() != reflect.Uint8,
		want == KindDict && (k == reflect.Map || k == reflect.Struct):
		if (k == reflect.Slice || k == reflect.Map) && rv.IsNil() {
			return empty, nil
		}
		return v, nil
	}
	return nil, fmt.Errorf("%T does not encode as a %s", v, want)
}

func (s *Serializer) appendPayloads(el []any, args, kwargs Payload) ([]any, error) {
	if args.IsZero() && kwargs.IsZero() {
		return el, nil
	}
	a, err := s.payloadValue(args, KindList, emptyList)
	if err != nil {
		return el, fmt.Errorf("Arguments: %w", err)
	}
	if kwargs.IsZero() {
		return append(el, a), nil
	}
	kw, err := s.payloadValue(kwargs, KindDict, emptyDict)
	if err != nil {
		return el, fmt.Errorf("ArgumentsKw: %w", err)
	}
	return append(el, a, kw), nil
}

func (s *Serializer) appendFields(el []any, m Message) ([]any, error) {
	el = append(el, uint64(m.Type()))
	switch m := m.(type) {
	case *Hello:
		return append(el, string(m.Realm), dict(m.Details)), nil
	case *Welcome:
		return append(el, uint64(m.Session), dict(m.Details)), nil
	case *Abort:
		return s.appendPayloads(append(el, dict(m.Details), string(m.Reason)), m.Args, m.Kwargs)
	case *Challenge:
		return append(el, m.AuthMethod, dict(m.Extra)), nil
	case *Authenticate:
		return append(el, m.Signature, dict(m.Extra)), nil
	case *Goodbye:
		return append(el, dict(m.Details), string(m.Reason)), nil
	case *Error:
		return s.appendPayloads(append(el, uint64(m.RequestType), uint64(m.Request), dict(m.Details), string(m.Error)), m.Args, m.Kwargs)
	case *Publish:
		return s.appendPayloads(append(el, uint64(m.Request), dict(m.Options), string(m.Topic)), m.Args, m.Kwargs)
	case *Published:
		return append(el, uint64(m.Request), uint64(m.Publication)), nil
	case *Subscribe:
		return append(el, uint64(m.Request), dict(m.Options), string(m.Topic)), nil
	case *Subscribed:
		return append(el, uint64(m.Request), uint64(m.Subscription)), nil
	case *Unsubscribe:
		return append(el, uint64(m.Request), uint64(m.Subscription)), nil
	case *Unsubscribed:
		if m.Details != nil {
			return append(el, uint64(m.Request), m.Details), nil
		}
		return append(el, uint64(m.Request)), nil
	case *Event:
		return s.appendPayloads(append(el, uint64(m.Subscription), uint64(m.Publication), dict(m.Details)), m.Args, m.Kwargs)
	case *Call:
		return s.appendPayloads(append(el, uint64(m.Request), dict(m.Options), string(m.Procedure)), m.Args, m.Kwargs)
	case *Cancel:
		return append(el, uint64(m.Request), dict(m.Options)), nil
	case *Result:
		return s.appendPayloads(append(el, uint64(m.Request), dict(m.Details)), m.Args, m.Kwargs)
	case *Register:
		return append(el, uint64(m.Request), dict(m.Options), string(m.Procedure)), nil
	case *Registered:
		return append(el, uint64(m.Request), uint64(m.Registration)), nil
	case *Unregister:
		return append(el, uint64(m.Request), uint64(m.Registration)), nil
	case *Unregistered:
		if m.Details != nil {
			return append(el, uint64(m.Request), m.Details), nil
		}
		return append(el, uint64(m.Request)), nil
	case *Invocation:
		return s.appendPayloads(append(el, uint64(m.Request), uint64(m.Registration), dict(m.Details)), m.Args, m.Kwargs)
	case *Interrupt:
		return append(el, uint64(m.Request), dict(m.Options)), nil
	case *Yield:
		return s.appendPayloads(append(el, uint64(m.Request), dict(m.Options)), m.Args, m.Kwargs)
	}
	return el, fmt.Errorf("cannot encode message type %T", m)
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

// fields reads the elements of one message, remembering the first error.
type fields struct {
	s    *Serializer
	typ  MessageType
	raws []codec.Raw
	err  error
}

func (f *fields) fail(field, reason string, args ...any) {
	if f.err == nil {
		f.err = &MessageError{Serializer: f.s.name, Type: f.typ, Field: field, Reason: fmt.Sprintf(reason, args...)}
	}
}

func (f *fields) id(i int, name string, zeroOK bool) ID {
	if f.err != nil {
		return 0
	}
	raw := f.raws[i]
	k := f.s.kind(raw)
	if k != KindUint && k != KindInt {
		f.fail(name, "expected an ID (integer), got %s", k)
		return 0
	}
	n, err := f.s.decodeInt(raw, k, "ID", 0, int64(MaxID))
	if err != nil {
		f.fail(name, "ID out of range 1..2^53: %v", err)
		return 0
	}
	if n == 0 && !zeroOK {
		f.fail(name, "ID 0 is not allowed here")
	}
	return ID(n)
}

func (f *fields) requestType(i int) MessageType {
	if f.err != nil {
		return 0
	}
	raw := f.raws[i]
	k := f.s.kind(raw)
	if k != KindUint && k != KindInt {
		f.fail("REQUEST.Type", "expected an integer, got %s", k)
		return 0
	}
	n, err := f.s.decodeInt(raw, k, "message type", 1, 255)
	if err != nil {
		f.fail("REQUEST.Type", "%v", err)
		return 0
	}
	if t := MessageType(n); t.Known() {
		return t
	}
	f.fail("REQUEST.Type", "unknown message type %d", n)
	return 0
}

func (f *fields) dict(i int, name string) Dict {
	if f.err != nil {
		return nil
	}
	raw := f.raws[i]
	if k := f.s.kind(raw); k != KindDict {
		f.fail(name, "expected a dict, got %s", k)
		return nil
	}
	var d map[string]any
	if err := f.s.decode(raw, &d); err != nil {
		f.fail(name, "%v", err)
		return nil
	}
	if f.s == JSON {
		fixJSONBinary(d)
	}
	return d
}

func (f *fields) str(i int, name string) string {
	if f.err != nil {
		return ""
	}
	raw := f.raws[i]
	// WAMP messages are not polymorphic: where a string belongs, a JSON
	// string is one, even if it starts with NUL like JSON binary (as a
	// string relayed from a MsgPack or CBOR peer may).
	if k := f.s.kind(raw); k != KindString && !(k == KindBytes && f.s == JSON) {
		f.fail(name, "expected a string, got %s", k)
		return ""
	}
	var s string
	if err := f.s.decode(raw, &s); err != nil {
		f.fail(name, "%v", err)
	}
	return s
}

func (f *fields) uri(i int, name string) URI {
	u := URI(f.str(i, name))
	if f.err == nil && u == "" {
		f.fail(name, "empty URI")
	}
	return u
}

// payload returns the optional payload at i, which must be of kind want (or
// null, taken as absent).
func (f *fields) payload(i int, name string, want Kind) Payload {
	if f.err != nil || i >= len(f.raws) {
		return Payload{}
	}
	raw := f.raws[i]
	switch k := f.s.kind(raw); k {
	case want:
		return Payload{raw: raw, ser: f.s}
	case KindNil:
		return Payload{}
	default:
		f.fail(name, "expected a %s, got %s", want, k)
		return Payload{}
	}
}

// messageArity gives the least and the most elements of each message type,
// the type code included.
var messageArity = map[MessageType][2]int{
	TypeHello: {3, 3}, TypeWelcome: {3, 3}, TypeAbort: {3, 5}, TypeChallenge: {3, 3},
	TypeAuthenticate: {3, 3}, TypeGoodbye: {3, 3}, TypeError: {5, 7}, TypePublish: {4, 6},
	TypePublished: {3, 3}, TypeSubscribe: {4, 4}, TypeSubscribed: {3, 3}, TypeUnsubscribe: {3, 3},
	TypeUnsubscribed: {2, 3}, TypeEvent: {4, 6}, TypeCall: {4, 6}, TypeCancel: {3, 3},
	TypeResult: {3, 5}, TypeRegister: {4, 4}, TypeRegistered: {3, 3}, TypeUnregister: {3, 3},
	TypeUnregistered: {2, 3}, TypeInvocation: {4, 6}, TypeInterrupt: {3, 3}, TypeYield: {3, 5},
}

// Decode decodes one message. Any input that is not a well-formed message
// of a known type returns an error wrapping ErrMalformed; Decode never
// panics. The returned message refers to data, which must not be modified
// afterwards: its payloads are parts of data, and the codec decodes strings
// and binary values (in dictionaries, and later from the payloads) without
// copying them.
func (s *Serializer) Decode(data []byte) (Message, error) {
	malformed := func(reason string, args ...any) error {
		return &MessageError{Serializer: s.name, Reason: fmt.Sprintf(reason, args...)}
	}
	if k := s.kind(data); k != KindList {
		return nil, malformed("expected a list, got %s", k)
	}
	if err := s.wellFormed(data); err != nil {
		return nil, malformed("%v", err)
	}
	env := s.envelopes.Get().(*envelope)
	defer func() {
		clear(env.raws)
		env.raws = env.raws[:0]
		s.envelopes.Put(env)
	}()
	d := s.decoders.Get().(*codec.Decoder)
	d.ResetBytes(data)
	if err := d.Decode(&env.raws); err != nil {
		return nil, malformed("%v", err)
	}
	if n := d.NumBytesRead(); n < len(data) && !(s == JSON && onlySpace(data[n:])) {
		return nil, malformed("%d bytes after the message", len(data)-n)
	}
	d.ResetBytes(nil)
	s.decoders.Put(d)
	s.fixNulls(env.raws)
	raws := env.raws
	if len(raws) == 0 {
		return nil, malformed("empty list")
	}
	k := s.kind(raws[0])
	if k != KindUint && k != KindInt {
		return nil, malformed("message type: expected an integer, got %s", k)
	}
	code, err := s.decodeInt(raws[0], k, "message type", 0, 255)
	if err != nil {
		return nil, malformed("message type: %v", err)
	}
	typ := MessageType(code)
	arity, ok := messageArity[typ]
	if !ok {
		return nil, malformed("unknown message type %d", code)
	}
	if len(raws) < arity[0] || len(raws) > arity[1] {
		if arity[0] == arity[1] {
			return nil, &MessageError{Serializer: s.name, Type: typ, Reason: fmt.Sprintf("has %d elements, want %d", len(raws), arity[0])}
		}
		return nil, &MessageError{Serializer: s.name, Type: typ, Reason: fmt.Sprintf("has %d elements, want %d to %d", len(raws), arity[0], arity[1])}
	}
	f := &fields{s: s, typ: typ, raws: raws}
	m := f.message()
	if f.err != nil {
		return nil, f.err
	}
	return m, nil
}

func onlySpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func (f *fields) message() Message {
	switch f.typ {
	case TypeHello:
		return &Hello{Realm: f.uri(1, "Realm"), Details: f.dict(2, "Details")}
	case TypeWelcome:
		return &Welcome{Session: f.id(1, "Session", false), Details: f.dict(2, "Details")}
	case TypeAbort:
		return &Abort{Details: f.dict(1, "Details"), Reason: f.uri(2, "Reason"),
			Args: f.payload(3, "Arguments", KindList), Kwargs: f.payload(4, "ArgumentsKw", KindDict)}
	case TypeChallenge:
		return &Challenge{AuthMethod: f.str(1, "AuthMethod"), Extra: f.dict(2, "Extra")}
	case TypeAuthenticate:
		return &Authenticate{Signature: f.str(1, "Signature"), Extra: f.dict(2, "Extra")}
	case TypeGoodbye:
		return &Goodbye{Details: f.dict(1, "Details"), Reason: f.uri(2, "Reason")}
	case TypeError:
		return &Error{RequestType: f.requestType(1), Request: f.id(2, "Request", false), Details: f.dict(3, "Details"),
			Error: f.uri(4, "Error"), Args: f.payload(5, "Arguments", KindList), Kwargs: f.payload(6, "ArgumentsKw", KindDict)}
	case TypePublish:
		return &Publish{Request: f.id(1, "Request", false), Options: f.dict(2, "Options"), Topic: f.uri(3, "Topic"),
			Args: f.payload(4, "Arguments", KindList), Kwargs: f.payload(5, "ArgumentsKw", KindDict)}
	case TypePublished:
		return &Published{Request: f.id(1, "Request", false), Publication: f.id(2, "Publication", false)}
	case TypeSubscribe:
		return &Subscribe{Request: f.id(1, "Request", false), Options: f.dict(2, "Options"), Topic: f.uri(3, "Topic")}
	case TypeSubscribed:
		return &Subscribed{Request: f.id(1, "Request", false), Subscription: f.id(2, "Subscription", false)}
	case TypeUnsubscribe:
		return &Unsubscribe{Request: f.id(1, "Request", false), Subscription: f.id(2, "Subscription", false)}
	case TypeUnsubscribed:
		m := &Unsubscribed{Request: f.id(1, "Request", true)}
		if len(f.raws) > 2 {
			m.Details = f.dict(2, "Details")
		}
		return m
	case TypeEvent:
		return &Event{Subscription: f.id(1, "Subscription", false), Publication: f.id(2, "Publication", false),
			Details: f.dict(3, "Details"), Args: f.payload(4, "Arguments", KindList), Kwargs: f.payload(5, "ArgumentsKw", KindDict)}
	case TypeCall:
		return &Call{Request: f.id(1, "Request", false), Options: f.dict(2, "Options"), Procedure: f.uri(3, "Procedure"),
			Args: f.payload(4, "Arguments", KindList), Kwargs: f.payload(5, "ArgumentsKw", KindDict)}
	case TypeCancel:
		return &Cancel{Request: f.id(1, "Request", false), Options: f.dict(2, "Options")}
	case TypeResult:
		return &Result{Request: f.id(1, "Request", false), Details: f.dict(2, "Details"),
			Args: f.payload(3, "Arguments", KindList), Kwargs: f.payload(4, "ArgumentsKw", KindDict)}
	case TypeRegister:
		return &Register{Request: f.id(1, "Request", false), Options: f.dict(2, "Options"), Procedure: f.uri(3, "Procedure")}
	case TypeRegistered:
		return &Registered{Request: f.id(1, "Request", false), Registration: f.id(2, "Registration", false)}
	case TypeUnregister:
		return &Unregister{Request: f.id(1, "Request", false), Registration: f.id(2, "Registration", false)}
	case TypeUnregistered:
		m := &Unregistered{Request: f.id(1, "Request", true)}
		if len(f.raws) > 2 {
			m.Details = f.dict(2, "Details")
		}
		return m
	case TypeInvocation:
		return &Invocation{Request: f.id(1, "Request", false), Registration: f.id(2, "Registration", false),
			Details: f.dict(3, "Details"), Args: f.payload(4, "Arguments", KindList), Kwargs: f.payload(5, "ArgumentsKw", KindDict)}
	case TypeInterrupt:
		return &Interrupt{Request: f.id(1, "Request", false), Options: f.dict(2, "Options")}
	case TypeYield:
		return &Yield{Request: f.id(1, "Request", false), Options: f.dict(2, "Options"),
			Args: f.payload(3, "Arguments", KindList), Kwargs: f.payload(4, "ArgumentsKw", KindDict)}
	}
	return nil
}
