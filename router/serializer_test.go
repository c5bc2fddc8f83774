package router

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"
	"github.com/ugorji/go/codec"

	wampbin "github.com/wampgen/wampgen/wamp"
)

var allBytes = func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func TestDecodeBinaryString(t *testing.T) {
	tests := []struct {
		in   string
		want []byte // nil: stays a string
	}{
		{"\x00AP8=", []byte{0x00, 0xFF}},
		{"\x00", []byte{}},
		{"\x00" + base64.StdEncoding.EncodeToString(allBytes), allBytes},
		{"\x00aGVsbG8=", []byte("hello")},
		{"", nil},
		{"AP8=", nil},            // no NUL
		{"a\x00AP8=", nil},       // NUL not first
		{"\x00not base64!", nil}, // not base64
		{"\x00AP8", nil},         // unpadded
		{"\x00AP9=", nil},        // unused bits set: not canonical
		{"\x00AP8=\n", nil},      // line break
		{"\x00AP\r\n8=", nil},    // line break inside
		{"\x00AP-_", nil},        // URL alphabet
		{"\x00AP8=AP8=", nil},    // padding in the middle
		{"\x00\x00AP8=", nil},    // two NULs
		{"\x00AP8= ", nil},       // trailing space
		{"\x00" + strings.Repeat("A", 4), []byte{0, 0, 0}},
	}
	for _, tt := range tests {
		got, ok := wampbin.DecodeBinaryString(tt.in)
		if tt.want == nil {
			if ok {
				t.Errorf("wampbin.DecodeBinaryString(%q) = %v, true; want a string", tt.in, got)
			}
			continue
		}
		if !ok || !bytes.Equal(got, tt.want) || got == nil {
			t.Errorf("wampbin.DecodeBinaryString(%q) = %v, %v; want %v, true", tt.in, got, ok, tt.want)
		}
		if enc := wampbin.EncodeBinaryString(got); enc != tt.in {
			t.Errorf("wampbin.EncodeBinaryString(%v) = %q, want %q", got, enc, tt.in)
		}
	}
}

// FuzzDecodeBinaryString checks that the conversion is exact: a string is
// taken for bytes only if encoding the bytes gives the string back.
func FuzzDecodeBinaryString(f *testing.F) {
	for _, s := range []string{"\x00AP8=", "\x00", "\x00not base64!", "a\x00b", "\x00AP9=", "\x00AP8=\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, ok := wampbin.DecodeBinaryString(s)
		if ok && wampbin.EncodeBinaryString(b) != s {
			t.Fatalf("%q decoded to %v, which encodes to %q", s, b, wampbin.EncodeBinaryString(b))
		}
		if !ok && len(s) > 0 && s[0] == 0 {
			if _, err := base64.StdEncoding.Strict().DecodeString(s[1:]); err == nil && !strings.ContainsAny(s, "\r\n") {
				t.Fatalf("%q is NUL plus canonical base64 but was not decoded", s)
			}
		}
	})
}

func TestJSONSerializeBinaryEverywhere(t *testing.T) {
	msg := &wamp.Call{
		Request:   7,
		Options:   wamp.Dict{"o": []byte{1}},
		Procedure: "com.example.proc",
		Arguments: wamp.List{
			[]byte{0x00, 0xFF},
			[]byte{},
			"plain",
			wamp.List{[]byte("hi"), wamp.Dict{"deep": []byte{0xFF}}},
			map[string]any{"m": []any{[]byte{}}},
			serialize.BinaryData{9},
		},
		ArgumentsKw: wamp.Dict{"k": []byte{0xFF}},
	}
	b, err := jsonSerializer.Serialize(msg)
	if err != nil {
		t.Fatal(err)
	}
	want := `[48,7,{"o":"\u0000AQ=="},"com.example.proc",` +
		`["\u0000AP8=","\u0000","plain",["\u0000aGk=",{"deep":"\u0000/w=="}],{"m":["\u0000"]},"\u0000CQ=="],` +
		`{"k":"\u0000/w=="}]`
	if string(b) != want {
		t.Fatalf("JSON wire form\n got %s\nwant %s", b, want)
	}
}

