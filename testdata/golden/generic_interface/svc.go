// Package genericinterface annotates a generic interface.
package genericinterface

import "context"

// Store is generic.
//
//wampgen:service prefix=com.example.store
type Store[T any] interface {
	Get(ctx context.Context, key string) (T, error)
}
