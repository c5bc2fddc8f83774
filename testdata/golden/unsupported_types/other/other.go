// Package other has an exported alias of an unexported type.
package other

type hidden struct{ N int }

// Hidden lets other packages name the unexported type hidden.
type Hidden = hidden
