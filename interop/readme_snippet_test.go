package interop

import (
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

const calcPath = "github.com/wampgen/wampgen/examples/calculator/calc"

// codeBlocks returns the code blocks in language lang (```go, ```ts) of the
// README section whose heading is title.
func codeBlocks(t *testing.T, title, lang string) []string {
	t.Helper()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n"+title+"\n")
	if !ok {
		t.Fatalf("README.md has no section %q", title)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)\n```"+regexp.QuoteMeta(lang)+"\n(.*?)\n```\n").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// loadTypes loads the type information of the packages paths.
func loadTypes(t *testing.T, paths ...string) map[string]*types.Package {
	t.Helper()
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes}, paths...)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*types.Package{}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			t.Fatalf("load %s: %v", p.PkgPath, p.Errors)
		}
		m[p.PkgPath] = p.Types
	}
	return m
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// typeCheck type-checks src as a package and returns it, failing on every
// error but unused variables and imports (a snippet shows, it need not use).
func typeCheck(t *testing.T, name, src string, imports map[string]*types.Package) *types.Package {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		t.Fatalf("%s does not parse: %v\n%s", name, err, src)
	}
	conf := types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if p, ok := imports[path]; ok {
				return p, nil
			}
			return nil, fmt.Errorf("the test loads no package %s", path)
		}),
		Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) && te.Soft {
				return
			}
			t.Errorf("%s: %v", name, err)
		},
	}
	pkg, _ := conf.Check(f.Name.Name, fset, []*ast.File{f}, nil)
	return pkg
}

// TestREADMEFirstScreen type-checks the Go snippets of the README's "What
// you write, what you get" against examples/calculator/calc: the interface
// shown must be an excerpt of the calculator's (same methods, parameter
// names and types), the types it uses the same, and the calls shown must
// compile against the generated code.
func TestREADMEFirstScreen(t *testing.T) {
	blocks := codeBlocks(t, "## What you write, what you get", "go")
	if len(blocks) != 3 {
		t.Fatalf("the section has %d Go snippets, want 3 (the interface, what is generated, the calls)", len(blocks))
	}
	imports := loadTypes(t, "context", "errors", calcPath, "github.com/wampgen/wampgen/runtime")
	calc := imports[calcPath]

	// The interface, as the file a user writes.
	src := "package calc\n\nimport (\n\t\"context\"\n\t\"errors\"\n)\n\n" + blocks[0] + "\n"
	snippet := typeCheck(t, "README interface snippet", src, imports)
	if snippet == nil {
		return
	}
	qual := types.RelativeTo(snippet)
	calcQual := types.RelativeTo(calc)
	iface := snippet.Scope().Lookup("Calculator").Type().Underlying().(*types.Interface)
	real := calc.Scope().Lookup("Calculator").Type().Underlying().(*types.Interface)
	methods := map[string]*types.Func{}
	for m := range real.Methods() {
		methods[m.Name()] = m
	}
	for m := range iface.Methods() {
		r, ok := methods[m.Name()]
		if !ok {
			t.Errorf("the README's Calculator has %s, which calc.Calculator does not", m.Name())
			continue
		}
		if got, want := types.TypeString(m.Type(), qual), types.TypeString(r.Type(), calcQual); got != want {
			t.Errorf("the README's Calculator.%s is %s, calc's is %s", m.Name(), got, want)
		}
	}
	for _, name := range snippet.Scope().Names() {
		obj := snippet.Scope().Lookup(name)
		r := calc.Scope().Lookup(name)
		if r == nil {
			t.Errorf("the README declares %s, which calc does not", name)
			continue
		}
		if _, isType := obj.(*types.TypeName); isType && name != "Calculator" {
			got := types.TypeString(obj.Type().Underlying(), qual)
			want := types.TypeString(r.Type().Underlying(), calcQual)
			if got != want {
				t.Errorf("the README's %s is %s, calc's is %s", name, got, want)
			}
		}
	}

	// What is generated: each declaration shown is calc's.
	checkGeneratedDecls(t, blocks[1], calc)

	// The calls, in a function of the user's program.
	src = "package user\n\nimport (\n\t\"context\"\n\n\t\"github.com/wampgen/wampgen/examples/calculator/calc\"\n" +
		"\t\"github.com/wampgen/wampgen/runtime\"\n)\n\nfunc use(ctx context.Context) {\n" + blocks[2] + "\n}\n"
	typeCheck(t, "README calls snippet", src, imports)
}

