package otelwamp_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreDoesNotLinkOpenTelemetry: the core packages never import
// OpenTelemetry, so that only programs importing otelwamp link it.
func TestCoreDoesNotLinkOpenTelemetry(t *testing.T) {
	core := []string{
		"github.com/wampgen/wampgen/runtime",
		"github.com/wampgen/wampgen/wamp",
		"github.com/wampgen/wampgen/router",
		"github.com/wampgen/wampgen/examples/calculator/calc",
	}
	out, err := exec.Command("go", append([]string{"list", "-deps"}, core...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "go.opentelemetry.io/") || dep == "github.com/wampgen/wampgen/otelwamp" {
			t.Errorf("a core package depends on %s", dep)
		}
	}
}
