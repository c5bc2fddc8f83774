// Package topicsnoprefix has a topics interface without prefix, where
// only some methods have a uri=.
package topicsnoprefix

import "context"

// Events have no prefix.
//
//wampgen:topics
type Events interface {
	//wampgen:topic uri=com.example.given
	Given(ctx context.Context) error
	Missing(ctx context.Context) error
}
