package wamp_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// argsValue encodes v as the only argument of a RESULT, decodes the message
// with ser and returns the argument as a Value: the path typed code takes.
func argsValue(t *testing.T, ser *wamp.Serializer, v any) wamp.Value {
	t.Helper()
	m := mustDecode(t, ser, mustEncode(t, ser, &wamp.Result{Request: 1, Args: wamp.ArgsOf(v)})).(*wamp.Result)
	vals, err := m.Args.List()
	if err != nil || len(vals) != 1 {
		t.Fatalf("%s: List = %v, %v", ser, vals, err)
	}
	return vals[0]
}

// decodeCase is one strictness case: the Go value sent, a pointer to the
// target, and the expected result.
type decodeCase struct {
	name string
	in   any
	dst  func() any // returns a fresh pointer
	want any        // the value *dst must hold on success
	// On failure: the DecodeError expected (Want, Got, and a Path).
	errWant string
	errGot  wamp.Kind
	errPath string
}

func ptr[T any]() func() any { return func() any { return new(T) } }

func strictnessCases() []decodeCase {
	type kw struct {
		Name  string   `json:"name"`
		Count int      `json:"count"`
		Tags  []string `json:"tags,omitempty"`
	}
	return []decodeCase{
		// Successes.
		{name: "int into int", in: 42, dst: ptr[int](), want: 42},
		{name: "negative into int64", in: -42, dst: ptr[int64](), want: int64(-42)},
		{name: "1.0 into int", in: 1.0, dst: ptr[int](), want: 1},
		{name: "-3.0 into int8", in: -3.0, dst: ptr[int8](), want: int8(-3)},
		{name: "int into float64", in: 3, dst: ptr[float64](), want: 3.0},
		{name: "float into float32", in: 1.5, dst: ptr[float32](), want: float32(1.5)},
		{name: "127 into int8", in: 127, dst: ptr[int8](), want: int8(127)},
		{name: "255 into uint8", in: 255, dst: ptr[uint8](), want: uint8(255)},
		{name: "uint64 max into uint64", in: uint64(math.MaxUint64), dst: ptr[uint64](), want: uint64(math.MaxUint64)},
		{name: "int64 min into int64", in: int64(math.MinInt64), dst: ptr[int64](), want: int64(math.MinInt64)},
		{name: "string into string", in: "héllo", dst: ptr[string](), want: "héllo"},
		{name: "string into named string", in: "x", dst: ptr[wamp.URI](), want: wamp.URI("x")},
		{name: "bool into bool", in: true, dst: ptr[bool](), want: true},
		{name: "bytes into []byte", in: []byte{0, 255}, dst: ptr[[]byte](), want: []byte{0, 255}},
		{name: "bytes into [2]byte", in: []byte{0, 255}, dst: ptr[[2]byte](), want: [2]byte{0, 255}},
		{name: "list into []int", in: []any{1, 2.0, -3}, dst: ptr[[]int](), want: []int{1, 2, -3}},
		{name: "list into [2]string", in: []string{"a", "b"}, dst: ptr[[2]string](), want: [2]string{"a", "b"}},
		{name: "list into [][]byte", in: []any{[]byte{1}, nil}, dst: ptr[[][]byte](), want: [][]byte{{1}, nil}},
		{name: "list into []*int", in: []any{1, nil}, dst: ptr[[]*int](), want: []*int{intp(1), nil}},
		{name: "dict into map[string]int", in: map[string]any{"a": 1, "b": -2}, dst: ptr[map[string]int](), want: map[string]int{"a": 1, "b": -2}},
		{name: "dict into map[int]string", in: map[string]any{"1": "a", "-2": "b"}, dst: ptr[map[int]string](), want: map[int]string{1: "a", -2: "b"}},
		{name: "dict into struct", in: map[string]any{"name": "x", "count": 2, "extra": []any{"ignored"}}, dst: ptr[kw](), want: kw{Name: "x", Count: 2}},
		{name: "dict into *struct", in: map[string]any{"name": "x"}, dst: ptr[*kw](), want: &kw{Name: "x"}},
		{name: "null into *int", in: nil, dst: ptr[*int](), want: (*int)(nil)},
		{name: "null into []int", in: nil, dst: ptr[[]int](), want: []int(nil)},
		{name: "null into []byte", in: nil, dst: ptr[[]byte](), want: []byte(nil)},
		{name: "null into map", in: nil, dst: ptr[map[string]int](), want: map[string]int(nil)},
		{name: "null into any", in: nil, dst: ptr[any](), want: nil},
		{name: "int into *int", in: 7, dst: ptr[*int](), want: intp(7)},
		{name: "int into **int", in: 7, dst: ptr[**int](), want: func() **int { p := intp(7); return &p }()},

		// Kind mismatches.
		{name: "string into float64", in: "1.5", dst: ptr[float64](), errWant: "float64", errGot: wamp.KindString},
		{name: "string into int", in: "1", dst: ptr[int](), errWant: "int", errGot: wamp.KindString},
		{name: "string into int64", in: "1", dst: ptr[int64](), errWant: "int64", errGot: wamp.KindString},
		{name: "string into uint16", in: "1", dst: ptr[uint16](), errWant: "uint16", errGot: wamp.KindString},
		{name: "string into bool", in: "true", dst: ptr[bool](), errWant: "bool", errGot: wamp.KindString},
		{name: "int into bool", in: 1, dst: ptr[bool](), errWant: "bool", errGot: wamp.KindUint},
		{name: "bool into int", in: true, dst: ptr[int](), errWant: "int", errGot: wamp.KindBool},
		{name: "int into string", in: 1, dst: ptr[string](), errWant: "string", errGot: wamp.KindUint},
		{name: "bool into string", in: false, dst: ptr[string](), errWant: "string", errGot: wamp.KindBool},
		{name: "bytes into string", in: []byte("x"), dst: ptr[string](), errWant: "string", errGot: wamp.KindBytes},
		{name: "string into []byte", in: "x", dst: ptr[[]byte](), errWant: "[]uint8", errGot: wamp.KindString},
		{name: "list into []byte", in: []any{1, 2}, dst: ptr[[]byte](), errWant: "[]uint8", errGot: wamp.KindList},
		{name: "float with fraction into int", in: 1.5, dst: ptr[int](), errWant: "int", errGot: wamp.KindFloat},
		{name: "float with fraction into int64", in: -0.25, dst: ptr[int64](), errWant: "int64", errGot: wamp.KindFloat},
		{name: "float with fraction into uint", in: 2.5, dst: ptr[uint](), errWant: "uint", errGot: wamp.KindFloat},
		{name: "huge float into int64", in: 1e300, dst: ptr[int64](), errWant: "int64", errGot: wamp.KindFloat},
		{name: "300 into int8", in: 300, dst: ptr[int8](), errWant: "int8", errGot: wamp.KindUint},
		{name: "-129 into int8", in: -129, dst: ptr[int8](), errWant: "int8", errGot: wamp.KindInt},
		{name: "256 into uint8", in: 256, dst: ptr[uint8](), errWant: "uint8", errGot: wamp.KindUint},
		{name: "-1 into uint", in: -1, dst: ptr[uint](), errWant: "uint", errGot: wamp.KindInt},
		{name: "-1 into uint64", in: -1, dst: ptr[uint64](), errWant: "uint64", errGot: wamp.KindInt},
		{name: "uint64 max into int64", in: uint64(math.MaxUint64), dst: ptr[int64](), errWant: "int64", errGot: wamp.KindUint},
		{name: "uint64 max into int", in: uint64(math.MaxUint64), dst: ptr[int](), errWant: "int", errGot: wamp.KindUint},
		{name: "2^31 into int32", in: int64(1) << 31, dst: ptr[int32](), errWant: "int32", errGot: wamp.KindUint},
		{name: "map into slice", in: map[string]any{"a": 1}, dst: ptr[[]int](), errWant: "[]int", errGot: wamp.KindDict},
		{name: "list into struct", in: []any{"x", 2}, dst: ptr[kw](), errWant: "wamp_test.kw", errGot: wamp.KindList},
		{name: "list into map", in: []any{"x", 2}, dst: ptr[map[string]any](), errWant: "map[string]interface {}", errGot: wamp.KindList},
		{name: "string into struct", in: "x", dst: ptr[kw](), errWant: "wamp_test.kw", errGot: wamp.KindString},
		{name: "null into int", in: nil, dst: ptr[int](), errWant: "int", errGot: wamp.KindNil},
		{name: "null into string", in: nil, dst: ptr[string](), errWant: "string", errGot: wamp.KindNil},
		{name: "null into struct", in: nil, dst: ptr[kw](), errWant: "wamp_test.kw", errGot: wamp.KindNil},
		{name: "bytes of wrong length into [2]byte", in: []byte{1, 2, 3}, dst: ptr[[2]byte](), errWant: "[2]uint8", errGot: wamp.KindBytes},
		{name: "list of wrong length into array", in: []any{1, 2, 3}, dst: ptr[[2]int](), errWant: "[2]int", errGot: wamp.KindList},

		// Nested values are as strict as top-level ones, whatever the
		// serializer (the codec alone accepts "1" for an int in JSON,
		// 1 for true in MsgPack, strings for bytes in all three).
		{name: "nested string into int", in: []any{1, "2"}, dst: ptr[[]int](), errWant: "int", errGot: wamp.KindString, errPath: "[1]"},
		{name: "nested int into string", in: []any{"a", 2}, dst: ptr[[]string](), errWant: "string", errGot: wamp.KindUint, errPath: "[1]"},
		{name: "nested int into bool", in: []any{1}, dst: ptr[[]bool](), errWant: "bool", errGot: wamp.KindUint, errPath: "[0]"},
		{name: "nested string into []byte", in: []any{"x"}, dst: ptr[[][]byte](), errWant: "[]uint8", errGot: wamp.KindString, errPath: "[0]"},
		{name: "nested bytes into string", in: []any{[]byte("x")}, dst: ptr[[]string](), errWant: "string", errGot: wamp.KindBytes, errPath: "[0]"},
		{name: "nested fraction into int", in: []any{1.5}, dst: ptr[[]int](), errWant: "int", errGot: wamp.KindFloat, errPath: "[0]"},
		{name: "nested overflow", in: []any{[]any{300}}, dst: ptr[[][]int8](), errWant: "int8", errGot: wamp.KindUint, errPath: "[0][0]"},
		{name: "struct field string into int", in: map[string]any{"count": "2"}, dst: ptr[kw](), errWant: "int", errGot: wamp.KindString, errPath: ".count"},
		{name: "struct field int into string", in: map[string]any{"name": 2}, dst: ptr[kw](), errWant: "string", errGot: wamp.KindUint, errPath: ".name"},
		{name: "struct field nested", in: map[string]any{"tags": []any{"a", true}}, dst: ptr[kw](), errWant: "string", errGot: wamp.KindBool, errPath: ".tags[1]"},
		{name: "map value", in: map[string]any{"a": "x"}, dst: ptr[map[string]int](), errWant: "int", errGot: wamp.KindString, errPath: `["a"]`},
		{name: "map key", in: map[string]any{"x": 1}, dst: ptr[map[int]int](), errWant: "map[int]int", errGot: wamp.KindDict, errPath: `["x"]`},

		// null: an error for a list element that cannot be null, the zero
		// value (as if absent) for a dictionary entry.
		{name: "null element into []int", in: []any{1, nil}, dst: ptr[[]int](), errWant: "int", errGot: wamp.KindNil, errPath: "[1]"},
		{name: "null entry into map[string]int", in: map[string]any{"a": nil}, dst: ptr[map[string]int](), want: map[string]int{"a": 0}},
		{name: "null entry into map[string]*int", in: map[string]any{"a": nil}, dst: ptr[map[string]*int](), want: map[string]*int{"a": nil}},
		{name: "null field into struct", in: map[string]any{"name": nil, "count": nil, "tags": nil}, dst: ptr[kw](), want: kw{}},
	}
}

