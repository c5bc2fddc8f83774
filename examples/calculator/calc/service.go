package calc

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Service is the Go implementation of Calculator.
type Service struct {
	active atomic.Int64 // Sleep calls running now
}

var _ Calculator = (*Service)(nil)

func invalid(format string, args ...any) error {
	return runtime.NewError(wamp.ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// Add returns a+b.
func (s *Service) Add(ctx context.Context, a, b float64) (float64, error) { return a + b, nil }

// Div returns a/b, or ErrDivByZero.
func (s *Service) Div(ctx context.Context, a, b float64) (float64, error) {
	if b == 0 {
		return 0, ErrDivByZero
	}
	return a / b, nil
}

// Sqrt returns √x, or a *NegativeInputError.
func (s *Service) Sqrt(ctx context.Context, x float64) (float64, error) {
	if x < 0 {
		return 0, &NegativeInputError{Input: x}
	}
	return math.Sqrt(x), nil
}

// Fibonacci returns F(n), sending F(1) … F(n-1) through progress.
func (s *Service) Fibonacci(ctx context.Context, n int, progress func(int64) error) (int64, error) {
	if n < 1 || n > 90 {
		return 0, invalid("fibonacci: n must be in 1..90, got %d", n)
	}
	a, b := int64(1), int64(1) // F(1), F(2)
	for i := 1; i < n; i++ {
		if err := progress(a); err != nil {
			return 0, err
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		a, b = b, a+b
	}
	return a, nil
}

// Stats summarizes values.
func (s *Service) Stats(ctx context.Context, values []float64) (Stats, error) {
	if len(values) == 0 {
		return Stats{}, invalid("stats: the list of values is empty")
	}
	st := Stats{Count: len(values), Min: slices.Min(values), Max: slices.Max(values)}
	for _, v := range values {
		st.Sum += v
	}
	st.Mean = st.Sum / float64(st.Count)
	return st, nil
}

// Round rounds req.Value to req.Places decimal places (0..15).
func (s *Service) Round(ctx context.Context, req RoundRequest) (float64, error) {
	if req.Places < 0 || req.Places > 15 {
		return 0, invalid("round: places must be in 0..15, got %d", req.Places)
	}
	p := math.Pow(10, float64(req.Places))
	return math.Round(req.Value*p) / p, nil
}

// ReverseBytes returns data reversed.
func (s *Service) ReverseBytes(ctx context.Context, data []byte) ([]byte, error) {
	out := slices.Clone(data)
	slices.Reverse(out)
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// Whoami returns the caller's session ID, as the router disclosed it.
func (s *Service) Whoami(ctx context.Context) (uint64, error) {
	inv, ok := runtime.InvocationFromContext(ctx)
	if !ok || inv.Caller == 0 {
		return 0, runtime.NewError(wamp.ErrOptionNotAllowed, "whoami: the router did not disclose the caller")
	}
	return uint64(inv.Caller), nil
}

// Sleep sleeps ms milliseconds (0..60000) and returns ms, or stops at once
// when ctx ends (the runtime answers wamp.error.canceled or
// wamp.error.timeout).
func (s *Service) Sleep(ctx context.Context, ms int) (int, error) {
	if ms < 0 || ms > 60000 {
		return 0, invalid("sleep: ms must be in 0..60000, got %d", ms)
	}
	s.active.Add(1)
	defer s.active.Add(-1)
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return ms, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Active returns how many Sleep calls are running.
func (s *Service) Active(ctx context.Context) (int, error) { return int(s.active.Load()), nil }
