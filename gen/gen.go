package gen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Config says what to generate.
type Config struct {
	// Dir is the directory patterns are resolved in (default: the current
	// directory).
	Dir string
	// Patterns are go/packages patterns (default: ".").
	Patterns []string
	// Env is the environment for the go command (default: the process's).
	Env []string
	// TypeScript, when set, turns TypeScript output on for every package
	// (wampgen -ts DIR): each package's module, <package>_wamp.ts, and the
	// support module wampgen.ts go into this directory (relative to Dir
	// unless absolute). Without it, only packages with a
	// //wampgen:typescript directive get TypeScript, in the directory
	// the directive names.
	TypeScript string
}

// Output is one file to write.
type Output struct {
	Path    string // absolute path of the generated file
	Source  string // absolute path of the source file it was generated from
	Content []byte
}

// Result is everything one Generate run produced.
type Result struct {
	Files []Output
	// Stale lists generated files (with the wampgen header) whose source
	// is gone or no longer declares a service or an error: they should be
	// removed. A file generated from a source that the build constraints
	// exclude on this machine is not stale.
	Stale []string
	// Skipped lists the import paths of the matched packages that have
	// only test files (_test.go), which wampgen does not read: ./...
	// matches them in ordinary repositories.
	Skipped []string
}

// Generate loads the packages, checks them, and renders their output. When
// the input has problems it returns a Diagnostics error listing all of them
// and no files. A package that does not compile is reported as such,
// before anything else.
func Generate(cfg Config) (*Result, error) {
	if cfg.Dir == "" {
		cfg.Dir = "."
	}
	if len(cfg.Patterns) == 0 {
		cfg.Patterns = []string{"."}
	}
	pkgs, err := load(cfg.Dir, cfg.Patterns, cfg.Env)
	if err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("no packages match %s", strings.Join(cfg.Patterns, " "))
	}
	// Build every model first: a package may use what wampgen is about
	// to generate in another package of the run.
	built := make([]*builtPackage, len(pkgs))
	willDeclare := map[string]map[string]bool{} // import path → identifiers
	for i, l := range pkgs {
		bp := buildPackage(l)
		built[i] = bp
		if bp.model == nil {
			continue
		}
		ids := map[string]bool{}
		for _, f := range bp.model.Files {
			for _, id := range f.declared() {
				ids[id] = true
			}
		}
		willDeclare[l.pkg.PkgPath] = ids
	}
	tsDir := cfg.TypeScript
	if tsDir != "" && !filepath.IsAbs(tsDir) {
		abs, err := filepath.Abs(filepath.Join(cfg.Dir, tsDir))
		if err != nil {
			return nil, err
		}
		tsDir = abs
	}
	res := &Result{}
	var compile, diags []Diagnostic
	tsModules := map[string]string{} // TypeScript module path → the import path of its package
	for _, bp := range built {
		out, err := generatePackageTo(bp, willDeclare, tsDir, tsModules)
		if err != nil {
			return nil, err
		}
		compile = append(compile, out.compile...)
		diags = append(diags, out.diags...)
		res.Files = append(res.Files, out.files...)
		res.Stale = append(res.Stale, out.stale...)
		if out.testOnly {
			res.Skipped = append(res.Skipped, bp.l.pkg.PkgPath)
		}
	}
	if len(compile) > 0 {
		return nil, Diagnostics(compile) // each package's header first
	}
	diags = append(diags, checkRunTopicURIs(built)...)
	if len(diags) > 0 {
		return nil, sortDiagnostics(diags)
	}
	slices.SortFunc(res.Files, func(a, b Output) int { return strings.Compare(a.Path, b.Path) })
	// One support module a directory, however many packages write there.
	res.Files = slices.CompactFunc(res.Files, func(a, b Output) bool { return a.Path == b.Path })
	slices.Sort(res.Stale)
	slices.Sort(res.Skipped)
	return res, nil
}

