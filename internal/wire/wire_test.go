package wire_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/internal/wire"
	"github.com/wampgen/wampgen/internal/wire/wiretest"
)

var checkers = map[string]func([]byte) error{
	"json":    wire.JSONDepth,
	"msgpack": wire.MsgPackDepth,
	"cbor":    wire.CBORDepth,
}

// TestDepthLimit checks the one rule in each format and shape: a value
// exactly MaxDepth deep passes, one level more is ErrTooDeep.
func TestDepthLimit(t *testing.T) {
	for _, sh := range wiretest.Shapes {
		t.Run(sh.Name, func(t *testing.T) {
			check := checkers[sh.Format]
			for _, d := range []int{0, 1, 2, wire.MaxDepth - 1, wire.MaxDepth} {
				if err := check(sh.Nest(d)); err != nil {
					t.Errorf("depth %d: %v", d, err)
				}
			}
			for _, d := range []int{wire.MaxDepth + 1, wire.MaxDepth + 2, 10 * wire.MaxDepth} {
				if err := check(sh.Nest(d)); !errors.Is(err, wire.ErrTooDeep) {
					t.Errorf("depth %d: got %v, want ErrTooDeep", d, err)
				}
			}
			// The same in a message, which is a level.
			if err := check(wiretest.Message(sh.Format, sh.Nest, wire.MaxDepth)); err != nil {
				t.Errorf("message of depth %d: %v", wire.MaxDepth, err)
			}
			if err := check(wiretest.Message(sh.Format, sh.Nest, wire.MaxDepth+1)); !errors.Is(err, wire.ErrTooDeep) {
				t.Errorf("message of depth %d: got %v, want ErrTooDeep", wire.MaxDepth+1, err)
			}
		})
	}
}

// TestEmptyContainersCount checks that an empty list or dictionary is a
// level.
func TestEmptyContainersCount(t *testing.T) {
	for _, tc := range []struct {
		format string
		head   string // one level, around the rest
		empty  string // an empty container
		tail   string // what closes head
	}{
		{"json", "[", "[]", "]"},
		{"json", "[", "{}", "]"},
		{"msgpack", "\x91", "\x90", ""},
		{"msgpack", "\x91", "\x80", ""},
		{"cbor", "\x81", "\x80", ""},
		{"cbor", "\x81", "\xa0", ""},
		{"cbor", "\x81", "\x9f\xff", ""},
	} {
		check := checkers[tc.format]
		at := func(d int) []byte {
			return []byte(strings.Repeat(tc.head, d-1) + tc.empty + strings.Repeat(tc.tail, d-1))
		}
		if err := check(at(wire.MaxDepth)); err != nil {
			t.Errorf("%s %q at the limit: %v", tc.format, tc.empty, err)
		}
		if err := check(at(wire.MaxDepth + 1)); !errors.Is(err, wire.ErrTooDeep) {
			t.Errorf("%s %q beyond the limit: got %v, want ErrTooDeep", tc.format, tc.empty, err)
		}
	}
}

// TestIssue11Frame is the frame that crashed the router: 800,000 CBOR tags.
func TestIssue11Frame(t *testing.T) {
	frame := append(bytes.Repeat([]byte{0xc6}, 800_000), 0x01)
	if err := wire.CBORDepth(frame); !errors.Is(err, wire.ErrTooDeep) {
		t.Fatalf("got %v, want ErrTooDeep", err)
	}
}

