// Package streamshape returns iter.Seq2 in shapes the generator does not
// accept.
package streamshape

import (
	"context"
	"iter"
)

// Svc has malformed streams.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	Extra(ctx context.Context) (iter.Seq2[int, error], int, error)
	NotError(ctx context.Context) (iter.Seq2[int, string], error)
	Seq(ctx context.Context) (iter.Seq[int], error)
	Chan(ctx context.Context) (iter.Seq2[chan int, error], error)
}
