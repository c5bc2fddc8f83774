package gen

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/wampgen/wampgen/wamp"
)

// The fuzz targets here feed the generator packages it was never meant to
// see: random directive text on a service and its methods, and random
// declarations after a package clause. The property is that the generator
// never panics, and that it answers each input the way Generate would:
// compile errors, or diagnostics each with a position in the input and a
// message, or files that are valid Go and type-check together with the
// input (the generated code compiles whenever wampgen accepts a package).
//
// The inputs are parsed and type-checked in memory, with the export data
// of a fixed set of packages, so that one input takes a millisecond rather
// than the go command's second; generatePackage, which Generate runs for
// each package it loads, does the rest.

// fuzzImports are the packages a fuzz input may import.
var fuzzImports = []string{
	"context", "errors", "fmt", "io", "iter", "net", "time", "encoding/json",
	"github.com/wampgen/wampgen/runtime", "github.com/wampgen/wampgen/wamp",
}

var fuzzEnv struct {
	once sync.Once
	err  error
	dir  string // a real directory, for file names
	fset *token.FileSet
	pkgs map[string]*types.Package
}

// fuzzSetup loads the export data of fuzzImports once per process.
func fuzzSetup(t testing.TB) {
	t.Helper()
	fuzzEnv.once.Do(func() {
		fuzzEnv.fset = token.NewFileSet()
		fuzzEnv.dir, fuzzEnv.err = os.Getwd()
		if fuzzEnv.err != nil {
			return
		}
		// Export data only, for the roots: go/packages shares the
		// dependencies among them, so that context.Context in the
		// runtime's signatures is the context.Context of the input.
		cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes, Fset: fuzzEnv.fset}
		var roots []*packages.Package
		roots, fuzzEnv.err = packages.Load(cfg, fuzzImports...)
		if fuzzEnv.err != nil {
			return
		}
		fuzzEnv.pkgs = map[string]*types.Package{"unsafe": types.Unsafe}
		for _, p := range roots {
			if len(p.Errors) > 0 && fuzzEnv.err == nil {
				fuzzEnv.err = fmt.Errorf("loading %s: %v", p.PkgPath, p.Errors[0])
			}
			fuzzEnv.pkgs[p.PkgPath] = p.Types
		}
	})
	if fuzzEnv.err != nil {
		t.Fatal(fuzzEnv.err)
	}
}

type fuzzImporter struct{}

func (fuzzImporter) Import(path string) (*types.Package, error) {
	if p := fuzzEnv.pkgs[path]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("package %s is not available to fuzz inputs", path)
}

// fuzzPackagePath is the import path of every fuzz input.
const fuzzPackagePath = "example.com/fuzz/svc"

