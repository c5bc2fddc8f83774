package wamp

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire"
)

// ErrMalformed is wrapped by every error a Serializer returns for input that
// is not a well-formed WAMP message, so that a session can answer it with
// wamp.error.protocol_violation.
var ErrMalformed = errors.New("malformed WAMP message")

// Serializer encodes and decodes WAMP messages in one format. The three
// formats WAMP defines are the package variables JSON, MsgPack and CBOR; they
// are safe for concurrent use.
type Serializer struct {
	name        string
	format      wireFormat
	subprotocol string
	rawSocketID byte
	binary      bool
	kind        func([]byte) Kind
	wellFormed  func([]byte) error
	null        []byte // the encoding of null
	decoders    sync.Pool
	encoders    sync.Pool
	envelopes   sync.Pool
}

// The serializers WAMP defines.
var (
	JSON    = newSerializer("json", formatJSON, 1, false, newJSONHandle(), jsonKind, jsonWellFormed)
	MsgPack = newSerializer("msgpack", formatMsgPack, 2, true, newMsgpackHandle(), msgpackKind, msgpackWellFormed)
	CBOR    = newSerializer("cbor", formatCBOR, 3, true, newCBORHandle(), cborKind, cborWellFormed)
)

// Serializers lists JSON, MsgPack and CBOR.
func Serializers() []*Serializer { return []*Serializer{JSON, MsgPack, CBOR} }

// SerializerByName returns the serializer named "json", "msgpack" or "cbor".
func SerializerByName(name string) (*Serializer, error) {
	for _, s := range Serializers() {
		if s.name == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("wamp: unknown serializer %q (known: json, msgpack, cbor)", name)
}

// SerializerBySubprotocol returns the serializer of a WebSocket subprotocol
// such as "wamp.2.json", or nil.
func SerializerBySubprotocol(p string) *Serializer {
	for _, s := range Serializers() {
		if s.subprotocol == p {
			return s
		}
	}
	return nil
}

// SerializerByRawSocketID returns the serializer of a RawSocket handshake
// serializer code (1 JSON, 2 MsgPack, 3 CBOR), or nil.
func SerializerByRawSocketID(id byte) *Serializer {
	for _, s := range Serializers() {
		if s.rawSocketID == id {
			return s
		}
	}
	return nil
}

func newSerializer(name string, format wireFormat, id byte, binary bool, h codec.Handle, kind func([]byte) Kind, wellFormed func([]byte) error) *Serializer {
	s := &Serializer{name: name, format: format, subprotocol: "wamp.2." + name, rawSocketID: id, binary: binary, kind: kind, wellFormed: wellFormed}
	s.decoders.New = func() any { return codec.NewDecoderBytes(nil, h) }
	s.encoders.New = func() any { return &encBuf{enc: codec.NewEncoderBytes(nil, h)} }
	s.envelopes.New = func() any { return new(envelope) }
	s.null, _ = s.EncodeValue(nil)
	return s
}

func baseHandle(b *codec.BasicHandle) {
	b.MapType = reflect.TypeFor[map[string]any]()
	b.SliceType = reflect.TypeFor[[]any]()
	// A second line only: Decode's scanners refuse more than wire.MaxDepth
	// levels first, counting CBOR tags, which the codec does not count.
	b.MaxDepth = wire.CodecMaxDepth
	b.InterfaceReset = true
	b.ZeroCopy = true
	b.Raw = true // encode codec.Raw as is: a received payload is re-sent without re-encoding
}

func newJSONHandle() codec.Handle {
	h := &codec.JsonHandle{}
	baseHandle(&h.BasicHandle)
	h.RawBytesExt = nulBase64{}
	h.HTMLCharsAsIs = true
	h.MapKeyAsString = true // JSON object keys are strings, also for a map[int]T
	return h
}

func newMsgpackHandle() codec.Handle {
	h := &codec.MsgpackHandle{}
	baseHandle(&h.BasicHandle)
	h.WriteExt = true // str8 and the bin family: strings and bytes stay apart
	return h
}

func newCBORHandle() codec.Handle {
	h := &codec.CborHandle{}
	baseHandle(&h.BasicHandle)
	return h
}

// nulBase64 is the WAMP JSON convention for binary data: a string made of a
// NUL character and the standard base64 encoding of the bytes.
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

// Name returns "json", "msgpack" or "cbor".
func (s *Serializer) Name() string { return s.name }

// Subprotocol returns the WebSocket subprotocol, such as "wamp.2.json".
func (s *Serializer) Subprotocol() string { return s.subprotocol }

// RawSocketID returns the serializer code of the RawSocket handshake.
func (s *Serializer) RawSocketID() byte { return s.rawSocketID }

// Binary reports whether messages travel in binary WebSocket frames.
func (s *Serializer) Binary() bool { return s.binary }

// String returns the name.
func (s *Serializer) String() string { return s.name }

// EncodeValue encodes any Go value in this format.
func (s *Serializer) EncodeValue(v any) ([]byte, error) {
	eb := s.getEncBuf()
	defer s.putEncBuf(eb)
	out, err := s.appendCodec(eb, eb.msg[:0], v, 0)
	eb.msg = out[:0]
	if err != nil {
		return nil, fmt.Errorf("wamp: %s encoding: %w", s.name, err)
	}
	return bytes.Clone(out), nil
}

// wellFormedList is wellFormed for a list that also records in lb where
// its elements lie (see listBounds). It picks the scanner by format: lb,
// passed to a function value such as wellFormed, would escape to the heap.
func (s *Serializer) wellFormedList(b []byte, lb *listBounds) error {
	switch s.format {
	case formatMsgPack:
		return msgpackWellFormedList(b, lb)
	case formatCBOR:
		return cborWellFormedList(b, lb)
	}
	return jsonWellFormedList(b, lb)
}

// decode decodes raw into dst with a pooled decoder; a decoder that failed
// is dropped, as ugorji decoders are unusable after an error.
func (s *Serializer) decode(raw []byte, dst any) error {
	d := s.decoders.Get().(*codec.Decoder)
	d.ResetBytes(raw)
	if err := d.Decode(dst); err != nil {
		return err
	}
	d.ResetBytes(nil)
	s.decoders.Put(d)
	return nil
}
