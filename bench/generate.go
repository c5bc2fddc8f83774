package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wampgen/wampgen/gen"
)

// The generator's speed: wampgen on one package of interfaces × methods
// service interfaces, from loading the package (go/packages, which runs go
// list and type-checks) to the formatted output, in-process, nothing
// written.

// writeGenPackage writes a module with one package of interfaces services
// of methods methods each, in a mix of the shapes wampgen accepts.
func writeGenPackage(dir string, interfaces, methods int) error {
	var b strings.Builder
	b.WriteString(`// Package many has many services.
package many

import (
	"context"
	"errors"
	"iter"
)

// Point is a struct argument.
type Point struct {
	X float64 ` + "`json:\"x\"`" + `
	Y float64 ` + "`json:\"y\"`" + `
}

// Query holds keyword arguments.
type Query struct {
	Name  string   ` + "`json:\"name\"`" + `
	Limit int      ` + "`json:\"limit\"`" + `
	Tags  []string ` + "`json:\"tags\"`" + `
}

// ErrNotFound is a mapped error.
//
//wampgen:error uri=com.example.many.error.not_found
var ErrNotFound = errors.New("not found")

// The import is used even when no method streams (fewer than 6 methods).
var _ iter.Seq2[string, error]

`)
	shapes := []func(i, m int) string{
		func(i, m int) string {
			return fmt.Sprintf("Add%d(ctx context.Context, a, b float64) (float64, error)", m)
		},
		func(i, m int) string { return fmt.Sprintf("Get%d(ctx context.Context, key string) (string, error)", m) },
		func(i, m int) string {
			return fmt.Sprintf("Move%d(ctx context.Context, p Point, by []float64) (Point, error)", m)
		},
		func(i, m int) string {
			return fmt.Sprintf("//wampgen:procedure kwargs=true\n\tFind%d(ctx context.Context, q Query) ([]string, error)", m)
		},
		func(i, m int) string {
			return fmt.Sprintf("Watch%d(ctx context.Context, n int, progress func(int64) error) (int64, error)", m)
		},
		func(i, m int) string {
			return fmt.Sprintf("Lines%d(ctx context.Context, n int) (iter.Seq2[string, error], error)", m)
		},
		func(i, m int) string {
			return fmt.Sprintf("Put%d(ctx context.Context, key string, data []byte) error", m)
		},
		func(i, m int) string {
			return fmt.Sprintf("Stats%d(ctx context.Context, m map[string]int) (int, float64, error)", m)
		},
		func(i, m int) string { return fmt.Sprintf("Ping%d(ctx context.Context) error", m) },
		func(i, m int) string {
			return fmt.Sprintf("//wampgen:procedure disclose_caller=true invoke=roundrobin\n\tWho%d(ctx context.Context, p *Point) (uint64, error)", m)
		},
	}
	for i := range interfaces {
		fmt.Fprintf(&b, "// Service%d is service number %d.\n//\n//wampgen:service prefix=com.example.many.s%d\ntype Service%d interface {\n", i, i, i, i)
		for m := range methods {
			fmt.Fprintf(&b, "\t// Method %d.\n\t%s\n", m, shapes[m%len(shapes)](i, m))
		}
		b.WriteString("}\n\n")
	}
	files := map[string]string{
		"go.mod":       "module example.com/many\n\ngo 1.26\n",
		"many/many.go": b.String(),
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generateOnce runs the generator on the package in dir and checks that it
// produced one file with every service in it.
func generateOnce(dir string, interfaces int) (time.Duration, error) {
	start := time.Now()
	res, err := gen.Generate(gen.Config{Dir: filepath.Join(dir, "many"), Env: append(os.Environ(), "GOWORK=off")})
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	if len(res.Files) != 1 {
		return 0, fmt.Errorf("generated %d files, want 1", len(res.Files))
	}
	if got := strings.Count(string(res.Files[0].Content), "\nfunc Register"); got != interfaces {
		return 0, fmt.Errorf("generated %d registrars, want %d", got, interfaces)
	}
	return elapsed, nil
}
