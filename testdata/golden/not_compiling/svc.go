// Package notcompiling has a type error: wampgen says the package does not
// compile, first, and then lists the compiler's errors; it checks no
// directive until the package compiles (the bad prefix below is not
// reported).
package notcompiling

import "context"

// Svc refers to an undefined type.
//
//wampgen:service prefix=Bad.Prefix
type Svc interface {
	Get(ctx context.Context) (Missing, error)
}

func broken() int { return "not an int" }
