// Package paramnameclashes names parameters like the packages and locals
// the generated code uses, leaves some unnamed or blank, and names the
// context parameter something other than ctx.
package paramnameclashes

import (
	"context"
	"iter"
)

// Clashes has parameters that would shadow imports or generated locals.
//
//wampgen:service prefix=com.example.clashes
type Clashes interface {
	Imports(ctx context.Context, wamp string, runtime int, context bool, errors []string) (string, error)
	Locals(c context.Context, ctx string, err int, inv string, impl string, vals int) (int, error)
	Unnamed(context.Context, string, int) (string, error)
	Blank(_ context.Context, _ string, x int, _ bool) (int, error)
	Results(ctx context.Context, res, vals int) (c int, err2 string, err error)
	Progress(ctx context.Context, c int, progress func(int) error) (int, error)
	Stream(ctx context.Context, iter int, seq string) (iter.Seq2[int, error], error)
	Args(ctx context.Context, arg1 string, _ int, arg2 bool) (int, error)
	// Shadow names parameters like package-level identifiers the
	// generated bodies refer to.
	Shadow(ctx context.Context, Item Item, ClashesShadowProcedure string, progress func(Item) error) (Item, error)
	Shadow2(ctx context.Context, clashesShadow2Handler, NewClashesClient int) (Item, Item, error)
}

// Item is a type the generated code names.
type Item struct{ N int }
