package pointersslicesmapsstructs

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

type shapes struct{}

func (shapes) Ptr(ctx context.Context, item *Item) (*Item, error) {
	return &Item{Name: item.Name + "!", Next: item}, nil
}

func (shapes) Slice(ctx context.Context, items []Item) ([]*Item, error) {
	var out []*Item
	for i := range items {
		out = append(out, &items[i])
	}
	return out, nil
}

func (shapes) Array(ctx context.Context, a [3]int) ([2][]byte, error) {
	return [2][]byte{{byte(a[0]), byte(a[1])}, {byte(a[2]), 0}}, nil
}

func (shapes) Map(ctx context.Context, m map[string][]Item) (map[string]*Item, error) {
	out := map[string]*Item{}
	for k, v := range m {
		out[k] = &v[len(v)-1]
	}
	return out, nil
}

func (shapes) Bytes(ctx context.Context, data []byte) ([]byte, error) {
	return []byte(strings.ToUpper(string(data))), nil
}

func (shapes) Anon(ctx context.Context, p struct {
	X, Y  int
	Label string `json:"label"`
	Item
	Quoted string "json:\"quoted\" note:\"has a ` in it\""
}) (struct{ Sum int }, error) {
	return struct{ Sum int }{p.X + p.Y + len(p.Label) + len(p.Name) + len(p.Quoted)}, nil
}

func (shapes) Any(ctx context.Context, v any) (map[string]any, error) {
	return map[string]any{"got": v}, nil
}

func (shapes) Generic(ctx context.Context, b Box[Item]) (Box[map[string]Box[int]], error) {
	return Box[map[string]Box[int]]{Value: map[string]Box[int]{b.Value.Name: {Value: len(b.Value.Tags)}}}, nil
}

func TestGenerated(t *testing.T) {
	for _, ser := range []*wamp.Serializer{wamp.JSON, wamp.MsgPack, wamp.CBOR} {
		t.Run(ser.Name(), func(t *testing.T) { testShapes(t, ser) })
	}
}

func testShapes(t *testing.T, ser *wamp.Serializer) {
	ctx := t.Context()
	r := routertest.New(t)
	if _, err := RegisterShapes(ctx, dial(t, r.WebSocketURL(), ser), shapes{}); err != nil {
		t.Fatal(err)
	}
	c := NewShapesClient(dial(t, r.RawSocketURL(), ser))

	in := &Item{Name: "a", Tags: []string{"t"}, Attrs: map[string]string{"k": "v"}}
	if got, err := c.Ptr(ctx, in); err != nil || got.Name != "a!" || !reflect.DeepEqual(got.Next, in) {
		t.Errorf("Ptr = %+v, %v", got, err)
	}
	if got, err := c.Slice(ctx, []Item{{Name: "x"}, {Name: "y"}}); err != nil || len(got) != 2 || got[1].Name != "y" {
		t.Errorf("Slice = %v, %v", got, err)
	}
	if got, err := c.Array(ctx, [3]int{1, 2, 3}); err != nil || !reflect.DeepEqual(got, [2][]byte{{1, 2}, {3, 0}}) {
		t.Errorf("Array = %v, %v", got, err)
	}
	if got, err := c.Map(ctx, map[string][]Item{"k": {{Name: "first"}, {Name: "last"}}}); err != nil || got["k"].Name != "last" {
		t.Errorf("Map = %v, %v", got, err)
	}
	if got, err := c.Bytes(ctx, []byte("abc\x00")); err != nil || string(got) != "ABC\x00" {
		t.Errorf("Bytes = %q, %v", got, err)
	}
	var p struct {
		X, Y  int
		Label string `json:"label"`
		Item
		Quoted string "json:\"quoted\" note:\"has a ` in it\""
	}
	p.X, p.Y, p.Label, p.Name, p.Quoted = 1, 2, "abc", "de", "f"
	if got, err := c.Anon(ctx, p); err != nil || got.Sum != 9 {
		t.Errorf("Anon = %+v, %v", got, err)
	}
	if got, err := c.Any(ctx, "s"); err != nil || got["got"] != "s" {
		t.Errorf("Any = %v, %v", got, err)
	}
	got, err := c.Generic(ctx, Box[Item]{Value: Item{Name: "n", Tags: []string{"1", "2"}}})
	if err != nil || got.Value["n"].Value != 2 {
		t.Errorf("Generic = %+v, %v", got, err)
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
