package wamp

import "math"

// Payload is the Arguments list or the ArgumentsKw dictionary of a message.
//
// A payload built with [ArgsOf] or [PayloadOf] holds Go values and is
// encoded when its message is. A payload produced by a [Serializer] keeps the
// encoded bytes of the field; decode it with [Payload.List] (positional
// arguments, one [Value] each) or [Payload.Decode] (all of it into one Go
// value, for example a struct for ArgumentsKw). The zero Payload is absent.
type Payload struct {
	val  any
	list []any // ArgsOf's values: kept apart from val, so that no slice header is boxed
	raw  []byte
	ser  *Serializer
}

// ArgsOf returns an Arguments payload holding vals in order; no values give
// the absent payload.
func ArgsOf(vals ...any) Payload {
	if len(vals) == 0 {
		return Payload{}
	}
	return Payload{list: vals}
}

// PayloadOf returns a payload holding v, a Go value that encodes as a list
// (for Arguments: a slice or array) or as a dictionary (for ArgumentsKw: a
// map with string keys, or a struct whose fields encode under their json
// tags). A nil v gives the absent payload.
func PayloadOf(v any) Payload {
	if v == nil {
		return Payload{}
	}
	return Payload{val: v}
}

// IsZero reports whether the payload is absent.
func (p Payload) IsZero() bool { return p.val == nil && p.list == nil && p.raw == nil }

// GoValue returns the Go value of a payload built with ArgsOf or PayloadOf,
// and nil for a decoded one.
func (p Payload) GoValue() any {
	if p.list != nil {
		return p.list
	}
	return p.val
}

// Encoded returns the encoded bytes of a decoded payload and the serializer
// that reads them; nil for a payload built from Go values.
func (p Payload) Encoded() ([]byte, *Serializer) { return p.raw, p.ser }

// materialize returns p in encoded form, encoding Go values with MsgPack
// (lossless for every type WAMP carries) when p was built from them.
func (p Payload) materialize() ([]byte, *Serializer, error) {
	v := p.GoValue()
	if p.raw != nil || v == nil {
		return p.raw, p.ser, nil
	}
	b, err := MsgPack.EncodeValue(v)
	return b, MsgPack, err
}

// Kind returns the kind of the payload: KindList for Arguments, KindDict for
// ArgumentsKw, KindNil when absent.
func (p Payload) Kind() Kind {
	raw, ser, err := p.materialize()
	if err != nil {
		return KindInvalid
	}
	if raw == nil {
		return KindNil
	}
	return ser.kind(raw)
}

// List splits a list payload into its elements, each still encoded. An
// absent payload gives no elements.
func (p Payload) List() ([]Value, error) {
	return p.AppendList(nil)
}

// AppendList is List appending to dst: with a dst that has room, splitting
// a payload of a few values allocates nothing.
func (p Payload) AppendList(dst []Value) ([]Value, error) {
	raw, ser, err := p.materialize()
	if err != nil || raw == nil {
		return dst, err
	}
	return ser.appendValues(dst, raw)
}

// Decode decodes the whole payload into dst, a non-nil pointer, with the
// same strictness as Value.Decode. An absent payload leaves dst unchanged.
func (p Payload) Decode(dst any) error {
	raw, ser, err := p.materialize()
	if err != nil || raw == nil {
		return err
	}
	return ser.decodeValue(raw, dst)
}

// Any decodes the payload into plain Go values: List for Arguments, Dict for
// ArgumentsKw, nil when absent. It is the untyped path; typed code should
// use List and Decode instead.
func (p Payload) Any() (any, error) {
	var v any
	err := p.Decode(&v)
	return v, err
}

// Value is one encoded element of a list payload.
type Value struct {
	raw []byte
	ser *Serializer
}

// Kind returns the kind of the encoded value.
func (v Value) Kind() Kind { return v.ser.kind(v.raw) }

// Raw returns the encoded bytes, in the format of the serializer that
// decoded the enclosing message.
func (v Value) Raw() []byte { return v.raw }

// Decode decodes the value into dst, which must be a non-nil pointer.
//
// It is strict where the serializers are lenient, at every level of
// nesting and the same for every serializer: the encoded kind must suit the
// Go type (numbers for numeric types, strings for string, binary for
// []byte, lists for slices and arrays, dictionaries for maps and structs,
// null for pointers, slices, maps and interfaces), an integer must fit the
// target type, and a float decodes into an integer type only if it has no
// fraction. A null dictionary entry counts as absent: it leaves a struct
// field that cannot be null as it is and gives a map the zero value. Structs
// take dictionary entries by the names the codec gives their fields (the
// "codec" tag, else the "json" tag, else the field name; embedded structs
// inlined) and ignore unknown keys. Types with a form of their own take
// only that form's kind: time.Time a string (or null, or a native MsgPack
// or CBOR time), a text marshaler a string, a binary marshaler binary, a
// JSON marshaler any value but an extension (see "How values travel" in the
// package documentation); codec.Selfer types are left to the codec. The
// error is a *DecodeError naming the expected type, the kind found and, for
// a nested value, its path.
func (v Value) Decode(dst any) error { return v.ser.decodeValue(v.raw, dst) }

// The typed accessors below decode the common scalar types exactly as
// Decode would into a variable of that type (same checks, same errors), but
// without a pointer, so that the caller's variable does not escape to the
// heap.

// Float64 decodes a number into a float64.
func (v Value) Float64() (float64, error) { return v.ser.decodeFloat64(v.raw, v.Kind()) }

// Int64 decodes an integer (or a float without fraction) into an int64.
func (v Value) Int64() (int64, error) {
	return v.ser.decodeInt(v.raw, v.Kind(), "int64", math.MinInt64, math.MaxInt64)
}

// Int decodes an integer (or a float without fraction) into an int.
func (v Value) Int() (int, error) {
	n, err := v.ser.decodeInt(v.raw, v.Kind(), "int", math.MinInt, math.MaxInt)
	return int(n), err
}

// Uint64 decodes a non-negative integer (or float without fraction) into a
// uint64.
func (v Value) Uint64() (uint64, error) { return v.ser.decodeUint(v.raw, v.Kind(), "uint64") }

// Bool decodes a bool.
func (v Value) Bool() (bool, error) { return v.ser.decodeBool(v.raw, v.Kind()) }

// Text decodes a string.
func (v Value) Text() (string, error) { return v.ser.decodeString(v.raw, v.Kind()) }
