package wamp_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// wideStruct returns a struct type of n fields of type ft, and a value of
// it with every field set to v.
func wideStruct(n int, ft reflect.Type, v any) any {
	fields := make([]reflect.StructField, n)
	for i := range fields {
		fields[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: ft, Tag: reflect.StructTag(fmt.Sprintf(`json:"f%d"`, i))}
	}
	s := reflect.New(reflect.StructOf(fields)).Elem()
	for i := range n {
		s.Field(i).Set(reflect.ValueOf(v))
	}
	return s.Interface()
}

// BenchmarkOwnFormScale compares the own-form encoder with the codec on
// the same shapes and (nearly) the same bytes: 10,000 times against
// 10,000 strings holding their text, a []any of 10,000 scalars and a time
// against one with its text, the same in a map[string]any, and a struct of 1,000 time fields against
// one of 1,000 string fields.
func BenchmarkOwnFormScale(b *testing.B) {
	times := make([]time.Time, 10_000)
	texts := make([]string, len(times))
	for i := range times {
		times[i] = tUTC.Add(time.Duration(i) * time.Second)
		texts[i] = times[i].Format(time.RFC3339Nano)
	}
	// 10,000 scalars and one time, against the same with the time's text.
	mixed, mixedText := make([]any, 10_001), make([]any, 10_001)
	for i := range 10_000 {
		mixed[i], mixedText[i] = i, i
		if i%2 == 0 {
			mixed[i], mixedText[i] = "s", "s"
		}
	}
	mixed[10_000], mixedText[10_000] = tUTC, texts[0]
	dict, dictText := map[string]any{"t": tUTC}, map[string]any{"t": texts[0]}
	for i := range 10_000 {
		dict[fmt.Sprint("k", i)], dictText[fmt.Sprint("k", i)] = i, i
	}
	cases := []struct {
		name string
		v    any
	}{
		{"times-10000/own", times},
		{"times-10000/codec-strings", texts},
		{"any-10000-scalars-1-time/own", mixed},
		{"any-10000-scalars-1-string/codec", mixedText},
		{"dict-10000-scalars-1-time/own", dict},
		{"dict-10000-scalars-1-string/codec", dictText},
		{"struct-1000-times/own", wideStruct(1000, reflect.TypeFor[time.Time](), tUTC)},
		{"struct-1000-strings/codec", wideStruct(1000, reflect.TypeFor[string](), tUTC.Format(time.RFC3339Nano))},
	}
	for _, ser := range wamp.Serializers() {
		for _, c := range cases {
			b.Run(ser.Name()+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := ser.EncodeValue(c.v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
