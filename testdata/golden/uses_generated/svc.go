// Package uses_generated uses, outside its tests, the identifiers wampgen
// generates for it: before the first run they do not exist, and wampgen
// must still load the package and generate them.
package usesgenerated

import "context"

// Echo echoes.
//
//wampgen:service prefix=com.example.echo
type Echo interface {
	Echo(ctx context.Context, s string) (string, error)
}
