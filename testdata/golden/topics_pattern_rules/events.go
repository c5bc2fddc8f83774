// Package topicspatternrules breaks the rules of pattern topics, which are
// those of pattern procedures.
package topicspatternrules

import "context"

// Events are pattern topics gone wrong.
//
//wampgen:topics prefix=com.example.pattern
type Events interface {
	// WildDefault has no uri=, and a default URI has no empty component.
	//
	//wampgen:topic match=wildcard
	WildDefault(ctx context.Context) error
	// ExactEmpty has an empty component but no wildcard match.
	//
	//wampgen:topic uri=com.example..exact
	ExactEmpty(ctx context.Context) error
	// PrefixEmpty has an empty component, which a prefix may not.
	//
	//wampgen:topic uri=com.example..x match=prefix
	PrefixEmpty(ctx context.Context) error
}
