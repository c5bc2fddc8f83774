// Package topicsduplicateuri gives two topics one URI, in one interface
// and across two.
package topicsduplicateuri

import "context"

// A are some events.
//
//wampgen:topics prefix=com.example.dup
type A interface {
	Created(ctx context.Context, id string) error
	// Made has Created's URI.
	//
	//wampgen:topic uri=com.example.dup.created
	Made(ctx context.Context, id string) error
}

// B are other events, one of them with A's URI.
//
//wampgen:topics prefix=com.example.dup
type B interface {
	Created(ctx context.Context, id string) error
}
