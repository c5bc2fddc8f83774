package router_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
)

// wantNotAuthorized fails the test unless err is the router's
// wamp.error.not_authorized.
func wantNotAuthorized(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), string(wamp.ErrNotAuthorized)) {
		t.Errorf("%s: %v, want %s", what, err, wamp.ErrNotAuthorized)
	}
}

// wantOK fails the test if err is not nil.
func wantOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// exampleRoles: anonymous clients may call and subscribe under
// com.example., services may also register and publish there, readers may
// only call, and admins may use the meta API.
var exampleRoles = []router.Role{
	{Name: "anonymous", Permissions: []router.Permission{
		{URI: "com.example.", Match: "prefix", Call: true, Subscribe: true},
	}},
	{Name: "service", Permissions: []router.Permission{
		{URI: "com.example.", Match: "prefix", Call: true, Register: true, Publish: true, Subscribe: true},
	}},
	{Name: "reader", Permissions: []router.Permission{
		{URI: "com.example.", Match: "prefix", Call: true},
	}},
	{Name: "admin", Permissions: []router.Permission{
		{URI: "wamp.", Match: "prefix", Call: true, Subscribe: true},
	}},
}

// TestRolesByAuthMethod checks RealmConfig.Roles with a role that comes
// from each authentication method: a service registers and publishes, an
// anonymous client calls and subscribes but may not register or publish,
// a reader may call but not subscribe; a refusal is
// wamp.error.not_authorized and leaves the session working; and roles
// without a permission for wamp.* URIs are refused the meta API, which
// an admin role granted it may use.
func TestRolesByAuthMethod(t *testing.T) {
	type method struct {
		name   string
		ser    serialize.Serialization
		user   func(authid, role string) router.User
		handle func(authid string) client.AuthFunc
	}
	keys := map[string]ed25519.PrivateKey{}
	methods := []method{
		{"ticket", serialize.JSON,
			func(authid, role string) router.User {
				return router.User{AuthID: authid, AuthRole: role, Ticket: "ticket of " + authid}
			},
			func(authid string) client.AuthFunc { return ticketAuth("ticket of " + authid) }},
		{"wampcra", serialize.MSGPACK,
			func(authid, role string) router.User {
				return router.User{AuthID: authid, AuthRole: role, Secret: "secret of " + authid}
			},
			func(authid string) client.AuthFunc { return craAuth("secret of " + authid) }},
		{"cryptosign", serialize.CBOR,
			func(authid, role string) router.User {
				pub, priv, err := ed25519.GenerateKey(rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				keys[authid] = priv
				return router.User{AuthID: authid, AuthRole: role, PublicKey: pub}
			},
			func(authid string) client.AuthFunc { return cryptosignAuth(keys[authid], false) }},
	}
	var users []router.User
	for _, m := range methods {
		for _, role := range []string{"service", "reader", "admin"} {
			users = append(users, m.user(role+"-"+m.name, role))
		}
	}
	r := startRouter(t, router.Config{Realms: []router.RealmConfig{{
		Name: "realm1", Anonymous: true, Users: users, Roles: exampleRoles,
	}}})
	ctx := context.Background()

	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			login := func(role string) *client.Client {
				t.Helper()
				authid := role + "-" + m.name
				c := dial(t, r.RawSocketURL(), client.Config{
					Serialization: m.ser,
					HelloDetails:  wamp.Dict{"authid": authid},
					AuthHandlers:  map[string]client.AuthFunc{m.name: m.handle(authid)},
				})
				if d := c.RealmDetails(); d["authrole"] != role || d["authmethod"] != m.name {
					t.Fatalf("%s joined with authrole %v, authmethod %v", authid, d["authrole"], d["authmethod"])
				}
				return c
			}
			uri := func(name string) string { return "com.example." + m.name + "." + name }
			svc, reader, admin := login("service"), login("reader"), login("admin")
			anon := dial(t, r.WebSocketURL(), client.Config{Serialization: m.ser})

			wantOK(t, "service REGISTER", svc.Register(uri("add"), echo, nil))
			wantOK(t, "service REGISTER prefix", svc.Register(uri("calc."), echo, wamp.Dict{wamp.OptMatch: wamp.MatchPrefix}))
			// Patterns reach no further than the permission.
			wild := wamp.Dict{wamp.OptMatch: wamp.MatchWildcard}
			prefix := wamp.Dict{wamp.OptMatch: wamp.MatchPrefix}
			wantOK(t, "service REGISTER wildcard", svc.Register(uri("")+".sub", echo, wild))
			wantNotAuthorized(t, "service REGISTER wildcard outside", svc.Register("com.."+m.name+".sub", echo, wild))
			wantNotAuthorized(t, "service REGISTER prefix outside", svc.Register("com.", echo, prefix))
			wantNotAuthorized(t, "service SUBSCRIBE wildcard outside", svc.Subscribe("..done", func(*wamp.Event) {}, wild))
			wantNotAuthorized(t, "service SUBSCRIBE prefix outside", svc.Subscribe("com.exam", func(*wamp.Event) {}, prefix))
			wantOK(t, "service SUBSCRIBE prefix", svc.Subscribe(uri("x."), func(*wamp.Event) {}, prefix))
			wantNotAuthorized(t, "anonymous SUBSCRIBE prefix outside", anon.Subscribe("com.", func(*wamp.Event) {}, prefix))

			// The anonymous client: a refused REGISTER, then a CALL on the
			// same session.
			wantNotAuthorized(t, "anonymous REGISTER", anon.Register(uri("mine"), echo, nil))
			res, err := anon.Call(ctx, uri("add"), nil, wamp.List{"anon"}, nil, nil)
			if err != nil || len(res.Arguments) != 1 || res.Arguments[0] != "anon" {
				t.Errorf("anonymous CALL after refused REGISTER: %v, %v", res, err)
			}
			if _, err := anon.Call(ctx, uri("calc.mul"), nil, nil, nil, nil); err != nil {
				t.Errorf("anonymous CALL of a prefix registration: %v", err)
			}
			got := make(events, 4)
			wantOK(t, "anonymous SUBSCRIBE", anon.Subscribe(uri("done"), got.handle, nil))
			wantNotAuthorized(t, "anonymous PUBLISH", anon.Publish(uri("done"), wamp.Dict{wamp.OptAcknowledge: true}, nil, nil))
			wantNotAuthorized(t, "anonymous CALL outside its prefix", callErr(anon, "org.example.add"))

			// The service publishes, the anonymous client receives.
			wantOK(t, "service PUBLISH", svc.Publish(uri("done"), wamp.Dict{wamp.OptAcknowledge: true}, wamp.List{"published"}, nil))
			if ev := got.next(t); len(ev.Arguments) != 1 || ev.Arguments[0] != "published" {
				t.Errorf("anonymous subscriber got %v", ev.Arguments)
			}

			// The reader may call, nothing else.
			wantNotAuthorized(t, "reader REGISTER", reader.Register(uri("mine"), echo, nil))
			wantNotAuthorized(t, "reader SUBSCRIBE", reader.Subscribe(uri("done"), func(*wamp.Event) {}, nil))
			wantNotAuthorized(t, "reader PUBLISH", reader.Publish(uri("done"), wamp.Dict{wamp.OptAcknowledge: true}, nil, nil))
			if _, err := reader.Call(ctx, uri("add"), nil, wamp.List{1}, nil, nil); err != nil {
				t.Errorf("reader CALL after refusals: %v", err)
			}

			// The meta API: only a role granted wamp.* URIs reaches it.
			for name, c := range map[string]*client.Client{"anonymous": anon, "service": svc, "reader": reader} {
				wantNotAuthorized(t, name+" CALL wamp.session.count", callErr(c, string(wamp.MetaProcSessionCount)))
				wantNotAuthorized(t, name+" CALL wamp.registration.list", callErr(c, string(wamp.MetaProcRegList)))
				wantNotAuthorized(t, name+" SUBSCRIBE wamp.session.on_join",
					c.Subscribe(string(wamp.MetaEventSessionOnJoin), func(*wamp.Event) {}, nil))
				wantNotAuthorized(t, name+" SUBSCRIBE prefix wamp.",
					c.Subscribe("wamp.", func(*wamp.Event) {}, wamp.Dict{wamp.OptMatch: wamp.MatchPrefix}))
			}
			wantOK(t, "admin CALL wamp.session.count", callErr(admin, string(wamp.MetaProcSessionCount)))
			wantOK(t, "admin SUBSCRIBE wamp.session.on_join",
				admin.Subscribe(string(wamp.MetaEventSessionOnJoin), func(*wamp.Event) {}, nil))
			wantNotAuthorized(t, "admin CALL outside wamp.", callErr(admin, uri("add")))
		})
	}
}

