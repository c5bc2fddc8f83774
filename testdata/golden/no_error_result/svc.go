// Package noerrorresult forgets the error result.
package noerrorresult

import "context"

// Svc has methods whose last result is not error.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	NoResults(ctx context.Context)
	OneResult(ctx context.Context) int
	ErrorFirst(ctx context.Context) (error, int)
}
