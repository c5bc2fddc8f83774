package wire

import (
	"encoding/binary"
	"errors"
	"unsafe"
)

// Format is one of the three wire formats WAMP defines. Its methods are the
// module's one switch over the formats: each picks the format's function in
// json.go, msgpack.go or cbor.go, where everything about that format lives.
// (A switch, not an interface or function values: a pointer such as a
// *ListBounds passed through a function value escapes to the heap, and the
// switch costs less than the indirect call on the paths every message
// takes.)
//
// The readers expect well-formed input (checked by WellFormed or
// WellFormedList, or written by an encoder); on anything else they return
// an error or report that they cannot read it, and never panic.
type Format uint8

// The formats.
const (
	JSON Format = iota + 1
	MsgPack
	CBOR
)

// ErrNotList is returned for a value that should be a list and is not.
var ErrNotList = errors.New("not a list")

// Kind returns the kind of the encoded value at the start of b, read from
// its first bytes without decoding it.
func (f Format) Kind(b []byte) Kind {
	switch f {
	case MsgPack:
		return msgpackKind(b)
	case CBOR:
		return cborKind(b)
	}
	return jsonKind(b)
}

// Depth checks the nesting of the value at the start of b (see MaxDepth)
// and nothing else: it is for input a codec decodes next without WellFormed.
func (f Format) Depth(b []byte) error {
	switch f {
	case MsgPack:
		return MsgPackDepth(b)
	case CBOR:
		return CBORDepth(b)
	}
	return JSONDepth(b)
}

// WellFormed checks that b holds exactly one value of the format, nested at
// most MaxDepth levels, within WAMP's data model: UTF-8 strings, string
// dictionary keys, no MsgPack extension or CBOR tag but timestamps.
func (f Format) WellFormed(b []byte) error {
	switch f {
	case MsgPack:
		return msgpackWellFormed(b)
	case CBOR:
		return cborWellFormed(b)
	}
	return jsonWellFormed(b)
}

// WellFormedList is WellFormed for a list, which it checks element by
// element, recording in lb where they lie.
func (f Format) WellFormedList(b []byte, lb *ListBounds) error {
	switch f {
	case MsgPack:
		return msgpackWellFormedList(b, lb)
	case CBOR:
		return cborWellFormedList(b, lb)
	}
	return jsonWellFormedList(b, lb)
}

// AppendElems appends the elements of the encoded list raw to dst, at most
// limit of them (all when limit < 0), as sub-slices of raw: exactly the
// bytes of each value (JSON without the whitespace around it). The rest of
// the list is not looked at.
func (f Format) AppendElems(dst [][]byte, raw []byte, limit int) ([][]byte, error) {
	switch f {
	case MsgPack:
		return msgpackAppendElems(dst, raw, limit)
	case CBOR:
		return cborAppendElems(dst, raw, limit)
	}
	return jsonAppendElems(dst, raw, limit)
}

// Uint reads a value of KindUint; ok is false when it cannot (a codec
// should then try).
func (f Format) Uint(raw []byte) (uint64, bool) {
	switch f {
	case MsgPack:
		return msgpackUint(raw)
	case CBOR:
		return cborUint(raw)
	}
	return jsonUint(raw)
}

// Int reads a value of KindInt.
func (f Format) Int(raw []byte) (int64, bool) {
	switch f {
	case MsgPack:
		return msgpackInt(raw)
	case CBOR:
		return cborInt(raw)
	}
	return jsonInt(raw)
}

// Float reads a value of KindFloat.
func (f Format) Float(raw []byte) (float64, bool) {
	switch f {
	case MsgPack:
		return msgpackFloat(raw)
	case CBOR:
		return cborFloat(raw)
	}
	return jsonFloat(raw)
}

// Bool reads a value of KindBool.
func (f Format) Bool(raw []byte) (v, ok bool) {
	switch f {
	case MsgPack:
		return msgpackBool(raw)
	case CBOR:
		return cborBool(raw)
	}
	return jsonBool(raw)
}

