package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The new user's module: a service, its implementation, and a test that
// serves it on an embedded router and calls it through the generated
// client. It depends on this repository through a replace directive and
// declares wampgen as a tool, so that go mod tidy keeps what go generate
// needs.

const userGoMod = `module example.com/newuser

go 1.26

require github.com/wampgen/wampgen v0.0.0

tool github.com/wampgen/wampgen/cmd/wampgen

replace github.com/wampgen/wampgen => %s
`

const userService = `// Package calc is a new user's first service.
package calc

//go:generate go run github.com/wampgen/wampgen/cmd/wampgen

import (
	"context"
	"errors"
)

// Calculator does arithmetic for remote callers.
//
//wampgen:service prefix=com.example.calc
type Calculator interface {
	// Add returns a+b.
	Add(ctx context.Context, a, b float64) (float64, error)
	// Div returns a/b, or ErrDivByZero.
	Div(ctx context.Context, a, b float64) (float64, error)
	// Count counts up to n, sending 1 … n-1 as progressive results.
	Count(ctx context.Context, n int, progress func(int) error) (int, error)
}

// ErrDivByZero is Div's answer to a zero divisor.
//
//wampgen:error uri=com.example.calc.error.div_by_zero
var ErrDivByZero = errors.New("division by zero")
`

const userImpl = `package calc

import "context"

// Service implements Calculator.
type Service struct{}

func (Service) Add(ctx context.Context, a, b float64) (float64, error) { return a + b, nil }

func (Service) Div(ctx context.Context, a, b float64) (float64, error) {
	if b == 0 {
		return 0, ErrDivByZero
	}
	return a / b, nil
}

func (Service) Count(ctx context.Context, n int, progress func(int) error) (int, error) {
	for i := 1; i < n; i++ {
		if err := progress(i); err != nil {
			return 0, err
		}
	}
	return n, nil
}
`

const userTest = `package calc_test

import (
	"errors"
	"slices"
	"testing"

	"example.com/newuser/calc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
)

var _ calc.Calculator = calc.Service{}

func TestCalculator(t *testing.T) {
	ctx := t.Context()
	r := routertest.New(t)
	callee, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: router.DefaultRealm})
	if err != nil {
		t.Fatal(err)
	}
	defer callee.Close()
	regs, err := calc.RegisterCalculator(ctx, callee, calc.Service{})
	if err != nil {
		t.Fatal(err)
	}
	defer regs.Unregister(ctx)

	caller, err := runtime.Dial(ctx, r.RawSocketURL(), runtime.Config{Realm: router.DefaultRealm})
	if err != nil {
		t.Fatal(err)
	}
	defer caller.Close()
	var c calc.Calculator = calc.NewCalculatorClient(caller)

	if sum, err := c.Add(ctx, 1, 2); err != nil || sum != 3 {
		t.Errorf("Add(1, 2) = %v, %v", sum, err)
	}
	if _, err := c.Div(ctx, 1, 0); !errors.Is(err, calc.ErrDivByZero) {
		t.Errorf("Div(1, 0) = %v, want ErrDivByZero", err)
	}
	var steps []int
	n, err := c.Count(ctx, 4, func(i int) error { steps = append(steps, i); return nil })
	if err != nil || n != 4 || !slices.Equal(steps, []int{1, 2, 3}) {
		t.Errorf("Count(4) = %d, %v with progress %v", n, err, steps)
	}
}
`

// goRun runs the go command in dir and returns its exit error and output.
func goRun(t *testing.T, dir string, args ...string) (error, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off") // the module alone, whatever the caller's workspace
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return err, stdout.String(), stderr.String()
}

func mustGo(t *testing.T, dir string, args ...string) {
	t.Helper()
	if err, stdout, stderr := goRun(t, dir, args...); err != nil {
		t.Fatalf("go %s: %v\n%s%s", strings.Join(args, " "), err, stdout, stderr)
	}
}

// position returns "line:col" of the first occurrence of sub in src.
func position(t *testing.T, src, sub string) string {
	t.Helper()
	i := strings.Index(src, sub)
	if i < 0 {
		t.Fatalf("%q not in the source", sub)
	}
	return fmt.Sprintf("%d:%d", strings.Count(src[:i], "\n")+1, i-strings.LastIndex(src[:i], "\n"))
}

