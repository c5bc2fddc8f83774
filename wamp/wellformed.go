package wamp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/wampgen/wampgen/internal/wire"
)

// The decoders of github.com/ugorji/go/codec skip over a value they do not
// decode (a payload kept as codec.Raw) without checking it: the JSON one only
// counts brackets, the MsgPack and CBOR ones recurse once per nesting level
// without the MaxDepth bound, so that a deeply nested payload of a few
// megabytes overflows the goroutine stack, which no recover can catch. Decode
// therefore checks every message with the scanners below first: one
// complete, syntactically valid value; nesting at most wire.MaxDepth levels,
// by the module's one nesting rule (see internal/wire: lists, dictionaries
// and CBOR tags each count as a level), applied in this walk rather than by
// wire's checkers so that a message is walked once; every length within
// the input. They loop instead of recursing and allocate nothing. They also hold the input to WAMP's data model, which
// the codec does not: strings must be UTF-8 (the JSON encoder would replace
// invalid bytes, so a relayed message would change); dictionary keys must be
// strings (the codec turns a list [1] into the key "\x01"); and of the
// MsgPack extensions and CBOR tags only timestamps are allowed, which the
// codec writes for time.Time (it cannot carry other ones from one format to
// another: it writes a MsgPack extension's bytes into JSON as they are).
//
// Each format has a scanner for one value (jsonValue, msgpackValue,
// cborValue): it returns where the value ends, and takes the room for the
// containers it may open, which bounds the nesting. The WellFormed
// functions check a whole input with it; the WellFormedList ones, for
// Decode, check a list element by element with it, recording where each
// element lies (listBounds). The list counts as a level of nesting, so its
// elements get one level less than a whole value.

var (
	errTruncated = errors.New("unexpected end of input")
	errTooDeep   = wire.ErrTooDeep
)

func errTrailing(n int) error { return fmt.Errorf("%d bytes after the message", n) }

// wholeInput is what a scanner returns for a value that ends at offset end
// (or has failed with err): b must hold nothing after it.
func wholeInput(b []byte, end int, err error) error {
	if err == nil && end != len(b) {
		return errTrailing(len(b) - end)
	}
	return err
}

// maxMessageLen is the most elements a WAMP message has (ERROR's seven; see
// messageArity), and so the most a listBounds holds.
const maxMessageLen = 7

// listBounds is where the elements of a list lie in its encoding. The
// WellFormedList functions record it as they check the list, so that Decode
// takes a message's elements from it instead of splitting the message with
// appendElems, which would walk it, payloads included, a second time.
// (Recording inside the scanners' loops, on every item, made them slower,
// also for every other caller.)
//
// It counts all the elements but holds where only the first maxMessageLen
// lie: a longer list is no message, and Decode needs only its length to say
// so.
type listBounds struct {
	n     int // elements in the list
	elems [maxMessageLen]struct{ start, end int }
}

// add records that the next element lies at b[start:end].
func (lb *listBounds) add(start, end int) {
	if lb.n < len(lb.elems) {
		lb.elems[lb.n].start, lb.elems[lb.n].end = start, end
	}
	lb.n++
}

// appendElems appends the elements lb holds to dst, as sub-slices of b, the
// list checked: what Serializer.appendElems appends, for a list of at most
// maxMessageLen elements.
func (lb *listBounds) appendElems(dst [][]byte, b []byte) [][]byte {
	for _, e := range lb.elems[:min(lb.n, len(lb.elems))] {
		dst = append(dst, b[e.start:e.end])
	}
	return dst
}

// jsonWellFormed checks that b holds exactly one JSON value (RFC 8259),
// optionally surrounded by whitespace, nested at most wire.MaxDepth levels.
func jsonWellFormed(b []byte) error {
	var stack [wire.MaxDepth]byte
	end, err := jsonValue(b, 0, stack[:])
	return wholeInput(b, jsonSpace(b, end), err)
}

