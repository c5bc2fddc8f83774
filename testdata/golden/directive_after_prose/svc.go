// Package directiveafterprose places directives after the prose (as
// gofmt does) and before it (as gofmt leaves method and grouped comments):
// the order does not matter.
package directiveafterprose

import (
	"context"
	"errors"
)

// After has its directive last, as gofmt writes it.
//
//wampgen:service prefix=com.example.after
type After interface {
	// Before has its directive before the prose.
	//wampgen:procedure uri=com.example.after.renamed
	// The prose continues after the directive.
	Before(ctx context.Context) error
	// Middle has prose on both sides.
	//
	//wampgen:procedure invoke=random
	//
	// More prose.
	Middle(ctx context.Context) error
}

type (
	//wampgen:service prefix=com.example.grouped
	// Grouped is declared in a group, directive first.
	Grouped interface {
		Do(ctx context.Context) error
	}

	// Trailing has the directive as the only comment line but one.
	//wampgen:service prefix=com.example.trailing
	Trailing interface {
		Do(ctx context.Context) error
	}
)

var (
	//wampgen:error uri=com.example.after.error.first
	// ErrFirst has the directive first.
	ErrFirst = errors.New("first")
)
