package wamp_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wampgen/wampgen/internal/wire"
	"github.com/wampgen/wampgen/wamp"
)

// Marshalers that misbehave, and values shaped to make the own-form
// encoder (issue 12) write what a receiver refuses.

// rawText has a text form that is whatever it holds.
type rawText string

func (r rawText) MarshalText() ([]byte, error) { return []byte(r), nil }
func (r *rawText) UnmarshalText(b []byte) error {
	*r = rawText(b)
	return nil
}

// rawJSON has a JSON form that is whatever it holds.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }
func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = rawJSON(b)
	return nil
}

// valueText has value receivers; its pointer is nil in the cases below.
type valueText struct{ s string }

func (v valueText) MarshalText() ([]byte, error) { return []byte(v.s), nil }
func (v *valueText) UnmarshalText(b []byte) error {
	v.s = string(b)
	return nil
}

// TestNilValueReceiverMarshaler: a nil pointer to a type whose MarshalText
// has a value receiver travels as null (the method is not called on it),
// in a field, behind an interface and as a map value.
func TestNilValueReceiverMarshaler(t *testing.T) {
	type holder struct {
		P *valueText `json:"p"`
		A any        `json:"a"`
	}
	for _, ser := range wamp.Serializers() {
		for _, v := range []any{holder{A: (*valueText)(nil)}, []any{(*valueText)(nil), time.Time{}}, map[string]*valueText{"k": nil}} {
			raw, err := ser.EncodeValue(v)
			if err != nil {
				t.Errorf("%s: %#v: %v", ser, v, err)
				continue
			}
			var back holder
			if _, ok := v.(holder); !ok {
				continue
			}
			if err := ser.DecodeValue(raw, &back); err != nil || back.P != nil || back.A != nil {
				t.Errorf("%s: %#v: decoding %q: %+v, %v", ser, v, raw, back, err)
			}
		}
	}
}

// TestOwnFormInvalidUTF8: a text or JSON form that is not UTF-8 is an
// encoding error. MsgPack and CBOR strings must be UTF-8 (the router and
// JavaScript peers refuse them otherwise), and JSON would change it
// silently (U+FFFD in place of each bad byte).
func TestOwnFormInvalidUTF8(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, v := range []any{rawText("a\xffb"), []any{rawText("\xc3")}, map[rawText]int{"\xfe": 1}, rawJSON(`"a\xffb"`), rawJSON("{\"\xff\":1}")} {
			if raw, err := ser.EncodeValue(v); err == nil {
				t.Errorf("%s: %#v encoded as %q", ser, v, raw)
			}
		}
	}
}

// TestTextFormLooksBinary: a text form that starts with NUL and base64 is
// what JSON peers send for binary, so the router gives it to MsgPack and
// CBOR peers as binary; it still arrives as the text it was.
func TestTextFormLooksBinary(t *testing.T) {
	for _, text := range []rawText{
		rawText("\x00" + base64.StdEncoding.EncodeToString([]byte{1, 2, 3, 4})),
		"\x00", // empty binary
		"\x00AQID",
		"\x00AQ=", // not the JSON form of binary: stays a string
	} {
		for _, from := range wamp.Serializers() {
			for _, to := range wamp.Serializers() {
				raw := relay(t, from, to, mustEncodeValue(t, from, []any{text}))
				var got []rawText
				if err := to.DecodeValue(raw, &got); err != nil || len(got) != 1 || got[0] != text {
					t.Errorf("%s→%s: %q = %q, %v", from, to, text, got, err)
				}
			}
		}
	}
}

// foldText is a map key whose text form folds case: "a" and "A" collide.
type foldText string

func (f foldText) MarshalText() ([]byte, error) { return []byte(strings.ToLower(string(f))), nil }
func (f *foldText) UnmarshalText(b []byte) error {
	*f = foldText(b)
	return nil
}

// TestTextKeysCollide: two map keys with the same text form would be one
// dictionary key twice (which receivers refuse or read as one entry, and
// written in map order, so not even deterministic): an encoding error
// naming the text.
func TestTextKeysCollide(t *testing.T) {
	mono := time.Now() // with a monotonic reading: a different map key than its Round(0)
	for _, ser := range wamp.Serializers() {
		for _, v := range []any{
			map[foldText]int{"a": 1, "A": 2},
			[]any{map[foldText]int{"b": 1, "B": 2, "c": 3}},
			map[time.Time]int{mono: 1, mono.Round(0): 2},
		} {
			raw, err := ser.EncodeValue(v)
			if err == nil || !strings.Contains(err.Error(), "same text") {
				t.Errorf("%s: %v encoded as %q, %v", ser, v, raw, err)
			}
		}
		if _, err := ser.EncodeValue(map[foldText]int{"a": 1, "b": 2}); err != nil {
			t.Errorf("%s: distinct keys: %v", ser, err)
		}
	}
}