// callErr calls procedure without arguments and returns the error.
func callErr(c *client.Client, procedure string) error {
	_, err := c.Call(context.Background(), procedure, nil, nil, nil, nil)
	return err
}

// joinTicket joins realm1 over c with ticket authentication.
func joinTicket(c *rsJSON, authid, ticket string) {
	c.t.Helper()
	c.send(fmt.Sprintf(`[1,"realm1",{"roles":%s,"authmethods":["ticket"],"authid":%q}]`, allRoles, authid))
	c.recv(4)
	c.send(fmt.Sprintf(`[5,%q,{}]`, ticket))
	c.recv(2)
}

// TestRolesWire checks the refusals on the wire: ERROR
// wamp.error.not_authorized for the request's type and ID, with no
// arguments, nothing for a PUBLISH without acknowledge, and the session
// going on after each (the next CALL gets its RESULT).
func TestRolesWire(t *testing.T) {
	r := startRouter(t, router.Config{Realms: []router.RealmConfig{{
		Name: "realm1", Anonymous: true, Roles: exampleRoles,
		Users: []router.User{{AuthID: "svc", AuthRole: "service", Ticket: "t"}},
	}}})
	svc := dialRSJSON(t, r, 15, 0)
	joinTicket(svc, "svc", "t")
	svc.send(`[64,1,{},"com.example.echo"]`)
	svc.recv(65)

	anon := dialRSJSON(t, r, 15, 0)
	anon.join(allRoles)
	req := 0
	call := func() {
		t.Helper()
		req++
		anon.send(fmt.Sprintf(`[48,%d,{},"com.example.echo",["x"]]`, req))
		inv := svc.recv(68)
		svc.send(fmt.Sprintf(`[70,%v,{},["x"]]`, inv[1]))
		if v := anon.recv(50); v[1] != float64(req) {
			t.Errorf("CALL %d: got %v", req, v)
		}
	}
	refused := func(msgType int, format string) {
		t.Helper()
		req++
		anon.send(fmt.Sprintf(format, req))
		v := anon.recv(8)
		if v[1] != float64(msgType) || v[2] != float64(req) || v[4] != string(wamp.ErrNotAuthorized) || len(v) != 5 {
			t.Errorf("%s: got %v, want ERROR %d not_authorized without arguments", format, v, msgType)
		}
	}
	refused(64, `[64,%d,{},"com.example.mine"]`)
	call()
	refused(32, `[32,%d,{},"org.example.t"]`)
	call()
	refused(16, `[16,%d,{"acknowledge":true},"com.example.t",[]]`)
	call()
	req++
	anon.send(fmt.Sprintf(`[16,%d,{},"com.example.t",[]]`, req)) // refused in silence
	call()
	refused(48, `[48,%d,{},"org.example.echo",[]]`)
	call()
}

