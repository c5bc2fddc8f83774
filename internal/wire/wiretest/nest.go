// Package wiretest builds nested values in each wire format, for the tests
// of the nesting rule in internal/wire, wamp/ and router/.
package wiretest

import (
	"bytes"
	"strings"
)

// A Shape is a way of nesting: Nest(depth) returns a value of exactly that
// depth (as internal/wire defines it), which is depth containers around
// the integer 1.
type Shape struct {
	Name   string
	Format string // "json", "msgpack" or "cbor"
	Nest   func(depth int) []byte
	// OtherTags tells that the shape holds CBOR tags other than the
	// timestamps (tags 0 and 1): the router decodes them, the wamp package
	// refuses them at any depth.
	OtherTags bool
}

// Shapes lists the ways of nesting a value in each format.
var Shapes = []Shape{
	{Name: "json-lists", Format: "json", Nest: func(d int) []byte {
		return []byte(strings.Repeat("[", d) + "1" + strings.Repeat("]", d))
	}},
	{Name: "json-dicts", Format: "json", Nest: func(d int) []byte {
		return []byte(strings.Repeat(`{"k":`, d) + "1" + strings.Repeat("}", d))
	}},
	{Name: "json-mixed", Format: "json", Nest: func(d int) []byte {
		var open, end strings.Builder
		for i := range d {
			if i%2 == 0 {
				open.WriteString(`[0,`)
				end.WriteString("]")
			} else {
				open.WriteString(`{"a":null,"k":`)
				end.WriteString("}")
			}
		}
		return []byte(open.String() + "1" + reverse(end.String()))
	}},
	{Name: "msgpack-lists", Format: "msgpack", Nest: func(d int) []byte { return around(0x91, d, 0x01) }},
	{Name: "msgpack-dicts", Format: "msgpack", Nest: func(d int) []byte { return aroundN([]byte{0x81, 0xa1, 'k'}, d, 0x01) }},
	{Name: "msgpack-array16", Format: "msgpack", Nest: func(d int) []byte { return aroundN([]byte{0xdc, 0x00, 0x01}, d, 0x01) }},
	{Name: "cbor-lists", Format: "cbor", Nest: func(d int) []byte { return around(0x81, d, 0x01) }},
	{Name: "cbor-dicts", Format: "cbor", Nest: func(d int) []byte { return aroundN([]byte{0xa1, 0x61, 'k'}, d, 0x01) }},
	{Name: "cbor-indefinite-lists", Format: "cbor", Nest: func(d int) []byte {
		return append(append(bytes.Repeat([]byte{0x9f}, d), 0x01), bytes.Repeat([]byte{0xff}, d)...)
	}},
	// Lists around one epoch timestamp (tag 1 around a number): the tag is
	// the innermost level, the one form of tag the wamp package allows.
	{Name: "cbor-lists-around-timestamp", Format: "cbor", Nest: func(d int) []byte {
		if d == 0 {
			return []byte{0x01}
		}
		return append(bytes.Repeat([]byte{0x81}, d-1), 0xc1, 0x01)
	}},
	// Tags alone: tag 6 (unassigned) around tag 6 around ... the integer 1,
	// the shape of issue 11's crash.
	{Name: "cbor-tags", Format: "cbor", OtherTags: true, Nest: func(d int) []byte { return around(0xc6, d, 0x01) }},
	// Lists and tags taking turns.
	{Name: "cbor-lists-and-tags", Format: "cbor", OtherTags: true, Nest: func(d int) []byte {
		b := make([]byte, 0, d+1)
		for i := range d {
			b = append(b, [2]byte{0x81, 0xc6}[i%2])
		}
		return append(b, 0x01)
	}},
}

// Message returns a WAMP message in format that is exactly depth levels
// deep (depth >= 2): a PUBLISH [16, 1, {}, "com.x", [nest(depth-2)]], whose
// Arguments list holds one value made by a shape's Nest.
func Message(format string, nest func(int) []byte, depth int) []byte {
	v := nest(depth - 2)
	switch format {
	case "json":
		return []byte(`[16,1,{},"com.x",[` + string(v) + `]]`)
	case "msgpack":
		return append([]byte{0x95, 0x10, 0x01, 0x80, 0xa5, 'c', 'o', 'm', '.', 'x', 0x91}, v...)
	}
	return append([]byte{0x85, 0x10, 0x01, 0xa0, 0x65, 'c', 'o', 'm', '.', 'x', 0x81}, v...)
}

func around(head byte, d int, inner byte) []byte {
	return append(bytes.Repeat([]byte{head}, d), inner)
}

func aroundN(head []byte, d int, inner byte) []byte {
	return append(bytes.Repeat(head, d), inner)
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
