package wire_test

// The format code against the codec it stands in for
// (github.com/ugorji/go/codec with the handles of handles.go): the same
// elements split, the same scalars read, the same bytes written, and
// what the validators accept the codec decodes. Moved here from
// wamp/wire_internal_test.go and wamp/wellformed_internal_test.go, where
// they reached this code through the Serializer's wrappers.

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire"
)

var formats = []wire.Format{wire.JSON, wire.MsgPack, wire.CBOR}

func formatName(f wire.Format) string {
	switch f {
	case wire.MsgPack:
		return "msgpack"
	case wire.CBOR:
		return "cbor"
	}
	return "json"
}

// codecEncode encodes v with the codec and the format's handle.
func codecEncode(t testing.TB, f wire.Format, v any) []byte {
	t.Helper()
	var b []byte
	if err := codec.NewEncoderBytes(&b, f.Handle()).Encode(v); err != nil {
		t.Fatalf("%s: codec encoding %#v: %v", formatName(f), v, err)
	}
	return b
}

// codecDecode decodes raw into dst with the codec and the format's handle.
func codecDecode(f wire.Format, raw []byte, dst any) error {
	return codec.NewDecoderBytes(raw, f.Handle()).Decode(dst)
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// listInputs are encoded lists with every kind of element, including
// encodings the writers never write (CBOR indefinite lengths and half
// floats, MsgPack's wider integer forms, JSON whitespace).
func listInputs(t testing.TB) map[wire.Format][][]byte {
	in := map[wire.Format][][]byte{}
	vals := []any{
		[]any{}, []any{nil}, []any{1, -1, 0, 127, 128, -32, -33, 255, 256, 65535, 65536, int64(math.MinInt64), uint64(math.MaxUint64)},
		[]any{"", "a", strings.Repeat("b", 40), strings.Repeat("c", 300), "é\x00\"\\/\n<>&\u2028"},
		[]any{1.5, float32(0.1), math.Inf(-1), 0.0, -0.0, 1e300, 5e-324, 1.0, 1e16},
		[]any{true, false, []byte{}, []byte{1, 2, 3}, map[string]any{}, map[string]any{"a": []any{map[string]any{"b": nil}}}},
		[]any{time.Unix(1, 5).UTC(), []any{[]any{[]any{}}}, 7},
	}
	for _, f := range formats {
		for _, v := range vals {
			in[f] = append(in[f], codecEncode(t, f, v))
		}
	}
	in[wire.JSON] = append(in[wire.JSON], []byte(` [ 1 , "a,]" , { "k" : [ 1 , { } ] } , [ ] , null , true , false , -1.5e+3 , "\"\\" ] `), []byte("[\n]"), []byte(`[0]`),
		[]byte(`["\u0000AQID", "\u00e9"]`))
	in[wire.MsgPack] = append(in[wire.MsgPack], mustHex(t, "dc0003"+"d0ff"+"d1ffff"+"cd0001"), mustHex(t, "dd00000002"+"ca3f800000"+"d9026162"),
		mustHex(t, "93"+"c70301"+"000000"+"d6ff00000001"+"c403010203"))
	in[wire.CBOR] = append(in[wire.CBOR], mustHex(t, "9f"+"f93c00"+"5f4101420203ff"+"7f6161ff"+"bf616101ff"+"9f01ff"+"c11a514b67b0"+"ff"),
		mustHex(t, "83"+"f97c00"+"f98001"+"fa3f800000"), mustHex(t, "81"+"1bffffffffffffffff"), mustHex(t, "81"+"3bffffffffffffffff"),
		mustHex(t, "8201"+"9f9fffff"), mustHex(t, "9f01"+"9f9fffffff"))
	return in
}

func TestSplitMatchesCodec(t *testing.T) {
	n := 0
	for f, inputs := range listInputs(t) {
		for _, b := range inputs {
			if checkSplit(t, f, b) {
				n++
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d inputs checked against the codec", n)
	}
}

// checkSplit compares AppendElems with the codec's split of a well-formed
// list b, and with what WellFormedList records. It reports whether the
// codec could split b.
func checkSplit(t *testing.T, f wire.Format, b []byte) bool {
	t.Helper()
	if f.WellFormed(b) != nil || f.Kind(b) != wire.KindList {
		return false
	}
	var want []codec.Raw
	werr := codecDecode(f, b, &want)
	got, err := f.AppendElems(nil, b, -1)
	checkListBounds(t, f, b, got, err)
	// A limit splits the same first elements and looks no further; limit
	// 0 splits none, in every format.
	for _, limit := range []int{0, 1, 2, 3} {
		first, err := f.AppendElems(nil, b, limit)
		if err != nil || len(first) != min(limit, len(got)) {
			t.Fatalf("%s: split %x at most %d: %d elements, %v", formatName(f), b, limit, len(first), err)
		}
		for i := range first {
			if !bytes.Equal(first[i], got[i]) {
				t.Errorf("%s: split %x at most %d: element %d is %x, not %x", formatName(f), b, limit, i, first[i], got[i])
			}
		}
	}
	if werr != nil {
		return false // the codec cannot split it (a tag or extension it refuses): no reference
	}
	if len(got) != len(want) {
		t.Fatalf("%s: split %x: %d elements, codec %d", formatName(f), b, len(got), len(want))
	}
	for i := range got {
		// The codec leaves a null element empty.
		if !bytes.Equal(got[i], want[i]) && !(f.Kind(got[i]) == wire.KindNil && (len(want[i]) == 0 || f.Kind(want[i]) == wire.KindNil)) {
			t.Errorf("%s: split %x: element %d is %x, codec %x", formatName(f), b, i, got[i], []byte(want[i]))
		}
	}
	// Every element is one value on its own.
	for i, e := range got {
		if err := f.WellFormed(e); err != nil {
			t.Errorf("%s: split %x: element %d (%x): %v", formatName(f), b, i, e, err)
		}
	}
	return true
}

// checkListBounds checks that WellFormedList, on the list b WellFormed
// accepts, records the elements AppendElems split (elems, err): their
// number, and where the first wire.MaxMessageLen lie.
func checkListBounds(t *testing.T, f wire.Format, b []byte, elems [][]byte, err error) {
	t.Helper()
	var lb wire.ListBounds
	if werr := f.WellFormedList(b, &lb); werr != nil {
		t.Fatalf("%s: %x: well-formed, then %v", formatName(f), b, werr)
	}
	if err != nil {
		t.Fatalf("%s: split %x: %v", formatName(f), b, err)
	}
	if lb.N != len(elems) {
		t.Fatalf("%s: %x: the check counts %d elements, AppendElems splits %d", formatName(f), b, lb.N, len(elems))
	}
	got := lb.AppendElems(nil, b)
	for i := range got {
		if !bytes.Equal(got[i], elems[i]) {
			t.Errorf("%s: %x: element %d is %x by the check, %x by AppendElems", formatName(f), b, i, got[i], elems[i])
		}
	}
}

func FuzzSplitJSON(f *testing.F)    { fuzzSplit(f, wire.JSON) }
func FuzzSplitMsgPack(f *testing.F) { fuzzSplit(f, wire.MsgPack) }
func FuzzSplitCBOR(f *testing.F)    { fuzzSplit(f, wire.CBOR) }

func fuzzSplit(f *testing.F, format wire.Format) {
	for _, b := range listInputs(f)[format] {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkSplit(t, format, b) })
}

// TestScalarsMatchCodec reads every element of the list inputs with each
// scalar reader: what a reader reads, the codec decodes to the same value.
func TestScalarsMatchCodec(t *testing.T) {
	read := 0
	for f, inputs := range listInputs(t) {
		for _, b := range inputs {
			read += checkScalars(t, f, b)
		}
	}
	for _, n := range []string{"0", "-0", "1e2", "1E+2", "-1.5e-3", "1e400", "-1e400", "18446744073709551615", "18446744073709551616",
		"-9223372036854775808", "-9223372036854775809", "9007199254740993", "0.1", "123456789012345678901234567890", "1.7976931348623157e308"} {
		read += checkScalars(t, wire.JSON, []byte("["+n+"]"))
	}
	if read < 100 {
		t.Fatalf("the readers read only %d scalars", read)
	}
}

// checkScalars reads the elements of list with the scalar readers and
// compares each value read with the codec's; it returns how many it read.
func checkScalars(t *testing.T, f wire.Format, list []byte) (read int) {
	t.Helper()
	elems, err := f.AppendElems(nil, list, -1)
	if err != nil {
		return 0
	}
	for _, e := range elems {
		k := f.Kind(e)
		same := func(what string, got, want any, werr error) {
			t.Helper()
			read++
			if werr != nil {
				t.Errorf("%s: %x (%s) read as %s %#v, the codec refuses it: %v", formatName(f), e, k, what, got, werr)
			} else if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
				t.Errorf("%s: %x (%s) read as %s %#v, codec %#v", formatName(f), e, k, what, got, want)
			}
		}
		if u, ok := f.Uint(e); ok {
			var w uint64
			same("uint64", u, w, codecDecode(f, e, &w))
		}
		if i, ok := f.Int(e); ok {
			var w int64
			same("int64", i, w, codecDecode(f, e, &w))
		}
		if x, ok := f.Float(e); ok {
			var w float64
			werr := codecDecode(f, e, &w)
			if math.IsNaN(x) && math.IsNaN(w) {
				x, w = 0, 0
			}
			same("float64", math.Float64bits(x), math.Float64bits(w), werr)
		}
		if v, ok := f.Bool(e); ok {
			if k != wire.KindBool {
				t.Errorf("%s: %x of kind %s read as bool", formatName(f), e, k)
			}
			var w bool
			same("bool", v, w, codecDecode(f, e, &w))
		}
		if s, ok := f.StringBytes(e); ok {
			if k != wire.KindString {
				t.Errorf("%s: %x of kind %s read as a string", formatName(f), e, k)
			}
			var w string
			same("string", string(s), w, codecDecode(f, e, &w))
		}
		if f.IsEmptyDict(e) {
			var w map[string]any
			if err := codecDecode(f, e, &w); err != nil || w == nil || len(w) != 0 {
				t.Errorf("%s: %x is an empty dictionary, the codec decodes %#v, %v", formatName(f), e, w, err)
			}
		}
	}
	return read
}

func FuzzScalarsJSON(f *testing.F)    { fuzzScalars(f, wire.JSON) }
func FuzzScalarsMsgPack(f *testing.F) { fuzzScalars(f, wire.MsgPack) }
func FuzzScalarsCBOR(f *testing.F)    { fuzzScalars(f, wire.CBOR) }

func fuzzScalars(f *testing.F, format wire.Format) {
	for _, b := range listInputs(f)[format] {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if format.WellFormed(b) == nil && format.Kind(b) == wire.KindList {
			checkScalars(t, format, b)
		}
	})
}

