package routertest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// testUpper is a test of a WAMP service, as a _test.go file of yours would
// hold it (there, func TestUpper(t *testing.T)): routertest.New starts a
// router for this test alone, on free loopback ports, and closes it when
// the test ends, failing the test if it does not close cleanly. Sessions
// dial its URLs; here the service is on MessagePack over RawSocket and the
// caller on JSON over WebSocket, so the call crosses serializers.
func testUpper(t *testing.T) {
	r := routertest.New(t)
	ctx := t.Context()

	service, err := runtime.Dial(ctx, r.RawSocketURL(), runtime.Config{Realm: router.DefaultRealm, Serializer: wamp.MsgPack})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { service.Close() })
	if _, err := service.Register(ctx, "com.example.upper", upper); err != nil {
		t.Fatal(err)
	}

	caller, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: router.DefaultRealm, Serializer: wamp.JSON})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { caller.Close() })
	res, err := caller.Call(ctx, "com.example.upper", wamp.ArgsOf("wamp"), wamp.Payload{})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if vals, err := res.Args.List(); err != nil || len(vals) != 1 || vals[0].Decode(&got) != nil {
		t.Fatalf("upper returned %v", res.Args)
	}
	if got != "WAMP" {
		t.Errorf("upper(wamp) = %q, want WAMP", got)
	}
}

// testLogin is a test that needs users and TLS: WithRealms replaces the
// default anonymous realm, TLS makes a certificate for 127.0.0.1 that the
// client configuration it returns trusts, and WithTLS serves wss:// and
// tcps://.
func testLogin(t *testing.T) {
	server, client := routertest.TLS(t)
	r := routertest.New(t,
		routertest.WithTLS(server),
		routertest.WithRealms(router.RealmConfig{
			Name:  "com.example.private",
			Users: []router.User{{AuthID: "alice", Ticket: "correct horse"}},
		}))
	ctx := t.Context()

	sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{
		Realm:     "com.example.private",
		Auth:      runtime.Ticket("alice", "correct horse"),
		TLSConfig: client,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	if !strings.HasPrefix(r.WebSocketURL(), "wss://") || sess.Details()["authid"] != "alice" {
		t.Errorf("joined %s as %v", r.WebSocketURL(), sess.Details()["authid"])
	}

	_, err = runtime.Dial(ctx, r.RawSocketURL(), runtime.Config{
		Realm:     "com.example.private",
		TLSConfig: client, // no Auth: anonymous, which this realm refuses
	})
	var werr *runtime.Error
	if !errors.As(err, &werr) || werr.URI != wamp.ErrAuthenticationFailed {
		t.Errorf("an anonymous session joined a realm of users only: %v", err)
	}
}

// upper answers its one string argument in upper case.
func upper(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
	vals, err := inv.Args.List()
	var s string
	if err != nil || len(vals) != 1 || vals[0].Decode(&s) != nil {
		return nil, runtime.NewError(wamp.ErrInvalidArgument, "upper takes one string")
	}
	return &runtime.Result{Args: wamp.ArgsOf(strings.ToUpper(s))}, nil
}

// This file is the example: testUpper and testLogin show tests that start
// a router with routertest, and TestExamples (in routertest_test.go) runs
// them.
func Example() {}
