package basic

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

type greeter struct{ pings atomic.Int32 }

func (g *greeter) Greet(ctx context.Context, name string) (string, error) {
	return "hello, " + name, nil
}
func (g *greeter) Add(ctx context.Context, a, b int) (int, error) { return a + b, nil }
func (g *greeter) Ping(ctx context.Context) error                 { g.pings.Add(1); return nil }
func (g *greeter) Count(ctx context.Context, words []string) (int, error) {
	return len(words), nil
}

func TestGenerated(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	callee := dial(t, r.WebSocketURL())
	impl := &greeter{}
	regs, err := RegisterGreeter(ctx, callee, impl)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(regs.Registrations()); n != 4 {
		t.Errorf("%d registrations, want 4", n)
	}
	var c Greeter = NewGreeterClient(dial(t, r.RawSocketURL()))

	if got, err := c.Greet(ctx, "world"); err != nil || got != "hello, world" {
		t.Errorf("Greet = %q, %v", got, err)
	}
	if got, err := c.Add(ctx, 2, 3); err != nil || got != 5 {
		t.Errorf("Add = %d, %v", got, err)
	}
	if err := c.Ping(ctx); err != nil || impl.pings.Load() != 1 {
		t.Errorf("Ping = %v, pings = %d", err, impl.pings.Load())
	}
	if got, err := c.Count(ctx, []string{"a", "b", "c"}); err != nil || got != 3 {
		t.Errorf("Count = %d, %v", got, err)
	}
	if GreeterGreetProcedure != "com.example.greeter.greet" {
		t.Errorf("GreeterGreetProcedure = %q", GreeterGreetProcedure)
	}

	// The registrar checks the arguments it is sent.
	raw := dial(t, r.WebSocketURL())
	_, err = raw.Call(ctx, GreeterAddProcedure, wamp.ArgsOf("two", 3), wamp.Payload{})
	var we *runtime.Error
	if !errors.As(err, &we) || we.URI != wamp.ErrInvalidArgument {
		t.Errorf("Add(\"two\", 3) = %v, want %s", err, wamp.ErrInvalidArgument)
	}
	_, err = raw.Call(ctx, GreeterAddProcedure, wamp.ArgsOf(1), wamp.Payload{})
	if !errors.As(err, &we) || we.URI != wamp.ErrInvalidArgument {
		t.Errorf("Add(1) = %v, want %s", err, wamp.ErrInvalidArgument)
	}

	if err := regs.Unregister(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Greet(ctx, "again"); !errors.As(err, &we) || we.URI != wamp.ErrNoSuchProcedure {
		t.Errorf("Greet after Unregister = %v, want %s", err, wamp.ErrNoSuchProcedure)
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