// nestJSON returns JSON lists n deep, the innermost holding inner.
func nestJSON(n int, inner string) rawJSON {
	return rawJSON(strings.Repeat("[", n) + inner + strings.Repeat("]", n))
}

// TestJSONFormNesting: what a json.Marshaler writes counts towards the
// nesting limit where it stands, so the encoder never writes a value that
// receivers refuse as too deep (and encodes one that they take).
func TestJSONFormNesting(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, tc := range []struct {
			name string
			v    any
			ok   bool
		}{
			{"10000 deep", nestJSON(10000, ""), false},
			{"MaxDepth deep", nestJSON(wire.MaxDepth, ""), true},
			{"MaxDepth deep, a number inside", nestJSON(wire.MaxDepth, "1"), true},
			{"MaxDepth deep, a dictionary inside", nestJSON(wire.MaxDepth-1, `{"a":1}`), true},
			{"MaxDepth+1 deep", nestJSON(wire.MaxDepth+1, ""), false},
			{"MaxDepth-1 deep in a list", []any{nestJSON(wire.MaxDepth-1, "1")}, true},
			{"MaxDepth deep in a list", []any{nestJSON(wire.MaxDepth, "")}, false},
			{"MaxDepth-2 deep in a struct in a list", []struct{ J rawJSON }{{nestJSON(wire.MaxDepth-2, "")}}, true},
			{"MaxDepth-1 deep in a struct in a list", []struct{ J rawJSON }{{nestJSON(wire.MaxDepth-1, "")}}, false},
		} {
			raw, err := ser.EncodeValue(tc.v)
			if tc.ok != (err == nil) {
				t.Errorf("%s: %s: encoded %v, error %v", ser, tc.name, err == nil, err)
				continue
			}
			if err != nil && !errors.Is(err, wire.ErrTooDeep) {
				t.Errorf("%s: %s: %v, want ErrTooDeep", ser, tc.name, err)
			}
			if err == nil {
				var back any
				if err := ser.DecodeValue(raw, &back); err != nil {
					t.Errorf("%s: %s: what was encoded does not decode: %v", ser, tc.name, err)
				}
			}
		}
	}
}

// TestOwnFormsDeepInUntypedValues: own forms inside []any, map[string]any
// and wamp.Dict, down to the deepest level allowed (the pointers and
// interfaces on the way are not levels), arrive through a change of
// serializer and decode into typed values.
func TestOwnFormsDeepInUntypedValues(t *testing.T) {
	type leaf struct {
		T  time.Time `json:"t"`
		ID uuid      `json:"id"`
		P  point     `json:"p"`
	}
	// wrap puts v inside n containers, alternating []any, map[string]any
	// and wamp.Dict.
	wrap := func(v any, n int) any {
		for i := range n {
			switch i % 3 {
			case 0:
				v = []any{v}
			case 1:
				v = map[string]any{"k": v}
			default:
				v = wamp.Dict{"k": v}
			}
		}
		return v
	}
	// unwrap is the typed shape of wrap's result.
	var unwrap func(n int) reflect.Type
	unwrap = func(n int) reflect.Type {
		if n == 0 {
			return reflect.TypeFor[leaf]()
		}
		if (n-1)%3 == 0 {
			return reflect.SliceOf(unwrap(n - 1))
		}
		return reflect.MapOf(reflect.TypeFor[string](), unwrap(n-1))
	}
	want := leaf{T: tOffset, ID: anID, P: point{-1, 2}}
	in := map[string]any{"t": want.T, "id": want.ID, "p": &want.P}
	for _, n := range []int{1, 5, wire.MaxDepth - 1} {
		v := wrap(in, n)
		for _, from := range wamp.Serializers() {
			for _, to := range wamp.Serializers() {
				raw := relay(t, from, to, mustEncodeValue(t, from, v))
				dst := reflect.New(unwrap(n))
				if err := to.DecodeValue(raw, dst.Interface()); err != nil {
					t.Fatalf("%d deep, %s→%s: %v", n, from, to, err)
				}
				got := dst.Elem()
				for got.Kind() != reflect.Struct {
					if got.Kind() == reflect.Slice {
						got = got.Index(0)
					} else {
						got = got.MapIndex(reflect.ValueOf("k"))
					}
				}
				if d := diffExact(reflect.ValueOf(want), got, ""); d != "" {
					t.Errorf("%d deep, %s→%s: %s", n, from, to, d)
				}
			}
		}
	}
}

