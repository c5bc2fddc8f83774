// Package progressandstream streams both ways at once.
package progressandstream

import (
	"context"
	"iter"
)

// Svc has a method with a progress callback and a stream result.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	Both(ctx context.Context, progress func(int) error) (iter.Seq2[int, error], error)
}