// TestDepthWalksWholeValue checks that the checkers follow the structure,
// not just the first bytes: deep nesting after long strings, binary data,
// extensions, wide numbers, dictionary keys and earlier siblings is found,
// and what looks like nesting inside strings and binary data is not
// counted.
func TestDepthWalksWholeValue(t *testing.T) {
	deep := func(format string, d int) []byte {
		for _, sh := range wiretest.Shapes {
			if sh.Format == format && strings.HasSuffix(sh.Name, "-lists") {
				return sh.Nest(d)
			}
		}
		panic("no list shape for " + format)
	}
	for _, tc := range []struct {
		format string
		before string // the items before the deep one
		n      int    // how many (MsgPack)
		past   string // bytes after the value
	}{
		{"json", `"[[[[\"[[[", 1.5e10, {"[": "{{{"}, true, null`, 5, ""},
		{"json", `[], {}, [[]]`, 3, ` trailing [[[[`},
		// A string, binary data, an ext8, a fixext16, a float64, a uint64
		// and an int8, all holding array heads as data.
		{"msgpack", "\xa3[[[\xc4\x03\x91\x91\x91\xc7\x02\x05\x91\x91\xd8\x01" + strings.Repeat("\x91", 16) + "\xcb12345678\xcf12345678\xd0\xff", 7, ""},
		// A str16, a bin32 and a map16 {"k": []}.
		{"msgpack", "\xda\x00\x03\x91\x91\x91\xc6\x00\x00\x00\x01\x91\xde\x00\x01\xa1k\x90", 3, "\x91\x91\x91"},
		// Byte and text strings, both also of indefinite length, a
		// float64, a simple value, {"k": []} of both lengths.
		{"cbor", "\x43\x81\x81\x81\x63[[[\x5f\x42\x81\x81\xff\x7f\x61a\xff\xfb12345678\xf8\x20\xa1\x61k\x80\xbf\x61k\x9f\xff\xff", 8, "\x81\x81"},
		{"cbor", "\x1b12345678\x3a1234\xc1\x1a1234", 3, ""},
	} {
		wrap := func(d int) []byte {
			var b []byte
			switch tc.format {
			case "json":
				b = []byte("[" + tc.before + "," + string(deep("json", d)) + "]")
			case "msgpack":
				b = append(append([]byte{0xdc, 0x00, byte(1 + tc.n)}, tc.before...), deep("msgpack", d)...)
			default:
				b = append(append([]byte{0x9f}, tc.before...), append(deep("cbor", d), 0xff)...)
			}
			return append(b, tc.past...)
		}
		check := checkers[tc.format]
		if err := check(wrap(wire.MaxDepth - 1)); err != nil {
			t.Errorf("%s %q: at the limit: %v", tc.format, tc.before, err)
		}
		if err := check(wrap(wire.MaxDepth)); !errors.Is(err, wire.ErrTooDeep) {
			t.Errorf("%s %q: beyond the limit: got %v, want ErrTooDeep", tc.format, tc.before, err)
		}
	}
}

// TestMalformed checks that what the checkers cannot walk is an error, not
// a pass: the decoder refuses it anyway, and a pass would let nesting after
// it go unchecked.
func TestMalformed(t *testing.T) {
	for _, tc := range []struct{ format, in string }{
		{"msgpack", ""},
		{"msgpack", "\x92\x01"},
		{"msgpack", "\xc1"},
		{"msgpack", "\xdd\xff\xff\xff\xff\x01"},
		{"msgpack", "\xdf\xff\xff\xff\xff\x01"},
		{"msgpack", "\xc6\xff\xff\xff\xff"},
		{"msgpack", "\xc9\x00\x00\x00\x05\x01"},
		{"cbor", ""},
		{"cbor", "\x82\x01"},
		{"cbor", "\xff"},
		{"cbor", "\x81\xff"},
		{"cbor", "\x1c"},
		{"cbor", "\x1f"},
		{"cbor", "\xdf\x01"},
		{"cbor", "\x9b\xff\xff\xff\xff\xff\xff\xff\xff\x01"},
		{"cbor", "\xbb\x80\x00\x00\x00\x00\x00\x00\x00\x01"},
		{"cbor", "\x5f\x61a\xff"},
		{"cbor", "\x5f\x41a"},
		{"cbor", "\x9f\x01"},
		{"cbor", "\xc6"},
	} {
		if err := checkers[tc.format]([]byte(tc.in)); err == nil {
			t.Errorf("%s % x: no error", tc.format, tc.in)
		}
	}
}