func TestJSONDeserializeBinaryEverywhere(t *testing.T) {
	in := `[68,7,3,{"d":"\u0000AQ==","nested":{"x":["\u0000"]}},` +
		`["\u0000AP8=","\u0000not base64!","a\u0000b","plain",[{"y":"\u0000/w=="}],1,true,null],` +
		`{"k":"\u0000/w==","s":"\u0000AP9="}]`
	m, err := jsonSerializer.Deserialize([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	inv, ok := m.(*wamp.Invocation)
	if !ok {
		t.Fatalf("got %T, want *wamp.Invocation", m)
	}
	want := &wamp.Invocation{
		Request:      7,
		Registration: 3,
		Details: wamp.Dict{
			"d":      []byte{1},
			"nested": map[string]any{"x": []any{[]byte{}}},
		},
		Arguments: wamp.List{
			[]byte{0x00, 0xFF},
			"\x00not base64!",
			"a\x00b",
			"plain",
			[]any{map[string]any{"y": []byte{0xFF}}},
			uint64(1),
			true,
			nil,
		},
		ArgumentsKw: wamp.Dict{"k": []byte{0xFF}, "s": "\x00AP9="},
	}
	if !reflect.DeepEqual(inv, want) {
		t.Fatalf("decoded\n got %#v\nwant %#v", inv, want)
	}
}

func TestJSONTopLevelStringsStayStrings(t *testing.T) {
	// Only dicts and lists follow the binary convention; a URI or an
	// authentication signature never becomes bytes.
	m, err := jsonSerializer.Deserialize([]byte(`[5,"\u0000AP8=",{}]`))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.(*wamp.Authenticate).Signature; got != "\x00AP8=" {
		t.Fatalf("Signature = %q, want the string unchanged", got)
	}
}

// TestStockNexusBinarySerializers verifies nexus's own MessagePack and CBOR
// serializers, which clients built on nexus use: bytes travel as bin / byte
// string and come back as []byte, text stays text. It also checks that the
// router's serializers read and write the same wire forms.
func TestStockNexusBinarySerializers(t *testing.T) {
	msg := &wamp.Call{
		Request:   1,
		Options:   wamp.Dict{},
		Procedure: "p",
		Arguments: wamp.List{[]byte{0x00, 0xFF}, "\x00AP8=", []byte{}},
	}
	tests := []struct {
		name    string
		stock   serialize.Serializer
		ours    *serializer
		binWire []byte // how []byte{0x00, 0xFF} must appear on the wire
		strWire []byte // how the 5-character string must appear
	}{
		{"msgpack", &serialize.MessagePackSerializer{}, msgpackSerializer, []byte{0xC4, 2, 0x00, 0xFF}, []byte{0xA5, 0, 'A', 'P', '8', '='}},
		{"cbor", &serialize.CBORSerializer{}, cborSerializer, []byte{0x42, 0x00, 0xFF}, []byte{0x65, 0, 'A', 'P', '8', '='}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, enc := range []serialize.Serializer{tt.stock, tt.ours} {
				b, err := enc.Serialize(msg)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Contains(b, tt.binWire) || !bytes.Contains(b, tt.strWire) {
					t.Fatalf("%T wrote % x; want bin % x and text % x", enc, b, tt.binWire, tt.strWire)
				}
				for _, dec := range []serialize.Serializer{tt.stock, tt.ours} {
					m, err := dec.Deserialize(b)
					if err != nil {
						t.Fatalf("%T decoding %T output: %v", dec, enc, err)
					}
					// Our serializer leaves the payload encoded; read
					// it as nexus would have received it before.
					args := materialize(t, m).(*wamp.Call).Arguments
					if got, ok := args[0].([]byte); !ok || !bytes.Equal(got, []byte{0x00, 0xFF}) {
						t.Errorf("%T→%T: bytes decoded as %T %v", enc, dec, args[0], args[0])
					}
					if got, ok := args[1].(string); !ok || got != "\x00AP8=" {
						t.Errorf("%T→%T: text decoded as %T %v", enc, dec, args[1], args[1])
					}
					if got, ok := args[2].([]byte); !ok || len(got) != 0 {
						t.Errorf("%T→%T: empty bytes decoded as %T %v", enc, dec, args[2], args[2])
					}
				}
			}
		})
	}
}

func TestBytesAcrossSerializers(t *testing.T) {
	payload := wamp.List{allBytes, []byte{}, "text", wamp.Dict{"b": []byte{0}}}
	sers := []*serializer{jsonSerializer, msgpackSerializer, cborSerializer}
	for _, from := range sers {
		for _, to := range sers {
			b, err := from.Serialize(&wamp.Event{Subscription: 1, Publication: 2, Details: wamp.Dict{}, Arguments: payload})
			if err != nil {
				t.Fatal(err)
			}
			m, err := from.Deserialize(b)
			if err != nil {
				t.Fatal(err)
			}
			b, err = to.Serialize(m)
			if err != nil {
				t.Fatal(err)
			}
			m, err = to.Deserialize(b)
			if err != nil {
				t.Fatal(err)
			}
			got := m.(*wamp.Event).Arguments
			want := wamp.List{allBytes, []byte{}, "text", map[string]any{"b": []byte{0}}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s→%s: got %#v", from.name, to.name, got)
			}
		}
	}
}

func TestMessageToList(t *testing.T) {
	tests := []struct {
		msg  wamp.Message
		want string
	}{
		{&wamp.Result{Request: 1}, `[50,1,{}]`},
		{&wamp.Result{Request: 1, Details: wamp.Dict{}, Arguments: wamp.List{}}, `[50,1,{}]`},
		{&wamp.Result{Request: 1, Arguments: wamp.List{1}}, `[50,1,{},[1]]`},
		{&wamp.Result{Request: 1, ArgumentsKw: wamp.Dict{"a": 1}}, `[50,1,{},[],{"a":1}]`},
		{&wamp.Error{Type: wamp.CALL, Request: 2, Error: "wamp.error.canceled"}, `[8,48,2,{},"wamp.error.canceled"]`},
		{&wamp.Goodbye{Reason: wamp.CloseSystemShutdown}, `[6,{},"wamp.close.system_shutdown"]`},
		{&wamp.Hello{Realm: "realm1"}, `[1,"realm1",{}]`},
	}
	for _, tt := range tests {
		b, err := jsonSerializer.Serialize(tt.msg)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("%s: got %s, want %s", tt.msg.MessageType(), b, tt.want)
		}
	}
}

