package gen

import (
	"bytes"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"
)

const testPkgPath = "example.com/p"

var (
	localPkg = types.NewPackage(testPkgPath, "p")
	timePkg  = types.NewPackage("time", "time")
	otherPkg = types.NewPackage("example.com/other/time", "time") // a second package named time
)

func named(pkg *types.Package, name string, underlying types.Type) *types.Named {
	return types.NewNamed(types.NewTypeName(token.NoPos, pkg, name, nil), underlying, nil)
}

// newTestEmitter returns an emitter for package p whose one file has one
// service with one method taking params; scope lists package-level
// identifiers.
func newTestEmitter(scope []string, params ...types.Type) *emitter {
	m := &Method{Name: "M", URI: "com.example.m"}
	for i, t := range params {
		m.Params = append(m.Params, &Param{Name: "p" + string(rune('a'+i)), Type: t})
	}
	file := &File{Source: "p.go", Output: "p_wamp.go", Services: []*Service{{Name: "S", Methods: []*Method{m}}}}
	pkg := &Package{Name: "p", Path: testPkgPath, Scope: map[string]bool{}, Files: []*File{file}}
	for _, s := range scope {
		pkg.Scope[s] = true
	}
	e := &emitter{pkg: pkg, file: file, f: jen.NewFilePathName(pkg.Path, pkg.Name), imports: map[string]string{}}
	e.planImports()
	return e
}

// render renders "var x T" for the type through the emitter's file and
// returns T as written, and the file's imports block.
func render(t *testing.T, e *emitter, typ types.Type) (string, string) {
	t.Helper()
	e.f.Var().Id("x").Add(e.typ(typ))
	var buf bytes.Buffer
	if err := e.f.Render(&buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	src := buf.String()
	i := strings.Index(src, "var x ")
	if i < 0 {
		t.Fatalf("no var in:\n%s", src)
	}
	return strings.TrimSpace(src[i+len("var x "):]), src[:i]
}

func TestTypBridge(t *testing.T) {
	item := named(localPkg, "Item", types.NewStruct(nil, nil))
	timeT := named(timePkg, "Time", types.NewStruct(nil, nil))
	duration := named(timePkg, "Duration", types.Typ[types.Int64])
	byteT := types.Universe.Lookup("byte").Type()
	anyT := types.Universe.Lookup("any").Type()
	errT := types.Universe.Lookup("error").Type()

	tparam := types.NewTypeParam(types.NewTypeName(token.NoPos, localPkg, "T", nil), anyT)
	box := named(localPkg, "Box", nil)
	box.SetTypeParams([]*types.TypeParam{tparam})
	box.SetUnderlying(types.NewStruct([]*types.Var{types.NewField(token.NoPos, localPkg, "V", tparam, false)}, nil))
	boxOf := func(arg types.Type) types.Type {
		inst, err := types.Instantiate(nil, box, []types.Type{arg}, true)
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}

	anon := types.NewStruct([]*types.Var{
		types.NewField(token.NoPos, localPkg, "X", types.Typ[types.Int], false),
		types.NewField(token.NoPos, localPkg, "Item", item, true),
		types.NewField(token.NoPos, localPkg, "When", timeT, false),
		types.NewField(token.NoPos, localPkg, "Q", types.Typ[types.String], false),
	}, []string{`json:"x"`, "", "", "a:\"`\""})

	for _, tt := range []struct {
		name string
		typ  types.Type
		want string
	}{
		{"basic", types.Typ[types.Float64], "float64"},
		{"byte alias", byteT, "byte"},
		{"any", anyT, "any"},
		{"error", errT, "error"},
		{"local named", item, "Item"},
		{"other package", timeT, "time.Time"},
		// An alias is spelled by its name where the package may name it,
		// else as what it stands for.
		{"alias of basic", types.NewAlias(types.NewTypeName(token.NoPos, localPkg, "ID", nil), types.Typ[types.String]), "ID"},
		{"alias of other package", types.NewAlias(types.NewTypeName(token.NoPos, localPkg, "Stamp", nil), duration), "Stamp"},
		{"alias in other package", types.NewAlias(types.NewTypeName(token.NoPos, timePkg, "Stamp", nil), item), "time.Stamp"},
		{"unexported alias in other package", types.NewAlias(types.NewTypeName(token.NoPos, types.NewPackage("example.com/q", "q"), "stamp", nil), duration), "time.Duration"},
		{"alias in internal package", types.NewAlias(types.NewTypeName(token.NoPos, types.NewPackage("example.com/q/internal/r", "r"), "Stamp", nil), duration), "time.Duration"},
		{"alias in own internal package", types.NewAlias(types.NewTypeName(token.NoPos, types.NewPackage(testPkgPath+"/internal/r", "r"), "Stamp", nil), duration), "r.Stamp"},
		{"pointer", types.NewPointer(item), "*Item"},
		{"slice of bytes", types.NewSlice(byteT), "[]byte"},
		{"array", types.NewArray(types.NewSlice(byteT), 2), "[2][]byte"},
		{"map", types.NewMap(types.Typ[types.String], types.NewSlice(types.NewPointer(timeT))), "map[string][]*time.Time"},
		{"generic instance", boxOf(types.NewMap(types.Typ[types.String], boxOf(timeT))), "Box[map[string]Box[time.Time]]"},
		{"anonymous struct", anon, "struct {\n\tX int `json:\"x\"`\n\tItem\n\tWhen time.Time\n\tQ    string \"a:\\\"`\\\"\"\n}"},
		{"empty interface literal", types.NewInterfaceType(nil, nil), "any"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEmitter(nil, tt.typ)
			got, imports := render(t, e, tt.typ)
			if got != tt.want {
				t.Errorf("typ = %s, want %s", got, tt.want)
			}
			if strings.Contains(tt.want, "time.") && !strings.Contains(imports, `"time"`) {
				t.Errorf("time is not imported:\n%s", imports)
			}
		})
	}
}

