// Package packagescopeclashimport declares package-level identifiers
// named like the packages the generated code imports: the generated file
// imports them under other names.
package packagescopeclashimport

import (
	ctxpkg "context"
	tm "time"
)

// runtime is a package-level function named like the runtime package.
func runtime() string { return "mine" }

// wamp is a package-level variable named like the wamp package.
var wamp = runtime()

// context is a type named like the context package.
type context struct{}

// errors is a constant named like the errors package.
const errors = 1

// Svc uses the imports of the generated code under clashing names.
//
//wampgen:service prefix=com.example.scope
type Svc interface {
	Wait(ctx ctxpkg.Context, d tm.Duration) (tm.Time, error)
}

// ErrScope makes the generated file import errors.
//
//wampgen:error uri=com.example.scope.error
var ErrScope = newErr()

type scopeError struct{}

func (scopeError) Error() string { return "scope" }

func newErr() error { return scopeError{} }

var _, _, _ = wamp, context{}, errors
