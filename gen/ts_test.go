package gen_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
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
// ES2022's, as a browser or Node has them. No @types package is read.
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
    "noImplicitReturns": true
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
