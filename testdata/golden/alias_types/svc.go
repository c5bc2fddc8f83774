// Package aliastypes uses type aliases, to local and to other packages'
// types: the generated code spells each alias by its own name, as the
// interface does.
package aliastypes

import (
	"context"
	"time"
)

// ID is an alias of a predeclared type.
type ID = string

// Stamp is an alias of another package's type.
type Stamp = time.Duration

// Pair is a local struct.
type Pair struct {
	A, B int
}

// PairAlias aliases a local type.
type PairAlias = Pair

// Ctx aliases context.Context: it still counts as the context parameter.
type Ctx = context.Context

// IDs aliases a slice of aliases.
type IDs = []ID

// Box is generic.
type Box[T any] struct{ V T }

// IntBox aliases an instance of a generic type.
type IntBox = Box[int]

// GenericAlias is a generic alias.
type GenericAlias[T any] = Box[[]T]

// Aliases uses the aliases everywhere.
//
//wampgen:service prefix=com.example.alias
type Aliases interface {
	Lookup(ctx Ctx, id ID) (PairAlias, error)
	Wait(ctx context.Context, d Stamp) (Stamp, error)
	All(ctx context.Context, ids IDs) (map[ID]PairAlias, error)
	Boxes(ctx context.Context, b IntBox) (GenericAlias[Stamp], error)
}
