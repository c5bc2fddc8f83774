// Package embeddedinterface embeds one interface (with its own procedure
// directive) in a service: the service's procedures include the embedded
// methods, after its own, and the embedded interface is no service itself.
package embeddedinterface

import "context"

// Base holds methods shared by services.
type Base interface {
	// Version returns the service version.
	Version(ctx context.Context) (string, error)
	// Health is checked by monitors.
	//
	//wampgen:procedure uri=com.example.health invoke=roundrobin
	Health(ctx context.Context) error
}

// Store stores values.
//
//wampgen:service prefix=com.example.store
type Store interface {
	Base
	Get(ctx context.Context, key string) (string, error)
	Put(ctx context.Context, key, value string) error
}
