package wire

import "errors"

// ErrNotDict is returned for a value that should be a dictionary and is
// not.
var ErrNotDict = errors.New("not a dictionary")

// errKey is returned by AppendEntries for a key that is not a string.
var errKey = errors.New("dictionary key is not a string")

// AppendEntries appends the entries of the encoded dictionary raw to dst,
// each as two sub-slices of raw, its key and then its value: exactly the
// bytes of each (JSON without the whitespace around them), in the order
// of raw, duplicate keys included. A key that is not a string is an error.
// Nesting is bounded as in AppendElems, the dictionary counting as the
// first level.
func (f Format) AppendEntries(dst [][]byte, raw []byte) ([][]byte, error) {
	switch f {
	case MsgPack:
		return msgpackAppendEntries(dst, raw)
	case CBOR:
		return cborAppendEntries(dst, raw)
	}
	return jsonAppendEntries(dst, raw)
}

func msgpackAppendEntries(dst [][]byte, raw []byte) ([][]byte, error) {
	h, i, err := msgpackHead(raw, 0)
	if err != nil {
		return dst, err
	}
	if h.kind != KindDict {
		return dst, ErrNotDict
	}
	if h.n > uint64(len(raw)-i)/2 { // every item takes at least one byte
		return dst, ErrTruncated
	}
	var stack [MaxDepth - 1]container // the dictionary is the first level
	for n := range 2 * h.n {
		if n%2 == 0 && msgpackKind(raw[i:]) != KindString {
			return dst, errKey
		}
		j, err := msgpackValue(raw, i, stack[:])
		if err != nil {
			return dst, err
		}
		dst = append(dst, raw[i:j])
		i = j
	}
	return dst, nil
}

func cborAppendEntries(dst [][]byte, raw []byte) ([][]byte, error) {
	if len(raw) == 0 || raw[0]>>5 != 5 {
		return dst, ErrNotDict
	}
	indef := raw[0] == 0xbf // entries until a break
	i, items := 1, uint64(0)
	if !indef {
		n, next, err := CBORHead(raw, 0)
		if err != nil {
			return dst, err
		}
		if n > uint64(len(raw)-next)/2 { // every item takes at least one byte
			return dst, ErrTruncated
		}
		i, items = next, 2*n
	}
	var stack [MaxDepth - 1]container // the dictionary is the first level
	for n := uint64(0); indef || n < items; n++ {
		if i >= len(raw) {
			return dst, ErrTruncated
		}
		if indef && raw[i] == 0xff {
			if n%2 == 1 {
				return dst, ErrTruncated // a key without its value
			}
			return dst, nil
		}
		if n%2 == 0 && raw[i]>>5 != 3 {
			return dst, errKey
		}
		j, err := cborValue(raw, i, stack[:])
		if err != nil {
			return dst, err
		}
		dst = append(dst, raw[i:j])
		i = j
	}
	return dst, nil
}

func jsonAppendEntries(dst [][]byte, raw []byte) ([][]byte, error) {
	i := jsonSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return dst, ErrNotDict
	}
	i = jsonSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return dst, nil
	}
	var stack [MaxDepth - 1]byte // the dictionary is the first level
	for {
		if i == len(raw) || raw[i] != '"' {
			return dst, errKey
		}
		j, err := jsonValue(raw, i, stack[:])
		if err != nil {
			return dst, err
		}
		dst = append(dst, raw[i:j])
		if i = jsonSpace(raw, j); i == len(raw) || raw[i] != ':' {
			return dst, jsonSyntaxError(raw, i)
		}
		i = jsonSpace(raw, i+1)
		if j, err = jsonValue(raw, i, stack[:]); err != nil {
			return dst, err
		}
		dst = append(dst, raw[i:j])
		if i = jsonSpace(raw, j); i == len(raw) {
			return dst, ErrTruncated
		}
		switch raw[i] {
		case ',':
			i = jsonSpace(raw, i+1)
		case '}':
			return dst, nil
		default:
			return dst, jsonSyntaxError(raw, i)
		}
	}
}