// fuzzLoad parses and type-checks src as the only file of a package, as
// go/packages would give it to the builder; ok is false when src is not Go
// at all (go/packages would fail the same way, before wampgen).
func fuzzLoad(src string) (l loaded, files []*ast.File, ok bool) {
	name := filepath.Join(fuzzEnv.dir, "svc.go") // no such file: only its name is used
	f, err := parser.ParseFile(fuzzEnv.fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil || f.Name == nil || f.Name.Name == "_" {
		return l, nil, false
	}
	pkg := &packages.Package{
		ID: fuzzPackagePath, Name: f.Name.Name, PkgPath: fuzzPackagePath,
		GoFiles: []string{name}, CompiledGoFiles: []string{name},
		Syntax: []*ast.File{f}, Fset: fuzzEnv.fset,
		TypesInfo: &types.Info{
			Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{},
			Implicits: map[ast.Node]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{},
			Scopes: map[ast.Node]*types.Scope{}, Instances: map[*ast.Ident]types.Instance{},
		},
	}
	conf := types.Config{Importer: fuzzImporter{}, Error: func(err error) {
		var te types.Error
		if errors.As(err, &te) {
			pkg.Errors = append(pkg.Errors, packages.Error{Pos: te.Fset.Position(te.Pos).String(), Msg: te.Msg, Kind: packages.TypeError})
		}
	}}
	pkg.Types, _ = conf.Check(fuzzPackagePath, fuzzEnv.fset, pkg.Syntax, pkg.TypesInfo)
	return loaded{pkg: pkg, generated: map[string]bool{}}, pkg.Syntax, true
}

// fuzzGenerate runs the generator on src and checks its answer.
func fuzzGenerate(t *testing.T, src string) {
	l, syntax, ok := fuzzLoad(src)
	if !ok {
		return
	}
	defer func() {
		// The input's file stays in the shared file set otherwise.
		for _, f := range syntax {
			fuzzEnv.fset.RemoveFile(fuzzEnv.fset.File(f.Package))
		}
	}()
	var out packageOutput
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("the generator panicked: %v\ninput:\n%s", p, src)
			}
		}()
		out, err = generatePackage(buildPackage(l), nil)
	}()
	if err != nil {
		// Emit failed on a package the builder accepted: the generator
		// made code it cannot even format.
		t.Fatalf("the generator accepted the input but failed: %v\ninput:\n%s", err, src)
	}
	for _, d := range append(out.compile, out.diags...) {
		if d.Message == "" {
			t.Fatalf("a diagnostic without a message at %v\ninput:\n%s", d.Pos, src)
		}
	}
	if len(out.diags) > 0 {
		for _, d := range out.diags {
			if !d.Pos.IsValid() || d.Pos.Filename != l.pkg.GoFiles[0] {
				t.Fatalf("diagnostic %q is not positioned in the input\ninput:\n%s", d, src)
			}
		}
		if len(out.files) > 0 {
			t.Fatalf("diagnostics and files at once\ninput:\n%s", src)
		}
	}
	if len(out.compile) > 0 || len(out.diags) > 0 {
		return
	}
	// Accepted: every URI is one a router takes, the concrete ones strict
	// ("URIs are checked against the WAMP strict rules").
	model := newBuilder(l).build()
	for _, f := range model.Files {
		for _, s := range f.Services {
			for _, m := range s.Methods {
				if err := wamp.ValidateApplicationURI(wamp.URI(m.URI), wamp.Strict, string(m.Match)); err != nil {
					t.Fatalf("accepted method %s.%s with URI %q: %v\ninput:\n%s", s.Name, m.Name, m.URI, err, src)
				}
			}
		}
		for _, e := range f.Errors {
			if err := wamp.ValidateApplicationURI(wamp.URI(e.URI), wamp.Strict, wamp.MatchExact); err != nil {
				t.Fatalf("accepted error %s with URI %q: %v\ninput:\n%s", e.Name, e.URI, err, src)
			}
		}
	}
	// Accepted: the generated files must type-check with the input. With
	// none (no directive), there is nothing to check: an input without
	// directives that does not compile (type A A) is not wampgen's to
	// report.
	if len(out.files) == 0 {
		return
	}
	files := append([]*ast.File(nil), syntax...)
	for _, o := range out.files {
		if filepath.Ext(o.Path) != ".go" {
			continue // TypeScript (a //wampgen:typescript directive): compiled by TestGoldenTypeScriptCompiles
		}
		f, err := parser.ParseFile(fuzzEnv.fset, o.Path, o.Content, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("generated %s does not parse: %v\ninput:\n%s\noutput:\n%s", filepath.Base(o.Path), err, src, o.Content)
		}
		defer fuzzEnv.fset.RemoveFile(fuzzEnv.fset.File(f.Package))
		files = append(files, f)
	}
	var errs []string
	conf := types.Config{Importer: fuzzImporter{}, Error: func(err error) { errs = append(errs, err.Error()) }}
	conf.Check(fuzzPackagePath, fuzzEnv.fset, files, nil)
	if len(errs) > 0 {
		var outputs []string
		for _, o := range out.files {
			outputs = append(outputs, string(o.Content))
		}
		t.Fatalf("the generated code does not compile:\n%s\ninput:\n%s\noutput:\n%s", strings.Join(errs, "\n"), src, strings.Join(outputs, "\n"))
	}
}

// fuzzDirectiveTemplate is a valid service whose directives the fuzzer
// replaces.
const fuzzDirectiveTemplate = `package svc

import "context"

// E is an error.
//
//wampgen:%s
var E = fmt.Errorf("e")

// S is a service.
//
//wampgen:%s
type S interface {
	// M is a method.
	//
	//wampgen:%s
	M(ctx context.Context, a int, s string) (int, error)
	N(ctx context.Context, req Req) error
}

// Req is a request.
type Req struct {
	A int ` + "`json:\"a\"`" + `
}
`

