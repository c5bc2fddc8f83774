package wire

import "fmt"

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
		if i >= len(b) {
			return ErrTruncated
		}
		c := b[i]
		i++
		var items uint64 // a container's items (two per map entry)
		var data uint64  // bytes after the head that are data
		container := false
		switch {
		case c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3:
			// integers, nil and booleans in one byte
		case c <= 0x8f: // fixmap
			container, items = true, 2*uint64(c&0x0f)
		case c <= 0x9f: // fixarray
			container, items = true, uint64(c&0x0f)
		case c <= 0xbf: // fixstr
			data = uint64(c & 0x1f)
		case c == 0xc1:
			return fmt.Errorf("reserved byte 0xc1 at offset %d", i-1)
		case c >= 0xca && c <= 0xd3: // floats and integers with fixed widths
			data = [...]uint64{4, 8, 1, 2, 4, 8, 1, 2, 4, 8}[c-0xca]
		case c >= 0xd4 && c <= 0xd8: // fixext: the type byte and the data
			data = 1 + 1<<(c-0xd4)
		default: // a length or count follows: bin, ext, str, array, map
			var w int // bytes of the length or count
			switch c {
			case 0xc4, 0xc7, 0xd9:
				w = 1
			case 0xc5, 0xc8, 0xda, 0xdc, 0xde:
				w = 2
			default: // 0xc6, 0xc9, 0xdb, 0xdd, 0xdf
				w = 4
			}
			if len(b)-i < w {
				return ErrTruncated
			}
			var n uint64
			for _, x := range b[i : i+w] {
				n = n<<8 | uint64(x)
			}
			i += w
			switch c {
			case 0xdc, 0xdd:
				container, items = true, n
			case 0xde, 0xdf:
				container, items = true, 2*n // n < 2^32: no overflow
			case 0xc7, 0xc8, 0xc9:
				data = 1 + n // the type byte, then the data
			default:
				data = n
			}
		}
		if data > uint64(len(b)-i) {
			return ErrTruncated
		}
		i += int(data)
		if container {
			if depth == MaxDepth {
				return ErrTooDeep
			}
			if items > uint64(len(b)-i) { // every item takes a byte
				return ErrTruncated
			}
			if items > 0 {
				left[depth] = items
				depth++
				continue
			}
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
