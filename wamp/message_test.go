package wamp_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

func TestSamplesCoverEveryMessageType(t *testing.T) {
	seen := map[wamp.MessageType]bool{}
	for _, s := range samples() {
		seen[s.msg.Type()] = true
	}
	for _, typ := range allTypes {
		if !seen[typ] {
			t.Errorf("no sample of %s", typ)
		}
	}
	if len(allTypes) != 24 {
		t.Fatalf("allTypes has %d types, want 24", len(allTypes))
	}
}

func TestRoundTrip(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, tc := range samples() {
			t.Run(ser.Name()+"/"+tc.name, func(t *testing.T) {
				b := mustEncode(t, ser, tc.msg)
				got := mustDecode(t, ser, b)
				if reflect.TypeOf(got) != reflect.TypeOf(tc.msg) {
					t.Fatalf("decoded %T, want %T", got, tc.msg)
				}
				want := wireForm(tc.msg)
				if d := diffMessages(want, got); d != "" {
					t.Errorf("round trip through %s (%q): %s", ser, b, d)
				}
				// Encoding the decoded message again gives the same bytes:
				// the payloads are passed through as they are.
				if b2 := mustEncode(t, ser, got); string(b2) != string(b) && !hasMultiKeyDict(tc.msg) {
					t.Errorf("re-encoding gives %q, want %q", b2, b)
				} else if d := diffMessages(want, mustDecode(t, ser, b2)); d != "" {
					t.Errorf("second round trip: %s", d)
				}
			})
		}
	}
}

// hasMultiKeyDict reports whether a dictionary of m has several keys, whose
// order the codec does not keep.
func hasMultiKeyDict(m wamp.Message) bool {
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		if d, ok := v.Field(i).Interface().(wamp.Dict); ok && len(d) > 1 {
			return true
		}
	}
	return false
}

// TestRoundTripPayloadPresence checks the rules for absent payloads field by
// field on the decoded messages: absent stays absent, Arguments is present
// (empty) when only ArgumentsKw was given.
func TestRoundTripPayloadPresence(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		t.Run(ser.Name(), func(t *testing.T) {
			got := mustDecode(t, ser, mustEncode(t, ser, &wamp.Call{Request: 1, Procedure: "p"})).(*wamp.Call)
			if !got.Args.IsZero() || !got.Kwargs.IsZero() {
				t.Errorf("CALL without payload: Args absent=%v, Kwargs absent=%v", got.Args.IsZero(), got.Kwargs.IsZero())
			}
			got = mustDecode(t, ser, mustEncode(t, ser, &wamp.Call{Request: 1, Procedure: "p", Kwargs: wamp.PayloadOf(map[string]any{"a": 1})})).(*wamp.Call)
			if got.Args.IsZero() {
				t.Fatal("CALL with only ArgumentsKw: Arguments is absent, want []")
			}
			if l, err := got.Args.List(); err != nil || len(l) != 0 {
				t.Errorf("Arguments = %v (%v), want an empty list", l, err)
			}
			if k := got.Args.Kind(); k != wamp.KindList {
				t.Errorf("Arguments kind %s, want list", k)
			}
			if k := got.Kwargs.Kind(); k != wamp.KindDict {
				t.Errorf("ArgumentsKw kind %s, want dict", k)
			}
		})
	}
}

