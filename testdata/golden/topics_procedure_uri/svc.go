// Package topicsprocedureuri gives a topic the URI of a procedure of the
// same package: WAMP keeps the two apart, wampgen does not let one URI
// name both.
package topicsprocedureuri

import "context"

// Store stores.
//
//wampgen:service prefix=com.example.store
type Store interface {
	Put(ctx context.Context, key, value string) error
	Get(ctx context.Context, key string) (string, error)
}

// StoreEvents are the store's events: Put's default URI is the
// procedure's, Changed's explicit one is Get's.
//
//wampgen:topics prefix=com.example.store
type StoreEvents interface {
	Put(ctx context.Context, key string) error
	//wampgen:topic uri=com.example.store.get
	Changed(ctx context.Context, key string) error
	// Deleted is fine.
	Deleted(ctx context.Context, key string) error
}
