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

// checkEncodable refuses values the codec cannot encode without crashing:
// of a self-referential container type, directly or inside the nested
// []any and map[string]any that payloads are usually built from. In the
// same walk it finds out whether v holds a value of a type with its own
// form (see form.go), which this package encodes instead of the codec.
func checkEncodable(v any) (own bool, err error) { return checkEncodableAt(v, 0) }

func checkEncodableAt(v any, depth int) (own bool, err error) {
	if depth > wire.MaxDepth {
		return false, nil // the codec's own depth limit refuses it
	}
	switch x := v.(type) {
	case nil, bool, string, []byte, float64, float32, int, int64, int32, int16, int8,
		uint, uint64, uint32, uint16, uint8:
		return false, nil // what payloads mostly hold: no type lookup on the hot path
	case time.Time:
		return true, nil
	case []any:
		return checkListAt(x, depth)
	case map[string]any:
		for _, e := range x {
			o, err := checkEncodableAt(e, depth+1)
			if err != nil {
				return false, err
			}
			own = own || o
		}
		return own, nil
	}
	t := reflect.TypeOf(v)
	if err := checkType(t); err != nil {
		return false, err
	}
	switch planOf(t) {
	case planOwn:
		return true, nil
	case planDynamic:
		return needsOwn(reflect.ValueOf(v), wire.MaxDepth-depth), nil
	}
	return false, nil
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
