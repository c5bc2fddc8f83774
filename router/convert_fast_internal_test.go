package router

import (
	"bytes"
	"math"
	"reflect"
	"testing"

	"github.com/gammazero/nexus/v3/wamp"
	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire"
)

// codecAppend is appendValue without its fast path: the codec alone.
func codecAppend(t *testing.T, s *serializer, v any) []byte {
	t.Helper()
	var out []byte
	if err := codec.NewEncoderBytes(&out, s.handle).Encode(v); err != nil {
		t.Fatal(err)
	}
	return out
}

// codecDecode is decodeValue without its fast path.
func codecDecode(t *testing.T, s *serializer, b []byte) any {
	t.Helper()
	var v any
	if err := codec.NewDecoderBytes(b, s.handle).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if s.json {
		wire.DecodeBinaryStrings(v)
	}
	return v
}

// Converting a payload from one serializer to another writes lists of
// plain values, and reads JSON lists of byte strings, without the codec:
// byte for byte, and value for value, what the codec writes and reads.
func TestConvertFastLikeCodec(t *testing.T) {
	lists := []wamp.List{
		{},
		{[]byte{1, 2, 3}},
		{[]byte{}, bytes.Repeat([]byte{0xfe}, 70000)},
		{uint64(1), int64(-2), 1.5, "x\u00e9\"\\", true, false, nil, []byte{9}},
		{uint64(math.MaxUint64), int64(math.MinInt64), math.Inf(1), math.Copysign(0, -1), int(7), float32(2.5)},
		{"\x00AQID"},
		{wamp.Dict{"a": 1}}, // not plain: the codec's
	}
	for _, s := range []*serializer{jsonSerializer, msgpackSerializer, cborSerializer} {
		for _, l := range lists {
			got, err := s.appendValue([]byte("prefix"), l)
			if err != nil {
				t.Fatalf("%s %v: %v", s.name, l, err)
			}
			if want := append([]byte("prefix"), codecAppend(t, s, []any(l))...); !bytes.Equal(got, want) {
				t.Errorf("%s %.60v: wrote %.80q, the codec %.80q", s.name, l, got, want)
			}
		}
	}
	for _, src := range []string{
		`["\u0000AQID"]`, `["\u0000AQID","\u0000"]`, `[ "\u0000AQID" , "\u0000AQI=" ]`, `["\u0000AQJ="]`,
		`["\u0000A\/I="]`, `["AQID"]`, `["\u0000AQID",1]`, `[]`, `{"a":"\u0000AQID"}`, `"\u0000AQID"`,
		`[["\u0000AQID"]]`,
	} {
		got, err := jsonSerializer.decodeValue([]byte(src))
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if want := codecDecode(t, jsonSerializer, []byte(src)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read %#v, the codec %#v", src, got, want)
		}
	}
}
