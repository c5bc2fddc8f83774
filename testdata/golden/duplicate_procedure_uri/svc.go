// Package duplicateprocedureuri registers one URI twice.
package duplicateprocedureuri

import "context"

// A has two methods with one URI.
//
//wampgen:service prefix=com.example.a
type A interface {
	Get(ctx context.Context) error
	//wampgen:procedure uri=com.example.a.get
	Fetch(ctx context.Context) error
}

// B has the same prefix as A.
//
//wampgen:service prefix=com.example.a
type B interface {
	Get(ctx context.Context) error
}
