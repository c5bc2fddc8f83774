// Package topicsusesgenerated uses, outside its tests, the identifiers
// wampgen generates for its topics: before the first run they do not
// exist, and wampgen must still load the package and generate them.
package topicsusesgenerated

import "context"

// Events are announced.
//
//wampgen:topics prefix=com.example.announce
type Events interface {
	Announced(ctx context.Context, s string) error
}
