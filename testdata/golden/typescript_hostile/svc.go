// Package tshostile feeds the TypeScript output what a careless or hostile
// author writes: docs that end comments (*/), open them (/*), hold markup
// (<script>), line and paragraph separators (U+2028, U+2029) and odd
// Unicode; wire names that are reserved words, hold - and $, start with a
// digit, or name what every JavaScript object inherits (constructor,
// toString, __proto__); parameters named as the module's own names (w,
// errors, options, inv, args, peer, impl, this); and an error text with
// quotes, a backslash, a newline and </script>. The module must compile and
// run as it is.
//
//wampgen:typescript dir=.
package tshostile

import (
	"context"
	"errors"
)

// Odd is a struct whose doc ends a comment */ and opens one /* and holds
// <script>alert(1)</script>, a line separator ( ) and a paragraph
// separator ( ), a right-to-left mark (‏) and an emoji (🦀).
type Odd struct {
	// Class is a reserved word: */ /* <b>
	Class string `json:"class"`
	// Dash has a dash.
	Dash string `json:"x-dash"`
	// Dollar has a dollar.
	Dollar int `json:"$ref"`
	// First starts with a digit.
	First bool `json:"1st"`
	// Ctor is named as every object's constructor.
	Ctor string `json:"constructor,omitempty"`
	// Str is named as every object's toString.
	Str string `json:"toString,omitempty"`
	// Proto is named as every object's prototype link.
	Proto string `json:"__proto__,omitempty"`
	// Quote has a quote and a backslash in its wire name.
	Quote string `codec:"it's\\"`
	// Unicode is a name beyond ASCII.
	Unicode float64 `json:"größe"`
	// Self is recursive.
	Self []*Odd `json:"self"`
}

// Hostile is a service whose parameters are named as the generated module's
// own names.
//
//wampgen:service prefix=com.example.tshostile
type Hostile interface {
	// Echo returns o; its parameters shadow nothing: */ <script>
	Echo(ctx context.Context, w Odd, errors int, options string, inv bool, args []string, peer string, impl int, this string) (Odd, error)
	// Reserved has parameters that are reserved words in TypeScript.
	Reserved(ctx context.Context, delete, yield, await, let, static, arguments, eval int) (int, error)
	// Get and the methods after it are named as the modifiers and keywords
	// TypeScript reads in a class or an interface body.
	Get(ctx context.Context) error
	Set(ctx context.Context) error
	Static(ctx context.Context) error
	Async(ctx context.Context) error
	Public(ctx context.Context) error
	Private(ctx context.Context) error
	Readonly(ctx context.Context) error
	Declare(ctx context.Context) error
	Abstract(ctx context.Context) error
	Accessor(ctx context.Context) error
	Override(ctx context.Context) error
	Delete(ctx context.Context) error
	In(ctx context.Context) error
	Keyof(ctx context.Context) error
	Typeof(ctx context.Context) error
}

// Modifiers are topics named as TypeScript's modifiers.
//
//wampgen:topics prefix=com.example.tshostile.events
type Modifiers interface {
	Get(ctx context.Context, x int) error
	Static(ctx context.Context) error
	Readonly(ctx context.Context, readonly string) error
	Async(ctx context.Context) error
}

// ErrQuote is a sentinel whose text needs escaping in a string literal.
//
//wampgen:error uri=com.example.tshostile.error.quote
var ErrQuote = errors.New("it's a \\ back\nslash </script> \u2028 ok")

// FieldsError is an error type whose fields are named as reserved words.
//
//wampgen:error uri=com.example.tshostile.error.fields
type FieldsError struct {
	Class  string `json:"class"`
	Delete int    `json:"delete"`
	Dash   string `json:"x-dash"`
}

func (e *FieldsError) Error() string { return "fields" }
