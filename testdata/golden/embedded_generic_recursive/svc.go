// Package embeddedgenericrecursive embeds instances of generic interfaces
// in a service and passes a recursive type: a struct that holds itself
// through a slice, a pointer and a map.
package embeddedgenericrecursive

import "context"

// Getter is a generic interface; Store embeds an instance of it.
type Getter[K comparable, V any] interface {
	// Get returns the value of key.
	Get(ctx context.Context, key K) (V, error)
}

// Lister is another generic interface.
type Lister[T any] interface {
	// List returns every item.
	List(ctx context.Context) ([]T, error)
}

// Node is a tree node that holds itself.
type Node struct {
	Name string           `json:"name"`
	Kids []Node           `json:"kids"`
	Next *Node            `json:"next"`
	ByID map[string]*Node `json:"by_id"`
}

// Store serves trees.
//
//wampgen:service prefix=com.example.trees
type Store interface {
	Getter[string, Node]
	Lister[*Node]
	// Walk returns the node it was given, reshaped, and its depth.
	Walk(ctx context.Context, n Node) (Node, int, error)
}
