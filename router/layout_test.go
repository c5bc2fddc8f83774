package router

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gammazero/nexus/v3/wamp"
	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire"
	"github.com/wampgen/wampgen/internal/wire/wiretest"
)

// nexusFieldNames maps the names of nexus's message fields to the
// specification's names where they differ.
var nexusFieldNames = map[string]string{"ID": "Session", "Type": "REQUEST.Type"}

// TestLayoutPaths holds every reader and writer of whole messages in this
// package to the one message layout (internal/wire, layout.go), for every
// message type and serializer, with a distinct value in every element and
// with the optional elements absent: nexus's struct fields are the first
// elements of the layout, in order; the passthrough decoder (for the
// types it takes) and the full decoder read a list the codec wrote from the
// layout alone into the right fields; the passthrough encoder (for the
// types it writes) and the full encoder write exactly the layout's list.
func TestLayoutPaths(t *testing.T) {
	fastIn := map[wamp.MessageType]bool{wamp.CALL: true, wamp.YIELD: true, wamp.ERROR: true, wamp.PUBLISH: true}
	fastOut := map[wamp.MessageType]bool{wamp.INVOCATION: true, wamp.RESULT: true, wamp.ERROR: true, wamp.EVENT: true}
	for _, code := range wiretest.Codes() {
		lay := wire.LayoutOf(code)
		typ := wamp.MessageType(code)
		proto := wamp.NewMessage(typ)
		if proto == nil {
			t.Errorf("layout has type %d (%s), which nexus has no message for", code, lay.Name)
			continue
		}
		rt := reflect.TypeOf(proto).Elem()
		if rt.NumField() > len(lay.Fields) {
			t.Errorf("%s: nexus has %d fields, the layout %d elements after the type code", lay.Name, rt.NumField(), len(lay.Fields))
			continue
		}
		for i, f := range lay.Fields {
			if i >= rt.NumField() {
				if !f.Elem.Optional() {
					t.Errorf("%s: nexus has no field for the required element %s", lay.Name, f.Name)
				}
				continue
			}
			name := rt.Field(i).Name
			if n, ok := nexusFieldNames[name]; ok {
				name = n
			}
			if name != f.Name {
				t.Errorf("%s: nexus field %d is %s, the layout has %s there", lay.Name, i, rt.Field(i).Name, f.Name)
			}
		}
		for _, s := range allSerializers {
			for _, full := range []bool{true, false} {
				name := fmt.Sprintf("%s/%s/full=%v", lay.Name, s.name, full)
				var in []byte
				if err := codec.NewEncoderBytes(&in, s.handle).Encode(wiretest.List(code, full)); err != nil {
					t.Fatal(err)
				}
				// What nexus carries: the elements it has fields for.
				carried := full && rt.NumField() == len(lay.Fields)

				decoders := map[string]func([]byte) (wamp.Message, error){"full": s.deserializeFull}
				if fastIn[typ] {
					decoders["passthrough"] = func(b []byte) (wamp.Message, error) {
						if m := s.decodeFast(b); m != nil {
							return m, nil
						}
						return nil, fmt.Errorf("the passthrough decoder refused %q", b)
					}
				}
				for path, decode := range decoders {
					m, err := decode(in)
					if err != nil {
						t.Errorf("%s: %s decoder: %v", name, path, err)
						continue
					}
					mv := reflect.ValueOf(m).Elem()
					for i := range mv.NumField() {
						var want any
						if full || !lay.Fields[i].Elem.Optional() {
							want = wiretest.Sample(lay.Fields[i].Elem, i+1)
						}
						got, err := payloadValue(mv.Field(i).Interface())
						if err != nil {
							t.Errorf("%s: %s decoder: %s: %v", name, path, lay.Fields[i].Name, err)
						}
						if rv := reflect.ValueOf(got); (rv.Kind() == reflect.Map || rv.Kind() == reflect.Slice) && rv.Len() == 0 && want == nil {
							got = nil // an absent payload may be an empty one
						}
						if !wiretest.Same(got, want) {
							t.Errorf("%s: %s decoder: %s = %#v, want %#v", name, path, lay.Fields[i].Name, got, want)
						}
					}
				}

				msg := reflect.New(rt)
				for i := range rt.NumField() {
					if f := lay.Fields[i]; carried || !f.Elem.Optional() {
						setField(msg.Elem().Field(i), f.Elem, wiretest.Sample(f.Elem, i+1))
					}
				}
				encoders := map[string]func(wamp.Message) ([]byte, error){"full": s.serializeFull}
				if fastOut[typ] {
					encoders["passthrough"] = func(m wamp.Message) ([]byte, error) {
						b, ok, err := s.appendFast(nil, m)
						if !ok {
							return nil, fmt.Errorf("the passthrough encoder refused %T", m)
						}
						return b, err
					}
				}
				for path, encode := range encoders {
					b, err := encode(msg.Interface().(wamp.Message))
					if err != nil {
						t.Errorf("%s: %s encoder: %v", name, path, err)
						continue
					}
					var got []any
					if err := codec.NewDecoderBytes(b, s.handle).Decode(&got); err != nil {
						t.Errorf("%s: %s encoder wrote %q: %v", name, path, b, err)
						continue
					}
					if err := wiretest.CheckList(got, code, carried); err != nil {
						t.Errorf("%s: %s encoder wrote %q: %v", name, path, b, err)
					}
				}
			}
		}
	}
}

