package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/gen"
	"github.com/wampgen/wampgen/templates"
)

// TestRunTypeScript checks the TypeScript outputs end to end: -ts DIR
// writes the golden module and the support module, a directive writes
// them where it says (making the directory), and -check reports a
// missing or edited TypeScript file as it does a Go one.
func TestRunTypeScript(t *testing.T) {
	wantModule := strings.ReplaceAll(golden(t, "basic", "basic_wamp.ts.golden"),
		"github.com/wampgen/wampgen/testdata/golden/basic", "example.com/basic")
	support, err := templates.SupportModule()
	if err != nil {
		t.Fatal(err)
	}
	dir := caseModule(t, "basic")

	// -ts DIR, relative to the working directory.
	if code, stdout, stderr := wampgen(t, "-v", "-ts", "web/ts"); code != 0 || stdout != "svc_wamp.go\nweb/ts/basic_wamp.ts\nweb/ts/wampgen.ts\n" {
		t.Fatalf("-ts web/ts: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if got := readFile(t, filepath.Join(dir, "web", "ts", "basic_wamp.ts")); got != wantModule {
		t.Errorf("web/ts/basic_wamp.ts differs from basic_wamp.ts.golden:\n%s", got)
	}
	if got := readFile(t, filepath.Join(dir, "web", "ts", gen.SupportModuleName)); got != string(support) {
		t.Errorf("web/ts/wampgen.ts is not templates/wampgen.ts")
	}
	if code, _, stderr := wampgen(t, "-check", "-ts", "web/ts"); code != 0 {
		t.Errorf("-check -ts after generating: exit %d, stderr:\n%s", code, stderr)
	}
	// Without -ts and without a directive, TypeScript is not checked.
	if code, _, stderr := wampgen(t, "-check"); code != 0 {
		t.Errorf("-check without -ts: exit %d, stderr:\n%s", code, stderr)
	}

	// The directive: into a directory that does not exist yet.
	src := readFile(t, filepath.Join(dir, "svc.go"))
	writeFile(t, filepath.Join(dir, "svc.go"), strings.Replace(src, "package basic\n", "package basic\n\n//wampgen:typescript dir=gen/ts\n", 1))
	check := func(wantCode int, wantStderr string) {
		t.Helper()
		code, stdout, stderr := wampgen(t, "-check")
		if code != wantCode || stderr != wantStderr || stdout != "" {
			t.Errorf("-check: exit %d, stdout %q, stderr:\n%s\nwant exit %d, stderr:\n%s", code, stdout, stderr, wantCode, wantStderr)
		}
	}
	check(1, "gen/ts/basic_wamp.ts: missing; run go generate, or wampgen with the same flags\ngen/ts/wampgen.ts: missing; run go generate, or wampgen with the same flags\n")
	if code, stdout, stderr := wampgen(t, "-v"); code != 0 || stdout != "gen/ts/basic_wamp.ts\ngen/ts/wampgen.ts\n" {
		t.Fatalf("with the directive: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if got := readFile(t, filepath.Join(dir, "gen", "ts", "basic_wamp.ts")); got != wantModule {
		t.Errorf("gen/ts/basic_wamp.ts differs from basic_wamp.ts.golden")
	}
	check(0, "")
	module := filepath.Join(dir, "gen", "ts", "basic_wamp.ts")
	writeFile(t, module, strings.Replace(wantModule, "greet(", "greet2(", 1))
	check(1, "gen/ts/basic_wamp.ts: out of date; run go generate, or wampgen with the same flags\n")
	writeFile(t, module, wantModule)
	writeFile(t, filepath.Join(dir, "gen", "ts", gen.SupportModuleName), string(support)+"// edited\n")
	check(1, "gen/ts/wampgen.ts: out of date; run go generate, or wampgen with the same flags\n")
	if err := os.Remove(module); err != nil {
		t.Fatal(err)
	}
	check(1, "gen/ts/basic_wamp.ts: missing; run go generate, or wampgen with the same flags\ngen/ts/wampgen.ts: out of date; run go generate, or wampgen with the same flags\n")

	// -ts adds a directory to the directive's, never moves its output.
	if code, stdout, stderr := wampgen(t, "-v", "-ts", "web/ts"); code != 0 || stdout != "gen/ts/basic_wamp.ts\ngen/ts/wampgen.ts\n" {
		t.Fatalf("-ts with the directive: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	check(0, "")

	// A module in the package directory whose directive is gone is stale
	// (the support module stays: other packages' modules may use it).
	writeFile(t, filepath.Join(dir, "svc.go"), strings.Replace(src, "package basic\n", "package basic\n\n//wampgen:typescript\n", 1))
	if code, _, stderr := wampgen(t); code != 0 {
		t.Fatalf("with dir=.: exit %d, stderr:\n%s", code, stderr)
	}
	writeFile(t, filepath.Join(dir, "svc.go"), src)
	check(1, "basic_wamp.ts: stale (its source is gone, declares no service or error, or now has an output of another name); run go generate, or wampgen with the same flags\n")
	if code, stdout, stderr := wampgen(t, "-v"); code != 0 || stdout != "removed basic_wamp.ts\n" {
		t.Fatalf("without the directive: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	check(0, "")
	if _, err := os.Stat(filepath.Join(dir, gen.SupportModuleName)); err != nil {
		t.Errorf("the support module: %v", err)
	}
}

// TestRunTypeScriptSameName checks that two packages of one name whose
// TypeScript would go into one directory are a diagnostic, and that
// nothing is written then.
func TestRunTypeScriptSameName(t *testing.T) {
	dir := caseModule(t, "basic")
	other := filepath.Join(dir, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(other, "svc.go"), strings.Replace(readFile(t, filepath.Join(dir, "svc.go")), "com.example.greeter", "com.example.other", 1))
	code, stdout, stderr := wampgen(t, "-ts", "ts", "./...")
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "ts/basic_wamp.ts: TypeScript output: packages example.com/basic and example.com/basic/other would both write") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	for _, f := range []string{"svc_wamp.go", "ts"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("%s was written: %v", f, err)
		}
	}
}