// TestRolesPatterns checks that a pattern subscription or registration is
// granted only by a permission that matches every URI the pattern may
// match, and that what is granted works.
func TestRolesPatterns(t *testing.T) {
	r := startRouter(t, router.Config{Realms: []router.RealmConfig{{
		Name: "realm1", Anonymous: true,
		Roles: []router.Role{{Name: "anonymous", Permissions: []router.Permission{
			{URI: "com.example.", Match: "prefix", Subscribe: true, Publish: true},
			{URI: "com.example..add", Match: "wildcard", Register: true},
		}}},
	}}})
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)
	tests := []struct {
		msgType int
		request string // options and URI
		ok      bool
	}{
		{32, `{},"com.example.t"`, true},
		{32, `{"match":"prefix"},"com.example."`, true},
		{32, `{"match":"prefix"},"com.example.calc."`, true},
		{32, `{"match":"wildcard"},"com.example..done"`, true},
		{32, `{"match":"wildcard"},"com.example.calc."`, true},
		{32, `{"match":"wildcard"},"com.example.x"`, true},
		{32, `{"match":"exact"},"com.example.y"`, true},
		{32, `{},"com.examplex"`, false},
		{32, `{"match":"prefix"},"com.example"`, false},
		{32, `{"match":"prefix"},"com."`, false},
		{32, `{"match":"prefix"},""`, false},
		{32, `{"match":"wildcard"},".."`, false},
		{32, `{"match":"wildcard"},"com..done"`, false},
		{32, `{"match":"wildcard"},".example.done"`, false},
		{32, `{"match":"wildcard"},"com.example"`, false},

		{64, `{},"com.example.a.add"`, true},
		{64, `{"match":"wildcard"},"com.example..add"`, true},
		{64, `{"match":"wildcard"},"com.example.b.add"`, true},
		{64, `{},"com.example.add"`, false},
		{64, `{},"com.example.a.add.x"`, false},
		{64, `{"match":"prefix"},"com.example.c.add"`, false},
		{64, `{"match":"prefix"},"com.example."`, false},
		{64, `{"match":"wildcard"},"com...add"`, false},
		{64, `{"match":"wildcard"},"com.example.."`, false},
		{64, `{"match":"wildcard"},"com..x.add"`, false},
	}
	for i, tt := range tests {
		req := i + 1
		c.send(fmt.Sprintf(`[%d,%d,%s]`, tt.msgType, req, tt.request))
		if tt.ok {
			if v := c.recv(tt.msgType + 1); v[1] != float64(req) {
				t.Errorf("%d %s: got %v", tt.msgType, tt.request, v)
			}
			continue
		}
		if v := c.recv(8); v[2] != float64(req) || v[4] != string(wamp.ErrNotAuthorized) {
			t.Errorf("%d %s: got %v, want not_authorized", tt.msgType, tt.request, v)
		}
	}
	// The granted patterns receive a publication: the prefix subscriptions
	// com.example. and com.example.calc., the wildcard ones
	// com.example..done and com.example.calc., in EVENTs that may come
	// before or after PUBLISHED.
	c.send(`[16,1000,{"acknowledge":true,"exclude_me":false},"com.example.calc.done",["hi"]]`)
	var evts, published int
	for range 5 {
		v, raw, err := c.recvWithin(testTimeout)
		if err != nil {
			t.Fatal(err)
		}
		switch v[0] {
		case float64(36):
			evts++
		case float64(17):
			published++
		default:
			t.Fatalf("got %s, want EVENT or PUBLISHED", raw)
		}
	}
	if evts != 4 || published != 1 {
		t.Errorf("%d EVENTs and %d PUBLISHED, want 4 and 1", evts, published)
	}
}

