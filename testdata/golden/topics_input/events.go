// Package topicsinput streams a topic's input, which an event cannot.
package topicsinput

import (
	"context"
	"iter"
)

// Events take sequences.
//
//wampgen:topics prefix=com.example.events
type Events interface {
	// Items takes an iter.Seq.
	Items(ctx context.Context, items iter.Seq[int]) error
	// Pairs takes an iter.Seq2.
	Pairs(ctx context.Context, kv iter.Seq2[string, int]) error
}
