package wamp_test

import (
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

func TestPeekHeader(t *testing.T) {
	msgs := []struct {
		m    wamp.Message
		want wamp.Header
	}{
		{&wamp.Invocation{Request: 7, Registration: 9, Details: wamp.Dict{}, Args: wamp.ArgsOf(1)}, wamp.Header{Type: wamp.TypeInvocation, Request: 7}},
		{&wamp.Result{Request: 1 << 40, Details: wamp.Dict{}}, wamp.Header{Type: wamp.TypeResult, Request: 1 << 40}},
		{&wamp.Error{RequestType: wamp.TypeCall, Request: 300, Details: wamp.Dict{}, Error: "x.y"}, wamp.Header{Type: wamp.TypeError, RequestType: wamp.TypeCall, Request: 300}},
		{&wamp.Event{Subscription: 70000, Publication: 2, Details: wamp.Dict{}}, wamp.Header{Type: wamp.TypeEvent, Request: 70000}},
	}
	for _, ser := range wamp.Serializers() {
		for _, tc := range msgs {
			data, err := ser.Encode(tc.m)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := ser.PeekHeader(data)
			if !ok || got != tc.want {
				t.Errorf("%s %s: PeekHeader = %+v, %v; want %+v", ser, tc.m.Type(), got, ok, tc.want)
			}
			// Every truncation of the header is refused, never misread.
			for n := range min(len(data), 12) {
				if h, ok := ser.PeekHeader(data[:n]); ok && h != tc.want {
					t.Errorf("%s %s: truncated to %d bytes read as %+v", ser, tc.m.Type(), n, h)
				}
			}
		}
	}
	for _, bad := range []string{``, `{}`, `[]`, `[68]`, `["x",1]`, `[68,-1]`, `[68,1.5,2]`, `[68,0,1]`, `[999,1]`, `[8,99,1]`, `[68,9007199254740993]`} {
		if h, ok := wamp.JSON.PeekHeader([]byte(bad)); ok {
			t.Errorf("JSON %q read as %+v", bad, h)
		}
	}
}

func FuzzPeekHeader(f *testing.F) {
	for _, ser := range wamp.Serializers() {
		data, _ := ser.Encode(&wamp.Invocation{Request: 7, Registration: 9, Details: wamp.Dict{}, Args: wamp.ArgsOf(1)})
		f.Add(data)
	}
	f.Add([]byte(`[50, 3, {}, [1]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ser := range wamp.Serializers() {
			h, ok := ser.PeekHeader(data)
			if ok && (!h.Type.Known() || !h.Request.Valid()) {
				t.Fatalf("%s: accepted %+v", ser, h)
			}
		}
	})
}

// TestPeekHeaderCountBeyondData: a list whose element count is more than
// the bytes after its head could hold is refused, whatever the width of
// the count, as CBOR refuses it.
func TestPeekHeaderCountBeyondData(t *testing.T) {
	body := []byte{0x44, 0x07, 0x09} // INVOCATION (68), Request 7, Registration 9
	for _, head := range [][]byte{
		{0x9f},                         // fixarray of 15
		{0xdc, 0xff, 0xff},             // array16 of 65535
		{0xdd, 0x00, 0x01, 0x00, 0x00}, // array32 of 65536
	} {
		data := append(append([]byte(nil), head...), body...)
		if h, ok := wamp.MsgPack.PeekHeader(data); ok {
			t.Errorf("MsgPack %x read as %+v", data, h)
		}
	}
	if h, ok := wamp.CBOR.PeekHeader([]byte{0x99, 0xff, 0xff, 0x18, 0x44, 0x07, 0x09}); ok {
		t.Errorf("CBOR list of 65535 read as %+v", h)
	}
}
