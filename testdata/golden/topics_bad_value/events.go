// Package topicsbadvalue declares topic parameters that cannot travel,
// under the value rules of procedures.
package topicsbadvalue

import "context"

// Hidden has no exported field.
type Hidden struct{ n int }

// Events carry what cannot travel.
//
//wampgen:topics prefix=com.example.values
type Events interface {
	Chan(ctx context.Context, c chan int) error
	Complex(ctx context.Context, c complex128) error
	IntKeys(ctx context.Context, m map[int]string) error
	Hidden(ctx context.Context, h Hidden) error
	Err(ctx context.Context, e error) error
}
