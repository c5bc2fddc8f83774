// Package inputkwargs asks for keyword arguments on a streamed input.
package inputkwargs

import (
	"context"
	"iter"
)

// Point is a struct item.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Svc streams points as keyword arguments, which streamed input does not
// do.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	//wampgen:procedure kwargs=true
	Centroid(ctx context.Context, points iter.Seq[Point]) (Point, error)
}
