package wamp_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/wampgen/wampgen/internal/wire"
	"github.com/wampgen/wampgen/internal/wire/wiretest"
	"github.com/wampgen/wampgen/wamp"
)

// seedMessages adds valid encodings of every sample and some broken ones.
func seedMessages(f *testing.F, ser *wamp.Serializer) {
	for _, s := range samples() {
		b := mustEncode(f, ser, s.msg)
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	for _, elems := range [][]any{
		{}, {48}, {48, "1", map[string]any{}, "p"}, {48, 1, []any{}, "p"}, {48, 1, map[string]any{}, ""},
		{48, uint64(wamp.MaxID) + 1, map[string]any{}, "p"}, {48, -1, map[string]any{}, "p"}, {48, 1.5, map[string]any{}, "p"},
		{50, 1, map[string]any{}, map[string]any{}}, {50, 1, map[string]any{}, []any{}, []any{}}, {7, 1},
		{8, 99, 1, map[string]any{}, "e"}, {35, 0}, {35, 0, map[string]any{"reason": "x"}},
		{50, 1, map[string]any{}, nested(99, 1)}, {50, 1, map[string]any{}, []any{nil, time.Unix(1, 5)}},
	} {
		f.Add(mustEncodeValue(f, ser, elems))
	}
	f.Add([]byte{})
	// The nesting rule: messages exactly at wire.MaxDepth levels and one
	// beyond, in each shape of the format (CBOR tags counting), and one
	// like issue 11's frame, cut short (tags far beyond the limit).
	for _, sh := range wiretest.Shapes {
		if sh.Format == ser.Name() {
			f.Add(wiretest.Message(sh.Format, sh.Nest, wire.MaxDepth))
			f.Add(wiretest.Message(sh.Format, sh.Nest, wire.MaxDepth+1))
		}
	}
	if ser == wamp.CBOR {
		f.Add(append(bytes.Repeat([]byte{0xc6}, 4*wire.MaxDepth), 0x01))
	}
}

// fuzzDecode checks the properties of Decode on arbitrary input: no panic;
// an error wraps ErrMalformed; a decoded message encodes again, with this
// serializer and with the others (a relay), into something that decodes to
// the same message.
func fuzzDecode(f *testing.F, ser *wamp.Serializer) {
	seedMessages(f, ser)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ser.Decode(data)
		if err != nil {
			if !errors.Is(err, wamp.ErrMalformed) {
				t.Fatalf("Decode(%q): error %v does not wrap ErrMalformed", data, err)
			}
			if m != nil {
				t.Fatalf("Decode(%q) returned a message and an error", data)
			}
			return
		}
		b, err := ser.Encode(m)
		if err != nil && unwritableTime(m) {
			return // refused with an error: a time beyond year 9999 cannot be sent on
		}
		if err != nil {
			t.Fatalf("Decode(%q) = %#v, which does not encode: %v", data, m, err)
		}
		m2, err := ser.Decode(b)
		if err != nil {
			t.Fatalf("re-encoded %q as %q, which does not decode: %v", data, b, err)
		}
		if d := diffMessagesWith(normNumbers, m, m2); d != "" {
			t.Fatalf("%q → %q: %s", data, b, d)
		}
		// The payloads are values of the format: they decode, element by
		// element too, or fail with an error (a tag or extension the codec
		// cannot represent), never a panic.
		for _, p := range payloads(m) {
			_, anyErr := p.Any()
			vals, err := p.List()
			if err == nil {
				for _, v := range vals {
					var a any
					_ = v.Decode(&a)
				}
			}
			if ser == wamp.JSON && anyErr != nil {
				if _, ok := p.Encoded(); ok != nil {
					// JSON has no tags or extensions; only numbers beyond
					// float64 may fail.
					var de *wamp.DecodeError
					if !errors.As(anyErr, &de) {
						t.Fatalf("JSON payload %q: Any: %v", p.Kind(), anyErr)
					}
				}
			}
		}
		// A relay to another serializer gives a message that decodes back
		// to the same one, unless a payload cannot be represented.
		for _, to := range wamp.Serializers() {
			if to == ser {
				continue
			}
			rb, err := to.Encode(m)
			if err != nil {
				continue
			}
			rm, err := to.Decode(rb)
			if err != nil {
				t.Fatalf("%s relay of %q gave %q, which does not decode: %v", to, data, rb, err)
			}
			if rm.Type() != m.Type() {
				t.Fatalf("%s relay changed the type", to)
			}
		}
	})
}

func payloads(m wamp.Message) []wamp.Payload {
	switch m := m.(type) {
	case *wamp.Abort:
		return []wamp.Payload{m.Args, m.Kwargs}
	case *wamp.Error:
		return []wamp.Payload{m.Args, m.Kwargs}
	case *wamp.Publish:
		return []wamp.Payload{m.Args, m.Kwargs}
	case *wamp.Event:
		return []wamp.Payload{m.Args, m.Kwargs}
	case *wamp.Call:
		return []wamp.Payload{m.Args, m.Kwargs}
	case *wamp.Result:
		return []wamp.Payload{m.Args, m.Kwargs}
	case *wamp.Invocation:
		return []wamp.Payload{m.Args, m.Kwargs}
	case *wamp.Yield:
		return []wamp.Payload{m.Args, m.Kwargs}
	}
	return nil
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`[50,1,{},[1,2}]`, `[50,1,{},["\u0000AP8=","\u0000!!"]]`, `[50,1,{},[1e400,-0,1E+2]]`,
		`[1,"r",{"a":"\ud800"}]`, "[1,\"r\",{\"a\":\"\xff\"}]", `[1,"r",{"a":1e16}]`, `[65,1,2] `, `[65,1,2]x`,
		`[50,1,{"x":[[[[[[[[[[]]]]]]]]]]},[{"":null}]]`,
	} {
		f.Add([]byte(s))
	}
	fuzzDecode(f, wamp.JSON)
}

