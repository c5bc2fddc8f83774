// Package old is an API's first version, whose errors the package above
// re-declares.
package old

import "errors"

// ErrGone is mapped here.
//
//wampgen:error uri=com.example.old.gone
var ErrGone = errors.New("gone")

// NotFound is mapped here.
//
//wampgen:error uri=com.example.old.not_found
type NotFound struct{ ID int }

func (NotFound) Error() string { return "not found" }

// ErrPlain is not mapped here.
var ErrPlain = errors.New("plain")
