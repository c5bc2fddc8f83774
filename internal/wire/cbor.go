package wire

import "fmt"

// CBORDepth checks that the CBOR data item at the start of b nests at most
// MaxDepth levels: arrays, maps and tags each count as one. It walks the
// item in a loop; bytes after it are not looked at. It returns ErrTooDeep,
// or an error for an item it cannot walk (a reserved head, a misplaced
// break, a length beyond the input), which the decoder would refuse too.
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
				if arg, i, err = cborHead(b, i); err != nil {
					return err
				}
			}
			indefinite := info == 31
			switch major {
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
					n, j, err := cborHead(b, i)
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

// cborHead reads the head of the CBOR item at i: its argument and the
// offset after the head. The argument of an indefinite length (arrays,
// maps and strings) is 0.
func cborHead(b []byte, i int) (uint64, int, error) {
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
		var n uint64
		for _, x := range b[i : i+w] {
			n = n<<8 | uint64(x)
		}
		return n, i + w, nil
	case info == 31 && major >= 2 && major <= 5:
		return 0, i, nil
	}
	return 0, 0, fmt.Errorf("invalid CBOR head 0x%02x at offset %d", c, i-1)
}
