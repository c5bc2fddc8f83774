package gen_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/gen"
	"github.com/wampgen/wampgen/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden with what the generator produces now")

// goldenRoot is where the cases live, relative to this package.
const goldenRoot = "../testdata/golden"

// diagnosticsFile holds a case's expected diagnostics; a case without it
// expects success and holds one FILE_wamp.go.golden per generated file.
const diagnosticsFile = "diagnostics.golden"

const goldenSuffix = ".golden"

// goldenCase is one directory under testdata/golden: an input package
// and what wampgen must make of it.
type goldenCase struct {
	name string
	dir  string // absolute
}

// expectsDiagnostics reports whether the case expects diagnostics rather
// than output, which is decided by the golden file present (or, with
// -update and no golden file yet, by the generator).
func (c goldenCase) expectsDiagnostics() bool {
	_, err := os.Stat(filepath.Join(c.dir, diagnosticsFile))
	return err == nil
}

// runs reports whether the case has a test of its own (a _test.go file)
// that exercises the generated code against a router.
func (c goldenCase) runs() bool {
	m, _ := filepath.Glob(filepath.Join(c.dir, "*_test.go"))
	return len(m) > 0
}

// importPath is the case's package path in this module.
func (c goldenCase) importPath() string {
	return "github.com/wampgen/wampgen/testdata/golden/" + c.name
}

func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	root, err := filepath.Abs(goldenRoot)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, goldenCase{name: e.Name(), dir: filepath.Join(root, e.Name())})
		}
	}
	if len(cases) == 0 {
		t.Fatalf("no cases under %s", root)
	}
	return cases
}

// goldenOutputs returns the names of the generated files a case expects
// (FILE_wamp.go for every FILE_wamp.go.golden), sorted.
func goldenOutputs(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*_wamp.go"+goldenSuffix))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range m {
		out = append(out, strings.TrimSuffix(filepath.Base(f), goldenSuffix))
	}
	slices.Sort(out)
	return out
}

// TestGolden generates every case under testdata/golden and compares the
// outputs or the diagnostics with the golden files (go test ./gen -update
// rewrites them). TestGoldenCompiles and TestGoldenRuns then build, vet and
// run the golden outputs.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkGoldenCase(t, c)
		})
	}
}