func FuzzDecodeMsgPack(f *testing.F) {
	for _, b := range [][]byte{
		{0x94, 0x32, 0x01, 0x80, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01},
		{0x94, 0x32, 0x01, 0x80, 0x91, 0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 1},
		{0x94, 0x32, 0x01, 0x80, 0x91, 0xc7, 0x01, 0x05, 0x00},
		{0x94, 0x32, 0x01, 0x81, 0xa1, 'n', 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1, 0x90},
	} {
		f.Add(b)
	}
	fuzzDecode(f, wamp.MsgPack)
}

func FuzzDecodeCBOR(f *testing.F) {
	for _, b := range [][]byte{
		{0x84, 0x18, 0x32, 0x01, 0xa0, 0x9f, 0x01, 0x5f, 0x41, 0x00, 0xff, 0xff},
		{0x84, 0x18, 0x32, 0x01, 0xa0, 0x81, 0xc1, 0x1a, 0x5e, 0x0d, 0x5d, 0xa5},
		{0x84, 0x18, 0x32, 0x01, 0xa0, 0x81, 0xd8, 0x20, 0x61, 'x'},
		{0x84, 0x18, 0x32, 0x01, 0xa0, 0x82, 0xf9, 0x7e, 0x00, 0xf7},
	} {
		f.Add(b)
	}
	fuzzDecode(f, wamp.CBOR)
}

// FuzzValueDecode decodes arbitrary bytes with DecodeValue into many Go
// types: no panic, and errors are *DecodeError (or the nil-pointer error).
func FuzzValueDecode(f *testing.F) {
	type inner struct {
		A int      `json:"a"`
		B []string `json:"b"`
		C any      `json:"c"`
	}
	type outer struct {
		inner
		M map[string]*inner `json:"m"`
		L [][]byte          `json:"l"`
		T time.Time         `json:"t"`
		P *float32          `json:"p"`
		U uint16            `json:"u"`
		R [2]bool           `json:"r"`
	}
	targets := []func() any{
		func() any { return new(any) }, func() any { return new(int) }, func() any { return new(int8) },
		func() any { return new(int64) }, func() any { return new(uint64) }, func() any { return new(float64) },
		func() any { return new(float32) }, func() any { return new(string) }, func() any { return new(bool) },
		func() any { return new([]byte) }, func() any { return new([]any) }, func() any { return new(map[string]any) },
		func() any { return new([]int) }, func() any { return new(map[string]int) }, func() any { return new(map[int]string) },
		func() any { return new([3]string) }, func() any { return new(outer) }, func() any { return new(*[]*outer) },
		func() any { return new(time.Time) }, func() any { return new([][]any) }, func() any { return new([4]byte) },
		// Types with their own form (ownform_test.go).
		func() any { return new(uuid) }, func() any { return new(point) }, func() any { return new(money) },
		func() any { return new(ownStruct) }, func() any { return new(map[uuid]int) }, func() any { return new(time.Duration) },
	}
	for i, ser := range wamp.Serializers() {
		for _, v := range []any{
			1, -1, 1.5, "s", []byte{1}, nil, true, []any{1, "a", nil}, map[string]any{"a": 1, "b": []any{"x"}, "c": []byte{2}},
			map[string]any{"m": map[string]any{"k": map[string]any{"a": 2}}, "l": []any{[]byte{1}}, "t": time.Unix(5, 0), "p": 1.5, "r": []any{true, false}},
			time.Unix(1, 0), nested(99, 1), uint64(1) << 63,
			tOffset, anID, point{1, 2}, money{Cents: 5, Sig: []byte{1}}, ownValues()["struct"],
		} {
			f.Add(mustEncodeValue(f, ser, v), uint8(i))
		}
		// Values exactly at the nesting limit and one level beyond.
		for _, sh := range wiretest.Shapes {
			if sh.Format == ser.Name() {
				f.Add(sh.Nest(wire.MaxDepth), uint8(i))
				f.Add(sh.Nest(wire.MaxDepth+1), uint8(i))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		ser := wamp.Serializers()[int(which)%3]
		for _, newTarget := range targets {
			dst := newTarget()
			err := ser.DecodeValue(data, dst)
			var de *wamp.DecodeError
			if err != nil && !errors.As(err, &de) {
				t.Fatalf("%s: DecodeValue(%q, %T): %v is not a *DecodeError", ser, data, dst, err)
			}
		}
		// What decodes into an interface value encodes again and decodes to
		// the same value.
		var v any
		if ser.DecodeValue(data, &v) != nil {
			return
		}
		b, err := ser.EncodeValue(v)
		if err != nil {
			return // for example an extension the codec cannot write back
		}
		var v2 any
		if err := ser.DecodeValue(b, &v2); err != nil {
			t.Fatalf("%s: %q decoded to %#v, encoded as %q, which does not decode: %v", ser, data, v, b, err)
		}
	})
}
