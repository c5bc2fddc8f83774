package router_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"
	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/router"
)

var allBytes = func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

// The payload every binary test sends, in its Go form (as MessagePack and
// CBOR clients see it) ...
var (
	binArgs = wamp.List{
		[]byte{0x00, 0xFF},
		[]byte{},
		allBytes,
		"\x00not base64!",
		"a\x00b",
		"plain",
		wamp.Dict{"inner": wamp.List{[]byte{0x00, 0xFF}}},
	}
	binKwargs = wamp.Dict{"k": []byte{0xFF, 0x00}}
)

// ... and as JSON text, written by hand the way a JSON client sends it.
var (
	jsonArgs = `["\u0000AP8=","\u0000","\u0000` + base64.StdEncoding.EncodeToString(allBytes) + `",` +
		`"\u0000not base64!","a\u0000b","plain",{"inner":["\u0000AP8="]}]`
	jsonKwargs = `{"k":"\u0000/wA="}`
)

// checkGoPayload checks the payload as decoded by a MessagePack or CBOR
// client: bytes are []byte, text is string. It may run outside the test
// goroutine, so it does not stop the test.
func checkGoPayload(t testing.TB, args wamp.List, kwargs wamp.Dict) {
	t.Helper()
	want := []any{
		[]byte{0x00, 0xFF},
		[]byte{},
		allBytes,
		"\x00not base64!",
		"a\x00b",
		"plain",
		map[string]any{"inner": []any{[]byte{0x00, 0xFF}}},
	}
	if len(args) != len(want) {
		t.Errorf("got %d arguments, want %d: %#v", len(args), len(want), args)
		return
	}
	for i := range want {
		if !reflect.DeepEqual(args[i], want[i]) {
			t.Errorf("argument %d: got %T %#v, want %T %#v", i, args[i], args[i], want[i], want[i])
		}
	}
	if got, ok := kwargs["k"].([]byte); !ok || !reflect.DeepEqual(got, []byte{0xFF, 0x00}) {
		t.Errorf("kwargs: got %#v", kwargs)
	}
}

// checkJSONPayload checks the payload a JSON client received: the raw text
// and its elements, decoded with encoding/json.
func checkJSONPayload(t testing.TB, raw string, args, kwargs any) {
	t.Helper()
	if !strings.Contains(raw, `"\u0000AP8="`) || !strings.Contains(raw, `"\u0000not base64!"`) {
		t.Errorf("wire text lacks the expected escapes: %s", raw)
	}
	var wantArgs, wantKwargs any
	_ = json.Unmarshal([]byte(jsonArgs), &wantArgs)
	_ = json.Unmarshal([]byte(jsonKwargs), &wantKwargs)
	if !reflect.DeepEqual(args, wantArgs) {
		t.Errorf("arguments on the wire:\n got %#v\nwant %#v", args, wantArgs)
	}
	if !reflect.DeepEqual(kwargs, wantKwargs) {
		t.Errorf("kwargs on the wire: got %#v, want %#v", kwargs, wantKwargs)
	}
}

