// Package fidelitysvc is the interop suite's wire-fidelity service: one
// struct, Every, with a field of every Go type the TypeScript output maps
// (ts-design's table), embedded structs with a shadowed field and a field
// of the name a JavaScript object inherits (constructor), so that the
// suite holds the generated TypeScript schemas to what the Go runtime
// writes and reads, over every serializer, both ways. It is only for
// tests.
//
//wampgen:typescript dir=.
package fidelitysvc

//go:generate go run github.com/wampgen/wampgen/cmd/wampgen

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"time"
)

// Level is a text marshaler: it travels as its text.
type Level int

// MarshalText writes the level as "L<n>".
func (l Level) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "L%d", int(l)), nil }

// UnmarshalText reads "L<n>".
func (l *Level) UnmarshalText(b []byte) error {
	var n int
	if _, err := fmt.Sscanf(string(b), "L%d", &n); err != nil {
		return fmt.Errorf("level %q: %w", b, err)
	}
	*l = Level(n)
	return nil
}

// Celsius is a named number.
type Celsius float64

// Inner is embedded in Every: its Kind is shadowed by Every's, its Depth
// travels as Every's own.
type Inner struct {
	Kind  string `json:"kind"`
	Depth int    `json:"depth"`
}

// Extra is embedded through a pointer: its field is absent when it is nil.
type Extra struct {
	Note string `json:"note"`
}

// Tagged embeds Inner under a json tag: a field, not flattened.
type Tagged struct {
	Inner `json:"inner"`
	Kind  string `json:"kind"`
}

// Every has a field of every mapped type.
type Every struct {
	Inner
	*Extra
	Kind        string            `json:"kind"`
	Bool        bool              `json:"bool"`
	Str         string            `json:"str"`
	F32         float32           `json:"f32"`
	F64         float64           `json:"f64"`
	Int         int               `json:"int"`
	Uint        uint              `json:"uint"`
	I8          int8              `json:"i8"`
	I16         int16             `json:"i16"`
	I32         int32             `json:"i32"`
	U8          uint8             `json:"u8"`
	U16         uint16            `json:"u16"`
	U32         uint32            `json:"u32"`
	I64         int64             `json:"i64"`
	U64         uint64            `json:"u64"`
	Took        time.Duration     `json:"took"`
	At          time.Time         `json:"at"`
	Blob        []byte            `json:"blob"`
	NilBlob     []byte            `json:"nil_blob"`
	Hash        [4]byte           `json:"hash"`
	List        []int32           `json:"list"`
	NilList     []string          `json:"nil_list"`
	Triple      [3]int16          `json:"triple"`
	Map         map[string]uint16 `json:"map"`
	NilMap      map[string]bool   `json:"nil_map"`
	Ptr         *int              `json:"ptr"`
	NilPtr      *string           `json:"nil_ptr"`
	Omitted     string            `json:"omitted,omitempty"`
	Level       Level             `json:"level"`
	Temp        Celsius           `json:"temp"`
	Free        any               `json:"free"`
	Constructor string            `json:"constructor"`
	Child       *Every            `json:"child"`
	Tagged      Tagged            `json:"tagged"`
}

// Fidelity hands out Every values and checks the ones it gets, in realm
// realm1.
//
//wampgen:service prefix=com.example.interop.fidelity
type Fidelity interface {
	// Sample returns sample which (0: values every serializer carries
	// exactly; 1: the 64-bit extremes, beyond 2^53; 2: a string that
	// starts with NUL and then looks like base64; 3: a dictionary key
	// "__proto__").
	Sample(ctx context.Context, which int) (Every, error)
	// Same returns "" when v is sample which, else what differs.
	Same(ctx context.Context, which int, v Every) (string, error)
}

