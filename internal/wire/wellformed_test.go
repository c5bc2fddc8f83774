package wire_test

// The validators against references: JSON against encoding/json, MsgPack
// and CBOR against the codec, all three against the depth checkers; and
// the canonical-form check against what the codec writes. Moved here from
// wamp/wellformed_internal_test.go, where they went through the
// Serializer's wrappers.

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wampgen/wampgen/internal/wire"
	"github.com/wampgen/wampgen/internal/wire/wiretest"
)

// jsonDepth returns the deepest nesting of brackets in valid JSON.
func jsonDepth(b []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// jsonOracle is what wire.JSON.WellFormed must say, from encoding/json:
// valid JSON, in UTF-8, nested at most wire.MaxDepth levels, every number
// within the number rule (jsonNumberOK).
func jsonOracle(b []byte) bool {
	if !json.Valid(b) || !utf8.Valid(b) || jsonDepth(b) > wire.MaxDepth {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return true // the end: json.Valid said the syntax is right
		}
		if n, ok := tok.(json.Number); ok && !jsonNumberOK(string(n)) {
			return false
		}
	}
}

var jsonCorpus = []string{
	``, ` `, `[]`, `{}`, `[1]`, `{"a":1}`, `[1,]`, `[,1]`, `{"a":1,}`, `{"a"}`, `{"a":}`, `{a:1}`, `[01]`, `[-0]`,
	`[-]`, `[1.]`, `[.1]`, `[1e5]`, `[1E+5]`, `[1e-5]`, `[1e]`, `[0.0e0]`, `["\u00e9"]`, `["\u00g9"]`, `["\x"]`,
	`["a` + "\t" + `"]`, "[\"\xff\"]", "[\"\xe2\x82\xac\"]", `[true,false,null]`, `[tru]`, `[nulll]`, `["]`, `"\"`,
	`1`, `-1.5e-7`, `"s"`, `null`, ` [ 1 , { "a" : [ ] } ] `, `[1]x`, `[1] [2]`, `[[[]]`, `[]]`, `{"a":1 "b":2}`,
	`{"a":1,,"b":2}`, `[1 2]`, `["a" "b"]`, "\ufeff[1]", `[1.5E400]`, `[{"":{"":{"":[]}}}]`, `{"\"":"\\"}`,
}

func TestJSONWellFormedMatchesStdlib(t *testing.T) {
	corpus := append([]string{}, jsonCorpus...)
	corpus = append(corpus, strings.Repeat("[", wire.MaxDepth)+strings.Repeat("]", wire.MaxDepth))
	corpus = append(corpus, strings.Repeat("[", wire.MaxDepth+1)+strings.Repeat("]", wire.MaxDepth+1))
	corpus = append(corpus, `{"a":`+strings.Repeat("[", wire.MaxDepth-1)+strings.Repeat("]", wire.MaxDepth-1)+`}`)
	corpus = append(corpus, `{"a":`+strings.Repeat("[", wire.MaxDepth)+strings.Repeat("]", wire.MaxDepth)+`}`)
	for _, in := range corpus {
		err := wire.JSON.WellFormed([]byte(in))
		if got, want := err == nil, jsonOracle([]byte(in)); got != want {
			t.Errorf("JSON.WellFormed(%q) ok=%v, encoding/json says %v (err %v)", in, got, want, err)
		}
		// The list check agrees on lists.
		if wire.JSON.Kind([]byte(in)) == wire.KindList {
			var lb wire.ListBounds
			if lerr := wire.JSON.WellFormedList([]byte(in), &lb); (lerr == nil) != (err == nil) {
				t.Errorf("JSON.WellFormedList(%q) = %v, WellFormed %v", in, lerr, err)
			}
		}
	}
}

// FuzzJSONWellFormed compares the JSON scanner with encoding/json.
func FuzzJSONWellFormed(f *testing.F) {
	for _, in := range jsonCorpus {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := wire.JSON.WellFormed(b)
		if got, want := err == nil, jsonOracle(b); got != want {
			t.Fatalf("JSON.WellFormed(%q) ok=%v (%v), encoding/json says %v", b, got, err, want)
		}
	})
}