func intp(n int) *int { return &n }

// sameKind compares kinds, taking the two integer kinds as one: whether an
// integer is written signed depends on the serializer and the Go type.
func sameKind(a, b wamp.Kind) bool {
	isInt := func(k wamp.Kind) bool { return k == wamp.KindUint || k == wamp.KindInt }
	return a == b || isInt(a) && isInt(b)
}

func TestValueDecodeStrictness(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, tc := range strictnessCases() {
			t.Run(ser.Name()+"/"+tc.name, func(t *testing.T) {
				v := argsValue(t, ser, tc.in)
				dst := tc.dst()
				err := v.Decode(dst)
				checkDecode(t, tc, dst, err)
				// DecodeValue is as strict.
				dst = tc.dst()
				checkDecode(t, tc, dst, ser.DecodeValue(mustEncodeValue(t, ser, tc.in), dst))
				// So is Payload.Decode of the whole Arguments, here into a
				// [1]T: the element path gains a "[0]".
				m := mustDecode(t, ser, mustEncode(t, ser, &wamp.Result{Request: 1, Args: wamp.ArgsOf(tc.in)})).(*wamp.Result)
				arr := reflect.New(reflect.ArrayOf(1, reflect.TypeOf(tc.dst()).Elem()))
				err = m.Args.Decode(arr.Interface())
				elem := reflect.New(arr.Elem().Type().Elem())
				elem.Elem().Set(arr.Elem().Index(0))
				tc0 := tc
				if tc0.errWant != "" {
					tc0.errPath = "[0]" + tc0.errPath
				}
				checkDecode(t, tc0, elem.Interface(), err)
			})
		}
	}
}