// TestNewUser is what a new user does: write a module with an annotated
// interface, go generate, go test; then make each mistake DESIGN.md lists
// and see go generate fail with the precise message and write nothing.
func TestNewUser(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pkg := filepath.Join(dir, "calc")
	if err := os.Mkdir(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "go.mod"), fmt.Sprintf(userGoMod, root))
	writeFile(t, filepath.Join(dir, "go.sum"), string(sum)) // the modules are those of this repository
	writeFile(t, filepath.Join(pkg, "calc.go"), userService)
	writeFile(t, filepath.Join(pkg, "service.go"), userImpl)
	writeFile(t, filepath.Join(pkg, "calc_test.go"), userTest)

	mustGo(t, dir, "mod", "tidy")
	mustGo(t, dir, "generate", "./...")
	if _, err := os.Stat(filepath.Join(pkg, "calc_wamp.go")); err != nil {
		t.Fatalf("go generate wrote no calc_wamp.go: %v", err)
	}
	mustGo(t, dir, "test", "-count=1", "./...")
	// What CI runs to keep the output fresh.
	mustGo(t, dir, "run", "github.com/wampgen/wampgen/cmd/wampgen", "-check", "./...")

	for _, m := range []struct {
		name       string
		old, new   string // the edit to calc.go
		at         string // where the message points, in the edited source
		msg        string // the message after "calc.go:line:col: "
		msgPrefix  bool   // msg is a prefix (the rest quotes the URI rules)
		wantSuffix string
	}{
		{
			name: "missing ctx",
			old:  "Add(ctx context.Context, a, b float64)", new: "Add(a, b float64)",
			at:  "Add(a, b",
			msg: "method Calculator.Add: the first parameter must be a context.Context (rule: method shape): add ctx context.Context as the first parameter",
		},
		{
			name: "missing error result",
			old:  "Div(ctx context.Context, a, b float64) (float64, error)", new: "Div(ctx context.Context, a, b float64) float64",
			at:  "Div(ctx",
			msg: "method Calculator.Div: the last result must be error (rule: method shape): add error as the last result",
		},
		{
			name: "bad annotation key",
			old:  "//wampgen:service prefix=com.example.calc", new: "//wampgen:service prefix=com.example.calc realm=realm1",
			at:  "realm=",
			msg: `//wampgen:service: unknown key "realm" (allowed keys: prefix)`,
		},
		{
			name: "bad URI",
			old:  "uri=com.example.calc.error.div_by_zero", new: "uri=com.example.calc.error.DivByZero",
			at:        "com.example.calc.error.DivByZero",
			msg:       `uri=com.example.calc.error.DivByZero is not a valid WAMP URI: component "DivByZero" has 'D'`,
			msgPrefix: true, wantSuffix: "write one such as uri=com.example.calc.error.div_by_zero",
		},
	} {
		t.Run(m.name, func(t *testing.T) {
			src := strings.Replace(userService, m.old, m.new, 1)
			if src == userService {
				t.Fatalf("the edit %q does not apply", m.old)
			}
			writeFile(t, filepath.Join(pkg, "calc.go"), src)
			defer writeFile(t, filepath.Join(pkg, "calc.go"), userService)
			before := snapshot(t, dir)

			err, stdout, stderr := goRun(t, dir, "generate", "./...")
			if err == nil {
				t.Fatalf("go generate succeeded; stdout:\n%s", stdout)
			}
			want := "calc.go:" + position(t, src, m.at) + ": " + m.msg
			var diags []string // wampgen's lines, among the go command's
			for l := range strings.Lines(stderr) {
				if strings.HasPrefix(l, "calc.go:") {
					diags = append(diags, strings.TrimSuffix(l, "\n"))
				}
			}
			if len(diags) != 1 {
				t.Fatalf("%d diagnostics, want 1:\n%s", len(diags), stderr)
			}
			line := diags[0]
			ok := line == want
			if m.msgPrefix {
				ok = strings.HasPrefix(line, want) && strings.HasSuffix(line, m.wantSuffix)
			}
			if !ok {
				t.Errorf("go generate printed:\n%s\nwant the line:\n%s", stderr, want)
			}
			if after := snapshot(t, dir); !maps.Equal(before, after) {
				t.Error("the failed go generate changed files")
			}
		})
	}
	// Fixed again: generation is back to the output that passed the test.
	mustGo(t, dir, "run", "github.com/wampgen/wampgen/cmd/wampgen", "-check", "./...")
}
