package namedresults

import (
	"context"
	"errors"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// partial implements three methods of Inventory; the embedded
// UnimplementedInventory answers the others.
type partial struct {
	UnimplementedInventory
	adminCalls int
}

func (partial) Count(ctx context.Context, shelf string) (items int, err error) {
	return len(shelf), nil
}

func (partial) Split(ctx context.Context, total int) (quotient, remainder int, err error) {
	return total / 3, total % 3, nil
}

func (p *partial) Admin(ctx context.Context, op string) (Point, error) {
	p.adminCalls++
	return Point{X: len(op), Y: p.adminCalls}, nil
}

func (partial) Lookup(ctx context.Context, uri string) (res Point, err error) {
	return Point{X: len(uri)}, nil
}

func TestGenerated(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	impl := &partial{}
	if _, err := RegisterInventory(ctx, dial(t, r.WebSocketURL()), impl); err != nil {
		t.Fatal(err)
	}
	var c Inventory = NewInventoryClient(dial(t, r.RawSocketURL()))

	if n, err := c.Count(ctx, "abcd"); err != nil || n != 4 {
		t.Errorf("Count = %d, %v; want 4", n, err)
	}
	if q, rem, err := c.Split(ctx, 7); err != nil || q != 2 || rem != 1 {
		t.Errorf("Split(7) = %d, %d, %v; want 2, 1", q, rem, err)
	}

	// The methods the implementation lacks answer wampgen.error.unimplemented.
	_, err := c.Errs(ctx)
	if !errors.Is(err, runtime.ErrUnimplemented) {
		t.Errorf("Errs = %v, want an error matching runtime.ErrUnimplemented", err)
	}
	var we *runtime.Error
	if !errors.As(err, &we) || we.URI != runtime.ErrUnimplementedURI {
		t.Errorf("Errs = %v, want URI %s", err, runtime.ErrUnimplementedURI)
	}
	if _, _, err := c.Blank(ctx); !errors.Is(err, runtime.ErrUnimplemented) {
		t.Errorf("Blank = %v, want an error matching runtime.ErrUnimplemented", err)
	}
	var progressed int
	if _, err := c.Warm(ctx, 20, func(Celsius) error { progressed++; return nil }); !errors.Is(err, runtime.ErrUnimplemented) || progressed != 0 {
		t.Errorf("Warm = %v after %d progress calls, want an error matching runtime.ErrUnimplemented and none", err, progressed)
	}
	items, err := c.Items(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range items {
		if !errors.Is(err, runtime.ErrUnimplemented) {
			t.Errorf("Items yielded %v, want an error matching runtime.ErrUnimplemented", err)
		}
		break
	}
	// Locally, too.
	var u Inventory = UnimplementedInventory{}
	if uri, n, err := u.Locals(ctx, 1, 2); uri != "" || n != 0 || !errors.Is(err, runtime.ErrUnimplemented) {
		t.Errorf("UnimplementedInventory.Locals = %q, %d, %v", uri, n, err)
	}
	if seq, err := u.Watch(ctx); seq != nil || !errors.Is(err, runtime.ErrUnimplemented) {
		t.Errorf("UnimplementedInventory.Watch = %v, %v; want nil and ErrUnimplemented", seq, err)
	}

	// A pattern procedure takes a concrete URI the pattern matches, and
	// refuses, without calling, one it does not match.
	got, err := c.Admin(runtime.WithProcedureURI(ctx, "com.example.inventory.admin.purge"), "purge")
	if err != nil || got != (Point{X: 5, Y: 1}) {
		t.Errorf("Admin under admin.purge = %v, %v", got, err)
	}
	_, err = c.Admin(runtime.WithProcedureURI(ctx, "com.example.inventory.count"), "purge")
	if !errors.As(err, &we) || we.URI != wamp.ErrInvalidURI {
		t.Errorf("Admin under inventory.count = %v, want %s", err, wamp.ErrInvalidURI)
	}
	if impl.adminCalls != 1 {
		t.Errorf("Admin reached the callee %d times, want 1", impl.adminCalls)
	}
	if got, err := c.Lookup(runtime.WithProcedureURI(ctx, "com.example.inventory.lookup.x"), "abc"); err != nil || got.X != 3 {
		t.Errorf("Lookup = %v, %v", got, err)
	}
	if _, err := c.Lookup(runtime.WithProcedureURI(ctx, "com.example.inventory.admin.x"), "abc"); !errors.As(err, &we) || we.URI != wamp.ErrInvalidURI {
		t.Errorf("Lookup under admin.x = %v, want %s", err, wamp.ErrInvalidURI)
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
