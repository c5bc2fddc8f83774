// Package namedresults keeps the interface's parameter and result names
// in the generated signatures, also where they collide with the names the
// generator uses for its own locals, and serves methods of every shape
// through the generated Unimplemented type.
package namedresults

import (
	"context"
	"iter"
	"time"
)

// Point is a struct result.
type Point struct{ X, Y int }

// Celsius is a named basic type.
type Celsius float64

// Inventory has named, blank and unnamed results.
//
//wampgen:service prefix=com.example.inventory
type Inventory interface {
	// Count has a named result.
	Count(ctx context.Context, shelf string) (items int, err error)
	// Split has several named results.
	Split(ctx context.Context, total int) (quotient, remainder int, err error)
	// Blank names some results _: those get today's names.
	Blank(ctx context.Context) (_ string, n int, _ error)
	// Locals names its parameters and results like the generator's locals.
	Locals(c context.Context, res, vals int) (uri string, inv int, err error)
	// Errs names its error result e and a result err.
	Errs(ctx context.Context) (err string, e error)
	// Items streams under a name.
	Items(ctx context.Context) (items iter.Seq2[Point, error], failure error)
	// Warm reports progress.
	Warm(ctx context.Context, to Celsius, progress func(Celsius) error) (reached Celsius, err error)
	// Admin serves every URI under com.example.inventory.admin.
	//
	//wampgen:procedure uri=com.example.inventory.admin match=prefix
	Admin(ctx context.Context, op string) (Point, error)
	// Stamp is a pattern procedure with several unnamed results.
	//
	//wampgen:procedure uri=com.example..stamp match=wildcard
	Stamp(ctx context.Context) ([]byte, time.Duration, bool, *Point, map[string]int, [2]int, Celsius, error)
	// Lookup is a pattern procedure whose parameter is named like the
	// generator's local for the resolved URI.
	//
	//wampgen:procedure uri=com.example.inventory.lookup match=prefix
	Lookup(ctx context.Context, uri string) (res Point, err error)
	// Flag, Moment, Anything, Temp and Pair are pattern procedures whose
	// one unnamed result needs a zero value of each kind when the URI is
	// refused.
	//
	//wampgen:procedure uri=com.example.inventory.flag match=prefix
	Flag(ctx context.Context) (bool, error)
	//wampgen:procedure uri=com.example.inventory.moment match=prefix
	Moment(ctx context.Context) (time.Time, error)
	//wampgen:procedure uri=com.example.inventory.anything match=prefix
	Anything(ctx context.Context) (any, error)
	//wampgen:procedure uri=com.example.inventory.temp match=prefix
	Temp(ctx context.Context) (Celsius, error)
	//wampgen:procedure uri=com.example.inventory.pair match=prefix
	Pair(ctx context.Context) ([2]int, error)
	// Watch is a pattern procedure with a stream.
	//
	//wampgen:procedure uri=com.example.inventory.watch match=prefix
	Watch(ctx context.Context) (iter.Seq2[string, error], error)
}
