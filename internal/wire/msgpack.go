package wire

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// MessagePack, one of WAMP's binary formats: the head table every reader
// goes through, the nesting checker (MsgPackDepth), the validator
// (msgpackValue), list splitting, the timestamp extension, scalar readers
// and writers.

// The head of a MsgPack item is its first byte and, for some types, a
// length or count after it. msgpackHeads says what each first byte begins
// and msgpackHead reads a head with it; the validator (msgpackValue), the
// nesting checker (MsgPackDepth), msgpackListHead, msgpackStringBytes and
// msgpackKind all go through them. (The canonical check reads the heads
// itself: it must also know which of a value's spellings the head uses.)

// mpHead is what the head of a MsgPack item says.
type mpHead struct {
	// kind is KindList, KindDict, KindString, KindBytes, KindOther (an
	// extension) or the kind of a scalar (KindNil, KindBool, KindUint,
	// KindInt, KindFloat).
	kind Kind
	// n is, for a list, its number of elements; for a dictionary, its
	// number of entries (key-value pairs); for the others, how many bytes
	// follow the head: a number's, a string's or binary data's bytes, an
	// extension's type byte and then its data.
	n uint64
}

// mpHeadByte describes the heads that start with one byte.
type mpHeadByte struct {
	kind  Kind   // KindInvalid for 0xc1, which is never used
	width uint8  // bytes of the big-endian length or count after the first byte: 0, 1, 2 or 4
	n     uint16 // mpHead.n without a length (fix types), or what to add to it (an extension's type byte)
}

// msgpackHeads describes the heads by their first byte.
var msgpackHeads = func() (t [256]mpHeadByte) {
	for c := range len(t) {
		switch {
		case c <= 0x7f: // positive fixint
			t[c] = mpHeadByte{KindUint, 0, 0}
		case c <= 0x8f: // fixmap
			t[c] = mpHeadByte{KindDict, 0, uint16(c & 0x0f)}
		case c <= 0x9f: // fixarray
			t[c] = mpHeadByte{KindList, 0, uint16(c & 0x0f)}
		case c <= 0xbf: // fixstr
			t[c] = mpHeadByte{KindString, 0, uint16(c & 0x1f)}
		case c >= 0xe0: // negative fixint
			t[c] = mpHeadByte{KindInt, 0, 0}
		}
	}
	t[0xc0] = mpHeadByte{KindNil, 0, 0}
	t[0xc1] = mpHeadByte{KindInvalid, 0, 0}    // never used
	t[0xc2] = mpHeadByte{KindBool, 0, 0}       // false
	t[0xc3] = mpHeadByte{KindBool, 0, 0}       // true
	t[0xc4] = mpHeadByte{KindBytes, 1, 0}      // bin8
	t[0xc5] = mpHeadByte{KindBytes, 2, 0}      // bin16
	t[0xc6] = mpHeadByte{KindBytes, 4, 0}      // bin32
	t[0xc7] = mpHeadByte{KindOther, 1, 1}      // ext8: the type byte, then the data
	t[0xc8] = mpHeadByte{KindOther, 2, 1}      // ext16
	t[0xc9] = mpHeadByte{KindOther, 4, 1}      // ext32
	t[0xca] = mpHeadByte{KindFloat, 0, 4}      // float32
	t[0xcb] = mpHeadByte{KindFloat, 0, 8}      // float64
	t[0xcc] = mpHeadByte{KindUint, 0, 1}       // uint8
	t[0xcd] = mpHeadByte{KindUint, 0, 2}       // uint16
	t[0xce] = mpHeadByte{KindUint, 0, 4}       // uint32
	t[0xcf] = mpHeadByte{KindUint, 0, 8}       // uint64
	t[0xd0] = mpHeadByte{KindInt, 0, 1}        // int8
	t[0xd1] = mpHeadByte{KindInt, 0, 2}        // int16
	t[0xd2] = mpHeadByte{KindInt, 0, 4}        // int32
	t[0xd3] = mpHeadByte{KindInt, 0, 8}        // int64
	t[0xd4] = mpHeadByte{KindOther, 0, 1 + 1}  // fixext1: the type byte, then the data
	t[0xd5] = mpHeadByte{KindOther, 0, 1 + 2}  // fixext2
	t[0xd6] = mpHeadByte{KindOther, 0, 1 + 4}  // fixext4
	t[0xd7] = mpHeadByte{KindOther, 0, 1 + 8}  // fixext8
	t[0xd8] = mpHeadByte{KindOther, 0, 1 + 16} // fixext16
	t[0xd9] = mpHeadByte{KindString, 1, 0}     // str8
	t[0xda] = mpHeadByte{KindString, 2, 0}     // str16
	t[0xdb] = mpHeadByte{KindString, 4, 0}     // str32
	t[0xdc] = mpHeadByte{KindList, 2, 0}       // array16
	t[0xdd] = mpHeadByte{KindList, 4, 0}       // array32
	t[0xde] = mpHeadByte{KindDict, 2, 0}       // map16
	t[0xdf] = mpHeadByte{KindDict, 4, 0}       // map32
	return t
}()

