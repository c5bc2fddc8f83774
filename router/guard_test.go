package router_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
)

// TestMalformedOptionsDoNotCrash sends options on which nexus v3.3.0's
// dealer panics. The router refuses them with wamp.error.invalid_argument
// and keeps routing.
func TestMalformedOptionsDoNotCrash(t *testing.T) {
	r := startRouter(t, router.Config{})
	ctx := context.Background()
	a := dial(t, r.WebSocketURL(), client.Config{})
	b := dial(t, r.RawSocketURL(), client.Config{})

	wantInvalid := func(err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), string(wamp.ErrInvalidArgument)) {
			t.Fatalf("want %s, got %v", wamp.ErrInvalidArgument, err)
		}
	}
	for _, opts := range []wamp.Dict{{"invoke": "bogus"}, {"invoke": 1}, {"match": "regex"}} {
		wantInvalid(a.Register("test.shared", echo, opts))
	}

	// A valid shared registration still works, round robin.
	for _, c := range []*client.Client{a, b} {
		id := c.ID()
		err := c.Register("test.shared", func(context.Context, *wamp.Invocation) client.InvokeResult {
			return client.InvokeResult{Args: wamp.List{id}}
		}, wamp.Dict{"invoke": "roundrobin"})
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[wamp.ID]int{}
	for range 4 {
		res, err := a.Call(ctx, "test.shared", nil, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := wamp.AsID(res.Arguments[0])
		seen[id]++
	}
	if seen[a.ID()] != 2 || seen[b.ID()] != 2 {
		t.Errorf("round robin over two callees: %v", seen)
	}

	// Payload passthru options of the wrong type, from a client that
	// announces the feature to a callee that does too.
	if err := b.Register("test.ppt", echo, nil); err != nil {
		t.Fatal(err)
	}
	raw := dialRawJSON(t, r.WebSocketURL())
	raw.send(`[1,"realm1",{"roles":{"caller":{"features":{"payload_passthru_mode":true}},` +
		`"publisher":{"features":{"payload_passthru_mode":true}},"callee":{"features":{"payload_passthru_mode":true}}}}]`)
	raw.recv(2)
	raw.send(`[48,1,{"ppt_scheme":"x","ppt_serializer":42},"test.ppt",[]]`)
	if _, m := raw.recv(8); m[1] != json.Number("48") || m[4] != string(wamp.ErrInvalidArgument) {
		t.Fatalf("CALL: got %v", m)
	}
	raw.send(`[16,2,{"acknowledge":true,"ppt_scheme":"x","ppt_cipher":[]},"test.topic",[]]`)
	if _, m := raw.recv(8); m[1] != json.Number("16") || m[4] != string(wamp.ErrInvalidArgument) {
		t.Fatalf("PUBLISH: got %v", m)
	}

	// A callee yielding such options fails the call instead.
	raw.send(`[64,3,{},"test.bad.yield"]`)
	raw.recv(65)
	done := make(chan error, 1)
	go func() {
		_, err := a.Call(ctx, "test.bad.yield", nil, nil, nil, nil)
		done <- err
	}()
	_, inv := raw.recv(68)
	raw.send(`[70,` + string(inv[1].(json.Number)) + `,{"ppt_scheme":"x","ppt_keyid":7},[]]`)
	wantInvalid(<-done)

	// The router still routes.
	if res, err := a.Call(ctx, "test.ppt", nil, wamp.List{"ok"}, nil, nil); err != nil || res.Arguments[0] != "ok" {
		t.Fatalf("after refusals: %v %v", res, err)
	}
}
