// Package progress sends progressive results through a callback
// parameter.
package progress

import "context"

// Counter counts up, reporting each step.
//
//wampgen:service prefix=com.example.counter
type Counter interface {
	// CountTo sends 1 … n-1 as progressive results and returns n.
	CountTo(ctx context.Context, n int, progress func(int) error) (int, error)
	// Steps sends each step as a struct and returns nothing at the end.
	Steps(ctx context.Context, names []string, onStep func(Step) error) error
}

// Step is one progressive result of Steps.
type Step struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
}
