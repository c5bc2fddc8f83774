package wamp

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/wampgen/wampgen/internal/wire"
)

// selfRef caches, per type, whether the type refers to itself through maps,
// slices, arrays or pointers without a struct in between (type T
// map[string]T, type L []L). ugorji recurses endlessly on such types and
// the stack overflow kills the process, beyond any recover; self-referring
// structs are fine.
var selfRef sync.Map // reflect.Type → bool

func selfReferential(t reflect.Type) bool {
	if v, ok := selfRef.Load(t); ok {
		return v.(bool)
	}
	r := refersToSelf(t, map[reflect.Type]bool{})
	selfRef.Store(t, r)
	return r
}

func refersToSelf(t reflect.Type, path map[reflect.Type]bool) bool {
	if path[t] {
		return true
	}
	var next []reflect.Type
	switch t.Kind() {
	case reflect.Map:
		next = []reflect.Type{t.Key(), t.Elem()}
	case reflect.Slice, reflect.Array, reflect.Pointer:
		next = []reflect.Type{t.Elem()}
	default:
		return false // structs, interfaces and scalars end the search
	}
	path[t] = true
	defer delete(path, t)
	for _, n := range next {
		if refersToSelf(n, path) {
			return true
		}
	}
	return false
}

// checkEncodable refuses values the codec cannot encode without crashing,
// and values nested deeper than a receiver accepts: of a self-referential
// container type; a list or dictionary that would stand deeper than
// wire.MaxDepth levels, counting the depth lists and dictionaries around v
// where it is written (1 for an element of a message); a cycle through
// pointers or interfaces, which would stand infinitely deep. (The codec has
// no depth limit when it encodes: a cycle overflows the stack, which kills
// the process beyond any recover.) In the same walk it finds out whether v
// holds a value of a type with its own form (see form.go), which this
// package encodes instead of the codec.
func checkEncodable(v any, depth int) (own bool, err error) { return checkEncodableAt(v, depth) }

func checkEncodableAt(v any, depth int) (own bool, err error) {
	switch x := v.(type) {
	case nil, bool, string, []byte, float64, float32, int, int64, int32, int16, int8,
		uint, uint64, uint32, uint16, uint8:
		return false, nil // what payloads mostly hold: no type lookup on the hot path
	case time.Time:
		return true, nil
	case []any:
		if depth >= wire.MaxDepth {
			return false, wire.ErrTooDeep
		}
		return checkListAt(x, depth)
	case map[string]any:
		if depth >= wire.MaxDepth {
			return false, wire.ErrTooDeep
		}
		for _, e := range x {
			o, err := checkEncodableAt(e, depth+1)
			if err != nil {
				return false, err
			}
			own = own || o
		}
		return own, nil
	}
	return scan(reflect.ValueOf(v), depth, maxHops)
}

// encInfo is what checkEncodableAt needs of a type, looked up once per
// value: the self-reference verdict, the plan and the static depth (-1
// when unbounded).
type encInfo struct {
	err   error
	plan  typePlan
	depth int
}

var encInfos sync.Map // reflect.Type → *encInfo

func encInfoOf(t reflect.Type) *encInfo {
	if i, ok := encInfos.Load(t); ok {
		return i.(*encInfo)
	}
	info := &encInfo{err: checkType(t), depth: -1}
	if info.err == nil {
		info.plan = planOf(t)
		if d, ok := staticDepth(t); ok {
			info.depth = d
		}
	}
	i, _ := encInfos.LoadOrStore(t, info)
	return i.(*encInfo)
}

