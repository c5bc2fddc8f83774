// Package multipleresults returns several positional results.
package multipleresults

import "context"

// Splitter returns more than one value.
//
//wampgen:service prefix=com.example.split
type Splitter interface {
	DivMod(ctx context.Context, a, b int) (q, r int, err error)
	Split(ctx context.Context, s string) (string, string, bool, error)
}
