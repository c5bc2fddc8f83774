package gen_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/gen"
	"github.com/wampgen/wampgen/templates"
)

// tscPath is the TypeScript compiler pinned in interop/package-lock.json.
const tscPath = "../interop/node_modules/.bin/tsc"

// tsconfig compiles every .ts file below it strictly, without emitting:
// ES2022 modules resolved as a bundler does (so that a module's import of
// ./wampgen.js finds wampgen.ts), and the DOM's types (AbortSignal) beside
// ES2022's, as a browser or Node has them. No @types package is read. The
// generated code must be erasable syntax only (no parameter properties,
// enums or namespaces), so that Node's type stripping runs it as it is.
const tsconfig = `{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "ES2022",
    "module": "ES2022",
    "moduleResolution": "bundler",
    "lib": ["ES2022", "DOM"],
    "types": [],
    "noFallthroughCasesInSwitch": true,
    "noImplicitOverride": true,
    "noImplicitReturns": true,
    "erasableSyntaxOnly": true,
    "verbatimModuleSyntax": true
  },
  "include": ["**/*.ts"]
}
`

// tsc returns the path of the pinned TypeScript compiler, failing the test
// when interop's npm packages are not installed.
func tsc(t *testing.T) string {
	t.Helper()
	path, err := filepath.Abs(tscPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the TypeScript compiler is not installed (%v): run `cd interop && npm ci` (./test.sh does)", err)
	}
	return path
}

// compileTypeScript type-checks every .ts file under dir with the pinned
// tsc --strict --noEmit.
func compileTypeScript(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "tsconfig.json"), []byte(tsconfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tsc(t), "-p", dir)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tsc --strict --noEmit: %v\n%s", err, out)
	}
}

