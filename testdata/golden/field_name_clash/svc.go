// Package fieldnameclash has structs with two fields that travel under one
// name at the same depth, so that one of them would be silently lost, and
// structs where a shallower field shadows a deeper one, Go's ordinary rule,
// which is no diagnostic.
package fieldnameclash

import "context"

// Tagged gives two fields the same json name.
type Tagged struct {
	A int `json:"x"`
	B int `json:"x"`
}

// TagAndName tags one field with the other's name.
type TagAndName struct {
	Name  string
	Label string `json:"Name"`
}

// Left is embedded beside Right.
type Left struct{ ID int }

// Right is embedded beside Left.
type Right struct{ ID int }

// Both inlines two ID fields at the same depth.
type Both struct {
	Left
	Right
}

// Shadowed overrides the embedded ID with its own: that is Go's rule, and
// ID travels once, from Shadowed.
type Shadowed struct {
	Left
	Right
	ID string `json:"ID"`
}

// Codec names a field with its codec tag, which comes before its json tag.
type Codec struct {
	A int `codec:"v" json:"a"`
	B int `json:"v"`
}

// Svc takes and returns them.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	Tagged(ctx context.Context, t Tagged) error
	TagAndName(ctx context.Context) (TagAndName, error)
	Both(ctx context.Context, b []Both) error
	Shadowed(ctx context.Context, s Shadowed) error
	Codec(ctx context.Context, c map[string]Codec) error
	//wampgen:procedure kwargs=true
	Kwargs(ctx context.Context, t Tagged) error
	Anonymous(ctx context.Context, a struct {
		A int `json:"a"`
		B int `json:"a"`
	}) error
}