func FuzzMsgPackWellFormed(f *testing.F) { fuzzBinaryWellFormed(f, wire.MsgPack) }
func FuzzCBORWellFormed(f *testing.F)    { fuzzBinaryWellFormed(f, wire.CBOR) }

// fuzzBinaryWellFormed: what the MsgPack or CBOR scanner accepts, the codec
// decodes completely, and the list check agrees with it.
func fuzzBinaryWellFormed(f *testing.F, format wire.Format) {
	for _, v := range []any{[]any{1, "a", []byte{1}, nil, 1.5, map[string]any{"k": []any{}}}, "x", -7, map[string]any{}} {
		f.Add(codecEncode(f, format, v))
	}
	for _, b := range listInputs(f)[format] {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := format.WellFormed(b)
		if format.Kind(b) == wire.KindList {
			var lb wire.ListBounds
			if lerr := format.WellFormedList(b, &lb); (lerr == nil) != (err == nil) {
				t.Fatalf("%s %x: WellFormedList %v, WellFormed %v", formatName(format), b, lerr, err)
			}
		}
		if err != nil {
			return
		}
		var v any
		err = codecDecode(format, b, &v)
		if err == nil {
			return
		}
		// Only the content of timestamps may still be refused: a time the
		// codec cannot make.
		if !strings.Contains(err.Error(), "time") {
			t.Fatalf("%s accepts %x, which the codec refuses: %v", formatName(format), b, err)
		}
	})
}