func checkDecode(t *testing.T, tc decodeCase, dst any, err error) {
	t.Helper()
	if tc.errWant == "" {
		if err != nil {
			t.Fatalf("Decode(%#v into %T): %v", tc.in, dst, err)
		}
		if got := reflect.ValueOf(dst).Elem().Interface(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Decode(%#v into %T) = %#v, want %#v", tc.in, dst, got, tc.want)
		}
		return
	}
	var de *wamp.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("Decode(%#v into %T) = %v, want a *DecodeError", tc.in, dst, err)
	}
	if de.Want != tc.errWant || !sameKind(de.Got, tc.errGot) || de.Path != tc.errPath {
		t.Errorf("Decode(%#v into %T): DecodeError{Want: %q, Got: %s, Path: %q}, want {%q, %s, %q} (%v)",
			tc.in, dst, de.Want, de.Got, de.Path, tc.errWant, tc.errGot, tc.errPath, err)
	}
	if !strings.Contains(err.Error(), tc.errWant) {
		t.Errorf("error %q does not name %s", err, tc.errWant)
	}
}

// jsonValue wraps a JSON text in a message and returns it as a Value.
func jsonValue(t *testing.T, text string) wamp.Value {
	t.Helper()
	m := mustDecode(t, wamp.JSON, []byte(`[50,1,{},[`+text+`]]`)).(*wamp.Result)
	vals, err := m.Args.List()
	if err != nil || len(vals) != 1 {
		t.Fatalf("List of %s = %v, %v", text, vals, err)
	}
	return vals[0]
}

