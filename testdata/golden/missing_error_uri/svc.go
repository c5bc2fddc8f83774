// Package missingerroruri leaves out the uri an error needs.
package missingerroruri

import "errors"

// ErrNoURI has a directive without uri=.
//
//wampgen:error
var ErrNoURI = errors.New("no uri")

// TypeNoURI has one too.
//
//wampgen:error
type TypeNoURI struct{}

func (TypeNoURI) Error() string { return "no uri" }
