// Package topicsmethodshape breaks the shape of a topic method in every
// way but its result.
package topicsmethodshape

import (
	"context"
	"iter"
)

// Events are badly shaped.
//
//wampgen:topics prefix=com.example.shape
type Events interface {
	// NoCtx lacks the context.
	NoCtx(n int) error
	// CtxLater has the context in second place.
	CtxLater(n int, ctx context.Context) error
	// Variadic takes a variadic parameter.
	Variadic(ctx context.Context, ns ...int) error
	// Progress takes a progress callback, which an event cannot have.
	Progress(ctx context.Context, n int, progress func(int) error) error
	// Seq takes a sequence.
	Seq(ctx context.Context, items iter.Seq[int]) error
	// Callback takes another function.
	Callback(ctx context.Context, f func()) error
	// Fine is well shaped, and generated for nothing, as the run fails.
	Fine(ctx context.Context, n int) error
}