// TestStringBytesReadsOneString: StringBytes reads a string that is all
// of raw, and reports false for a raw cut short or with bytes after the
// string, rather than reading fewer or more bytes than the string has.
func TestStringBytesReadsOneString(t *testing.T) {
	for _, tc := range []struct {
		f    wire.Format
		raw  string
		want string
		ok   bool
	}{
		{wire.MsgPack, "a26162", "ab", true},
		{wire.MsgPack, "d9026162", "ab", true},
		{wire.MsgPack, "a261", "", false},     // cut short
		{wire.MsgPack, "a1616263", "", false}, // bytes after the string
		{wire.MsgPack, "d90261", "", false},
		{wire.CBOR, "626162", "ab", true},
		{wire.CBOR, "78026162", "ab", true},
		{wire.CBOR, "6261", "", false},
		{wire.CBOR, "616162", "", false},
		{wire.JSON, hex.EncodeToString([]byte(`"ab"`)), "ab", true},
		{wire.JSON, hex.EncodeToString([]byte(`"a\"b"`)), "", false}, // an escape: the codec reads it
		{wire.JSON, hex.EncodeToString([]byte(`"ab`)), "", false},
	} {
		got, ok := tc.f.StringBytes(mustHex(t, tc.raw))
		if string(got) != tc.want || ok != tc.ok {
			t.Errorf("%s: StringBytes(%s) = %q, %v; want %q, %v", formatName(tc.f), tc.raw, got, ok, tc.want, tc.ok)
		}
	}
}

