// Package unsupportedtypes uses types that cannot travel in a WAMP
// payload.
package unsupportedtypes

import (
	"context"
	"unsafe"

	"github.com/wampgen/wampgen/testdata/golden/unsupported_types/other"
)

// Inner hides a channel in a struct.
type Inner struct {
	Name string
	C    chan int
}

// Svc has parameters and results of unsupported types.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	Chan(ctx context.Context, c chan int) error
	Func(ctx context.Context, f func()) error
	Complex(ctx context.Context) (complex128, error)
	IntKeys(ctx context.Context, m map[int]string) error
	Nested(ctx context.Context, in []Inner) error
	Iface(ctx context.Context, s interface{ String() string }) error
	Err(ctx context.Context) (error, error)
	Pointer(ctx context.Context, p unsafe.Pointer) error
	Uintptr(ctx context.Context) (uintptr, error)
	Progress(ctx context.Context, progress func(chan int) error) error
	Hidden(ctx context.Context, h other.Hidden) error
}
