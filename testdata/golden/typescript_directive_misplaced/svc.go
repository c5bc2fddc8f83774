// Package tsdirectivemisplaced misplaces its //wampgen:typescript
// directives: on a declaration, twice, with a bad directory, with an
// unknown key.
//
//wampgen:typescript dir=out
package tsdirectivemisplaced

import "context"

//wampgen:typescript dir=again

//wampgen:typescript dir=/abs/ts

//wampgen:typescript path=ts

// Svc is a service whose doc holds the directive meant for the package.
//
//wampgen:typescript dir=web
//wampgen:service prefix=com.example.tsdirectivemisplaced
type Svc interface {
	Ping(ctx context.Context) error
}
