package wamp

import (
	"fmt"
	"reflect"
	"sync"

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
// []any and map[string]any that payloads are usually built from.
func checkEncodable(v any) error { return checkEncodableAt(v, 0) }

func checkEncodableAt(v any, depth int) error {
	if depth > wire.MaxDepth {
		return nil // the codec's own depth limit refuses it
	}
	switch x := v.(type) {
	case nil, bool, string, []byte, float64, float32, int, int64, int32, int16, int8,
		uint, uint64, uint32, uint16, uint8:
		return nil // what payloads mostly hold: no type lookup on the hot path
	case []any:
		for _, e := range x {
			if err := checkEncodableAt(e, depth+1); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		for _, e := range x {
			if err := checkEncodableAt(e, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if t := reflect.TypeOf(v); selfReferential(t) {
		return fmt.Errorf("type %s refers to itself through maps, slices or pointers and cannot be encoded (wrap it in a struct)", t)
	}
	return nil
}