// FuzzNestingMatchesDepth holds the validators, which apply the nesting
// rule in their own walk, to the depth checkers (Format.Depth), which the
// router uses: what a validator accepts, the checker accepts; what a
// validator finds too deep, the checker finds too deep; and what the
// checker finds too deep, the validator refuses.
func FuzzNestingMatchesDepth(f *testing.F) {
	for i, format := range formats {
		for _, sh := range wiretest.Shapes {
			if sh.Format == formatName(format) {
				for _, d := range []int{3, wire.MaxDepth, wire.MaxDepth + 1} {
					f.Add(uint8(i), sh.Nest(d))
					f.Add(uint8(i), wiretest.Message(sh.Format, sh.Nest, d))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		format := formats[int(which)%len(formats)]
		scan, check := format.WellFormed(b), format.Depth(b)
		switch {
		case scan == nil && check != nil:
			t.Fatalf("%s %q: the validator accepts it, the checker says %v", formatName(format), b, check)
		case errors.Is(scan, wire.ErrTooDeep) && !errors.Is(check, wire.ErrTooDeep):
			t.Fatalf("%s %q: the validator finds it too deep, the checker says %v", formatName(format), b, check)
		case errors.Is(check, wire.ErrTooDeep) && scan == nil:
			t.Fatalf("%s %q: the checker finds it too deep, the validator accepts it", formatName(format), b)
		}
	})
}

// TestNestingMatchesDepth: validators and checkers give the same verdict
// on every shape at and beyond the limit, alone and in a message.
func TestNestingMatchesDepth(t *testing.T) {
	for _, format := range formats {
		for _, sh := range wiretest.Shapes {
			if sh.Format != formatName(format) {
				continue
			}
			for _, d := range []int{wire.MaxDepth, wire.MaxDepth + 1} {
				for _, b := range [][]byte{sh.Nest(d), wiretest.Message(sh.Format, sh.Nest, d)} {
					// WellFormed refuses tags other than timestamps
					// before it finds them too deep.
					scan, check := format.WellFormed(b), format.Depth(b)
					if deep := d > wire.MaxDepth; deep != errors.Is(check, wire.ErrTooDeep) || deep && scan == nil ||
						!deep && scan != nil && errors.Is(scan, wire.ErrTooDeep) {
						t.Errorf("%s depth %d: WellFormed %v, Depth %v", sh.Name, d, scan, check)
					}
				}
			}
		}
	}
}

// canonicalMessages are messages as the codec writes them: canonical. They
// hold the integers at the ends of int64 and uint64 (19 and 20 digits in
// JSON).
func canonicalMessages() []any {
	return []any{
		[]any{uint64(1), "realm1", map[string]any{"roles": map[string]any{}}},
		[]any{uint64(48), uint64(7), map[string]any{}, "com.example.add", []any{1, -2, 1.5, "é", true, nil, []byte{0, 255}}, map[string]any{"k": []any{}}},
		[]any{uint64(8), uint64(48), uint64(1 << 40), map[string]any{}, "wamp.error.x", []any{}, map[string]any{"a": map[string]any{"b": "c"}}},
		[]any{uint64(70), uint64(1), map[string]any{}, []any{strings.Repeat("x", 300), uint64(1 << 63), int64(-1 << 59), 1e300}},
		[]any{uint64(3), map[string]any{}, "wamp.close.normal"},
		[]any{uint64(36), uint64(1), uint64(2), map[string]any{}, []any{"\x00\"\\\n<>&\u2028"}},
		[]any{uint64(70), uint64(1), map[string]any{}, []any{int64(math.MinInt64), int64(-1000000000000000000), uint64(math.MaxUint64), uint64(1e19), uint64(math.MaxInt64)}},
	}
}

func TestCanonicalList(t *testing.T) {
	for _, format := range formats {
		for _, m := range canonicalMessages() {
			b := codecEncode(t, format, m)
			checkCanonical(t, format, b, true)
		}
		// The message's own list may have whitespace (JSON).
		if format == wire.JSON {
			checkCanonical(t, format, []byte(" [ 1 , \"realm1\" , {} ]\n"), true)
		}
	}
	// An empty list is canonical in every format (whether it is a message
	// is the caller's to say).
	for _, tc := range []struct {
		format wire.Format
		in     string
	}{{wire.JSON, `[]`}, {wire.JSON, " [ ]\n"}, {wire.MsgPack, "\x90"}, {wire.CBOR, "\x80"}} {
		checkCanonical(t, tc.format, []byte(tc.in), true)
	}
	// What the codec does not write.
	for _, tc := range []struct {
		format wire.Format
		in     string
	}{
		{wire.JSON, `[] x`},
		{wire.JSON, `[1,{"a" : 1}]`},
		{wire.JSON, `[1,[ 1]]`},
		{wire.JSON, `[1,"\u0041"]`},
		{wire.JSON, `[1,1e2]`},
		{wire.JSON, `[1,{"a":1,"a":2}]`},
		{wire.JSON, `[1,2]x`},
		{wire.JSON, "[1,\"\xff\"]"},
		{wire.JSON, `[1,` + strings.Repeat("[", wire.MaxDepth) + strings.Repeat("]", wire.MaxDepth) + `]`},
		// Spellings the codec does not write (from the router's
		// passthrough tests, which hold the whole fast path to its full
		// path).
		{wire.JSON, `[1,1e5]`},
		{wire.JSON, `[1,-0]`},
		{wire.JSON, `[1,1.50]`},
		{wire.JSON, `[1,1E2]`},
		{wire.JSON, `[1,12345678901234567890123]`},
		{wire.JSON, `[1,-9223372036854775809]`}, // below an int64: the codec refuses it
		{wire.JSON, `[1,18446744073709551616]`}, // beyond a uint64: the codec makes a float
		{wire.JSON, `[1,01]`},
		{wire.JSON, `[1,"\/"]`},
		{wire.JSON, `[1,"\u003c"]`},
		{wire.JSON, `[1,"\ud83d\ude00"]`},
		{wire.JSON, "[1,\"\u2028\"]"},
		{wire.JSON, `[1,{"a":1} ]x`},
		{wire.MsgPack, "\x92\x01\xcc\x05"},                          // a uint8 for a fixint
		{wire.MsgPack, "\x92\x01\xd0\x05"},                          // an int8 for a fixint
		{wire.MsgPack, "\x92\x01\xd4\x01\x00"},                      // a fixext1
		{wire.MsgPack, "\x92\x01\x91\xc1"},                          // a byte that is no value
		{wire.MsgPack, "\x92\x01\x91\x01\x00"},                      // bytes after the message
		{wire.CBOR, "\x82\x01\xd8\x40\x43\x01\x02\x03"},             // a typed array
		{wire.CBOR, "\x82\x01\xc2\x41\x01"},                         // a bignum
		{wire.CBOR, "\x82\x01\xf0"},                                 // a simple value
		{wire.CBOR, "\x82\x01\x3b\xff\xff\xff\xff\xff\xff\xff\xff"}, // -2^64
		{wire.CBOR, "\x82\x01\xd9\xd9\xf7\x01"},                     // the self-describe tag
		{wire.CBOR, "\x82\x01\x5f\x41\x01\xff"},                     // bytes of indefinite length
		{wire.MsgPack, "\x92\x01\xcd\x00\x01"},                      // a wide uint
		{wire.MsgPack, "\x92\x01\xca\x3f\x80\x00\x00"},              // a float32
		{wire.MsgPack, "\x92\x01\xd6\xff\x00\x00\x00\x01"},          // a timestamp extension
		{wire.MsgPack, "\x92\x01\x82\xa1a\x01\xa1a\x02"},            // a duplicate key
		{wire.MsgPack, "\x92\x01\x81\x01\x01"},                      // a key that is not a string
		{wire.MsgPack, "\xdc\x00\x02\x01\x01"},                      // the message's head not one byte
		{wire.MsgPack, "\x92\x01\xa1\xff"},                          // not UTF-8
		{wire.MsgPack, "\x92\x01\xd9\x01a"},                         // str8 for a short string
		{wire.CBOR, "\x82\x01\x18\x01"},                             // a long head for a small number
		{wire.CBOR, "\x82\x01\x9f\xff"},                             // an indefinite length
		{wire.CBOR, "\x82\x01\xf9\x3c\x00"},                         // a half float
		{wire.CBOR, "\x82\x01\xfa\x3f\x80\x00\x00"},                 // a single float
		{wire.CBOR, "\x82\x01\xc1\x01"},                             // a tag
		{wire.CBOR, "\x9f\x01\xff"},                                 // the message of indefinite length
		{wire.CBOR, "\x98\x02\x01\x01"},                             // the message's head not one byte
		{wire.CBOR, "\x82\x01\x61\xff"},                             // not UTF-8
		{wire.CBOR, "\x82\x01\xa2\x61a\x01\x61a\x02"},               // a duplicate key
	} {
		checkCanonical(t, tc.format, []byte(tc.in), false)
	}
}

// checkCanonical checks CanonicalList on b: that it says want, when
// want is known (check is false: the fuzz targets), and that what it
// accepts is well-formed, split as AppendElems splits it, and written
// the same way again by the codec after decoding.
func checkCanonical(t *testing.T, format wire.Format, b []byte, want bool) {
	t.Helper()
	var el [wire.MaxMessageLen][]byte
	n, ok := format.CanonicalList(b, &el)
	if ok != want {
		t.Errorf("%s: CanonicalList(%q) = %d, %v; want %v", formatName(format), b, n, ok, want)
	}
	if ok {
		checkAccepted(t, format, b, el[:n])
	}
}

func checkAccepted(t *testing.T, format wire.Format, b []byte, el [][]byte) {
	t.Helper()
	if err := format.WellFormed(b); err != nil {
		t.Fatalf("%s: %q is canonical, not well-formed: %v", formatName(format), b, err)
	}
	elems, err := format.AppendElems(nil, b, -1)
	if err != nil || len(elems) != len(el) {
		t.Fatalf("%s: %q: canonical in %d elements, AppendElems %d, %v", formatName(format), b, len(el), len(elems), err)
	}
	for i, e := range el {
		if !bytes.Equal(e, elems[i]) {
			t.Fatalf("%s: %q: canonical element %d is %q, AppendElems %q", formatName(format), b, i, e, elems[i])
		}
		var v any
		if err := codecDecode(format, e, &v); err != nil {
			t.Fatalf("%s: %q: canonical element %q the codec refuses: %v", formatName(format), b, e, err)
		}
		if multiKey(reflect.ValueOf(v)) {
			continue // the codec writes a map in an order of its own
		}
		if again := codecEncode(t, format, v); !bytes.Equal(again, e) {
			t.Fatalf("%s: %q: canonical element %q is written %q by the codec", formatName(format), b, e, again)
		}
	}
}

// multiKey reports whether v holds a map of more than one entry.
func multiKey(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		return !v.IsNil() && multiKey(v.Elem())
	case reflect.Map:
		if v.Len() > 1 {
			return true
		}
		for it := v.MapRange(); it.Next(); {
			if multiKey(it.Value()) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return false
		}
		for i := range v.Len() {
			if multiKey(v.Index(i)) {
				return true
			}
		}
	}
	return false
}

func FuzzCanonicalJSON(f *testing.F)    { fuzzCanonical(f, wire.JSON) }
func FuzzCanonicalMsgPack(f *testing.F) { fuzzCanonical(f, wire.MsgPack) }
func FuzzCanonicalCBOR(f *testing.F)    { fuzzCanonical(f, wire.CBOR) }

// fuzzCanonical: whatever CanonicalList accepts is well-formed, splits as
// AppendElems splits it, and the codec writes each element the same way
// after decoding it.
func fuzzCanonical(f *testing.F, format wire.Format) {
	for _, m := range canonicalMessages() {
		f.Add(codecEncode(f, format, m))
	}
	for _, b := range listInputs(f)[format] {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var el [wire.MaxMessageLen][]byte
		if n, ok := format.CanonicalList(b, &el); ok {
			checkAccepted(t, format, b, el[:n])
		}
	})
}

