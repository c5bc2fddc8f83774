package wamp

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire"
)

// A type's own form is how its values travel when the type says so rather
// than its kind: the codec would choose a different form per format (the
// binary formats prefer encoding.BinaryMarshaler, JSON json.Marshaler and
// then encoding.TextMarshaler, and time.Time has a native form in each),
// and the router converts between formats structurally (a string stays a
// string), so the codec's choices did not survive a change of serializer.
// This package writes and reads these types itself, with one rule for all
// three formats (see the package documentation, "How values travel").

// ownForm is the form a type's values travel in.
type ownForm uint8

const (
	formKind   ownForm = iota // by its kind: the codec's encoding, checked by decodeReflect
	formTime                  // time.Time: an RFC 3339 string with nanoseconds
	formText                  // encoding.TextMarshaler + TextUnmarshaler: a string
	formBinary                // encoding.BinaryMarshaler + BinaryUnmarshaler: binary
	formJSON                  // json.Marshaler + json.Unmarshaler: the JSON value, as structure
	formSelfer                // codec.Selfer: left to the codec (not portable)
)

var (
	textMarshalerType     = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType   = reflect.TypeFor[encoding.TextUnmarshaler]()
	binaryMarshalerType   = reflect.TypeFor[encoding.BinaryMarshaler]()
	binaryUnmarshalerType = reflect.TypeFor[encoding.BinaryUnmarshaler]()
	jsonMarshalerType     = reflect.TypeFor[json.Marshaler]()
	jsonUnmarshalerType   = reflect.TypeFor[json.Unmarshaler]()
	selferType            = reflect.TypeFor[codec.Selfer]()
)

var typeForms sync.Map // reflect.Type → ownForm

// formOf returns the form of t. A type has a form of its own when it is
// time.Time, or when t or *t implements both halves of one of the pairs,
// which are tried in the order text, binary, JSON; a type implementing
// only one half of a pair goes by its kind. The answer is cached: decoding
// asks for every value.
func formOf(t reflect.Type) ownForm {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64, reflect.String:
		if t.PkgPath() == "" {
			return formKind // the unnamed scalars most values are: no lookup
		}
	}
	if t == timeType {
		return formTime
	}
	if f, ok := typeForms.Load(t); ok {
		return f.(ownForm)
	}
	f := findForm(t)
	typeForms.Store(t, f)
	return f
}

func findForm(t reflect.Type) ownForm {
	// The method set of *t holds those of t. (For an interface or a
	// pointer type it is empty: an interface goes by its dynamic value, a
	// pointer by what it points to.)
	pt := reflect.PointerTo(t)
	switch {
	case pt.Implements(selferType):
		return formSelfer
	case pt.Implements(textMarshalerType) && pt.Implements(textUnmarshalerType):
		return formText
	case pt.Implements(binaryMarshalerType) && pt.Implements(binaryUnmarshalerType):
		return formBinary
	case pt.Implements(jsonMarshalerType) && pt.Implements(jsonUnmarshalerType):
		return formJSON
	}
	return formKind
}

// typePlan says, for a type, whether its values need this package's
// encoder: because the type has its own form or holds (in a field, an
// element, a map key or value, behind a pointer) a type that has one.
type typePlan uint8

const (
	planCodec   typePlan = iota // no own forms inside: the codec encodes it
	planOwn                     // an own form inside, whatever the value
	planDynamic                 // interfaces inside: it depends on their dynamic values
)

var typePlans sync.Map // reflect.Type → typePlan

// planOf returns the plan of t, computed once per type.
func planOf(t reflect.Type) typePlan {
	if p, ok := typePlans.Load(t); ok {
		return p.(typePlan)
	}
	p := planWalk(t, map[reflect.Type]bool{})
	typePlans.Store(t, p)
	return p
}

// planWalk computes the plan of t. Types on the way (in) are taken as
// planCodec when met again: a cycle adds no own form that the types on it
// do not show elsewhere. Only the top-level result is cached, as results
// for types inside a cycle may be partial.
func planWalk(t reflect.Type, in map[reflect.Type]bool) typePlan {
	if in[t] {
		return planCodec
	}
	switch formOf(t) {
	case formSelfer:
		return planCodec
	case formKind:
	default:
		return planOwn
	}
	in[t] = true
	defer delete(in, t)
	plan := planCodec
	add := func(p typePlan) {
		if p > plan {
			plan = p
		}
	}
	switch t.Kind() {
	case reflect.Interface:
		return planDynamic
	case reflect.Pointer, reflect.Slice, reflect.Array:
		add(planWalk(t.Elem(), in))
	case reflect.Map:
		if formOf(t.Key()) == formText {
			return planOwn // the keys travel as their text
		}
		add(planWalk(t.Key(), in))
		add(planWalk(t.Elem(), in))
	case reflect.Struct:
		for _, f := range encodedFields(t) {
			if plan == planOwn {
				break
			}
			add(planWalk(fieldType(t, f.index), in))
		}
	}
	return plan
}

// encodedFields lists the fields of struct type t that the codec encodes,
// in its order (declaration order, embedded structs inlined where they
// are declared), under the names structFields gives them; the codec's
// omitempty option is kept.
func encodedFields(t reflect.Type) []encField { return structInfoOf(t).ordered }

func hasOption(opts, opt string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == opt {
			return true
		}
	}
	return false
}

// isEmptyValue is the codec's omitempty test: empty strings, maps,
// slices; zero numbers; false; nil pointers and interfaces; arrays whose
// elements are all empty; structs that are zero (time.Time and types with
// an IsZero method by it, other comparable structs by ==).
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Invalid:
		return true
	case reflect.String:
		return v.Len() == 0
	case reflect.Array:
		for i := range v.Len() {
			if !isEmptyValue(v.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map, reflect.Slice, reflect.Chan:
		return v.IsNil() || v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer, reflect.Func, reflect.UnsafePointer:
		return v.IsNil()
	case reflect.Struct:
		if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
			return z.IsZero()
		}
		if v.CanAddr() {
			if z, ok := v.Addr().Interface().(interface{ IsZero() bool }); ok {
				return z.IsZero()
			}
		}
		return v.Type().Comparable() && v.IsZero()
	}
	return false
}

// maxHops bounds the pointers and interfaces scan follows: they are not
// levels of nesting, but a value can go round through them for ever
// (var x any; x = &x).
const maxHops = 10 * wire.MaxDepth

// fieldOf returns the field of struct v at index, or false when an
// embedded pointer on the way is nil (the codec then leaves the fields
// behind it out).
func fieldOf(v reflect.Value, index []int) (reflect.Value, bool) {
	for n, i := range index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}
