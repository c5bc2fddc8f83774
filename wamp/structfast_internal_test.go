package wamp

import (
	"fmt"
	"reflect"
	"testing"
)

type fastInner struct {
	X float64 `json:"x"`
}

type fastNamedFloat float64

type fastNamedString string

type fastStruct struct {
	ID    int64           `json:"id"`
	Name  string          `json:"name"`
	Value float64         `json:"value"`
	OK    bool            `json:"ok"`
	F32   float32         `json:"f32"`
	NF    fastNamedFloat  `json:"nf"`
	NS    fastNamedString `json:"ns"`
	P     *fastInner      `json:"p"`
	In    fastInner       `json:"in"`
	L     []fastInner     `json:"l"`
	M     map[string]int  `json:"m"`
	A     any             `json:"a"`
	B     []byte          `json:"b"`
}

// decodeStructSlow is what decodeReflect did for a struct before
// decodeStructFast: the codec splits the dictionary into a map.
func (s *Serializer) decodeStructSlow(raw []byte, v reflect.Value) error {
	entries, err := s.splitDict(raw, v.Type())
	if err != nil {
		return err
	}
	return s.decodeEntries(entries, v)
}

// decodeStructFast, and the scalar fast paths of decodeScalarInto that
// struct fields go through, decode exactly what the codec's path decodes,
// and fail where it fails, on every serializer: well-formed dictionaries
// of every shape, keys given twice, keys with JSON escapes, nulls, unknown
// keys, wrong kinds, nested structs, lists of them and maps.
func TestDecodeStructFastLikeSlow(t *testing.T) {
	json := []string{
		`{}`,
		`{"id":1,"name":"a","value":1.5,"ok":true}`,
		`{ "id" : -7 , "name" : "x\u00e9\n" , "value" : 2 , "ok" : false }`,
		`{"name":"first","name":"second"}`,
		`{"n\u0061me":"escaped key","id":3}`,
		`{"id":null,"name":null,"value":null,"ok":null,"p":null,"l":null,"m":null,"a":null,"b":null}`,
		`{"unknown":[1,{"deep":[{}]}],"id":4}`,
		`{"id":"not a number"}`,
		`{"name":12}`,
		`{"value":"1.5"}`,
		`{"ok":1}`,
		`{"id":1.5}`,
		`{"id":18446744073709551615}`,
		`{"f32":1e300}`,
		`{"f32":1.25,"nf":2.5,"ns":"named"}`,
		`{"nf":"x"}`,
		`{"ns":true}`,
		`{"p":{"x":1},"in":{"x":2,"x":3},"l":[{"x":4},{"x":"bad"}]}`,
		`{"l":[{"x":4},{"x":5}],"m":{"a":1,"b":2},"a":{"k":[1,"\u0000AQI="]}}`,
		`{"b":"\u0000AQID","value":-0}`,
		`{"b":"not binary"}`,
		`{"p":{"x":1},"p":{"x":2}}`,
		`{"in":[]}`,
		`{"l":{}}`,
		`{"value":1e400}`,
	}
	for _, ser := range []*Serializer{JSON, MsgPack, CBOR} {
		for i, src := range json {
			raw := []byte(src)
			if ser != JSON {
				// The same value in ser's format, where the codec can
				// write it (a key given twice does not survive a Go map).
				var v any
				if err := JSON.DecodeValue(raw, &v); err != nil {
					continue
				}
				var err error
				if raw, err = ser.EncodeValue(v); err != nil {
					continue
				}
			} else if err := JSON.wellFormed(raw); err != nil {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d", ser.Name(), i), func(t *testing.T) {
				var fast, slow fastStruct
				var errFast error
				done, errFast := ser.decodeStructFast(raw, reflect.ValueOf(&fast).Elem())
				if !done {
					// Left to the slow path, which decodeReflect then
					// takes: nothing may have changed.
					if !reflect.DeepEqual(fast, fastStruct{}) || errFast != nil {
						t.Fatalf("declined, but decoded %+v, %v", fast, errFast)
					}
					errFast = ser.decodeStructSlow(raw, reflect.ValueOf(&fast).Elem())
				}
				errSlow := ser.decodeStructSlow(raw, reflect.ValueOf(&slow).Elem())
				if (errFast == nil) != (errSlow == nil) {
					t.Fatalf("%s: fast error %v, slow error %v", raw, errFast, errSlow)
				}
				if errSlow == nil && !reflect.DeepEqual(fast, slow) {
					t.Fatalf("%s: fast %+v, slow %+v", raw, fast, slow)
				}
			})
		}
	}
}

// A dictionary with a key twice or a JSON key with escapes is left to the
// codec's path; a plain one is not.
func TestDecodeStructFastDeclines(t *testing.T) {
	for src, want := range map[string]bool{
		`{"id":1,"name":"a"}`:   true,
		`{"id":1,"id":2}`:       false,
		`{"i\u0064":1}`:         false,
		`{}`:                    true,
		`{"x":{"id":1,"id":2}}`: true, // only this level's keys count
	} {
		var v fastStruct
		if done, _ := JSON.decodeStructFast([]byte(src), reflect.ValueOf(&v).Elem()); done != want {
			t.Errorf("%s: done %v, want %v", src, done, want)
		}
	}
}
