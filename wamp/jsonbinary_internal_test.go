package wamp

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// JSON byte strings take a path of their own both ways (wire.JSONBinary,
// wire.JSONAppendBinary); it must write exactly what the codec writes, and
// read exactly what the codec reads, or leave the value to the codec.
func TestJSONBinaryLikeCodec(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var inputs [][]byte
	for n := range 70 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		inputs = append(inputs, b)
	}
	inputs = append(inputs, bytes.Repeat([]byte{0xff}, 1<<16+1))
	for _, b := range inputs {
		for _, l := range [][]any{{b}, {b, b[:len(b)/2]}} {
			fast, done := JSON.appendSimpleList(nil, l)
			if !done {
				t.Fatalf("%d bytes: list of bytes left to the codec", len(b))
			}
			eb := JSON.getEncBuf()
			slow, err := JSON.appendCodec(eb, nil, l, 1)
			JSON.putEncBuf(eb)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fast, slow) {
				t.Fatalf("%d bytes: wrote %.80s, the codec %.80s", len(b), fast, slow)
			}
		}
	}
	// Lists with anything else, nil bytes included, are the codec's.
	for _, l := range [][]any{{}, {[]byte(nil)}, {[]byte{1}, "x"}, {1.5}} {
		if _, done := JSON.appendSimpleList(nil, l); done {
			t.Errorf("%v: written without the codec", l)
		}
	}

	var strs []string
	for _, b := range inputs[:70] {
		enc, err := JSON.EncodeValue(b)
		if err != nil {
			t.Fatal(err)
		}
		strs = append(strs, string(enc))
	}
	strs = append(strs,
		`"\u0000"`, `"\u0000AQI="`, `"\u0000AQI"`, `"\u0000AQJ="`, `"\u0000A\/I="`, `"\u0000AQ\u0049="`,
		`"\u0000AQ=="`, `"\u0000AQID\n"`, `"\u0000====`+`"`, `"\u0000 AQI="`, `"AQID"`, `"\u0001AQI="`,
		`"\u0000AQI=\"`, `""`, `"\\u0000AQI="`)
	for _, src := range strs {
		raw := []byte(src)
		if JSON.wellFormed(raw) != nil {
			continue
		}
		var fast []byte
		errFast := JSON.decodeValue(raw, &fast)
		var slow []byte
		errSlow := JSON.wrap(raw, &slow, "[]uint8", JSON.kind(raw))
		if (errFast == nil) != (errSlow == nil) || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: read %v, %v; the codec %v, %v", src, fast, errFast, slow, errSlow)
		}
		// The same as a struct field (decodeSlice's path).
		var sf struct {
			B []byte `json:"b"`
		}
		errFast = JSON.decodeValue([]byte(`{"b":`+src+`}`), &sf)
		if (errFast == nil) != (errSlow == nil) || !reflect.DeepEqual(sf.B, slow) {
			t.Errorf("field %s: read %v, %v; the codec %v, %v", src, sf.B, errFast, slow, errSlow)
		}
	}
}
