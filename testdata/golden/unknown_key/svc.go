// Package unknownkey uses keys the directives do not have.
package unknownkey

import (
	"context"
	"errors"
)

// Svc has an unknown key on each directive.
//
//wampgen:service prefix=com.example.svc realm=realm1
type Svc interface {
	//wampgen:procedure url=com.example.svc.get
	Get(ctx context.Context) (int, error)
	//wampgen:procedure timeout=100
	Put(ctx context.Context) error
	// Del is still checked: the service directive's prefix is fine.
	//
	//wampgen:procedure invoke=roundrobin
	Del(n int) error
}

//wampgen:error uri=com.example.svc.error.x code=3
var ErrX = errors.New("x")
