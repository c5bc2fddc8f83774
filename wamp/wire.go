package wamp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unsafe"

	"github.com/wampgen/wampgen/internal/wire"
)

// The hand-written wire paths: splitting an encoded list into its elements,
// reading scalars, and writing a message's envelope (its list, type code,
// IDs, URIs and empty dictionaries). They do what the codec would, byte for
// byte, without its reflection and allocations, on the path every message
// takes; everything else (dictionaries with entries, payloads built from Go
// values, and any value they do not recognize) still goes to the codec.
//
// The readers expect well-formed input (Decode has checked the message, or
// the bytes come from an encoder); on anything else they return an error or
// report that they cannot read it, and never panic.

// wireFormat tells the serializers apart on the hand-written paths.
type wireFormat uint8

const (
	formatJSON wireFormat = iota + 1
	formatMsgPack
	formatCBOR
)

var errNotList = errors.New("not a list")

// unsafeString views b as a string for parsing; the string must not outlive
// the call it is passed to.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// appendElems appends the elements of the encoded list raw to dst, as
// sub-slices of raw: exactly the bytes of each value (JSON without the
// whitespace around it).
func (s *Serializer) appendElems(dst [][]byte, raw []byte) ([][]byte, error) {
	return s.appendFirstElems(dst, raw, -1)
}

// appendFirstElems is appendElems for at most limit elements (all when
// limit < 0): the rest of the list is not looked at.
func (s *Serializer) appendFirstElems(dst [][]byte, raw []byte, limit int) ([][]byte, error) {
	full := func(n int) bool { return limit >= 0 && n >= limit }
	start := len(dst)
	switch s.format {
	case formatMsgPack:
		n, i, err := msgpackListHead(raw)
		if err != nil {
			return dst, err
		}
		for k := 0; k < n && !full(k); k++ {
			j, err := msgpackSkip(raw, i)
			if err != nil {
				return dst, err
			}
			dst = append(dst, raw[i:j])
			i = j
		}
		return dst, nil
	case formatCBOR:
		if len(raw) == 0 || raw[0]>>5 != 4 {
			return dst, errNotList
		}
		if raw[0] == 0x9f { // indefinite length: items until a break
			i := 1
			for {
				if i >= len(raw) {
					return dst, errTruncated
				}
				if raw[i] == 0xff || full(len(dst)-start) {
					return dst, nil
				}
				j, err := cborSkip(raw, i)
				if err != nil {
					return dst, err
				}
				dst = append(dst, raw[i:j])
				i = j
			}
		}
		n, i, err := cborHead(raw, 0)
		if err != nil {
			return dst, err
		}
		if n > uint64(len(raw)-i) {
			return dst, errTruncated
		}
		for k := uint64(0); k < n && !full(int(k)); k++ {
			j, err := cborSkip(raw, i)
			if err != nil {
				return dst, err
			}
			dst = append(dst, raw[i:j])
			i = j
		}
		return dst, nil
	}
	i := jsonSpace(raw, 0)
	if i == len(raw) || raw[i] != '[' {
		return dst, errNotList
	}
	i = jsonSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return dst, nil
	}
	for {
		j, err := jsonSkip(raw, i)
		if err != nil {
			return dst, err
		}
		dst = append(dst, raw[i:j])
		i = jsonSpace(raw, j)
		if i == len(raw) {
			// A whole list goes on after each element; a number that
			// ends the data may have been cut short.
			return dst, errTruncated
		}
		if full(len(dst) - start) {
			return dst, nil
		}
		switch raw[i] {
		case ',':
			i = jsonSpace(raw, i+1)
		case ']':
			return dst, nil
		default:
			return dst, jsonSyntaxError(raw, i)
		}
	}
}

// msgpackListHead reads the head of a MsgPack array: the element count and
// the offset of the first element. A count beyond the bytes left (every
// element takes at least one) is refused whatever its width, as for CBOR:
// the list cannot be complete, and the count then fits in an int.
func msgpackListHead(b []byte) (n, i int, err error) {
	if len(b) == 0 {
		return 0, 0, errTruncated
	}
	if msgpackKind(b) != KindList {
		return 0, 0, errNotList
	}
	h, i, err := msgpackHead(b, 0)
	if err != nil {
		return 0, 0, err
	}
	if h.n > uint64(len(b)-i) {
		return 0, 0, errTruncated
	}
	return int(h.n), i, nil
}