// TestOwnFormDecodeRefusals: a value of the wrong kind for an own form is
// a *DecodeError whose path names where it stands.
func TestOwnFormDecodeRefusals(t *testing.T) {
	type item struct {
		At time.Time `json:"at"`
		P  point     `json:"p"`
		ID uuid      `json:"id"`
		M  money     `json:"m"`
	}
	type doc struct {
		Items map[string][]item `json:"items"`
	}
	for _, ser := range wamp.Serializers() {
		for _, tc := range []struct {
			name string
			v    any
			path string
		}{
			{"a number into a time", map[string]any{"items": map[string]any{"a": []any{map[string]any{"at": 1700000000}}}}, `.items["a"][0].at`},
			{"a float into a time", map[string]any{"items": map[string]any{"a": []any{map[string]any{"at": 1.5}}}}, `.items["a"][0].at`},
			{"a string into a binary type", map[string]any{"items": map[string]any{"b": []any{map[string]any{}, map[string]any{"p": "AAAAAQAAAAI="}}}}, `.items["b"][1].p`},
			{"a list into a text type", map[string]any{"items": map[string]any{"c": []any{map[string]any{"id": []any{}}}}}, `.items["c"][0].id`},
			{"a bool into a JSON type", map[string]any{"items": map[string]any{"d": []any{map[string]any{"m": true}}}}, `.items["d"][0].m`},
		} {
			var d doc
			de := wantDecodeError(t, ser, mustEncodeValue(t, ser, tc.v), &d, tc.name)
			if de != nil && de.Path != tc.path {
				t.Errorf("%s: %s: path %q, want %q (%v)", ser, tc.name, de.Path, tc.path, de)
			}
		}
	}
}

// selfRef refers to itself through a pointer, with a time on the way.
type selfRef struct {
	T    time.Time
	Next *selfRef
	Any  any
}

// TestSelfReferenceWithOwnForm: a value that refers to itself and holds
// an own form ends at the nesting limit with an error, through a pointer
// field or through an interface.
func TestSelfReferenceWithOwnForm(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		s := &selfRef{T: tUTC}
		s.Next = s
		i := &selfRef{T: tUTC}
		i.Any = i
		for _, v := range []any{s, i, []any{s}} {
			if _, err := ser.EncodeValue(v); !errors.Is(err, wire.ErrTooDeep) {
				t.Errorf("%s: %T referring to itself: %v, want ErrTooDeep", ser, v, err)
			}
		}
	}
}

// TestOwnFormCachesConcurrently encodes and decodes values of many new
// types from many goroutines at once, so that -race sees the per-type
// caches (forms, plans, struct layouts) filled concurrently.
func TestOwnFormCachesConcurrently(t *testing.T) {
	const types = 64
	fields := func(i int) reflect.Type {
		return reflect.StructOf([]reflect.StructField{
			{Name: "T", Type: reflect.TypeFor[time.Time](), Tag: reflect.StructTag(fmt.Sprintf(`json:"t%d"`, i))},
			{Name: "U", Type: reflect.TypeFor[[]uuid](), Tag: `json:"u"`},
			{Name: "A", Type: reflect.ArrayOf(i+1, reflect.TypeFor[any]()), Tag: `json:"a"`},
		})
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range types {
				ty := fields((i + g*7) % types)
				v := reflect.New(ty).Elem()
				v.Field(0).Set(reflect.ValueOf(tOffset))
				v.Field(1).Set(reflect.ValueOf([]uuid{anID}))
				v.Field(2).Index(0).Set(reflect.ValueOf(point{1, 2}))
				ser := wamp.Serializers()[i%3]
				raw, err := ser.EncodeValue(v.Interface())
				if err != nil {
					t.Error(err)
					return
				}
				back := reflect.New(ty)
				if err := ser.DecodeValue(raw, back.Interface()); err != nil {
					t.Error(err)
					return
				}
				if !back.Elem().Field(0).Interface().(time.Time).Equal(tOffset) || back.Elem().Field(1).Index(0).Interface() != anID {
					t.Errorf("%s: %v arrived as %v", ser, v, back.Elem())
				}
			}
		})
	}
	wg.Wait()
}

