// Package badvalue gives keys values outside their allowed sets.
package badvalue

import "context"

// Svc has bad values.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	//wampgen:procedure match=fuzzy
	A(ctx context.Context) error
	//wampgen:procedure invoke=roundRobin
	B(ctx context.Context) error
	//wampgen:procedure disclose_caller=yes
	C(ctx context.Context) error
	//wampgen:procedure cancel=abort
	D(ctx context.Context) error
	//wampgen:procedure kwargs=1
	E(ctx context.Context, s S) error
	//wampgen:procedure uri=
	F(ctx context.Context) error
}

// S is a struct.
type S struct{ N int }
