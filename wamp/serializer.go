package wamp

import (
	"bytes"
	"errors"
	"fmt"
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
	format      wire.Format // the one switch over the formats: see internal/wire
	subprotocol string
	rawSocketID byte
	binary      bool
	null        []byte // the encoding of null
	decoders    sync.Pool
	encoders    sync.Pool
	envelopes   sync.Pool
}

// The serializers WAMP defines.
var (
	JSON    = newSerializer("json", wire.JSON, 1, false)
	MsgPack = newSerializer("msgpack", wire.MsgPack, 2, true)
	CBOR    = newSerializer("cbor", wire.CBOR, 3, true)
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

func newSerializer(name string, format wire.Format, id byte, binary bool) *Serializer {
	h := format.Handle()
	s := &Serializer{name: name, format: format, subprotocol: "wamp.2." + name, rawSocketID: id, binary: binary}
	s.decoders.New = func() any { return codec.NewDecoderBytes(nil, h) }
	s.encoders.New = func() any { return &encBuf{enc: codec.NewEncoderBytes(nil, h)} }
	s.envelopes.New = func() any { return new(envelope) }
	s.null, _ = s.EncodeValue(nil)
	return s
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
