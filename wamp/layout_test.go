package wamp_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire"
	"github.com/wampgen/wampgen/internal/wire/wiretest"
	"github.com/wampgen/wampgen/wamp"
)

// layoutMessages has a zero message of every type this package implements.
var layoutMessages = []wamp.Message{
	&wamp.Hello{}, &wamp.Welcome{}, &wamp.Abort{}, &wamp.Challenge{}, &wamp.Authenticate{},
	&wamp.Goodbye{}, &wamp.Error{}, &wamp.Publish{}, &wamp.Published{}, &wamp.Subscribe{},
	&wamp.Subscribed{}, &wamp.Unsubscribe{}, &wamp.Unsubscribed{}, &wamp.Event{}, &wamp.Call{},
	&wamp.Cancel{}, &wamp.Result{}, &wamp.Register{}, &wamp.Registered{}, &wamp.Unregister{},
	&wamp.Unregistered{}, &wamp.Invocation{}, &wamp.Interrupt{}, &wamp.Yield{},
}

// layoutFieldNames maps the Go names of message fields to the
// specification's names where they differ.
var layoutFieldNames = map[string]string{"RequestType": "REQUEST.Type", "Args": "Arguments", "Kwargs": "ArgumentsKw"}

// TestLayoutEncodeDecode holds the encoder and the decoder to the one
// message layout (internal/wire, layout.go), for every message type and
// serializer: the struct's fields are the layout's, in order; a message
// with a distinct value in every element encodes to exactly the layout's
// list (read back by position with the codec, not with this package); a
// list built from the layout alone (with the codec) decodes to exactly
// those values; and both again with the optional elements absent.
func TestLayoutEncodeDecode(t *testing.T) {
	byCode := map[uint64]wamp.Message{}
	for _, m := range layoutMessages {
		byCode[uint64(m.Type())] = m
	}
	for _, code := range wiretest.Codes() {
		proto, ok := byCode[code]
		if !ok {
			t.Errorf("layout has type %d, which no message of this package is", code)
			continue
		}
		lay := wire.LayoutOf(code)
		rt := reflect.TypeOf(proto).Elem()
		if rt.NumField() != len(lay.Fields) {
			t.Errorf("%s: %d fields, layout has %d elements after the type code", lay.Name, rt.NumField(), len(lay.Fields))
			continue
		}
		for i, f := range lay.Fields {
			name := rt.Field(i).Name
			if n, ok := layoutFieldNames[name]; ok {
				name = n
			}
			if name != f.Name {
				t.Errorf("%s: field %d is %s, layout has %s there", lay.Name, i, rt.Field(i).Name, f.Name)
			}
		}
		if proto.Type().String() != lay.Name {
			t.Errorf("type %d is %s here, %s in the layout", code, proto.Type(), lay.Name)
		}
		for _, s := range []*wamp.Serializer{wamp.JSON, wamp.MsgPack, wamp.CBOR} {
			for _, full := range []bool{true, false} {
				name := fmt.Sprintf("%s/%s/full=%v", lay.Name, s.Name(), full)
				// Encode, read back by position.
				m := reflect.New(rt)
				for i, f := range lay.Fields {
					if full || !f.Elem.Optional() {
						setLayoutField(t, m.Elem().Field(i), wiretest.Sample(f.Elem, i+1))
					}
				}
				b, err := s.Encode(m.Interface().(wamp.Message))
				if err != nil {
					t.Errorf("%s: encode: %v", name, err)
					continue
				}
				var got []any
				if err := codec.NewDecoderBytes(b, layoutHandle(s)).Decode(&got); err != nil {
					t.Errorf("%s: the codec reads %q: %v", name, b, err)
					continue
				}
				if err := wiretest.CheckList(got, code, full); err != nil {
					t.Errorf("%s: encoded %q: %v", name, b, err)
				}
				// Decode a list the codec wrote from the layout alone.
				var in []byte
				if err := codec.NewEncoderBytes(&in, layoutHandle(s)).Encode(wiretest.List(code, full)); err != nil {
					t.Fatal(err)
				}
				dm, err := s.Decode(in)
				if err != nil {
					t.Errorf("%s: decode %q: %v", name, in, err)
					continue
				}
				dv := reflect.ValueOf(dm).Elem()
				for i, f := range lay.Fields {
					var want any
					if full || !f.Elem.Optional() {
						want = wiretest.Sample(f.Elem, i+1)
					}
					if got := plainLayoutField(t, dv.Field(i)); !wiretest.Same(got, want) {
						t.Errorf("%s: decoded %s = %#v, want %#v", name, f.Name, got, want)
					}
				}
			}
		}
	}
}

func layoutHandle(s *wamp.Serializer) codec.Handle {
	switch s {
	case wamp.MsgPack:
		return wire.MsgPack.Handle()
	case wamp.CBOR:
		return wire.CBOR.Handle()
	}
	return wire.JSON.Handle()
}

// setLayoutField sets a message field to a sample value.
func setLayoutField(t *testing.T, f reflect.Value, v any) {
	t.Helper()
	switch f.Interface().(type) {
	case wamp.Payload:
		f.Set(reflect.ValueOf(wamp.PayloadOf(v)))
	case wamp.Dict:
		f.Set(reflect.ValueOf(v))
	default:
		switch f.Kind() {
		case reflect.Uint8, reflect.Uint64:
			f.SetUint(v.(uint64))
		case reflect.String:
			f.SetString(v.(string))
		default:
			t.Fatalf("no sample for a field of type %s", f.Type())
		}
	}
}

