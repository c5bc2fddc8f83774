package accounts

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

type accounts struct{}

func (accounts) Get(ctx context.Context, id string) (int, error) {
	switch id {
	case "missing":
		return 0, ErrNotFound
	case "wrapped":
		return 0, fmt.Errorf("looking up %s: %w", id, ErrGrouped)
	case "full":
		return 0, &LimitError{Limit: 10, Used: 12}
	}
	return len(id), nil
}

func (accounts) Delete(ctx context.Context, id string) error {
	switch id {
	case "busy":
		return ConflictError{With: "job 7"}
	case "odd":
		return ErrUnmapped
	}
	return nil
}

func TestGenerated(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	if _, err := RegisterAccounts(ctx, dial(t, r.WebSocketURL()), accounts{}); err != nil {
		t.Fatal(err)
	}
	c := NewAccountsClient(dial(t, r.RawSocketURL()))

	if n, err := c.Get(ctx, "abc"); err != nil || n != 3 {
		t.Errorf("Get(abc) = %d, %v", n, err)
	}
	if _, err := c.Get(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
	if _, err := c.Get(ctx, "wrapped"); !errors.Is(err, ErrGrouped) {
		t.Errorf("Get(wrapped) = %v, want ErrGrouped", err)
	}
	_, err := c.Get(ctx, "full")
	var limit *LimitError
	if !errors.As(err, &limit) || *limit != (LimitError{Limit: 10, Used: 12}) {
		t.Errorf("Get(full) = %v, want *LimitError{10, 12}", err)
	}
	var we *runtime.Error
	if !errors.As(err, &we) || we.URI != "com.example.accounts.error.limit" {
		t.Errorf("Get(full) URI: %v", err)
	}
	err = c.Delete(ctx, "busy")
	var conflict ConflictError
	if !errors.As(err, &conflict) || conflict.With != "job 7" {
		t.Errorf("Delete(busy) = %v, want ConflictError{job 7}", err)
	}
	err = c.Delete(ctx, "odd")
	if !errors.As(err, &we) || we.URI != wamp.ErrRuntime || errors.Is(err, ErrUnmapped) {
		t.Errorf("Delete(odd) = %v, want an unmapped %s", err, wamp.ErrRuntime)
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