// simpleValues are the values AppendSimple writes, at the edges of their
// encodings.
func simpleValues() []any {
	return []any{nil, true, false, 0.0, -0.0, 1.5, math.Inf(1), math.Inf(-1), float32(0.1), float32(-2), 1e300, 5e-324,
		0, 1, 23, 24, 127, 128, 255, 256, 32767, 32768, 65535, 65536, math.MaxInt32, math.MaxInt32 + 1, math.MaxInt64,
		-1, -24, -25, -32, -33, -128, -129, -256, -257, -32768, -32769, math.MinInt32, math.MinInt32 - 1, math.MinInt64,
		int64(-5), int64(300), int32(-70000), int32(70000), uint(7), uint32(1 << 31),
		uint64(math.MaxUint64), uint64(200), uint64(1 << 40),
		"", "a", strings.Repeat("s", 23), strings.Repeat("s", 24), strings.Repeat("s", 31), strings.Repeat("s", 32),
		strings.Repeat("s", 255), strings.Repeat("s", 256), strings.Repeat("s", 65535), strings.Repeat("s", 65536), "é✓",
		[]byte(nil), []byte{}, []byte{1}, make([]byte, 23), make([]byte, 24), make([]byte, 255), make([]byte, 256), make([]byte, 65536)}
}

