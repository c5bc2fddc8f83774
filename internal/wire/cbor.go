package wire

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"
)

// CBOR (RFC 8949), one of WAMP's binary formats: the head reader and
// writer, the nesting checker (CBORDepth), the validator (cborValue), list
// splitting, scalar readers and writers. Of the tags only the timestamps
// (0 and 1) are WAMP data; the codec's handle (handles.go) reads a few
// others that JavaScript peers write, for the router's full path.

// CBORHead reads the head of the CBOR item at i: its argument and the
// offset after the head. The argument of an indefinite length (arrays,
// maps and strings) is 0.
func CBORHead(b []byte, i int) (uint64, int, error) {
	if i >= len(b) {
		return 0, 0, ErrTruncated
	}
	c := b[i]
	major, info := c>>5, c&0x1f
	i++
	switch {
	case info < 24:
		return uint64(info), i, nil
	case info <= 27:
		w := 1 << (info - 24)
		if len(b)-i < w {
			return 0, 0, ErrTruncated
		}
		return beUint(b[i : i+w]), i + w, nil
	case info == 31 && major >= 2 && major <= 5:
		return 0, i, nil
	}
	return 0, 0, fmt.Errorf("invalid CBOR head 0x%02x at offset %d", c, i-1)
}

// CBORAppendHead writes the head of an item of major type major with
// argument arg, in its shortest form.
func CBORAppendHead(b []byte, major byte, arg uint64) []byte {
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

// CBORDepth checks that the CBOR data item at the start of b nests at most
// MaxDepth levels: arrays, maps and tags each count as one. It walks the
// item in a loop; bytes after it are not looked at. It returns ErrTooDeep,
// or an error for an item it cannot walk (a reserved head, a misplaced
// break, a length beyond the input), which the decoder would refuse too.
// It also applies the integer rule (see the package documentation), which
// the codec does not: it reads a negative integer below math.MinInt64, or
// epoch seconds (tag 1) beyond an int64, as another number or time without
// an error.
func CBORDepth(b []byte) error {
	// Items still to come in each open container or tag; -1 for a
	// container of indefinite length, which ends with a break.
	var left [MaxDepth]int64
	depth, i := 0, 0
	for {
		if i >= len(b) {
			return ErrTruncated
		}
		c := b[i]
		major, info := c>>5, c&0x1f
		if c == 0xff { // break
			if depth == 0 || left[depth-1] >= 0 {
				return fmt.Errorf("break outside an indefinite-length item at offset %d", i)
			}
			i++
			depth-- // the indefinite container is complete: an item of the one around it
		} else {
			var arg uint64
			if info < 24 { // the argument is in the first byte: most items
				arg = uint64(info)
				i++
			} else {
				var err error
				if arg, i, err = CBORHead(b, i); err != nil {
					return err
				}
			}
			indefinite := info == 31
			switch major {
			case 1:
				if arg > math.MaxInt64 {
					return fmt.Errorf("negative integer before offset %d is below the int64 range", i)
				}
			case 2, 3: // byte and text strings
				if !indefinite {
					if arg > uint64(len(b)-i) {
						return ErrTruncated
					}
					i += int(arg)
					break
				}
				// Chunks of definite length, then a break.
				for {
					if i >= len(b) {
						return ErrTruncated
					}
					if b[i] == 0xff {
						i++
						break
					}
					if b[i]>>5 != major || b[i]&0x1f == 31 {
						return fmt.Errorf("invalid chunk of an indefinite-length string at offset %d", i)
					}
					n, j, err := CBORHead(b, i)
					if err != nil {
						return err
					}
					if n > uint64(len(b)-j) {
						return ErrTruncated
					}
					i = j + int(n)
				}
			case 4, 5, 6: // arrays, maps, tags
				if depth == MaxDepth {
					return ErrTooDeep
				}
				var items int64
				switch {
				case major == 6:
					items = 1 // a tag wraps one item
					if arg == 1 && len(b)-i >= 9 && b[i] == 0x1b && b[i+1] >= 0x80 {
						return fmt.Errorf("epoch seconds at offset %d beyond the int64 range", i)
					}
				case indefinite:
					items = -1
				default:
					if arg > uint64(len(b)-i) { // every item takes a byte
						return ErrTruncated
					}
					items = int64(arg)
					if major == 5 {
						if arg > uint64(len(b)-i)/2 {
							return ErrTruncated
						}
						items *= 2
					}
				}
				if items != 0 {
					left[depth] = items
					depth++
					continue
				}
			}
		}
		// An item ended at i.
		for depth > 0 && left[depth-1] > 0 {
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

// cborWellFormed checks that b holds exactly one CBOR data item (RFC 8949)
// of the kinds the codec decodes: no simple values but false, true, null
// and undefined; tags count as a nesting level.
func cborWellFormed(b []byte) error {
	var stack [MaxDepth]container
	end, err := cborValue(b, 0, stack[:])
	return wholeInput(b, end, err)
}

// cborWellFormedList is cborWellFormed for a list, which it checks element
// by element, recording in lb where they lie.
func cborWellFormedList(b []byte, lb *ListBounds) error {
	if len(b) == 0 || b[0]>>5 != 4 {
		return ErrNotList
	}
	var stack [MaxDepth - 1]container // the list is the first level
	i := 1
	switch info := b[0] & 0x1f; {
	case info == 31: // indefinite length: elements until a break
		for {
			if i >= len(b) {
				return ErrTruncated
			}
			if b[i] == 0xff {
				return wholeInput(b, i+1, nil)
			}
			end, err := cborValue(b, i, stack[:])
			if err != nil {
				return err
			}
			lb.add(i, end)
			i = end
		}
	case info > 27:
		return fmt.Errorf("invalid initial byte 0x%02x at offset 0", b[0])
	}
	n, i, err := CBORHead(b, 0)
	if err != nil {
		return err
	}
	if n > uint64(len(b)-i) { // every element takes at least one byte
		return ErrTruncated
	}
	for range n {
		end, err := cborValue(b, i, stack[:])
		if err != nil {
			return err
		}
		lb.add(i, end)
		i = end
	}
	return wholeInput(b, i, nil)
}

// cborValue checks the CBOR data item at offset i and returns the offset
// after it. stack is its room for the open containers and tags: the item
// may nest len(stack) levels.
func cborValue(b []byte, i int, stack []container) (int, error) {
	depth := 0
	for {
		if i >= len(b) {
			return 0, ErrTruncated
		}
		c := b[i]
		if depth > 0 {
			top := &stack[depth-1]
			if c == 0xff && top.indef {
				if top.dict && !top.isKey {
					return 0, fmt.Errorf("break at offset %d after a dictionary key", i)
				}
				i++
				depth-- // the indefinite container is complete
				for depth > 0 && stack[depth-1].done() {
					depth--
				}
				if depth == 0 {
					return i, nil
				}
				continue
			}
			if top.nextIsKey() && c>>5 != 3 {
				return 0, fmt.Errorf("dictionary key at offset %d is not a text string", i)
			}
			if top.tagged && !cborTagContent(top.tag, c) {
				return 0, fmt.Errorf("invalid content of tag %d at offset %d", top.tag, i)
			}
		}
		major, info := c>>5, c&0x1f
		at := i
		i++
		var arg uint64
		switch {
		case info < 24:
			arg = uint64(info)
		case info <= 27:
			n := 1 << (info - 24)
			if len(b)-i < n {
				return 0, ErrTruncated
			}
			arg = beUint(b[i : i+n])
			i += n
		case info == 31 && major >= 2 && major <= 5:
			// indefinite length, handled below
		default:
			return 0, fmt.Errorf("invalid initial byte 0x%02x at offset %d", c, i-1)
		}
		switch major {
		case 0, 1: // integers
			// One rule for integers in every format: a value of int64 or
			// uint64, as MsgPack has them and the codec decodes them. CBOR
			// alone can write negative integers below math.MinInt64, and
			// epoch seconds (tag 1) beyond an int64.
			if arg > math.MaxInt64 {
				if major == 1 {
					return 0, fmt.Errorf("negative integer at offset %d is below the int64 range", at)
				}
				if depth > 0 && stack[depth-1].tagged {
					return 0, fmt.Errorf("epoch seconds at offset %d beyond the int64 range", at)
				}
			}
		case 2, 3: // byte and text strings
			if info != 31 {
				if arg > uint64(len(b)-i) {
					return 0, ErrTruncated
				}
				if major == 3 && !utf8.Valid(b[i:i+int(arg)]) {
					return 0, fmt.Errorf("text string at offset %d is not valid UTF-8", i)
				}
				i += int(arg)
				break
			}
			// Chunks of the same major type with definite lengths, then a break.
			for {
				if i >= len(b) {
					return 0, ErrTruncated
				}
				cc := b[i]
				i++
				if cc == 0xff {
					break
				}
				if cc>>5 != major || cc&0x1f > 27 {
					return 0, fmt.Errorf("invalid chunk of an indefinite-length string at offset %d", i-1)
				}
				n := uint64(cc & 0x1f)
				if n >= 24 {
					w := 1 << (n - 24)
					if len(b)-i < w {
						return 0, ErrTruncated
					}
					n = beUint(b[i : i+w])
					i += w
				}
				if n > uint64(len(b)-i) {
					return 0, ErrTruncated
				}
				if major == 3 && !utf8.Valid(b[i:i+int(n)]) {
					return 0, fmt.Errorf("text string chunk at offset %d is not valid UTF-8", i)
				}
				i += int(n)
			}
		case 4, 5, 6: // lists, dictionaries, tags
			if depth == len(stack) {
				return 0, ErrTooDeep
			}
			ct := container{dict: major == 5, tagged: major == 6, indef: info == 31, isKey: true}
			switch {
			case ct.tagged:
				if arg > 1 {
					return 0, fmt.Errorf("tag %d at offset %d (only timestamps, tags 0 and 1, are allowed)", arg, i-1)
				}
				ct.left, ct.tag = 1, arg
			case ct.indef:
			case ct.dict:
				if arg > uint64(len(b)-i)/2 {
					return 0, ErrTruncated
				}
				ct.left = 2 * arg
			default:
				if arg > uint64(len(b)-i) {
					return 0, ErrTruncated
				}
				ct.left = arg
			}
			if ct.left > 0 || ct.indef {
				stack[depth] = ct
				depth++
				continue
			}
		case 7:
			switch info {
			case 20, 21, 22, 23, 25, 26, 27: // false, true, null, undefined, floats
			default:
				return 0, fmt.Errorf("unsupported simple value 0x%02x at offset %d", c, i-1)
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

// cborTagContent reports whether the item starting with byte c may follow
// tag: a text string for 0 (an RFC 3339 time), a number for 1 (epoch time).
func cborTagContent(tag uint64, c byte) bool {
	if tag == 0 {
		return c>>5 == 3
	}
	return c>>5 <= 1 || c >= 0xf9 && c <= 0xfb
}

// cborAppendElems is Format.AppendElems for CBOR.
func cborAppendElems(dst [][]byte, raw []byte, limit int) ([][]byte, error) {
	if len(raw) == 0 || raw[0]>>5 != 4 {
		return dst, ErrNotList
	}
	var stack [MaxDepth - 1]container // the list is the first level
	if raw[0] == 0x9f {               // indefinite length: items until a break
		i := 1
		for n := 0; ; n++ {
			if i >= len(raw) {
				return dst, ErrTruncated
			}
			if raw[i] == 0xff || n == limit {
				return dst, nil
			}
			j, err := cborValue(raw, i, stack[:])
			if err != nil {
				return dst, err
			}
			dst = append(dst, raw[i:j])
			i = j
		}
	}
	n, i, err := CBORHead(raw, 0)
	if err != nil {
		return dst, err
	}
	if n > uint64(len(raw)-i) {
		return dst, ErrTruncated
	}
	if limit >= 0 {
		n = min(n, uint64(limit))
	}
	for range n {
		j, err := cborValue(raw, i, stack[:])
		if err != nil {
			return dst, err
		}
		dst = append(dst, raw[i:j])
		i = j
	}
	return dst, nil
}

func cborKind(b []byte) Kind {
	if len(b) == 0 {
		return KindInvalid
	}
	switch major, info := b[0]>>5, b[0]&0x1f; major {
	case 0:
		return KindUint
	case 1:
		return KindInt
	case 2:
		return KindBytes
	case 3:
		return KindString
	case 4:
		return KindList
	case 5:
		return KindDict
	case 6:
		return KindOther
	default:
		switch info {
		case 20, 21:
			return KindBool
		case 22, 23:
			return KindNil
		case 25, 26, 27:
			return KindFloat
		}
	}
	return KindInvalid
}

func cborUint(raw []byte) (uint64, bool) {
	if len(raw) == 0 || raw[0]>>5 != 0 {
		return 0, false
	}
	u, _, err := CBORHead(raw, 0)
	return u, err == nil
}

func cborInt(raw []byte) (int64, bool) {
	if len(raw) == 0 || raw[0]>>5 != 1 {
		return 0, false
	}
	u, _, err := CBORHead(raw, 0)
	if err != nil || u > math.MaxInt64 {
		return 0, false
	}
	return -1 - int64(u), true
}

func cborFloat(raw []byte) (float64, bool) {
	switch {
	case len(raw) >= 3 && raw[0] == 0xf9:
		return halfToFloat64(binary.BigEndian.Uint16(raw[1:3])), true
	case len(raw) >= 5 && raw[0] == 0xfa:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(raw[1:5]))), true
	case len(raw) >= 9 && raw[0] == 0xfb:
		return math.Float64frombits(binary.BigEndian.Uint64(raw[1:9])), true
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

func cborBool(raw []byte) (v, ok bool) {
	if len(raw) == 0 {
		return false, false
	}
	return raw[0] == 0xf5, raw[0] == 0xf4 || raw[0] == 0xf5
}

func cborStringBytes(raw []byte) ([]byte, bool) {
	if len(raw) == 0 || raw[0]>>5 != 3 || raw[0]&0x1f == 31 {
		return nil, false
	}
	n, i, err := CBORHead(raw, 0)
	if err != nil || n != uint64(len(raw)-i) {
		return nil, false
	}
	return raw[i:], true
}

// cborAppendInt writes a signed integer as the codec does: by sign.
func cborAppendInt(b []byte, i int64) []byte {
	if i < 0 {
		return CBORAppendHead(b, 1, uint64(-1-i))
	}
	return CBORAppendHead(b, 0, uint64(i))
}

func cborAppendSimple(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, 0xf6), true
	case bool:
		if x {
			return append(b, 0xf5), true
		}
		return append(b, 0xf4), true
	case float64:
		return binary.BigEndian.AppendUint64(append(b, 0xfb), math.Float64bits(x)), true
	case float32:
		return binary.BigEndian.AppendUint32(append(b, 0xfa), math.Float32bits(x)), true
	case int:
		return cborAppendInt(b, int64(x)), true
	case int64:
		return cborAppendInt(b, x), true
	case int32:
		return cborAppendInt(b, int64(x)), true
	case uint64:
		return CBORAppendHead(b, 0, x), true
	case uint:
		return CBORAppendHead(b, 0, uint64(x)), true
	case uint32:
		return CBORAppendHead(b, 0, uint64(x)), true
	case string:
		return append(CBORAppendHead(b, 3, uint64(len(x))), x...), true
	case []byte:
		if x == nil { // the codec writes a nil []byte as nil
			return append(b, 0xf6), true
		}
		return append(CBORAppendHead(b, 2, uint64(len(x))), x...), true
	}
	return b, false
}

// cborCanonHead reads the argument of the CBOR head at i, which must be definite
// and shortest, and returns it with the offset after the head.
func cborCanonHead(b []byte, i int) (uint64, int, bool) {
	if i >= len(b) {
		return 0, 0, false
	}
	ai := b[i] & 0x1f
	switch {
	case ai < 24:
		return uint64(ai), i + 1, true
	case ai <= 27:
		w := 1 << (ai - 24)
		if len(b)-i-1 < w {
			return 0, 0, false
		}
		n := beUint(b[i+1 : i+1+w])
		min := [...]uint64{23, math.MaxUint8, math.MaxUint16, math.MaxUint32}[ai-24]
		if n <= min {
			return 0, 0, false
		}
		return n, i + 1 + w, true
	}
	return 0, 0, false
}

// cbor checks one CBOR value: shortest definite heads, no tags, float64
// only, simple values false, true and null only, text keys only, valid
// UTF-8 text.
func (c *canon) cbor(i, depth int) (int, bool) {
	b := c.b
	if i >= len(b) {
		return 0, false
	}
	major := b[i] >> 5
	if major == 7 {
		switch b[i] {
		case 0xf4, 0xf5, 0xf6:
			return i + 1, true
		case 0xfb:
			if len(b)-i < 9 {
				return 0, false
			}
			return i + 9, true
		}
		return 0, false
	}
	n, j, ok := cborCanonHead(b, i)
	if !ok {
		return 0, false
	}
	switch major {
	case 0:
		return j, true
	case 1:
		return j, n <= math.MaxInt64
	case 2, 3:
		if n > uint64(len(b)-j) {
			return 0, false
		}
		end := j + int(n)
		if major == 3 && !utf8.Valid(b[j:end]) {
			return 0, false
		}
		return end, true
	case 4:
		if n > uint64(len(b)-j) || canonTooDeep(depth) {
			return 0, false
		}
		for range n {
			if j, ok = c.cbor(j, depth+1); !ok {
				return 0, false
			}
		}
		return j, true
	case 5:
		if n > uint64(len(b)-j)/2 || canonTooDeep(depth) {
			return 0, false
		}
		base := len(c.keys)
		for range n {
			if j >= len(b) || b[j]>>5 != 3 {
				return 0, false
			}
			end, ok := c.cbor(j, depth+1)
			if !ok {
				return 0, false
			}
			c.pushKey(b[j:end])
			if j, ok = c.cbor(end, depth+1); !ok {
				return 0, false
			}
		}
		if c.popKeys(base) {
			return 0, false
		}
		return j, true
	}
	return 0, false // tags
}