func TestRoundTripUnsubscribedUnregisteredDetails(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		t.Run(ser.Name(), func(t *testing.T) {
			u := mustDecode(t, ser, mustEncode(t, ser, &wamp.Unsubscribed{Request: 4})).(*wamp.Unsubscribed)
			if u.Request != 4 || u.Details != nil {
				t.Errorf("UNSUBSCRIBED without details: got %+v, want Request 4 and nil Details", u)
			}
			u = mustDecode(t, ser, mustEncode(t, ser, &wamp.Unsubscribed{Request: 0, Details: wamp.Dict{"reason": "gone"}})).(*wamp.Unsubscribed)
			if u.Request != 0 || u.Details["reason"] != "gone" {
				t.Errorf("revoking UNSUBSCRIBED: got %+v", u)
			}
			u = mustDecode(t, ser, mustEncode(t, ser, &wamp.Unsubscribed{Request: 4, Details: wamp.Dict{}})).(*wamp.Unsubscribed)
			if u.Details == nil || len(u.Details) != 0 {
				t.Errorf("UNSUBSCRIBED with empty details: got %#v, want non-nil empty", u.Details)
			}
			r := mustDecode(t, ser, mustEncode(t, ser, &wamp.Unregistered{Request: 0})).(*wamp.Unregistered)
			if r.Request != 0 || r.Details != nil {
				t.Errorf("UNREGISTERED 0: got %+v", r)
			}
			r = mustDecode(t, ser, mustEncode(t, ser, &wamp.Unregistered{Request: 0, Details: wamp.Dict{"registration": 9}})).(*wamp.Unregistered)
			if id, ok := wamp.DictID(r.Details, "registration"); r.Request != 0 || !ok || id != 9 {
				t.Errorf("revoking UNREGISTERED: got %+v", r)
			}
		})
	}
}