// TestFormatRulesHere: the format layer's rules hold on both of this
// package's paths. An empty list is no message, on the passthrough path
// (for which it is canonical) as on the full one; a CBOR integer outside
// int64 and uint64 is refused, never relayed as another number (the codec
// alone reads -2^63-1 as math.MaxInt64).
func TestFormatRulesHere(t *testing.T) {
	for _, s := range allSerializers {
		var empty []byte
		if err := codec.NewEncoderBytes(&empty, s.handle).Encode([]any{}); err != nil {
			t.Fatal(err)
		}
		if m := s.decodeFast(empty); m != nil {
			t.Errorf("%s: the passthrough decoder took %q as %T", s.name, empty, m)
		}
		if m, err := s.Deserialize(empty); err == nil {
			t.Errorf("%s: Deserialize(%q) = %T, want an error", s.name, empty, m)
		}
	}
	for _, in := range []string{
		"\x85\x18\x30\x01\xa0\x63a.b\x81\x3b\x80\x00\x00\x00\x00\x00\x00\x00",     // CALL with -2^63-1
		"\x85\x18\x30\x01\xa0\x63a.b\x81\xc1\x1b\x80\x00\x00\x00\x00\x00\x00\x00", // CALL with tag 1, 2^63 seconds
		"\x84\x18\x30\x01\xa1\x61k\x3b\x80\x00\x00\x00\x00\x00\x00\x00\x63a.b",    // in Options
	} {
		if m, err := cborSerializer.Deserialize([]byte(in)); err == nil {
			t.Errorf("Deserialize(%x) = %+v, want an error", in, m)
		}
	}
	// JSON numbers the codec reads as other numbers (a fraction with some
	// 120 leading zeros: 0.<249 zeros>1 became 1e6, relayed so) or refuses
	// are refused by both paths, by the one rule of internal/wire.
	tiny := "0." + strings.Repeat("0", 249) + "1"
	for _, in := range []string{
		`[48,1,{},"a.b",[` + tiny + `]]`,
		`[48,1,{"k":` + tiny + `},"a.b"]`,
		`[70,1,{},[],{"k":[-` + tiny + `]}]`,
		`[16,1,{},"a.b",[-9223372036854775809]]`,
		`[16,1,{},"a.b",[1e400]]`,
	} {
		if m, err := jsonSerializer.Deserialize([]byte(in)); err == nil {
			t.Errorf("Deserialize(%.60s…) = %+v, want an error", in, m)
		}
	}
	// The ends of the range pass.
	in := "\x85\x18\x30\x01\xa0\x63a.b\x82\x3b\x7f\xff\xff\xff\xff\xff\xff\xff\x1b\xff\xff\xff\xff\xff\xff\xff\xff"
	m, err := cborSerializer.Deserialize([]byte(in))
	if err != nil {
		t.Fatalf("Deserialize(%x): %v", in, err)
	}
	args, err := payloadValue(m.(*wamp.Call).Arguments)
	if want := []any{int64(math.MinInt64), uint64(math.MaxUint64)}; err != nil || !reflect.DeepEqual(args, wamp.List(want)) {
		t.Errorf("Deserialize(%x): Arguments %#v, %v; want %#v", in, args, err, want)
	}
}

// TestIDRangeByLayout: both decoders hold IDs to the layout, as wamp's
// decoder does: an ID (wire.ElemID) is in 1..2^53, an ID of a revocation
// (wire.ElemIDOrZero) may be 0; each ID of every message type out of range
// is refused, on the passthrough path as on the full one (the full path
// took any uint64, and 0, for every ID but the six request IDs the peer
// checks).
func TestIDRangeByLayout(t *testing.T) {
	for _, code := range wiretest.Codes() {
		lay := wire.LayoutOf(code)
		for i, f := range lay.Fields {
			if f.Elem != wire.ElemID && f.Elem != wire.ElemIDOrZero {
				continue
			}
			for _, tc := range []struct {
				id any
				ok bool
			}{
				{uint64(1), true},
				{uint64(maxRequestID), true},
				{float64(maxRequestID), true}, // JSON numbers may be floats
				{uint64(0), f.Elem == wire.ElemIDOrZero},
				{uint64(maxRequestID + 1), false},
				{uint64(math.MaxUint64), false},
			} {
				list := wiretest.List(code, true)
				list[i+1] = tc.id
				for _, s := range allSerializers {
					var in []byte
					if err := codec.NewEncoderBytes(&in, s.handle).Encode(list); err != nil {
						t.Fatal(err)
					}
					checkSame(t, s, in)
					if m, err := s.Deserialize(in); (err == nil) != tc.ok {
						t.Errorf("%s %s %s = %v: Deserialize = %+v, %v; want ok %v", s.name, lay.Name, f.Name, tc.id, m, err, tc.ok)
					}
				}
			}
		}
	}
}

// TestRequestTypeByLayout: ERROR's REQUEST.Type (wire.ElemType) is a
// message type, on both paths, as wamp's decoder has it; the full path
// took any code up to 255, the passthrough one any it could read.
func TestRequestTypeByLayout(t *testing.T) {
	for _, tc := range []struct {
		typ any
		ok  bool
	}{
		{uint64(68), true}, {uint64(48), true}, {uint64(0), false}, {uint64(7), false}, {uint64(255), false}, {uint64(256), false},
	} {
		list := wiretest.List(uint64(wamp.ERROR), true)
		list[1] = tc.typ
		for _, s := range allSerializers {
			var in []byte
			if err := codec.NewEncoderBytes(&in, s.handle).Encode(list); err != nil {
				t.Fatal(err)
			}
			checkSame(t, s, in)
			if m, err := s.Deserialize(in); (err == nil) != tc.ok {
				t.Errorf("%s ERROR with REQUEST.Type %v: Deserialize = %+v, %v; want ok %v", s.name, tc.typ, m, err, tc.ok)
			}
		}
	}
}
