// Package tsunrepresentable is fine for Go but not for TypeScript, which
// it asks for: every diagnostic here is TypeScript's.
package tsunrepresentable

//wampgen:typescript

import (
	"context"
	"errors"

	amodel "github.com/wampgen/wampgen/testdata/golden/typescript_unrepresentable/a/model"
	bmodel "github.com/wampgen/wampgen/testdata/golden/typescript_unrepresentable/b/model"
)

// Pair is generic: an instantiation has no one TypeScript name.
type Pair[T any] struct {
	A, B T
}

// Ints is an alias of an instantiation.
type Ints = Pair[int]

// Promise is a name the generated module uses for a built-in type.
type Promise struct {
	Done bool `json:"done"`
}

// Holder holds a generic value in a field.
type Holder struct {
	P Pair[string] `json:"p"`
}

// Geometry mixes two types named Point.
//
//wampgen:service prefix=com.example.tsunrepresentable
type Geometry interface {
	Flat(ctx context.Context, p amodel.Point) (bmodel.Point, error)
	Sum(ctx context.Context, p Pair[float64]) (Ints, error)
	Hold(ctx context.Context, h Holder) (Promise, error)
	// HTTPGet and HttpGet are both httpGet.
	HTTPGet(ctx context.Context) error
	//wampgen:procedure uri=com.example.tsunrepresentable.http_get2
	HttpGet(ctx context.Context) error
	// Peer is the client's own peer property.
	Peer(ctx context.Context) error
	// Constructor is the client's constructor.
	Constructor(ctx context.Context) error
	// Fail returns a Failure as a value too.
	Fail(ctx context.Context) (Failure, error)
	// Then would make every client a thenable.
	Then(ctx context.Context) error
	// Remove takes a type whose name is a reserved word of TypeScript.
	Remove(ctx context.Context, d delete) error
}

// delete is a type name Go allows (it shadows the builtin) and
// TypeScript does not.
type delete struct {
	ID string `json:"id"`
}

// Failure is an error type whose fields shadow what its class has from
// Error and w.WampError.
//
//wampgen:error uri=com.example.tsunrepresentable.error.failure
type Failure struct {
	Message string `json:"message"`
	URI     string `json:"uri"`
	Code    int    `json:"code"`
}

func (f Failure) Error() string { return f.Message }

// ErrDone and DoneError are both DoneError in TypeScript.
//
//wampgen:error uri=com.example.tsunrepresentable.error.done
var ErrDone = errors.New("done")

// DoneError is the second DoneError.
//
//wampgen:error uri=com.example.tsunrepresentable.error.done2
var DoneError = errors.New("done, too")
