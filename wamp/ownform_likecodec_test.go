package wamp_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// The own-form encoder writes structs, lists and dictionaries itself when
// they hold an own form. For everything else it must be the codec's twin:
// these cases put an own form (a time) in an `any` field of odd structs
// and compare the bytes with the codec's for the same struct holding the
// time's text instead. (Maps with more than one key differ on purpose:
// the codec writes them in map order, this package in key order.)

type OddEmbedded struct {
	E1 int    `json:"e1"`
	E2 string `json:"e2,omitempty"`
}

type oddUnexportedEmbedded struct {
	U1 int `json:"u1"`
	u2 int
}

type oddScalar int

type OddNamed struct{ N int }

type oddStruct struct {
	*OddEmbedded                         // a non-nil (or nil) embedded pointer: inlined
	oddUnexportedEmbedded                // unexported, its exported fields promoted
	oddScalar                            // unexported embedded non-struct: left out
	OddNamed              `json:"named"` // tagged: a field, not inlined
	A                     int            `json:"a,omitempty"`
	B                     string         `json:",omitempty"`
	Dash                  int            `json:"-,"`
	Skip                  int            `json:"-"`
	Both                  int            `codec:"c" json:"j"`
	Arr                   [3]byte        `json:"arr,omitempty"`
	ZeroArr               [2]int         `json:"zarr,omitempty"`
	Bytes                 []byte         `json:"bytes"`
	Ptr                   *int           `json:"ptr,omitempty"`
	ZeroStruct            OddNamed       `json:"zs,omitempty"`
	EmptyMap              map[string]int `json:"em,omitempty"`
	IntMap                map[int]string `json:"im"`
	F32                   float32        `json:"f32"`
	Nil                   any            `json:"nil"`
	X                     any            `json:"x"`
	unexported            int
}

func TestOwnStructBytesLikeCodec(t *testing.T) {
	one := 1
	full := func(x any) oddStruct {
		return oddStruct{
			OddEmbedded:           &OddEmbedded{E1: 1},
			oddUnexportedEmbedded: oddUnexportedEmbedded{U1: 2, u2: 3},
			oddScalar:             4, OddNamed: OddNamed{5}, Dash: 6, Skip: 7, Both: 8,
			Arr: [3]byte{1, 2, 3}, Bytes: []byte{0, 255}, Ptr: &one,
			IntMap: map[int]string{-1: "c"}, // one key: the codec writes map order
			F32:    1.5, X: x, unexported: 9,
		}
	}
	for _, ser := range wamp.Serializers() {
		text := tUTC.Format(time.RFC3339Nano)
		for name, pair := range map[string][2]any{
			"full":    {full(tUTC), full(text)},
			"empty":   {oddStruct{OddEmbedded: &OddEmbedded{}, X: tUTC}, oddStruct{OddEmbedded: &OddEmbedded{}, X: text}},
			"pointer": {&oddStruct{OddEmbedded: &OddEmbedded{}, X: tUTC}, &oddStruct{OddEmbedded: &OddEmbedded{}, X: text}},
			"scalars in a list": {[]any{1, int64(-2), uint64(1 << 63), true, false, nil, "s", "needs \"escapes\"\n", 1.5, float32(0), -0.0, tUTC, map[string]any{"t": []any{-1 << 40, tUTC}}},
				[]any{1, int64(-2), uint64(1 << 63), true, false, nil, "s", "needs \"escapes\"\n", 1.5, float32(0), -0.0, text, map[string]any{"t": []any{-1 << 40, text}}}},
			"in a list":            {[]any{1, full(tUTC)}, []any{1, full(text)}},
			"in a map":             {map[string]oddStruct{"k": full(tUTC)}, map[string]oddStruct{"k": full(text)}},
			"time in a nested any": {full([]any{map[string]any{"t": tUTC}}), full([]any{map[string]any{"t": text}})},
		} {
			own, err := ser.EncodeValue(pair[0])
			if err != nil {
				t.Fatalf("%s: %s: %v", ser, name, err)
			}
			codec, err := ser.EncodeValue(pair[1])
			if err != nil {
				t.Fatalf("%s: %s: %v", ser, name, err)
			}
			if !bytes.Equal(own, codec) {
				t.Errorf("%s: %s\n own %q\ncodec %q", ser, name, own, codec)
			}
		}
	}
}

// TestOwnStructNilEmbeddedPointer: the one deliberate difference from the
// codec. Behind a nil embedded pointer the codec writes each field as
// null (unless omitempty), and decoding that allocates the pointer: the
// value does not arrive as sent. This package leaves those fields out, so
// the pointer arrives nil.
func TestOwnStructNilEmbeddedPointer(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		raw, err := ser.EncodeValue(oddStruct{X: tUTC})
		if err != nil {
			t.Fatal(err)
		}
		var got oddStruct
		if err := ser.DecodeValue(raw, &got); err != nil || got.OddEmbedded != nil {
			t.Errorf("%s: %q decoded as %+v, %v; want a nil embedded pointer", ser, raw, got, err)
		}
	}
}