func TestJSONBinary(t *testing.T) {
	var b []byte
	v := jsonValue(t, `"\u0000AP8="`)
	if v.Kind() != wamp.KindBytes {
		t.Errorf("kind of a NUL-base64 string: %s", v.Kind())
	}
	if err := v.Decode(&b); err != nil || !bytes.Equal(b, []byte{0, 255}) {
		t.Errorf(`"\u0000AP8=" into []byte = %v, %v`, b, err)
	}
	if err := jsonValue(t, `"\u0000"`).Decode(&b); err != nil || b == nil || len(b) != 0 {
		t.Errorf(`"\u0000" into []byte = %#v, %v; want empty, non-nil`, b, err)
	}
	// Without the NUL it is a string, never binary.
	for _, text := range []string{`"AP8="`, `"x\u0000AP8="`, `""`} {
		err := jsonValue(t, text).Decode(&b)
		var de *wamp.DecodeError
		if !errors.As(err, &de) || de.Want != "[]uint8" || de.Got != wamp.KindString {
			t.Errorf("%s into []byte: %v", text, err)
		}
	}
	// A NUL string that is not base64 is not valid binary.
	if err := jsonValue(t, `"\u0000!!"`).Decode(&b); err == nil {
		t.Errorf(`"\u0000!!" into []byte = %v, want an error`, b)
	}
	// … and stays a string in an interface value.
	var a any
	if err := jsonValue(t, `"\u0000!!"`).Decode(&a); err != nil || a != "\x00!!" {
		t.Errorf(`"\u0000!!" into any = %#v, %v`, a, err)
	}
}

// TestJSONBinaryIntoInterfaces: wherever an interface value receives a
// NUL-base64 string, at any depth and under any container type, it gets
// []byte, as from MsgPack and CBOR.
func TestJSONBinaryIntoInterfaces(t *testing.T) {
	const text = `[["\u0000AP8="],{"k":"\u0000AP8=","l":["\u0000AQ=="]},"\u0000AP8=","plain"]`
	want := []any{[]any{[]byte{0, 255}}, map[string]any{"k": []byte{0, 255}, "l": []any{[]byte{1}}}, []byte{0, 255}, "plain"}
	type withAny struct {
		A []any          `json:"a"`
		D map[string]any `json:"d"`
		X any            `json:"x"`
	}
	v := jsonValue(t, text)
	var a any
	if err := v.Decode(&a); err != nil || !reflect.DeepEqual(a, want) {
		t.Errorf("into any: %#v, %v", a, err)
	}
	var l []any
	if err := v.Decode(&l); err != nil || !reflect.DeepEqual(l, want) {
		t.Errorf("into []any: %#v, %v", l, err)
	}
	var la [][]any
	if err := jsonValue(t, `[["\u0000AP8="]]`).Decode(&la); err != nil || !reflect.DeepEqual(la, [][]any{{[]byte{0, 255}}}) {
		t.Errorf("into [][]any: %#v, %v", la, err)
	}
	var d map[string]any
	if err := jsonValue(t, `{"k":"\u0000AP8=","n":{"m":["\u0000AQ=="]}}`).Decode(&d); err != nil ||
		!reflect.DeepEqual(d, map[string]any{"k": []byte{0, 255}, "n": map[string]any{"m": []any{[]byte{1}}}}) {
		t.Errorf("into map[string]any: %#v, %v", d, err)
	}
	var s withAny
	if err := jsonValue(t, `{"a":["\u0000AQ=="],"d":{"k":"\u0000AQ=="},"x":"\u0000AQ=="}`).Decode(&s); err != nil ||
		!reflect.DeepEqual(s, withAny{A: []any{[]byte{1}}, D: map[string]any{"k": []byte{1}}, X: []byte{1}}) {
		t.Errorf("into a struct with interface fields: %#v, %v", s, err)
	}
	// The whole ArgumentsKw into map[string]any, and Details.
	m := mustDecode(t, wamp.JSON, []byte(`[48,1,{"b":"\u0000AQ=="},"p",[],{"b":"\u0000AQ==","l":["\u0000AQ=="]}]`)).(*wamp.Call)
	var kw map[string]any
	if err := m.Kwargs.Decode(&kw); err != nil || !reflect.DeepEqual(kw, map[string]any{"b": []byte{1}, "l": []any{[]byte{1}}}) {
		t.Errorf("ArgumentsKw into map[string]any: %#v, %v", kw, err)
	}
	if !reflect.DeepEqual(m.Options["b"], []byte{1}) {
		t.Errorf("Options: %#v", m.Options)
	}
}

