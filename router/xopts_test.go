package router_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
)

var serializations = []struct {
	name string
	ser  serialize.Serialization
}{{"json", serialize.JSON}, {"msgpack", serialize.MSGPACK}, {"cbor", serialize.CBOR}}

// hostileOptions are CALL or PUBLISH options that try to forge what the
// router sets in INVOCATION or EVENT details, next to two valid custom
// options.
func hostileOptions() wamp.Dict {
	return wamp.Dict{
		"x_trace_id":    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"_wampgen_ctx":  map[string]any{"tenant": "t1", "hops": []any{"a", "b"}},
		"caller":        12345,
		"caller_authid": "root",
		"procedure":     "com.example.forged",
		"topic":         "com.example.forged",
		"publisher":     12345,
		"x-trace":       "not a custom key",
	}
}

// checkCustomDetails checks that details carry the two custom options of
// hostileOptions, exactly, and none of its forged keys.
func checkCustomDetails(t *testing.T, what string, details wamp.Dict) {
	t.Helper()
	if got := details["x_trace_id"]; got != "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" {
		t.Errorf("%s: details.x_trace_id = %v (details %v)", what, got, details)
	}
	ctxOpt, _ := wamp.AsDict(details["_wampgen_ctx"])
	hops, _ := wamp.AsList(ctxOpt["hops"])
	if ctxOpt["tenant"] != "t1" || !reflect.DeepEqual([]any(hops), []any{"a", "b"}) {
		t.Errorf("%s: details._wampgen_ctx = %#v", what, details["_wampgen_ctx"])
	}
	for _, k := range []string{"caller", "caller_authid", "publisher", "x-trace"} {
		if v, ok := details[k]; ok {
			t.Errorf("%s: details.%s = %v: a client forged a router-set or unknown key", what, k, v)
		}
	}
	// nexus sets procedure (for a registration without a match option)
	// and topic (for a pattern subscription) itself: never the forged one.
	for _, k := range []string{"procedure", "topic"} {
		if v := details[k]; v == "com.example.forged" {
			t.Errorf("%s: details.%s = %v: a client forged a router-set key", what, k, v)
		}
	}
}

// TestCustomOptionsCall checks that custom CALL options reach the callee in
// INVOCATION.Details for every pair of serializers, with the arguments
// intact (none, positional only, positional and keyword), and that no
// other option does.
func TestCustomOptionsCall(t *testing.T) {
	r := startRouter(t, router.Config{})
	for _, ce := range serializations {
		callee := dial(t, r.UnixURL(), client.Config{Serialization: ce.ser})
		invs := make(chan *wamp.Invocation, 8)
		proc := "com.example.echo_" + ce.name
		if err := callee.Register(proc, func(ctx context.Context, inv *wamp.Invocation) client.InvokeResult {
			invs <- inv
			return echo(ctx, inv)
		}, nil); err != nil {
			t.Fatal(err)
		}
		for _, ca := range serializations {
			caller := dial(t, r.UnixURL(), client.Config{Serialization: ca.ser})
			for _, p := range []struct {
				name   string
				args   wamp.List
				kwargs wamp.Dict
			}{
				{"no-args", nil, nil},
				{"args", wamp.List{1, "two"}, nil},
				{"kwargs", wamp.List{}, wamp.Dict{"k": "v"}},
			} {
				what := fmt.Sprintf("%s caller, %s callee, %s", ca.name, ce.name, p.name)
				res, err := caller.Call(context.Background(), proc, hostileOptions(), p.args, p.kwargs, nil)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				var inv *wamp.Invocation
				select {
				case inv = <-invs:
				default:
					t.Fatalf("%s: the callee saw no invocation", what)
				}
				checkCustomDetails(t, what, inv.Details)
				if len(inv.Arguments) != len(p.args) || len(res.Arguments) != len(p.args) {
					t.Errorf("%s: callee got arguments %v, caller got back %v, sent %v", what, inv.Arguments, res.Arguments, p.args)
				}
				if len(p.args) > 0 && (fmt.Sprint(res.Arguments) != fmt.Sprint(p.args)) {
					t.Errorf("%s: result %v, want %v", what, res.Arguments, p.args)
				}
				if len(res.ArgumentsKw) != len(p.kwargs) || (len(p.kwargs) > 0 && res.ArgumentsKw["k"] != "v") {
					t.Errorf("%s: result kwargs %v, want %v", what, res.ArgumentsKw, p.kwargs)
				}
			}
		}
	}
}

