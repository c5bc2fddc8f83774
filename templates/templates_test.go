package templates_test

import (
	"bytes"
	"strings"
	"testing"
	"text/template"

	"github.com/wampgen/wampgen/gen"
	"github.com/wampgen/wampgen/templates"
)

// TestSupportModule checks that the support module starts as every file
// wampgen writes does, so that wampgen overwrites it (and only it) and
// -check knows it.
func TestSupportModule(t *testing.T) {
	b, err := templates.SupportModule()
	if err != nil {
		t.Fatal(err)
	}
	if !gen.IsGenerated(b) {
		first, _, _ := bytes.Cut(b, []byte("\n"))
		t.Errorf("wampgen.ts starts with %q, want %q", first, gen.GeneratedHeader)
	}
	if bytes.Contains(b, []byte("\r")) {
		t.Errorf("wampgen.ts has carriage returns")
	}
}

// TestTypeScriptTemplate checks that the module template parses with the
// functions gen gives it, and names the ones it needs when they are
// missing.
func TestTypeScriptTemplate(t *testing.T) {
	funcs := template.FuncMap{"jsdoc": func(string, string) string { return "" }, "quote": func(s string) string { return s }}
	if _, err := templates.TypeScript(funcs); err != nil {
		t.Fatalf("TypeScript: %v", err)
	}
	_, err := templates.TypeScript(template.FuncMap{"quote": func(s string) string { return s }})
	if err == nil || !strings.Contains(err.Error(), "jsdoc") {
		t.Errorf("TypeScript without jsdoc: %v, want an error naming it", err)
	}
}