// FuzzDepth checks that the checkers never panic, and agree with a
// recursive reference on what they accept: the reference decodes the same
// structure and reports its depth.
func FuzzDepth(f *testing.F) {
	for _, sh := range wiretest.Shapes {
		for _, d := range []int{0, 1, 3, wire.MaxDepth, wire.MaxDepth + 1} {
			f.Add(sh.Format, sh.Nest(d))
		}
	}
	f.Add("cbor", []byte("\x9f\x81\xc1\x01\xbf\x61k\x5f\x41a\xff\xff\xff"))
	f.Add("msgpack", []byte("\x93\xc7\x01\x05x\x81\xa1k\x90\xd4\x01\x02"))
	f.Fuzz(func(t *testing.T, format string, b []byte) {
		check, ok := checkers[format]
		if !ok {
			return
		}
		err := check(b)
		var want int
		var valid bool
		switch format {
		case "msgpack":
			want, _, valid = refMsgPack(b, 0)
		case "cbor":
			want, _, valid = refCBOR(b, 0)
		default:
			want, valid = refJSON(b)
		}
		switch {
		case valid && want > wire.MaxDepth && !errors.Is(err, wire.ErrTooDeep):
			t.Fatalf("% x: depth %d, checker says %v", b, want, err)
		case valid && want <= wire.MaxDepth && err != nil:
			t.Fatalf("% x: depth %d, checker says %v", b, want, err)
		}
	})
}

// BenchmarkDepth measures what a checker adds to a small CALL's decoding
// on the router's full path: [48, 12345, {}, "com.example.calc.add", [1.5,
// 2.25]].
func BenchmarkDepth(b *testing.B) {
	for _, tc := range []struct {
		format string
		msg    []byte
	}{
		{"json", []byte(`[48,12345,{},"com.example.calc.add",[1.5,2.25]]`)},
		{"msgpack", append([]byte{0x95, 0x30, 0xcd, 0x30, 0x39, 0x80, 0xb4}, "com.example.calc.add\x92\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00\xcb\x40\x02\x00\x00\x00\x00\x00\x00"...)},
		{"cbor", append([]byte{0x85, 0x18, 0x30, 0x19, 0x30, 0x39, 0xa0, 0x74}, "com.example.calc.add\x82\xfb\x3f\xf8\x00\x00\x00\x00\x00\x00\xfb\x40\x02\x00\x00\x00\x00\x00\x00"...)},
	} {
		check := checkers[tc.format]
		if err := check(tc.msg); err != nil {
			b.Fatal(err)
		}
		b.Run(tc.format, func(b *testing.B) {
			b.SetBytes(int64(len(tc.msg)))
			b.ReportAllocs()
			for b.Loop() {
				if err := check(tc.msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDocumentedLimit keeps the limit the documentation states for users
// (who cannot see this internal package) equal to MaxDepth.
func TestDocumentedLimit(t *testing.T) {
	for _, tc := range []struct{ file, phrase string }{
		{"../../README.md", "deeper than %d levels"},
		{"../../router/doc.go", "deeper than %d levels"},
		{"../../wamp/codec.go", "at most %d levels"},
		{"../../wamp/decode.go", "at most %d levels"},
	} {
		b, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(strings.ReplaceAll(string(b), "//", "")), " ")
		if want := fmt.Sprintf(tc.phrase, wire.MaxDepth); !strings.Contains(text, want) {
			t.Errorf("%s does not say %q", tc.file, want)
		}
	}
}

// TestListBoundsHoldMessages: a ListBounds holds where all the elements of
// every message lie, and every message type has its type code and at least
// one element more.
func TestListBoundsHoldMessages(t *testing.T) {
	n := 0
	for code := range 256 {
		least, most, ok := wire.Arity(uint64(code))
		if !ok {
			continue
		}
		n++
		if least < 2 || least > most || most > wire.MaxMessageLen {
			t.Errorf("type %d: arity %d to %d, want 2 <= least <= most <= MaxMessageLen (%d)", code, least, most, wire.MaxMessageLen)
		}
	}
	if n != 24 {
		t.Errorf("the layout knows %d message types, want WAMP's 24", n)
	}
}
