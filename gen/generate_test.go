package gen_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/gen"
)

// TestDeterministic generates every success case again, all in one
// Generate call (as wampgen ./... would), and checks that the output is
// byte for byte the golden one TestGolden compares each case with: the
// same bytes from another run (map order differs from run to run), another
// working directory and other packages loaded alongside.
func TestDeterministic(t *testing.T) {
	if *update {
		t.Skip("the goldens are being rewritten")
	}
	cases := successCases(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	res, err := gen.Generate(gen.Config{Dir: root, Patterns: packagePatterns(cases)})
	if err != nil {
		t.Fatal(err)
	}
	var goldens int
	for _, c := range cases {
		goldens += len(goldenOutputs(t, c.dir))
		if c.asksForTypeScript() {
			goldens += len(typeScriptGoldens(t, c.dir)) + 1 // and wampgen.ts
		}
	}
	if len(res.Files) != goldens {
		t.Errorf("%d files, want %d", len(res.Files), goldens)
	}
	for _, f := range res.Files {
		if filepath.Base(f.Path) == gen.SupportModuleName {
			continue // TestGolden compares it with templates/wampgen.ts
		}
		golden, err := os.ReadFile(f.Path + goldenSuffix)
		if err != nil {
			t.Error(err)
			continue
		}
		if !bytes.Equal(golden, f.Content) {
			t.Errorf("%s generated with other packages differs from its golden file:\n%s", f.Path,
				unifiedDiff("golden", "generated", golden, f.Content))
		}
		if bytes.Contains(f.Content, []byte(root)) {
			t.Errorf("%s contains the absolute path %s", f.Path, root)
		}
	}
}

// newModule creates a module in a temporary directory whose packages can
// import this repository's packages (a replace directive points at it, the
// go.sum is this repository's), and returns its directory.
func newModule(t *testing.T, files map[string]string) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goMod := "module example.com/m\n\ngo 1.26\n\nrequire github.com/wampgen/wampgen v0.0.0\n\nreplace github.com/wampgen/wampgen => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files["go.mod"] = goMod
	files["go.sum"] = string(sum)
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func goIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

const regenSource = `package svc

import "context"

// Svc is a service.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	Get(ctx context.Context, key string) (string, error)
}
`

func generate(t *testing.T, dir string) *gen.Result {
	t.Helper()
	res, err := gen.Generate(gen.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRegenerate follows a package through its life: first generation,
// regeneration over an up-to-date output (which compiles, so the loader
// takes it as it is), a change that makes the output stale and
// uncompilable, and the removal of the service.
func TestRegenerate(t *testing.T) {
	dir := newModule(t, map[string]string{"svc/svc.go": regenSource})
	pkgDir := filepath.Join(dir, "svc")
	out := filepath.Join(pkgDir, "svc_wamp.go")

	res := generate(t, pkgDir)
	if len(res.Files) != 1 || res.Files[0].Path != out || len(res.Stale) != 0 {
		t.Fatalf("first run: %+v", res)
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	goIn(t, dir, "mod", "tidy") // the output imports the runtime
	goIn(t, dir, "build", "./...")
	first, _ := os.ReadFile(out)

	// Up to date: the same output, and the generated declarations in
	// place are not clashes.
	res = generate(t, pkgDir)
	if len(res.Files) != 1 || !bytes.Equal(res.Files[0].Content, first) || len(res.Stale) != 0 {
		t.Fatalf("second run differs: %+v", res)
	}
	info, _ := os.Stat(out)
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.Stat(out); !again.ModTime().Equal(info.ModTime()) {
		t.Error("an unchanged output was rewritten")
	}

	// The interface gains a method: the old client no longer implements
	// it, the package does not compile as it is, and wampgen regenerates.
	changed := strings.Replace(regenSource, "(string, error)\n", "(string, error)\n\tPut(ctx context.Context, key, value string) error\n", 1)
	if err := os.WriteFile(filepath.Join(pkgDir, "svc.go"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	res = generate(t, pkgDir)
	if len(res.Files) != 1 || !bytes.Contains(res.Files[0].Content, []byte("func (c *SvcClient) Put(")) {
		t.Fatalf("after the change: %+v", res)
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	goIn(t, dir, "build", "./...")

	// The service goes: its output is stale and removed.
	if err := os.WriteFile(filepath.Join(pkgDir, "svc.go"), []byte("package svc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = generate(t, pkgDir)
	if len(res.Files) != 0 || len(res.Stale) != 1 || res.Stale[0] != out {
		t.Fatalf("after removing the service: %+v", res)
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("stale output not removed: %v", err)
	}
}

// TestWriteKeepsHandWrittenFiles checks that a file in the way of an output
// that wampgen did not write is neither overwritten nor removed.
func TestWriteKeepsHandWrittenFiles(t *testing.T) {
	mine := "package svc\n\n// Mine is hand-written.\nconst Mine = 1\n"
	dir := newModule(t, map[string]string{"svc/svc.go": regenSource, "svc/svc_wamp.go": mine})
	res := generate(t, filepath.Join(dir, "svc"))
	if len(res.Stale) != 0 {
		t.Errorf("a hand-written file is stale: %v", res.Stale)
	}
	err := res.Write()
	if err == nil || !strings.Contains(err.Error(), "was not generated by wampgen") {
		t.Errorf("Write = %v, want a refusal", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "svc", "svc_wamp.go")); string(got) != mine {
		t.Errorf("the hand-written file changed to:\n%s", got)
	}
}

// TestDiagnosticsAreAbsolute checks the Diagnostics error: absolute file
// names, formatted relative to any directory, sorted.
func TestDiagnosticsAreAbsolute(t *testing.T) {
	dir := newModule(t, map[string]string{
		"svc/a.go": "package svc\n\nimport \"context\"\n\n//wampgen:service prefix=com.example.a\ntype A interface {\n\tGet(ctx context.Context) int\n}\n",
		"svc/b.go": "package svc\n\n//wampgen:servce\ntype B interface{}\n",
	})
	_, err := gen.Generate(gen.Config{Dir: dir, Patterns: []string{"./svc"}})
	var diags gen.Diagnostics
	if !errors.As(err, &diags) {
		t.Fatalf("Generate = %v, want Diagnostics", err)
	}
	want := "svc/a.go:7:2: method A.Get: the last result must be error (rule: method shape): add error as the last result\n" +
		"svc/b.go:3:1: unknown directive //wampgen:servce, did you mean //wampgen:service? (known: //wampgen:error, //wampgen:procedure, //wampgen:service, //wampgen:topic, //wampgen:topics, //wampgen:typescript)"
	if got := diags.Format(dir); got != want {
		t.Errorf("Format(module dir) =\n%s\nwant\n%s", got, want)
	}
	if got := diags.Format(filepath.Join(dir, "svc")); !strings.HasPrefix(got, "a.go:7:2: ") {
		t.Errorf("Format(package dir) =\n%s", got)
	}
	for _, d := range diags {
		if !filepath.IsAbs(d.Pos.Filename) {
			t.Errorf("%q is not absolute", d.Pos.Filename)
		}
	}
	if !strings.HasPrefix(err.Error(), filepath.Join(dir, "svc", "a.go")+":7:2: ") {
		t.Errorf("Error() = %q", err)
	}
}

func TestIsGenerated(t *testing.T) {
	for _, tt := range []struct {
		content string
		want    bool
	}{
		{gen.GeneratedHeader + "\n// source: a.go\n\npackage a\n", true},
		{gen.GeneratedHeader + "\r\npackage a\n", true},
		{gen.GeneratedHeader, true},
		{"package a\n" + gen.GeneratedHeader + "\n", false},
		{"// Code generated by other. DO NOT EDIT.\n", false},
		{"", false},
	} {
		if got := gen.IsGenerated([]byte(tt.content)); got != tt.want {
			t.Errorf("IsGenerated(%q) = %v, want %v", tt.content, got, tt.want)
		}
	}
}

func TestUnifiedDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n"
	b := "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\nthirteen\n"
	want := "--- a\n+++ b\n" +
		"@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n" +
		"@@ -10,3 +10,4 @@\n 10\n 11\n 12\n+thirteen\n"
	if got := unifiedDiff("a", "b", []byte(a), []byte(b)); got != want {
		t.Errorf("unifiedDiff =\n%s\nwant\n%s", got, want)
	}
	if got := unifiedDiff("a", "b", []byte(a), []byte(a)); got != "--- a\n+++ b\n" {
		t.Errorf("diff of equal inputs:\n%s", got)
	}
	got := unifiedDiff("a", "b", []byte("x\n"), []byte("x"))
	if !strings.Contains(got, "-x\n+x\n\\ No newline at end of file") {
		t.Errorf("a missing final newline is not shown:\n%s", got)
	}
}
