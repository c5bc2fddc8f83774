package wamp

import "github.com/wampgen/wampgen/internal/wire"

// EncodeBinaryString returns the WAMP JSON form of b: a NUL character
// followed by the standard, padded base64 encoding of b.
func EncodeBinaryString(b []byte) string { return wire.EncodeBinaryString(b) }

// DecodeBinaryString reports whether s is the WAMP JSON form of a byte
// string and, if so, returns the bytes. s qualifies when its first byte is
// NUL and the rest is canonical standard base64: padded, no line breaks,
// unused bits zero. Exactly the strings EncodeBinaryString produces
// qualify, so the conversion round-trips and nothing else is touched. The
// embedded router and this package use the same rule, so a string is bytes
// to both or to neither.
func DecodeBinaryString(s string) ([]byte, bool) { return wire.DecodeBinaryString(s) }

// DecodeBinaryStrings replaces, in place, every string inside the lists
// and maps of v (decoded JSON) that DecodeBinaryString accepts with its
// bytes. Map keys are left alone. It returns v, or the bytes when v itself
// is such a string.
func DecodeBinaryStrings(v any) any { return wire.DecodeBinaryStrings(v) }
