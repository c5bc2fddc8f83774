package wamp

import (
	"time"

	"github.com/wampgen/wampgen/internal/wire"
)

// The byte-level code of the three formats lives in internal/wire, one
// file per format, shared with the embedded router. The methods below name
// its operations for this package's encoders and decoders; each is one call
// through the Serializer's wire.Format, the one switch over the formats.

// wireFormat tells the serializers apart on the hand-written paths.
type wireFormat = wire.Format

const (
	formatJSON    = wire.JSON
	formatMsgPack = wire.MsgPack
	formatCBOR    = wire.CBOR
)

// unsafeString views b as a string for parsing; the string must not outlive
// the call it is passed to.
func unsafeString(b []byte) string { return wire.UnsafeString(b) }

func (s *Serializer) kind(b []byte) Kind { return s.format.Kind(b) }

// wellFormed checks that b holds exactly one value (see wire.Format.WellFormed).
func (s *Serializer) wellFormed(b []byte) error { return s.format.WellFormed(b) }

// wellFormedList is wellFormed for a list that also records in lb where
// its elements lie.
func (s *Serializer) wellFormedList(b []byte, lb *wire.ListBounds) error {
	return s.format.WellFormedList(b, lb)
}

// appendElems appends the elements of the encoded list raw to dst, as
// sub-slices of raw.
func (s *Serializer) appendElems(dst [][]byte, raw []byte) ([][]byte, error) {
	return s.format.AppendElems(dst, raw, -1)
}

// appendFirstElems is appendElems for at most limit elements: the rest of
// the list is not looked at.
func (s *Serializer) appendFirstElems(dst [][]byte, raw []byte, limit int) ([][]byte, error) {
	return s.format.AppendElems(dst, raw, limit)
}

func (s *Serializer) uintOf(raw []byte) (uint64, bool)   { return s.format.Uint(raw) }
func (s *Serializer) intOf(raw []byte) (int64, bool)     { return s.format.Int(raw) }
func (s *Serializer) floatOf(raw []byte) (float64, bool) { return s.format.Float(raw) }
func (s *Serializer) boolOf(raw []byte) (bool, bool)     { return s.format.Bool(raw) }

// stringOf reads a value of KindString that is all of raw: a MsgPack or
// CBOR string of definite length, or a JSON string without escapes.
func (s *Serializer) stringOf(raw []byte) (string, bool) {
	body, ok := s.format.StringBytes(raw)
	if !ok {
		return "", false
	}
	return string(body), true
}

// stringBytes is stringOf returning the string's bytes inside raw, not a
// copy.
func (s *Serializer) stringBytes(raw []byte) ([]byte, bool) { return s.format.StringBytes(raw) }

func (s *Serializer) isEmptyDict(raw []byte) bool { return s.format.IsEmptyDict(raw) }

// Writing.

func (s *Serializer) appendListHead(b []byte, n int) []byte { return s.format.AppendListHead(b, n) }
func (s *Serializer) appendSep(b []byte, i int) []byte      { return s.format.AppendSep(b, i) }
func (s *Serializer) appendListEnd(b []byte) []byte         { return s.format.AppendListEnd(b) }
func (s *Serializer) appendEmptyList(b []byte) []byte       { return s.format.AppendEmptyList(b) }
func (s *Serializer) appendEmptyDict(b []byte) []byte       { return s.format.AppendEmptyDict(b) }
func (s *Serializer) appendUint(b []byte, u uint64) []byte  { return s.format.AppendUint(b, u) }
func (s *Serializer) appendInt(b []byte, i int64) []byte    { return s.format.AppendInt(b, i) }

// appendString writes str; for a JSON string that needs escapes it reports
// false and writes nothing, and the codec should write it.
func (s *Serializer) appendString(b []byte, str string) ([]byte, bool) {
	return s.format.AppendString(b, str)
}

// appendSimple writes a nil, bool, number, string or []byte in MsgPack or
// CBOR as the codec would.
func (s *Serializer) appendSimple(b []byte, v any) ([]byte, bool) { return s.format.AppendSimple(b, v) }

// appendSimpleList writes a list of such values (see wire.Format.AppendSimpleList).
func (s *Serializer) appendSimpleList(b []byte, l []any) ([]byte, bool) {
	return s.format.AppendSimpleList(b, l)
}

// The CBOR head and MsgPack timestamp readers, for the own forms.

func cborHead(b []byte, i int) (uint64, int, error) { return wire.CBORHead(b, i) }
func cborAppendHead(b []byte, major byte, arg uint64) []byte {
	return wire.CBORAppendHead(b, major, arg)
}
func cborKind(b []byte) Kind                   { return wire.CBOR.Kind(b) }
func jsonKind(b []byte) Kind                   { return wire.JSON.Kind(b) }
func msgpackTime(raw []byte) (time.Time, bool) { return wire.MsgPackTime(raw) }
