package wire

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/ugorji/go/codec"
)

// The one configuration of github.com/ugorji/go/codec for each format. The
// hand-written writers (AppendUint, AppendString, AppendSimple, …) write
// what these handles write, byte for byte, and tests hold them to it.

// Handle returns the codec handle of the format. A handle is shared: it
// must not be changed.
func (f Format) Handle() codec.Handle {
	switch f {
	case MsgPack:
		return msgpackHandle
	case CBOR:
		return cborHandle
	}
	return jsonHandle
}

var (
	jsonHandle    = newJSONHandle()
	msgpackHandle = newMsgpackHandle()
	cborHandle    = newCBORHandle()
)

func baseHandle(b *codec.BasicHandle) {
	b.MapType = reflect.TypeFor[map[string]any]()
	b.SliceType = reflect.TypeFor[[]any]()
	// A second line only: every decoder of client input checks MaxDepth
	// first, counting CBOR tags, which the codec does not count.
	b.MaxDepth = CodecMaxDepth
	b.InterfaceReset = true
	b.ZeroCopy = true
	b.Raw = true // encode codec.Raw as is: a received payload is re-sent without re-encoding
}

func newJSONHandle() *codec.JsonHandle {
	h := &codec.JsonHandle{}
	baseHandle(&h.BasicHandle)
	h.RawBytesExt = nulBase64{} // every []byte, at any depth
	h.HTMLCharsAsIs = true
	h.MapKeyAsString = true // JSON object keys are strings, also for a map[int]T
	return h
}

func newMsgpackHandle() *codec.MsgpackHandle {
	h := &codec.MsgpackHandle{}
	baseHandle(&h.BasicHandle)
	h.WriteExt = true // str8 and the bin family: strings and bytes stay apart
	return h
}

func newCBORHandle() *codec.CborHandle {
	h := &codec.CborHandle{}
	baseHandle(&h.BasicHandle)
	return h
}

// nulBase64 is the WAMP JSON convention for binary data (binary.go) as a
// codec extension.
type nulBase64 struct{}

func (nulBase64) ConvertExt(v any) any {
	b, _ := v.([]byte)
	return EncodeBinaryString(b)
}

func (nulBase64) UpdateExt(dst, src any) {
	s, ok := src.(string)
	if !ok {
		// ugorji recovers error panics raised inside extensions and
		// returns them from Decode; nothing escapes the decoder.
		panic(fmt.Errorf("binary value: expected a string, got %T", src))
	}
	b, ok := DecodeBinaryString(s)
	if !ok {
		panic(errors.New(`binary value: expected "\u0000" followed by base64`))
	}
	*dst.(*[]byte) = b
}
