// Package directiveunattached puts directives where they belong to
// nothing.
package directiveunattached

import (
	"context"
	"errors"
)

// Run is a function.
//
//wampgen:service prefix=com.example.run
func Run() {}

// Limit is a constant.
//
//wampgen:error uri=com.example.error.limit
const Limit = 3

// Plain is not a service, so its method's directive belongs to nothing.
type Plain interface {
	//wampgen:procedure uri=com.example.plain.get
	Get(ctx context.Context) error
}

//wampgen:procedure uri=com.example.floating

// ErrA and ErrB are declared together.
//
//wampgen:error uri=com.example.error.ab
var ErrA, ErrB = errors.New("a"), errors.New("b")

// Svc embeds Plain with a directive on the embedding.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	//wampgen:procedure invoke=roundrobin
	Plain
}

// Method is a method with a directive.
//
//wampgen:procedure uri=com.example.method
func (Impl) Method() {}

// Impl has a method.
type Impl struct{}

func body() {
	//wampgen:error uri=com.example.error.inside
	var err error
	_ = err
}
