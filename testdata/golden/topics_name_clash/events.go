// Package topicsnameclash declares identifiers that wampgen would
// generate for its topics interfaces.
package topicsnameclash

import "context"

// EventsPublisher is the user's own.
type EventsPublisher struct{}

// Events clash with EventsPublisher.
//
//wampgen:topics prefix=com.example.events
type Events interface {
	Happened(ctx context.Context) error
}

// A and AB would both declare SubscribeABC: A's topic BC, and AB's
// subscribe function for its topic C.
//
//wampgen:topics prefix=com.example.a
type A interface {
	BC(ctx context.Context) error
}

// AB is the other half of the clash.
//
//wampgen:topics prefix=com.example.ab
type AB interface {
	C(ctx context.Context) error
}
