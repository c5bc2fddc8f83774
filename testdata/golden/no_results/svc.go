// Package noresults has methods that return only an error.
package noresults

import "context"

// Sink swallows values.
//
//wampgen:service prefix=com.example.sink
type Sink interface {
	Put(ctx context.Context, v string) error
	Flush(ctx context.Context) error
}