// TestCBORIntegerRange: one rule for integers, an int64 or a uint64, in
// the validator as in the codec. CBOR alone can write a negative integer
// below math.MinInt64 (head 0x3b with an argument of 2^63 or more) and
// epoch seconds (tag 1) beyond an int64: both are refused, alone and in a
// message, and by the depth checker of the router's full path (the codec
// reads -2^63-1 as math.MaxInt64); the ends of the range are accepted, by
// the codec too.
func TestCBORIntegerRange(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"\x3b\x7f\xff\xff\xff\xff\xff\xff\xff", true},  // math.MinInt64
		{"\x3b\x80\x00\x00\x00\x00\x00\x00\x00", false}, // math.MinInt64 - 1
		{"\x3b\xff\xff\xff\xff\xff\xff\xff\xfe", false}, // -2^64 + 1
		{"\x1b\xff\xff\xff\xff\xff\xff\xff\xff", true},  // math.MaxUint64
		{"\xc1\x1b\x7f\xff\xff\xff\xff\xff\xff\xff", true},
		{"\xc1\x1b\x80\x00\x00\x00\x00\x00\x00\x00", false},
		{"\xc1\x1b\xff\xff\xff\xff\xff\xff\xff\xff", false},
		{"\xc1\x3b\x7f\xff\xff\xff\xff\xff\xff\xff", true},
	} {
		for _, b := range [][]byte{[]byte(tc.in), append([]byte{0x82, 0x01}, tc.in...)} {
			err := wire.CBOR.WellFormed(b)
			if (err == nil) != tc.ok {
				t.Errorf("WellFormed(%x) = %v, want ok %v", b, err, tc.ok)
			}
			if b[0] == 0x82 {
				var lb wire.ListBounds
				if lerr := wire.CBOR.WellFormedList(b, &lb); (lerr == nil) != tc.ok {
					t.Errorf("WellFormedList(%x) = %v, want ok %v", b, lerr, tc.ok)
				}
			}
			// The router's full path checks with Depth, then decodes
			// with the codec, which reads some of these as other values.
			if derr := wire.CBOR.Depth(b); (derr == nil) != tc.ok {
				t.Errorf("Depth(%x) = %v, want ok %v", b, derr, tc.ok)
			}
			var v any
			if cerr := codecDecode(wire.CBOR, b, &v); tc.ok && cerr != nil && !strings.Contains(cerr.Error(), "time") {
				t.Errorf("the codec refuses %x, which WellFormed accepts: %v", b, cerr)
			}
		}
	}
}

