// Package multiplefiles declares a service in each of two files: each
// file gets its own output, and a file with no service gets none.
package multiplefiles

import "context"

// A is the first service.
//
//wampgen:service prefix=com.example.a
type A interface {
	Do(ctx context.Context, n int) (int, error)
}