// checkRunTopicURIs reports the topic URIs that another package of the
// run uses too, for a topic or as a procedure URI: the builder of each
// package checks its own (see checkTopicProcedureURIs), and a router knows
// nothing of packages.
func checkRunTopicURIs(built []*builtPackage) []Diagnostic {
	type use struct{ pkg, where string }
	procs, topics := map[string]use{}, map[string]use{}
	for _, bp := range built {
		if bp.model == nil {
			continue
		}
		for _, f := range bp.model.Files {
			for _, s := range f.Services {
				for _, m := range s.Methods {
					if _, dup := procs[m.URI]; !dup && m.URI != "" {
						procs[m.URI] = use{bp.l.pkg.PkgPath, s.Name + "." + m.Name}
					}
				}
			}
		}
	}
	var diags []Diagnostic
	for _, bp := range built {
		if bp.model == nil {
			continue
		}
		pkg := bp.l.pkg.PkgPath
		for _, f := range bp.model.Files {
			for _, t := range f.Topics {
				for _, m := range t.Methods {
					if m.URI == "" {
						continue
					}
					where := t.Name + "." + m.Name
					if first, dup := topics[m.URI]; !dup {
						topics[m.URI] = use{pkg, where}
					} else if first.pkg != pkg {
						diags = append(diags, Diagnostic{Pos: m.Pos, Message: fmt.Sprintf(
							"method %s: topic URI %q is already used by %s (package %s): give one of them another uri=", where, m.URI, first.where, first.pkg)})
					}
					if proc, dup := procs[m.URI]; dup && proc.pkg != pkg {
						diags = append(diags, Diagnostic{Pos: m.Pos, Message: fmt.Sprintf(
							"method %s: topic URI %q is also the URI of procedure %s (package %s): give one of them another uri= (one URI naming a procedure and a topic confuses readers and authorization rules, which routers key by URI)", where, m.URI, proc.where, proc.pkg)})
					}
				}
			}
		}
	}
	return diags
}

// builtPackage is one loaded package and, when it could be read, its
// model and the builder's diagnostics.
type builtPackage struct {
	l     loaded
	b     *builder
	model *Package
}

// buildPackage builds the model of a package that has types and syntax.
func buildPackage(l loaded) *builtPackage {
	if l.pkg.Types == nil || len(l.pkg.Syntax) == 0 {
		return &builtPackage{l: l}
	}
	b := newBuilder(l)
	return &builtPackage{l: l, b: b, model: b.build()}
}

// packageOutput is what one package gives: its compile errors (the
// package's header first), or its diagnostics, or its files.
type packageOutput struct {
	compile, diags []Diagnostic
	files          []Output
	stale          []string
	testOnly       bool // the package has only test files, and was skipped
}

// generatePackage checks and renders one built package. The compile
// errors of a package that declares no service or error do not stop
// generation, and are not reported: wampgen reads nothing from it, and the
// go command reports them when it builds the package (often they are
// about output wampgen is about to write, in a form compileErrors does
// not recognize).
func generatePackage(bp *builtPackage, willDeclare map[string]map[string]bool) (packageOutput, error) {
	return generatePackageTo(bp, willDeclare, "", map[string]string{})
}