// jsonWellFormedList is jsonWellFormed for a list, which it checks element
// by element, recording in lb where they lie.
func jsonWellFormedList(b []byte, lb *listBounds) error {
	i := jsonSpace(b, 0)
	if i == len(b) || b[i] != '[' {
		return errNotList
	}
	i = jsonSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return wholeInput(b, jsonSpace(b, i+1), nil)
	}
	var stack [wire.MaxDepth - 1]byte // the list is the first level
	for {
		end, err := jsonValue(b, i, stack[:])
		if err != nil {
			return err
		}
		lb.add(i, end)
		switch i = jsonSpace(b, end); {
		case i < len(b) && b[i] == ',':
			i = jsonSpace(b, i+1)
		case i < len(b) && b[i] == ']':
			return wholeInput(b, jsonSpace(b, i+1), nil)
		default:
			return jsonSyntaxError(b, i) // errTruncated at the end of b
		}
	}
}

// jsonValue checks the JSON value at offset i, after optional whitespace,
// and returns the offset right after it. stack is its room for the '[' or
// '{' of each open container: the value may nest len(stack) levels.
func jsonValue(b []byte, i int, stack []byte) (int, error) {
	depth := 0
	var err error
	for {
		// A value starts at i.
		i = jsonSpace(b, i)
		if i == len(b) {
			return 0, errTruncated
		}
		switch c := b[i]; c {
		case '[', '{':
			if depth == len(stack) {
				return 0, errTooDeep
			}
			i = jsonSpace(b, i+1)
			if i < len(b) && (c == '[' && b[i] == ']' || c == '{' && b[i] == '}') {
				i++
				break // an empty container is a complete value
			}
			stack[depth] = c
			depth++
			if c == '{' {
				if i, err = jsonKey(b, i); err != nil {
					return 0, err
				}
			}
			continue
		case '"':
			i, err = jsonString(b, i)
		case 't':
			i, err = jsonLiteral(b, i, "true")
		case 'f':
			i, err = jsonLiteral(b, i, "false")
		case 'n':
			i, err = jsonLiteral(b, i, "null")
		default:
			i, err = jsonNumber(b, i)
		}
		if err != nil {
			return 0, err
		}
		// A value ended before i: close containers or go on to the next element.
		for {
			if depth == 0 {
				return i, nil
			}
			i = jsonSpace(b, i)
			if i == len(b) {
				return 0, errTruncated
			}
			top, c := stack[depth-1], b[i]
			if c == ',' {
				i++
				if top == '{' {
					if i, err = jsonKey(b, i); err != nil {
						return 0, err
					}
				}
				break
			}
			if top == '[' && c == ']' || top == '{' && c == '}' {
				depth--
				i++
				continue
			}
			return 0, jsonSyntaxError(b, i)
		}
	}
}

func jsonSyntaxError(b []byte, i int) error {
	if i >= len(b) {
		return errTruncated
	}
	return fmt.Errorf("invalid character %q at offset %d", b[i], i)
}

func jsonSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonKey reads `"key" :` at i and returns the offset after the colon.
func jsonKey(b []byte, i int) (int, error) {
	i = jsonSpace(b, i)
	if i == len(b) || b[i] != '"' {
		return i, jsonSyntaxError(b, i)
	}
	i, err := jsonString(b, i)
	if err != nil {
		return i, err
	}
	i = jsonSpace(b, i)
	if i == len(b) || b[i] != ':' {
		return i, jsonSyntaxError(b, i)
	}
	return i + 1, nil
}

// jsonString reads the string that starts with the quote at i.
func jsonString(b []byte, i int) (int, error) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, nil
		case c < 0x20:
			return i, jsonSyntaxError(b, i)
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				return i, fmt.Errorf("invalid UTF-8 at offset %d", i)
			}
			i += n - 1
		case c == '\\':
			i++
			if i == len(b) {
				return i, errTruncated
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i < 5 {
					return i, errTruncated
				}
				for _, h := range b[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return i, fmt.Errorf("invalid \\u escape at offset %d", i-1)
					}
				}
				i += 4
			default:
				return i, fmt.Errorf("invalid escape %q at offset %d", b[i], i-1)
			}
		}
	}
	return i, errTruncated
}

func jsonLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) {
		return i, errTruncated
	}
	if string(b[i:i+len(lit)]) != lit {
		return i, jsonSyntaxError(b, i)
	}
	return i + len(lit), nil
}

// jsonNumber reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at i.
func jsonNumber(b []byte, i int) (int, error) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return i, numberError(b, start, i)
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return i, numberError(b, start, i)
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return i, numberError(b, start, i)
		}
	}
	return i, nil
}

func numberError(b []byte, start, i int) error {
	if i == len(b) {
		return errTruncated
	}
	if i == start {
		return jsonSyntaxError(b, i)
	}
	return fmt.Errorf("invalid number at offset %d", start)
}