// TestCustomOptionsPublish checks that custom PUBLISH options reach every
// subscriber in EVENT.Details, for every pair of serializers, with the
// router's own details (the concrete topic of a prefix subscription) not
// replaced by a forged one.
func TestCustomOptionsPublish(t *testing.T) {
	r := startRouter(t, router.Config{})
	subs := make([]events, len(serializations))
	for i, s := range serializations {
		sub := dial(t, r.UnixURL(), client.Config{Serialization: s.ser})
		subs[i] = make(events, 8)
		if err := sub.Subscribe("com.example.", subs[i].handle, wamp.Dict{wamp.OptMatch: wamp.MatchPrefix}); err != nil {
			t.Fatal(err)
		}
	}
	for _, pub := range serializations {
		p := dial(t, r.UnixURL(), client.Config{Serialization: pub.ser})
		topic := "com.example.news_" + pub.name
		opts := hostileOptions()
		opts[wamp.OptAcknowledge] = true
		if err := p.Publish(topic, opts, wamp.List{"hello"}, nil); err != nil {
			t.Fatalf("%s publisher: %v", pub.name, err)
		}
		for i, s := range serializations {
			what := fmt.Sprintf("%s publisher, %s subscriber", pub.name, s.name)
			ev := subs[i].next(t)
			checkCustomDetails(t, what, ev.Details)
			if got := ev.Details["topic"]; got != topic {
				t.Errorf("%s: details.topic = %v, want %s", what, got, topic)
			}
			if fmt.Sprint(ev.Arguments) != "[hello]" {
				t.Errorf("%s: arguments %v, want [hello]", what, ev.Arguments)
			}
		}
	}
}