// plainJSON decodes a JSON message the way encoding/json does (numbers as
// float64), for comparing payloads.
func plainJSON(t testing.TB, msg string) []any {
	t.Helper()
	var v []any
	if err := json.Unmarshal([]byte(msg), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// binaryCallee serves proc with an echo and checks what it receives.
type binaryCallee func(t *testing.T, r *router.Router, proc string)

// binaryCaller calls proc with the payload and checks what comes back.
type binaryCaller func(t *testing.T, r *router.Router, proc string)

func jsonCallee(t *testing.T, r *router.Router, proc string) {
	c := dialRawJSON(t, r.WebSocketURL())
	c.join(router.DefaultRealm)
	c.send(`[64,1,{},"` + proc + `"]`)
	c.recv(65)
	done := make(chan struct{})
	t.Cleanup(func() { <-done })
	go func() {
		defer close(done)
		raw, _, err := c.tryRecv(68)
		if err != nil {
			t.Error(err)
			return
		}
		var f []json.RawMessage
		var v []any
		if err := json.Unmarshal([]byte(raw), &f); err != nil || len(f) != 6 {
			t.Errorf("INVOCATION %s: want 6 elements", raw)
			return
		}
		_ = json.Unmarshal([]byte(raw), &v)
		checkJSONPayload(t, raw, v[4], v[5])
		// Echo the payload exactly as received.
		yield := `[70,` + string(f[1]) + `,{},` + string(f[4]) + `,` + string(f[5]) + `]`
		if err := c.conn.WriteMessage(websocket.TextMessage, []byte(yield)); err != nil {
			t.Error(err)
		}
	}()
}

func jsonCaller(t *testing.T, r *router.Router, proc string) {
	c := dialRawJSON(t, r.WebSocketURL())
	c.join(router.DefaultRealm)
	c.send(`[48,1,{},"` + proc + `",` + jsonArgs + `,` + jsonKwargs + `]`)
	raw, _ := c.recv(50)
	v := plainJSON(t, raw)
	if len(v) != 5 {
		t.Fatalf("RESULT %s: want 5 elements", raw)
	}
	checkJSONPayload(t, raw, v[3], v[4])
}

func nexusCallee(url func(*router.Router) string, ser serialize.Serialization) binaryCallee {
	return func(t *testing.T, r *router.Router, proc string) {
		c := dial(t, url(r), client.Config{Serialization: ser})
		err := c.Register(proc, func(_ context.Context, inv *wamp.Invocation) client.InvokeResult {
			checkGoPayload(t, inv.Arguments, inv.ArgumentsKw)
			return client.InvokeResult{Args: inv.Arguments, Kwargs: inv.ArgumentsKw}
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func nexusCaller(url func(*router.Router) string, ser serialize.Serialization) binaryCaller {
	return func(t *testing.T, r *router.Router, proc string) {
		c := dial(t, url(r), client.Config{Serialization: ser})
		res, err := c.Call(context.Background(), proc, nil, binArgs, binKwargs, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkGoPayload(t, res.Arguments, res.ArgumentsKw)
	}
}

// TestBinaryAcrossSerializers sends bytes (including 0x00, 0xFF and the
// empty string) and NUL-bearing text through every pair of caller and callee
// serializers. The JSON side writes and reads raw frames, so the test checks
// the wire form itself.
func TestBinaryAcrossSerializers(t *testing.T) {
	r := startRouter(t, router.Config{})
	callees := []struct {
		name string
		fn   binaryCallee
	}{
		{"json", jsonCallee},
		{"msgpack", nexusCallee((*router.Router).WebSocketURL, serialize.MSGPACK)},
		{"cbor", nexusCallee((*router.Router).RawSocketURL, serialize.CBOR)},
	}
	callers := []struct {
		name string
		fn   binaryCaller
	}{
		{"json", jsonCaller},
		{"msgpack", nexusCaller((*router.Router).UnixURL, serialize.MSGPACK)},
		{"cbor", nexusCaller((*router.Router).WebSocketURL, serialize.CBOR)},
	}
	for _, ce := range callees {
		for _, cr := range callers {
			t.Run(cr.name+"->"+ce.name, func(t *testing.T) {
				t.Parallel()
				proc := "test.echo." + cr.name + "." + ce.name
				ce.fn(t, r, proc)
				cr.fn(t, r, proc)
			})
		}
	}
}

// TestBinaryEvents publishes bytes from a JSON and a MessagePack publisher
// to JSON, MessagePack and CBOR subscribers.
func TestBinaryEvents(t *testing.T) {
	r := startRouter(t, router.Config{})
	const topic = "test.binary.topic"

	jsonSub := dialRawJSON(t, r.WebSocketURL())
	jsonSub.join(router.DefaultRealm)
	jsonSub.send(`[32,1,{},"` + topic + `"]`)
	jsonSub.recv(33)
	mpEvents, cborEvents := make(events, 2), make(events, 2)
	if err := dial(t, r.RawSocketURL(), client.Config{Serialization: serialize.MSGPACK}).Subscribe(topic, mpEvents.handle, nil); err != nil {
		t.Fatal(err)
	}
	if err := dial(t, r.UnixURL(), client.Config{Serialization: serialize.CBOR}).Subscribe(topic, cborEvents.handle, nil); err != nil {
		t.Fatal(err)
	}

	checkAll := func() {
		t.Helper()
		raw, _ := jsonSub.recv(36)
		v := plainJSON(t, raw)
		if len(v) != 6 {
			t.Fatalf("EVENT %s: want 6 elements", raw)
		}
		checkJSONPayload(t, raw, v[4], v[5])
		for _, evs := range []events{mpEvents, cborEvents} {
			ev := evs.next(t)
			checkGoPayload(t, ev.Arguments, ev.ArgumentsKw)
		}
	}

	jsonPub := dialRawJSON(t, r.WebSocketURL())
	jsonPub.join(router.DefaultRealm)
	jsonPub.send(`[16,1,{"acknowledge":true},"` + topic + `",` + jsonArgs + `,` + jsonKwargs + `]`)
	jsonPub.recv(17)
	checkAll()

	mpPub := dial(t, r.WebSocketURL(), client.Config{Serialization: serialize.MSGPACK})
	if err := mpPub.Publish(topic, wamp.Dict{wamp.OptAcknowledge: true}, binArgs, binKwargs); err != nil {
		t.Fatal(err)
	}
	checkAll()
}
