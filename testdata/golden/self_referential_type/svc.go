// Package svc uses container types that refer to themselves, which the
// codec cannot encode; a struct in between is fine.
package svc

import "context"

// Tree is a map of trees.
type Tree map[string]Tree

// Chain is a list of chains.
type Chain []*Chain

// Node refers to itself through a struct field, which is fine.
type Node struct {
	Children []Node `json:"children"`
}

// Forest uses them.
//
//wampgen:service prefix=com.example.forest
type Forest interface {
	Plant(ctx context.Context, t Tree) error
	Link(ctx context.Context, c Chain) error
	Grow(ctx context.Context, n Node) (Node, error)
}
