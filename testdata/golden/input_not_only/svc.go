// Package inputnotonly streams input next to other parameters: each chunk
// carries one value, so the stream must be the only parameter besides ctx.
package inputnotonly

import (
	"context"
	"iter"
)

// Svc has streamed inputs with company.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	// Before has a parameter before the stream.
	Before(ctx context.Context, scale float64, xs iter.Seq[float64]) (float64, error)
	// After has parameters after the stream.
	After(ctx context.Context, xs iter.Seq[float64], label string, n int) error
	// Fine is well shaped, and generated for nothing, as the run fails.
	Fine(ctx context.Context, xs iter.Seq[float64]) (float64, error)
}
