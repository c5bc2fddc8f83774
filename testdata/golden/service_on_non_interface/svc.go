// Package serviceonnoninterface annotates types that are not
// interfaces.
package serviceonnoninterface

import "context"

// Impl is a struct.
//
//wampgen:service prefix=com.example.impl
type Impl struct{}

// Get is a method of Impl.
func (Impl) Get(ctx context.Context) (int, error) { return 0, nil }

// Iface is an interface.
type Iface interface {
	Get(ctx context.Context) (int, error)
}

// Alias aliases an interface: annotate the interface itself.
//
//wampgen:service prefix=com.example.alias
type Alias = Iface

// Func is a function type.
//
//wampgen:service prefix=com.example.func
type Func func(ctx context.Context) error
