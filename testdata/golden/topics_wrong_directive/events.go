// Package topicswrongdirective puts topic and procedure directives where
// they do not belong.
package topicswrongdirective

import "context"

// Svc is a service with a topic directive on a method.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	//wampgen:topic acknowledge=true
	Get(ctx context.Context) (string, error)
}

// Events are topics with a procedure directive on a method.
//
//wampgen:topics prefix=com.example.events
type Events interface {
	//wampgen:procedure invoke=roundrobin
	Happened(ctx context.Context) error
}

// Plain is not annotated, but its method is.
type Plain interface {
	//wampgen:topic uri=com.example.plain
	Thing(ctx context.Context) error
}

// Both is a service and a topics interface at once.
//
//wampgen:service prefix=com.example.both
//wampgen:topics prefix=com.example.both
type Both interface {
	Thing(ctx context.Context) error
}

// NotAnInterface is a struct.
//
//wampgen:topics prefix=com.example.struct
type NotAnInterface struct{}

// Misplaced is a topics directive on a variable.
//
//wampgen:topics prefix=com.example.var
var Misplaced = 1
