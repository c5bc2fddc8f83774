// Package errversions_test checks that two versions of an API, in two
// packages that declare the same error URIs, live in one program: both
// generated packages register their errors at init without a conflict, and
// an error sent by one version's callee is matched, with errors.Is and
// errors.As, by either version's Go errors at the caller.
package errversions_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wampgen/wampgen/internal/errversions/v1"
	"github.com/wampgen/wampgen/internal/errversions/v2"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// stock is version 2's implementation: one item, three left.
type stock struct{}

func (stock) Take(ctx context.Context, item string, n int) (int, error) {
	switch {
	case item != "bolt":
		return 0, v2.ErrNotFound
	case n > 3:
		return 0, &v2.OutOfStockError{Item: item, Left: 3}
	}
	return 3 - n, nil
}

func TestSameErrorURIsInTwoVersions(t *testing.T) {
	r := routertest.New(t)
	ctx := t.Context()
	dial := func(s *wamp.Serializer) *runtime.Session {
		sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: router.DefaultRealm, Serializer: s})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sess.Close() })
		return sess
	}
	// The callee serves version 2 under version 1's URIs too, so that a
	// version 1 client reaches it.
	callee := dial(wamp.MsgPack)
	if _, err := v2.RegisterInventory(ctx, callee, stock{}); err != nil {
		t.Fatal(err)
	}
	if _, err := callee.Register(ctx, v1.InventoryTakeProcedure, func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var item string
		var n int
		vals, err := inv.Args.List()
		if err != nil || len(vals) != 2 || vals[0].Decode(&item) != nil || vals[1].Decode(&n) != nil {
			return nil, runtime.NewError(wamp.ErrInvalidArgument)
		}
		left, err := stock{}.Take(ctx, item, n)
		if err != nil {
			return nil, err
		}
		return &runtime.Result{Args: wamp.ArgsOf(left)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	caller := dial(wamp.JSON)
	clients := map[string]interface {
		Take(ctx context.Context, item string, n int) (int, error)
	}{"v1": v1.NewInventoryClient(caller), "v2": v2.NewInventoryClient(caller)}

	for name, c := range clients {
		if left, err := c.Take(ctx, "bolt", 2); err != nil || left != 1 {
			t.Errorf("%s: Take(bolt, 2) = %d, %v; want 1", name, left, err)
		}
		_, err := c.Take(ctx, "nut", 1)
		if !errors.Is(err, v1.ErrNotFound) || !errors.Is(err, v2.ErrNotFound) {
			t.Errorf("%s: Take(nut) = %v; want an error matching both versions' ErrNotFound", name, err)
		}
		var we *runtime.Error
		if !errors.As(err, &we) || we.URI != "com.acme.inventory.error.not_found" {
			t.Errorf("%s: Take(nut) = %v; want the URI com.acme.inventory.error.not_found", name, err)
		}
		_, err = c.Take(ctx, "bolt", 5)
		var o1 *v1.OutOfStockError
		var o2 *v2.OutOfStockError
		if !errors.As(err, &o1) || *o1 != (v1.OutOfStockError{Item: "bolt", Left: 3}) {
			t.Errorf("%s: Take(bolt, 5) = %v; errors.As into v1.OutOfStockError gives %+v", name, err, o1)
		}
		if !errors.As(err, &o2) || *o2 != (v2.OutOfStockError{Item: "bolt", Left: 3}) {
			t.Errorf("%s: Take(bolt, 5) = %v; errors.As into v2.OutOfStockError gives %+v", name, err, o2)
		}
		if errors.Is(err, v1.ErrNotFound) {
			t.Errorf("%s: out of stock matches ErrNotFound: %v", name, err)
		}
	}
}