// msgpackSkip returns the offset after the MsgPack value at i.
func msgpackSkip(b []byte, i int) (int, error) {
	for n := uint64(1); n > 0; n-- {
		h, j, err := msgpackHead(b, i)
		if err != nil {
			return 0, err
		}
		i = j
		switch h.kind {
		default:
			if h.n != 0 { // a test, so that items without payload need not wait for h.n
				if h.n > uint64(len(b)-i) {
					return 0, errTruncated
				}
				i += int(h.n)
			}
		case KindList, KindDict:
			n += h.n
			if h.kind == KindDict {
				n += h.n
			}
		}
		if n-1 > uint64(len(b)-i) { // every item left takes a byte
			return 0, errTruncated
		}
	}
	return i, nil
}

// cborHead reads the head of the CBOR item at i: its argument and the
// offset after the head.
func cborHead(b []byte, i int) (uint64, int, error) {
	if i >= len(b) {
		return 0, 0, errTruncated
	}
	info := b[i] & 0x1f
	i++
	switch {
	case info < 24:
		return uint64(info), i, nil
	case info <= 27:
		w := 1 << (info - 24)
		if len(b)-i < w {
			return 0, 0, errTruncated
		}
		return beUint(b[i : i+w]), i + w, nil
	}
	return 0, 0, fmt.Errorf("invalid CBOR head 0x%02x", b[i-1])
}

// cborSkip returns the offset after the CBOR item at i.
func cborSkip(b []byte, i int) (int, error) {
	// Items left in each open container; -1 for one of indefinite length.
	// The item is an element of a list, which nests at most
	// wire.MaxDepth-1 levels (see wellformed.go); PeekHeader, which reads
	// messages that failed to decode, finds deeper ones too deep.
	var stack [wire.MaxDepth - 1]int64
	depth := 0
	for {
		if i >= len(b) {
			return 0, errTruncated
		}
		c := b[i]
		if c == 0xff && depth > 0 && stack[depth-1] < 0 {
			i++
			depth--
		} else {
			major, info := c>>5, c&0x1f
			var arg uint64
			if info == 31 && major >= 2 && major <= 5 {
				i++
			} else {
				var err error
				if arg, i, err = cborHead(b, i); err != nil {
					return 0, err
				}
			}
			if (major == 4 || major == 5) && arg > uint64(len(b)-i) {
				return 0, errTruncated // every item takes a byte
			}
			switch major {
			case 2, 3:
				if info != 31 {
					if arg > uint64(len(b)-i) {
						return 0, errTruncated
					}
					i += int(arg)
					break
				}
				for { // chunks of definite length, then a break
					if i >= len(b) {
						return 0, errTruncated
					}
					if b[i] == 0xff {
						i++
						break
					}
					l, j, err := cborHead(b, i)
					if err != nil {
						return 0, err
					}
					if l > uint64(len(b)-j) {
						return 0, errTruncated
					}
					i = j + int(l)
				}
			case 4, 5, 6:
				if depth == len(stack) {
					return 0, errTooDeep
				}
				items := int64(arg)
				switch {
				case info == 31 && major != 6:
					items = -1
				case major == 5:
					items *= 2
				case major == 6:
					items = 1 // a tag wraps one item
				}
				if items != 0 {
					stack[depth] = items
					depth++
					continue
				}
			}
		}
		// An item ended at i.
		for depth > 0 && stack[depth-1] > 0 {
			stack[depth-1]--
			if stack[depth-1] > 0 {
				break
			}
			depth--
		}
		if depth == 0 {
			return i, nil
		}
	}
}

// jsonSkip returns the offset after the JSON value at i.
func jsonSkip(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errTruncated
	}
	switch b[i] {
	case '"':
		return jsonStringEnd(b, i)
	case '[', '{':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				j, err := jsonStringEnd(b, i)
				if err != nil {
					return 0, err
				}
				i = j
				continue
			case '[', '{':
				depth++
			case ']', '}':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errTruncated
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', ']', '}', ':', ' ', '\t', '\n', '\r':
			return j, nil
		}
		j++
	}
	return j, nil
}

