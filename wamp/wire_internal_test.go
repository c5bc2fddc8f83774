package wamp

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// The encoder and the Value readers against the codec they stand in for:
// the same messages written, the same scalars decoded, the same errors.
// The format code itself (splitting, list bounds, the scalar readers and
// writers, the validators) is tested against the codec in internal/wire.

// wireMessages are messages whose dictionaries have at most one entry, so
// that their encoding does not depend on map order.
func wireMessages() []Message {
	one := Dict{"k": "v"}
	args := ArgsOf(1, -2, "a", true, nil, 1.5, []byte{0, 255}, []any{"x", uint64(math.MaxUint64)}, map[string]any{"n": 1}, "ünï ✓", `q"\`)
	kw := PayloadOf(map[string]any{"a": []any{1.0}})
	long := strings.Repeat("x", 300)
	return []Message{
		&Hello{Realm: "realm1", Details: one},
		&Hello{Realm: "r\x00\n\"é"},
		&Welcome{Session: MaxID, Details: Dict{"roles": Dict{}}},
		&Abort{Reason: "wamp.error.x"},
		&Abort{Details: one, Reason: "wamp.error.x", Args: args, Kwargs: kw},
		&Challenge{AuthMethod: "ticket"},
		&Authenticate{Signature: long, Extra: one},
		&Goodbye{Reason: "wamp.close.normal"},
		&Error{RequestType: TypeCall, Request: 1 << 32, Error: "e", Args: args},
		&Error{RequestType: TypeInvocation, Request: 200, Error: "e", Kwargs: kw},
		&Publish{Request: 70000, Options: one, Topic: "t", Args: ArgsOf(), Kwargs: PayloadOf(struct {
			A int `json:"a"`
		}{1})},
		&Published{Request: 1, Publication: 255},
		&Subscribe{Request: 256, Topic: URI(long)},
		&Subscribed{Request: 65535, Subscription: 65536},
		&Unsubscribe{Request: 1, Subscription: 2},
		&Unsubscribed{Request: 5},
		&Unsubscribed{Request: 5, Details: Dict{}},
		&Unsubscribed{Details: Dict{"reason": "x"}},
		&Event{Subscription: 1, Publication: 2, Args: ArgsOf(time.Unix(1, 5).UTC())},
		&Call{Request: 7, Procedure: "com.x", Args: ArgsOf(1.0, 2.0)},
		&Call{Request: 7, Options: Dict{"timeout": 1000}, Procedure: "com.x", Args: PayloadOf([2]int{1, 2}), Kwargs: PayloadOf(&map[string]int{"b": 2})},
		&Call{Request: 7, Procedure: "com.x", Args: PayloadOf([]string(nil)), Kwargs: PayloadOf(map[string]any(nil))},
		&Cancel{Request: 1, Options: Dict{"mode": "kill"}},
		&Result{Request: 12345, Details: Dict{"progress": true}, Args: ArgsOf(int64(-1) << 60)},
		// {"progress": true} is written from bytes computed once (progressdict.go); the others by the codec.
		&Yield{Request: 3, Options: Dict{"progress": true}, Args: ArgsOf([]byte("item"))},
		&Result{Request: 3, Details: Dict{"progress": false}},
		&Result{Request: 3, Details: Dict{"progress": 1}},
		&Result{Request: 1, Kwargs: kw},
		&Register{Request: 1, Procedure: "p"},
		&Registered{Request: 1, Registration: 2},
		&Unregister{Request: 1, Registration: 2},
		&Unregistered{Details: Dict{"registration": 9}},
		&Invocation{Request: 1, Registration: 2, Args: ArgsOf(float32(1.25))},
		&Interrupt{Request: 1},
		&Yield{Request: 1, Args: ArgsOf(strings.Repeat("é", 40))},
		// Only simple values: the hand-written list writer.
		&Yield{Request: 1, Args: ArgsOf(nil, true, false, 0.0, -0.0, 1.5, math.Inf(1), math.NaN(), float32(0.1), float32(-2),
			0, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, math.MaxInt32, math.MaxInt32+1, math.MaxInt64,
			-1, -32, -33, -128, -129, -32768, -32769, math.MinInt32, math.MinInt32-1, math.MinInt64,
			int64(-5), int64(300), int32(-70000), int32(70000), uint(7), uint32(1<<31), uint64(math.MaxUint64), uint64(200), uint64(1<<40),
			"", "a", strings.Repeat("s", 31), strings.Repeat("s", 32), strings.Repeat("s", 255), strings.Repeat("s", 256), strings.Repeat("s", 65536),
			[]byte(nil), []byte{}, []byte{1}, make([]byte, 255), make([]byte, 256), make([]byte, 65536))},
		&Result{Request: 1, Args: ArgsOf(3.0)},
		&Call{Request: 1, Procedure: "p", Args: ArgsOf(1.0, 2.0, time.Unix(3, 0).UTC())}, // one that is not simple
	}
}

func TestEncodeMatchesCodec(t *testing.T) {
	for _, ser := range Serializers() {
		for _, m := range wireMessages() {
			want, werr := ser.refEncode(m)
			got, err := ser.Encode(m)
			if (err == nil) != (werr == nil) || !bytes.Equal(got, want) {
				t.Errorf("%s: %T %+v:\n got %s, %v\nwant %s, %v", ser, m, m, hex.EncodeToString(got), err, hex.EncodeToString(want), werr)
			}
			// And appended to something.
			prefix := []byte("prefix")
			app, err := ser.AppendEncode(prefix, m)
			if err != nil || !bytes.Equal(app[len(prefix):], want) || string(app[:len(prefix)]) != "prefix" {
				t.Errorf("%s: AppendEncode(%T) = %q, %v", ser, m, app, err)
			}
			// A decoded message re-encodes the same way.
			d, err := ser.Decode(want)
			if err != nil {
				t.Fatalf("%s: %v", ser, err)
			}
			want2, _ := ser.refEncode(d)
			got2, err := ser.Encode(d)
			if err != nil || !bytes.Equal(got2, want2) {
				t.Errorf("%s: decoded %T:\n got %s, %v\nwant %s", ser, d, hex.EncodeToString(got2), err, hex.EncodeToString(want2))
			}
			// Relayed to the other serializers.
			for _, to := range Serializers() {
				want3, werr := to.refEncode(d)
				got3, err := to.Encode(d)
				if (err == nil) != (werr == nil) || !bytes.Equal(got3, want3) {
					t.Errorf("%s→%s: %T:\n got %s, %v\nwant %s, %v", ser, to, d, hex.EncodeToString(got3), err, hex.EncodeToString(want3), werr)
				}
			}
		}
	}
}

// listInputs are encoded lists with every kind of element, including
// encodings Encode never writes (CBOR indefinite lengths and half floats,
// MsgPack's wider integer forms, JSON whitespace).
func listInputs(t testing.TB) map[*Serializer][][]byte {
	in := map[*Serializer][][]byte{}
	vals := []any{
		[]any{}, []any{nil}, []any{1, -1, 0, 127, 128, -32, -33, 255, 256, 65535, 65536, int64(math.MinInt64), uint64(math.MaxUint64)},
		[]any{"", "a", strings.Repeat("b", 40), strings.Repeat("c", 300), "é\x00\"\\/\n<>&\u2028"},
		[]any{1.5, float32(0.1), math.Inf(-1), 0.0, -0.0, 1e300, 5e-324, 1.0, 1e16},
		[]any{true, false, []byte{}, []byte{1, 2, 3}, map[string]any{}, map[string]any{"a": []any{map[string]any{"b": nil}}}},
		[]any{time.Unix(1, 5).UTC(), []any{[]any{[]any{}}}, 7},
	}
	for _, ser := range Serializers() {
		for _, v := range vals {
			b, err := ser.EncodeValue(v)
			if err != nil {
				t.Fatal(err)
			}
			in[ser] = append(in[ser], b)
		}
	}
	in[JSON] = append(in[JSON], []byte(` [ 1 , "a,]" , { "k" : [ 1 , { } ] } , [ ] , null , true , false , -1.5e+3 , "\"\\" ] `), []byte("[\n]"), []byte(`[0]`))
	in[MsgPack] = append(in[MsgPack], mustHexT(t, "dc0003"+"d0ff"+"d1ffff"+"cd0001"), mustHexT(t, "dd00000002"+"ca3f800000"+"d9026162"),
		mustHexT(t, "93"+"c70301"+"ffffffff"[:0]+"000000"+"d6ff00000001"+"c403010203"))
	in[CBOR] = append(in[CBOR], mustHexT(t, "9f"+"f93c00"+"5f4101420203ff"+"7f6161ff"+"bf616101ff"+"9f01ff"+"c11a514b67b0"+"ff"),
		mustHexT(t, "83"+"f97c00"+"f98001"+"fa3f800000"), mustHexT(t, "81"+"1bffffffffffffffff"), mustHexT(t, "81"+"3bffffffffffffffff"),
		mustHexT(t, "8201"+"9f9fffff"), mustHexT(t, "9f01"+"9f9fffffff"))
	return in
}

func mustHexT(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestScalarsMatchCodec decodes every element of the list inputs into each
// scalar type, through the hand-written readers and through the codec.
func TestScalarsMatchCodec(t *testing.T) {
	for ser, inputs := range listInputs(t) {
		for _, b := range inputs {
			checkScalars(t, ser, b)
		}
	}
	for _, n := range []string{"0", "-0", "1e2", "1E+2", "-1.5e-3", "1e400", "-1e400", "18446744073709551615", "18446744073709551616",
		"-9223372036854775808", "-9223372036854775809", "9007199254740993", "0.1", "123456789012345678901234567890", "1.7976931348623157e308"} {
		checkScalars(t, JSON, []byte("["+n+"]"))
	}
}

func checkScalars(t *testing.T, ser *Serializer, list []byte) {
	t.Helper()
	elems, err := ser.appendElems(nil, list)
	if err != nil {
		return
	}
	for _, e := range elems {
		k := ser.kind(e)
		v := Value{raw: e, ser: ser}
		same := func(what string, got, want any, err, werr error) {
			t.Helper()
			if (err == nil) != (werr == nil) {
				t.Errorf("%s: %x into %s: error %v, codec %v", ser, e, what, err, werr)
				return
			}
			if err != nil {
				if err.Error() != werr.Error() {
					t.Errorf("%s: %x into %s: error %q, codec %q", ser, e, what, err, werr)
				}
				return
			}
			if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
				t.Errorf("%s: %x into %s: %#v, codec %#v", ser, e, what, got, want)
			}
		}
		f, err := v.Float64()
		wf, werr := refFloat64(ser, e, k)
		if u, ok := ser.uintOf(e); ok && k == KindUint && u > math.MaxInt64 && ser != JSON {
			// The codec reads a MsgPack uint64 above MaxInt64 as the
			// int64 it wraps to (2^64-1 as -1.0), and refuses a CBOR
			// one; the hand-written reader gives the number.
			wf, werr = float64(u), nil
		}
		if err == nil && werr == nil && math.IsNaN(f) && math.IsNaN(wf) {
			f, wf = 0, 0
		}
		same("float64", f, wf, err, werr)
		var wi int64
		i, err := v.Int64()
		same("int64", i, wi, err, refInt(ser, e, k, &wi))
		var wn int
		n, err := v.Int()
		same("int", n, wn, err, refInt(ser, e, k, &wn))
		var wu uint64
		u, err := v.Uint64()
		same("uint64", u, wu, err, refInt(ser, e, k, &wu))
		var wb bool
		bl, err := v.Bool()
		same("bool", bl, wb, err, refWrap(ser, e, k, &wb, "bool", KindBool))
		var ws string
		s, err := v.Text()
		same("string", s, ws, err, refWrap(ser, e, k, &ws, "string", KindString))
	}
}

// The codec's decoding, as decodeValue did it before the hand-written
// readers.

func refWrap(ser *Serializer, raw []byte, k Kind, dst any, want string, kind Kind) error {
	if k != kind {
		return &DecodeError{Want: want, Got: k}
	}
	return ser.wrap(raw, dst, want, k)
}

func refFloat64(ser *Serializer, raw []byte, k Kind) (float64, error) {
	if k != KindUint && k != KindInt && k != KindFloat {
		return 0, &DecodeError{Want: "float64", Got: k}
	}
	var f float64
	err := ser.wrap(raw, &f, "float64", k)
	return f, err
}

// refInt decodes an integer as decodeInt and decodeUint did with the codec.
func refInt(ser *Serializer, raw []byte, k Kind, dst any) error {
	want, lo, hi := "int64", int64(math.MinInt64), int64(math.MaxInt64)
	switch dst.(type) {
	case *int:
		want, lo, hi = "int", math.MinInt, math.MaxInt
	case *uint64:
		want, lo = "uint64", 0
	}
	var n int64
	switch k {
	case KindUint:
		var u uint64
		if err := ser.decode(raw, &u); err != nil {
			return &DecodeError{Want: want, Got: k, Err: err}
		}
		if p, ok := dst.(*uint64); ok {
			*p = u
			return nil
		}
		if u > uint64(hi) {
			return &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%d overflows %s", u, want)}
		}
		n = int64(u)
	case KindInt:
		if err := ser.decode(raw, &n); err != nil {
			return &DecodeError{Want: want, Got: k, Err: err}
		}
		if n < lo || n > hi {
			return &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%d overflows %s", n, want)}
		}
	case KindFloat:
		var f float64
		if err := ser.decode(raw, &f); err != nil {
			return &DecodeError{Want: want, Got: k, Err: err}
		}
		if f != math.Trunc(f) || f < float64(lo) || f >= -float64(math.MinInt64) || f > float64(hi) {
			return &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%v is not an integer in range", f)}
		}
		n = int64(f)
	default:
		return &DecodeError{Want: want, Got: k}
	}
	switch p := dst.(type) {
	case *int64:
		*p = n
	case *int:
		*p = int(n)
	case *uint64:
		*p = uint64(n)
	}
	return nil
}

func FuzzScalarsJSON(f *testing.F)    { fuzzScalars(f, JSON) }
func FuzzScalarsMsgPack(f *testing.F) { fuzzScalars(f, MsgPack) }
func FuzzScalarsCBOR(f *testing.F)    { fuzzScalars(f, CBOR) }

func fuzzScalars(f *testing.F, ser *Serializer) {
	for _, b := range listInputs(f)[ser] {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if ser.wellFormed(b) == nil && ser.kind(b) == KindList {
			checkScalars(t, ser, b)
		}
	})
}