// msgpackHead reads the head of the MsgPack item at i and returns the
// offset after it. It does not look at what follows the head, which may be
// cut short. h and next mean nothing when err is not nil.
//
// It is small enough to inline (go build -gcflags=-m shows it) in the
// scanners, which call it for every item.
func msgpackHead(b []byte, i int) (h mpHead, next int, err error) {
	if i >= len(b) {
		return h, i, ErrTruncated
	}
	e := msgpackHeads[b[i]]
	if e.kind == KindInvalid {
		return h, i, invalidByteError(i)
	}
	h.kind = e.kind
	for next = i + 1; next <= i+int(e.width); next++ { // a big-endian length or count
		if next >= len(b) {
			return h, i, ErrTruncated
		}
		h.n = h.n<<8 | uint64(b[next])
	}
	h.n += uint64(e.n)
	return h, next, nil
}

// invalidByteError is the offset of a byte 0xc1, which MsgPack never uses.
// It formats its message only when asked, to keep msgpackHead small.
type invalidByteError int

func (e invalidByteError) Error() string {
	return fmt.Sprintf("invalid byte 0xc1 at offset %d", int(e))
}

// msgpackTimestamp reads the data of a timestamp extension (type -1, the
// type byte not included). The spec reads it by its length, whatever the
// extension format holding it: 4 bytes are timestamp 32, 8 timestamp 64 and
// 12 timestamp 96; and it forbids nanoseconds beyond 999999999. ok is false
// for anything else. The time is in UTC, as the codec gives it.
func msgpackTimestamp(data []byte) (t time.Time, ok bool) {
	var sec, nsec int64
	switch len(data) {
	case 4:
		sec = int64(binary.BigEndian.Uint32(data))
	case 8:
		v := binary.BigEndian.Uint64(data)
		sec, nsec = int64(v&(1<<34-1)), int64(v>>34)
	case 12:
		nsec, sec = int64(binary.BigEndian.Uint32(data)), int64(binary.BigEndian.Uint64(data[4:]))
	default:
		return t, false
	}
	if nsec > 999_999_999 {
		return t, false
	}
	return time.Unix(sec, nsec).UTC(), true
}

// MsgPackTime reads raw, a MsgPack timestamp extension in any format.
func MsgPackTime(raw []byte) (time.Time, bool) {
	h, i, err := msgpackHead(raw, 0)
	if err != nil || h.kind != KindOther || h.n != uint64(len(raw)-i) || raw[i] != 0xff {
		return time.Time{}, false
	}
	return msgpackTimestamp(raw[i+1:])
}

// msgpackWellFormed checks that b holds exactly one MsgPack value.
func msgpackWellFormed(b []byte) error {
	var stack [MaxDepth]container
	end, err := msgpackValue(b, 0, stack[:])
	return wholeInput(b, end, err)
}

// msgpackWellFormedList is msgpackWellFormed for a list, which it checks
// element by element, recording in lb where they lie.
func msgpackWellFormedList(b []byte, lb *ListBounds) error {
	h, i, err := msgpackHead(b, 0)
	if err != nil {
		return err
	}
	if h.kind != KindList {
		return ErrNotList
	}
	if h.n > uint64(len(b)-i) { // every element takes at least one byte
		return ErrTruncated
	}
	var stack [MaxDepth - 1]container // the list is the first level
	for range h.n {
		end, err := msgpackValue(b, i, stack[:])
		if err != nil {
			return err
		}
		lb.add(i, end)
		i = end
	}
	return wholeInput(b, i, nil)
}

