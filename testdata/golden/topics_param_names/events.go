// Package topicsparamnames names parameters like the generated code's own
// locals, imports and package-level identifiers: the generated code
// renames its locals, never the interface's parameters, except those that
// would hide an import.
package topicsparamnames

import "context"

// p is a package-level identifier that generated code must not hide.
var p = 1

// Names uses the names generated code uses.
//
//wampgen:topics prefix=com.example.names
type Names interface {
	Locals(ctx context.Context, fn, ev, vals, err, sub, opts, impl string) error
	Shadowing(ctx context.Context, runtime, wamp, context int) error
	Unnamed(context.Context, string, int) error
	Receiver(ctx context.Context, p2, uri string) error
	//wampgen:topic match=prefix
	PatternLocals(ctx context.Context, uri, err string) error
}
