package main

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/gen"
)

// The tests of run change the working directory (t.Chdir), so none of the
// tests in this package runs in parallel with them; the end-to-end test,
// which runs the go command in directories of its own, is in e2e_test.go.

const goldenDir = "../../testdata/golden"

// caseModule copies the Go files of a golden case (not its tests) into a
// new module of its own in a temporary directory, changes into it, and
// returns it. The module requires what this repository requires and this
// repository itself (through a replace directive), so that the files
// wampgen writes there compile, as in a user's module.
func caseModule(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := filepath.Abs(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(filepath.Dir(filepath.Dir(src)))
	goMod := readFile(t, filepath.Join(root, "go.mod"))
	goMod = strings.Replace(goMod, "module github.com/wampgen/wampgen\n", "module example.com/"+name+"\n", 1)
	goMod += "\nrequire github.com/wampgen/wampgen v0.0.0\n\nreplace github.com/wampgen/wampgen => " + root + "\n"
	writeFile(t, filepath.Join(dir, "go.mod"), goMod)
	writeFile(t, filepath.Join(dir, "go.sum"), readFile(t, filepath.Join(root, "go.sum")))
	files, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("case %s: no Go files (%v)", name, err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		content, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, filepath.Base(f)), string(content))
	}
	t.Chdir(dir)
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(content)
}

// snapshot returns the files below dir, by relative path, with their
// contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		out[rel] = readFile(t, path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wampgen runs the command in-process and returns its exit code and
// output.
func wampgen(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func golden(t *testing.T, name, file string) string {
	t.Helper()
	return readFile(t, filepath.Join(goldenDir, name, file))
}

func TestRunWritesFiles(t *testing.T) {
	// Read the goldens before changing directory.
	wantSvc := golden(t, "errors_only_file", "svc_wamp.go.golden")
	wantErrors := golden(t, "errors_only_file", "errors_wamp.go.golden")
	dir := caseModule(t, "errors_only_file")

	code, stdout, stderr := wampgen(t, "-v")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}
	if stdout != "errors_wamp.go\nsvc_wamp.go\n" {
		t.Errorf("-v listed:\n%s", stdout)
	}
	if got := readFile(t, filepath.Join(dir, "svc_wamp.go")); got != wantSvc {
		t.Errorf("svc_wamp.go differs from the golden file")
	}
	if got := readFile(t, filepath.Join(dir, "errors_wamp.go")); got != wantErrors {
		t.Errorf("errors_wamp.go differs from the golden file")
	}

	// Running again changes nothing and, without -v, prints nothing.
	before := snapshot(t, dir)
	if code, stdout, stderr := wampgen(t); code != 0 || stdout != "" || stderr != "" {
		t.Errorf("second run: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if after := snapshot(t, dir); !maps.Equal(before, after) {
		t.Error("the second run changed files")
	}
}

func TestRunPatterns(t *testing.T) {
	dir := caseModule(t, "basic")
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(sub, "sub.go"), strings.Replace(readFile(t, filepath.Join(dir, "svc.go")), "package basic", "package sub", 1))

	code, stdout, stderr := wampgen(t, "-v", "./...")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if want := "sub/sub_wamp.go\nsvc_wamp.go\n"; stdout != want {
		t.Errorf("-v ./... listed\n%s\nwant\n%s", stdout, want)
	}
}

func TestRunDiagnostics(t *testing.T) {
	for _, name := range []string{"no_ctx", "bad_uri", "not_compiling", "unknown_directive"} {
		t.Run(name, func(t *testing.T) {
			want := golden(t, name, "diagnostics.golden")
			dir := caseModule(t, name)
			before := snapshot(t, dir)
			code, stdout, stderr := wampgen(t)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if stdout != "" {
				t.Errorf("stdout: %s", stdout)
			}
			// Diagnostics are relative to the working directory, as in
			// the golden file; only the module path of the case differs.
			want = strings.ReplaceAll(want, "github.com/wampgen/wampgen/testdata/golden/"+name, "example.com/"+name)
			if stderr != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
			}
			if after := snapshot(t, dir); !maps.Equal(before, after) {
				t.Errorf("files changed: %v → %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
			}
		})
	}
}

