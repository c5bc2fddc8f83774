package wamp

// The encoder as it was before the hand-written wire paths (wire.go), kept
// to check that the new one writes the same bytes.

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/ugorji/go/codec"
)

func (s *Serializer) refEncode(m Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("wamp: cannot encode a nil message")
	}
	if v := reflect.ValueOf(m); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("wamp: cannot encode a nil %T", m)
	}
	el, err := s.refAppendFields(nil, m)
	if err != nil {
		return nil, fmt.Errorf("wamp: encoding %s: %w", m.Type(), err)
	}
	out, err := s.EncodeValue(el)
	if err != nil {
		return nil, fmt.Errorf("wamp: encoding %s: %w", m.Type(), err)
	}
	return out, nil
}
func refDict(d Dict) any {
	if d == nil {
		return emptyDict
	}
	return d
}
func (s *Serializer) refPayloadValue(p Payload, want Kind, empty any) (any, error) {
	switch {
	case p.GoValue() != nil:
		return s.refGoPayload(p.GoValue(), want, empty)
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
func (s *Serializer) refGoPayload(v any, want Kind, empty any) (any, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return empty, nil
		}
		rv = rv.Elem()
	}
	if hasOwnForm(rv.Type()) {
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
func (s *Serializer) refAppendPayloads(el []any, args, kwargs Payload) ([]any, error) {
	if args.IsZero() && kwargs.IsZero() {
		return el, nil
	}
	a, err := s.refPayloadValue(args, KindList, emptyList)
	if err != nil {
		return el, fmt.Errorf("Arguments: %w", err)
	}
	if kwargs.IsZero() {
		return append(el, a), nil
	}
	kw, err := s.refPayloadValue(kwargs, KindDict, emptyDict)
	if err != nil {
		return el, fmt.Errorf("ArgumentsKw: %w", err)
	}
	return append(el, a, kw), nil
}
func (s *Serializer) refAppendFields(el []any, m Message) ([]any, error) {
	el = append(el, uint64(m.Type()))
	switch m := m.(type) {
	case *Hello:
		return append(el, string(m.Realm), refDict(m.Details)), nil
	case *Welcome:
		return append(el, uint64(m.Session), refDict(m.Details)), nil
	case *Abort:
		return s.refAppendPayloads(append(el, refDict(m.Details), string(m.Reason)), m.Args, m.Kwargs)
	case *Challenge:
		return append(el, m.AuthMethod, refDict(m.Extra)), nil
	case *Authenticate:
		return append(el, m.Signature, refDict(m.Extra)), nil
	case *Goodbye:
		return append(el, refDict(m.Details), string(m.Reason)), nil
	case *Error:
		return s.refAppendPayloads(append(el, uint64(m.RequestType), uint64(m.Request), refDict(m.Details), string(m.Error)), m.Args, m.Kwargs)
	case *Publish:
		return s.refAppendPayloads(append(el, uint64(m.Request), refDict(m.Options), string(m.Topic)), m.Args, m.Kwargs)
	case *Published:
		return append(el, uint64(m.Request), uint64(m.Publication)), nil
	case *Subscribe:
		return append(el, uint64(m.Request), refDict(m.Options), string(m.Topic)), nil
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
		return s.refAppendPayloads(append(el, uint64(m.Subscription), uint64(m.Publication), refDict(m.Details)), m.Args, m.Kwargs)
	case *Call:
		return s.refAppendPayloads(append(el, uint64(m.Request), refDict(m.Options), string(m.Procedure)), m.Args, m.Kwargs)
	case *Cancel:
		return append(el, uint64(m.Request), refDict(m.Options)), nil
	case *Result:
		return s.refAppendPayloads(append(el, uint64(m.Request), refDict(m.Details)), m.Args, m.Kwargs)
	case *Register:
		return append(el, uint64(m.Request), refDict(m.Options), string(m.Procedure)), nil
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
		return s.refAppendPayloads(append(el, uint64(m.Request), uint64(m.Registration), refDict(m.Details)), m.Args, m.Kwargs)
	case *Interrupt:
		return append(el, uint64(m.Request), refDict(m.Options)), nil
	case *Yield:
		return s.refAppendPayloads(append(el, uint64(m.Request), refDict(m.Options)), m.Args, m.Kwargs)
	}
	return el, fmt.Errorf("cannot encode message type %T", m)
}
