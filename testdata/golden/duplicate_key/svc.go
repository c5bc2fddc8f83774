// Package duplicatekey gives a key twice.
package duplicatekey

import "context"

// Svc has duplicate keys.
//
//wampgen:service prefix=com.example.a prefix=com.example.b
type Svc interface {
	//wampgen:procedure invoke=single match=exact invoke=random
	Get(ctx context.Context) (int, error)
}
