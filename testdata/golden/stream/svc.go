// Package stream returns progressive results as an iter.Seq2.
package stream

import (
	"context"
	"iter"
)

// Lines streams lines.
//
//wampgen:service prefix=com.example.lines
type Lines interface {
	// Lines yields n lines.
	Lines(ctx context.Context, n int) (iter.Seq2[string, error], error)
	// Chunks yields byte chunks of data.
	Chunks(ctx context.Context, data []byte, size int) (iter.Seq2[[]byte, error], error)
}
