// Package baduri uses URIs that break the WAMP strict rules.
package baduri

import (
	"context"
	"errors"
)

// Upper has an upper-case prefix.
//
//wampgen:service prefix=com.Example.upper
type Upper interface {
	Get(ctx context.Context) error
}

// Reserved is in the wamp. namespace.
//
//wampgen:service prefix=wamp.mine
type Reserved interface {
	Get(ctx context.Context) error
}

// Methods have bad procedure URIs.
//
//wampgen:service prefix=com.example.methods
type Methods interface {
	//wampgen:procedure uri=com.example..empty
	Empty(ctx context.Context) error
	//wampgen:procedure uri=com.example.dash-ed
	Dash(ctx context.Context) error
	//wampgen:procedure uri=com.example.trailing.
	Trailing(ctx context.Context) error
}

// ErrBad has a bad error URI.
//
//wampgen:error uri=wamp.error.mine
var ErrBad = errors.New("bad")
