package gen_test

import (
	"errors"
	"testing"

	"github.com/wampgen/wampgen/gen"
)

// genCompileModule creates a module (example.com/m) from files, generates
// code for all its packages and writes it; it fails the test on
// diagnostics or errors, and returns the module's directory.
func genCompileModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := newModule(t, files)
	if err := generateIn(t, dir).Write(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// genCompileDiagnostics creates a module from files, generates code for all
// its packages and returns the diagnostics, formatted; it fails the test
// when there are none.
func genCompileDiagnostics(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := newModule(t, files)
	_, err := gen.Generate(gen.Config{Dir: dir, Patterns: []string{"./..."}})
	d, ok := errors.AsType[gen.Diagnostics](err)
	if !ok {
		t.Fatalf("Generate = %v, want diagnostics", err)
	}
	return d.Format(dir)
}

// genCompile generates code for the module made of files and checks that
// it compiles.
func genCompile(t *testing.T, files map[string]string) {
	t.Helper()
	vetModule(t, genCompileModule(t, files), "GOFLAGS=-mod=mod")
}

// The locals of a handler with streamed input (impl, ctx, inv, err,
// inputErr, ierr, seq, res) must not hide a type of the package that the
// item or result type names.
func TestStreamedInputLocalsAvoidPackageTypes(t *testing.T) {
	genCompile(t, map[string]string{"svc/svc.go": `package svc

import (
	"context"
	"iter"
)

type inputErr struct{ N int }
type ierr []int
type seq struct{ S string }
type res map[string]int
type inv struct{ N int }

//wampgen:service prefix=com.example.svc
type Svc interface {
	Sum(ctx context.Context, xs iter.Seq[inputErr]) (ierr, error)
	Feed(ctx context.Context, in iter.Seq[seq]) (iter.Seq2[res, error], error)
	Drain(ctx context.Context, i iter.Seq[inv]) error
}
`})
}

// The handler's locals (impl, ctx, inv, err, vals) must not hide a type of
// the package that a parameter's type names.
func TestLocalsAvoidPackageTypes(t *testing.T) {
	genCompile(t, map[string]string{"svc/svc.go": `package svc

import "context"

type vals []int
type inv struct{ N int }
type impl struct{ N int }
type err struct{ N int }

//wampgen:service prefix=com.example.svc
type Svc interface {
	Sum(ctx context.Context, v vals, i inv) (int, error)
	Do(ctx context.Context, i impl) (err, error)
}
`})
}

// The handler's locals must not hide an import named like one of them.
func TestLocalsAvoidImports(t *testing.T) {
	genCompile(t, map[string]string{
		"vals/vals.go": "package vals\n\ntype T struct{ N int }\n",
		"inv/inv.go":   "package inv\n\ntype T struct{ N int }\n",
		"svc/svc.go": `package svc

import (
	"context"

	"example.com/m/inv"
	"example.com/m/vals"
)

//wampgen:service prefix=com.example.svc
type Svc interface {
	Put(ctx context.Context, v vals.T) (inv.T, error)
}
`})
}

// The client's receiver c must not hide a package type named c, nor
// NewSvcClient's and RegisterSvc's parameters types named like them.
func TestReceiverAvoidsPackageType(t *testing.T) {
	genCompile(t, map[string]string{"svc/svc.go": `package svc

import "context"

type c struct{ N int }
type caller struct{ N int }
type opts struct{ N int }
type callee struct{ N int }

//wampgen:service prefix=com.example.svc
type Svc interface {
	Get(ctx context.Context, a caller, b opts, d callee) (c, error)
}
`})
}

// The client's receiver c must not hide an import named c.
func TestReceiverAvoidsImport(t *testing.T) {
	genCompile(t, map[string]string{
		"c/c.go": "package c\n\ntype T struct{ N int }\n",
		"svc/svc.go": `package svc

import (
	"context"

	"example.com/m/c"
)

//wampgen:service prefix=com.example.svc
type Svc interface {
	Get(ctx context.Context) (c.T, error)
	Put(ctx context.Context, v c.T) (c.T, c.T, error)
}
`})
}

// A method may be named like a field of the generated client (caller,
// opts, or the <method>Opts field of a method with call options): a field
// and a method of one type cannot share a name.
func TestMethodNamedLikeClientField(t *testing.T) {
	genCompile(t, map[string]string{"svc/svc.go": `package svc

import "context"

//wampgen:service prefix=com.example.svc
type Svc interface {
	caller(ctx context.Context) (string, error)
	opts(ctx context.Context) error
	//wampgen:procedure disclose_caller=true
	Add(ctx context.Context, a, b int) (int, error)
	addOpts(ctx context.Context) error
}
`})
}

// A topic method may be named like a field of the generated publisher
// (pub, opts, or the <method>Opts field of a topic with publish options).
func TestTopicNamedLikePublisherField(t *testing.T) {
	genCompile(t, map[string]string{"svc/svc.go": `package svc

import "context"

//wampgen:topics prefix=com.example.svc
type Events interface {
	pub(ctx context.Context) error
	opts(ctx context.Context) error
	//wampgen:topic acknowledge=true
	Acked(ctx context.Context, n int) error
	ackedOpts(ctx context.Context) error
}
`})
}

// A streamed input spelled through an alias of iter.Seq is one: the
// generated signatures spell iter.Seq, the same type.
func TestStreamedInputThroughAlias(t *testing.T) {
	genCompile(t, map[string]string{"svc/svc.go": `package svc

import (
	"context"
	"iter"
)

type Floats = iter.Seq[float64]
type Seq[T any] = iter.Seq[T]

//wampgen:service prefix=com.example.svc
type Svc interface {
	Sum(ctx context.Context, xs Floats) (float64, error)
	Echo(ctx context.Context, xs Seq[string]) (iter.Seq2[string, error], error)
}
`})
}
