// Package svc has parameters named like Go's builtins, which the generated
// code must not let hide them.
package svc

import "context"

// Builtins names its parameters after builtins.
//
//wampgen:service prefix=com.example.builtins
type Builtins interface {
	Measure(ctx context.Context, len int, cap string, new bool, error float64) (int, error)
}