func checkGoldenCase(t *testing.T, c goldenCase) {
	cfg := gen.Config{Dir: c.dir}
	// A case that expects output and asks for no TypeScript itself is
	// generated with TypeScript too (wampgen -ts into the case directory):
	// its module is a golden, or what TypeScript cannot represent is.
	forced := !c.expectsDiagnostics() && !c.asksForTypeScript()
	if forced {
		cfg.TypeScript = c.dir
	}
	res, err := gen.Generate(cfg)
	var diags gen.Diagnostics
	if forced {
		tsDiags := filepath.Join(c.dir, tsDiagnosticsFile)
		if errors.As(err, &diags) && onlyTypeScript(diags) {
			compareGolden(t, tsDiags, []byte(diags.Format(c.dir)+"\n"))
			res, err = gen.Generate(gen.Config{Dir: c.dir})
		} else if _, statErr := os.Stat(tsDiags); statErr == nil && err == nil {
			if !*update {
				t.Fatalf("want the TypeScript diagnostics in %s, got a TypeScript module", tsDiagnosticsFile)
			}
			os.Remove(tsDiags)
		}
	}
	switch {
	case errors.As(err, &diags):
		got := diags.Format(c.dir) + "\n"
		if !*update && !c.expectsDiagnostics() {
			t.Fatalf("want generated files, got diagnostics:\n%s", got)
		}
		compareGolden(t, filepath.Join(c.dir, diagnosticsFile), []byte(got))
		for _, d := range diags {
			if d.Pos.Filename != "" && !filepath.IsAbs(d.Pos.Filename) {
				t.Errorf("diagnostic %q: file name %q is not absolute", d, d.Pos.Filename)
			}
		}
		if *update {
			removeGoldens(t, c.dir, nil)
		}
		return
	case err != nil:
		t.Fatalf("Generate: %v", err)
	}
	if c.expectsDiagnostics() {
		if !*update {
			t.Fatalf("want the diagnostics in %s, got %d generated files", diagnosticsFile, len(res.Files))
		}
		os.Remove(filepath.Join(c.dir, diagnosticsFile))
	}
	var names, tsNames []string
	for _, f := range res.Files {
		if filepath.Ext(f.Path) == ".ts" {
			if rel := checkTypeScriptOutput(t, c, f); rel != "" {
				tsNames = append(tsNames, rel)
			}
			continue
		}
		if filepath.Dir(f.Path) != c.dir {
			t.Errorf("output %s is not in the case directory", f.Path)
			continue
		}
		name := filepath.Base(f.Path)
		names = append(names, name)
		if want := gen.OutputName(filepath.Base(f.Source)); name != want {
			t.Errorf("output %s for source %s, want %s", name, filepath.Base(f.Source), want)
		}
		checkGenerated(t, f)
		compareGolden(t, filepath.Join(c.dir, name+goldenSuffix), f.Content)
	}
	// Generated files on disk that are not outputs any more are stale.
	var stale, wantStale []string
	for _, f := range res.Stale {
		stale = append(stale, filepath.Base(f))
	}
	existing, _ := filepath.Glob(filepath.Join(c.dir, "*.go"))
	for _, f := range existing {
		content, err := os.ReadFile(f)
		if err == nil && gen.IsGenerated(content) && !slices.Contains(names, filepath.Base(f)) {
			wantStale = append(wantStale, filepath.Base(f))
		}
	}
	if !slices.Equal(stale, wantStale) {
		t.Errorf("stale files %v, want %v", stale, wantStale)
	}
	slices.Sort(tsNames)
	if *update {
		removeGoldens(t, c.dir, names)
		for _, rel := range typeScriptGoldens(t, c.dir) {
			if !slices.Contains(tsNames, rel) {
				os.Remove(filepath.Join(c.dir, rel+goldenSuffix))
			}
		}
		return
	}
	if want := goldenOutputs(t, c.dir); !slices.Equal(names, want) {
		t.Errorf("generated files %v, want %v (one per FILE_wamp.go.golden)", names, want)
	}
	if want := typeScriptGoldens(t, c.dir); !slices.Equal(tsNames, want) {
		t.Errorf("generated TypeScript modules %v, want %v (one per PACKAGE_wamp.ts.golden)", tsNames, want)
	}
}

// tsDiagnosticsFile holds the diagnostics of a case that expects Go
// output when it is generated with TypeScript too: what TypeScript cannot
// represent.
const tsDiagnosticsFile = "typescript_diagnostics.golden"

// asksForTypeScript reports whether the case's package has a
// //wampgen:typescript directive (then its TypeScript is generated, and
// compared, like its Go).
func (c goldenCase) asksForTypeScript() bool {
	src, _ := filepath.Glob(filepath.Join(c.dir, "*.go"))
	for _, f := range src {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte("//wampgen:typescript")) {
			return true
		}
	}
	return false
}

// onlyTypeScript reports whether every diagnostic is about TypeScript
// output.
func onlyTypeScript(ds gen.Diagnostics) bool {
	for _, d := range ds {
		if !strings.HasPrefix(d.Message, "TypeScript output: ") {
			return false
		}
	}
	return len(ds) > 0
}

// checkTypeScriptOutput checks a TypeScript output of case c: the support
// module must be templates/wampgen.ts, byte for byte; a package's module
// must start with the header, name its package, hold no absolute path,
// and match its golden, PACKAGE_wamp.ts.golden beside where it would be
// written. It returns the module's path relative to the case ("" for the
// support module).
func checkTypeScriptOutput(t *testing.T, c goldenCase, f gen.Output) string {
	t.Helper()
	rel, err := filepath.Rel(c.dir, f.Path)
	if err != nil || !filepath.IsLocal(rel) {
		t.Errorf("TypeScript output %s is not under the case directory", f.Path)
		return ""
	}
	if filepath.Base(f.Path) == gen.SupportModuleName {
		want, err := templates.SupportModule()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Content, want) {
			t.Errorf("%s is not templates/%s", rel, gen.SupportModuleName)
		}
		return ""
	}
	if !gen.IsGenerated(f.Content) {
		t.Errorf("%s does not start with %q", rel, gen.GeneratedHeader)
	}
	if want := "\n// source: " + c.importPath() + "\n"; !bytes.Contains(f.Content, []byte(want)) {
		t.Errorf("%s does not name its package as %q", rel, strings.TrimSpace(want))
	}
	for _, abs := range []string{filepath.Dir(c.dir), os.TempDir()} {
		if bytes.Contains(f.Content, []byte(abs)) {
			t.Errorf("%s contains the absolute path %s", rel, abs)
		}
	}
	compareGolden(t, f.Path+goldenSuffix, f.Content)
	return rel
}

