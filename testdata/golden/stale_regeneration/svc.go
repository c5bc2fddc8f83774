// Package staleregeneration holds outputs of an earlier run that no longer
// compile: svc_wamp.go refers to a method the interface lost, and
// gone_wamp.go to a source file that no longer exists. wampgen still loads
// the package (it ignores its own files), regenerates svc_wamp.go and
// removes gone_wamp.go.
package staleregeneration

import "context"

// Svc lost its method Old and gained New.
//
//wampgen:service prefix=com.example.stale
type Svc interface {
	New(ctx context.Context, n int) (int, error)
}
