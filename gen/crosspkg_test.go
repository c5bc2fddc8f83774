package gen_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/gen"
)

// crossPkgApp uses, from another package, the client wampgen generates
// for regenSource's Svc, and declares an error of its own.
const crossPkgApp = `package app

import (
	"context"
	"errors"

	svcpkg "example.com/m/svc"

	"github.com/wampgen/wampgen/runtime"
)

func Get(ctx context.Context, caller runtime.Caller) (string, error) {
	return svcpkg.NewSvcClient(caller).Get(ctx, "k")
}

// ErrApp is an error.
//
//wampgen:error uri=com.example.app.error
var ErrApp = errors.New("app")
`

// crossPkgTool declares nothing for wampgen, and does not compile.
const crossPkgTool = `package tool

var Broken int = "not an int"
`

// TestOtherPackageUsesClientBeingGenerated checks that wampgen ./...
// generates a client that another package of the run, itself declaring an
// error, already uses (under an import alias): before the first
// generation, and after a change that leaves the earlier output stale. The
// compile errors of a package that declares no service or error do not
// stop generation, and are not reported (the go command reports them).
func TestOtherPackageUsesClientBeingGenerated(t *testing.T) {
	dir := newModule(t, map[string]string{"svc/svc.go": regenSource, "app/app.go": crossPkgApp, "tool/tool.go": crossPkgTool})
	goIn(t, dir, "mod", "tidy")
	want := []string{filepath.Join(dir, "app", "app_wamp.go"), filepath.Join(dir, "svc", "svc_wamp.go")}

	res := generateIn(t, dir)
	var got []string
	for _, f := range res.Files {
		got = append(got, f.Path)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("first generation: %v, want %v", got, want)
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	goIn(t, dir, "build", "./svc", "./app")

	// Get becomes Fetch: the output in place no longer compiles, nor does
	// app, which calls Get; wampgen regenerates svc all the same.
	src := filepath.Join(dir, "svc", "svc.go")
	if err := os.WriteFile(src, []byte(strings.Replace(regenSource, "Get(", "Fetch(", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	res = generateIn(t, dir)
	if len(res.Files) != 2 || !strings.Contains(string(res.Files[1].Content), "func (c *SvcClient) Fetch(") {
		t.Fatalf("after the rename: %+v", res)
	}

	// A package that declares an error, and uses what the run does not
	// generate, still stops it.
	broken := "package app\n\nimport svcpkg \"example.com/m/svc\"\n\nvar _ = svcpkg.NewOtherClient\n"
	if err := os.WriteFile(filepath.Join(dir, "app", "errs.go"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := gen.Generate(gen.Config{Dir: dir, Patterns: []string{"./..."}, Env: append(os.Environ(), "GOWORK=off")})
	var d gen.Diagnostics
	if !errors.As(err, &d) || !slices.ContainsFunc(d, func(x gen.Diagnostic) bool { return x.Message == "undefined: svcpkg.NewOtherClient" }) {
		t.Errorf("with app declaring an error and using svcpkg.NewOtherClient: %v, want that reported", err)
	}
}
