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

// TestEncodeCheckIsLinear: a struct holding an interface that holds a list
// that holds the struct again, 40 times over (82 levels), encodes; the same
// shape closed into a cycle is refused. Each part is checked once: the
// check used to walk every level twice, which doubled per level (2^40
// steps here, 2^50 for the cycle: the encoder hung).
func TestEncodeCheckIsLinear(t *testing.T) {
	type box struct {
		In any `json:"in"`
	}
	var v any = 1
	for range 40 {
		v = box{In: []any{v}}
	}
	var m any = 1
	for range 40 {
		m = &box{In: map[string]any{"k": m}}
	}
	cycle := &box{}
	cycle.In = []any{cycle}
	for _, ser := range wamp.Serializers() {
		for name, v := range map[string]any{"struct and list": v, "pointer and map": m} {
			b, err := ser.Encode(&wamp.Yield{Request: 1, Args: wamp.ArgsOf(v)})
			if err != nil {
				t.Fatalf("%s, %s: %v", ser, name, err)
			}
			if _, err := ser.Decode(b); err != nil {
				t.Fatalf("%s, %s: encoded, but the receiver refuses it: %v", ser, name, err)
			}
		}
		if _, err := ser.EncodeValue(cycle); !errors.Is(err, wire.ErrTooDeep) {
			t.Errorf("%s: a cycle through a struct and a list: %v, want ErrTooDeep", ser, err)
		}
	}
}

// TestEncodeBinaryIsNotALevel: []byte and [N]byte are written as binary in
// every format, a scalar: inside a struct or at the deepest level they
// encode exactly where a receiver accepts them.
func TestEncodeBinaryIsNotALevel(t *testing.T) {
	type withBytes struct {
		B []byte  `json:"b"`
		A [4]byte `json:"a"`
	}
	nest := func(n int, leaf any) any {
		v := leaf
		for range n {
			v = []any{v}
		}
		return v
	}
	for _, ser := range wamp.Serializers() {
		// The message and Arguments take two levels: 97 lists and the
		// struct make 100.
		for name, v := range map[string]any{
			"struct with binary fields": nest(97, withBytes{B: []byte("x")}),
			"[4]byte":                   nest(98, [4]byte{1, 2, 3, 4}),
		} {
			b, err := ser.Encode(&wamp.Yield{Request: 1, Args: wamp.ArgsOf(v)})
			if err != nil {
				t.Errorf("%s, %s: %v", ser, name, err)
				continue
			}
			if _, err := ser.Decode(b); err != nil {
				t.Errorf("%s, %s: encoded, but the receiver refuses it: %v", ser, name, err)
			}
		}
	}
}