// TestRunDiagnosticsWriteNothing checks that with diagnostics in one
// package nothing is written for any package, and nothing stale removed.
func TestRunDiagnosticsWriteNothing(t *testing.T) {
	dir := caseModule(t, "basic")
	bad := filepath.Join(dir, "bad")
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(bad, "bad.go"), "package bad\n\n//wampgen:service prefix=com.example.bad\ntype Bad interface {\n\tDo() error\n}\n")
	stale := gen.GeneratedHeader + "\n// source: gone.go\n\npackage basic\n"
	writeFile(t, filepath.Join(dir, "gone_wamp.go"), stale)
	before := snapshot(t, dir)

	code, _, stderr := wampgen(t, "./...")
	if code != 1 || !strings.HasPrefix(stderr, "bad/bad.go:5:2: method Bad.Do: the first parameter must be a context.Context") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if after := snapshot(t, dir); !maps.Equal(before, after) {
		t.Errorf("files changed: %v → %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
	}
	if _, err := os.Stat(filepath.Join(bad, "bad_wamp.go")); !os.IsNotExist(err) {
		t.Errorf("bad_wamp.go: %v", err)
	}
}

func TestRunUsageErrors(t *testing.T) {
	caseModule(t, "basic")
	code, stdout, stderr := wampgen(t, "-nope")
	if code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
	if stdout != "" || !strings.Contains(stderr, "flag provided but not defined: -nope") || !strings.Contains(stderr, "usage: wampgen") {
		t.Errorf("bad flag: stdout %q, stderr:\n%s", stdout, stderr)
	}
	if _, err := os.Stat("svc_wamp.go"); !os.IsNotExist(err) {
		t.Errorf("a bad flag wrote svc_wamp.go: %v", err)
	}
	if code, _, stderr := wampgen(t, "-h"); code != 0 || !strings.Contains(stderr, "-check") {
		t.Errorf("-h: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestRunRefusesToOverwrite checks the I/O error of an output path taken
// by a file wampgen did not write.
func TestRunRefusesToOverwrite(t *testing.T) {
	dir := caseModule(t, "basic")
	mine := "package basic\n\n// Mine is hand-written.\nconst Mine = 1\n"
	writeFile(t, filepath.Join(dir, "svc_wamp.go"), mine)
	code, _, stderr := wampgen(t)
	if code != 2 || !strings.Contains(stderr, "was not generated by wampgen; not overwriting it") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if got := readFile(t, filepath.Join(dir, "svc_wamp.go")); got != mine {
		t.Errorf("the hand-written file changed")
	}
}

func TestRunCheck(t *testing.T) {
	dir := caseModule(t, "basic")
	out := filepath.Join(dir, "svc_wamp.go")
	check := func(wantCode int, wantStderr string) {
		t.Helper()
		before := snapshot(t, dir)
		code, stdout, stderr := wampgen(t, "-check")
		if code != wantCode || stderr != wantStderr || stdout != "" {
			t.Errorf("-check: exit %d, stdout %q, stderr:\n%s\nwant exit %d, stderr:\n%s", code, stdout, stderr, wantCode, wantStderr)
		}
		if after := snapshot(t, dir); !maps.Equal(before, after) {
			t.Errorf("-check changed files")
		}
	}

	check(1, "svc_wamp.go: missing; run go generate, or wampgen with the same flags\n")
	if code, _, stderr := wampgen(t); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	check(0, "")

	// A hand edit of the output.
	generated := readFile(t, out)
	writeFile(t, out, strings.Replace(generated, "greeter", "GREETER", 1))
	check(1, "svc_wamp.go: out of date; run go generate, or wampgen with the same flags\n")
	writeFile(t, out, generated)
	check(0, "")

	// A change of the source.
	src := readFile(t, filepath.Join(dir, "svc.go"))
	writeFile(t, filepath.Join(dir, "svc.go"), strings.Replace(src, "prefix=com.example.greeter", "prefix=com.example.hello", 1))
	check(1, "svc_wamp.go: out of date; run go generate, or wampgen with the same flags\n")
	if code, _, stderr := wampgen(t); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	check(0, "")

	// A generated file whose source declares nothing any more (or is gone)
	// is stale, and a run removes it.
	writeFile(t, filepath.Join(dir, "gone_wamp.go"), gen.GeneratedHeader+"\n// source: gone.go\n\npackage basic\n\nvar Gone = undefined\n")
	check(1, "gone_wamp.go: stale (its source is gone, declares no service or error, or now has an output of another name); run go generate, or wampgen with the same flags\n")
	code, stdout, stderr := wampgen(t, "-v")
	if code != 0 || stdout != "removed gone_wamp.go\n" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "gone_wamp.go")); !os.IsNotExist(err) {
		t.Errorf("gone_wamp.go: %v", err)
	}
	check(0, "")

	// Diagnostics make -check fail too, with the diagnostics.
	writeFile(t, filepath.Join(dir, "svc.go"), strings.Replace(src, "Ping(ctx context.Context) error", "Ping(ctx context.Context)", 1))
	code, _, stderr = wampgen(t, "-check")
	if code != 1 || !strings.Contains(stderr, "method Greeter.Ping: the last result must be error") {
		t.Errorf("-check with diagnostics: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestRunSkipsTestOnlyPackages checks that a package of test files only,
// which ./... matches in ordinary repositories, is skipped silently (with
// -v, named), both when generating and with -check.
func TestRunSkipsTestOnlyPackages(t *testing.T) {
	dir := caseModule(t, "basic")
	only := filepath.Join(dir, "onlytests")
	if err := os.Mkdir(only, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(only, "x_test.go"), "package onlytests\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n")

	if code, stdout, stderr := wampgen(t, "./..."); code != 0 || stdout != "" || stderr != "" {
		t.Errorf("./...: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "svc_wamp.go")); err != nil {
		t.Errorf("the package beside the test-only one was not generated: %v", err)
	}
	if code, stdout, stderr := wampgen(t, "-check", "./..."); code != 0 || stdout != "" || stderr != "" {
		t.Errorf("-check ./...: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	want := "skipped example.com/basic/onlytests: only test files\n"
	if code, stdout, stderr := wampgen(t, "-v", "-check", "./..."); code != 0 || stdout != want || stderr != "" {
		t.Errorf("-v -check ./...: exit %d, stdout %q (want %q), stderr:\n%s", code, stdout, want, stderr)
	}
	// Named on its own, too.
	if code, stdout, stderr := wampgen(t, "-v", "./onlytests"); code != 0 || stdout != want || stderr != "" {
		t.Errorf("-v ./onlytests: exit %d, stdout %q (want %q), stderr:\n%s", code, stdout, want, stderr)
	}
	// A directory without any Go file is still an error.
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := wampgen(t, "./empty"); code == 0 {
		t.Errorf("./empty: exit 0, stderr:\n%s", stderr)
	}
}

// TestRunSkipsTestOnlyPackagesWithIgnoredFiles: a package whose only files
// the build sees are tests, beside a file its build constraints exclude
// (a //go:build ignore program run with go run), is as ordinary as one of
// test files only, and the go command builds and vets ./... with it: it is
// skipped too. A package whose excluded file declares a service is not: its
// generated code cannot be checked on this machine, and wampgen says so.
func TestRunSkipsTestOnlyPackagesWithIgnoredFiles(t *testing.T) {
	dir := caseModule(t, "basic")
	only := filepath.Join(dir, "onlytests")
	if err := os.Mkdir(only, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(only, "x_test.go"), "package onlytests\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n")
	writeFile(t, filepath.Join(only, "tool.go"), "//go:build ignore\n\npackage main\n\nfunc main() {}\n")
	if code, stdout, stderr := wampgen(t, "./..."); code != 0 || stdout != "" || stderr != "" {
		t.Errorf("./...: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	want := "skipped example.com/basic/onlytests: only test files\n"
	for _, args := range [][]string{{"-v", "./..."}, {"-v", "-check", "./..."}} {
		if code, stdout, stderr := wampgen(t, args...); code != 0 || stdout != want || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q (want %q), stderr:\n%s", args, code, stdout, want, stderr)
		}
	}
	writeFile(t, filepath.Join(only, "svc_never.go"), "//go:build never\n\npackage onlytests\n\nimport \"context\"\n\n// S serves.\n//\n//wampgen:service prefix=com.example.s\ntype S interface {\n\tA(ctx context.Context) error\n}\n")
	if code, _, stderr := wampgen(t, "-check", "./..."); code != 1 || !strings.Contains(stderr, "onlytests") {
		t.Errorf("-check ./... with an excluded service: exit %d, stderr:\n%s", code, stderr)
	}
}