// msgpackValue checks the MsgPack value at offset i and returns the offset
// after it. stack is its room for the open containers: the value may nest
// len(stack) levels.
func msgpackValue(b []byte, i int, stack []container) (int, error) {
	depth := 0
	for {
		if i >= len(b) {
			return 0, ErrTruncated
		}
		if depth > 0 && stack[depth-1].nextIsKey() && msgpackKind(b[i:]) != KindString {
			return 0, fmt.Errorf("dictionary key at offset %d is not a string", i)
		}
		start := i
		h, next, err := msgpackHead(b, i)
		if err != nil {
			return 0, err
		}
		i = next
		switch h.kind {
		case KindList, KindDict:
			if depth == len(stack) {
				return 0, ErrTooDeep
			}
			items := h.n
			if h.kind == KindDict {
				if items > uint64(len(b)-i)/2 { // every item takes at least one byte
					return 0, ErrTruncated
				}
				items *= 2
			} else if items > uint64(len(b)-i) {
				return 0, ErrTruncated
			}
			if items > 0 {
				stack[depth] = container{left: items, dict: h.kind == KindDict}
				depth++
				continue
			}
		default:
			if h.n > uint64(len(b)-i) {
				return 0, ErrTruncated
			}
			payload := b[i : i+int(h.n)]
			i += len(payload)
			switch h.kind {
			case KindString:
				if !utf8.Valid(payload) {
					return 0, fmt.Errorf("string at offset %d is not valid UTF-8", start)
				}
			case KindOther: // the type byte, then the data
				if payload[0] != 0xff {
					return 0, fmt.Errorf("extension type %d at offset %d (only timestamps, type -1, are allowed)", int8(payload[0]), start)
				}
				if _, ok := msgpackTimestamp(payload[1:]); !ok {
					return 0, fmt.Errorf("invalid timestamp at offset %d (4, 8 or 12 bytes, at most 999999999 nanoseconds)", start)
				}
			}
		}
		// An item ended at i.
		for depth > 0 && stack[depth-1].done() {
			depth--
		}
		if depth == 0 {
			return i, nil
		}
	}
}

