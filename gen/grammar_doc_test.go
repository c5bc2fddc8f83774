package gen

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// grammarLine spells a directive as the documentation does:
// //wampgen:procedure uri=URI match=exact|prefix|wildcard ...
func grammarLine(name string) string {
	spec := directiveSpecs[name]
	parts := []string{"//wampgen:" + name}
	for _, k := range spec.keys {
		if vs, closed := spec.values[k]; closed {
			parts = append(parts, k+"="+strings.Join(vs, "|"))
		} else if k == "dir" {
			parts = append(parts, "dir=DIR")
		} else {
			parts = append(parts, k+"=URI")
		}
	}
	return strings.Join(parts, " ")
}

// TestGrammarDocumented keeps the annotation grammar in go doc
// ./cmd/wampgen and in the README the same as the one the parser accepts:
// each directive's line, with every key and every value, and, in the
// command's documentation, a paragraph on every key of procedure and
// topic.
func TestGrammarDocumented(t *testing.T) {
	cmdDoc, err := os.ReadFile("../cmd/wampgen/doc.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(directiveSpecs))
	for name := range directiveSpecs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		line := grammarLine(name)
		if !strings.Contains(string(cmdDoc), "//\t"+line+"\n") {
			t.Errorf("cmd/wampgen/doc.go does not show %q as a line of its own", line)
		}
		if !strings.Contains(string(readme), "\n  "+line+"\n") {
			t.Errorf("README.md does not show %q in its annotation grammar", line)
		}
	}
	for _, name := range []string{"procedure", "topic"} {
		for _, k := range directiveSpecs[name].keys {
			entry := "//\t" + k + "="
			if vs, closed := directiveSpecs[name].values[k]; closed {
				entry += strings.Join(vs, "|") + "\n"
			} else {
				entry += "URI\n"
			}
			if !strings.Contains(string(cmdDoc), entry) {
				t.Errorf("cmd/wampgen/doc.go does not describe the %s key %q (want a line %q)", name, k, strings.TrimSpace(entry))
			}
		}
	}
}
