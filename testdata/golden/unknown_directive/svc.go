// Package unknowndirective misspells a directive name.
package unknowndirective

import "context"

// Svc has a misspelled directive.
//
//wampgen:servce prefix=com.example.svc
type Svc interface {
	//wampgen:proc uri=com.example.svc.get
	Get(ctx context.Context) (int, error)
	// Put's directive is fine; it is not reported as stray although the
	// service directive above is misspelled.
	//
	//wampgen:procedure uri=com.example.svc.put
	Put(ctx context.Context) error
}

//wampgen:err uri=com.example.svc.error
var ErrX error