// container is an open list, dictionary or (CBOR) tag of a binary scanner.
type container struct {
	left   uint64 // items still to come; for a dictionary two per entry
	dict   bool
	indef  bool // CBOR indefinite length: ends with a break byte
	isKey  bool // for an indefinite dictionary: the next item is a key
	tagged bool // a CBOR tag: exactly one item follows
	tag    uint64
}

// nextIsKey reports whether the next item inside c is a dictionary key.
func (c *container) nextIsKey() bool {
	if !c.dict {
		return false
	}
	if c.indef {
		return c.isKey
	}
	return c.left%2 == 0
}

// done counts one complete item in c and reports whether c is complete.
func (c *container) done() bool {
	if c.indef {
		c.isKey = !c.isKey
		return false
	}
	c.left--
	return c.left == 0
}

// msgpackWellFormed checks that b holds exactly one MsgPack value.
func msgpackWellFormed(b []byte) error {
	var stack [wire.MaxDepth]container
	end, err := msgpackValue(b, 0, stack[:])
	return wholeInput(b, end, err)
}

// msgpackWellFormedList is msgpackWellFormed for a list, which it checks
// element by element, recording in lb where they lie.
func msgpackWellFormedList(b []byte, lb *listBounds) error {
	h, i, err := msgpackHead(b, 0)
	if err != nil {
		return err
	}
	if h.kind != KindList {
		return errNotList
	}
	if h.n > uint64(len(b)-i) { // every element takes at least one byte
		return errTruncated
	}
	var stack [wire.MaxDepth - 1]container // the list is the first level
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
			return 0, errTruncated
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
				return 0, errTooDeep
			}
			items := h.n
			if h.kind == KindDict {
				if items > uint64(len(b)-i)/2 { // every item takes at least one byte
					return 0, errTruncated
				}
				items *= 2
			} else if items > uint64(len(b)-i) {
				return 0, errTruncated
			}
			if items > 0 {
				stack[depth] = container{left: items, dict: h.kind == KindDict}
				depth++
				continue
			}
		default:
			if h.n > uint64(len(b)-i) {
				return 0, errTruncated
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

// cborWellFormed checks that b holds exactly one CBOR data item (RFC 8949)
// of the kinds the codec decodes: no simple values but false, true, null
// and undefined; tags count as a nesting level.
func cborWellFormed(b []byte) error {
	var stack [wire.MaxDepth]container
	end, err := cborValue(b, 0, stack[:])
	return wholeInput(b, end, err)
}

// cborWellFormedList is cborWellFormed for a list, which it checks element
// by element, recording in lb where they lie.
func cborWellFormedList(b []byte, lb *listBounds) error {
	if len(b) == 0 || b[0]>>5 != 4 {
		return errNotList
	}
	var stack [wire.MaxDepth - 1]container // the list is the first level
	i := 1
	switch info := b[0] & 0x1f; {
	case info == 31: // indefinite length: elements until a break
		for {
			if i >= len(b) {
				return errTruncated
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
	n, i, err := cborHead(b, 0)
	if err != nil {
		return err
	}
	if n > uint64(len(b)-i) { // every element takes at least one byte
		return errTruncated
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
			return 0, errTruncated
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
		i++
		var arg uint64
		switch {
		case info < 24:
			arg = uint64(info)
		case info <= 27:
			n := 1 << (info - 24)
			if len(b)-i < n {
				return 0, errTruncated
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
		case 2, 3: // byte and text strings
			if info != 31 {
				if arg > uint64(len(b)-i) {
					return 0, errTruncated
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
					return 0, errTruncated
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
						return 0, errTruncated
					}
					n = beUint(b[i : i+w])
					i += w
				}
				if n > uint64(len(b)-i) {
					return 0, errTruncated
				}
				if major == 3 && !utf8.Valid(b[i:i+int(n)]) {
					return 0, fmt.Errorf("text string chunk at offset %d is not valid UTF-8", i)
				}
				i += int(n)
			}
		case 4, 5, 6: // lists, dictionaries, tags
			if depth == len(stack) {
				return 0, errTooDeep
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
					return 0, errTruncated
				}
				ct.left = 2 * arg
			default:
				if arg > uint64(len(b)-i) {
					return 0, errTruncated
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
