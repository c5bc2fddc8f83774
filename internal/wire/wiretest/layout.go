package wiretest

import (
	"fmt"
	"reflect"

	"github.com/wampgen/wampgen/internal/wire"
)

// The layout tests of wamp/ and router/ hold each reader and writer of
// whole messages to the one message layout (internal/wire, layout.go):
// they fill every element of a message with a value distinct from every
// other element's (Sample) and read the result back by position.

// Codes returns the code of every message type the layout knows, in
// increasing order.
func Codes() []uint64 {
	var codes []uint64
	for code := range uint64(256) {
		if wire.LayoutOf(code) != nil {
			codes = append(codes, code)
		}
	}
	return codes
}

// Sample returns the plain value (as a codec decodes it into any, numbers
// as uint64) that the layout tests put at position p (the type code is 0)
// of a message, for an element of kind e. Two positions never get equal
// samples.
func Sample(e wire.Elem, p int) any {
	switch e {
	case wire.ElemID, wire.ElemIDOrZero:
		return uint64(1000 + p)
	case wire.ElemType:
		return uint64(68) // INVOCATION: an ERROR answers one
	case wire.ElemURI:
		return fmt.Sprintf("com.layout.e%d", p)
	case wire.ElemString:
		return fmt.Sprintf("s%d", p)
	case wire.ElemDict, wire.ElemOptDict, wire.ElemArgumentsKw:
		return map[string]any{"at": uint64(p)}
	case wire.ElemArguments:
		return []any{uint64(p), "arg"}
	}
	panic(fmt.Sprintf("wiretest: no sample for element kind %d", e))
}

// List returns the message list of type code with a sample in every
// element; with full false, the optional elements are left off.
func List(code uint64, full bool) []any {
	lay := wire.LayoutOf(code)
	list := []any{code}
	for i, f := range lay.Fields {
		if !full && f.Elem.Optional() {
			break
		}
		list = append(list, Sample(f.Elem, i+1))
	}
	return list
}

// CheckList reports how got, a message list decoded into plain values,
// differs from List(code, full).
func CheckList(got []any, code uint64, full bool) error {
	want := List(code, full)
	if len(got) != len(want) {
		return fmt.Errorf("%d elements, want %d", len(got), len(want))
	}
	for i := range want {
		if !Same(got[i], want[i]) {
			name := "type code"
			if i > 0 {
				name = wire.LayoutOf(code).Fields[i-1].Name
			}
			return fmt.Errorf("element %d (%s) is %v (%T), want %v", i, name, got[i], got[i], want[i])
		}
	}
	return nil
}

// Same reports whether two plain values are equal, taking any integer
// type (and an integral float, as JSON may decode one) for its value.
func Same(a, b any) bool {
	return reflect.DeepEqual(Normalize(a), Normalize(b))
}

// Normalize returns v with its integers as uint64 (or int64 when
// negative), integral floats included, in lists and maps too; a named
// list or map type becomes []any or map[string]any.
func Normalize(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n := rv.Int(); n < 0 {
			return n
		}
		return uint64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Uint()
	case reflect.Float32, reflect.Float64:
		if f := rv.Float(); f == float64(uint64(f)) {
			return uint64(f)
		}
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return rv.Bytes()
		}
		l := make([]any, rv.Len())
		for i := range l {
			l[i] = Normalize(rv.Index(i).Interface())
		}
		return l
	case reflect.Map:
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			m[fmt.Sprint(it.Key().Interface())] = Normalize(it.Value().Interface())
		}
		return m
	}
	return v
}