func TestPlanImports(t *testing.T) {
	timeT := named(timePkg, "Time", types.NewStruct(nil, nil))
	otherT := named(otherPkg, "Zone", types.Typ[types.String])

	// Package-level identifiers named like an import push it to an alias;
	// two packages of one name get distinct names, in import path order.
	scope := []string{"runtime", "time", "context", "context2"}
	e := newTestEmitter(scope, timeT, otherT)
	for path, want := range map[string]string{
		runtimePath:              "runtime2",
		wampPath:                 "wamp",
		"context":                "context3",
		"time":                   "time3",
		"example.com/other/time": "time2",
	} {
		if got := e.imports[path]; got != want {
			t.Errorf("import %s as %q, want %q", path, got, want)
		}
	}
	got, imports := render(t, e, types.NewSlice(otherT))
	if got != "[]time2.Zone" || !strings.Contains(imports, `time2 "example.com/other/time"`) {
		t.Errorf("rendered %s with imports\n%s", got, imports)
	}
	got, imports = render(t, newTestEmitter(scope, timeT, otherT), timeT)
	if got != "time3.Time" || !strings.Contains(imports, `time3 "time"`) {
		t.Errorf("rendered %s with imports\n%s", got, imports)
	}

	// Without clashes the names are the packages' own.
	e = newTestEmitter(nil, timeT)
	if e.imports["time"] != "time" || e.imports[runtimePath] != "runtime" {
		t.Errorf("imports %v", e.imports)
	}
}

func TestScope(t *testing.T) {
	e := newTestEmitter([]string{"Item", "limit"}, types.Typ[types.Int])
	sc := e.newScope("c")
	for _, tt := range []struct{ want, got string }{
		{"ctx", sc.name("ctx")},
		{"ctx2", sc.name("ctx")},   // taken by the first
		{"ctx3", sc.name("ctx")},   // and by the second
		{"c2", sc.name("c")},       // a reserved local
		{"wamp2", sc.name("wamp")}, // an import
		{"context2", sc.name("context")},
		{"Item2", sc.name("Item")},               // a package-level identifier
		{"limit2", sc.name("limit")},             // even an unexported one
		{"SMProcedure2", sc.name("SMProcedure")}, // a generated one
		{"sHandler", sc.name("sHandler")},
		{"x", sc.name("x")},
	} {
		if tt.got != tt.want {
			t.Errorf("name = %q, want %q", tt.got, tt.want)
		}
	}
	// Scopes are independent of each other.
	if got := e.newScope().name("ctx"); got != "ctx" {
		t.Errorf("a new scope gave %q", got)
	}
}

