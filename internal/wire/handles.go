package wire

import (
	"errors"
	"fmt"
	"math/big"
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
	// RFC 8746 typed arrays of uint8 (tag 64) are what JavaScript CBOR
	// encoders write for a Uint8Array: bytes. Bignums (tags 2 and 3) must
	// stay exact: the codec would turn them into a float64 by itself. Only
	// the router's full path meets them (Format.WellFormed refuses every
	// tag but the timestamps); UnwrapCBOR turns them into plain values.
	_ = h.SetInterfaceExt(reflect.TypeFor[CBORTypedBytes](), 64, cborTypedBytesExt{})
	_ = h.SetInterfaceExt(reflect.TypeFor[cborBignum](), 2, cborBignumExt{})
	_ = h.SetInterfaceExt(reflect.TypeFor[cborNegBignum](), 3, cborBignumExt{negative: true})
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

// CBORTypedBytes is a CBOR tag 64 (uint8 typed array) while decoding.
type CBORTypedBytes []byte

// cborBignum and cborNegBignum are CBOR bignums (tags 2 and 3) while
// decoding.
type (
	cborBignum    struct{ v *big.Int }
	cborNegBignum struct{ v *big.Int }
)

type cborTypedBytesExt struct{}

func (cborTypedBytesExt) ConvertExt(v any) any { return []byte(v.(CBORTypedBytes)) }

func (cborTypedBytesExt) UpdateExt(dst, src any) {
	b, ok := src.([]byte)
	if !ok {
		// ugorji recovers error panics raised in extensions and returns them.
		panic(fmt.Errorf("CBOR tag 64 holds %T, not a byte string", src))
	}
	*dst.(*CBORTypedBytes) = b
}

type cborBignumExt struct{ negative bool }

func (cborBignumExt) ConvertExt(v any) any { return nil }

func (e cborBignumExt) UpdateExt(dst, src any) {
	b, ok := src.([]byte)
	if !ok {
		panic(fmt.Errorf("CBOR bignum holds %T, not a byte string", src))
	}
	n := new(big.Int).SetBytes(b)
	if e.negative {
		dst.(*cborNegBignum).v = n.Sub(new(big.Int).Neg(n), big.NewInt(1)) // -1 - n
		return
	}
	dst.(*cborBignum).v = n
}

// ErrBignum refuses a CBOR bignum beyond 64 bits: no other format could
// carry it, and rounding it to a float64 would change it silently.
var ErrBignum = errors.New("CBOR bignum does not fit in 64 bits")

// UnwrapCBOR replaces, in place, the CBOR-only values inside the lists and
// maps of v, decoded with the CBOR handle, with plain ones: typed byte
// arrays with []byte, bignums with uint64 or int64. It returns v, or the
// replacement when v itself is one.
func UnwrapCBOR(v any) (any, error) {
	switch t := v.(type) {
	case CBORTypedBytes:
		return []byte(t), nil
	case cborBignum:
		if !t.v.IsUint64() {
			return nil, ErrBignum
		}
		return t.v.Uint64(), nil
	case cborNegBignum:
		if !t.v.IsInt64() {
			return nil, ErrBignum
		}
		return t.v.Int64(), nil
	case []any:
		for i, e := range t {
			u, err := UnwrapCBOR(e)
			if err != nil {
				return nil, err
			}
			t[i] = u
		}
	case map[string]any:
		for k, e := range t {
			u, err := UnwrapCBOR(e)
			if err != nil {
				return nil, err
			}
			t[k] = u
		}
	}
	return v, nil
}