// typeScriptGoldens lists the golden TypeScript modules of a case, by
// their outputs' paths relative to the case directory, sorted.
func typeScriptGoldens(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, "_wamp.ts"+goldenSuffix) {
			rel, _ := filepath.Rel(dir, strings.TrimSuffix(path, goldenSuffix))
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// checkGenerated checks what every generated file must satisfy regardless
// of its case: the header, a source line without a directory, no absolute
// path anywhere, and gofmt'd content.
func checkGenerated(t *testing.T, f gen.Output) {
	t.Helper()
	name := filepath.Base(f.Path)
	if !gen.IsGenerated(f.Content) {
		t.Errorf("%s does not start with %q", name, gen.GeneratedHeader)
	}
	wantSource := "\n// source: " + filepath.Base(f.Source) + "\n"
	if !bytes.Contains(f.Content, []byte(wantSource)) {
		t.Errorf("%s does not name its source as %q", name, strings.TrimSpace(wantSource))
	}
	for _, abs := range []string{filepath.Dir(f.Path), filepath.Dir(filepath.Dir(f.Path)), os.TempDir()} {
		if bytes.Contains(f.Content, []byte(abs)) {
			t.Errorf("%s contains the absolute path %s", name, abs)
		}
	}
	if formatted, err := format.Source(f.Content); err != nil {
		t.Errorf("%s does not parse: %v", name, err)
	} else if !bytes.Equal(formatted, f.Content) {
		t.Errorf("%s is not gofmt'd:\n%s", name, unifiedDiff("generated", "gofmt", f.Content, formatted))
	}
}

// compareGolden compares got with the golden file, or rewrites the file
// with -update.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v (run go test ./gen -update to create it)", err)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the generator's output (go test ./gen -update rewrites it):\n%s",
			filepath.Base(path), unifiedDiff(filepath.Base(path), "generated", want, got))
	}
}

// removeGoldens removes golden output files of a case that the generator
// no longer produces (with -update).
func removeGoldens(t *testing.T, dir string, keep []string) {
	for _, name := range goldenOutputs(t, dir) {
		if !slices.Contains(keep, name) {
			if err := os.Remove(filepath.Join(dir, name+goldenSuffix)); err != nil {
				t.Error(err)
			}
		}
	}
}

// successCases returns the cases that expect generated files.
func successCases(t *testing.T) []goldenCase {
	var out []goldenCase
	for _, c := range goldenCases(t) {
		if !c.expectsDiagnostics() {
			out = append(out, c)
		}
	}
	return out
}