// TestGoldenTypeScriptCompiles compiles every golden TypeScript module of
// testdata/golden, each beside the support module as wampgen writes them,
// and the calculator's checked-in module, with tsc --strict --noEmit (one
// run for all).
func TestGoldenTypeScriptCompiles(t *testing.T) {
	t.Parallel() // after TestGolden, which -update may have rewritten the files for
	support, err := templates.SupportModule()
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(goldenRoot)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	var modules int
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_wamp.ts"+goldenSuffix) {
			return err
		}
		rel, _ := filepath.Rel(root, strings.TrimSuffix(path, goldenSuffix))
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(tmp, "golden", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		modules++
		if err := os.WriteFile(dst, content, 0o644); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(filepath.Dir(dst), gen.SupportModuleName), support, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if modules < 20 {
		t.Fatalf("only %d golden TypeScript modules under %s; want at least 20", modules, root)
	}
	calc := filepath.Join(tmp, "calculator")
	if err := os.Mkdir(calc, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"calc_wamp.ts", gen.SupportModuleName} {
		content, err := os.ReadFile(filepath.Join("..", "examples", "calculator", "calc", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(calc, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	compileTypeScript(t, tmp)
}

// esbuildPath is the bundler pinned in interop/package-lock.json.
const esbuildPath = "../interop/node_modules/.bin/esbuild"

// goldenRunner is the entry point of TestGoldenTypeScriptRuns: it imports
// every golden module (MODULES is replaced by their imports), which runs
// each module's top level (its schemas, error classes and registry), and
// checks every error class against its module's registry (found under its
// URI, and made from an ERROR's payload as an instance of itself and of
// w.WampError that carries the message) and every struct schema.
const goldenRunner = `import * as w from './wampgen.js';
MODULES
let classes = 0;
for (const [name, m] of Object.entries(modules)) {
  if (!(m.errors instanceof w.ErrorRegistry)) throw new Error(name + ': no error registry');
  for (const [exp, v] of Object.entries(m)) {
    if (typeof v !== 'function' || typeof v.uri !== 'string' || typeof v.fromWire !== 'function') continue;
    if (m.errors.lookup(v.uri) !== v) throw new Error(name + '.' + exp + ': not in the registry under ' + v.uri);
    const e = m.errors.fromWire(v.uri, ['the message'], {});
    if (!(e instanceof v) || !(e instanceof w.WampError) || e.message !== 'the message' || e.uri !== v.uri) {
      throw new Error(name + '.' + exp + ': fromWire gave ' + e);
    }
    classes++;
  }
}
// Every struct schema decodes an empty dictionary (each field its zero
// value, as Go decodes a missing field), and encodes that value into one
// that decodes to the same again.
let schemas = 0;
for (const [name, m] of Object.entries(modules)) {
  for (const [exp, s] of Object.entries(m)) {
    if (!exp.endsWith('Schema') || typeof s !== 'object') continue;
    const zero = w.decode(s as w.Schema<unknown>, {});
    const again = w.decode(s as w.Schema<unknown>, w.encode(s as w.Schema<unknown>, zero));
    const show = (v: unknown) => JSON.stringify(v, (_k, x) => typeof x === 'bigint' ? x.toString() + 'n' : x instanceof Uint8Array ? Array.from(x) : x);
    if (show(zero) !== show(again)) throw new Error(name + '.' + exp + ': ' + show(zero) + ' came back as ' + show(again));
    schemas++;
  }
}
if (Object.keys(modules).length < 20 || classes < 10 || schemas < 10) {
  throw new Error('too few modules (' + Object.keys(modules).length + '), error classes (' + classes + ') or schemas (' + schemas + ') checked');
}
console.log(Object.keys(modules).length + ' modules, ' + classes + ' error classes, ' + schemas + ' struct schemas');
`

// TestGoldenTypeScriptRuns runs every golden TypeScript module in Node,
// bundled with esbuild as the calculator's web page is: the module's top
// level must run (a schema used before its declaration would throw), and
// its error classes must work through its registry.
func TestGoldenTypeScriptRuns(t *testing.T) {
	t.Parallel()
	support, err := templates.SupportModule()
	if err != nil {
		t.Fatal(err)
	}
	esbuild, err := filepath.Abs(esbuildPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(esbuild); err != nil {
		t.Fatalf("esbuild is not installed (%v): run `cd interop && npm ci` (./test.sh does)", err)
	}
	root, err := filepath.Abs(goldenRoot)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, gen.SupportModuleName), support, 0o644); err != nil {
		t.Fatal(err)
	}
	var imports, names []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_wamp.ts"+goldenSuffix) {
			return err
		}
		rel, _ := filepath.Rel(root, strings.TrimSuffix(path, goldenSuffix))
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(tmp, "golden", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, content, 0o644); err != nil {
			return err
		}
		// One support module for all, which the bundle holds once
		// (esbuild resolves symbolic links): with several, instanceof
		// w.WampError would depend on which.
		if err := os.Symlink(filepath.Join(tmp, gen.SupportModuleName), filepath.Join(filepath.Dir(dst), gen.SupportModuleName)); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		name := fmt.Sprintf("m%d", len(names))
		imports = append(imports, fmt.Sprintf("import * as %s from './golden/%s';", name, filepath.ToSlash(rel)))
		names = append(names, fmt.Sprintf("%q: %s", filepath.ToSlash(rel), name))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entry := strings.Replace(goldenRunner, "MODULES", strings.Join(imports, "\n")+"\nconst modules: Record<string, any> = {"+strings.Join(names, ", ")+"};", 1)
	if err := os.WriteFile(filepath.Join(tmp, "entry.ts"), []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(tmp, "bundle.mjs")
	cmd := exec.Command(esbuild, "entry.ts", "--bundle", "--platform=node", "--format=esm", "--log-level=warning", "--outfile="+bundle)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("esbuild: %v\n%s", err, out)
	}
	out, err := exec.Command("node", bundle).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// TestTypeScriptCompilerCatches keeps TestGoldenTypeScriptCompiles honest:
// the same compiler and configuration reject a module that misuses the
// support module (a string where the client method returns a number).
func TestTypeScriptCompilerCatches(t *testing.T) {
	t.Parallel()
	support, err := templates.SupportModule()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bad := "import * as w from './wampgen.js';\nexport const n: number = w.decode(w.string, 'x');\n"
	for name, content := range map[string][]byte{"bad_wamp.ts": []byte(bad), gen.SupportModuleName: support} {
		if err := os.WriteFile(filepath.Join(tmp, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, "tsconfig.json"), []byte(tsconfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tsc(t), "-p", tmp)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !bytes.Contains(out, []byte("bad_wamp.ts")) || !bytes.Contains(out, []byte("TS2322")) {
		t.Fatalf("tsc on a module assigning a string to a number: %v\n%s\nwant a failure naming bad_wamp.ts with TS2322", err, out)
	}
}

// TestTypeScriptDirStaysInModule checks that a //wampgen:typescript
// directory leading out of the package's module is a diagnostic and that
// nothing is written there, while one elsewhere in the module (a sibling of
// the package) is fine.
func TestTypeScriptDirStaysInModule(t *testing.T) {
	src := func(dir string) string {
		return "// Package svc is a service.\n//\n//wampgen:typescript dir=" + dir + "\npackage svc\n\n" +
			"import \"context\"\n\n// Svc is a service.\n//\n//wampgen:service prefix=com.example.svc\n" +
			"type Svc interface {\n\tGet(ctx context.Context, key string) (string, error)\n}\n"
	}
	dir := newModule(t, map[string]string{"svc/svc.go": src("../../outside")})
	res, err := gen.Generate(gen.Config{Dir: dir, Patterns: []string{"./svc"}})
	var diags gen.Diagnostics
	if !errors.As(err, &diags) {
		var paths []string
		if res != nil {
			for _, f := range res.Files {
				paths = append(paths, f.Path)
			}
		}
		t.Fatalf("Generate = %v (files %v), want Diagnostics", err, paths)
	}
	want := "svc/svc.go:3:1: //wampgen:typescript: dir=../../outside leads out of module example.com/m"
	if got := diags.Format(dir); !strings.HasPrefix(got, want) {
		t.Errorf("diagnostics:\n%s\nwant one starting %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "outside")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the directory out of the module: %v, want none", err)
	}

	dir = newModule(t, map[string]string{"svc/svc.go": src("../web")})
	res, err = gen.Generate(gen.Config{Dir: dir, Patterns: []string{"./svc"}})
	if err != nil {
		t.Fatalf("dir=../web: %v", err)
	}
	var paths []string
	for _, f := range res.Files {
		paths = append(paths, gen.RelPath(dir, f.Path))
	}
	for _, want := range []string{"web/svc_wamp.ts", "web/wampgen.ts"} {
		if !slices.Contains(paths, want) {
			t.Errorf("dir=../web writes %v, want %s among them", paths, want)
		}
	}
}