// StringBytes reads a value of KindString that is all of raw (a MsgPack or
// CBOR string of definite length, or a JSON string without escapes) and
// returns its bytes inside raw, not a copy.
func (f Format) StringBytes(raw []byte) ([]byte, bool) {
	switch f {
	case MsgPack:
		return msgpackStringBytes(raw)
	case CBOR:
		return cborStringBytes(raw)
	}
	return jsonStringBytes(raw)
}

// IsEmptyDict reports whether raw is a dictionary without entries.
func (f Format) IsEmptyDict(raw []byte) bool {
	switch f {
	case MsgPack:
		return len(raw) == 1 && raw[0] == 0x80
	case CBOR:
		return len(raw) == 1 && raw[0] == 0xa0 || len(raw) == 2 && raw[0] == 0xbf && raw[1] == 0xff
	}
	return jsonIsEmptyDict(raw)
}

// CanonicalList splits a message, a list of at most MaxMessageLen
// elements, into el and returns their number; it reports false unless every
// element is in canonical form: the form the codec, with the handles of
// handles.go, writes it in, so that decoding and encoding it again gives
// the same bytes. That is compact JSON whose strings and numbers are
// spelled the way the codec spells them; MessagePack and CBOR with the
// shortest heads and definite lengths, no CBOR tags, half or single floats,
// MessagePack extensions or float32; no duplicate or non-string map keys;
// valid UTF-8; nesting within MaxDepth, the message counting as a level.
// Only the message's own list may have whitespace (JSON) or (MessagePack
// and CBOR) must have a one-byte head. An empty list is canonical in every
// format (0 elements, true): whether it is a message is the caller's to
// say.
//
// It is the check of the embedded router's passthrough, which carries a
// payload in canonical form as it is instead of decoding and encoding it.
func (f Format) CanonicalList(data []byte, el *[MaxMessageLen][]byte) (int, bool) {
	c := canon{f: f, b: data}
	switch f {
	case JSON:
		i := jsonSpace(data, 0)
		if i >= len(data) || data[i] != '[' {
			return 0, false
		}
		i = jsonSpace(data, i+1)
		if i < len(data) && data[i] == ']' {
			return 0, jsonSpace(data, i+1) == len(data)
		}
		for n := 0; n < len(el); n++ {
			end, ok := c.json(i, 0)
			if !ok {
				return 0, false
			}
			el[n] = data[i:end]
			i = jsonSpace(data, end)
			if i >= len(data) {
				return 0, false
			}
			if data[i] == ']' {
				return n + 1, jsonSpace(data, i+1) == len(data)
			}
			if data[i] != ',' {
				return 0, false
			}
			i = jsonSpace(data, i+1)
		}
		return 0, false
	case MsgPack:
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

// Writing. The writers write what github.com/ugorji/go/codec writes with
// the handles of handles.go, byte for byte.

// AppendListHead writes the head of a list of n elements (JSON: '[').
func (f Format) AppendListHead(b []byte, n int) []byte {
	switch f {
	case MsgPack:
		return msgpackAppendListHead(b, n)
	case CBOR:
		return CBORAppendHead(b, 4, uint64(n))
	}
	return append(b, '[')
}

// AppendDictHead writes the head of a dictionary of n entries (JSON: '{');
// its keys and values follow.
func (f Format) AppendDictHead(b []byte, n int) []byte {
	switch f {
	case MsgPack:
		return msgpackAppendDictHead(b, n)
	case CBOR:
		return CBORAppendHead(b, 5, uint64(n))
	}
	return append(b, '{')
}

// AppendSep writes what separates element i of a list from the one before
// (JSON: a comma).
func (f Format) AppendSep(b []byte, i int) []byte {
	if f == JSON && i > 0 {
		return append(b, ',')
	}
	return b
}

// AppendListEnd closes a list (JSON only).
func (f Format) AppendListEnd(b []byte) []byte {
	if f == JSON {
		return append(b, ']')
	}
	return b
}

// AppendEmptyList writes a list without elements.
func (f Format) AppendEmptyList(b []byte) []byte {
	switch f {
	case MsgPack:
		return append(b, 0x90)
	case CBOR:
		return append(b, 0x80)
	}
	return append(b, '[', ']')
}

// AppendEmptyDict writes a dictionary without entries.
func (f Format) AppendEmptyDict(b []byte) []byte {
	switch f {
	case MsgPack:
		return append(b, 0x80)
	case CBOR:
		return append(b, 0xa0)
	}
	return append(b, '{', '}')
}

// AppendUint writes an unsigned integer.
func (f Format) AppendUint(b []byte, u uint64) []byte {
	switch f {
	case MsgPack:
		return msgpackAppendUint(b, u)
	case CBOR:
		return CBORAppendHead(b, 0, u)
	}
	return jsonAppendUint(b, u)
}

// AppendInt writes a signed integer (MsgPack and CBOR only; JSON writes
// what strconv.AppendInt writes).
func (f Format) AppendInt(b []byte, i int64) []byte {
	switch f {
	case MsgPack:
		return msgpackAppendInt(b, i)
	case CBOR:
		return cborAppendInt(b, i)
	}
	return jsonAppendInt(b, i)
}

// AppendString writes str; for a JSON string that needs escapes it reports
// false and writes nothing, and the codec should write it.
func (f Format) AppendString(b []byte, str string) ([]byte, bool) {
	switch f {
	case MsgPack:
		return msgpackAppendString(b, str), true
	case CBOR:
		return append(CBORAppendHead(b, 3, uint64(len(str))), str...), true
	}
	return jsonAppendString(b, str)
}

// AppendSimple writes v, a nil, bool, number, string or []byte, as the
// MsgPack or CBOR codec would; for JSON, and for any other value, it
// reports false and may have written part of it.
func (f Format) AppendSimple(b []byte, v any) ([]byte, bool) {
	switch f {
	case MsgPack:
		return msgpackAppendSimple(b, v)
	case CBOR:
		return cborAppendSimple(b, v)
	}
	return b, false
}

// AppendSimpleList writes a list of the values AppendSimple writes, as the
// MsgPack or CBOR codec would (for any other element it reports false and
// writes nothing, and the codec should write the list): the Arguments of
// most calls and results. For JSON it writes only lists of byte strings
// (jsonAppendBinaryList).
func (f Format) AppendSimpleList(b []byte, l []any) ([]byte, bool) {
	if f == JSON {
		return jsonAppendBinaryList(b, l)
	}
	orig := len(b)
	b = f.AppendListHead(b, len(l))
	for _, v := range l {
		var ok bool
		if b, ok = f.AppendSimple(b, v); !ok {
			return b[:orig], false
		}
	}
	return b, true
}

// UnsafeString views b as a string for parsing; the string must not outlive
// the call it is passed to.
func UnsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// beUint reads a big-endian unsigned integer of 1, 2, 4 or 8 bytes.
func beUint(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(b))
	case 4:
		return uint64(binary.BigEndian.Uint32(b))
	}
	return binary.BigEndian.Uint64(b)
}

// jsonAppendBinaryList writes a JSON list whose elements are all byte
// strings (not nil), as the codec writes it (see JSONAppendBinary): the
// arguments of a call or result that carries bytes. Other lists are left
// to the codec.
func jsonAppendBinaryList(b []byte, l []any) ([]byte, bool) {
	if len(l) == 0 {
		return b, false
	}
	for _, v := range l {
		if d, ok := v.([]byte); !ok || d == nil {
			return b, false
		}
	}
	b = append(b, '[')
	for i, v := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = JSONAppendBinary(b, v.([]byte))
	}
	return append(b, ']'), true
}
