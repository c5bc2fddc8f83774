package router_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
)

// metaCalls are the meta procedures an anonymous session may not call.
var metaCalls = []string{
	`"wamp.session.count",[]`,
	`"wamp.session.count",[["admin"]]`,
	`"wamp.session.list",[]`,
	`"wamp.session.get",[1]`,
	`"wamp.registration.list",[]`,
	`"wamp.registration.lookup",["com.test.p"]`,
	`"wamp.registration.match",["com.test.p"]`,
	`"wamp.registration.get",[1]`,
	`"wamp.registration.list_callees",[1]`,
	`"wamp.registration.count_callees",[1]`,
	`"wamp.subscription.list",[]`,
	`"wamp.subscription.lookup",["com.test.t"]`,
	`"wamp.subscription.match",["com.test.t"]`,
	`"wamp.subscription.get",[1]`,
	`"wamp.subscription.list_subscribers",[1]`,
	`"wamp.subscription.count_subscribers",[1]`,
	`"wamp.subscription.get_events",[1]`,
}

// metaSubscriptions are SUBSCRIBE options and topics that may receive a meta
// event: an anonymous session may not subscribe.
var metaSubscriptions = []string{
	`{},"wamp.session.on_join"`,
	`{},"wamp.session.on_leave"`,
	`{},"wamp.registration.on_create"`,
	`{},"wamp.subscription.on_subscribe"`,
	`{"match":"exact"},"wamp.session.on_join"`,
	`{"match":"bogus"},"wamp.session.on_join"`,
	`{"match":"prefix"},"wamp."`,
	`{"match":"prefix"},"wamp"`,
	`{"match":"prefix"},"wa"`,
	`{"match":"prefix"},"wamp.session"`,
	`{"match":"wildcard"},"wamp.session."`,
	`{"match":"wildcard"},".session.on_join"`,
	`{"match":"wildcard"},"..on_leave"`,
	`{"match":"wildcard"},"wamp.."`,
}

// TestAnonymousMetaRefused checks the default: an anonymous session's meta
// calls and meta subscriptions are answered wamp.error.not_authorized with
// no arguments, while the testament procedures, ordinary subscriptions
// and calls pass.
func TestAnonymousMetaRefused(t *testing.T) {
	r := startRouter(t, router.Config{})
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)
	req := 0
	for _, call := range metaCalls {
		req++
		c.send(fmt.Sprintf(`[48,%d,{},%s]`, req, call))
		if v := c.recv(8); v[2] != float64(req) || v[4] != string(wamp.ErrNotAuthorized) || len(v) > 5 {
			t.Errorf("CALL %s: got %v, want ERROR not_authorized without arguments", call, v)
		}
	}
	for _, sub := range metaSubscriptions {
		req++
		c.send(fmt.Sprintf(`[32,%d,%s]`, req, sub))
		if v := c.recv(8); v[2] != float64(req) || v[4] != string(wamp.ErrNotAuthorized) || len(v) > 5 {
			t.Errorf("SUBSCRIBE %s: got %v, want ERROR not_authorized without arguments", sub, v)
		}
	}
	for _, sub := range []string{
		`{},"com.test.t"`, `{},"wampx.t"`, `{"match":"prefix"},"com.test"`, `{"match":"prefix"},"wampx"`,
		`{"match":"wildcard"},"com..t"`, `{"match":"wildcard"},"wampx..t"`,
	} {
		req++
		c.send(fmt.Sprintf(`[32,%d,%s]`, req, sub))
		if v := c.recv(33); v[1] != float64(req) {
			t.Errorf("SUBSCRIBE %s: got %v, want SUBSCRIBED", sub, v)
		}
	}
	for _, call := range []string{
		`"wamp.session.add_testament",["com.test.will",[],{}]`,
		`"wamp.session.flush_testaments",[]`,
	} {
		req++
		c.send(fmt.Sprintf(`[48,%d,{},%s]`, req, call))
		if v := c.recv(50); v[1] != float64(req) {
			t.Errorf("CALL %s: got %v, want RESULT", call, v)
		}
	}
	// Meta procedures that are not offered are still unknown.
	req++
	c.send(fmt.Sprintf(`[48,%d,{},"wamp.session.kill_all",[]]`, req))
	if v := c.recv(8); v[4] != string(wamp.ErrNoSuchProcedure) {
		t.Errorf("CALL wamp.session.kill_all: got %v, want no_such_procedure", v)
	}
	// A PUBLISH to a meta topic is refused before authorization, for
	// everyone.
	req++
	c.send(fmt.Sprintf(`[16,%d,{"acknowledge":true},"wamp.session.on_join",[]]`, req))
	if v := c.recv(8); v[4] != string(wamp.ErrInvalidURI) {
		t.Errorf("PUBLISH wamp.session.on_join: got %v, want invalid_uri", v)
	}
}

