package wire_test

import (
	"encoding/json"
)

// Recursive references for FuzzDepth: they read the same structure as the
// checkers, one Go call per level (fine for fuzz inputs), and return the
// depth of the value at i, the offset after it, and whether it is valid.

func refJSON(b []byte) (int, bool) {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return 0, false
	}
	return anyDepth(v), true
}

func anyDepth(v any) int {
	d := 0
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			d = max(d, anyDepth(e))
		}
	case map[string]any:
		for _, e := range t {
			d = max(d, anyDepth(e))
		}
	default:
		return 0
	}
	return d + 1
}

func beN(b []byte) uint64 {
	var n uint64
	for _, x := range b {
		n = n<<8 | uint64(x)
	}
	return n
}

func refMsgPack(b []byte, i int) (depth, end int, ok bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	c := b[i]
	i++
	items, data := -1, 0
	switch {
	case c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3:
		return 0, i, true
	case c <= 0x8f:
		items = 2 * int(c&0x0f)
	case c <= 0x9f:
		items = int(c & 0x0f)
	case c <= 0xbf:
		data = int(c & 0x1f)
	case c == 0xc1:
		return 0, 0, false
	case c >= 0xca && c <= 0xd3:
		data = []int{4, 8, 1, 2, 4, 8, 1, 2, 4, 8}[c-0xca]
	case c >= 0xd4 && c <= 0xd8:
		data = 1 + 1<<(c-0xd4)
	default:
		w := map[byte]int{0xc4: 1, 0xc5: 2, 0xc6: 4, 0xc7: 1, 0xc8: 2, 0xc9: 4, 0xd9: 1, 0xda: 2, 0xdb: 4, 0xdc: 2, 0xdd: 4, 0xde: 2, 0xdf: 4}[c]
		if len(b)-i < w {
			return 0, 0, false
		}
		n := int(beN(b[i : i+w]))
		i += w
		switch c {
		case 0xdc, 0xdd:
			items = n
		case 0xde, 0xdf:
			items = 2 * n
		case 0xc7, 0xc8, 0xc9:
			data = 1 + n
		default:
			data = n
		}
	}
	if items < 0 {
		if data > len(b)-i {
			return 0, 0, false
		}
		return 0, i + data, true
	}
	d := 0
	for range items {
		e, j, ok := refMsgPack(b, i)
		if !ok {
			return 0, 0, false
		}
		d, i = max(d, e), j
	}
	return d + 1, i, true
}

func refCBOR(b []byte, i int) (depth, end int, ok bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	c := b[i]
	major, info := c>>5, c&0x1f
	i++
	var arg uint64
	indef := false
	switch {
	case info < 24:
		arg = uint64(info)
	case info <= 27:
		w := 1 << (info - 24)
		if len(b)-i < w {
			return 0, 0, false
		}
		arg = beN(b[i : i+w])
		i += w
	case info == 31 && major >= 2 && major <= 5:
		indef = true
	default:
		return 0, 0, false
	}
	switch major {
	case 0, 1, 7:
		return 0, i, true
	case 2, 3:
		if !indef {
			if arg > uint64(len(b)-i) {
				return 0, 0, false
			}
			return 0, i + int(arg), true
		}
		for {
			if i >= len(b) {
				return 0, 0, false
			}
			if b[i] == 0xff {
				return 0, i + 1, true
			}
			if b[i]>>5 != major || b[i]&0x1f == 31 {
				return 0, 0, false
			}
			_, j, ok := refCBOR(b, i)
			if !ok {
				return 0, 0, false
			}
			i = j
		}
	case 6:
		d, j, ok := refCBOR(b, i)
		return d + 1, j, ok
	}
	d := 0
	if indef {
		for {
			if i >= len(b) {
				return 0, 0, false
			}
			if b[i] == 0xff {
				return d + 1, i + 1, true
			}
			e, j, ok := refCBOR(b, i)
			if !ok {
				return 0, 0, false
			}
			d, i = max(d, e), j
		}
	}
	n := arg
	if major == 5 {
		if n > uint64(len(b)) {
			return 0, 0, false
		}
		n *= 2
	}
	if n > uint64(len(b)-i) {
		return 0, 0, false
	}
	for range n {
		e, j, ok := refCBOR(b, i)
		if !ok {
			return 0, 0, false
		}
		d, i = max(d, e), j
	}
	return d + 1, i, true
}
