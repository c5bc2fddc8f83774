package gen_test

import (
	"strings"
	"testing"
)

// An alias of a type of an internal package (a common way for a library
// to export a type) is spelled by its own name: the service's package may
// import the alias's package but not the internal one.
func TestAliasOfInternalTypeSpelledByName(t *testing.T) {
	genCompile(t, map[string]string{
		"lib/internal/impl/impl.go": "package impl\n\ntype T struct{ N int }\n\ntype Box[V any] struct{ V V }\n",
		"lib/pub/pub.go":            "package pub\n\nimport \"example.com/m/lib/internal/impl\"\n\ntype T = impl.T\n\ntype Box[V any] = impl.Box[V]\n",
		"svc/svc.go": `package svc

import (
	"context"

	"example.com/m/lib/pub"
)

//wampgen:service prefix=com.example.svc
type Svc interface {
	Get(ctx context.Context, in pub.T) (pub.Box[pub.T], error)
}
`})
}

// An embedded field of an anonymous struct is named after its type: an
// alias must stay an alias, or the field (and the method's signature)
// changes.
func TestEmbeddedAliasFieldKeepsItsName(t *testing.T) {
	genCompile(t, map[string]string{"svc/svc.go": `package svc

import "context"

type Inner struct{ N int }

type Alias = Inner

//wampgen:service prefix=com.example.svc
type Svc interface {
	Put(ctx context.Context, v struct{ Alias }, p struct{ *Alias }) error
}
`})
}

// An alias in another package of an anonymous struct with an unexported
// field is spelled by its name: written out in the service's package, the
// field would belong to that package and the types would differ.
func TestForeignAliasOfStructWithUnexportedField(t *testing.T) {
	genCompile(t, map[string]string{
		"other/other.go": "package other\n\ntype A = struct {\n\tN int\n\tx int\n}\n",
		"svc/svc.go": `package svc

import (
	"context"

	"example.com/m/other"
)

//wampgen:service prefix=com.example.svc
type Svc interface {
	Put(ctx context.Context, a other.A) error
}
`})
}

// Types the service's package cannot name, reached through a method
// embedded from another package, are reported, not written into code that
// does not compile.
func TestUnspellableEmbeddedTypes(t *testing.T) {
	for _, c := range []struct{ name, other, want string }{
		{
			name:  "unexported alias of an internal type",
			other: "package other\n\nimport (\n\t\"context\"\n\n\t\"example.com/m/other/internal/impl\"\n)\n\ntype t = impl.T\n\ntype I interface {\n\tGet(ctx context.Context, x t) error\n}\n",
			want:  "type impl.T belongs to the internal package example.com/m/other/internal/impl, which package example.com/m/svc may not import",
		},
		{
			name:  "anonymous struct with an unexported field",
			other: "package other\n\nimport \"context\"\n\ntype I interface {\n\tGet(ctx context.Context, x struct{ N, y int }) error\n}\n",
			want:  "has the unexported field y of package example.com/m/other",
		},
		{
			name:  "embedded alias of an internal package",
			other: "package other\n\nimport (\n\t\"context\"\n\n\t\"example.com/m/other/internal/impl\"\n)\n\ntype I interface {\n\tGet(ctx context.Context, x struct{ impl.A }) error\n}\n",
			want:  "embeds the alias impl.A, which generated code in package example.com/m/svc cannot name",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := genCompileDiagnostics(t, map[string]string{
				"other/internal/impl/impl.go": "package impl\n\ntype T struct{ N int }\n\ntype A = T\n",
				"other/other.go":              c.other,
				"svc/svc.go":                  "package svc\n\nimport \"example.com/m/other\"\n\n//wampgen:service prefix=com.example.svc\ntype Svc interface {\n\tother.I\n}\n",
			})
			if !strings.Contains(got, "method Svc.Get (declared in package example.com/m/other)") || !strings.Contains(got, c.want) {
				t.Errorf("diagnostics:\n%s\nwant the method and %q", got, c.want)
			}
		})
	}
}
