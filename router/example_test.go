package router_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	nxwamp "github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// A callee on MessagePack over RawSocket serves a caller on JSON over
// WebSocket; bytes reach the callee as bytes.
func ExampleStart() {
	ctx := context.Background()
	r, err := router.Start(ctx, router.Config{
		WebSocketAddr: "127.0.0.1:0",
		RawSocketAddr: "127.0.0.1:0",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	quiet := log.New(io.Discard, "", 0)
	callee, err := client.ConnectNet(ctx, r.RawSocketURL(), client.Config{
		Realm: router.DefaultRealm, Serialization: serialize.MSGPACK, Logger: quiet,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer callee.Close()
	err = callee.Register("com.example.size", func(_ context.Context, inv *nxwamp.Invocation) client.InvokeResult {
		b, ok := inv.Arguments[0].([]byte)
		return client.InvokeResult{Args: nxwamp.List{fmt.Sprintf("%d bytes (%T, %v)", len(b), inv.Arguments[0], ok)}}
	}, nil)
	if err != nil {
		log.Fatal(err)
	}

	caller, err := client.ConnectNet(ctx, r.WebSocketURL(), client.Config{
		Realm: router.DefaultRealm, Serialization: serialize.JSON, Logger: quiet,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer caller.Close()
	// nexus's JSON client has no binary support, so it spells out the WAMP
	// convention itself: NUL followed by base64.
	res, err := caller.Call(ctx, "com.example.size", nil, nxwamp.List{"\x00AAEC/w=="}, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Arguments[0])
	// Output: 4 bytes ([]uint8, true)
}

// A realm that admits only its users: alice logs in with a ticket and gets
// her role; a wrong ticket gets ABORT wamp.error.authentication_failed.
func ExampleRealmConfig() {
	ctx := context.Background()
	r, err := router.Start(ctx, router.Config{
		WebSocketAddr: "127.0.0.1:0",
		Realms: []router.RealmConfig{{
			Name:  "com.example.private",
			Users: []router.User{{AuthID: "alice", AuthRole: "admin", Ticket: "correct horse"}},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{
		Realm: "com.example.private",
		Auth:  runtime.Ticket("alice", "correct horse"),
	})
	if err != nil {
		log.Fatal(err)
	}
	d := sess.Details()
	fmt.Println("joined as", d["authid"], "with role", d["authrole"], "by", d["authmethod"])
	sess.Close()

	_, err = runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{
		Realm: "com.example.private",
		Auth:  runtime.Ticket("alice", "battery staple"),
	})
	var werr *runtime.Error
	if errors.As(err, &werr) {
		fmt.Println("wrong ticket:", werr.URI)
	}
	// Output:
	// joined as alice with role admin by ticket
	// wrong ticket: wamp.error.authentication_failed
}

// The router's WebSocket endpoint served by a program's own HTTP server,
// next to its other handlers: here under /wamp, with a page at /.
func ExampleRouter_Handler() {
	ctx := context.Background()
	r, err := router.Start(ctx, router.Config{}) // no listener of its own
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	mux := http.NewServeMux()
	mux.Handle("/wamp", r.Handler())
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "hello from the page") })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/wamp"
	sess, err := runtime.Dial(ctx, url, runtime.Config{Realm: router.DefaultRealm, Serializer: wamp.CBOR})
	if err != nil {
		log.Fatal(err)
	}
	defer sess.Close()
	_, err = sess.Register(ctx, "com.example.upper", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var s string
		vals, err := inv.Args.List()
		if err != nil || len(vals) != 1 || vals[0].Decode(&s) != nil {
			return nil, runtime.NewError(wamp.ErrInvalidArgument, "upper takes one string")
		}
		return &runtime.Result{Args: wamp.ArgsOf(strings.ToUpper(s))}, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	res, err := sess.Call(ctx, "com.example.upper", wamp.ArgsOf("through the mux"), wamp.Payload{})
	if err != nil {
		log.Fatal(err)
	}
	var s string
	if vals, err := res.Args.List(); err == nil && len(vals) == 1 {
		_ = vals[0].Decode(&s)
	}
	fmt.Println(s)

	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	fmt.Print(string(page))
	// Output:
	// THROUGH THE MUX
	// hello from the page
}

// Stats counts what the router did to protect clients from each other;
// a router nobody strained has nothing to report.
func ExampleRouter_Stats() {
	r, err := router.Start(context.Background(), router.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Printf("%+v\n", r.Stats())
	// Output: {DroppedEvents:0 RefusedInvocations:0 SlowClients:0}
}
