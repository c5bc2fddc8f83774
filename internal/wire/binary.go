package wire

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// EncodeBinaryString returns the WAMP JSON form of b: a NUL character
// followed by the standard, padded base64 encoding of b.
func EncodeBinaryString(b []byte) string {
	return "\x00" + base64.StdEncoding.EncodeToString(b)
}

// DecodeBinaryString reports whether s is the WAMP JSON form of a byte
// string and, if so, returns the bytes. s qualifies when its first byte is
// NUL and the rest is canonical standard base64: padded, no line breaks,
// unused bits zero. Exactly the strings EncodeBinaryString produces
// qualify, so the conversion round-trips and nothing else is touched. The
// embedded router and the wamp package use this one rule, so a string is
// bytes to both or to neither.
func DecodeBinaryString(s string) ([]byte, bool) {
	if s == "" || s[0] != 0 {
		return nil, false
	}
	enc := s[1:]
	// base64 decoders skip \r and \n; a string containing them is not the
	// canonical form and stays a string.
	if len(enc)%4 != 0 || strings.ContainsAny(enc, "\r\n") {
		return nil, false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return nil, false
	}
	return b, true
}

// DecodeBinaryStrings replaces, in place, every string inside the lists
// and maps of v (decoded JSON) that DecodeBinaryString accepts with its
// bytes. Map keys are left alone. It returns v, or the bytes when v itself
// is such a string.
func DecodeBinaryStrings(v any) any {
	switch x := v.(type) {
	case string:
		if b, ok := DecodeBinaryString(x); ok {
			return b
		}
	case []any:
		for i, e := range x {
			x[i] = DecodeBinaryStrings(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = DecodeBinaryStrings(e)
		}
	}
	return v
}

// jsonBinaryPrefix starts a byte string in JSON as the codec writes it: a
// quote and the NUL character, escaped.
const jsonBinaryPrefix = `"\u0000`

// JSONAppendBinary appends the JSON form of the bytes data, as the JSON
// handle writes it: "\u0000" and the padded standard base64 of data, in
// quotes (base64 needs no escaping).
func JSONAppendBinary(b, data []byte) []byte {
	b = append(b, jsonBinaryPrefix...)
	b = base64.StdEncoding.AppendEncode(b, data)
	return append(b, '"')
}

// JSONBinary reads a JSON string that is all of raw and the WAMP form of a
// byte string, written as JSONAppendBinary writes it: the escaped NUL
// character, then canonical base64 without escapes. It returns the bytes,
// or false when raw is anything else, for which DecodeBinaryString on the
// decoded string decides (a string with other escapes may still qualify).
func JSONBinary(raw []byte) ([]byte, bool) {
	if len(raw) < len(jsonBinaryPrefix)+1 || string(raw[:len(jsonBinaryPrefix)]) != jsonBinaryPrefix || raw[len(raw)-1] != '"' {
		return nil, false
	}
	enc := raw[len(jsonBinaryPrefix) : len(raw)-1]
	// The base64 alphabet, '=' included, needs no escape; a backslash or a
	// quote means another string. \r and \n can't be there unescaped.
	if len(enc)%4 != 0 || bytes.IndexByte(enc, '\\') >= 0 || bytes.IndexByte(enc, '"') >= 0 {
		return nil, false
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	n, err := base64.StdEncoding.Strict().Decode(b, enc)
	if err != nil {
		return nil, false
	}
	return b[:n], true
}
