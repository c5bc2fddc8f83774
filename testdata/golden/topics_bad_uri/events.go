// Package topicsbaduri gives topics invalid URIs.
package topicsbaduri

import "context"

// Events have a reserved prefix.
//
//wampgen:topics prefix=wamp.example
type Events interface {
	Reserved(ctx context.Context) error
}

// Others have bad method URIs.
//
//wampgen:topics prefix=com.example.others
type Others interface {
	//wampgen:topic uri=com.Example.upper
	Upper(ctx context.Context) error
	//wampgen:topic uri=com.example.with-dash
	Dash(ctx context.Context) error
	//wampgen:topic uri=com.example..empty
	EmptyComponent(ctx context.Context) error
}

// BadPrefix has an invalid prefix.
//
//wampgen:topics prefix=com.example.
type BadPrefix interface {
	Thing(ctx context.Context) error
}
