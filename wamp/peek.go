package wamp

import (
	"encoding/binary"
)

// Header is the start of a message: its type and up to two integers after
// it (the request ID, and for ERROR the request type before it).
type Header struct {
	Type MessageType
	// Request is the request ID the message concerns: for ERROR the
	// REQUEST.Request, for RESULT, INVOCATION and the others their first
	// field.
	Request ID
	// RequestType is ERROR's REQUEST.Type; 0 for other messages.
	RequestType MessageType
}

// PeekHeader reads the header of a message whose full decoding failed, so
// that a session can answer just the request it concerns (for example an
// INVOCATION whose arguments it cannot read) instead of ending. It reads at
// most the list header and three integers, with no recursion, and reports
// false when those are not there or not what they should be.
func (s *Serializer) PeekHeader(data []byte) (Header, bool) {
	var r headerReader
	switch s {
	case JSON:
		r = &jsonHeader{b: data}
	case MsgPack:
		r = &msgpackHeader{b: data}
	case CBOR:
		r = &cborHeader{b: data}
	default:
		return Header{}, false
	}
	n, ok := r.list()
	if !ok || n < 2 {
		return Header{}, false
	}
	t, ok := r.uint()
	if !ok || t > 255 || !MessageType(t).Known() {
		return Header{}, false
	}
	h := Header{Type: MessageType(t)}
	if h.Type == TypeError {
		if n < 3 {
			return Header{}, false
		}
		rt, ok := r.uint()
		if !ok || rt > 255 || !MessageType(rt).Known() {
			return Header{}, false
		}
		h.RequestType = MessageType(rt)
	}
	id, ok := r.uint()
	if !ok || id < 1 || id > uint64(MaxID) {
		return Header{}, false
	}
	h.Request = ID(id)
	return h, true
}

type headerReader interface {
	list() (int, bool) // the list header: the element count (JSON: -1, unknown)
	uint() (uint64, bool)
}

type jsonHeader struct {
	b     []byte
	i     int
	first bool
}

func (j *jsonHeader) space() {
	for j.i < len(j.b) && (j.b[j.i] == ' ' || j.b[j.i] == '\t' || j.b[j.i] == '\n' || j.b[j.i] == '\r') {
		j.i++
	}
}

func (j *jsonHeader) list() (int, bool) {
	j.space()
	if j.i >= len(j.b) || j.b[j.i] != '[' {
		return 0, false
	}
	j.i++
	j.first = true
	return 1 << 30, true // counted as it is read
}

func (j *jsonHeader) uint() (uint64, bool) {
	j.space()
	if !j.first {
		if j.i >= len(j.b) || j.b[j.i] != ',' {
			return 0, false
		}
		j.i++
		j.space()
	}
	j.first = false
	start := j.i
	var v uint64
	for j.i < len(j.b) && j.b[j.i] >= '0' && j.b[j.i] <= '9' && j.i-start < 17 {
		v = v*10 + uint64(j.b[j.i]-'0')
		j.i++
	}
	// The number must end at a delimiter: the end of the data may have cut
	// it short, and a fraction, exponent or 18th digit is not an ID.
	if j.i == start || j.i >= len(j.b) {
		return 0, false
	}
	switch j.b[j.i] {
	case ',', ']', ' ', '\t', '\n', '\r':
		return v, true
	}
	return 0, false
}

type msgpackHeader struct {
	b []byte
	i int
}

func (m *msgpackHeader) take(n int) ([]byte, bool) {
	if m.i+n > len(m.b) {
		return nil, false
	}
	p := m.b[m.i : m.i+n]
	m.i += n
	return p, true
}

func (m *msgpackHeader) list() (int, bool) {
	c, ok := m.take(1)
	if !ok {
		return 0, false
	}
	switch {
	case c[0] >= 0x90 && c[0] <= 0x9f:
		return int(c[0] & 0x0f), true
	case c[0] == 0xdc:
		p, ok := m.take(2)
		if !ok {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(p)), true
	case c[0] == 0xdd:
		p, ok := m.take(4)
		if !ok {
			return 0, false
		}
		return int(min(binary.BigEndian.Uint32(p), 1<<30)), true
	}
	return 0, false
}

func (m *msgpackHeader) uint() (uint64, bool) {
	c, ok := m.take(1)
	if !ok {
		return 0, false
	}
	switch {
	case c[0] <= 0x7f:
		return uint64(c[0]), true
	case c[0] == 0xcc || c[0] == 0xd0:
		p, ok := m.take(1)
		if !ok || c[0] == 0xd0 && int8(p[0]) < 0 {
			return 0, false
		}
		return uint64(p[0]), true
	case c[0] == 0xcd || c[0] == 0xd1:
		p, ok := m.take(2)
		if !ok || c[0] == 0xd1 && int16(binary.BigEndian.Uint16(p)) < 0 {
			return 0, false
		}
		return uint64(binary.BigEndian.Uint16(p)), true
	case c[0] == 0xce || c[0] == 0xd2:
		p, ok := m.take(4)
		if !ok || c[0] == 0xd2 && int32(binary.BigEndian.Uint32(p)) < 0 {
			return 0, false
		}
		return uint64(binary.BigEndian.Uint32(p)), true
	case c[0] == 0xcf || c[0] == 0xd3:
		p, ok := m.take(8)
		if !ok || c[0] == 0xd3 && int64(binary.BigEndian.Uint64(p)) < 0 {
			return 0, false
		}
		return binary.BigEndian.Uint64(p), true
	}
	return 0, false
}

type cborHeader struct {
	b []byte
	i int
}

// arg reads the argument of an initial byte of the given major type.
func (c *cborHeader) arg(major byte) (uint64, bool) {
	if c.i >= len(c.b) || c.b[c.i]>>5 != major {
		return 0, false
	}
	info := c.b[c.i] & 0x1f
	c.i++
	if info < 24 {
		return uint64(info), true
	}
	n := map[byte]int{24: 1, 25: 2, 26: 4, 27: 8}[info]
	if n == 0 || c.i+n > len(c.b) {
		return 0, false
	}
	var v uint64
	for _, x := range c.b[c.i : c.i+n] {
		v = v<<8 | uint64(x)
	}
	c.i += n
	return v, true
}

func (c *cborHeader) list() (int, bool) {
	n, ok := c.arg(4)
	return int(min(n, 1<<30)), ok
}

func (c *cborHeader) uint() (uint64, bool) { return c.arg(0) }