// scan walks v, written inside depth lists and dictionaries, once: it
// reports whether v holds a value with an own form (then appendOwn writes
// it, checking the depth of what it writes, and the walk stops), and
// otherwise refuses v when a list, dictionary or struct in it would stand
// deeper than wire.MaxDepth levels or when it follows more than hops
// pointers and interfaces (a cycle: var x any; x = &x). A value of a type
// whose depth is bounded (most types: no interfaces, no recursion) is
// checked by its type alone, in constant time. Each part of v is visited
// once, so the walk is linear in the size of v.
func scan(v reflect.Value, depth, hops int) (own bool, err error) {
	if !v.IsValid() {
		return false, nil
	}
	t := v.Type()
	info := encInfoOf(t)
	if info.err != nil {
		return false, info.err
	}
	switch {
	case info.plan == planOwn:
		return true, nil
	case info.depth >= 0:
		if depth+info.depth > wire.MaxDepth {
			return false, wire.ErrTooDeep
		}
		return false, nil
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return false, nil
		}
		if hops <= 0 {
			return false, fmt.Errorf("%s: a cycle of pointers or interfaces: %w", t, wire.ErrTooDeep)
		}
		return scan(v.Elem(), depth, hops-1)
	case reflect.Slice, reflect.Array:
		if depth >= wire.MaxDepth {
			return false, wire.ErrTooDeep
		}
		if l, ok := reflect.TypeAssert[[]any](v); ok {
			return checkListAt(l, depth)
		}
		for i := range v.Len() {
			if own, err := scan(v.Index(i), depth+1, hops); own || err != nil {
				return own, err
			}
		}
	case reflect.Map:
		if depth >= wire.MaxDepth {
			return false, wire.ErrTooDeep
		}
		if m, ok := reflect.TypeAssert[map[string]any](v); ok {
			return checkEncodableAt(m, depth)
		}
		key, elem := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		for it := v.MapRange(); it.Next(); {
			key.SetIterKey(it)
			elem.SetIterValue(it)
			if own, err := scan(key, depth+1, hops); own || err != nil {
				return own, err
			}
			if own, err := scan(elem, depth+1, hops); own || err != nil {
				return own, err
			}
		}
	case reflect.Struct:
		if depth >= wire.MaxDepth {
			return false, wire.ErrTooDeep
		}
		for _, f := range encodedFields(t) {
			if fv, ok := fieldOf(v, f.index); ok {
				if own, err := scan(fv, depth+1, hops); own || err != nil {
					return own, err
				}
			}
		}
	}
	return false, nil
}

// staticDepth returns how many levels of lists and dictionaries a value of
// type t takes when the codec writes it (0 for a scalar, 1 for []int, 2 for
// []struct{X int}), and whether that is bounded by the type: interfaces
// and types that contain themselves make it depend on the value. Types with
// an own form count 0 (their form is a scalar) except the JSON form, which
// depends on the value.
func staticDepth(t reflect.Type) (int, bool) {
	if d, ok := staticDepths.Load(t); ok {
		d := d.(int)
		return d, d >= 0
	}
	d := staticDepthWalk(t, map[reflect.Type]bool{})
	staticDepths.Store(t, d)
	return d, d >= 0
}

var staticDepths sync.Map // reflect.Type → int, -1 for unbounded

func staticDepthWalk(t reflect.Type, in map[reflect.Type]bool) int {
	switch formOf(t) {
	case formKind:
	case formJSON:
		return -1
	default:
		return 0 // a string or binary
	}
	if in[t] {
		return -1
	}
	in[t] = true
	defer delete(in, t)
	deeper := func(ts ...reflect.Type) int {
		d := 0
		for _, e := range ts {
			n := staticDepthWalk(e, in)
			if n < 0 {
				return -1
			}
			d = max(d, n)
		}
		return d + 1
	}
	switch t.Kind() {
	case reflect.Pointer:
		return staticDepthWalk(t.Elem(), in)
	case reflect.Interface:
		return -1
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return 0 // binary, as the codec writes []byte and [N]byte in every format
		}
		return deeper(t.Elem())
	case reflect.Map:
		return deeper(t.Key(), t.Elem())
	case reflect.Struct:
		fields := encodedFields(t)
		ts := make([]reflect.Type, len(fields))
		for i, f := range fields {
			ts[i] = fieldType(t, f.index)
		}
		return deeper(ts...)
	}
	return 0
}

// checkListAt is checkEncodableAt for a list (a function of its own, so
// that the list is not boxed into an interface value).
func checkListAt(l []any, depth int) (own bool, err error) {
	for _, e := range l {
		o, err := checkEncodableAt(e, depth+1)
		if err != nil {
			return false, err
		}
		own = own || o
	}
	return own, nil
}

// checkType refuses a self-referential container type.
func checkType(t reflect.Type) error {
	if selfReferential(t) {
		return fmt.Errorf("type %s refers to itself through maps, slices or pointers and cannot be encoded (wrap it in a struct)", t)
	}
	return nil
}
