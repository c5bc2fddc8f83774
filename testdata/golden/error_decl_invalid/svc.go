// Package errordeclinvalid annotates declarations that cannot be mapped
// errors.
package errordeclinvalid

import (
	"errors"
	"fmt"
)

// NotStruct is an error but not a struct.
//
//wampgen:error uri=com.example.error.not_struct
type NotStruct string

func (e NotStruct) Error() string { return string(e) }

// NotError is a struct without an Error method.
//
//wampgen:error uri=com.example.error.not_error
type NotError struct{ Code int }

// WrongSentinel is a variable of a concrete error type, not of type error.
//
//wampgen:error uri=com.example.error.wrong_sentinel
var WrongSentinel = &PtrError{}

// NotAnError is a string variable.
//
//wampgen:error uri=com.example.error.string
var NotAnError = "oops"

// PtrError is fine.
type PtrError struct{}

func (*PtrError) Error() string { return "ptr" }

// GenericError is generic.
//
//wampgen:error uri=com.example.error.generic
type GenericError[T any] struct{ V T }

func (e GenericError[T]) Error() string { return fmt.Sprint(e.V) }

// ChanError carries a channel.
//
//wampgen:error uri=com.example.error.chan
type ChanError struct{ C chan int }

func (ChanError) Error() string { return "chan" }

var _ = errors.New