// TestRolesTestament checks that a testament, which nexus publishes from
// its own session when the client leaves, needs the caller's permission to
// publish to its topic, on top of the CALL of
// wamp.session.add_testament.
func TestRolesTestament(t *testing.T) {
	r := startRouter(t, router.Config{Realms: []router.RealmConfig{{
		Name: "realm1", Anonymous: true,
		Roles: []router.Role{{Name: "anonymous", Permissions: []router.Permission{
			{URI: string(wamp.MetaProcSessionAddTestament), Call: true},
			{URI: "com.example.will", Publish: true},
		}}},
	}}})
	c := dial(t, r.RawSocketURL(), client.Config{})
	add := func(topic any) error {
		_, err := c.Call(context.Background(), string(wamp.MetaProcSessionAddTestament), nil,
			wamp.List{topic, wamp.List{}, wamp.Dict{}}, nil, nil)
		return err
	}
	wantOK(t, "testament to a topic the role may publish to", add("com.example.will"))
	wantNotAuthorized(t, "testament to another topic", add("com.example.other"))
	wantNotAuthorized(t, "testament without a topic", add(42))
	wantNotAuthorized(t, "wamp.session.flush_testaments, not granted", callErr(c, string(wamp.MetaProcSessionFlushTestaments)))
}

// TestRolesKeepMetaGuard checks that Roles add to the rule that keeps
// anonymous sessions out of the meta API: a role granted every URI is still
// refused it, unless the realm sets AnonymousMeta.
func TestRolesKeepMetaGuard(t *testing.T) {
	everything := []router.Role{{Name: "anonymous", Permissions: []router.Permission{
		{URI: "", Match: "prefix", Call: true, Register: true, Publish: true, Subscribe: true},
	}}}
	for _, open := range []bool{false, true} {
		r := startRouter(t, router.Config{Realms: []router.RealmConfig{{
			Name: "realm1", Anonymous: true, AnonymousMeta: open, Roles: everything,
		}}})
		c := dial(t, r.RawSocketURL(), client.Config{})
		wantOK(t, "REGISTER", c.Register("org.any.thing", echo, nil))
		wantOK(t, "CALL", callErr(c, "org.any.thing"))
		err := callErr(c, string(wamp.MetaProcSessionCount))
		if open {
			wantOK(t, "AnonymousMeta: wamp.session.count", err)
		} else {
			wantNotAuthorized(t, "wamp.session.count", err)
		}
	}
}

// TestNoRolesAllowsAll checks the default: a realm without Roles lets
// every session register, call, publish and subscribe anywhere but wamp.*.
func TestNoRolesAllowsAll(t *testing.T) {
	r := startRouter(t, router.Config{})
	c := dial(t, r.RawSocketURL(), client.Config{})
	wantOK(t, "REGISTER", c.Register("org.any.thing", echo, nil))
	wantOK(t, "CALL", callErr(c, "org.any.thing"))
	wantOK(t, "SUBSCRIBE", c.Subscribe("org.", func(*wamp.Event) {}, wamp.Dict{wamp.OptMatch: wamp.MatchPrefix}))
	wantOK(t, "PUBLISH", c.Publish("org.any.topic", wamp.Dict{wamp.OptAcknowledge: true}, nil, nil))
}