// jsonNumberOK is the JSON number rule, from references: encoding/json's
// syntax, strconv's value, and what the codec makes of it. A number is
// accepted when the codec reads it as the value strconv reads (an integer
// exactly when it fits an int64 or a uint64, else the float) and, written
// as a fraction below 1, it has at most 100 zeros after the decimal point
// before its first other digit.
func jsonNumberOK(text string) bool {
	if !json.Valid([]byte(text)) {
		return false
	}
	frac := strings.TrimPrefix(text, "-")
	if strings.HasPrefix(frac, "0.") {
		frac = frac[2:]
		if len(frac)-len(strings.TrimLeft(frac, "0")) > 100 {
			return false
		}
	}
	var got any
	if err := codecDecode(wire.JSON, []byte(text), &got); err != nil {
		return false
	}
	if !strings.ContainsAny(text, ".eE") {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return got == any(i) || got == any(uint64(i)) && i >= 0
		}
		if u, err := strconv.ParseUint(text, 10, 64); err == nil {
			return got == any(u)
		}
	}
	want, err := strconv.ParseFloat(text, 64)
	f, isFloat := got.(float64)
	return err == nil && isFloat && f == want
}

// TestJSONNumberRule: one rule for JSON numbers, in the validator, the
// nesting checker of the router's full path and the codec: a number the
// codec refuses (a negative integer below math.MinInt64 that fits 64 bits,
// a float beyond float64's range) or reads as another number (a fraction
// with some 120 leading zeros: the codec counts them in an int8, and read
// 0.<249 zeros>1 as 1e6) is refused before any codec sees it.
func TestJSONNumberRule(t *testing.T) {
	zeros := func(n int) string { return strings.Repeat("0", n) }
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"-9223372036854775808", true},
		{"-9223372036854775809", false},
		{"-18446744073709551615", false},
		{"-18446744073709551616", true}, // beyond 64 bits: a float, as for any JSON reader
		{"18446744073709551615", true},
		{"18446744073709551616", true},
		{"-99999999999999999999999", true},
		{"1e308", true},
		{"1e400", false},
		{"-1E+400", false},
		{"1e-400", true},
		{"1" + zeros(400), false},
		{"1" + zeros(300), true},
		{"1" + zeros(400) + "e-100", true},
		{"0." + zeros(100) + "1", true},
		{"0." + zeros(101) + "1", false},
		{"0." + zeros(249) + "1", false},      // the codec read 1e6
		{"-0." + zeros(128) + "1e-99", false}, // the codec read -1e37
		{"0." + zeros(300), false},
		{"1." + zeros(300) + "1", true},
		{"-0", true},
		{"0.5e-5", true},
	} {
		// A string is no number.
		if err := wire.JSON.Depth([]byte(`"` + tc.in + `"`)); err != nil {
			t.Errorf("Depth(%.40s…) as a string: %v", tc.in, err)
		}
		if got := jsonNumberOK(tc.in); got != tc.ok {
			t.Fatalf("the test's rule says %v for %.40s…, the table %v", got, tc.in, tc.ok)
		}
		for _, in := range []string{tc.in, "[1," + tc.in + "]", `{"a":[` + tc.in + `]}`} {
			b := []byte(in)
			if err := wire.JSON.WellFormed(b); (err == nil) != tc.ok {
				t.Errorf("WellFormed(%.50s…) = %v, want ok %v", in, err, tc.ok)
			}
			if in[0] == '[' {
				var lb wire.ListBounds
				if err := wire.JSON.WellFormedList(b, &lb); (err == nil) != tc.ok {
					t.Errorf("WellFormedList(%.50s…) = %v, want ok %v", in, err, tc.ok)
				}
			}
			// The router's full path checks with Depth, then decodes with
			// the codec: Depth refuses what the codec would misread.
			derr := wire.JSON.Depth(b)
			var v any
			cerr := codecDecode(wire.JSON, b, &v)
			if derr == nil && cerr == nil && !tc.ok {
				t.Errorf("Depth and the codec accept %.50s…, which the rule refuses (read as %v)", in, v)
			}
			if tc.ok && (derr != nil || cerr != nil) {
				t.Errorf("%.50s…: Depth %v, codec %v; want both to accept", in, derr, cerr)
			}
		}
	}
}
