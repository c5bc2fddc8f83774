package gen_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/gen"
)

// genFilesSvc declares a service; the tests put it in files of various
// names and build constraints.
const genFilesSvc = `package svc

import "context"

// Svc is a service.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	Get(ctx context.Context, key string) (string, error)
}
`

// genFilesGenerate creates a module from files, generates its code with
// extra environment, checks that every output is well formed, writes the
// outputs and returns the module's directory and the result.
func genFilesGenerate(t *testing.T, files map[string]string, env ...string) (string, *gen.Result) {
	t.Helper()
	dir := newModule(t, files)
	res := generateIn(t, dir, env...)
	for _, f := range res.Files {
		checkGenerated(t, f)
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	goIn(t, dir, "mod", "tidy") // the outputs import the runtime
	return dir, res
}

// genFilesNames returns the base names of the result's files.
func genFilesNames(res *gen.Result) []string {
	var names []string
	for _, f := range res.Files {
		names = append(names, filepath.Base(f.Path))
	}
	return names
}

// TestGOOSSuffixKept checks that the output of a source with a GOOS (or
// GOARCH) file name suffix keeps the suffix at the end of its name, so that
// it is built on the same systems: svc_linux.go → svc_wamp_linux.go, and on
// darwin, where the source is left out, the output is too (it refers to
// the source's interface).
func TestGOOSSuffixKept(t *testing.T) {
	dir, res := genFilesGenerate(t, map[string]string{
		"svc/svc_linux.go": genFilesSvc,
		"svc/other.go":     "package svc\n",
	}, "GOOS=linux")
	if got, want := genFilesNames(res), []string{"svc_wamp_linux.go"}; !slices.Equal(got, want) {
		t.Fatalf("generated %v, want %v", got, want)
	}
	vetModule(t, dir, "GOOS=linux")
	vetModule(t, dir, "GOOS=darwin")
}

// TestBuildConstraintKept checks that the output carries its source's
// build constraint, so that without the tag neither is built: a //go:build
// line is copied (in gofmt's form), and old // +build lines alone become
// the equivalent //go:build line.
func TestBuildConstraintKept(t *testing.T) {
	dir, res := genFilesGenerate(t, map[string]string{
		"svc/svc.go":   "//go:build withsvc&&!nosvc\n\n" + genFilesSvc,
		"errs/errs.go": "// +build withsvc\n// +build linux darwin\n\npackage errs\n\nimport \"errors\"\n\n// ErrX is an error.\n//\n//wampgen:error uri=com.example.errs.x\nvar ErrX = errors.New(\"x\")\n",
		"svc/other.go": "package svc\n",
		"errs/doc.go":  "package errs\n",
	}, "GOFLAGS=-tags=withsvc", "GOOS=linux")
	want := map[string]string{
		"svc_wamp.go":  "\n\n//go:build withsvc && !nosvc\n\npackage svc\n",
		"errs_wamp.go": "\n\n//go:build withsvc && (linux || darwin)\n\npackage errs\n",
	}
	if len(res.Files) != len(want) {
		t.Fatalf("generated %v, want %d files", genFilesNames(res), len(want))
	}
	for _, f := range res.Files {
		if w := want[filepath.Base(f.Path)]; !bytes.Contains(f.Content, []byte(w)) {
			t.Errorf("%s does not contain %q:\n%s", filepath.Base(f.Path), w, f.Content)
		}
	}
	vetModule(t, dir, "GOOS=linux", "GOFLAGS=-tags=withsvc")
	vetModule(t, dir, "GOOS=linux") // without the tag, neither source nor output
	vetModule(t, dir, "GOOS=linux", "GOFLAGS=-tags=withsvc,nosvc")
}

// TestExcludedSourceKeepsOutput checks that whether an earlier output is
// stale does not depend on the machine that runs wampgen: an output whose
// source exists but is excluded by build constraints here is kept, one
// whose source is gone or whose name is not the one its source now gets is
// removed, on any system.
func TestExcludedSourceKeepsOutput(t *testing.T) {
	dir, _ := genFilesGenerate(t, map[string]string{
		"svc/svc_linux.go": genFilesSvc,
		"svc/other.go":     "package svc\n",
		"api/api.go":       strings.Replace(genFilesSvc, "package svc", "package api", 1),
	}, "GOOS=linux")
	linuxOut := filepath.Join(dir, "svc", "svc_wamp_linux.go")

	// On darwin the linux output is not generated, and not stale either.
	res := generateIn(t, dir, "GOOS=darwin")
	if len(res.Stale) > 0 || !slices.Equal(genFilesNames(res), []string{"api_wamp.go"}) {
		t.Errorf("on darwin: files %v, stale %v; want api_wamp.go only, nothing stale", genFilesNames(res), res.Stale)
	}

	// api.go becomes linux-only after its output was generated: on darwin
	// the old output is compiled while its source is not, and yet it is
	// not stale: on linux it would be regenerated, not removed.
	api, _ := os.ReadFile(filepath.Join(dir, "api", "api.go"))
	if err := os.WriteFile(filepath.Join(dir, "api", "api.go"), append([]byte("//go:build linux\n\n"), api...), 0o644); err != nil {
		t.Fatal(err)
	}
	res = generateIn(t, dir, "GOOS=darwin")
	if len(res.Stale) > 0 || len(res.Files) > 0 {
		t.Errorf("on darwin, with api.go linux-only: files %v, stale %v; want none", genFilesNames(res), res.Stale)
	}

	// An output under the name an older wampgen gave it (no suffix at the
	// end) is stale on every system, as is one whose source is gone, even
	// where build constraints exclude it.
	oldName := filepath.Join(dir, "svc", "svc_linux_wamp.go")
	if err := os.WriteFile(oldName, []byte(gen.GeneratedHeader+"\n// source: svc_linux.go\n\npackage svc\n\nvar _ Svc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(dir, "svc", "gone_wamp_windows.go")
	if err := os.WriteFile(gone, []byte(gen.GeneratedHeader+"\n// source: gone_windows.go\n\npackage svc\n\nvar _ Gone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, goos := range []string{"linux", "darwin"} {
		res = generateIn(t, dir, "GOOS="+goos)
		if want := []string{gone, oldName}; !slices.Equal(res.Stale, want) {
			t.Errorf("on %s: stale %v, want %v", goos, res.Stale, want)
		}
		if goos == "linux" && !slices.Contains(genFilesNames(res), filepath.Base(linuxOut)) {
			t.Errorf("on linux: files %v, want %s among them", genFilesNames(res), filepath.Base(linuxOut))
		}
	}
}
