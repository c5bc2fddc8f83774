package gen_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/wampgen/wampgen/gen"
)

// generateIn runs the generator on ./... in dir, with extra environment
// (GOOS=darwin, GOFLAGS=-tags=x), and fails the test on diagnostics or any
// other error.
func generateIn(t *testing.T, dir string, env ...string) *gen.Result {
	t.Helper()
	res, err := gen.Generate(gen.Config{Dir: dir, Patterns: []string{"./..."}, Env: append(os.Environ(), append([]string{"GOWORK=off"}, env...)...)})
	if d, ok := errors.AsType[gen.Diagnostics](err); ok {
		t.Fatalf("diagnostics:\n%s", d.Format(dir))
	}
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// vetModule fails the test when go vet ./... (which type-checks, and
// checks build constraint lines) fails in dir with extra environment.
func vetModule(t *testing.T, dir string, env ...string) {
	t.Helper()
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOWORK=off"), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet with %v: %v\n%s", env, err, bytes.TrimSpace(out))
	}
}
