// Package topicsresultnoterror gives topic methods results other than a
// single error.
package topicsresultnoterror

import (
	"context"
	"iter"
)

// Events return what events cannot.
//
//wampgen:topics prefix=com.example.results
type Events interface {
	// NoResult returns nothing.
	NoResult(ctx context.Context, n int)
	// Value returns a value besides the error.
	Value(ctx context.Context, n int) (int, error)
	// NotError returns a string only.
	NotError(ctx context.Context, n int) string
	// Stream returns a stream, as a procedure may.
	Stream(ctx context.Context) (iter.Seq2[int, error], error)
	// ErrorFirst returns the error first.
	ErrorFirst(ctx context.Context) (error, bool)
}
