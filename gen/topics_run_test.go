package gen_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/gen"
)

// TestTopicURIsAcrossPackages: a topic URI is checked against every topic
// and procedure of the run, not only those of its own package: a topic
// URI that another package's topic uses, or that is another package's
// procedure URI, is a diagnostic, as within one package.
func TestTopicURIsAcrossPackages(t *testing.T) {
	const a = `package a

import "context"

// Svc is a service.
//
//wampgen:service prefix=com.example.a
type Svc interface {
	Get(ctx context.Context) error
}

// Events are events.
//
//wampgen:topics prefix=com.example.ev
type Events interface {
	Happened(ctx context.Context) error
}
`
	const b = `package b

import "context"

// Others are events of another package.
//
//wampgen:topics prefix=com.example.other
type Others interface {
	// Happened is a's topic too.
	//
	//wampgen:topic uri=com.example.ev.happened
	Happened(ctx context.Context) error
	// Get is a's procedure's URI.
	//
	//wampgen:topic uri=com.example.a.get
	Get(ctx context.Context) error
	// Fine has a URI of its own.
	Fine(ctx context.Context) error
}
`
	dir := newModule(t, map[string]string{"a/a.go": a, "b/b.go": b})
	goIn(t, dir, "mod", "tidy")
	_, err := gen.Generate(gen.Config{Dir: dir, Patterns: []string{"./..."}, Env: append(os.Environ(), "GOWORK=off")})
	d, ok := errors.AsType[gen.Diagnostics](err)
	if !ok {
		t.Fatalf("Generate: %v, want diagnostics", err)
	}
	got := d.Format(dir)
	for _, want := range []string{
		`b/b.go:12:2: method Others.Happened: topic URI "com.example.ev.happened" is already used by Events.Happened (package example.com/m/a)`,
		`b/b.go:16:2: method Others.Get: topic URI "com.example.a.get" is also the URI of procedure Svc.Get (package example.com/m/a)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnostics:\n%s\nwant one starting %s", got, want)
		}
	}
	if n := strings.Count(got, "\n") + 1; n != 2 {
		t.Errorf("%d diagnostics, want 2:\n%s", n, got)
	}
}