// TestCustomOptionsRefused checks the router's bounds on custom options: a
// CALL or acknowledged PUBLISH that breaks one is refused with
// wamp.error.invalid_argument, naming the reason, and reaches no one; an
// unacknowledged one is dropped, and the next valid one still arrives.
func TestCustomOptionsRefused(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee := dial(t, r.UnixURL(), client.Config{})
	called := make(chan wamp.Dict, 16)
	if err := callee.Register("com.example.f", func(_ context.Context, inv *wamp.Invocation) client.InvokeResult {
		called <- inv.Details
		return client.InvokeResult{}
	}, nil); err != nil {
		t.Fatal(err)
	}
	sub := dial(t, r.UnixURL(), client.Config{Serialization: serialize.MSGPACK})
	evs := make(events, 16)
	if err := sub.Subscribe("com.example.t", evs.handle, nil); err != nil {
		t.Fatal(err)
	}
	deep := any("bottom")
	for range 5 {
		deep = []any{deep}
	}
	many := wamp.Dict{}
	for i := range 17 {
		many[fmt.Sprintf("x_k%d", i)] = i
	}
	wide := make([]any, 600)
	for i := range wide {
		wide[i] = i
	}
	cases := []struct {
		name string
		opts wamp.Dict
		want string
	}{
		{"huge value", wamp.Dict{"x_trace_id": strings.Repeat("a", 5000)}, "exceed 4096 bytes"},
		{"wide list", wamp.Dict{"x_list": wide}, "exceed 4096 bytes"},
		{"deep value", wamp.Dict{"x_deep": deep}, "nested deeper than 4 levels"},
		{"too many keys", many, "more than 16 custom options"},
		{"upper case", wamp.Dict{"x_TraceID": "1"}, "only [a-z0-9_]"},
		{"short underscore key", wamp.Dict{"_ab": "1"}, "at least three"},
		{"bare prefix", wamp.Dict{"x_": "1"}, "at least one"},
		{"long key", wamp.Dict{"x_" + strings.Repeat("k", 63): "1"}, "longer than 64"},
	}
	for _, c := range cases {
		_, err := dial(t, r.UnixURL(), client.Config{}).Call(context.Background(), "com.example.f", c.opts, nil, nil, nil)
		rpcErr, ok := errors.AsType[client.RPCError](err)
		if !ok || rpcErr.Err.Error != wamp.ErrInvalidArgument || !strings.Contains(fmt.Sprint(rpcErr.Err.Arguments), c.want) {
			t.Errorf("call with %s: %v, want %s about %q", c.name, err, wamp.ErrInvalidArgument, c.want)
		}
		pub := dial(t, r.UnixURL(), client.Config{})
		opts := wamp.Dict{wamp.OptAcknowledge: true}
		for k, v := range c.opts {
			opts[k] = v
		}
		err = pub.Publish("com.example.t", opts, wamp.List{"refused"}, nil)
		if err == nil || !strings.Contains(err.Error(), string(wamp.ErrInvalidArgument)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("acknowledged publish with %s: %v, want %s about %q", c.name, err, wamp.ErrInvalidArgument, c.want)
		}
		delete(opts, wamp.OptAcknowledge)
		if err := pub.Publish("com.example.t", opts, wamp.List{"dropped"}, nil); err != nil {
			t.Fatalf("publish with %s: %v", c.name, err)
		}
		// In order after the dropped one: the next EVENT is this one.
		if err := pub.Publish("com.example.t", wamp.Dict{"x_ok": c.name, wamp.OptAcknowledge: true}, wamp.List{"valid"}, nil); err != nil {
			t.Fatalf("valid publish after %s: %v", c.name, err)
		}
		if ev := evs.next(t); fmt.Sprint(ev.Arguments) != "[valid]" || ev.Details["x_ok"] != c.name {
			t.Errorf("after a publish with %s, the subscriber got %v %v, want the valid event", c.name, ev.Arguments, ev.Details)
		}
	}
	select {
	case d := <-called:
		t.Errorf("a refused call reached the callee (details %v)", d)
	default:
	}
	// At the limits, everything passes.
	limit := wamp.Dict{"x_deep": []any{[]any{[]any{[]any{"bottom"}}}}}
	for i := range 15 {
		limit[fmt.Sprintf("x_k%02d", i)] = strings.Repeat("v", 200)
	}
	if _, err := dial(t, r.UnixURL(), client.Config{}).Call(context.Background(), "com.example.f", limit, nil, nil, nil); err != nil {
		t.Fatalf("call at the limits: %v", err)
	}
	select {
	case d := <-called:
		if len(d) < 16 || fmt.Sprint(d["x_deep"]) != "[[[[bottom]]]]" {
			t.Errorf("call at the limits: details %v", d)
		}
	default:
		t.Error("call at the limits: the callee saw no invocation")
	}
}

// TestCustomOptionsMeta checks that a call of a meta procedure with a
// custom option works as before: nexus's own callee reads the arguments,
// which are not touched.
func TestCustomOptionsMeta(t *testing.T) {
	r := startRouter(t, withAnonymousMeta(router.Config{}))
	c := dial(t, r.UnixURL(), client.Config{})
	res, err := c.Call(context.Background(), string(wamp.MetaProcSessionGet), wamp.Dict{"x_trace_id": "1"}, wamp.List{c.ID()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := wamp.AsDict(res.Arguments[0])
	if id, _ := wamp.AsID(d["session"]); id != c.ID() {
		t.Errorf("wamp.session.get: %v, want the details of session %d", res.Arguments, c.ID())
	}
}
