// Package inputtwo streams two inputs into one call.
package inputtwo

import (
	"context"
	"iter"
)

// Svc takes two streams.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	Zip(ctx context.Context, xs iter.Seq[float64], ys iter.Seq[float64]) (iter.Seq2[float64, error], error)
}
