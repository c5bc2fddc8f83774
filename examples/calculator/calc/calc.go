// Package calc is the reference wampgen service: a calculator whose
// contract other WAMP implementations (Autobahn|JS, Wampy.js, …) are held
// to. The interfaces are the contract, its procedures (Calculator) and its
// events (CalculatorEvents); calc_wamp.go is generated from them, and so
// are calc_wamp.ts and wampgen.ts, the same contract in TypeScript (for the
// calculator's web page and for Node).
package calc

//go:generate go run github.com/wampgen/wampgen/cmd/wampgen

//wampgen:typescript dir=.

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// Calculator does arithmetic for remote callers, in realm realm1.
//
//wampgen:service prefix=com.example.calc
type Calculator interface {
	// Add returns a+b.
	Add(ctx context.Context, a, b float64) (float64, error)
	// Div returns a/b, or ErrDivByZero when b is 0.
	Div(ctx context.Context, a, b float64) (float64, error)
	// Sqrt returns √x, or a *NegativeInputError when x < 0.
	Sqrt(ctx context.Context, x float64) (float64, error)
	// Fibonacci returns F(n) for n in 1..90, sending F(1) … F(n-1) as
	// progressive results when the caller asks for them.
	Fibonacci(ctx context.Context, n int, progress func(int64) error) (int64, error)
	// Stats summarizes a non-empty list of numbers.
	Stats(ctx context.Context, values []float64) (Stats, error)
	// Round rounds value to places decimal places (keyword arguments).
	//
	//wampgen:procedure kwargs=true
	Round(ctx context.Context, req RoundRequest) (float64, error)
	// ReverseBytes returns data reversed: binary must survive every
	// serializer.
	ReverseBytes(ctx context.Context, data []byte) ([]byte, error)
	// Whoami returns the caller's session ID, which the router discloses.
	//
	//wampgen:procedure disclose_caller=true
	Whoami(ctx context.Context) (uint64, error)
	// Sleep sleeps ms milliseconds and returns ms; it stops at once when
	// the call is cancelled or times out.
	Sleep(ctx context.Context, ms int) (int, error)
	// Active returns how many Sleep calls are running now.
	Active(ctx context.Context) (int, error)
	// Sum returns the sum of the numbers the caller streams (client
	// streaming, WAMP's progressive call invocations): each CALL chunk
	// carries Arguments [x], the last one (without progress) too; the
	// result is [sum of all x], 0 for an empty input.
	Sum(ctx context.Context, xs iter.Seq[float64]) (float64, error)
	// RunningSum streams the running total back while the caller streams
	// the numbers in (bidirectional): after each chunk but the last a
	// progressive RESULT [total so far], then the final RESULT [total].
	// A caller that did not ask for progressive results gets every total
	// in the final result.
	RunningSum(ctx context.Context, xs iter.Seq[float64]) (iter.Seq2[float64, error], error)
}

// CalculatorEvents are the calculator's events: a service implementing
// Calculator publishes them (through the generated
// CalculatorEventsPublisher), and any implementation of this interface can
// subscribe to them (SubscribeCalculatorEvents, or
// SubscribeCalculatorEventsComputed for the one topic).
//
//wampgen:topics prefix=com.example.calc
type CalculatorEvents interface {
	// Computed is published to com.example.calc.computed after every
	// successful add, div and sqrt, never after a failed one, with the
	// Computation as its one positional argument.
	Computed(ctx context.Context, c Computation) error
}

// Computation is one successful computation, the event of
// CalculatorEvents.Computed. On the wire it is the dictionary
// {"op": "add" | "div" | "sqrt", "args": [the call's numbers], "result": r}.
type Computation struct {
	// Op is the procedure's name: "add", "div" or "sqrt".
	Op string `json:"op"`
	// Args are the call's numbers, in order: [a, b] for add and div, [x]
	// for sqrt.
	Args []float64 `json:"args"`
	// Result is what the call returned.
	Result float64 `json:"result"`
}

// Stats is the result of Calculator.Stats.
type Stats struct {
	Count int     `json:"count"`
	Sum   float64 `json:"sum"`
	Mean  float64 `json:"mean"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
}

// RoundRequest holds the keyword arguments of Calculator.Round.
type RoundRequest struct {
	Value  float64 `json:"value"`
	Places int     `json:"places"`
}

// ErrDivByZero is Div's answer to a zero divisor.
//
//wampgen:error uri=com.example.calc.error.div_by_zero
var ErrDivByZero = errors.New("division by zero")

// NegativeInputError is Sqrt's answer to a negative input; Input travels
// as ArgumentsKw {"input": x}.
//
//wampgen:error uri=com.example.calc.error.negative_input
type NegativeInputError struct {
	Input float64 `json:"input"`
}

func (e *NegativeInputError) Error() string {
	return fmt.Sprintf("square root of negative input %g", e.Input)
}