// TestAuthenticatedMeta checks that an authenticated session keeps the meta
// API, which shows only the standard session details (no authextra), and
// receives meta events; and that an anonymous session receives none, even
// through a pattern.
func TestAuthenticatedMeta(t *testing.T) {
	r := startRouter(t, router.Config{Realms: []router.RealmConfig{{
		Name: "realm1", Anonymous: true,
		Users: []router.User{{AuthID: "alice", AuthRole: "admin", Ticket: "s3cret"}},
	}}})
	alice := dial(t, r.RawSocketURL(), client.Config{
		Serialization: serialize.MSGPACK,
		HelloDetails:  wamp.Dict{"authid": "alice", "authextra": wamp.Dict{"note": "from HELLO"}, "x_custom": 1},
		AuthHandlers:  map[string]client.AuthFunc{"ticket": ticketAuth("s3cret")},
	})
	joins := make(events, 10)
	if err := alice.Subscribe(string(wamp.MetaEventSessionOnJoin), joins.handle, nil); err != nil {
		t.Fatal(err)
	}
	anon := dial(t, r.RawSocketURL(), client.Config{Serialization: serialize.JSON})
	if err := anon.Subscribe("com.test", func(*wamp.Event) {}, wamp.Dict{wamp.OptMatch: wamp.MatchPrefix}); err != nil {
		t.Fatal(err)
	}
	if err := anon.Subscribe(string(wamp.MetaEventSessionOnJoin), func(*wamp.Event) {}, nil); err == nil {
		t.Error("an anonymous session subscribed to wamp.session.on_join")
	}
	// nexus publishes meta events from its own session, so alice's own
	// on_join may still arrive after her SUBSCRIBE: look for the
	// anonymous session's, and check every one on the way.
	for {
		details, _ := wamp.AsDict(joins.next(t).Arguments[0])
		if details["authextra"] != nil {
			t.Errorf("on_join details show authextra: %v", details)
		}
		id, _ := wamp.AsID(details["session"])
		if id == anon.ID() {
			if details["authrole"] != "anonymous" {
				t.Errorf("on_join details of the anonymous session %v", details)
			}
			break
		}
		if id != alice.ID() || details["authrole"] != "admin" {
			t.Errorf("on_join details %v: neither alice's nor the anonymous session's", details)
		}
	}

	res, err := alice.Call(context.Background(), string(wamp.MetaProcSessionGet), nil, wamp.List{alice.ID()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	details, _ := wamp.AsDict(res.Arguments[0])
	for k := range details {
		switch k {
		case "session", "authid", "authrole", "authmethod", "authprovider", "transport":
		default:
			t.Errorf("wamp.session.get shows %s=%v, want the standard details only", k, details[k])
		}
	}
	if details["authid"] != "alice" || details["authrole"] != "admin" {
		t.Errorf("wamp.session.get: %v", details)
	}
	if _, err := alice.Call(context.Background(), string(wamp.MetaProcSessionCount), nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// TestAnonymousMetaOpened checks RealmConfig.AnonymousMeta: the meta API
// is open to anonymous sessions, still with the standard details only.
func TestAnonymousMetaOpened(t *testing.T) {
	r := startRouter(t, withAnonymousMeta(router.Config{}))
	other := dial(t, r.RawSocketURL(), client.Config{
		Serialization: serialize.MSGPACK,
		HelloDetails:  wamp.Dict{"authextra": wamp.Dict{"note": "from HELLO"}},
	})
	c := dial(t, r.WebSocketURL(), client.Config{})
	if err := c.Subscribe(string(wamp.MetaEventSessionOnLeave), func(*wamp.Event) {}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := c.Call(context.Background(), string(wamp.MetaProcSessionGet), nil, wamp.List{other.ID()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	details, _ := wamp.AsDict(res.Arguments[0])
	if details["authextra"] != nil {
		t.Errorf("wamp.session.get shows authextra: %v", details)
	}
}

// TestAnonymousRoleUserRefused checks that a user given the authrole
// "anonymous", in a realm that admits no anonymous client, is refused the
// meta API too, and that the realm's other users are not.
func TestAnonymousRoleUserRefused(t *testing.T) {
	r := startRouter(t, router.Config{Realms: []router.RealmConfig{{
		Name: "secure",
		Users: []router.User{
			{AuthID: "guest", AuthRole: "anonymous", Ticket: "g"},
			{AuthID: "alice", Ticket: "a"},
		},
	}}})
	for authid, wantErr := range map[string]bool{"guest": true, "alice": false} {
		c := dial(t, r.RawSocketURL(), client.Config{
			Realm:        "secure",
			HelloDetails: wamp.Dict{"authid": authid},
			AuthHandlers: map[string]client.AuthFunc{"ticket": ticketAuth(authid[:1])},
		})
		_, err := c.Call(context.Background(), string(wamp.MetaProcSessionCount), nil, nil, nil, nil)
		if wantErr && (err == nil || !strings.Contains(err.Error(), string(wamp.ErrNotAuthorized))) {
			t.Errorf("%s: wamp.session.count: %v, want not_authorized", authid, err)
		}
		if !wantErr && err != nil {
			t.Errorf("%s: wamp.session.count: %v", authid, err)
		}
	}
}