// FuzzDirectives puts random text into the //wampgen: directives of a
// service, a method and an error.
func FuzzDirectives(f *testing.F) {
	for _, seed := range [][3]string{
		{"error uri=com.example.e", "service prefix=com.example.s", "procedure uri=com.example.s.m"},
		{"error", "service", "procedure"},
		{"error uri=", "service prefix=", "procedure kwargs=true"},
		{"error uri=wamp.x", "service prefix=com.Example", "procedure match=wildcard uri=com..m"},
		{`error "uri=com.example.quoted"`, `service prefix="com.example.s"`, `procedure uri="com.example.s.m" cancel=kill`},
		{"eror uri=x", "servce prefix=com.example.s", "proc invoke=roundrobin invoke=first"},
		{"error uri=com.example.e extra", "service prefix=com.example.s prefix=com.example.t", "procedure disclose_caller=yes match=prefix uri=com.example."},
		{"error uri=com.example.\x00", "service prefix=com.example.é", "procedure uri=com.example.s.m\tkwargs=false"},
		{"error uri=com.example.s.m", "service prefix=com.example.s", "procedure uri=com.example.s.n"},
		{"", " ", "procedure " + strings.Repeat("a=b ", 50)},
		{"error uri=com.example.e", "topics prefix=com.example.s", "topic uri=com.example.s.m acknowledge=true exclude_me=false"},
		{"error uri=com.example.e", "service prefix=com.example.s", "topic match=prefix disclose_publisher=true"},
		{"error uri=com.example.e", "topics prefix=com.example.s", "procedure invoke=first"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	fuzzSetup(f) // before fuzzing: a worker's first input must not take seconds
	f.Fuzz(func(t *testing.T, errDir, svcDir, procDir string) {
		fuzzSetup(t)
		for _, d := range []string{errDir, svcDir, procDir} {
			if strings.ContainsAny(d, "\n\r") {
				return // a directive is one line
			}
		}
		src := fmt.Sprintf(fuzzDirectiveTemplate, errDir, svcDir, procDir)
		src = strings.Replace(src, `import "context"`, "import (\n\t\"context\"\n\t\"fmt\"\n)", 1)
		fuzzGenerate(t, src)
	})
}

// FuzzDeclarations generates from a random package: the seeds are the
// inputs of the golden cases and shapes the generator must refuse, and the
// fuzzer mutates them.
func FuzzDeclarations(f *testing.F) {
	// Every single-file golden case, with its package clause.
	cases, _ := filepath.Glob("../testdata/golden/*/svc.go")
	topics, _ := filepath.Glob("../testdata/golden/topics_*/events.go")
	cases = append(cases, topics...)
	for _, c := range cases {
		if src, err := os.ReadFile(c); err == nil && !strings.Contains(string(src), "/golden/") {
			f.Add(string(src))
		}
	}
	for _, src := range []string{
		"package svc\n",
		"package svc\n\n//wampgen:service prefix=com.example.s\ntype S interface{}\n",
		"package svc\n\nimport \"context\"\n\n//wampgen:service prefix=com.example.s\ntype S[T any] interface {\n\tGet(ctx context.Context, v T) (T, error)\n}\n",
		"package svc\n\nimport \"context\"\n\ntype Base[T any] interface {\n\tGet(ctx context.Context, v T) (T, error)\n}\n\n//wampgen:service prefix=com.example.s\ntype S interface {\n\tBase[int]\n\tPut(ctx context.Context, v []Base[string]) error\n}\n",
		"package svc\n\nimport \"context\"\n\ntype Node struct {\n\tKids []Node\n\tNext *Node\n\tM map[string]Node\n}\n\ntype Tree map[string]Tree\n\n//wampgen:service prefix=com.example.s\ntype S interface {\n\tWalk(ctx context.Context, n Node, t Tree) (Node, Tree, error)\n}\n",
		"package svc\n\nimport (\n\t\"context\"\n\t\"iter\"\n)\n\n//wampgen:service prefix=com.example.s\ntype S interface {\n\tA(ctx context.Context, n int, progress func(int) error) (int, error)\n\tB(ctx context.Context) (iter.Seq2[string, error], error)\n\t//wampgen:procedure kwargs=true\n\tC(ctx context.Context, r struct{ X int }) error\n}\n",
		"package svc\n\nimport \"context\"\n\n//wampgen:service prefix=com.example.s\ntype S interface {\n\tGetURL(ctx context.Context) error\n\tGetUrl(ctx context.Context) error\n\tNewSClient(ctx context.Context) error\n}\n\nvar SGetURLProcedure = 1\n",
		"package svc\n\nimport \"context\"\n\n//wampgen:service prefix=com.example.s\ntype S interface {\n\tM(ctx context.Context, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z int) (int, int, int, error)\n}\n",
		"package svc\n\nimport (\n\t\"context\"\n\t\"time\"\n\t\"unsafe\"\n)\n\ntype runtime int\ntype wamp = string\n\n//wampgen:service prefix=com.example.s\ntype S interface {\n\tM(ctx context.Context, r runtime, w wamp, t time.Time, p unsafe.Pointer) (chan int, error)\n}\n",
		"package svc\n\nimport \"context\"\n\n//wampgen:service prefix=com.example.s\ntype S interface {\n\tM(ctx context.Context) error\n}\n\n//wampgen:service prefix=com.example.s\ntype T interface {\n\tM(ctx context.Context) error\n\tUndefined(ctx context.Context, x Missing) error\n}\n\nvar _ = NewSClient\n",
		"package svc\n\nimport \"context\"\n\n//wampgen:error uri=com.example.e\ntype E[T any] struct{ V T }\n\nfunc (E[T]) Error() string { return \"\" }\n\n//wampgen:error uri=com.example.f\ntype F struct{ C chan int; fn func() }\n\nfunc (*F) Error() string { return \"\" }\n\n//wampgen:service prefix=com.example.s\ntype S interface{ M(context.Context) error }\n",
	} {
		f.Add(src)
	}
	fuzzSetup(f)
	f.Fuzz(func(t *testing.T, src string) {
		fuzzSetup(t)
		if len(src) > 1<<14 {
			return
		}
		fuzzGenerate(t, src)
	})
}

// TestFuzzLoadMatchesGenerate checks the fuzz harness itself: for golden
// cases, generatePackage on the in-memory package answers as Generate does
// (the same diagnostics, the same output).
func TestFuzzLoadMatchesGenerate(t *testing.T) {
	fuzzSetup(t)
	for _, name := range []string{"basic", "bad_uri", "errors", "progress", "stream_shape", "kwargs_not_struct", "param_name_clashes", "generated_name_clash", "streamed_input", "input_not_only", "input_results"} {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("..", "testdata", "golden", name, "svc.go"))
			if err != nil {
				t.Fatal(err)
			}
			l, syntax, ok := fuzzLoad(string(src))
			if !ok {
				t.Fatal("the golden input does not parse")
			}
			defer fuzzEnv.fset.RemoveFile(fuzzEnv.fset.File(syntax[0].Package))
			out, err := generatePackage(buildPackage(l), nil)
			if err != nil || len(out.compile) > 0 {
				t.Fatalf("err %v, compile errors %v", err, out.compile)
			}
			if golden, err := os.ReadFile(filepath.Join("..", "testdata", "golden", name, "diagnostics.golden")); err == nil {
				var got []string
				for _, d := range sortDiagnostics(out.diags) { // as Generate does
					d.Pos.Filename = "svc.go"
					got = append(got, d.String())
				}
				if want := strings.TrimSpace(string(golden)); strings.Join(got, "\n") != want {
					t.Fatalf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
				}
				return
			}
			if len(out.files) != 1 {
				t.Fatalf("%d files, diagnostics %v", len(out.files), out.diags)
			}
			// The golden output names the package path of the case.
			golden, err := os.ReadFile(filepath.Join("..", "testdata", "golden", name, "svc_wamp.go.golden"))
			if err != nil {
				t.Fatal(err)
			}
			if string(golden) != string(out.files[0].Content) {
				t.Fatalf("output differs from the golden file:\n%s", out.files[0].Content)
			}
			fuzzGenerate(t, string(src))
		})
	}
}
