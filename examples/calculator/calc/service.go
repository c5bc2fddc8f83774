package calc

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Service is the Go implementation of Calculator. Use it by pointer; the
// zero value serves and publishes nothing.
type Service struct {
	// Events gets a Computed event after every successful Add, Div and
	// Sqrt, before the call returns: the generated CalculatorEventsPublisher
	// in production (NewCalculatorEventsPublisher(sess)), a fake in tests;
	// nil publishes nothing. A failed publication does not fail the call: it
	// is logged.
	Events CalculatorEvents
	// Logger gets failed publications, at Warn at most once per 10 s with
	// the count since the last, the others at Debug (a caller must not be
	// able to flood the log); nil discards them.
	Logger *slog.Logger

	active   atomic.Int64 // Sleep calls running now
	failures failureLog
}

var _ Calculator = (*Service)(nil)

// publishTimeout bounds one publication. Publishing does not wait for the
// router (no acknowledge), only for the session's write, which is bounded
// too; this keeps a stuck connection from holding the call longer.
const publishTimeout = 10 * time.Second

// computed publishes the computation and returns its result. The
// publication outlives the call's context: the computation happened
// whether or not the caller still waits for its result (a cancelled call
// may arrive here once the result is computed), and subscribers are told
// of every one.
func (s *Service) computed(ctx context.Context, op string, args []float64, result float64) float64 {
	if s.Events == nil {
		return result
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	if err := s.Events.Computed(pctx, Computation{Op: op, Args: args, Result: result}); err != nil {
		s.failures.log(ctx, s.Logger, op, err)
	}
	return result
}

// failureLog rate-limits the log lines of failed publications.
type failureLog struct {
	mu      sync.Mutex
	last    time.Time // of the last line at Warn
	skipped int       // failures since then not logged at Warn
}

const failureLogEvery = 10 * time.Second

func (f *failureLog) log(ctx context.Context, log *slog.Logger, op string, err error) {
	if log == nil {
		return
	}
	f.mu.Lock()
	now := time.Now()
	if !f.last.IsZero() && now.Sub(f.last) < failureLogEvery {
		f.skipped++
		f.mu.Unlock()
		log.DebugContext(ctx, "calc: publishing a computation failed; the call succeeded",
			"topic", CalculatorEventsComputedTopic, "op", op, "error", err)
		return
	}
	skipped := f.skipped
	f.last, f.skipped = now, 0
	f.mu.Unlock()
	log.WarnContext(ctx, "calc: publishing a computation failed; the call succeeded",
		"topic", CalculatorEventsComputedTopic, "op", op, "error", err, "failures_not_logged_since_last", skipped)
}

func invalid(format string, args ...any) error {
	return runtime.NewError(wamp.ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// Add returns a+b, and publishes the computation.
func (s *Service) Add(ctx context.Context, a, b float64) (float64, error) {
	return s.computed(ctx, "add", []float64{a, b}, a+b), nil
}

// Div returns a/b, and publishes the computation; or ErrDivByZero, and
// publishes nothing.
func (s *Service) Div(ctx context.Context, a, b float64) (float64, error) {
	if b == 0 {
		return 0, ErrDivByZero
	}
	return s.computed(ctx, "div", []float64{a, b}, a/b), nil
}

// Sqrt returns √x, and publishes the computation; or a
// *NegativeInputError, and publishes nothing.
func (s *Service) Sqrt(ctx context.Context, x float64) (float64, error) {
	if x < 0 {
		return 0, &NegativeInputError{Input: x}
	}
	return s.computed(ctx, "sqrt", []float64{x}, math.Sqrt(x)), nil
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

// Sum returns the sum of xs. It publishes nothing: Computed is for add, div
// and sqrt.
func (s *Service) Sum(ctx context.Context, xs iter.Seq[float64]) (float64, error) {
	total := 0.0
	for x := range xs {
		total += x
	}
	return total, nil
}

// RunningSum yields the total after each number of xs; the last total is
// the call's final result.
func (s *Service) RunningSum(ctx context.Context, xs iter.Seq[float64]) (iter.Seq2[float64, error], error) {
	return func(yield func(float64, error) bool) {
		total := 0.0
		for x := range xs {
			total += x
			if !yield(total, nil) {
				return
			}
		}
	}, nil
}