// MsgPackDepth checks that the MessagePack value at the start of b nests
// at most MaxDepth levels: arrays and maps count, extensions are data. It
// walks the value's items in a loop; bytes after the value are not looked
// at. It returns ErrTooDeep, or an error for a value it cannot walk (a
// reserved byte, a length beyond the input), which the decoder would
// refuse too.
func MsgPackDepth(b []byte) error {
	var left [MaxDepth]uint64 // items still to come in each open container
	depth, i := 0, 0
	for {
		h, next, err := msgpackHead(b, i)
		if err != nil {
			return err
		}
		i = next
		if h.kind == KindList || h.kind == KindDict {
			if depth == MaxDepth {
				return ErrTooDeep
			}
			items := h.n
			if h.kind == KindDict {
				items *= 2 // h.n < 2^32: no overflow
			}
			if items > uint64(len(b)-i) { // every item takes a byte
				return ErrTruncated
			}
			if items > 0 {
				left[depth] = items
				depth++
				continue
			}
		} else {
			if h.n > uint64(len(b)-i) {
				return ErrTruncated
			}
			i += int(h.n)
		}
		// An item ended at i.
		for depth > 0 {
			left[depth-1]--
			if left[depth-1] > 0 {
				break
			}
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// msgpackListHead reads the head of a MsgPack array: the element count and
// the offset of the first element. A count beyond the bytes left (every
// element takes at least one) is refused whatever its width, as for CBOR:
// the list cannot be complete, and the count then fits in an int.
func msgpackListHead(b []byte) (n, i int, err error) {
	h, i, err := msgpackHead(b, 0)
	if err != nil {
		return 0, 0, err
	}
	if h.kind != KindList {
		return 0, 0, ErrNotList
	}
	if h.n > uint64(len(b)-i) {
		return 0, 0, ErrTruncated
	}
	return int(h.n), i, nil
}

// msgpackAppendElems is Format.AppendElems for MsgPack.
func msgpackAppendElems(dst [][]byte, raw []byte, limit int) ([][]byte, error) {
	n, i, err := msgpackListHead(raw)
	if err != nil {
		return dst, err
	}
	if limit >= 0 {
		n = min(n, limit)
	}
	var stack [MaxDepth - 1]container // the list is the first level
	for range n {
		j, err := msgpackValue(raw, i, stack[:])
		if err != nil {
			return dst, err
		}
		dst = append(dst, raw[i:j])
		i = j
	}
	return dst, nil
}

func msgpackKind(b []byte) Kind {
	if len(b) == 0 {
		return KindInvalid
	}
	return msgpackHeads[b[0]].kind
}

func msgpackUint(raw []byte) (uint64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
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
	return 0, false
}

func msgpackInt(raw []byte) (int64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
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
	return 0, false
}

func msgpackFloat(raw []byte) (float64, bool) {
	switch {
	case len(raw) >= 5 && raw[0] == 0xca:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(raw[1:5]))), true
	case len(raw) >= 9 && raw[0] == 0xcb:
		return math.Float64frombits(binary.BigEndian.Uint64(raw[1:9])), true
	}
	return 0, false
}

func msgpackBool(raw []byte) (v, ok bool) {
	if len(raw) == 0 {
		return false, false
	}
	return raw[0] == 0xc3, raw[0] == 0xc2 || raw[0] == 0xc3
}

func msgpackStringBytes(raw []byte) ([]byte, bool) {
	h, i, err := msgpackHead(raw, 0)
	if err != nil || h.kind != KindString || h.n != uint64(len(raw)-i) {
		return nil, false
	}
	return raw[i:], true
}

// msgpackAppendListHead writes the head of an array of n elements.
func msgpackAppendListHead(b []byte, n int) []byte { return msgpackAppendHead(b, n, 0x90, 0xdc) }

// msgpackAppendDictHead writes the head of a map of n entries.
func msgpackAppendDictHead(b []byte, n int) []byte { return msgpackAppendHead(b, n, 0x80, 0xde) }

// msgpackAppendHead writes the head of an array or a map of n entries in
// its shortest form: fix (the 4 bits of n in fix), 16 bits (code16) or
// 32 bits (code16+1).
func msgpackAppendHead(b []byte, n int, fix, code16 byte) []byte {
	switch {
	case n <= 15:
		return append(b, fix|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, code16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, code16+1), uint32(n))
}

func msgpackAppendUint(b []byte, u uint64) []byte {
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
}

// msgpackAppendInt writes a signed integer as the codec does: in the
// smallest signed form, a positive fixint up to 127.
func msgpackAppendInt(b []byte, i int64) []byte {
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

// msgpackAppendString writes str as a str (WriteExt: never the old raw).
func msgpackAppendString(b []byte, str string) []byte {
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
	return append(b, str...)
}

func msgpackAppendSimple(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, 0xc0), true
	case bool:
		if x {
			return append(b, 0xc3), true
		}
		return append(b, 0xc2), true
	case float64:
		return binary.BigEndian.AppendUint64(append(b, 0xcb), math.Float64bits(x)), true
	case float32:
		return binary.BigEndian.AppendUint32(append(b, 0xca), math.Float32bits(x)), true
	case int:
		return msgpackAppendInt(b, int64(x)), true
	case int64:
		return msgpackAppendInt(b, x), true
	case int32:
		return msgpackAppendInt(b, int64(x)), true
	case uint64:
		return msgpackAppendUint(b, x), true
	case uint:
		return msgpackAppendUint(b, uint64(x)), true
	case uint32:
		return msgpackAppendUint(b, uint64(x)), true
	case string:
		return msgpackAppendString(b, x), true
	case []byte:
		if x == nil { // the codec writes a nil []byte as nil
			return append(b, 0xc0), true
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

// msgpack checks one MessagePack value: shortest forms as the codec writes
// them, no float32, no extensions, string keys only, valid UTF-8 strings.
func (c *canon) msgpack(i, depth int) (int, bool) {
	b := c.b
	if i >= len(b) {
		return 0, false
	}
	t := b[i]
	need := func(n int) bool { return len(b)-i > n }
	switch {
	case t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3:
		return i + 1, true
	case t&0xf0 == 0x80:
		return c.msgpackMap(i+1, int(t&0x0f), depth)
	case t&0xf0 == 0x90:
		return c.msgpackArray(i+1, int(t&0x0f), depth)
	case t&0xe0 == 0xa0:
		return msgpackStr(b, i+1, int(t&0x1f))
	}
	switch t {
	case 0xcb:
		if !need(8) {
			return 0, false
		}
		return i + 9, true
	case 0xcc, 0xcd, 0xce, 0xcf:
		w := 1 << (t - 0xcc)
		if !need(w) {
			return 0, false
		}
		u := beUint(b[i+1 : i+1+w])
		min := [...]uint64{math.MaxInt8, math.MaxUint8, math.MaxUint16, math.MaxUint32}[t-0xcc]
		if u <= min {
			return 0, false
		}
		return i + 1 + w, true
	case 0xd0, 0xd1, 0xd2, 0xd3:
		w := 1 << (t - 0xd0)
		if !need(w) {
			return 0, false
		}
		u := beUint(b[i+1 : i+1+w])
		var v int64
		switch w {
		case 1:
			v = int64(int8(u))
		case 2:
			v = int64(int16(u))
		case 4:
			v = int64(int32(u))
		default:
			v = int64(u)
		}
		// The codec writes an int64 in the first form that holds it,
		// signed forms only above 127 and below -32.
		var lo, hi int64 = -32, math.MaxInt8
		switch w {
		case 2:
			lo, hi = math.MinInt8, math.MaxInt8
		case 4:
			lo, hi = math.MinInt16, math.MaxInt16
		case 8:
			lo, hi = math.MinInt32, math.MaxInt32
		}
		if v >= lo && v <= hi {
			return 0, false
		}
		return i + 1 + w, true
	case 0xc4, 0xc5, 0xc6: // bin
		w := 1 << (t - 0xc4)
		if !need(w) {
			return 0, false
		}
		n := beUint(b[i+1 : i+1+w])
		if (w == 2 && n <= math.MaxUint8) || (w == 4 && n <= math.MaxUint16) || n > uint64(len(b)) {
			return 0, false
		}
		end := i + 1 + w + int(n)
		if end > len(b) {
			return 0, false
		}
		return end, true
	case 0xd9, 0xda, 0xdb:
		w := 1 << (t - 0xd9)
		if !need(w) {
			return 0, false
		}
		n := beUint(b[i+1 : i+1+w])
		min := [...]uint64{31, math.MaxUint8, 0, math.MaxUint16}[w-1]
		if n <= min || n > uint64(len(b)) {
			return 0, false
		}
		return msgpackStr(b, i+1+w, int(n))
	case 0xdc, 0xdd, 0xde, 0xdf:
		w := 2
		if t == 0xdd || t == 0xdf {
			w = 4
		}
		if !need(w) {
			return 0, false
		}
		n := beUint(b[i+1 : i+1+w])
		if (w == 2 && n < 16) || (w == 4 && n <= math.MaxUint16) || n > uint64(len(b)) {
			return 0, false
		}
		if t <= 0xdd {
			return c.msgpackArray(i+1+w, int(n), depth)
		}
		return c.msgpackMap(i+1+w, int(n), depth)
	}
	return 0, false
}

func msgpackStr(b []byte, i, n int) (int, bool) {
	if n > len(b)-i || !utf8.Valid(b[i:i+n]) {
		return 0, false
	}
	return i + n, true
}

func (c *canon) msgpackArray(i, n, depth int) (int, bool) {
	if n > len(c.b)-i || canonTooDeep(depth) {
		return 0, false
	}
	for range n {
		var ok bool
		if i, ok = c.msgpack(i, depth+1); !ok {
			return 0, false
		}
	}
	return i, true
}

func (c *canon) msgpackMap(i, n, depth int) (int, bool) {
	if n > (len(c.b)-i)/2 || canonTooDeep(depth) {
		return 0, false
	}
	base := len(c.keys)
	for range n {
		if i >= len(c.b) {
			return 0, false
		}
		t := c.b[i]
		if t&0xe0 != 0xa0 && (t < 0xd9 || t > 0xdb) {
			return 0, false // not a string key
		}
		end, ok := c.msgpack(i, depth+1)
		if !ok {
			return 0, false
		}
		c.pushKey(c.b[i:end])
		if i, ok = c.msgpack(end, depth+1); !ok {
			return 0, false
		}
	}
	if c.popKeys(base) {
		return 0, false
	}
	return i, true
}
