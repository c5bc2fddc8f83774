// Package topicswithservice declares a service, its error and its events
// in one file: one generated file holds them all.
package topicswithservice

import (
	"context"
	"errors"
)

// Calculator does arithmetic.
//
//wampgen:service prefix=com.example.calc
type Calculator interface {
	Add(ctx context.Context, a, b float64) (float64, error)
	Div(ctx context.Context, a, b float64) (float64, error)
}

// Computation is one successful computation.
type Computation struct {
	Op     string    `json:"op"`
	Args   []float64 `json:"args"`
	Result float64   `json:"result"`
}

// CalculatorEvents are the events of the calculator.
//
//wampgen:topics prefix=com.example.calc
type CalculatorEvents interface {
	// Computed is published after every successful computation.
	Computed(ctx context.Context, c Computation) error
}

// ErrDivByZero is returned by Div for b == 0.
//
//wampgen:error uri=com.example.calc.error.div_by_zero
var ErrDivByZero = errors.New("division by zero")
