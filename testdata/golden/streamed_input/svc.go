// Package streamedinput streams a call's input: client streaming (with
// one result or none) and bidirectional calls, next to a unary one.
package streamedinput

import (
	"context"
	"iter"
	"time"
)

// Sample is a struct item: a time, bytes and a map travel exactly.
type Sample struct {
	Sensor string            `json:"sensor"`
	At     time.Time         `json:"at"`
	Raw    []byte            `json:"raw"`
	Tags   map[string]string `json:"tags,omitempty"`
}

// Stats aggregates what its callers stream.
//
//wampgen:service prefix=com.example.stats
type Stats interface {
	// Sum adds the numbers: client streaming, one result.
	Sum(ctx context.Context, xs iter.Seq[float64]) (float64, error)
	// Store keeps the samples: client streaming, no result.
	Store(ctx context.Context, samples iter.Seq[Sample]) error
	// Concat joins byte chunks.
	Concat(ctx context.Context, chunks iter.Seq[[]byte]) ([]byte, error)
	// RunningSum yields the total after each number: bidirectional.
	RunningSum(ctx context.Context, xs iter.Seq[float64]) (iter.Seq2[float64, error], error)
	// Add is unary.
	Add(ctx context.Context, a, b float64) (float64, error)
}
