package router_test

import (
	"context"
	"fmt"
	"io"
	"log"

	"github.com/gammazero/nexus/v3/client"
	nxwamp "github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
)

// Anonymous clients may call and subscribe under com.example., and only
// the service, which logs in with a ticket, may register and publish there.
func ExampleRole() {
	ctx := context.Background()
	r, err := router.Start(ctx, router.Config{
		WebSocketAddr: "127.0.0.1:0",
		Realms: []router.RealmConfig{{
			Name: "realm1", Anonymous: true,
			Users: []router.User{{AuthID: "calc", AuthRole: "service", Ticket: "s3cret"}},
			Roles: []router.Role{
				{Name: "anonymous", Permissions: []router.Permission{
					{URI: "com.example.", Match: "prefix", Call: true, Subscribe: true}}},
				{Name: "service", Permissions: []router.Permission{
					{URI: "com.example.", Match: "prefix", Call: true, Register: true, Publish: true, Subscribe: true}}},
			},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	quiet := log.New(io.Discard, "", 0)
	service, err := client.ConnectNet(ctx, r.WebSocketURL(), client.Config{
		Realm: "realm1", Logger: quiet,
		HelloDetails: nxwamp.Dict{"authid": "calc"},
		AuthHandlers: map[string]client.AuthFunc{"ticket": func(*nxwamp.Challenge) (string, nxwamp.Dict) {
			return "s3cret", nxwamp.Dict{}
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer service.Close()
	err = service.Register("com.example.add", func(_ context.Context, inv *nxwamp.Invocation) client.InvokeResult {
		a, _ := nxwamp.AsInt64(inv.Arguments[0])
		b, _ := nxwamp.AsInt64(inv.Arguments[1])
		return client.InvokeResult{Args: nxwamp.List{a + b}}
	}, nil)
	fmt.Println("service registers:", err)

	anon, err := client.ConnectNet(ctx, r.WebSocketURL(), client.Config{Realm: "realm1", Logger: quiet})
	if err != nil {
		log.Fatal(err)
	}
	defer anon.Close()
	err = anon.Register("com.example.add2", func(context.Context, *nxwamp.Invocation) client.InvokeResult {
		return client.InvokeResult{}
	}, nil)
	fmt.Println("anonymous registers:", err)
	res, err := anon.Call(ctx, "com.example.add", nil, nxwamp.List{2, 3}, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("anonymous calls: 2 + 3 =", res.Arguments[0])
	// Output:
	// service registers: <nil>
	// anonymous registers: registering procedure 'com.example.add2': wamp.error.not_authorized
	// anonymous calls: 2 + 3 = 5
}