// TestWritersMatchCodec: the writers write what the codec writes, byte
// for byte, after whatever the buffer held.
func TestWritersMatchCodec(t *testing.T) {
	prefix := []byte("prefix")
	same := func(f wire.Format, what string, got []byte, v any) {
		t.Helper()
		want := codecEncode(t, f, v)
		if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
			t.Errorf("%s: %s of %#v:\n got %x\nwant %x", formatName(f), what, v, got, append(prefix[:len(prefix):len(prefix)], want...))
		}
	}
	ints := []int64{0, 1, 23, 24, 127, 128, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64,
		-1, -24, -25, -32, -33, -128, -129, -32768, -32769, math.MinInt32, math.MinInt32 - 1, math.MinInt64}
	for _, f := range formats {
		for _, i := range ints {
			same(f, "AppendInt", f.AppendInt(bytes.Clone(prefix), i), i)
			if i >= 0 {
				same(f, "AppendUint", f.AppendUint(bytes.Clone(prefix), uint64(i)), uint64(i))
			}
		}
		same(f, "AppendUint", f.AppendUint(bytes.Clone(prefix), math.MaxUint64), uint64(math.MaxUint64))
		for _, s := range []string{"", "a", "ünï ✓", strings.Repeat("x", 300), strings.Repeat("y", 70000), "com.example.add", `q"\`, "a\x00\n", "<>&\u2028"} {
			b, ok := f.AppendString(bytes.Clone(prefix), s)
			if !ok {
				// JSON may leave to the codec what it would escape or
				// check; plain ASCII it writes itself.
				if f != wire.JSON || plainASCII(s) {
					t.Errorf("%s: AppendString(%q) declined", formatName(f), s)
				}
				if !bytes.Equal(b, prefix) {
					t.Errorf("%s: AppendString(%q) declined and wrote %q", formatName(f), s, b[len(prefix):])
				}
				continue
			}
			same(f, "AppendString", b, s)
		}
		same(f, "AppendEmptyList", f.AppendEmptyList(bytes.Clone(prefix)), []any{})
		same(f, "AppendEmptyDict", f.AppendEmptyDict(bytes.Clone(prefix)), map[string]any{})
		// A list written element by element.
		for _, n := range []int{1, 2, 15, 16, 23, 24, 300} {
			l := make([]any, n)
			b := f.AppendListHead(bytes.Clone(prefix), n)
			for i := range l {
				l[i] = uint64(i * 1000)
				b = f.AppendUint(f.AppendSep(b, i), uint64(i*1000))
			}
			same(f, "a list of AppendListHead, AppendSep, AppendUint, AppendListEnd", f.AppendListEnd(b), l)
		}
		// A dict written entry by entry (MsgPack and CBOR: the keys and
		// values follow the head; JSON's head is the brace).
		for _, n := range []int{0, 1, 15, 16, 23, 24, 300, 70000} {
			b := f.AppendDictHead(bytes.Clone(prefix), n)
			if f == wire.JSON {
				if string(b[len(prefix):]) != "{" {
					t.Errorf("json: AppendDictHead(%d) wrote %q", n, b[len(prefix):])
				}
				continue
			}
			want := make(map[string]any, n)
			for i := range n {
				k := fmt.Sprintf("k%d", i)
				want[k] = uint64(i)
				b, _ = f.AppendString(b, k)
				b = f.AppendUint(b, uint64(i))
			}
			var got map[string]any
			if err := codecDecode(f, b[len(prefix):], &got); err != nil || len(got) != n || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: a dict of %d entries after AppendDictHead: the codec reads %d entries, %v", formatName(f), n, len(got), err)
			}
			// The codec's head of a dict of n entries is the same bytes.
			if head, enc := f.AppendDictHead(nil, n), codecEncode(t, f, want); !bytes.HasPrefix(enc, head) {
				t.Errorf("%s: AppendDictHead(%d) = %x, the codec writes %x", formatName(f), n, head, enc[:min(len(enc), 8)])
			}
		}
		vals := simpleValues()
		for _, v := range vals {
			b, ok := f.AppendSimple(bytes.Clone(prefix), v)
			if f == wire.JSON {
				if ok {
					t.Errorf("json: AppendSimple(%#v) wrote %x", v, b)
				}
				continue
			}
			if !ok {
				t.Errorf("%s: AppendSimple(%#v) declined", formatName(f), v)
				continue
			}
			same(f, "AppendSimple", b, v)
		}
		if b, ok := f.AppendSimpleList(bytes.Clone(prefix), vals); f == wire.JSON {
			if ok || !bytes.Equal(b, prefix) {
				t.Errorf("json: AppendSimpleList wrote %x, %v", b, ok)
			}
		} else if !ok {
			t.Errorf("%s: AppendSimpleList declined", formatName(f))
		} else {
			same(f, "AppendSimpleList", b, vals)
		}
		// One value it does not write: the list is left as it was.
		mixed := []any{1, "a", time.Unix(1, 0)}
		if b, ok := f.AppendSimpleList(bytes.Clone(prefix), mixed); ok || !bytes.Equal(b, prefix) {
			t.Errorf("%s: AppendSimpleList with a time.Time: %x, %v", formatName(f), b, ok)
		}
	}
}

func plainASCII(s string) bool {
	for _, c := range []byte(s) {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
