// Package topicskwargsnotstruct asks for keyword arguments from methods
// that have no one struct to give them.
package topicskwargsnotstruct

import (
	"context"
	"time"
)

// Req is a struct.
type Req struct {
	A int `json:"a"`
}

// Events get kwargs=true wrong.
//
//wampgen:topics prefix=com.example.kw
type Events interface {
	//wampgen:topic kwargs=true
	None(ctx context.Context) error
	//wampgen:topic kwargs=true
	Two(ctx context.Context, a, b Req) error
	//wampgen:topic kwargs=true
	Pointer(ctx context.Context, r *Req) error
	//wampgen:topic kwargs=true
	Scalar(ctx context.Context, n int) error
	//wampgen:topic kwargs=true
	Time(ctx context.Context, t time.Time) error
}
