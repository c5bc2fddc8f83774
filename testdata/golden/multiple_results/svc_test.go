package multipleresults

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

type splitter struct{}

func (splitter) DivMod(ctx context.Context, a, b int) (int, int, error) {
	if b == 0 {
		return 0, 0, errors.New("division by zero")
	}
	return a / b, a % b, nil
}

func (splitter) Split(ctx context.Context, s string) (string, string, bool, error) {
	before, after, found := strings.Cut(s, "=")
	return before, after, found, nil
}

func TestGenerated(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	if _, err := RegisterSplitter(ctx, dial(t, r.WebSocketURL()), splitter{}); err != nil {
		t.Fatal(err)
	}
	c := NewSplitterClient(dial(t, r.RawSocketURL()))
	if q, rem, err := c.DivMod(ctx, 17, 5); err != nil || q != 3 || rem != 2 {
		t.Errorf("DivMod(17, 5) = %d, %d, %v", q, rem, err)
	}
	if _, _, err := c.DivMod(ctx, 1, 0); err == nil {
		t.Error("DivMod(1, 0) did not fail")
	}
	if a, b, ok, err := c.Split(ctx, "k=v"); err != nil || a != "k" || b != "v" || !ok {
		t.Errorf("Split(k=v) = %q, %q, %v, %v", a, b, ok, err)
	}

	// A callee that answers with the wrong number or types of values is
	// caught by the client.
	r2 := routertest.New(t)
	callee := dial(t, r2.WebSocketURL())
	answers := []wamp.Payload{wamp.ArgsOf(1), wamp.ArgsOf("three", 2), wamp.ArgsOf(1, 2, 3)}
	next := 0
	if _, err := callee.Register(ctx, SplitterDivModProcedure, func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		next++
		return &runtime.Result{Args: answers[next-1]}, nil
	}); err != nil {
		t.Fatal(err)
	}
	bad := NewSplitterClient(dial(t, r2.WebSocketURL()))
	for range answers {
		if _, _, err := bad.DivMod(ctx, 1, 1); !errors.Is(err, runtime.ErrBadResult) {
			t.Errorf("DivMod against a bad callee: %v, want runtime.ErrBadResult", err)
		}
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
