package wire

import (
	"bytes"
	"fmt"
)

// What the scanners of the three formats share: where a list's elements
// lie, what must follow a complete value, and the open containers of the
// binary scanners.

func errTrailing(n int) error { return fmt.Errorf("%d bytes after the message", n) }

// wholeInput is what a scanner returns for a value that ends at offset end
// (or has failed with err): b must hold nothing after it.
func wholeInput(b []byte, end int, err error) error {
	if err == nil && end != len(b) {
		return errTrailing(len(b) - end)
	}
	return err
}

// MaxMessageLen is the most elements a WAMP message has (ERROR's seven),
// and so the most a ListBounds holds.
const MaxMessageLen = 7

// ListBounds is where the elements of a list lie in its encoding.
// WellFormedList records it as it checks the list, so that a decoder takes
// a message's elements from it instead of splitting the message with
// AppendElems, which would walk it, payloads included, a second time.
// (Recording inside the scanners' loops, on every item, made them slower,
// also for every other caller.)
//
// It counts all the elements but holds where only the first MaxMessageLen
// lie: a longer list is no message, and a decoder needs only its length to
// say so.
type ListBounds struct {
	N     int // elements in the list
	elems [MaxMessageLen]struct{ start, end int }
}

// add records that the next element lies at b[start:end].
func (lb *ListBounds) add(start, end int) {
	if lb.N < len(lb.elems) {
		lb.elems[lb.N].start, lb.elems[lb.N].end = start, end
	}
	lb.N++
}

// AppendElems appends the elements lb holds to dst, as sub-slices of b, the
// list checked: what Format.AppendElems appends, for a list of at most
// MaxMessageLen elements.
func (lb *ListBounds) AppendElems(dst [][]byte, b []byte) [][]byte {
	for _, e := range lb.elems[:min(lb.N, len(lb.elems))] {
		dst = append(dst, b[e.start:e.end])
	}
	return dst
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

// canonTooDeep reports whether a list or dict opened inside a message
// element, under depth others, would nest deeper than MaxDepth, the message
// counting as a level. The canonical checkers recurse once per level, so
// this also bounds their stack.
func canonTooDeep(depth int) bool { return depth+1 > MaxDepth-1 }

// elems splits the n elements of a MessagePack or CBOR list that start at
// i.
func (c *canon) elems(i, n int, el *[MaxMessageLen][]byte) (int, bool) {
	if n > len(el) {
		return 0, false
	}
	for k := range n {
		var end int
		var ok bool
		if c.f == MsgPack {
			end, ok = c.msgpack(i, 0)
		} else {
			end, ok = c.cbor(i, 0)
		}
		if !ok {
			return 0, false
		}
		el[k] = c.b[i:end]
		i = end
	}
	return n, i == len(c.b)
}

// canon checks that a value is in the form the codec writes it, so that
// decoding and encoding it again gives the same bytes. Each method takes the
// offset of a value and returns the offset after it.
type canon struct {
	f    Format
	b    []byte
	keys [][]byte // the keys of the maps being checked, innermost last
}

// pushKey records a key of the map whose keys start at keys[base].
func (c *canon) pushKey(k []byte) { c.keys = append(c.keys, k) }

// popKeys ends the map whose keys start at base and reports whether it had
// a duplicate key.
func (c *canon) popKeys(base int) bool {
	dup := dupKey(c.keys[base:])
	c.keys = c.keys[:base]
	return dup
}

// dupKey reports whether keys (raw encodings) holds a duplicate.
func dupKey(keys [][]byte) bool {
	if len(keys) <= 16 {
		for i := 1; i < len(keys); i++ {
			for j := range i {
				if bytes.Equal(keys[i], keys[j]) {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		if _, ok := seen[string(k)]; ok {
			return true
		}
		seen[string(k)] = struct{}{}
	}
	return false
}
