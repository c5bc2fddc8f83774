// Package variadic has a variadic method.
package variadic

import "context"

// Svc has a variadic method.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	Sum(ctx context.Context, ns ...int) (int, error)
}
