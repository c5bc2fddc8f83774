// Package wildcardwithouturi asks for wildcard matching on a derived URI.
package wildcardwithouturi

import "context"

// Svc has a wildcard procedure without a pattern.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	//wampgen:procedure match=wildcard
	Any(ctx context.Context) error
}
