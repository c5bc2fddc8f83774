package wamp

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// bytesOf, the fast path of decoding []byte, must decode exactly what the
// codec decodes, and leave to the codec whatever it does not read.
func TestBytesOfMatchesCodec(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range []*Serializer{JSON, MsgPack, CBOR} {
		for _, n := range []int{0, 1, 2, 3, 4, 15, 16, 23, 24, 255, 256, 1024, 65535, 65536, 70000} {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			raw, err := s.EncodeValue(b)
			if err != nil {
				t.Fatalf("%s: encoding %d bytes: %v", s.Name(), n, err)
			}
			fast, ok := s.bytesOf(raw)
			if !ok {
				t.Fatalf("%s: %d bytes as the serializer writes them not read by bytesOf: % x", s.Name(), n, raw[:min(len(raw), 16)])
			}
			var slow []byte
			if err := s.decode(raw, &slow); err != nil {
				t.Fatalf("%s: codec decoding %d bytes: %v", s.Name(), n, err)
			}
			if !bytes.Equal(fast, slow) || !bytes.Equal(fast, b) || fast == nil {
				t.Fatalf("%s: %d bytes: bytesOf %d bytes, codec %d bytes, want %d", s.Name(), n, len(fast), len(slow), n)
			}
			if n > 0 && &fast[0] == &raw[len(raw)-1] {
				t.Fatalf("%s: bytesOf aliases the message", s.Name())
			}
			var v []byte
			if err := s.decodeValue(raw, &v); err != nil || !bytes.Equal(v, b) {
				t.Fatalf("%s: decodeValue of %d bytes: %v", s.Name(), n, err)
			}
		}
	}
}

// Encodings bytesOf does not take (other forms, malformed or truncated
// input) go to the codec.
func TestBytesOfRefuses(t *testing.T) {
	cases := []struct {
		s   *Serializer
		raw string
	}{
		{MsgPack, "\xc4"},                   // truncated head
		{MsgPack, "\xc4\x02a"},              // short body
		{MsgPack, "\xc4\x01ab"},             // trailing byte
		{MsgPack, "\xc5\x00"},               // truncated bin16 head
		{MsgPack, "\xa1a"},                  // a string
		{CBOR, "\x5f\x41a\xff"},             // indefinite length
		{CBOR, "\x42a"},                     // short body
		{CBOR, "\x61a"},                     // a text string
		{JSON, `"\u0000YQ="`},               // not a multiple of 4
		{JSON, `"\u0000YR=="`},              // unused bits set: not canonical
		{JSON, `"\u0000YQ\u003d="`},         // another escape
		{JSON, `"\u0000YQ==" `},             // trailing space
		{JSON, `"\u0000Y\/=="`},             // escaped slash
		{JSON, `"\u0000"`[:len(`"\u0000`)]}, // unterminated
		// Line breaks, which the base64 decoder skips.
		{JSON, "\"\\u0000YWJj\n\n\n\nYWJj\""},
		{JSON, "\"\\u0000YWJj\r\n\r\nYWJj\""},
		{JSON, "\"\\u0000YWJj\r\r\r\r\""},
		// Bytes outside the alphabet.
		{JSON, "\"\\u0000YWJ\x00\""},
		{JSON, "\"\\u0000YWJ\"\""},
		{JSON, "\"\\u0000YWJ\xc3\""},
		{JSON, "\"\\u0000YW-_\""},
		{JSON, "\"\\u0000YWJ \""},
		{JSON, "\"\\u0000YWJ\\\""},
	}
	for _, c := range cases {
		if b, ok := c.s.bytesOf([]byte(c.raw)); ok {
			t.Errorf("%s: bytesOf(%q) = %x, want it left to the codec", c.s.Name(), c.raw, b)
		}
	}
}
