// Package basic is the simplest service: positional arguments, one result.
package basic

import "context"

// Greeter greets people.
//
//wampgen:service prefix=com.example.greeter
type Greeter interface {
	// Greet returns a greeting for name.
	Greet(ctx context.Context, name string) (string, error)
	// Add returns a+b.
	Add(ctx context.Context, a, b int) (int, error)
	// Ping returns nothing.
	Ping(ctx context.Context) error
	// Count counts the words.
	Count(ctx context.Context, words []string) (int, error)
}
