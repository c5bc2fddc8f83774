package wamp_test

import (
	"errors"
	"testing"

	"github.com/wampgen/wampgen/internal/wire"
	"github.com/wampgen/wampgen/wamp"
)

// node is a linked list, which a cycle turns into an infinitely deep value.
type node struct {
	Next *node `json:"next"`
	Tag  any   `json:"tag"`
}

// TestEncodeRefusesCycles: values that would be infinitely deep are an
// encoding error, not a stack overflow that kills the process (the codec
// has no depth limit when it encodes).
func TestEncodeRefusesCycles(t *testing.T) {
	n := &node{}
	n.Next = n
	m := map[string]any{}
	m["a"], m["b"] = m, m
	l := []any{nil, nil}
	l[0], l[1] = l, l
	var x any
	x = &x
	typed := &node{Tag: m}
	for name, v := range map[string]any{"struct pointer": n, "map": m, "list": l, "interface": &x, "struct holding a map cycle": typed} {
		for _, ser := range wamp.Serializers() {
			if _, err := ser.EncodeValue(v); !errors.Is(err, wire.ErrTooDeep) {
				t.Errorf("%s, %s: EncodeValue: %v, want ErrTooDeep", name, ser, err)
			}
			if _, err := ser.Encode(&wamp.Yield{Request: 1, Args: wamp.ArgsOf(v)}); !errors.Is(err, wire.ErrTooDeep) {
				t.Errorf("%s, %s: Encode: %v, want ErrTooDeep", name, ser, err)
			}
		}
	}
}

// TestEncodeDepthMatchesDecode: a message encodes exactly when its
// receiver accepts its nesting, whatever the payload is made of: []any,
// typed slices, structs, maps.
func TestEncodeDepthMatchesDecode(t *testing.T) {
	type box struct {
		In any `json:"in"`
	}
	builders := map[string]func(n int) any{
		"[]any": func(n int) any {
			var v any = 1
			for range n {
				v = []any{v}
			}
			return v
		},
		"struct": func(n int) any {
			var v any = 1
			for range n {
				v = box{In: v}
			}
			return v
		},
		"map": func(n int) any {
			var v any = 1
			for range n {
				v = map[string]any{"k": v}
			}
			return v
		},
		"linked": func(n int) any {
			var v *node
			for range n {
				v = &node{Next: v}
			}
			return v
		},
	}
	for name, build := range builders {
		for _, ser := range wamp.Serializers() {
			for n := 90; n <= 110; n++ {
				v := build(n)
				for _, m := range []wamp.Message{
					&wamp.Yield{Request: 1, Args: wamp.ArgsOf(v)},
					&wamp.Yield{Request: 1, Args: wamp.ArgsOf(1), Kwargs: wamp.PayloadOf(map[string]any{"k": v})},
					&wamp.Publish{Request: 1, Topic: "a.b", Options: wamp.Dict{"x_v": v}},
				} {
					b, err := ser.Encode(m)
					if err != nil {
						if !errors.Is(err, wire.ErrTooDeep) {
							t.Fatalf("%s %d, %s, %T: %v", name, n, ser, m, err)
						}
						continue
					}
					if _, err := ser.Decode(b); err != nil {
						t.Errorf("%s %d, %s, %T: encoded, but the receiver refuses it: %v", name, n, ser, m, err)
					}
				}
			}
			// Well inside the limit, everything encodes.
			if _, err := ser.Encode(&wamp.Yield{Request: 1, Args: wamp.ArgsOf(build(90))}); err != nil {
				t.Errorf("%s 90, %s: %v", name, ser, err)
			}
		}
	}
}
