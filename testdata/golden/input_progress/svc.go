// Package inputprogress streams input and takes a progress callback.
package inputprogress

import (
	"context"
	"iter"
)

// Svc is bidirectional the wrong way.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	RunningSum(ctx context.Context, xs iter.Seq[float64], progress func(float64) error) (float64, error)
}
