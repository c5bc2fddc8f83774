// Package noctx forgets the context parameter.
package noctx

import "context"

// Svc has methods without a leading context.Context.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	NoParams() error
	NoCtx(n int) (int, error)
	CtxSecond(n int, ctx context.Context) (int, error)
	PointerCtx(ctx *context.Context) error
}
