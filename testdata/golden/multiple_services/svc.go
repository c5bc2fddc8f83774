// Package multipleservices declares two services in one file: one output
// file holds both.
package multipleservices

import "context"

// Clock tells the time.
//
//wampgen:service prefix=com.example.clock
type Clock interface {
	Now(ctx context.Context) (int64, error)
}

// Echo echoes.
//
//wampgen:service prefix=com.example.echo
type Echo interface {
	Echo(ctx context.Context, s string) (string, error)
	Now(ctx context.Context) (int64, error)
}

// NotAService has no directive and is left alone.
type NotAService interface {
	Do(ctx context.Context) error
}