// jsonStringEnd returns the offset after the string whose quote is at i.
func jsonStringEnd(b []byte, i int) (int, error) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errTruncated
}

// uintOf reads a value of KindUint; ok is false when it cannot (the codec
// should then try).
func (s *Serializer) uintOf(raw []byte) (uint64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	switch s.format {
	case formatMsgPack:
		c := raw[0]
		if c <= 0x7f {
			return uint64(c), true
		}
		if c >= 0xcc && c <= 0xcf {
			w := 1 << (c - 0xcc)
			if len(raw) < 1+w {
				return 0, false
			}
			return beUint(raw[1 : 1+w]), true
		}
	case formatCBOR:
		if raw[0]>>5 == 0 {
			u, _, err := cborHead(raw, 0)
			return u, err == nil
		}
	case formatJSON:
		u, err := strconv.ParseUint(unsafeString(raw), 10, 64)
		return u, err == nil
	}
	return 0, false
}

// intOf reads a value of KindInt.
func (s *Serializer) intOf(raw []byte) (int64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	switch s.format {
	case formatMsgPack:
		switch c := raw[0]; {
		case c >= 0xe0:
			return int64(int8(c)), true
		case c >= 0xd0 && c <= 0xd3:
			w := 1 << (c - 0xd0)
			if len(raw) < 1+w {
				return 0, false
			}
			u := beUint(raw[1 : 1+w])
			switch w {
			case 1:
				return int64(int8(u)), true
			case 2:
				return int64(int16(u)), true
			case 4:
				return int64(int32(u)), true
			}
			return int64(u), true
		}
	case formatCBOR:
		if raw[0]>>5 == 1 {
			u, _, err := cborHead(raw, 0)
			if err != nil || u > math.MaxInt64 {
				return 0, false
			}
			return -1 - int64(u), true
		}
	case formatJSON:
		n, err := strconv.ParseInt(unsafeString(raw), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// floatOf reads a value of KindFloat.
func (s *Serializer) floatOf(raw []byte) (float64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	switch s.format {
	case formatMsgPack:
		switch {
		case raw[0] == 0xca && len(raw) >= 5:
			return float64(math.Float32frombits(binary.BigEndian.Uint32(raw[1:5]))), true
		case raw[0] == 0xcb && len(raw) >= 9:
			return math.Float64frombits(binary.BigEndian.Uint64(raw[1:9])), true
		}
	case formatCBOR:
		switch {
		case raw[0] == 0xf9 && len(raw) >= 3:
			return halfToFloat64(binary.BigEndian.Uint16(raw[1:3])), true
		case raw[0] == 0xfa && len(raw) >= 5:
			return float64(math.Float32frombits(binary.BigEndian.Uint32(raw[1:5]))), true
		case raw[0] == 0xfb && len(raw) >= 9:
			return math.Float64frombits(binary.BigEndian.Uint64(raw[1:9])), true
		}
	case formatJSON:
		f, err := strconv.ParseFloat(unsafeString(raw), 64)
		return f, err == nil
	}
	return 0, false
}

// halfToFloat64 converts an IEEE 754 half-precision float.
func halfToFloat64(h uint16) float64 {
	sign, exp, frac := h>>15, int(h>>10)&0x1f, float64(h&0x3ff)
	var f float64
	switch exp {
	case 0:
		f = math.Ldexp(frac, -24)
	case 31:
		if frac != 0 {
			return math.NaN()
		}
		f = math.Inf(1)
	default:
		f = math.Ldexp(1024+frac, exp-25)
	}
	if sign != 0 {
		f = -f
	}
	return f
}

// boolOf reads a value of KindBool.
func (s *Serializer) boolOf(raw []byte) (bool, bool) {
	if len(raw) == 0 {
		return false, false
	}
	switch s.format {
	case formatMsgPack:
		return raw[0] == 0xc3, raw[0] == 0xc2 || raw[0] == 0xc3
	case formatCBOR:
		return raw[0] == 0xf5, raw[0] == 0xf4 || raw[0] == 0xf5
	}
	switch unsafeString(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// stringOf reads a value of KindString that is all of raw: a MsgPack or
// CBOR string of definite length, or a JSON string without escapes.
func (s *Serializer) stringOf(raw []byte) (string, bool) {
	body, ok := s.stringBytes(raw)
	if !ok {
		return "", false
	}
	return string(body), true
}

// stringBytes is stringOf returning the string's bytes inside raw, not a
// copy.
func (s *Serializer) stringBytes(raw []byte) ([]byte, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	var body []byte
	switch s.format {
	case formatMsgPack:
		h, i, err := msgpackHead(raw, 0)
		if err != nil || h.kind != KindString || h.n != uint64(len(raw)-i) {
			return nil, false
		}
		body = raw[i:]
	case formatCBOR:
		if raw[0]>>5 != 3 || raw[0]&0x1f == 31 {
			return nil, false
		}
		n, i, err := cborHead(raw, 0)
		if err != nil || n != uint64(len(raw)-i) {
			return nil, false
		}
		body = raw[i:]
	case formatJSON:
		if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
			return nil, false
		}
		body = raw[1 : len(raw)-1]
		for _, c := range body {
			if c == '\\' || c == '"' {
				return nil, false
			}
		}
	}
	return body, true
}

// isEmptyDict reports whether raw is a dictionary without entries.
func (s *Serializer) isEmptyDict(raw []byte) bool {
	switch s.format {
	case formatMsgPack:
		return len(raw) == 1 && raw[0] == 0x80
	case formatCBOR:
		return len(raw) == 1 && raw[0] == 0xa0 || len(raw) == 2 && raw[0] == 0xbf && raw[1] == 0xff
	}
	i := jsonSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return false
	}
	i = jsonSpace(raw, i+1)
	return i < len(raw) && raw[i] == '}' && jsonSpace(raw, i+1) == len(raw)
}

// Writing.

func (s *Serializer) appendListHead(b []byte, n int) []byte {
	switch s.format {
	case formatMsgPack:
		switch {
		case n <= 15:
			return append(b, 0x90|byte(n))
		case n <= math.MaxUint16:
			return binary.BigEndian.AppendUint16(append(b, 0xdc), uint16(n))
		}
		return binary.BigEndian.AppendUint32(append(b, 0xdd), uint32(n))
	case formatCBOR:
		return cborAppendHead(b, 4, uint64(n))
	}
	return append(b, '[')
}

// appendSep writes what separates element i of a list from the one before.
func (s *Serializer) appendSep(b []byte, i int) []byte {
	if s.format == formatJSON && i > 0 {
		return append(b, ',')
	}
	return b
}

// appendListEnd closes a list (JSON only).
func (s *Serializer) appendListEnd(b []byte) []byte {
	if s.format == formatJSON {
		return append(b, ']')
	}
	return b
}

func (s *Serializer) appendEmptyList(b []byte) []byte {
	switch s.format {
	case formatMsgPack:
		return append(b, 0x90)
	case formatCBOR:
		return append(b, 0x80)
	}
	return append(b, '[', ']')
}

func (s *Serializer) appendEmptyDict(b []byte) []byte {
	switch s.format {
	case formatMsgPack:
		return append(b, 0x80)
	case formatCBOR:
		return append(b, 0xa0)
	}
	return append(b, '{', '}')
}

func (s *Serializer) appendUint(b []byte, u uint64) []byte {
	switch s.format {
	case formatMsgPack:
		switch {
		case u <= 0x7f:
			return append(b, byte(u))
		case u <= math.MaxUint8:
			return append(b, 0xcc, byte(u))
		case u <= math.MaxUint16:
			return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(u))
		case u <= math.MaxUint32:
			return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(u))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcf), u)
	case formatCBOR:
		return cborAppendHead(b, 0, u)
	}
	return strconv.AppendUint(b, u, 10)
}