// TestRolesConfigErrors checks that Start refuses invalid roles with an
// error that names the realm and the mistake.
func TestRolesConfigErrors(t *testing.T) {
	perm := func(uri, match string) []router.Role {
		return []router.Role{{Name: "anonymous", Permissions: []router.Permission{{URI: uri, Match: match, Call: true}}}}
	}
	tests := []struct {
		name  string
		realm router.RealmConfig
		want  string
	}{
		{"unknown match", router.RealmConfig{Anonymous: true, Roles: perm("com.example", "glob")},
			`Match "glob" is not "exact", "prefix" or "wildcard"`},
		{"empty URI", router.RealmConfig{Anonymous: true, Roles: perm("", "")}, `URI "" is not a valid exact URI`},
		{"empty component", router.RealmConfig{Anonymous: true, Roles: perm("com..x", "exact")}, `URI "com..x" is not a valid exact URI`},
		{"space", router.RealmConfig{Anonymous: true, Roles: perm("com.ex ample", "")}, `not a valid exact URI`},
		{"prefix with empty component", router.RealmConfig{Anonymous: true, Roles: perm("com..", "prefix")}, `not a valid prefix URI`},
		{"wildcard with #", router.RealmConfig{Anonymous: true, Roles: perm("com.#", "wildcard")}, `not a valid wildcard URI`},
		{"too long", router.RealmConfig{Anonymous: true, Roles: perm(strings.Repeat("a", 1025), "")}, `longer than the 1024`},
		{"grants nothing", router.RealmConfig{Anonymous: true, Roles: []router.Role{{Name: "anonymous",
			Permissions: []router.Permission{{URI: "com.example"}}}}}, `grants nothing`},
		{"empty role name", router.RealmConfig{Anonymous: true, Roles: []router.Role{{Name: ""}}}, `role with empty Name`},
		{"duplicate role", router.RealmConfig{Anonymous: true, Roles: []router.Role{{Name: "anonymous"}, {Name: "anonymous"}}},
			`duplicate role "anonymous"`},
		{"anonymous role missing", router.RealmConfig{Anonymous: true, Roles: []router.Role{{Name: "user"}}},
			`no "anonymous" role`},
		{"user role missing", router.RealmConfig{Users: []router.User{{AuthID: "al", AuthRole: "svc", Ticket: "t"}},
			Roles: []router.Role{{Name: "user"}}}, `user "al" has AuthRole "svc", which is not in Roles`},
		{"default user role missing", router.RealmConfig{Users: []router.User{{AuthID: "al", Ticket: "t"}},
			Roles: []router.Role{{Name: "svc"}}}, `AuthRole "user"`},
		{"empty roles", router.RealmConfig{Anonymous: true, Roles: []router.Role{}}, `no "anonymous" role`},
	}
	for _, tt := range tests {
		tt.realm.Name = "r1"
		_, err := router.Start(context.Background(), router.Config{Realms: []router.RealmConfig{tt.realm}})
		if err == nil || !strings.Contains(err.Error(), `realm "r1"`) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Start: %v, want an error about realm \"r1\" with %q", tt.name, err, tt.want)
		}
	}
}

// BenchmarkCallRoles measures a CALL's round trip through the router (a
// nexus caller and callee over the Unix socket, JSON) in a realm without
// Roles and in one with exampleRoles: the difference is what checking
// permissions costs a call.
func BenchmarkCallRoles(b *testing.B) {
	for _, roles := range []struct {
		name  string
		roles []router.Role
	}{{"no-roles", nil}, {"roles", exampleRoles}} {
		b.Run(roles.name, func(b *testing.B) {
			r := startRouter(b, router.Config{Realms: []router.RealmConfig{{
				Name: "realm1", Anonymous: true, Roles: roles.roles,
				Users: []router.User{{AuthID: "svc", AuthRole: "service", Ticket: "t"}},
			}}})
			svc := dial(b, r.UnixURL(), client.Config{
				HelloDetails: wamp.Dict{"authid": "svc"},
				AuthHandlers: map[string]client.AuthFunc{"ticket": ticketAuth("t")},
			})
			if err := svc.Register("com.example.echo", echo, nil); err != nil {
				b.Fatal(err)
			}
			anon := dial(b, r.UnixURL(), client.Config{})
			args := wamp.List{"x"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := anon.Call(context.Background(), "com.example.echo", nil, args, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