// TestBinaryNative: MsgPack and CBOR carry []byte as bin / byte strings,
// distinct from strings.
func TestBinaryNative(t *testing.T) {
	for _, ser := range []*wamp.Serializer{wamp.MsgPack, wamp.CBOR} {
		v := argsValue(t, ser, []byte{0, 255})
		if v.Kind() != wamp.KindBytes {
			t.Errorf("%s: kind %s", ser, v.Kind())
		}
		raw := v.Raw()
		if (ser == wamp.MsgPack && raw[0] != 0xc4) || (ser == wamp.CBOR && raw[0] != 0x42) {
			t.Errorf("%s: bytes encoded as %x", ser, raw)
		}
		var a any
		if err := v.Decode(&a); err != nil || !reflect.DeepEqual(a, []byte{0, 255}) {
			t.Errorf("%s: into any: %#v, %v", ser, a, err)
		}
		// A string that happens to look like JSON binary stays a string.
		var s string
		if err := argsValue(t, ser, "\x00AP8=").Decode(&s); err != nil || s != "\x00AP8=" {
			t.Errorf("%s: NUL string: %q, %v", ser, s, err)
		}
	}
}

// TestRelayBinary decodes a message with one serializer and re-encodes it
// with another, as a router or a bridging client does (the payload relay
// path): bytes stay bytes, NUL-base64 on JSON, native otherwise.
func TestRelayBinary(t *testing.T) {
	blob := []byte{0, 1, 2, 0xfe, 0xff}
	orig := &wamp.Event{Subscription: 1, Publication: 2, Details: wamp.Dict{"d": blob},
		Args: wamp.ArgsOf(blob, []any{blob}, "s", 1, 1.5), Kwargs: wamp.PayloadOf(map[string]any{"b": blob, "m": map[string]any{"b": blob}})}
	for _, from := range wamp.Serializers() {
		for _, to := range wamp.Serializers() {
			t.Run(from.Name()+"→"+to.Name(), func(t *testing.T) {
				in := mustDecode(t, from, mustEncode(t, from, orig))
				out := mustEncode(t, to, in)
				if to == wamp.JSON && !bytes.Contains(out, []byte(`"\u0000AAEC/v8="`)) {
					t.Errorf("JSON relay %s has no NUL-base64 string", out)
				}
				if to != wamp.JSON && bytes.Contains(out, []byte("AAEC/v8=")) {
					t.Errorf("binary relay carries base64: %q", out)
				}
				got := mustDecode(t, to, out).(*wamp.Event)
				if d := diffMessages(orig, got); d != "" {
					t.Error(d)
				}
				var first []byte
				vals, err := got.Args.List()
				if err != nil {
					t.Fatal(err)
				}
				if err := vals[0].Decode(&first); err != nil || !bytes.Equal(first, blob) {
					t.Errorf("first argument = %v, %v", first, err)
				}
				var kw struct {
					B []byte `json:"b"`
					M struct {
						B []byte `json:"b"`
					} `json:"m"`
				}
				if err := got.Kwargs.Decode(&kw); err != nil || !bytes.Equal(kw.B, blob) || !bytes.Equal(kw.M.B, blob) {
					t.Errorf("kwargs = %+v, %v", kw, err)
				}
				// And back again.
				back := mustDecode(t, from, mustEncode(t, from, got))
				if d := diffMessages(orig, back); d != "" {
					t.Errorf("back: %s", d)
				}
			})
		}
	}
}