// appendString writes str; for a JSON string that needs escapes it reports
// false and writes nothing, and the codec should write it.
func (s *Serializer) appendString(b []byte, str string) ([]byte, bool) {
	switch s.format {
	case formatMsgPack:
		switch n := len(str); {
		case n <= 31:
			b = append(b, 0xa0|byte(n))
		case n <= math.MaxUint8:
			b = append(b, 0xd9, byte(n))
		case n <= math.MaxUint16:
			b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
		default:
			b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
		}
		return append(b, str...), true
	case formatCBOR:
		return append(cborAppendHead(b, 3, uint64(len(str))), str...), true
	}
	for i := 0; i < len(str); i++ {
		if c := str[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, str...)
	return append(b, '"'), true
}

// cborAppendHead writes the head of an item of major type major with
// argument arg, in its shortest form.
func cborAppendHead(b []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < 24:
		return append(b, m|byte(arg))
	case arg <= math.MaxUint8:
		return append(b, m|24, byte(arg))
	case arg <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(arg))
	case arg <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(arg))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), arg)
}

// appendSimpleList writes a list of nil, bool, number, string and []byte
// values as the MsgPack or CBOR codec would (for JSON, and for any other
// element, it reports false and writes nothing, and the codec should write
// the list): the Arguments of most calls and results.
func (s *Serializer) appendSimpleList(b []byte, l []any) ([]byte, bool) {
	if s.format == formatJSON {
		return b, false
	}
	orig := len(b)
	b = s.appendListHead(b, len(l))
	for _, v := range l {
		var ok bool
		if b, ok = s.appendSimple(b, v); !ok {
			return b[:orig], false
		}
	}
	return b, true
}

