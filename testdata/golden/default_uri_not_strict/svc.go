// Package svc has a method whose name gives no strict URI.
package svc

import "context"

// Sizes derives URIs from its method names.
//
//wampgen:service prefix=com.example.sizes
type Sizes interface {
	Größe(ctx context.Context) (int, error)
}
