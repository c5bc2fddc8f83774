package gen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// scan parses src as x.go and scans its directives.
func scan(t *testing.T, src string) (*token.FileSet, *directives, []Diagnostic) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	d := &diagnoser{fset: fset}
	ds := scanDirectives(d, []*ast.File{f})
	return fset, ds, d.diags
}

// at returns "line:col" of the first occurrence of sub in src, where
// col counts bytes from 1 as go/token does.
func at(t *testing.T, src, sub string) string {
	t.Helper()
	i := strings.Index(src, sub)
	if i < 0 {
		t.Fatalf("%q not in source", sub)
	}
	line := strings.Count(src[:i], "\n") + 1
	col := i - strings.LastIndex(src[:i], "\n")
	return fmt.Sprintf("%d:%d", line, col)
}

func lineCol(p token.Position) string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

func TestDirectiveArgPositions(t *testing.T) {
	src := "package x\n\n" +
		"// S is a service.\n" +
		"//\n" +
		"//wampgen:service prefix=com.example.svc\n" +
		"type S interface {\n" +
		"\t//wampgen:procedure   uri=com.example.svc.m\tmatch=exact \"invoke=first\"\n" +
		"\tM()\n" +
		"}\n"
	fset, ds, diags := scan(t, src)
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if len(ds.all) != 2 {
		t.Fatalf("%d directives, want 2", len(ds.all))
	}
	svc, proc := ds.all[0], ds.all[1]
	if svc.name != "service" || lineCol(fset.Position(svc.pos)) != at(t, src, "//wampgen:service") {
		t.Errorf("service directive %q at %s", svc.name, fset.Position(svc.pos))
	}
	for _, tt := range []struct {
		d          *directive
		key, value string
		keyAt      string // source text starting at the key
		valueAt    string // source text starting at the value
	}{
		{svc, "prefix", "com.example.svc", "prefix=", "com.example.svc\n"},
		{proc, "uri", "com.example.svc.m", "uri=", "com.example.svc.m\t"},
		{proc, "match", "exact", "match=", "exact "},
		// A quoted argument starts at its opening quote; its value is
		// where it is written.
		{proc, "invoke", "first", "\"invoke=", "first\""},
	} {
		a, ok := tt.d.arg(tt.key)
		if !ok {
			t.Errorf("no %s", tt.key)
			continue
		}
		if a.value != tt.value {
			t.Errorf("%s=%q, want %q", tt.key, a.value, tt.value)
		}
		if got, want := lineCol(fset.Position(a.pos)), at(t, src, tt.keyAt); got != want {
			t.Errorf("%s: key at %s, want %s", tt.key, got, want)
		}
		if got, want := lineCol(fset.Position(a.valuePos)), at(t, src, tt.valueAt); got != want {
			t.Errorf("%s: value at %s, want %s", tt.key, got, want)
		}
	}
}

func TestDirectiveDiagnosticPositions(t *testing.T) {
	src := "package x\n\n" +
		"//wampgen:servce prefix=com.example.a\n" +
		"type A interface{}\n\n" +
		"//wampgen:service prefix=com.example.a realm=r1 prefix=com.example.b\n" +
		"type B interface{}\n\n" +
		"//wampgen:procedure match=fuzzy kwargs uri=\n" +
		"type C interface{}\n\n" +
		"//wampgen:error\n" +
		"var E error\n\n" +
		"// wampgen:service prefix=com.example.d\n" +
		"type D interface{}\n\n" +
		"//wampgen:service \"prefix=com.example.e\n" +
		"type F interface{}\n\n" +
		"//wampgen:procedure url=com.example.g uri=\"com.example.g\"\n" +
		"type G interface{}\n"
	_, ds, diags := scan(t, src)
	want := map[string]string{ // position → start of the message
		at(t, src, "//wampgen:servce"):       "unknown directive //wampgen:servce, did you mean //wampgen:service?",
		at(t, src, "realm="):                 `//wampgen:service: unknown key "realm" (allowed keys: prefix)`,
		at(t, src, "prefix=com.example.b"):   `//wampgen:service: duplicate key "prefix"`,
		at(t, src, "fuzzy"):                  `//wampgen:procedure: match="fuzzy" is not allowed (allowed values: exact, prefix, wildcard)`,
		at(t, src, "kwargs uri"):             `//wampgen:procedure: argument "kwargs" is not key=value`,
		at(t, src, "//wampgen:error"):        "//wampgen:error needs uri=...",
		at(t, src, "// wampgen:service"):     `malformed directive "// wampgen:service prefix=com.example.d"`,
		at(t, src, "\"prefix=com.example.e"): "//wampgen:service: invalid quoted string",
		at(t, src, "url="):                   `//wampgen:procedure: unknown key "url", did you mean uri?`,
		at(t, src, "\"com.example.g\"\n"):    "//wampgen:procedure: the value of uri= is quoted on its own",
	}
	// The empty value is reported where it would be, just after "uri=".
	line, col := 0, 0
	fmt.Sscanf(at(t, src, "uri=\n"), "%d:%d", &line, &col)
	want[fmt.Sprintf("%d:%d", line, col+len("uri="))] = "//wampgen:procedure: uri= has an empty value"

	got := map[string]string{}
	for _, d := range diags {
		got[lineCol(d.Pos)] = d.Message
	}
	for pos, msg := range want {
		if !strings.HasPrefix(got[pos], msg) {
			t.Errorf("at %s: got %q, want a message starting %q", pos, got[pos], msg)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d diagnostics, want %d:\n%s", len(got), len(want), Diagnostics(diags))
	}
	// Directives with bad arguments are kept, marked broken, with the
	// arguments that parsed; unknown and malformed ones are not kept but
	// mark their comment group.
	var broken, troubled int
	for _, d := range ds.all {
		if d.broken {
			broken++
		}
	}
	for range ds.troubled {
		troubled++
	}
	if broken != 5 || troubled != 2 {
		t.Errorf("%d broken directives, %d troubled groups; want 5 and 2", broken, troubled)
	}
	for _, d := range ds.all {
		if d.name == "service" && len(d.args) == 1 && d.args[0].value != "com.example.a" {
			t.Errorf("service B kept %v, want its first prefix", d.args)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	keys := directiveSpecs["procedure"].keys
	for _, tt := range []struct{ word, want string }{
		{"url", ", did you mean uri?"},
		{"URI", ", did you mean uri?"},
		{"invok", ", did you mean invoke?"},
		{"kwarg", ", did you mean kwargs?"},
		{"disclose", ", did you mean disclose_caller?"},
		{"timeout", ""},
		{"x", ""},
	} {
		if got := didYouMean(tt.word, keys, ""); got != tt.want {
			t.Errorf("didYouMean(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
	if got := didYouMean("servce", directiveList(), "//wampgen:"); got != ", did you mean //wampgen:service?" {
		t.Errorf("didYouMean(servce) = %q", got)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "ab", 2}, {"kitten", "sitting", 3}, {"uri", "url", 1}, {"abc", "abc", 0},
	} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
