// Package duplicatedirective gives one declaration two directives of the
// same name.
package duplicatedirective

import "context"

// Svc has two service directives.
//
//wampgen:service prefix=com.example.a
//wampgen:service prefix=com.example.b
type Svc interface {
	//wampgen:procedure invoke=first
	//wampgen:procedure match=exact
	Get(ctx context.Context) error
}
