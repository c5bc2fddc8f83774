package wamp

import (
	"encoding/binary"
	"fmt"
	"time"
)

// The head of a MsgPack item is its first byte and, for some types, a
// length or count after it. msgpackHeads says what each first byte begins
// and msgpackHead reads a head with it; the scanners (msgpackSkip,
// msgpackWellFormed), msgpackListHead, stringOf and msgpackKind all go
// through them.

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
		return h, i, errTruncated
	}
	e := msgpackHeads[b[i]]
	if e.kind == KindInvalid {
		return h, i, invalidByteError(i)
	}
	h.kind = e.kind
	for next = i + 1; next <= i+int(e.width); next++ { // a big-endian length or count
		if next >= len(b) {
			return h, i, errTruncated
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

// msgpackTime reads raw, a MsgPack timestamp extension in any format.
func msgpackTime(raw []byte) (time.Time, bool) {
	h, i, err := msgpackHead(raw, 0)
	if err != nil || h.kind != KindOther || h.n != uint64(len(raw)-i) || raw[i] != 0xff {
		return time.Time{}, false
	}
	return msgpackTimestamp(raw[i+1:])
}
