package kwargs

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

type search struct{}

func (search) Search(ctx context.Context, req SearchRequest) ([]Hit, error) {
	inv, _ := runtime.InvocationFromContext(ctx)
	if vals, err := inv.Args.List(); err != nil || len(vals) != 0 {
		return nil, errors.New("kwargs procedure got positional arguments")
	}
	var hits []Hit
	for i := range req.Limit {
		hits = append(hits, Hit{Title: req.Query, Score: float64(i) + float64(len(req.Tags))})
	}
	return hits, nil
}

func (search) Positional(ctx context.Context, req SearchRequest) (int, error) {
	return req.Limit, nil
}

func TestGenerated(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	if _, err := RegisterSearch(ctx, dial(t, r.WebSocketURL()), search{}); err != nil {
		t.Fatal(err)
	}
	c := NewSearchClient(dial(t, r.WebSocketURL()))
	hits, err := c.Search(ctx, SearchRequest{Query: "go", Limit: 2, Tags: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []Hit{{"go", 1}, {"go", 2}}; !slices.Equal(hits, want) {
		t.Errorf("Search = %v, want %v", hits, want)
	}
	if n, err := c.Positional(ctx, SearchRequest{Limit: 7}); err != nil || n != 7 {
		t.Errorf("Positional = %d, %v", n, err)
	}

	// Another client sends keyword arguments by their json names.
	raw := dial(t, r.WebSocketURL())
	res, err := raw.Call(ctx, SearchSearchProcedure, wamp.Payload{}, wamp.PayloadOf(map[string]any{"query": "raw", "limit": 1}))
	if err != nil {
		t.Fatal(err)
	}
	var got [][]Hit
	if err := res.Args.Decode(&got); err != nil || len(got) != 1 || !slices.Equal(got[0], []Hit{{"raw", 0}}) {
		t.Errorf("raw call result %v, %v", got, err)
	}
	_, err = raw.Call(ctx, SearchSearchProcedure, wamp.Payload{}, wamp.PayloadOf(map[string]any{"limit": "many"}))
	var we *runtime.Error
	if !errors.As(err, &we) || we.URI != wamp.ErrInvalidArgument {
		t.Errorf("bad kwargs: %v, want %s", err, wamp.ErrInvalidArgument)
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
