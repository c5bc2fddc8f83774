// Package kwargsnotstruct asks for keyword arguments without a single
// struct parameter.
package kwargsnotstruct

import "context"

// Req is a struct.
type Req struct{ A int }

// Svc has kwargs methods of the wrong shape.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	//wampgen:procedure kwargs=true
	NotStruct(ctx context.Context, n int) error
	//wampgen:procedure kwargs=true
	TwoParams(ctx context.Context, a Req, b Req) error
	//wampgen:procedure kwargs=true
	NoParams(ctx context.Context) error
	//wampgen:procedure kwargs=true
	MapParam(ctx context.Context, m map[string]int) error
	//wampgen:procedure kwargs=true
	Pointer(ctx context.Context, req *Req) error
}
