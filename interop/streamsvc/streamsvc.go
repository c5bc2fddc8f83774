// Package streamsvc is the interop suite's streaming service: a procedure
// whose result is an iter.Seq2 (progressive results, one item each), so
// that the suite can hold the generated TypeScript (callStream, and its
// registrar serving an Iterable) to the Go runtime's stream form, both
// ways. It is only for tests.
//
//wampgen:typescript dir=.
package streamsvc

//go:generate go run github.com/wampgen/wampgen/cmd/wampgen

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Counter counts, in realm realm1.
//
//wampgen:service prefix=com.example.interop.stream
type Counter interface {
	// Count yields from, from+1, …, from+n-1, n in 0..1000, each as one
	// progressive result; it fails with ErrUnlucky instead of yielding 13.
	Count(ctx context.Context, from int64, n int) (iter.Seq2[int64, error], error)
}

// ErrUnlucky is Count's answer when it would yield 13.
//
//wampgen:error uri=com.example.interop.stream.error.unlucky
var ErrUnlucky = errors.New("13 is unlucky")

// Service is the Go implementation of Counter.
type Service struct{}

// Count yields the numbers, stopping when ctx ends.
func (Service) Count(ctx context.Context, from int64, n int) (iter.Seq2[int64, error], error) {
	if n < 0 || n > 1000 {
		return nil, runtime.NewError(wamp.ErrInvalidArgument, fmt.Sprintf("count: n must be in 0..1000, got %d", n))
	}
	return func(yield func(int64, error) bool) {
		for i := range int64(n) {
			v := from + i
			if v == 13 {
				yield(0, ErrUnlucky)
				return
			}
			if ctx.Err() != nil || !yield(v, nil) {
				return
			}
		}
	}, nil
}
