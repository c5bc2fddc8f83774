package multiplefiles

import "context"

// B is the second service; it uses a type from c.go.
//
//wampgen:service prefix=com.example.b
type B interface {
	Do(ctx context.Context, in Input) (int, error)
}