func (s *Serializer) appendSimple(b []byte, v any) ([]byte, bool) {
	cbor := s.format == formatCBOR
	switch x := v.(type) {
	case nil:
		if cbor {
			return append(b, 0xf6), true
		}
		return append(b, 0xc0), true
	case bool:
		switch {
		case cbor && x:
			return append(b, 0xf5), true
		case cbor:
			return append(b, 0xf4), true
		case x:
			return append(b, 0xc3), true
		}
		return append(b, 0xc2), true
	case float64:
		if cbor {
			return binary.BigEndian.AppendUint64(append(b, 0xfb), math.Float64bits(x)), true
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcb), math.Float64bits(x)), true
	case float32:
		if cbor {
			return binary.BigEndian.AppendUint32(append(b, 0xfa), math.Float32bits(x)), true
		}
		return binary.BigEndian.AppendUint32(append(b, 0xca), math.Float32bits(x)), true
	case int:
		return s.appendInt(b, int64(x)), true
	case int64:
		return s.appendInt(b, x), true
	case int32:
		return s.appendInt(b, int64(x)), true
	case uint64:
		return s.appendUint(b, x), true
	case uint:
		return s.appendUint(b, uint64(x)), true
	case uint32:
		return s.appendUint(b, uint64(x)), true
	case string:
		return s.appendString(b, x)
	case []byte:
		if x == nil { // the codec writes a nil []byte as nil
			return s.appendSimple(b, nil)
		}
		if cbor {
			return append(cborAppendHead(b, 2, uint64(len(x))), x...), true
		}
		switch n := len(x); {
		case n <= math.MaxUint8:
			b = append(b, 0xc4, byte(n))
		case n <= math.MaxUint16:
			b = binary.BigEndian.AppendUint16(append(b, 0xc5), uint16(n))
		default:
			b = binary.BigEndian.AppendUint32(append(b, 0xc6), uint32(n))
		}
		return append(b, x...), true
	}
	return b, false
}

// appendInt writes a signed integer as the codec does: MsgPack in the
// smallest signed form (a positive fixint up to 127), CBOR by sign.
func (s *Serializer) appendInt(b []byte, i int64) []byte {
	if s.format == formatCBOR {
		if i < 0 {
			return cborAppendHead(b, 1, uint64(-1-i))
		}
		return cborAppendHead(b, 0, uint64(i))
	}
	switch {
	case i > math.MaxInt8:
		switch {
		case i <= math.MaxInt16:
			return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(i))
		case i <= math.MaxInt32:
			return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(i))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(i))
	case i >= -32:
		return append(b, byte(i))
	case i >= math.MinInt8:
		return append(b, 0xd0, byte(i))
	case i >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(i))
	case i >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(i))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(i))
}
