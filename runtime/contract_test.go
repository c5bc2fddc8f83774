package runtime_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// countingCaller counts the calls that reach the session.
type countingCaller struct {
	runtime.Caller
	calls atomic.Int64
}

func (c *countingCaller) Call(ctx context.Context, procedure wamp.URI, args, kwargs wamp.Payload, opts ...runtime.CallOption) (*runtime.Result, error) {
	c.calls.Add(1)
	return c.Caller.Call(ctx, procedure, args, kwargs, opts...)
}

// patternCall is what a generated client method of a pattern-based
// procedure does: resolve the URI, then call it.
func patternCall(ctx context.Context, caller runtime.Caller, pattern wamp.URI, match runtime.Match) (string, error) {
	u, err := runtime.ResolveProcedureURI(ctx, pattern, match)
	if err != nil {
		return "", err
	}
	return runtime.CallOne[string](ctx, caller, u, wamp.Payload{}, wamp.Payload{})
}

// TestWithProcedureURIChecked: a URI set with WithProcedureURI that the
// procedure's pattern does not match is refused with wamp.error.invalid_uri
// before anything is sent (it would reach another procedure); matching
// URIs, prefix and wildcard, are called.
func TestWithProcedureURIChecked(t *testing.T) {
	r := newTestRouter(t, router.Config{})
	callee := dialT(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	var reached atomic.Value // the last procedure a handler served
	serve := func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		reached.Store(inv.Procedure)
		return &runtime.Result{Args: wamp.ArgsOf(string(inv.Procedure))}, nil
	}
	for _, reg := range []struct {
		uri   wamp.URI
		match runtime.Match
	}{
		{"com.acme.inventory.get_item", wamp.MatchExact},
		{"com.acme.inventory.admin", wamp.MatchPrefix},
		{"com.acme..list", wamp.MatchWildcard},
	} {
		if _, err := callee.Register(ctx, reg.uri, serve, runtime.WithMatch(reg.match)); err != nil {
			t.Fatal(err)
		}
	}
	sess := dialT(t, r.RawSocketURL(), runtime.Config{})
	caller := &countingCaller{Caller: sess}
	for _, tc := range []struct {
		pattern wamp.URI
		match   runtime.Match
		set     wamp.URI // "" sets none
		want    wamp.URI // "" wants invalid_uri
	}{
		{"com.acme.inventory.admin", wamp.MatchPrefix, "com.acme.inventory.get_item", ""},
		{"com.acme.inventory.admin", wamp.MatchPrefix, "com.acme.inventory.admin.reset", "com.acme.inventory.admin.reset"},
		{"com.acme.inventory.admin", wamp.MatchPrefix, "", "com.acme.inventory.admin"},
		{"com.acme.inventory.admin", wamp.MatchPrefix, "com..bad", ""},
		{"com.acme..list", wamp.MatchWildcard, "com.acme.orders.list", "com.acme.orders.list"},
		{"com.acme..list", wamp.MatchWildcard, "com.acme.inventory.get_item", ""},
		{"com.acme..list", wamp.MatchWildcard, "com.acme.orders.list.all", ""},
	} {
		name := string(tc.pattern) + " " + string(tc.match) + " with " + string(tc.set)
		reached.Store(wamp.URI(""))
		before := caller.calls.Load()
		callCtx := ctx
		if tc.set != "" {
			callCtx = runtime.WithProcedureURI(ctx, tc.set)
		}
		got, err := patternCall(callCtx, caller, tc.pattern, tc.match)
		if tc.want == "" {
			if !errors.Is(err, runtime.ErrInvalidURI) || !strings.Contains(err.Error(), string(tc.set)) {
				t.Errorf("%s: got %q, %v; want invalid_uri naming the URI", name, got, err)
			}
			if n := caller.calls.Load() - before; n != 0 {
				t.Errorf("%s: %d calls sent, want none", name, n)
			}
			if p := reached.Load().(wamp.URI); p != "" {
				t.Errorf("%s: %s was invoked", name, p)
			}
			continue
		}
		if err != nil || got != string(tc.want) || reached.Load().(wamp.URI) != tc.want {
			t.Errorf("%s: got %q, %v (invoked %v), want %s", name, got, err, reached.Load(), tc.want)
		}
	}
}

// TestUnimplementedReachesCaller: a handler returning UnimplementedError
// (what a generated Unimplemented… method returns) reaches a remote caller
// as wampgen.error.unimplemented naming the procedure, matching
// ErrUnimplemented, in every serializer.
func TestUnimplementedReachesCaller(t *testing.T) {
	r := newTestRouter(t, router.Config{})
	callee := dialT(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	const proc wamp.URI = "com.acme.inventory.restock"
	if _, err := callee.Register(ctx, proc, func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return nil, runtime.UnimplementedError(proc)
	}); err != nil {
		t.Fatal(err)
	}
	for _, ser := range wamp.Serializers() {
		caller := dialT(t, r.RawSocketURL(), runtime.Config{Serializer: ser})
		_, err := caller.Call(ctx, proc, wamp.Payload{}, wamp.Payload{})
		var we *runtime.Error
		if !errors.Is(err, runtime.ErrUnimplemented) || !errors.As(err, &we) || we.URI != runtime.ErrUnimplementedURI {
			t.Fatalf("%s: got %v, want %s", ser, err, runtime.ErrUnimplementedURI)
		}
		if we.Message() != string(proc)+" is not implemented by this callee" {
			t.Errorf("%s: message %q", ser, we.Message())
		}
		if errors.Is(err, runtime.ErrRuntime) || errors.Is(err, runtime.ErrNoSuchProcedure) {
			t.Errorf("%s: %v matches another error", ser, err)
		}
	}
}
