// Package topicskwargs publishes a struct parameter as keyword arguments.
package topicskwargs

import "context"

// Order travels as ArgumentsKw under its json names.
type Order struct {
	ID    string   `json:"id"`
	Total float64  `json:"total"`
	Note  *string  `json:"note"`
	Tags  []string `json:"tags,omitempty"`
}

// Shop announces orders.
//
//wampgen:topics prefix=com.example.shop
type Shop interface {
	// Ordered carries the order's fields as keyword arguments.
	//
	//wampgen:topic kwargs=true
	Ordered(ctx context.Context, o Order) error
	// Positional carries the order as one positional argument, for
	// contrast.
	//
	//wampgen:topic kwargs=false
	Positional(ctx context.Context, o Order) error
}
