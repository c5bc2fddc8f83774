package router_test

import (
	"context"
	"fmt"
	"io"
	"log"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
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
	err = callee.Register("com.example.size", func(_ context.Context, inv *wamp.Invocation) client.InvokeResult {
		b, ok := inv.Arguments[0].([]byte)
		return client.InvokeResult{Args: wamp.List{fmt.Sprintf("%d bytes (%T, %v)", len(b), inv.Arguments[0], ok)}}
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
	res, err := caller.Call(ctx, "com.example.size", nil, wamp.List{"\x00AAEC/w=="}, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Arguments[0])
	// Output: 4 bytes ([]uint8, true)
}
