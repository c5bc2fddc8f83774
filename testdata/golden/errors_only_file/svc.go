// Package errorsonlyfile has a file with a service and a file with only
// errors: each gets its own output, and the errors-only output registers
// the errors and nothing else.
package errorsonlyfile

import "context"

// Files reads files.
//
//wampgen:service prefix=com.example.files
type Files interface {
	Read(ctx context.Context, name string) ([]byte, error)
}