// Sample returns sample which.
func Sample(which int) (Every, error) {
	seven := 7
	v := Every{
		Inner:       Inner{Kind: "inner", Depth: 3},
		Extra:       &Extra{Note: "extra"},
		Kind:        "outer",
		Bool:        true,
		Str:         "héllo \u2028 \x00 <\"'>",
		F32:         1.5,
		F64:         -1e308,
		Int:         1<<53 - 1,
		Uint:        1<<53 - 1,
		I8:          math.MinInt8,
		I16:         math.MinInt16,
		I32:         math.MinInt32,
		U8:          math.MaxUint8,
		U16:         math.MaxUint16,
		U32:         math.MaxUint32,
		I64:         -(1<<53 - 1),
		U64:         1<<53 - 1,
		Took:        -time.Duration(1<<53 - 1),
		At:          time.Date(2026, 12, 7, 18, 18, 11, 123456789, time.FixedZone("", 3600+30*60)),
		Blob:        []byte{0, 1, 2, 0xfe, 0xff},
		Hash:        [4]byte{0xde, 0xad, 0xbe, 0xef},
		List:        []int32{math.MaxInt32, 0, -1},
		Triple:      [3]int16{1, -2, 3},
		Map:         map[string]uint16{"constructor": 2, "toString": 1, "": 3},
		Ptr:         &seven,
		Level:       42,
		Temp:        -273.15,
		Free:        map[string]any{"a": []any{"x", true, nil}},
		Constructor: "ctor",
		Tagged:      Tagged{Inner: Inner{Kind: "in", Depth: 1}, Kind: "out"},
		Child:       &Every{Kind: "child", At: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	switch which {
	case 0:
	case 1:
		v.I64, v.U64 = math.MinInt64, math.MaxUint64
	case 2:
		v.Str = "\x00AAAA" // a string that looks like WAMP's JSON form of bytes
	case 3:
		v.Map = map[string]uint16{"__proto__": 1} // a key JavaScript decoders guard against
	default:
		return Every{}, fmt.Errorf("no sample %d", which)
	}
	return v, nil
}

// Service is the Go implementation of Fidelity.
type Service struct{}

// Sample returns the sample.
func (Service) Sample(ctx context.Context, which int) (Every, error) { return Sample(which) }

// Same compares v with the sample.
func (Service) Same(ctx context.Context, which int, v Every) (string, error) {
	want, err := Sample(which)
	if err != nil {
		return "", err
	}
	if !want.At.Equal(v.At) || want.At.Format(time.RFC3339Nano) != v.At.Format(time.RFC3339Nano) {
		return fmt.Sprintf("at: got %s, want %s", v.At.Format(time.RFC3339Nano), want.At.Format(time.RFC3339Nano)), nil
	}
	if !want.Child.At.Equal(v.Child.At) {
		return fmt.Sprintf("child.at: got %s, want %s", v.Child.At, want.Child.At), nil
	}
	want.At, v.At = time.Time{}, time.Time{}
	want.Child.At, v.Child.At = time.Time{}, time.Time{}
	// Inner.Kind does not travel (Every.Kind shadows it, as in
	// encoding/json); empty and nil slices and maps are one on the wire.
	want.Inner.Kind = ""
	want, v = normalize(want), normalize(v)
	if !reflect.DeepEqual(want, v) {
		return fmt.Sprintf("got %#v\nwant %#v", v, want), nil
	}
	return "", nil
}

// normalize makes the empty slices and maps of v nil: a peer without nil
// (TypeScript) sends them empty.
func normalize(v Every) Every {
	var walk func(r reflect.Value)
	walk = func(r reflect.Value) {
		switch r.Kind() {
		case reflect.Pointer:
			if !r.IsNil() {
				walk(r.Elem())
			}
		case reflect.Struct:
			for i := range r.NumField() {
				if r.Type().Field(i).IsExported() {
					walk(r.Field(i))
				}
			}
		case reflect.Slice, reflect.Map:
			if r.Len() == 0 && r.CanSet() {
				r.SetZero()
			}
		}
	}
	walk(reflect.ValueOf(&v))
	return v
}