func TestListToMessageValidates(t *testing.T) {
	bad := map[string]string{
		`[]`:                          "empty",
		`["x"]`:                       "not a valid message code",
		`[7,1]`:                       "unknown message type",
		`[300,1]`:                     "not a valid message code",
		`[48,1,{}]`:                   "missing element 3 (Procedure)",
		`[48,1,{},"p",[],{},5]`:       "at most 6 allowed",
		`[48,"1",{},"p"]`:             "want an ID",
		`[48,-1,{},"p"]`:              "want an ID",
		`[48,1,[],"p"]`:               "want a dict",
		`[48,1,{},7]`:                 "want a string",
		`[48,1,{},"p",{}]`:            "want a list",
		`[48,1,{},"p",[],[]]`:         "want a dict",
		`[8,1.5,1,{},"wamp.error.x"]`: "want a message type",
		`{"not":"a list"}`:            "not a list",
		`[1,"realm1"`:                 "decode json",
	}
	for in, want := range bad {
		_, err := jsonSerializer.Deserialize([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Deserialize(%s) error = %v, want one containing %q", in, err, want)
		}
	}

	// null stands for an empty dict or list; an integral float is an ID.
	m, err := jsonSerializer.Deserialize([]byte(`[48,1.0,null,"p",null]`))
	if err != nil {
		t.Fatal(err)
	}
	call := m.(*wamp.Call)
	if call.Request != 1 || call.Options == nil || len(call.Options) != 0 || call.Arguments != nil {
		t.Fatalf("got %#v", call)
	}
}

func TestDataItems(t *testing.T) {
	for _, s := range []*serializer{jsonSerializer, msgpackSerializer, cborSerializer} {
		b, err := s.SerializeDataItem(map[string]any{"b": []byte{0xFF}, "s": "x"})
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := s.DeserializeDataItem(b, &v); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"b": []byte{0xFF}, "s": "x"}
		if !reflect.DeepEqual(v, want) {
			t.Errorf("%s: got %#v, want %#v", s.name, v, want)
		}
	}
}

// FuzzDeserialize feeds arbitrary bytes to every serializer: decoding must
// fail cleanly or yield a message that encodes and decodes again to the same
// message type.
func FuzzDeserialize(f *testing.F) {
	for _, s := range []string{
		`[48,1,{},"p",["\u0000AP8="],{"k":"\u0000"}]`,
		`[1,"realm1",{"roles":{"caller":{}}}]`,
		`[8,48,1,{},"wamp.error.x",[1.5,null,true]]`,
		`{"a":1}`,
		"\x93\x01\xabnexus.realm\x80",
		"\x83\x01krealm.nexus\xa0",
	} {
		f.Add([]byte(s))
	}
	_, deep := nestingSeeds()
	for _, b := range deep {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range []*serializer{jsonSerializer, msgpackSerializer, cborSerializer} {
			m, err := s.Deserialize(data)
			if err != nil {
				continue
			}
			b, err := s.Serialize(m)
			if err != nil {
				t.Fatalf("%s: decoded %#v but cannot encode it: %v", s.name, m, err)
			}
			m2, err := s.Deserialize(b)
			if err != nil {
				t.Fatalf("%s: cannot decode own output %q: %v", s.name, b, err)
			}
			if m2.MessageType() != m.MessageType() {
				t.Fatalf("%s: %s became %s", s.name, m.MessageType(), m2.MessageType())
			}
		}
	})
}