// TestInterfaceMapKeysWithOwnForms: a map keyed by interfaces (what YAML
// decoders make) that holds an own form is written by its dynamic keys,
// as the codec writes such a map without one.
func TestInterfaceMapKeysWithOwnForms(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		v := map[any]time.Time{"a": tUTC, anID: tOffset, foldText("B"): tNeg}
		raw, err := ser.EncodeValue(v)
		if err != nil {
			t.Errorf("%s: %v", ser, err)
			continue
		}
		var got map[string]time.Time
		if err := ser.DecodeValue(raw, &got); err != nil || len(got) != 3 || !got["a"].Equal(tUTC) ||
			!got[string(must(anID.MarshalText()))].Equal(tOffset) || !got["b"].Equal(tNeg) {
			t.Errorf("%s: %q decoded as %v, %v", ser, raw, got, err)
		}
		if ser != wamp.JSON {
			continue
		}
		raw, err = ser.EncodeValue(map[any]any{2: tUTC, uint8(3): 1})
		if err != nil || string(raw) != `{"2":"2026-12-07T17:21:48.123456789Z","3":1}` {
			t.Errorf("%s: integer keys: %s, %v", ser, raw, err)
		}
		if _, err := ser.EncodeValue(map[any]any{nil: tUTC}); err == nil {
			t.Errorf("%s: a nil key encoded", ser)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestJSONFormNumbers: a number in a JSON form travels as a 64-bit
// integer or a float64 in MsgPack and CBOR (and through the router to
// their peers), so an integer beyond 64 bits or a float beyond float64
// would arrive changed: it is an encoding error in every format.
func TestJSONFormNumbers(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, tc := range []struct {
			json rawJSON
			ok   bool
		}{
			{"18446744073709551615", true},
			{"-9223372036854775808", true},
			{"1.5e300", true},
			{"0.1", true},
			{"-0", true},
			{"18446744073709551616", false},
			{`{"a":[-9223372036854775809]}`, false},
			{"1e400", false},
			{"[1, -1e309]", false},
		} {
			raw, err := ser.EncodeValue(tc.json)
			if tc.ok != (err == nil) {
				t.Errorf("%s: %s: encoded %q, %v", ser, tc.json, raw, err)
			}
		}
	}
}

// TestEncodeAllocsMixedList: a list or dictionary of scalars that also
// holds an own form is written element by element by this package; the
// scalars must not each cost a trip through the codec or reflection
// (which was 5-14 times slower than the codec, and 2 allocations an
// element).
func TestEncodeAllocsMixedList(t *testing.T) {
	list := func(n int) []any {
		l := make([]any, 0, n+1)
		for i := range n {
			if i%2 == 0 {
				l = append(l, "s")
			} else {
				l = append(l, i)
			}
		}
		d := map[string]any{"t": tOffset}
		for i := range n {
			d[fmt.Sprint(i)] = i
		}
		return append(l, tUTC, d)
	}
	for _, ser := range wamp.Serializers() {
		buf := make([]byte, 0, 1<<16)
		var allocs [2]float64
		for i, n := range []int{1, 1000} {
			m := &wamp.Result{Request: 1, Args: wamp.PayloadOf(list(n))}
			allocs[i] = testing.AllocsPerRun(20, func() {
				var err error
				if buf, err = ser.AppendEncode(buf[:0], m); err != nil {
					t.Fatal(err)
				}
			})
		}
		if allocs[1] > allocs[0]+3 {
			t.Errorf("%s: %v allocations for 1 scalar, %v for 1000", ser, allocs[0], allocs[1])
		}
	}
}

// TestBinaryAndJSONFormKeys: a dictionary key is a string in every
// format WAMP peers share; a key type whose form is binary or a JSON value
// cannot be one, in MsgPack and CBOR as in JSON.
func TestBinaryAndJSONFormKeys(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, v := range []any{map[point]int{{1, 2}: 1}, map[rawJSON]int{"1": 1}, []any{map[point]time.Time{{}: tUTC}}} {
			if raw, err := ser.EncodeValue(v); err == nil {
				t.Errorf("%s: %v encoded as %q", ser, v, raw)
			}
		}
	}
}
