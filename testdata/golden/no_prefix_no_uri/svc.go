// Package noprefixnouri has a service without a prefix: each method
// then needs its own uri.
package noprefixnouri

import "context"

// Svc has no prefix.
//
//wampgen:service
type Svc interface {
	//wampgen:procedure uri=com.example.svc.named
	Named(ctx context.Context) error
	Unnamed(ctx context.Context) error
}