// writeOverlay writes a go command overlay that puts every golden output
// in place of its FILE_wamp.go (hiding any other generated file a case
// holds, which wampgen would remove as stale) and returns its path.
func writeOverlay(t *testing.T, cases []goldenCase) string {
	t.Helper()
	replace := map[string]string{}
	for _, c := range cases {
		outputs := goldenOutputs(t, c.dir)
		if len(outputs) == 0 {
			t.Errorf("case %s expects neither diagnostics nor outputs", c.name)
		}
		for _, name := range outputs {
			replace[filepath.Join(c.dir, name)] = filepath.Join(c.dir, name+goldenSuffix)
		}
		existing, _ := filepath.Glob(filepath.Join(c.dir, "*.go"))
		for _, f := range existing {
			if _, ok := replace[f]; ok {
				continue
			}
			if content, err := os.ReadFile(f); err == nil && gen.IsGenerated(content) {
				replace[f] = "" // removed as stale
			}
		}
	}
	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "overlay.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// goCommand runs the go command in the module root and fails the test,
// showing its output, if it fails.
func goCommand(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func packagePatterns(cases []goldenCase) []string {
	var out []string
	for _, c := range cases {
		out = append(out, "./testdata/golden/"+c.name)
	}
	return out
}

// TestGoldenCompiles builds and vets every golden output in its case
// package, all cases in one go build and one go vet.
func TestGoldenCompiles(t *testing.T) {
	t.Parallel() // after TestGolden, which -update may have rewritten the files for
	cases := successCases(t)
	overlay := writeOverlay(t, cases)
	pkgs := packagePatterns(cases)
	goCommand(t, append([]string{"build", "-overlay=" + overlay}, pkgs...)...)
	goCommand(t, append([]string{"vet", "-overlay=" + overlay}, pkgs...)...)
}

// TestGoldenRuns runs the tests of the cases that have one: each serves
// its generated registrar on an embedded router and calls it through its
// generated client.
func TestGoldenRuns(t *testing.T) {
	t.Parallel()
	var cases []goldenCase
	for _, c := range successCases(t) {
		if c.runs() {
			cases = append(cases, c)
		}
	}
	if len(cases) < 5 {
		t.Fatalf("only %d cases run their generated code; want at least 5", len(cases))
	}
	overlay := writeOverlay(t, cases)
	goCommand(t, append([]string{"test", "-count=1", "-overlay=" + overlay}, packagePatterns(cases)...)...)
}

// TestGoldenCaseNames keeps the case list honest: every case holds a Go
// package and either outputs or diagnostics, not both.
func TestGoldenCaseNames(t *testing.T) {
	cases := goldenCases(t)
	if len(cases) < 25 {
		t.Errorf("%d golden cases, want at least 25", len(cases))
	}
	for _, c := range cases {
		src, _ := filepath.Glob(filepath.Join(c.dir, "*.go"))
		if len(src) == 0 {
			t.Errorf("case %s has no Go files", c.name)
		}
		if c.expectsDiagnostics() && len(goldenOutputs(t, c.dir)) > 0 {
			t.Errorf("case %s has both %s and output goldens", c.name, diagnosticsFile)
		}
		if c.expectsDiagnostics() && c.runs() {
			t.Errorf("case %s expects diagnostics but has a test", c.name)
		}
	}
}

// unifiedDiff returns a unified diff (3 lines of context) from a to b,
// computed on lines with a longest-common-subsequence table: golden files
// are small, so the quadratic table is fine.
func unifiedDiff(nameA, nameB string, a, b []byte) string {
	x, y := splitLines(a), splitLines(b)
	// lcs[i][j] is the length of the LCS of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type edit struct {
		op   byte // ' ', '-', '+'
		line string
		i, j int // line numbers (from 0) in x and y before this edit
	}
	var edits []edit
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			edits = append(edits, edit{' ', x[i], i, j})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			edits = append(edits, edit{'-', x[i], i, j})
			i++
		default:
			edits = append(edits, edit{'+', y[j], i, j})
			j++
		}
	}
	const context = 3
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	for k := 0; k < len(edits); {
		if edits[k].op == ' ' {
			k++
			continue
		}
		// A hunk: from context lines before the change to context lines
		// after the last change that is within 2*context of the next.
		start := max(k-context, 0)
		end := k
		for end < len(edits) {
			if edits[end].op != ' ' {
				end++
				continue
			}
			run := end
			for run < len(edits) && edits[run].op == ' ' {
				run++
			}
			if run == len(edits) || run-end > 2*context {
				end = min(end+context, len(edits))
				break
			}
			end = run
		}
		var countA, countB int
		for _, e := range edits[start:end] {
			if e.op != '+' {
				countA++
			}
			if e.op != '-' {
				countB++
			}
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n", edits[start].i+1, countA, edits[start].j+1, countB)
		for _, e := range edits[start:end] {
			fmt.Fprintf(&out, "%c%s\n", e.op, e.line)
		}
		k = end
	}
	return out.String()
}

func splitLines(b []byte) []string {
	s := string(b)
	if s == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if !strings.HasSuffix(s, "\n") {
		lines[len(lines)-1] += "\n\\ No newline at end of file"
	}
	return lines
}
