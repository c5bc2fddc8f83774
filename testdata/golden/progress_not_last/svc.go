// Package progressnotlast puts the progress callback before another
// parameter.
package progressnotlast

import "context"

// Svc has a progress callback in the middle.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	Count(ctx context.Context, progress func(int) error, n int) (int, error)
	Two(ctx context.Context, p1 func(int) error, p2 func(int) error) error
}
