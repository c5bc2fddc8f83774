// Package inputitemvalue streams items that cannot travel.
package inputitemvalue

import (
	"context"
	"iter"
)

// Svc streams channels and functions.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	// Chans streams channels.
	Chans(ctx context.Context, cs iter.Seq[chan int]) error
	// Complex streams complex numbers.
	Complex(ctx context.Context, zs iter.Seq[complex128]) error
	// Nested streams streams.
	Nested(ctx context.Context, xss iter.Seq[iter.Seq[int]]) error
}
