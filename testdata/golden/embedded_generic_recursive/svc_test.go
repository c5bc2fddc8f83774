package embeddedgenericrecursive

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

type store struct{ root Node }

func (s *store) Get(ctx context.Context, key string) (Node, error) {
	if n := s.root.ByID[key]; n != nil {
		return *n, nil
	}
	return Node{}, runtime.NewError(wamp.ErrInvalidArgument, "no node "+key)
}

func (s *store) List(ctx context.Context) ([]*Node, error) {
	return []*Node{{Name: "a", Next: &Node{Name: "b"}}, nil}, nil
}

// Walk renames every node by its depth and returns the depth of Kids[0]s.
func (s *store) Walk(ctx context.Context, n Node) (Node, int, error) {
	deepest := 0
	var mark func(n *Node, depth int)
	mark = func(n *Node, depth int) {
		deepest = max(deepest, depth)
		n.Name = strings.Repeat("+", depth) + n.Name
		for i := range n.Kids {
			mark(&n.Kids[i], depth+1)
		}
		if n.Next != nil {
			mark(n.Next, depth+1)
		}
	}
	mark(&n, 0)
	return n, deepest, nil
}

// chain builds a node nested depth levels deep through Kids and Next.
func chain(depth int) Node {
	n := Node{Name: "leaf"}
	for i := range depth {
		n = Node{Name: "n", Kids: []Node{n}, Next: &Node{Name: strings.Repeat("x", i%3)}}
	}
	return n
}

func TestGenerated(t *testing.T) {
	for _, ser := range []*wamp.Serializer{wamp.JSON, wamp.MsgPack, wamp.CBOR} {
		t.Run(ser.Name(), func(t *testing.T) {
			ctx := t.Context()
			r := routertest.New(t)
			impl := &store{root: Node{ByID: map[string]*Node{"k": {Name: "found", ByID: map[string]*Node{"self": {Name: "inner"}}}}}}
			if _, err := RegisterStore(ctx, dial(t, r.WebSocketURL(), ser), impl); err != nil {
				t.Fatal(err)
			}
			c := NewStoreClient(dial(t, r.RawSocketURL(), ser))
			var _ Store = c

			if got, err := c.Get(ctx, "k"); err != nil || got.Name != "found" || got.ByID["self"].Name != "inner" {
				t.Errorf("Get = %+v, %v", got, err)
			}
			if _, err := c.Get(ctx, "missing"); !errors.Is(err, runtime.ErrInvalidArgument) {
				t.Errorf("Get(missing) = %v", err)
			}
			if got, err := c.List(ctx); err != nil || !reflect.DeepEqual(got, []*Node{{Name: "a", Next: &Node{Name: "b"}}, nil}) {
				t.Errorf("List = %v, %v", got, err)
			}
			// Nesting well within the serializers' 100 levels: each node is
			// two levels (a dictionary, then the Kids list).
			n, deepest, err := c.Walk(ctx, chain(20))
			if err != nil {
				t.Fatal(err)
			}
			if deepest != 20 {
				t.Errorf("Walk: depth %d, want 20", deepest)
			}
			depth := 0
			for cur := &n; len(cur.Kids) > 0; cur = &cur.Kids[0] {
				if want := strings.Repeat("+", depth) + "n"; cur.Name != want {
					t.Fatalf("depth %d: name %q, want %q", depth, cur.Name, want)
				}
				depth++
			}
			if depth != 20 {
				t.Errorf("Walk returned %d levels, want 20", depth)
			}
		})
	}
}

func dial(t *testing.T, url string, ser *wamp.Serializer) *runtime.Session {
	t.Helper()
	s, err := runtime.Dial(t.Context(), url, runtime.Config{Realm: router.DefaultRealm, Serializer: ser})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
