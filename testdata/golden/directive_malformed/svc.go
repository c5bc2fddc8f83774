// Package directivemalformed writes directives in ways Go tools do not
// read as directives, or with arguments that are not key=value.
package directivemalformed

import "context"

// Spaced has a space after the slashes.
//
// wampgen:service prefix=com.example.spaced
type Spaced interface {
	// Get's directive is not reported as stray.
	//
	//wampgen:procedure invoke=first
	Get(ctx context.Context) error
}

// Block uses a block comment.
/*wampgen:service prefix=com.example.block*/
type Block interface {
	Get(ctx context.Context) error
}

// Words has arguments that are not key=value.
//
//wampgen:service com.example.words
type Words interface {
	//wampgen:procedure kwargs
	Get(ctx context.Context) error
	//wampgen:procedure =value
	Put(ctx context.Context) error
	//wampgen:procedure uri="com.example.unterminated
	Del(ctx context.Context) error
}

// Prose mentions wampgen: in a sentence, which is not a directive and
// is left alone.
type Prose interface {
	Get(ctx context.Context) error
}