// TestEncodeJSONShape inspects the JSON text: nil dictionaries are {}, never
// null, and Arguments is [] when only ArgumentsKw is present.
func TestEncodeJSONShape(t *testing.T) {
	kw := wamp.PayloadOf(map[string]any{"a": 1})
	tests := []struct {
		msg  wamp.Message
		want string
	}{
		{&wamp.Hello{Realm: "r"}, `[1,"r",{}]`},
		{&wamp.Welcome{Session: 1}, `[2,1,{}]`},
		{&wamp.Abort{Reason: "wamp.error.x"}, `[3,{},"wamp.error.x"]`},
		{&wamp.Abort{Reason: "wamp.error.x", Kwargs: kw}, `[3,{},"wamp.error.x",[],{"a":1}]`},
		{&wamp.Challenge{AuthMethod: "ticket"}, `[4,"ticket",{}]`},
		{&wamp.Authenticate{Signature: "s"}, `[5,"s",{}]`},
		{&wamp.Goodbye{Reason: "wamp.close.normal"}, `[6,{},"wamp.close.normal"]`},
		{&wamp.Error{RequestType: wamp.TypeCall, Request: 2, Error: "e"}, `[8,48,2,{},"e"]`},
		{&wamp.Error{RequestType: wamp.TypeCall, Request: 2, Error: "e", Kwargs: kw}, `[8,48,2,{},"e",[],{"a":1}]`},
		{&wamp.Publish{Request: 1, Topic: "t"}, `[16,1,{},"t"]`},
		{&wamp.Publish{Request: 1, Topic: "t", Kwargs: kw}, `[16,1,{},"t",[],{"a":1}]`},
		{&wamp.Subscribe{Request: 1, Topic: "t"}, `[32,1,{},"t"]`},
		{&wamp.Event{Subscription: 1, Publication: 2}, `[36,1,2,{}]`},
		{&wamp.Event{Subscription: 1, Publication: 2, Kwargs: kw}, `[36,1,2,{},[],{"a":1}]`},
		{&wamp.Call{Request: 1, Procedure: "p"}, `[48,1,{},"p"]`},
		{&wamp.Call{Request: 1, Procedure: "p", Kwargs: kw}, `[48,1,{},"p",[],{"a":1}]`},
		{&wamp.Cancel{Request: 1}, `[49,1,{}]`},
		{&wamp.Result{Request: 1}, `[50,1,{}]`},
		{&wamp.Result{Request: 1, Kwargs: kw}, `[50,1,{},[],{"a":1}]`},
		{&wamp.Register{Request: 1, Procedure: "p"}, `[64,1,{},"p"]`},
		{&wamp.Invocation{Request: 1, Registration: 2}, `[68,1,2,{}]`},
		{&wamp.Invocation{Request: 1, Registration: 2, Kwargs: kw}, `[68,1,2,{},[],{"a":1}]`},
		{&wamp.Interrupt{Request: 1}, `[69,1,{}]`},
		{&wamp.Yield{Request: 1}, `[70,1,{}]`},
		{&wamp.Yield{Request: 1, Kwargs: kw}, `[70,1,{},[],{"a":1}]`},
		// A nil slice or map in a payload is taken as empty, never null.
		{&wamp.Result{Request: 1, Args: wamp.PayloadOf([]any(nil)), Kwargs: kw}, `[50,1,{},[],{"a":1}]`},
		{&wamp.Result{Request: 1, Args: wamp.PayloadOf([]int(nil)), Kwargs: wamp.PayloadOf(map[string]int(nil))}, `[50,1,{},[],{}]`},
		{&wamp.Result{Request: 1, Args: wamp.PayloadOf((*[]int)(nil))}, `[50,1,{},[]]`},
	}
	for _, tc := range tests {
		got, err := wamp.JSON.Encode(tc.msg)
		if err != nil {
			t.Errorf("Encode(%T): %v", tc.msg, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("Encode(%+v) = %s, want %s", tc.msg, got, tc.want)
		}
		if strings.Contains(string(got), "null") {
			t.Errorf("Encode(%+v) = %s contains null", tc.msg, got)
		}
	}
}

// TestGoldenJSON pins the JSON wire format in both directions.
func TestGoldenJSON(t *testing.T) {
	tests := []struct {
		wire string
		msg  wamp.Message
	}{
		{`[48,7,{},"com.x",[1,"a"]]`, &wamp.Call{Request: 7, Procedure: "com.x", Args: wamp.ArgsOf(1, "a")}},
		{`[1,"realm1",{"roles":{"caller":{}}}]`, &wamp.Hello{Realm: "realm1", Details: wamp.Dict{"roles": wamp.Dict{"caller": wamp.Dict{}}}}},
		{`[50,9007199254740992,{"progress":true},[1.5,-3,true,null]]`,
			&wamp.Result{Request: wamp.MaxID, Details: wamp.Dict{"progress": true}, Args: wamp.ArgsOf(1.5, -3, true, nil)}},
		{`[8,48,7,{},"wamp.error.runtime_error",["\u0000AP8="],{"data":"\u0000EOP/kFMHXFJvX8BtT+N82w=="}]`,
			&wamp.Error{RequestType: wamp.TypeCall, Request: 7, Error: wamp.ErrRuntime, Args: wamp.ArgsOf([]byte{0, 255}),
				Kwargs: wamp.PayloadOf(map[string]any{"data": mustHex("10e3ff9053075c526f5fc06d4fe37cdb")})}},
		{`[3,{"message":"<no>&"},"wamp.error.no_such_realm"]`, &wamp.Abort{Details: wamp.Dict{"message": "<no>&"}, Reason: wamp.ErrNoSuchRealm}},
		{`[36,1,2,{},["1.0 is a float:",1.0]]`, &wamp.Event{Subscription: 1, Publication: 2, Args: wamp.ArgsOf("1.0 is a float:", 1.0)}},
		{`[35,5]`, &wamp.Unsubscribed{Request: 5}},
		{`[67,0,{"reason":"wamp.registration.revoked"}]`, &wamp.Unregistered{Details: wamp.Dict{"reason": "wamp.registration.revoked"}}},
		{`[65,1,2]`, &wamp.Registered{Request: 1, Registration: 2}},
	}
	for _, tc := range tests {
		got, err := wamp.JSON.Encode(tc.msg)
		if err != nil {
			t.Errorf("Encode(%+v): %v", tc.msg, err)
		} else if string(got) != tc.wire {
			t.Errorf("Encode(%+v)\n got %s\nwant %s", tc.msg, got, tc.wire)
		}
		m, err := wamp.JSON.Decode([]byte(tc.wire))
		if err != nil {
			t.Errorf("Decode(%s): %v", tc.wire, err)
			continue
		}
		if d := diffMessages(tc.msg, m); d != "" {
			t.Errorf("Decode(%s): %s", tc.wire, d)
		}
		if !json.Valid([]byte(tc.wire)) {
			t.Errorf("golden %s is not valid JSON", tc.wire)
		}
	}
}

// TestGoldenBinary pins the MsgPack and CBOR encodings of one message: MsgPack
// strings as str (0xa5), binary as bin (0xc4); CBOR text (0x65) and bytes (0x42).
func TestGoldenBinary(t *testing.T) {
	msg := &wamp.Call{Request: 7, Procedure: "com.x", Args: wamp.ArgsOf(1, "a", []byte{0, 255})}
	tests := []struct {
		ser  *wamp.Serializer
		want string
	}{
		{wamp.MsgPack, "95" + "30" + "07" + "80" + "a5636f6d2e78" + "93" + "01" + "a161" + "c40200ff"},
		{wamp.CBOR, "85" + "1830" + "07" + "a0" + "65636f6d2e78" + "83" + "01" + "6161" + "4200ff"},
	}
	for _, tc := range tests {
		got := hex.EncodeToString(mustEncode(t, tc.ser, msg))
		if got != tc.want {
			t.Errorf("%s: Encode = %s, want %s", tc.ser, got, tc.want)
		}
		if d := diffMessages(msg, mustDecode(t, tc.ser, mustHex(tc.want))); d != "" {
			t.Errorf("%s: Decode: %s", tc.ser, d)
		}
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestDecodeJSONWhitespace accepts the insignificant whitespace JSON allows.
func TestDecodeJSONWhitespace(t *testing.T) {
	m := mustDecode(t, wamp.JSON, []byte(" \t\r\n[ 48 ,\n 7 , { \"a\" : [ ] } , \"com.x\" , [ 1 , \"a\" ] , { } ] \n"))
	want := &wamp.Call{Request: 7, Options: wamp.Dict{"a": []any{}}, Procedure: "com.x", Args: wamp.ArgsOf(1, "a"), Kwargs: wamp.PayloadOf(map[string]any{})}
	if d := diffMessages(want, m); d != "" {
		t.Error(d)
	}
	c := m.(*wamp.Call)
	vals, err := c.Args.List()
	if err != nil || len(vals) != 2 {
		t.Fatalf("List = %v, %v", vals, err)
	}
	var s string
	if err := vals[1].Decode(&s); err != nil || s != "a" {
		t.Errorf("element 1 = %q, %v", s, err)
	}
}

// TestDecodeNullPayload takes a null Arguments or ArgumentsKw as absent, as
// some peers send it.
func TestDecodeNullPayload(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, tc := range []struct {
			elems        []any
			args, kwargs bool
		}{
			{[]any{50, 1, map[string]any{}, nil}, false, false},
			{[]any{50, 1, map[string]any{}, nil, map[string]any{"a": 1}}, false, true},
			{[]any{50, 1, map[string]any{}, []any{1}, nil}, true, false},
		} {
			m, err := ser.Decode(mustEncodeValue(t, ser, tc.elems))
			if err != nil {
				t.Errorf("%s: Decode(%v): %v", ser, tc.elems, err)
				continue
			}
			r := m.(*wamp.Result)
			if r.Args.IsZero() == tc.args || r.Kwargs.IsZero() == tc.kwargs {
				t.Errorf("%s: %v: Args present=%v, Kwargs present=%v", ser, tc.elems, !r.Args.IsZero(), !r.Kwargs.IsZero())
			}
		}
	}
}

// TestDecodeNullElements: a null inside a list or dictionary payload is a
// null Value, not a broken one.
func TestDecodeNullElements(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		msg := &wamp.Call{Request: 1, Procedure: "p", Args: wamp.ArgsOf(1, nil, "x"), Kwargs: wamp.PayloadOf(map[string]any{"n": nil, "t": time.Time{}})}
		c := mustDecode(t, ser, mustEncode(t, ser, msg)).(*wamp.Call)
		vals, err := c.Args.List()
		if err != nil || len(vals) != 3 {
			t.Fatalf("%s: List = %v, %v", ser, vals, err)
		}
		if k := vals[1].Kind(); k != wamp.KindNil {
			t.Errorf("%s: null element has kind %s", ser, k)
		}
		p := new(int)
		if err := vals[1].Decode(&p); err != nil || p != nil {
			t.Errorf("%s: null into *int: %v, %v", ser, p, err)
		}
		var kw struct {
			N *string   `json:"n"`
			T time.Time `json:"t"`
		}
		if err := c.Kwargs.Decode(&kw); err != nil || kw.N != nil || !kw.T.IsZero() {
			t.Errorf("%s: null dict values: %+v, %v", ser, kw, err)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	type kwargs struct {
		A int `json:"a"`
	}
	tests := []struct {
		name string
		msg  wamp.Message
		want string
	}{
		{"nil", nil, "nil message"},
		{"typed nil", (*wamp.Call)(nil), "nil *wamp.Call"},
		{"dict as Arguments", &wamp.Call{Request: 1, Procedure: "p", Args: wamp.PayloadOf(map[string]any{"a": 1})}, "does not encode as a list"},
		{"struct as Arguments", &wamp.Call{Request: 1, Procedure: "p", Args: wamp.PayloadOf(kwargs{1})}, "does not encode as a list"},
		{"bytes as Arguments", &wamp.Call{Request: 1, Procedure: "p", Args: wamp.PayloadOf([]byte{1})}, "does not encode as a list"},
		{"scalar as Arguments", &wamp.Call{Request: 1, Procedure: "p", Args: wamp.PayloadOf(42)}, "does not encode as a list"},
		{"list as ArgumentsKw", &wamp.Call{Request: 1, Procedure: "p", Kwargs: wamp.ArgsOf(1)}, "does not encode as a dict"},
		{"time as ArgumentsKw", &wamp.Call{Request: 1, Procedure: "p", Kwargs: wamp.PayloadOf(time.Unix(1, 0))}, "not a dict"},
		{"unencodable argument", &wamp.Call{Request: 1, Procedure: "p", Args: wamp.ArgsOf(failMarshaler{})}, "CALL"},
		{"unencodable kwargs", &wamp.Yield{Request: 1, Kwargs: wamp.PayloadOf(failKwargs{})}, "YIELD"},
		{"unencodable detail", &wamp.Hello{Realm: "r", Details: wamp.Dict{"f": failMarshaler{}}}, "HELLO"},
		{"unknown message", fakeMessage{}, "cannot encode message type"},
	}
	for _, ser := range wamp.Serializers() {
		for _, tc := range tests {
			b, err := ser.Encode(tc.msg)
			if err == nil {
				t.Errorf("%s: %s: Encode = %q, want an error", ser, tc.name, b)
				continue
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %s: error %q does not mention %q", ser, tc.name, err, tc.want)
			}
		}
	}
	// Struct kwargs, pointers to them and arrays are fine.
	for _, ser := range wamp.Serializers() {
		for _, m := range []wamp.Message{
			&wamp.Call{Request: 1, Procedure: "p", Args: wamp.PayloadOf([2]int{1, 2}), Kwargs: wamp.PayloadOf(kwargs{1})},
			&wamp.Call{Request: 1, Procedure: "p", Args: wamp.PayloadOf(&[]string{"x"}), Kwargs: wamp.PayloadOf(&kwargs{1})},
		} {
			c := mustDecode(t, ser, mustEncode(t, ser, m)).(*wamp.Call)
			var kw kwargs
			if err := c.Kwargs.Decode(&kw); err != nil || kw.A != 1 {
				t.Errorf("%s: struct kwargs decoded as %+v, %v", ser, kw, err)
			}
		}
	}
}

// TestEncodeDecodedPayloadInWrongPlace refuses to send a decoded Arguments as
// ArgumentsKw and vice versa.
func TestEncodeDecodedPayloadInWrongPlace(t *testing.T) {
	for _, from := range wamp.Serializers() {
		inv := mustDecode(t, from, mustEncode(t, from, &wamp.Invocation{Request: 1, Registration: 2,
			Args: wamp.ArgsOf(1), Kwargs: wamp.PayloadOf(map[string]any{"a": 1})})).(*wamp.Invocation)
		for _, to := range wamp.Serializers() {
			if _, err := to.Encode(&wamp.Yield{Request: 1, Args: inv.Kwargs}); err == nil {
				t.Errorf("%s→%s: decoded ArgumentsKw sent as Arguments", from, to)
			}
			if _, err := to.Encode(&wamp.Yield{Request: 1, Args: inv.Args, Kwargs: inv.Args}); err == nil {
				t.Errorf("%s→%s: decoded Arguments sent as ArgumentsKw", from, to)
			}
		}
	}
}

// failMarshaler cannot be encoded by any serializer. (The codec uses a
// marshaler only when the type also has the matching unmarshaler.)
type failMarshaler struct{}

var errMarshal = errors.New("failMarshaler refuses")

func (failMarshaler) MarshalBinary() ([]byte, error) { return nil, errMarshal }
func (failMarshaler) MarshalText() ([]byte, error)   { return nil, errMarshal }
func (failMarshaler) MarshalJSON() ([]byte, error)   { return nil, errMarshal }
func (*failMarshaler) UnmarshalBinary([]byte) error  { return errMarshal }
func (*failMarshaler) UnmarshalText([]byte) error    { return errMarshal }
func (*failMarshaler) UnmarshalJSON([]byte) error    { return errMarshal }

// failKwargs is a dictionary type that cannot be encoded.
type failKwargs struct{ failMarshaler }

type fakeMessage struct{}

func (fakeMessage) Type() wamp.MessageType { return wamp.TypeHello }

func TestMessageTypeString(t *testing.T) {
	want := map[wamp.MessageType]string{
		1: "HELLO", 2: "WELCOME", 3: "ABORT", 4: "CHALLENGE", 5: "AUTHENTICATE", 6: "GOODBYE",
		8: "ERROR", 16: "PUBLISH", 17: "PUBLISHED", 32: "SUBSCRIBE", 33: "SUBSCRIBED",
		34: "UNSUBSCRIBE", 35: "UNSUBSCRIBED", 36: "EVENT", 48: "CALL", 49: "CANCEL", 50: "RESULT",
		64: "REGISTER", 65: "REGISTERED", 66: "UNREGISTER", 67: "UNREGISTERED", 68: "INVOCATION",
		69: "INTERRUPT", 70: "YIELD",
	}
	for code := range 256 {
		typ := wamp.MessageType(code)
		name, known := want[typ]
		if !known {
			name = "MessageType(" + itoa(code) + ")"
		}
		if got := typ.String(); got != name {
			t.Errorf("MessageType(%d).String() = %q, want %q", code, got, name)
		}
		if typ.Known() != known {
			t.Errorf("MessageType(%d).Known() = %v, want %v", code, typ.Known(), known)
		}
	}
	for _, s := range samples() {
		if got, want := s.msg.Type().String(), strings.SplitN(s.name, "/", 2)[0]; got != want {
			t.Errorf("%T.Type() is %s, want %s", s.msg, got, want)
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestKindString(t *testing.T) {
	want := map[wamp.Kind]string{
		wamp.KindInvalid: "invalid", wamp.KindNil: "null", wamp.KindBool: "bool", wamp.KindUint: "integer",
		wamp.KindInt: "integer", wamp.KindFloat: "float", wamp.KindString: "string", wamp.KindBytes: "bytes",
		wamp.KindList: "list", wamp.KindDict: "dict", wamp.KindOther: "extension",
		wamp.Kind(11): "invalid", wamp.Kind(255): "invalid",
	}
	for k, name := range want {
		if got := k.String(); got != name {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, name)
		}
	}
}

func TestSerializerLookup(t *testing.T) {
	for i, want := range []struct {
		name, subprotocol string
		id                byte
		binary            bool
	}{
		{"json", "wamp.2.json", 1, false},
		{"msgpack", "wamp.2.msgpack", 2, true},
		{"cbor", "wamp.2.cbor", 3, true},
	} {
		s := wamp.Serializers()[i]
		if s.Name() != want.name || s.String() != want.name || s.Subprotocol() != want.subprotocol || s.RawSocketID() != want.id || s.Binary() != want.binary {
			t.Errorf("serializer %d: %s %s %d %v, want %+v", i, s.Name(), s.Subprotocol(), s.RawSocketID(), s.Binary(), want)
		}
		if got, err := wamp.SerializerByName(want.name); err != nil || got != s {
			t.Errorf("SerializerByName(%q) = %v, %v", want.name, got, err)
		}
		if got := wamp.SerializerBySubprotocol(want.subprotocol); got != s {
			t.Errorf("SerializerBySubprotocol(%q) = %v", want.subprotocol, got)
		}
		if got := wamp.SerializerByRawSocketID(want.id); got != s {
			t.Errorf("SerializerByRawSocketID(%d) = %v", want.id, got)
		}
	}
	if s, err := wamp.SerializerByName("xml"); err == nil || s != nil {
		t.Errorf("SerializerByName(xml) = %v, %v", s, err)
	}
	if s := wamp.SerializerBySubprotocol("wamp.2.xml"); s != nil {
		t.Errorf("SerializerBySubprotocol(wamp.2.xml) = %v", s)
	}
	for _, id := range []byte{0, 4, 15} {
		if s := wamp.SerializerByRawSocketID(id); s != nil {
			t.Errorf("SerializerByRawSocketID(%d) = %v", id, s)
		}
	}
}

// TestDecodedMessagesAreIndependent decodes two messages with the pooled
// decoders and checks that the first one is not disturbed by the second.
func TestDecodedMessagesAreIndependent(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		a := mustDecode(t, ser, mustEncode(t, ser, &wamp.Call{Request: 1, Procedure: "a.b", Args: wamp.ArgsOf("first", 1)}))
		b := mustDecode(t, ser, mustEncode(t, ser, &wamp.Call{Request: 2, Procedure: "c.d", Args: wamp.ArgsOf("second", 2, 3)}))
		if d := diffMessages(&wamp.Call{Request: 1, Procedure: "a.b", Args: wamp.ArgsOf("first", 1)}, a); d != "" {
			t.Errorf("%s: first message changed: %s", ser, d)
		}
		if d := diffMessages(&wamp.Call{Request: 2, Procedure: "c.d", Args: wamp.ArgsOf("second", 2, 3)}, b); d != "" {
			t.Errorf("%s: second message: %s", ser, d)
		}
	}
}

func TestPayloadAccessors(t *testing.T) {
	if p := wamp.ArgsOf(); !p.IsZero() || p.Kind() != wamp.KindNil {
		t.Errorf("ArgsOf() = %+v, want absent", p)
	}
	if p := wamp.PayloadOf(nil); !p.IsZero() {
		t.Errorf("PayloadOf(nil) not absent")
	}
	var zero wamp.Payload
	if l, err := zero.List(); l != nil || err != nil {
		t.Errorf("absent List = %v, %v", l, err)
	}
	x := 5
	if err := zero.Decode(&x); err != nil || x != 5 {
		t.Errorf("absent Decode changed dst to %d (%v)", x, err)
	}
	if v, err := zero.Any(); v != nil || err != nil {
		t.Errorf("absent Any = %v, %v", v, err)
	}
	p := wamp.ArgsOf(1, "a")
	if raw, ser := p.Encoded(); raw != nil || ser != nil {
		t.Errorf("Go payload Encoded = %q, %v", raw, ser)
	}
	if !reflect.DeepEqual(p.GoValue(), []any{1, "a"}) {
		t.Errorf("GoValue = %#v", p.GoValue())
	}
	if p.Kind() != wamp.KindList || wamp.PayloadOf(map[string]any{}).Kind() != wamp.KindDict {
		t.Errorf("kinds of Go payloads: %s, %s", p.Kind(), wamp.PayloadOf(map[string]any{}).Kind())
	}
	for _, ser := range wamp.Serializers() {
		c := mustDecode(t, ser, mustEncode(t, ser, &wamp.Call{Request: 1, Procedure: "p", Args: p})).(*wamp.Call)
		raw, rs := c.Args.Encoded()
		if rs != ser || len(raw) == 0 || c.Args.GoValue() != nil {
			t.Errorf("%s: decoded payload Encoded = %q, %v; GoValue %v", ser, raw, rs, c.Args.GoValue())
		}
		vals, err := c.Args.List()
		if err != nil || len(vals) != 2 {
			t.Fatalf("%s: List = %v, %v", ser, vals, err)
		}
		if vals[0].Kind() != wamp.KindUint || vals[1].Kind() != wamp.KindString {
			t.Errorf("%s: element kinds %s, %s", ser, vals[0].Kind(), vals[1].Kind())
		}
		if want := mustEncodeValue(t, ser, "a"); string(vals[1].Raw()) != string(want) {
			t.Errorf("%s: element raw %q, want %q", ser, vals[1].Raw(), want)
		}
	}
}

func TestDictHelpers(t *testing.T) {
	d := wamp.Dict{"s": "x", "b": true, "d": wamp.Dict{}, "i": int64(-3), "u": uint64(7), "f": 2.0, "ff": 2.5,
		"big": uint64(1) << 63, "id": uint64(wamp.MaxID), "over": uint64(wamp.MaxID) + 1, "neg": -1}
	if s, ok := wamp.DictString(d, "s"); !ok || s != "x" {
		t.Error("DictString")
	}
	if _, ok := wamp.DictString(d, "b"); ok {
		t.Error("DictString of a bool")
	}
	if b, ok := wamp.DictBool(d, "b"); !ok || !b {
		t.Error("DictBool")
	}
	if _, ok := wamp.DictBool(d, "i"); ok {
		t.Error("DictBool of an integer: integers must not be used as booleans")
	}
	if _, ok := wamp.DictDict(d, "d"); !ok {
		t.Error("DictDict")
	}
	for key, want := range map[string]int64{"i": -3, "u": 7, "f": 2, "neg": -1} {
		if n, ok := wamp.DictInt(d, key); !ok || n != want {
			t.Errorf("DictInt(%s) = %d, %v, want %d", key, n, ok, want)
		}
	}
	for _, key := range []string{"ff", "big", "s", "missing"} {
		if n, ok := wamp.DictInt(d, key); ok {
			t.Errorf("DictInt(%s) = %d, want not ok", key, n)
		}
	}
	if id, ok := wamp.DictID(d, "id"); !ok || id != wamp.MaxID {
		t.Errorf("DictID(id) = %d, %v", id, ok)
	}
	for _, key := range []string{"over", "neg", "ff"} {
		if id, ok := wamp.DictID(d, key); ok {
			t.Errorf("DictID(%s) = %d, want not ok", key, id)
		}
	}
}

func TestErrorsWrap(t *testing.T) {
	_, err := wamp.JSON.Decode([]byte(`[48,"x",{},"p"]`))
	var me *wamp.MessageError
	if !errors.As(err, &me) || !errors.Is(err, wamp.ErrMalformed) {
		t.Fatalf("error %v is not a *MessageError wrapping ErrMalformed", err)
	}
	if me.Serializer != "json" || me.Type != wamp.TypeCall || me.Field != "Request" {
		t.Errorf("MessageError = %+v", me)
	}
	if !strings.Contains(err.Error(), "json CALL message: Request") {
		t.Errorf("message %q", err)
	}
}
