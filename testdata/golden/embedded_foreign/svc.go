// Package embedded_foreign embeds an interface of another package whose
// methods do not have the shape of procedures: the problems are reported
// at the service, since the methods are declared elsewhere.
package embeddedforeign

import (
	"context"
	"io"
)

// Svc embeds io.Closer, whose Close has no context.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	io.Closer
	Get(ctx context.Context) (int, error)
}
