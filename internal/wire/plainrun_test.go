package wire

import (
	"fmt"
	"testing"
	"unicode/utf8"
)

// jsonPlainRunBytes is jsonPlainRun a byte at a time, as jsonString and
// jsonCanonString walked strings before it.
func jsonPlainRunBytes(b []byte, i int) int {
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// TestJSONPlainRunMatchesBytes checks the eight-bytes-at-a-time scan
// against the byte loop: every byte value at every position of runs of
// plain bytes up to 40 long, from every start, alone and next to a second
// special byte (where a borrow in the arithmetic could flag the wrong one).
func TestJSONPlainRunMatchesBytes(t *testing.T) {
	plain := []byte("abcdefghijklmnopqrstuvwxyz0123456789+/=ABCDEF")
	check := func(b []byte) {
		t.Helper()
		for i := 0; i <= len(b); i++ {
			if got, want := jsonPlainRun(b, i), jsonPlainRunBytes(b, i); got != want {
				t.Fatalf("jsonPlainRun(%q, %d) = %d, want %d", b, i, got, want)
			}
		}
	}
	for n := 0; n <= 40; n++ {
		check(plain[:n])
		for pos := range n {
			for c := range 256 {
				b := append([]byte{}, plain[:n]...)
				b[pos] = byte(c)
				check(b)
				if pos+1 < n {
					for _, d := range []byte{0, 0x1f, 0x20, '"', '\\', 0x7f, 0x80, 0xff} {
						b[pos+1] = d
						check(b)
					}
				}
			}
		}
	}
}

// jsonStringRef and jsonCanonStringRef are jsonString and jsonCanonString
// as they were before jsonPlainRun, a byte at a time: the references the
// fast paths are checked against.
func jsonStringRef(b []byte, i int) (int, error) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, nil
		case c < 0x20:
			return i, jsonSyntaxError(b, i)
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				return i, fmt.Errorf("invalid UTF-8 at offset %d", i)
			}
			i += n - 1
		case c == '\\':
			i++
			if i == len(b) {
				return i, ErrTruncated
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i < 5 {
					return i, ErrTruncated
				}
				for _, h := range b[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return i, fmt.Errorf("invalid \\u escape at offset %d", i-1)
					}
				}
				i += 4
			default:
				return i, fmt.Errorf("invalid escape %q at offset %d", b[i], i-1)
			}
		}
	}
	return i, ErrTruncated
}

func jsonCanonStringRef(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	for i++; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 >= len(b) {
				return 0, false
			}
			switch b[i+1] {
			case '"', '\\', 'b', 't', 'n', 'f', 'r':
				i += 2
			case 'u':
				if i+6 > len(b) || !jsonEscapes[string(b[i+2:i+6])] {
					return 0, false
				}
				i += 6
			default:
				return 0, false
			}
		case c < 0x20:
			return 0, false
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				return 0, false
			}
			i += n
		}
	}
	return 0, false
}

// TestJSONStringMatchesReference checks jsonString and jsonCanonString
// against their byte-at-a-time references on strings of up to 40 bytes with
// an escape, a control byte, UTF-8 (valid, invalid, cut short, U+2028) or a
// quote at every position, closed or not, followed by more or not.
func TestJSONStringMatchesReference(t *testing.T) {
	plain := "abcdefghijklmnopqrstuvwxyz0123456789+/=ABCDEF"
	inserts := []string{"", `"`, `\`, `\"`, `\\`, `\/`, `\n`, `\u0000`, `\u001f`, `\u00e9`, `\u2028`, `\u12`, `\x`,
		"\x00", "\n", "\x1f", "\x7f", "é", "€", "😀", "\u2028", "\u2029", "\xff", "\xe2\x82", "\xc3"}
	for n := 0; n <= 40; n++ {
		for pos := 0; pos <= n; pos++ {
			for _, ins := range inserts {
				for _, tail := range []string{"", `"`, `"]`, `",1]`} {
					b := []byte(`"` + plain[:pos] + ins + plain[pos:n] + tail)
					gi, gerr := jsonString(b, 0)
					wi, werr := jsonStringRef(b, 0)
					if gi != wi || fmt.Sprint(gerr) != fmt.Sprint(werr) {
						t.Fatalf("jsonString(%q) = %d, %v; reference %d, %v", b, gi, gerr, wi, werr)
					}
					ci, cok := jsonCanonString(b, 0)
					ri, rok := jsonCanonStringRef(b, 0)
					if ci != ri || cok != rok {
						t.Fatalf("jsonCanonString(%q) = %d, %v; reference %d, %v", b, ci, cok, ri, rok)
					}
				}
			}
		}
	}
}
