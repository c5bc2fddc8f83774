// Package pointersslicesmapsstructs uses composite types: pointers,
// slices, arrays, maps, named and anonymous structs, and []byte.
package pointersslicesmapsstructs

import "context"

// Item is a named struct.
type Item struct {
	Name  string            `json:"name"`
	Tags  []string          `json:"tags,omitempty"`
	Attrs map[string]string `json:"attrs"`
	Next  *Item             `json:"next,omitempty"`
	note  string            // unexported: not sent
}

// Box is a generic struct.
type Box[T any] struct {
	Value T `json:"value"`
}

// Shapes takes and returns composite types.
//
//wampgen:service prefix=com.example.shapes
type Shapes interface {
	Ptr(ctx context.Context, item *Item) (*Item, error)
	Slice(ctx context.Context, items []Item) ([]*Item, error)
	Array(ctx context.Context, a [3]int) ([2][]byte, error)
	Map(ctx context.Context, m map[string][]Item) (map[string]*Item, error)
	Bytes(ctx context.Context, data []byte) ([]byte, error)
	Anon(ctx context.Context, p struct {
		X, Y  int
		Label string `json:"label"`
		Item
		Quoted string "json:\"quoted\" note:\"has a ` in it\""
	}) (struct{ Sum int }, error)
	Any(ctx context.Context, v any) (map[string]any, error)
	Generic(ctx context.Context, b Box[Item]) (Box[map[string]Box[int]], error)
}
