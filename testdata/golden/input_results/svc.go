// Package inputresults streams input and returns several results.
package inputresults

import (
	"context"
	"iter"
)

// Svc returns two values from a streamed input.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	MinMax(ctx context.Context, xs iter.Seq[float64]) (lo, hi float64, err error)
}