// generatePackageTo is generatePackage with TypeScript output into tsDir
// (when not empty, else where the package's directive says, if it has
// one); tsModules holds the TypeScript modules of the run so far.
func generatePackageTo(bp *builtPackage, willDeclare map[string]map[string]bool, tsDir string, tsModules map[string]string) (packageOutput, error) {
	var out packageOutput
	l, model := bp.l, bp.model
	if model == nil {
		if testOnly(l.pkg) {
			out.testOnly = true
			return out, nil
		}
		out.compile = compileErrors(l.pkg, nil)
		if len(l.pkg.Errors) == 0 {
			out.compile = append(out.compile, Diagnostic{Message: fmt.Sprintf("package %s has no Go files to read", l.pkg.PkgPath)})
		}
		return out, nil
	}
	declares := len(model.Files) > 0 || len(bp.b.diags) > 0
	if errs := compileErrors(l.pkg, willDeclare); len(errs) > 0 && declares {
		first := Diagnostic{Pos: errs[0].Pos, Message: fmt.Sprintf("package %s does not compile; fix its errors first (wampgen reads types from the compiler):", l.pkg.PkgPath)}
		first.Pos.Column, first.Pos.Line = 0, 0
		out.compile = append([]Diagnostic{first}, errs...)
		return out, nil
	}
	if len(bp.b.diags) > 0 {
		out.diags = bp.b.diags
		return out, nil
	}
	constraints, err := buildConstraints(l.pkg.Fset, l.pkg.Syntax)
	if err != nil {
		return out, err
	}
	outputs := map[string]bool{}
	for _, f := range model.Files {
		f.Build = constraints[f.Source]
		content, err := Emit(model, f)
		if err != nil {
			return out, err
		}
		path := filepath.Join(model.Dir, f.Output)
		outputs[path] = true
		out.files = append(out.files, Output{Path: path, Source: filepath.Join(model.Dir, f.Source), Content: content})
	}
	if tsDir != "" || model.TypeScript != nil || hasTypeScript(model.Dir) {
		files, stale, diags, err := typeScriptOutputs(bp, tsDir, tsModules)
		if err != nil {
			return out, err
		}
		if len(diags) > 0 {
			// Nothing is written for a package with diagnostics, its Go
			// output neither (as for the builder's).
			out.diags, out.files = diags, nil
			return out, nil
		}
		out.files = append(out.files, files...)
		out.stale = append(out.stale, stale...)
	}
	loadedSources := map[string]bool{}
	for _, f := range l.pkg.GoFiles {
		loadedSources[f] = true
	}
	for g, source := range l.earlier {
		if !outputs[g] && isStale(g, source, loadedSources) {
			out.stale = append(out.stale, g)
		}
	}
	return out, nil
}

// testOnly reports whether p is a package of test files only: the go
// command lists it without errors (a directory without any Go file, or
// whose files the build constraints all exclude, is an error of its own),
// and with no file to build. Files its build constraints exclude may sit
// beside the tests (a //go:build ignore program run with go run), unless
// one holds a //wampgen: directive: that package declares something whose
// generated code cannot be checked with this build configuration, and is
// reported.
func testOnly(p *packages.Package) bool {
	if len(p.GoFiles) != 0 || len(p.CompiledGoFiles) != 0 || len(p.Errors) != 0 {
		return false
	}
	for _, f := range p.IgnoredFiles {
		if filepath.Ext(f) != ".go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil || bytes.Contains(src, []byte("//wampgen:")) {
			return false
		}
	}
	return true
}

// isStale reports whether g, a file wampgen generated earlier from source
// and does not generate now, should be removed. It should when its source
// is gone, or was loaded (so it declares no service or error now, or its
// output has another name), or would now have an output of another name.
// It should not when its source is merely excluded by build constraints
// on this machine (svc_linux.go on darwin): the output is the same
// whichever machine runs wampgen. A file whose header names no source is
// stale when it was loaded.
func isStale(g, source string, loadedSources map[string]bool) bool {
	if source == "" {
		return loadedSources[g]
	}
	path := filepath.Join(filepath.Dir(g), source)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return true
	}
	return loadedSources[path] || OutputName(source) != filepath.Base(g)
}

// hasTypeScript reports whether dir holds a TypeScript module wampgen
// generated (which may be stale).
func hasTypeScript(dir string) bool {
	found, _ := filepath.Glob(filepath.Join(dir, "*_wamp.ts"))
	for _, f := range found {
		if typeScriptSource(f) != "" {
			return true
		}
	}
	return false
}