// TestIntegersStayIntegers: 2^53 (and beyond) decodes as an integer, not as
// a float that would lose precision, through every serializer.
func TestIntegersStayIntegers(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, n := range []any{int64(1) << 53, uint64(1)<<53 + 1, int64(-1) << 53, uint64(math.MaxUint64), int64(math.MinInt64), 0} {
			v := argsValue(t, ser, n)
			if k := v.Kind(); k != wamp.KindUint && k != wamp.KindInt {
				t.Errorf("%s: %v has kind %s", ser, n, k)
			}
			var a any
			if err := v.Decode(&a); err != nil {
				t.Fatalf("%s: %v into any: %v", ser, n, err)
			}
			switch a.(type) {
			case int64, uint64:
			default:
				t.Errorf("%s: %v into any gave %T %v, want an integer type", ser, n, a, a)
			}
			if !reflect.DeepEqual(norm(a), norm(n)) {
				t.Errorf("%s: %v into any gave %v", ser, n, a)
			}
		}
		var i int64
		if err := argsValue(t, ser, int64(1)<<53).Decode(&i); err != nil || i != 1<<53 {
			t.Errorf("%s: 2^53 into int64 = %d, %v", ser, i, err)
		}
		if err := argsValue(t, ser, uint64(1)<<53+1).Decode(&i); err != nil || i != 1<<53+1 {
			t.Errorf("%s: 2^53+1 into int64 = %d, %v", ser, i, err)
		}
		// Also inside Details and whole payloads.
		m := mustDecode(t, ser, mustEncode(t, ser, &wamp.Result{Request: 1, Details: wamp.Dict{"n": int64(1) << 53},
			Args: wamp.ArgsOf(int64(1) << 53)})).(*wamp.Result)
		if n, ok := wamp.DictInt(m.Details, "n"); !ok || n != 1<<53 {
			t.Errorf("%s: Details n = %v", ser, m.Details["n"])
		}
		if _, isFloat := m.Details["n"].(float64); isFloat {
			t.Errorf("%s: Details integer decoded as float64", ser)
		}
		if got := payloadAny(t, m.Args); !reflect.DeepEqual(got, []any{int64(1) << 53}) {
			t.Errorf("%s: Args = %#v", ser, got)
		}
		// A float stays a float.
		var f any
		if err := argsValue(t, ser, 2.0).Decode(&f); err != nil || f != 2.0 {
			t.Errorf("%s: 2.0 into any = %#v, %v", ser, f, err)
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	ns := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.UTC)
	us := ns.Truncate(time.Microsecond)
	zone := time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.FixedZone("X", 3600))
	type event struct {
		At   time.Time  `json:"at"`
		Opt  *time.Time `json:"opt"`
		Zero time.Time  `json:"zero"`
	}
	for _, ser := range wamp.Serializers() {
		want := ns // nanoseconds in every serializer (CBOR's native form had microseconds)
		for _, in := range []time.Time{want, us, zone, {}} {
			var got time.Time
			if err := argsValue(t, ser, in).Decode(&got); err != nil || !got.Equal(in) || offsetOf(got) != offsetOf(in) {
				t.Errorf("%s: %v into time.Time = %v, %v", ser, in, got, err)
			}
		}
		m := mustDecode(t, ser, mustEncode(t, ser, &wamp.Result{Request: 1, Args: wamp.ArgsOf(want),
			Kwargs: wamp.PayloadOf(event{At: want, Opt: &want})})).(*wamp.Result)
		var ev event
		if err := m.Kwargs.Decode(&ev); err != nil || ev.At != want || ev.Opt == nil || *ev.Opt != want || ev.Zero != (time.Time{}) {
			t.Errorf("%s: kwargs with times = %+v, %v", ser, ev, err)
		}
		var ts []time.Time
		if err := m.Args.Decode(&ts); err != nil || len(ts) != 1 || !ts[0].Equal(want) {
			t.Errorf("%s: Args into []time.Time = %v, %v", ser, ts, err)
		}
		// A number or a list is not a time.
		var tt time.Time
		if err := argsValue(t, ser, []any{1}).Decode(&tt); err == nil {
			t.Errorf("%s: a list decoded as time %v", ser, tt)
		}
	}
}

// TestStructKwargs decodes ArgumentsKw into structs the way generated code
// does for kwargs procedures: json tags, codec tags first, "-", embedded
// structs inlined, pointers allocated, unknown keys ignored.
func TestStructKwargs(t *testing.T) {
	type Inner struct {
		Street string `json:"street"`
	}
	type Base struct {
		ID    int64  `json:"id"`
		Shade string `json:"name"` // shadowed by Person.Name
	}
	type Person struct {
		Base
		*Inner
		Name     string            `json:"name"`
		Age      uint8             `json:"age,omitempty"`
		Email    *string           `json:"email"`
		Tags     []string          `json:"tags"`
		Scores   map[string]int    `json:"scores"`
		Friends  []Person          `json:"friends"`
		Codec    int               `codec:"c" json:"j"`
		Skip     string            `json:"-"`
		NoTag    bool              // wire name "NoTag"
		Raw      map[string]any    `json:"raw"`
		Nested   *struct{ X int }  `json:"nested"`
		private  int               //nolint:unused // never set
		Matrix   [][]float64       `json:"matrix"`
		Labelled map[string]string `json:"labelled"`
	}
	in := map[string]any{
		"id": 7, "name": "Ada", "street": "Main", "age": 36, "email": "ada@example.com",
		"tags": []any{"a", "b"}, "scores": map[string]any{"x": 1}, "c": 5, "j": 6, "Skip": "no", "-": "no",
		"NoTag": true, "raw": map[string]any{"k": []any{1, "x"}}, "nested": map[string]any{"X": 3},
		"friends": []any{map[string]any{"name": "Bob", "friends": nil}}, "unknown": "ignored",
		"matrix": []any{[]any{1, 2.5}}, "labelled": nil, "private": 1,
	}
	for _, ser := range wamp.Serializers() {
		m := mustDecode(t, ser, mustEncode(t, ser, &wamp.Call{Request: 1, Procedure: "p", Kwargs: wamp.PayloadOf(in)})).(*wamp.Call)
		var p Person
		if err := m.Kwargs.Decode(&p); err != nil {
			t.Fatalf("%s: %v", ser, err)
		}
		email := "ada@example.com"
		want := Person{
			Base: Base{ID: 7}, Inner: &Inner{Street: "Main"}, Name: "Ada", Age: 36, Email: &email,
			Tags: []string{"a", "b"}, Scores: map[string]int{"x": 1}, Codec: 5, NoTag: true,
			Raw: map[string]any{"k": []any{int64(1), "x"}}, Nested: &struct{ X int }{3},
			Friends: []Person{{Name: "Bob"}}, Matrix: [][]float64{{1, 2.5}},
		}
		p.Raw = norm(p.Raw).(map[string]any)
		if !reflect.DeepEqual(p, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", ser, p, want)
		}
		// The same struct encoded as kwargs travels under the same names.
		m = mustDecode(t, ser, mustEncode(t, ser, &wamp.Call{Request: 1, Procedure: "p", Kwargs: wamp.PayloadOf(&want)})).(*wamp.Call)
		var back Person
		if err := m.Kwargs.Decode(&back); err != nil {
			t.Fatalf("%s: struct round trip: %v", ser, err)
		}
		back.Raw = norm(back.Raw).(map[string]any)
		if !reflect.DeepEqual(back, want) {
			t.Errorf("%s: struct round trip:\n got %+v\nwant %+v", ser, back, want)
		}
		var d map[string]any
		if err := m.Kwargs.Decode(&d); err != nil || d["name"] != "Ada" || d["c"] == nil || d["street"] != "Main" {
			t.Errorf("%s: struct kwargs as a dict: %v, %v", ser, d, err)
		}
		// Absent fields keep their values; a wrong kind names the field.
		p2 := Person{Name: "keep", Age: 1}
		mm := mustDecode(t, ser, mustEncode(t, ser, &wamp.Call{Request: 1, Procedure: "p", Kwargs: wamp.PayloadOf(map[string]any{"age": 2})})).(*wamp.Call)
		if err := mm.Kwargs.Decode(&p2); err != nil || p2.Name != "keep" || p2.Age != 2 {
			t.Errorf("%s: partial decode = %+v, %v", ser, p2, err)
		}
		mm = mustDecode(t, ser, mustEncode(t, ser, &wamp.Call{Request: 1, Procedure: "p",
			Kwargs: wamp.PayloadOf(map[string]any{"friends": []any{map[string]any{"age": 300}}})})).(*wamp.Call)
		var de *wamp.DecodeError
		if err := mm.Kwargs.Decode(&p2); !errors.As(err, &de) || de.Path != ".friends[0].age" || de.Want != "uint8" {
			t.Errorf("%s: overflow deep in kwargs: %v", ser, err)
		}
	}
}

