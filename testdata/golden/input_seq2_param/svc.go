// Package inputseq2param takes an iter.Seq2 parameter.
package inputseq2param

import (
	"context"
	"iter"
)

// Svc streams pairs.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	// Pairs takes key-value pairs.
	Pairs(ctx context.Context, kv iter.Seq2[string, int]) (int, error)
	// Errors takes values with errors.
	Errors(ctx context.Context, xs iter.Seq2[float64, error]) (float64, error)
}
