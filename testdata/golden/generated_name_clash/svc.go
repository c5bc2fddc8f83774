// Package generatednameclash declares identifiers that wampgen would
// generate.
package generatednameclash

import "context"

// Calculator is a service.
//
//wampgen:service prefix=com.example.calc
type Calculator interface {
	Add(ctx context.Context, a, b int) (int, error)
	Sub(ctx context.Context, a, b int) (int, error)
}

// CalculatorAddProcedure is declared by hand.
const CalculatorAddProcedure = "mine"

// NewCalculatorClient is declared by hand.
func NewCalculatorClient() {}

// calculatorSubHandler is declared by hand.
func calculatorSubHandler() {}

// Calc and CalcA generate the same constant: CalcAB + Procedure.
//
//wampgen:service prefix=com.example.c1
type Calc interface {
	AB(ctx context.Context) error
}

// CalcA is another service.
//
//wampgen:service prefix=com.example.c2
type CalcA interface {
	B(ctx context.Context) error
}

// UnimplementedCalculator is declared by hand.
type UnimplementedCalculator struct{}