func TestDecodeErrorMessages(t *testing.T) {
	tests := []struct {
		err  *wamp.DecodeError
		want string
	}{
		{&wamp.DecodeError{Want: "float64", Got: wamp.KindString}, "expected float64, got string"},
		{&wamp.DecodeError{Want: "int", Got: wamp.KindString, Path: ".a[1]"}, "expected int, got string at .a[1]"},
		{&wamp.DecodeError{Want: "int8", Got: wamp.KindUint, Err: errors.New("300 overflows int8")}, "cannot decode integer into int8: 300 overflows int8"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	inner := errors.New("inner")
	if !errors.Is(&wamp.DecodeError{Err: inner}, inner) {
		t.Error("DecodeError does not unwrap")
	}
}

// TestDecodeInvalidTargets: decoding into nil or non-pointers returns an
// error and never panics.
func TestDecodeInvalidTargets(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		v := argsValue(t, ser, 1)
		for _, dst := range []any{nil, 1, (*int)(nil), (*int64)(nil), (*float64)(nil), (*string)(nil), (*bool)(nil),
			(*[]byte)(nil), (*any)(nil), (*[]int)(nil), (*struct{})(nil), new(chan int), new(func()), new(complex128)} {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s: Decode into %T panicked: %v", ser, dst, r)
					}
				}()
				if err := v.Decode(dst); err == nil {
					t.Errorf("%s: Decode into %T succeeded", ser, dst)
				}
			}()
		}
	}
}

// TestDecodeValueMalformed: DecodeValue checks its input like Decode does.
func TestDecodeValueMalformed(t *testing.T) {
	for _, tc := range []struct {
		ser *wamp.Serializer
		raw string
	}{
		{wamp.JSON, ``}, {wamp.JSON, `[1,2`}, {wamp.JSON, `[1] 2`}, {wamp.JSON, `{"a":}`},
		{wamp.MsgPack, ""}, {wamp.MsgPack, "\x92\x01"}, {wamp.MsgPack, "\xc1"}, {wamp.MsgPack, "\x01\x02"},
		{wamp.CBOR, ""}, {wamp.CBOR, "\x82\x01"}, {wamp.CBOR, "\xff"}, {wamp.CBOR, "\x01\x02"},
	} {
		var a any
		err := tc.ser.DecodeValue([]byte(tc.raw), &a)
		var de *wamp.DecodeError
		if !errors.As(err, &de) || !errors.Is(err, wamp.ErrMalformed) {
			t.Errorf("%s: DecodeValue(%q) = %v, want a DecodeError wrapping ErrMalformed", tc.ser, tc.raw, err)
		}
	}
	for _, ser := range wamp.Serializers() {
		var a any
		deep := mustEncodeDeep(t, ser, nested(101, 1))
		if err := ser.DecodeValue(deep, &a); !errors.Is(err, wamp.ErrMalformed) {
			t.Errorf("%s: 101 levels: %v", ser, err)
		}
		if err := ser.DecodeValue(mustEncodeValue(t, ser, nested(100, 1)), &a); err != nil {
			t.Errorf("%s: 100 levels: %v", ser, err)
		}
	}
}

