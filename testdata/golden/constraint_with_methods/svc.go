// Package svc annotates a constraint interface, which has methods but also
// a type set, so no value can implement it.
package svc

import "context"

// Numbers is a type constraint.
//
//wampgen:service prefix=com.example.numbers
type Numbers interface {
	~int | ~float64
	Add(ctx context.Context, a, b int) (int, error)
}
