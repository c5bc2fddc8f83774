package procedureoptions

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// options answers with the URI it was called under and, for Balanced, the
// name of the callee.
type options struct {
	name    string
	skipped chan error
}

func called(ctx context.Context) string {
	inv, _ := runtime.InvocationFromContext(ctx)
	return string(inv.Procedure)
}

func (o *options) Plain(ctx context.Context) (string, error)    { return called(ctx), nil }
func (o *options) Renamed(ctx context.Context) (string, error)  { return called(ctx), nil }
func (o *options) Prefixed(ctx context.Context) (string, error) { return called(ctx), nil }
func (o *options) Wild(ctx context.Context) (string, error)     { return called(ctx), nil }
func (o *options) Balanced(ctx context.Context) (string, error) { return o.name, nil }
func (o *options) WhoCalls(ctx context.Context) (uint64, error) {
	inv, _ := runtime.InvocationFromContext(ctx)
	return uint64(inv.Caller), nil
}
func (o *options) Skip(ctx context.Context, ms int) (string, error) {
	select {
	case <-ctx.Done():
		o.skipped <- ctx.Err()
		return "", ctx.Err()
	case <-time.After(time.Duration(ms) * time.Millisecond):
		o.skipped <- nil
		return "slept", nil
	}
}
func (o *options) All(ctx context.Context, n int) (string, error) {
	inv, _ := runtime.InvocationFromContext(ctx)
	return fmt.Sprintf("%s %d %t", o.name, n, inv.Caller != 0), nil
}

func TestGenerated(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	first := &options{name: "first", skipped: make(chan error, 1)}
	if _, err := RegisterOptions(ctx, dial(t, r.WebSocketURL()), first); err != nil {
		t.Fatal(err)
	}
	// A second callee may share only the procedures registered with an
	// invocation policy other than single.
	second := dial(t, r.WebSocketURL())
	for _, p := range []wamp.URI{OptionsBalancedProcedure, OptionsAllProcedure} {
		if _, err := second.Register(ctx, p, func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			return &runtime.Result{Args: wamp.ArgsOf("second")}, nil
		}, runtime.WithInvoke(map[wamp.URI]runtime.InvokePolicy{OptionsBalancedProcedure: "roundrobin", OptionsAllProcedure: "first"}[p])); err != nil {
			t.Fatalf("second callee for %s: %v", p, err)
		}
	}
	sess := dial(t, r.RawSocketURL())
	c := NewOptionsClient(sess)

	if got, err := c.Plain(ctx); err != nil || got != string(OptionsPlainProcedure) {
		t.Errorf("Plain = %q, %v", got, err)
	}
	if got, err := c.Renamed(ctx); err != nil || got != "com.example.other.renamed" {
		t.Errorf("Renamed = %q, %v", got, err)
	}

	// Pattern registrations serve the concrete URIs under them.
	for uri, want := range map[wamp.URI]string{
		"com.example.opts.prefixed.a.b": "com.example.opts.prefixed.a.b",
		"com.example.any.wild":          "com.example.any.wild",
	} {
		res, err := sess.Call(ctx, uri, wamp.Payload{}, wamp.Payload{})
		var got []string
		if err == nil {
			err = res.Args.Decode(&got)
		}
		if err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("call %s = %v, %v; want [%s]", uri, got, err, want)
		}
	}

	// The generated client calls a concrete URI set on ctx.
	if got, err := c.Prefixed(runtime.WithProcedureURI(ctx, "com.example.opts.prefixed.x")); err != nil || got != "com.example.opts.prefixed.x" {
		t.Errorf("Prefixed with a concrete URI = %q, %v", got, err)
	}
	if got, err := c.Wild(runtime.WithProcedureURI(ctx, "com.example.some.wild")); err != nil || got != "com.example.some.wild" {
		t.Errorf("Wild with a concrete URI = %q, %v", got, err)
	}

	// Round robin alternates between the callees.
	seen := map[string]bool{}
	for range 4 {
		name, err := c.Balanced(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen[name] = true
	}
	if !seen["first"] || !seen["second"] {
		t.Errorf("Balanced reached %v, want both callees", seen)
	}

	// disclose_caller: the router tells the callee who called.
	if id, err := c.WhoCalls(ctx); err != nil || wamp.ID(id) != sess.ID() {
		t.Errorf("WhoCalls = %d, %v; want the caller's session %d", id, err, sess.ID())
	}

	// invoke=first: the first callee serves; disclose_caller on All too.
	if got, err := c.All(ctx, 3); err != nil || got != "first 3 true" {
		t.Errorf("All = %q, %v", got, err)
	}

	// cancel=skip: the caller gives up at once, the callee is not
	// interrupted and finishes its work. (A deadline would travel as the
	// call's timeout, which the router enforces whatever the cancel mode.)
	short, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := c.Skip(short, 300); !errors.Is(err, context.Canceled) {
		t.Errorf("Skip cancelled = %v, want context.Canceled", err)
	}
	select {
	case err := <-first.skipped:
		if err != nil {
			t.Errorf("the callee of Skip was interrupted (%v); cancel=skip should leave it running", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("the callee of Skip did not finish")
	}
}

func dial(t *testing.T, url string) *runtime.Session {
	t.Helper()
	s, err := runtime.Dial(t.Context(), url, runtime.Config{Realm: router.DefaultRealm})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