func TestCBORTypedArraysAndBignums(t *testing.T) {
	for _, tc := range []struct {
		hex  string // the CBOR of a CALL's Arguments element
		want any
	}{
		{"d840430001ff", []byte{0x00, 0x01, 0xff}},            // tag 64: a Uint8Array from JavaScript
		{"c24827f80ddaa1ba7878", uint64(2880067194370816120)}, // tag 2 within 64 bits: exact
		{"c34827f80ddaa1ba7877", int64(-2880067194370816120)}, // tag 3: -1 - n
		{"c249010000000000000000", nil},                       // 2^64: refused
	} {
		arg, err := hex.DecodeString(tc.hex)
		if err != nil {
			t.Fatal(err)
		}
		// [48, 1, {}, "com.x", [arg]]
		msg := append([]byte{0x85, 0x18, 0x30, 0x01, 0xa0, 0x65, 'c', 'o', 'm', '.', 'x', 0x81}, arg...)
		m, err := serializerFor(3).Deserialize(msg)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s: accepted %v", tc.hex, m)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.hex, err)
		}
		got := m.(*wamp.Call).Arguments[0]
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.hex, got, tc.want)
		}
	}
}

// TestInvalidUTF8Refused checks that every serializer refuses a message
// with a string or dict key that is not UTF-8, anywhere: in a URI, in
// Options, in a payload, at any depth. The codec took any bytes as a
// string; two distinct invalid keys then reached a JSON client as one
// ("\uFFFD" twice, one value lost) and invalid text reached CBOR clients.
func TestInvalidUTF8Refused(t *testing.T) {
	bad := []string{"\xff", "a\x92b", "\xed\xa0\x80"} // the last one a surrogate
	msgs := func(s string) [][]any {
		return [][]any{
			{16, 1, map[string]any{}, "com." + s},
			{16, 1, map[string]any{"k": s}, "com.t"},
			{16, 1, map[string]any{s: 1}, "com.t"},
			{16, 1, map[string]any{}, "com.t", []any{1, []any{s}}},
			{16, 1, map[string]any{}, "com.t", []any{}, map[string]any{"k": map[string]any{s: 1}}},
			{16, 1, map[string]any{}, "com.t", []any{}, map[string]any{"k" + s: 1, "j" + s: 2}},
			{48, 1, map[string]any{}, "com.p", []any{s}},
			{70, 1, map[string]any{}, []any{}, map[string]any{s: true}},
			{1, "realm" + s, map[string]any{}},
		}
	}
	for _, ser := range allSerializers {
		for _, s := range bad {
			for i, m := range msgs(s) {
				var b []byte
				if ser.json {
					// The JSON encoder would write U+FFFD: put the bytes
					// in by hand.
					m = msgs("BAD")[i]
				}
				if err := codec.NewEncoderBytes(&b, ser.handle).Encode(m); err != nil {
					t.Fatal(err)
				}
				if ser.json {
					b = bytes.ReplaceAll(b, []byte("BAD"), []byte(s))
				}
				msg, err := ser.Deserialize(b)
				if !errors.Is(err, errInvalidUTF8) {
					t.Errorf("%s: Deserialize(%x) = %v, %v; want errInvalidUTF8", ser.name, b, msg, err)
				}
			}
		}
		// Valid text of every length goes through.
		for _, s := range []string{"", "é", "日本", "\U0001F600", "\u2028"} {
			for _, m := range msgs(s)[1:] {
				var b []byte
				if err := codec.NewEncoderBytes(&b, ser.handle).Encode(m); err != nil {
					t.Fatal(err)
				}
				if _, err := ser.Deserialize(b); err != nil && errors.Is(err, errInvalidUTF8) {
					t.Errorf("%s: Deserialize(%x): %v", ser.name, b, err)
				}
			}
		}
	}
}
