//go:build race

package interop

// Under go test -race, the calculator that the JavaScript peers talk to is
// built with the race detector too.
func init() { buildFlags = append(buildFlags, "-race") }