// plainLayoutField returns a decoded message field as a plain value: nil
// for an absent payload or dictionary.
func plainLayoutField(t *testing.T, f reflect.Value) any {
	t.Helper()
	switch v := f.Interface().(type) {
	case wamp.Payload:
		if v.IsZero() {
			return nil
		}
		a, err := v.Any()
		if err != nil {
			t.Errorf("payload: %v", err)
		}
		return a
	case wamp.Dict:
		if v == nil {
			return nil
		}
		return v
	}
	return f.Interface()
}

// TestIntegerRangeDecode: a CBOR integer outside int64 and uint64 (a
// negative one below math.MinInt64, epoch seconds beyond an int64) is
// refused as malformed, wherever it stands, as the router refuses it; the
// ends of the range decode.
func TestIntegerRangeDecode(t *testing.T) {
	for _, in := range []string{
		"\x85\x18\x30\x01\xa0\x63a.b\x81\x3b\x80\x00\x00\x00\x00\x00\x00\x00",
		"\x85\x18\x30\x01\xa0\x63a.b\x81\xc1\x1b\x80\x00\x00\x00\x00\x00\x00\x00",
		"\x84\x18\x30\x01\xa1\x61k\x3b\x80\x00\x00\x00\x00\x00\x00\x00\x63a.b",
	} {
		if m, err := wamp.CBOR.Decode([]byte(in)); !errors.Is(err, wamp.ErrMalformed) {
			t.Errorf("Decode(%x) = %+v, %v; want ErrMalformed", in, m, err)
		}
	}
	in := "\x85\x18\x30\x01\xa0\x63a.b\x82\x3b\x7f\xff\xff\xff\xff\xff\xff\xff\x1b\xff\xff\xff\xff\xff\xff\xff\xff"
	m, err := wamp.CBOR.Decode([]byte(in))
	if err != nil {
		t.Fatalf("Decode(%x): %v", in, err)
	}
	var args struct {
		Min int64
		Max uint64
	}
	vals, err := m.(*wamp.Call).Args.List()
	if err != nil || len(vals) != 2 {
		t.Fatalf("Arguments: %v, %v", vals, err)
	}
	if args.Min, err = vals[0].Int64(); err != nil || args.Min != math.MinInt64 {
		t.Errorf("Arguments[0] = %d, %v; want math.MinInt64", args.Min, err)
	}
	if args.Max, err = vals[1].Uint64(); err != nil || args.Max != math.MaxUint64 {
		t.Errorf("Arguments[1] = %d, %v; want math.MaxUint64", args.Max, err)
	}
}

// TestJSONNumberRuleDecode: a JSON number the codec would read as another
// number (a fraction with some 120 leading zeros: 0.<249 zeros>1 became
// 1e6) or refuse only when a payload is read (an integer below
// math.MinInt64, a float beyond float64) is malformed at Decode, as the
// router refuses it.
func TestJSONNumberRuleDecode(t *testing.T) {
	tiny := "0." + strings.Repeat("0", 249) + "1"
	for _, in := range []string{
		`[48,1,{},"a.b",[` + tiny + `]]`,
		`[48,1,{"k":` + tiny + `},"a.b"]`,
		`[70,1,{},[],{"k":[-` + tiny + `]}]`,
		`[16,1,{},"a.b",[-9223372036854775809]]`,
		`[16,1,{},"a.b",[1e400]]`,
	} {
		if m, err := wamp.JSON.Decode([]byte(in)); !errors.Is(err, wamp.ErrMalformed) {
			t.Errorf("Decode(%.60s…) = %+v, %v; want ErrMalformed", in, m, err)
		}
	}
}

// TestPeekHeaderFollowsLayout holds PeekHeader to the message layout: for
// every message type and serializer, it reads the first ID of the message
// (for ERROR after its REQUEST.Type) where the layout has it, and reports
// false for a message whose layout has no ID among its first elements.
func TestPeekHeaderFollowsLayout(t *testing.T) {
	for _, code := range wiretest.Codes() {
		lay := wire.LayoutOf(code)
		want, hasID := wamp.Header{Type: wamp.MessageType(code)}, false
		for i, f := range lay.Fields[:min(2, len(lay.Fields))] {
			switch f.Elem {
			case wire.ElemType:
				want.RequestType = wamp.MessageType(wiretest.Sample(f.Elem, i+1).(uint64))
				continue
			case wire.ElemID, wire.ElemIDOrZero:
				want.Request = wamp.ID(wiretest.Sample(f.Elem, i+1).(uint64))
				hasID = true
			}
			break
		}
		for _, s := range []*wamp.Serializer{wamp.JSON, wamp.MsgPack, wamp.CBOR} {
			var in []byte
			if err := codec.NewEncoderBytes(&in, layoutHandle(s)).Encode(wiretest.List(code, true)); err != nil {
				t.Fatal(err)
			}
			got, ok := s.PeekHeader(in)
			if ok != hasID || ok && got != want {
				t.Errorf("%s/%s: PeekHeader = %+v, %v; want %+v, %v", lay.Name, s.Name(), got, ok, want, hasID)
			}
		}
	}
}
