package wamp

import "github.com/wampgen/wampgen/internal/wire"

// Header is the start of a message: its type and up to two integers after
// it (the request ID, and for ERROR the request type before it), where the
// message layout has them.
type Header struct {
	Type MessageType
	// Request is the request ID the message concerns: for ERROR the
	// REQUEST.Request, for RESULT, INVOCATION and the others their first
	// element when it is an ID (EVENT's Subscription, WELCOME's Session).
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
	var buf [3][]byte
	elems, err := s.appendFirstElems(buf[:0], data, 3)
	if err != nil || len(elems) < 2 {
		return Header{}, false
	}
	// uintOf reads only what its format calls an unsigned integer: a JSON
	// 1.5 or -1, a MsgPack signed or float, a CBOR negative all fail.
	num := func(i int) (uint64, bool) {
		if i >= len(elems) || s.kind(elems[i]) != KindUint {
			return 0, false
		}
		return s.uintOf(elems[i])
	}
	t, ok := num(0)
	if !ok || t > 255 || !MessageType(t).Known() {
		return Header{}, false
	}
	h := Header{Type: MessageType(t)}
	// The request ID is the message's first ID, where its layout
	// (internal/wire, layout.go) has it: right after the type code, or
	// after ERROR's REQUEST.Type.
	fields := wire.LayoutOf(t).Fields
	at := 1
	if len(fields) > 0 && fields[0].Elem == wire.ElemType {
		rt, ok := num(at)
		if !ok || rt > 255 || !MessageType(rt).Known() {
			return Header{}, false
		}
		h.RequestType = MessageType(rt)
		at++
	}
	if at > len(fields) || fields[at-1].Elem != wire.ElemID && fields[at-1].Elem != wire.ElemIDOrZero {
		return Header{}, false
	}
	id, ok := num(at)
	if !ok || id < 1 || id > uint64(MaxID) {
		return Header{}, false
	}
	h.Request = ID(id)
	return h, true
}
