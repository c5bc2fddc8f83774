package gen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
			for _, s := range f.Services {
				for _, id := range serviceNames(s.Name).declared(s) {
					ids[id] = true
				}
			}
		}
		willDeclare[l.pkg.PkgPath] = ids
	}
	res := &Result{}
	var compile, diags []Diagnostic
	for _, bp := range built {
		out, err := generatePackage(bp, willDeclare)
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
	if len(diags) > 0 {
		return nil, sortDiagnostics(diags)
	}
	slices.SortFunc(res.Files, func(a, b Output) int { return strings.Compare(a.Path, b.Path) })
	slices.Sort(res.Stale)
	slices.Sort(res.Skipped)
	return res, nil
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

// Write writes the result's files and removes its stale ones, all or
// nothing: a file whose content is unchanged is not rewritten (its
// modification time stays), and otherwise either every output is in place
// and every stale file gone, or, when anything fails, every file is as it
// was and Write returns the error.
//
// It works in three steps. It first reads every target and refuses, before
// touching anything, to overwrite a file that wampgen did not generate.
// It then writes each new content to a temporary file beside its target
// (named with a leading dot, so that the go command ignores it should the
// process die) and moves each stale file aside the same way; a failure
// here removes the temporary files and moves the stale ones back. Finally
// it renames each temporary file over its target, which replaces the
// target atomically; if a rename fails, the targets already replaced get
// their previous content back (read in the first step) and the stale files
// return. Last, it deletes the stale files it moved aside; one that cannot
// be deleted stays as a dot file, which the go command ignores, and is
// reported. A file that is replaced keeps its permissions; a new one gets
// 0644 less the umask, as os.WriteFile gives.
func (r *Result) Write() error {
	var plan []*writeStep
	for _, f := range r.Files {
		step := &writeStep{path: f.Path, content: f.Content, perm: 0o644}
		old, err := os.ReadFile(f.Path)
		switch {
		case err == nil && bytes.Equal(old, f.Content):
			continue
		case err == nil && !IsGenerated(old):
			return fmt.Errorf("%s exists and was not generated by wampgen; not overwriting it (rename the source file %s or move that file)", f.Path, filepath.Base(f.Source))
		case err == nil:
			info, err := os.Stat(f.Path)
			if err != nil {
				return err
			}
			step.old, step.existed, step.perm = old, true, info.Mode().Perm()
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("reading %s: %w", f.Path, err)
		}
		plan = append(plan, step)
	}
	for _, path := range r.Stale {
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		plan = append(plan, &writeStep{path: path, remove: true})
	}

	// Prepare: new contents beside their targets, stale files aside.
	for i, step := range plan {
		if err := step.prepare(); err != nil {
			for _, done := range plan[:i] {
				done.unprepare()
			}
			return err
		}
	}
	// Commit: each rename replaces one target atomically.
	for i, step := range plan {
		if step.remove {
			continue // moved aside already
		}
		if err := rename(step.tmp, step.path); err != nil {
			err = fmt.Errorf("writing %s: %w", step.path, err)
			var undo []error
			for _, done := range plan[:i] {
				undo = append(undo, done.rollback())
			}
			for _, rest := range plan[i:] {
				rest.unprepare()
			}
			if u := errors.Join(undo...); u != nil {
				return fmt.Errorf("%w; restoring the files written before it failed too, so some outputs are new and some old: %w", err, u)
			}
			return err
		}
	}
	var errs []error
	for _, step := range plan {
		if step.remove {
			if err := os.Remove(step.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// rename is os.Rename; tests replace it to fail on cue.
var rename = os.Rename

// writeStep is one file Write changes: a new content for path, or, with
// remove, a stale file to delete.
type writeStep struct {
	path    string
	content []byte
	remove  bool
	old     []byte // the content path had, if it existed
	existed bool
	perm    fs.FileMode
	tmp     string // the temporary file: new content, or the stale file moved aside
}

// tempName returns an unused name beside path, starting with a dot.
func tempName(path string) string {
	dir, base := filepath.Split(path)
	return filepath.Join(dir, "."+base+".wampgen-"+strconv.FormatUint(rand.Uint64(), 36))
}

// writeTemp writes content to a new temporary file beside path, with perm,
// and returns its name.
func writeTemp(path string, content []byte, perm fs.FileMode, exact bool) (string, error) {
	for {
		name := tempName(path)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("writing %s: %w", path, err)
		}
		_, err = f.Write(content)
		if err == nil && exact {
			err = f.Chmod(perm) // the umask applied at creation
		}
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(name)
			return "", fmt.Errorf("writing %s: %w", path, err)
		}
		return name, nil
	}
}

func (w *writeStep) prepare() error {
	if w.remove {
		w.tmp = tempName(w.path)
		if err := rename(w.path, w.tmp); err != nil {
			w.tmp = ""
			return fmt.Errorf("removing %s: %w", w.path, err)
		}
		return nil
	}
	tmp, err := writeTemp(w.path, w.content, w.perm, w.existed)
	w.tmp = tmp
	return err
}

// unprepare undoes prepare: it removes the temporary file, or moves the
// stale file back.
func (w *writeStep) unprepare() {
	if w.tmp == "" {
		return
	}
	if w.remove {
		rename(w.tmp, w.path)
	} else {
		os.Remove(w.tmp)
	}
	w.tmp = ""
}

// rollback undoes a committed step: the target gets its old content back,
// or goes if it did not exist; a stale file moves back.
func (w *writeStep) rollback() error {
	if w.remove {
		w.unprepare()
		return nil
	}
	if !w.existed {
		return os.Remove(w.path)
	}
	tmp, err := writeTemp(w.path, w.old, w.perm, true)
	if err != nil {
		return err
	}
	if err := rename(tmp, w.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("restoring %s: %w", w.path, err)
	}
	return nil
}