// TestNullStructFieldKeepsValue: a null dictionary entry leaves a struct
// field that cannot be null as it is, like an absent one.
func TestNullStructFieldKeepsValue(t *testing.T) {
	type kw struct {
		N int    `json:"n"`
		S string `json:"s"`
		P *int   `json:"p"`
	}
	for _, ser := range wamp.Serializers() {
		got := kw{N: 1, S: "keep", P: intp(3)}
		v := argsValue(t, ser, map[string]any{"n": nil, "s": nil, "p": nil})
		if err := v.Decode(&got); err != nil || got.N != 1 || got.S != "keep" || got.P != nil {
			t.Errorf("%s: %+v, %v", ser, got, err)
		}
	}
}

// TestJSONWholeFloats pins a quirk of the codec's JSON encoder: a float64
// with no fraction from 1e16 up to 1e21 is written without ".0", so that a
// peer reads it back as an integer; the value is kept, and it still decodes
// into float64. Smaller whole floats keep their ".0".
func TestJSONWholeFloats(t *testing.T) {
	for f, want := range map[float64]string{1: "1.0", 1e15: "1000000000000000.0", 1e16: "10000000000000000", 1e21: "1e+21", 0.5: "0.5"} {
		if b := mustEncodeValue(t, wamp.JSON, f); string(b) != want {
			t.Errorf("%v encodes as %s, want %s", f, b, want)
		}
		var got float64
		if err := wamp.JSON.DecodeValue(mustEncodeValue(t, wamp.JSON, f), &got); err != nil || got != f {
			t.Errorf("%v decodes as %v, %v", f, got, err)
		}
	}
}

// TestMsgpackTimestampForms: the MsgPack spec reads a timestamp (extension
// type -1) by the length of its data, 4, 8 or 12 bytes, whatever the
// extension format holding it, and forbids nanoseconds beyond 999999999.
// Every form decodes, into a time.Time as into an interface value; the
// forbidden nanoseconds are refused rather than carried into the seconds.
// A MsgPack string is no time (the codec read its bytes as a timestamp).
func TestMsgpackTimestampForms(t *testing.T) {
	sec1, ns := time.Unix(1, 0).UTC(), time.Unix(1, 5).UTC()
	for _, tc := range []struct {
		hex  string
		want time.Time
	}{
		{"d6ff00000001", sec1},         // timestamp 32 (fixext4)
		{"c704ff00000001", sec1},       // in ext8
		{"c80004ff00000001", sec1},     // in ext16
		{"c900000004ff00000001", sec1}, // in ext32
		{"d7ff0000001400000001", ns},   // timestamp 64 (fixext8): 5<<34 | 1
		{"c708ff0000001400000001", ns},
		{"d7ffee6b27fc00000000", time.Unix(0, 999999999).UTC()},
		{"c70cff000000050000000000000001", ns},   // timestamp 96 (ext8)
		{"c8000cff000000050000000000000001", ns}, // in ext16
		{"c70cff00000000ffffffffffffffff", time.Unix(-1, 0).UTC()},
	} {
		raw := mustHex(tc.hex)
		var got time.Time
		if err := wamp.MsgPack.DecodeValue(raw, &got); err != nil || got != tc.want {
			t.Errorf("%s into time.Time = %v, %v; want %v", tc.hex, got, err, tc.want)
		}
		var a any
		if err := wamp.MsgPack.DecodeValue(raw, &a); err != nil || a != tc.want {
			t.Errorf("%s into any = %#v, %v; want %v", tc.hex, a, err, tc.want)
		}
		m, err := wamp.MsgPack.Decode(append(mustHex("9432018091"), raw...)) // [50, 1, {}, [ts]]
		if err != nil {
			t.Errorf("%s in a RESULT: %v", tc.hex, err)
			continue
		}
		var ts []time.Time
		if err := m.(*wamp.Result).Args.Decode(&ts); err != nil || len(ts) != 1 || ts[0] != tc.want {
			t.Errorf("%s in a RESULT into []time.Time = %v, %v", tc.hex, ts, err)
		}
	}
	for _, bad := range []string{
		"d7ffee6b280000000000",                 // timestamp 64 with 1e9 nanoseconds
		"d7ffffffffff00000001",                 // timestamp 64 with 2^30-1 nanoseconds
		"c70cff3b9aca000000000000000000",       // timestamp 96 with 1e9 nanoseconds
		"c705ff0000000001",                     // 5 bytes of data
		"d8ff00000001000000000000000000000001", // 16 bytes of data
	} {
		var a any
		if err := wamp.MsgPack.DecodeValue(mustHex(bad), &a); !errors.Is(err, wamp.ErrMalformed) {
			t.Errorf("%s into any = %#v, %v; want ErrMalformed", bad, a, err)
		}
		decodeMalformed(t, wamp.MsgPack, append(mustHex("9432018091"), mustHex(bad)...))
	}
	var got time.Time
	if err := wamp.MsgPack.DecodeValue(mustHex("a461626364"), &got); err == nil { // "abcd"
		t.Errorf(`MsgPack "abcd" into time.Time = %v`, got)
	}
}
