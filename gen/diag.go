package gen

import (
	"cmp"
	"fmt"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
)

// Diagnostic is one problem found in the input, at a position.
type Diagnostic struct {
	Pos     token.Position
	Message string
}

// Format returns "file:line:col: message", with the file name relative to
// dir when it lies below it.
func (d Diagnostic) Format(dir string) string {
	name := RelPath(dir, d.Pos.Filename)
	if name == "" {
		return d.Message
	}
	if d.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", name, d.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", name, d.Pos.Line, d.Pos.Column, d.Message)
}

func (d Diagnostic) String() string { return d.Format("") }

// RelPath returns path relative to dir when it lies below dir, and path
// otherwise (or when dir is empty).
func RelPath(dir, path string) string {
	if dir == "" || path == "" {
		return path
	}
	if rel, err := filepath.Rel(dir, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}

// Diagnostics is the error Generate returns when the input has problems.
type Diagnostics []Diagnostic

func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Format formats every diagnostic relative to dir, one a line.
func (ds Diagnostics) Format(dir string) string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.Format(dir)
	}
	return strings.Join(lines, "\n")
}

// sortDiagnostics orders by file, line, column and message, and drops exact
// duplicates.
func sortDiagnostics(ds []Diagnostic) Diagnostics {
	slices.SortFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(cmp.Compare(a.Pos.Filename, b.Pos.Filename), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column), cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(ds)
}

// diagnoser collects diagnostics against a file set.
type diagnoser struct {
	fset  *token.FileSet
	diags []Diagnostic
}

func (d *diagnoser) errorf(pos token.Pos, format string, args ...any) {
	d.diags = append(d.diags, Diagnostic{Pos: d.fset.Position(pos), Message: fmt.Sprintf(format, args...)})
}