func TestWrap(t *testing.T) {
	for _, tt := range []struct {
		text  string
		width int
		want  []string
	}{
		{"", 10, nil},
		{"one", 10, []string{"one"}},
		{"one two three", 7, []string{"one two", "three"}},
		{"one two three", 8, []string{"one two", "three"}},
		{"  spaced   out\ttext ", 20, []string{"spaced out text"}},
		{"averyveryverylongword short", 5, []string{"averyveryverylongword", "short"}},
		{"a b c d", 3, []string{"a b", "c d"}},
	} {
		if got := wrap(tt.text, tt.width); !slices.Equal(got, tt.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
	// Every doc line the emitter writes fits in 80 columns with "// ".
	for _, line := range wrap(strings.Repeat("word ", 100), 77) {
		if len(line) > 77 {
			t.Errorf("line of %d characters", len(line))
		}
	}
}

func TestMethodTypes(t *testing.T) {
	a, b, c, d, e := types.Typ[types.Int], types.Typ[types.String], types.Typ[types.Bool], types.Typ[types.Float64], types.Typ[types.Uint8]
	m := &Method{
		Params:   []*Param{{Type: a}},
		Results:  []*Param{{Type: b}},
		Progress: &Param{Type: c},
		Input:    &Param{Type: e},
		Stream:   d,
	}
	if got := m.types(); !slices.Equal(got, []types.Type{a, b, c, e, d}) {
		t.Errorf("types = %v", got)
	}
}

// TestSupportVersion: a file asks for the oldest runtime that has what its
// code uses, so that files without streamed input or topics still build
// with older runtimes.
func TestSupportVersion(t *testing.T) {
	plain := &Service{Methods: []*Method{{Name: "Add"}}}
	streamed := &Service{Methods: []*Method{{Name: "Add"}, {Name: "Sum", Input: &Param{Name: "xs", Type: types.Typ[types.Float64]}}}}
	for _, tt := range []struct {
		name string
		file *File
		want int
	}{
		{"errors only", &File{}, 2},
		{"unary", &File{Services: []*Service{plain}}, 2},
		{"topics", &File{Services: []*Service{plain}, Topics: []*Topics{{Name: "T"}}}, 3},
		{"streamed input", &File{Services: []*Service{plain, streamed}}, 4},
		{"streamed input and topics", &File{Services: []*Service{streamed}, Topics: []*Topics{{Name: "T"}}}, 4},
	} {
		if got := tt.file.supportVersion(); got != tt.want {
			t.Errorf("%s: version %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestImportable checks the rule for internal packages: only the tree
// rooted at the parent of the last internal element may import one.
func TestImportable(t *testing.T) {
	for _, tt := range []struct {
		from, path string
		want       bool
	}{
		{"a/b", "a/c", true},
		{"a/b", "a/internal/c", true},
		{"a", "a/internal/c", true},
		{"a/internal/x", "a/internal/c", true},
		{"b", "a/internal/c", false},
		{"ab/c", "a/internal/c", false},
		{"a/b", "a/internal", true},
		{"b", "a/internal", false},
		{"a/x/internal/y", "a/internal/c/internal/d", false},
		{"a/internal/c/e", "a/internal/c/internal/d", true},
		{"a/b", "internal/abi", false},
		{"a/b", "a/internals/c", true},
	} {
		if got := importable(tt.from, tt.path); got != tt.want {
			t.Errorf("importable(%q, %q) = %v, want %v", tt.from, tt.path, got, tt.want)
		}
	}
}

func TestArticle(t *testing.T) {
	for _, tt := range []struct{ word, want string }{
		{"InventoryClient", "an"},
		{"CalculatorClient", "a"},
		{"EchoClient", "an"},
		{"OrderClient", "an"},
		{"UserClient", "a"},
		{"UniverseClient", "a"},
		{"UmbrellaClient", "an"},
		{"OneShotClient", "a"},
		{"HourlyClient", "an"},
		{"HTTPClient", "an"},
		{"XMLClient", "an"},
		{"URLClient", "a"},
		{"SQLClient", "an"},
		{"KVClient", "a"},
		{"Client", "a"},
		{"ärgerClient", "a"},
		{"", "a"},
	} {
		if got := article(tt.word); got != tt.want {
			t.Errorf("article(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
