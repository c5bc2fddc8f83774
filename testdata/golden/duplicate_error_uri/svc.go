// Package duplicateerroruri maps two errors to one URI.
package duplicateerroruri

import "errors"

// ErrA is the first.
//
//wampgen:error uri=com.example.error.same
var ErrA = errors.New("a")

// ErrB is the second.
//
//wampgen:error uri=com.example.error.same
var ErrB = errors.New("b")

// SameError is the third.
//
//wampgen:error uri=com.example.error.same
type SameError struct{}

func (SameError) Error() string { return "same" }
