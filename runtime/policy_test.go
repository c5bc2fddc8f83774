package runtime_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestPolicyWireStrings: the typed policies carry the wire strings of
// package wamp, the one place they are written.
func TestPolicyWireStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{string(runtime.MatchExact), wamp.MatchExact},
		{string(runtime.MatchPrefix), wamp.MatchPrefix},
		{string(runtime.MatchWildcard), wamp.MatchWildcard},
		{string(runtime.InvokeSingle), wamp.InvokeSingle},
		{string(runtime.InvokeRoundRobin), wamp.InvokeRoundRobin},
		{string(runtime.InvokeRandom), wamp.InvokeRandom},
		{string(runtime.InvokeFirst), wamp.InvokeFirst},
		{string(runtime.InvokeLast), wamp.InvokeLast},
		{string(runtime.CancelKill), wamp.CancelKill},
		{string(runtime.CancelKillNoWait), wamp.CancelKillNoWait},
		{string(runtime.CancelSkip), wamp.CancelSkip},
	} {
		if tc.got != tc.want {
			t.Errorf("policy %q, want the wire string %q", tc.got, tc.want)
		}
	}
}

// TestUnknownPolicyRefused: a policy value outside its set is an error
// that lists the allowed values, returned before anything is sent, never
// a silent default.
func TestUnknownPolicyRefused(t *testing.T) {
	var mu sync.Mutex
	var sent []wamp.MessageType
	url := startFakeRouter(t, func(m wamp.Message, send func(wamp.Message)) {
		mu.Lock()
		sent = append(sent, m.Type())
		mu.Unlock()
	})
	sess := dialT(t, url, runtime.Config{})
	ctx := testCtx(t)
	h := func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return nil, nil }
	match := runtime.Match("glob") // a typed value from a string a user got wrong

	for _, tc := range []struct {
		name, want string
		do         func() error
	}{
		{"WithMatch", `match policy "glob" (allowed: exact, prefix, wildcard)`, func() error {
			_, err := sess.Register(ctx, "com.test.p", h, runtime.WithMatch(match))
			return err
		}},
		{"WithInvoke", `invoke policy "sometimes" (allowed: single, roundrobin, random, first, last)`, func() error {
			_, err := sess.Register(ctx, "com.test.p", h, runtime.WithInvoke("sometimes"))
			return err
		}},
		{"WithTopicMatch", `match policy "regexp" (allowed: exact, prefix, wildcard)`, func() error {
			_, err := sess.Subscribe(ctx, "com.test.t", func(context.Context, *runtime.Event) error { return nil }, runtime.WithTopicMatch("regexp"))
			return err
		}},
		{"WithCancelMode", `cancel mode "nuke" (allowed: kill, killnowait, skip)`, func() error {
			_, err := sess.Call(ctx, "com.test.p", wamp.Payload{}, wamp.Payload{}, runtime.WithCancelMode("nuke"))
			return err
		}},
		{"ResolveProcedureURI", `match policy "glob" (allowed: exact, prefix, wildcard)`, func() error {
			_, err := runtime.ResolveProcedureURI(runtime.WithProcedureURI(ctx, "com.test.p.x"), "com.test.p", match)
			return err
		}},
		{"Config.CancelMode", `Config.CancelMode: cancel mode "nuke" (allowed: kill, killnowait, skip)`, func() error {
			s, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1", CancelMode: "nuke"})
			if err == nil {
				s.Close()
			}
			return err
		}},
	} {
		err := tc.do()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 0 {
		t.Errorf("the router received %v; want nothing for refused policies", sent)
	}
}

// TestZeroPoliciesAreDefaults: the zero value of each policy is its
// default, so options and configs that leave it unset work as before.
func TestZeroPoliciesAreDefaults(t *testing.T) {
	r := newTestRouter(t, router.Config{})
	callee := dialT(t, r.WebSocketURL(), runtime.Config{CancelMode: ""})
	ctx := testCtx(t)
	if _, err := callee.Register(ctx, "com.test.zero", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf("ok")}, nil
	}, runtime.WithMatch(""), runtime.WithInvoke("")); err != nil {
		t.Fatal(err)
	}
	caller := dialT(t, r.RawSocketURL(), runtime.Config{})
	res, err := caller.Call(ctx, "com.test.zero", wamp.Payload{}, wamp.Payload{}, runtime.WithCancelMode(""))
	if err != nil {
		t.Fatal(err)
	}
	if got := argString(t, res.Args, 0); got != "ok" {
		t.Errorf("result %q, want ok", got)
	}
	if u, err := runtime.ResolveProcedureURI(ctx, "com.test.zero", ""); err != nil || u != "com.test.zero" {
		t.Errorf("ResolveProcedureURI with the zero match = %q, %v", u, err)
	}
}