// checkGeneratedDecls checks the declarations of src, the README's summary
// of a generated file, against the generated package calc: each constant
// with its type and value, each function with its signature (parameter
// names included).
func checkGeneratedDecls(t *testing.T, src string, calc *types.Package) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "README generated snippet", "package calc\n\n"+src+"\n", 0)
	if err != nil {
		t.Fatalf("the README's summary of the generated code does not parse: %v", err)
	}
	qual := func(p *types.Package) string {
		if p == calc {
			return ""
		}
		return p.Name()
	}
	text := func(n ast.Node) string {
		var b strings.Builder
		if err := printer.Fprint(&b, fset, n); err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(b.String()), " ")
	}
	checked := 0
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.Name == "init" {
				continue
			}
			obj, ok := calc.Scope().Lookup(d.Name.Name).(*types.Func)
			if !ok {
				t.Errorf("the README shows func %s, which calc does not declare", d.Name.Name)
				continue
			}
			got := "func" + strings.TrimPrefix(text(d.Type), "func")
			if want := types.TypeString(obj.Type(), qual); got != want {
				t.Errorf("the README shows %s as\n\t%s\ncalc declares\n\t%s", d.Name.Name, got, want)
			}
			checked++
		case *ast.GenDecl:
			if d.Tok != token.CONST {
				continue
			}
			for _, spec := range d.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					obj, ok := calc.Scope().Lookup(name.Name).(*types.Const)
					if !ok {
						t.Errorf("the README shows const %s, which calc does not declare", name.Name)
						continue
					}
					if got, want := text(vs.Type), types.TypeString(obj.Type(), qual); got != want {
						t.Errorf("the README's %s has type %s, calc's %s", name.Name, got, want)
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || constant.Compare(constant.MakeFromLiteral(lit.Value, lit.Kind, 0), token.NEQ, obj.Val()) {
						t.Errorf("the README's %s is %s, calc's %s", name.Name, text(vs.Values[i]), obj.Val())
					}
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Error("the README's summary of the generated code declares nothing this test checks")
	}
}

// TestREADMETopics checks the Go snippets of the README's "Topics": the
// topics interface and its event type must be calc's (an excerpt: same
// methods, parameter names and types), the summary of the generated code
// calc's declarations, the calls must compile against the generated code,
// and the sensors example must be examples/sensors' code itself, line for
// line (indentation aside), so that it compiles and its test runs it.
func TestREADMETopics(t *testing.T) {
	blocks := codeBlocks(t, "## Topics", "go")
	if len(blocks) != 7 {
		t.Fatalf("the section has %d Go snippets, want 7 (the interface, what is generated, the calls, four of examples/sensors)", len(blocks))
	}
	imports := loadTypes(t, "context", "fmt", calcPath, "github.com/wampgen/wampgen/runtime")
	calc := imports[calcPath]

	src := "package calc\n\nimport \"context\"\n\n" + blocks[0] + "\n"
	snippet := typeCheck(t, "README topics interface snippet", src, imports)
	if snippet == nil {
		return
	}
	qual, calcQual := types.RelativeTo(snippet), types.RelativeTo(calc)
	for _, name := range snippet.Scope().Names() {
		obj, r := snippet.Scope().Lookup(name), calc.Scope().Lookup(name)
		if r == nil {
			t.Errorf("the README declares %s, which calc does not", name)
			continue
		}
		if got, want := types.TypeString(obj.Type().Underlying(), qual), types.TypeString(r.Type().Underlying(), calcQual); got != want {
			t.Errorf("the README's %s is\n\t%s\ncalc's is\n\t%s", name, got, want)
		}
	}
	if snippet.Scope().Lookup("CalculatorEvents") == nil {
		t.Error("the README's topics snippet does not declare CalculatorEvents")
	}
	// The struct's tags are the wire form: they must be calc's too.
	if got, want := structTags(snippet, "Computation"), structTags(calc, "Computation"); got != want {
		t.Errorf("the README's Computation has the tags %s, calc's %s", got, want)
	}

	checkGeneratedDecls(t, blocks[1], calc)

	src = "package user\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\n\t\"github.com/wampgen/wampgen/examples/calculator/calc\"\n" +
		"\t\"github.com/wampgen/wampgen/runtime\"\n)\n\nfunc use(ctx context.Context) {\n" + blocks[2] + "\n}\n"
	typeCheck(t, "README topics calls snippet", src, imports)

	files := map[string]string{}
	for _, f := range []string{"../examples/sensors/sensors/sensors.go", "../examples/sensors/main.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[f] = unindent(string(b))
	}
	for i, b := range blocks[3:] {
		found := false
		for _, text := range files {
			found = found || strings.Contains(text, unindent(b))
		}
		if !found {
			t.Errorf("the README's sensors snippet %d is not in examples/sensors (sensors/sensors.go or main.go) as it is:\n%s", i+1, b)
		}
	}
}

// unindent drops the leading tabs of every line.
func unindent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, "\t")
	}
	return strings.Join(lines, "\n")
}

// structTags returns the fields of struct type name in pkg with their
// tags.
func structTags(pkg *types.Package, name string) string {
	obj := pkg.Scope().Lookup(name)
	if obj == nil {
		return "(none)"
	}
	st, ok := obj.Type().Underlying().(*types.Struct)
	if !ok {
		return "(not a struct)"
	}
	var b strings.Builder
	for i := range st.NumFields() {
		fmt.Fprintf(&b, "%s %q; ", st.Field(i).Name(), st.Tag(i))
	}
	return b.String()
}
