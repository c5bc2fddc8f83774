package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const (
	calcTS    = "../examples/calculator/calc/calc_wamp.ts"
	supportTS = "../examples/calculator/calc/wampgen.ts"
)

// TestREADMETypeScript checks the TypeScript snippets of the README's
// "TypeScript" section against the calculator's generated module: the
// excerpt of the generated code must be calc_wamp.ts's own lines, in order
// (a line "// …" stands for lines left out), and the program must compile
// with the pinned tsc --strict against calc_wamp.ts, wampgen.ts and
// Wampy.js's types.
func TestREADMETypeScript(t *testing.T) {
	blocks := codeBlocks(t, "## TypeScript", "ts")
	if len(blocks) != 2 {
		t.Fatalf("the section has %d TypeScript snippets, want 2 (what is generated, a program using it)", len(blocks))
	}
	generated, err := os.ReadFile(calcTS)
	if err != nil {
		t.Fatal(err)
	}
	checkExcerpt(t, blocks[0], string(generated))

	tsc, err := filepath.Abs(filepath.Join("node_modules", ".bin", "tsc"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tsc); err != nil {
		t.Fatalf("tsc (the npm package typescript) is not installed: run `npm ci` in interop/ (./test.sh does): %v", err)
	}
	wampy, err := filepath.Abs(filepath.Join("node_modules", "wampy", "dist", "esm"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, src := range map[string]string{"calc_wamp.ts": calcTS, "wampgen.ts": supportTS} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The program is a module of its own; top-level await is allowed.
	if err := os.WriteFile(filepath.Join(dir, "program.ts"), []byte(blocks[1]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tsconfig := `{
  "compilerOptions": {
    "strict": true, "noEmit": true, "target": "es2022", "lib": ["es2022", "dom"],
    "module": "esnext", "moduleResolution": "bundler", "isolatedModules": true, "types": [], "skipLibCheck": true,
    "paths": {
      "wampy": ["` + filepath.ToSlash(filepath.Join(wampy, "wampy.d.ts")) + `"],
      "wampy/MsgpackSerializer.js": ["` + filepath.ToSlash(filepath.Join(wampy, "serializers", "msgpack-serializer.d.ts")) + `"]
    }
  },
  "files": ["program.ts"]
}
`
	if err := os.WriteFile(filepath.Join(dir, "tsconfig.json"), []byte(tsconfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tsc, "-p", filepath.Join(dir, "tsconfig.json"))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the README's TypeScript program does not compile (tsc --strict): %v\n%s\nprogram:\n%s", err, out, blocks[1])
	}
}

// checkExcerpt requires each line of excerpt (leading and trailing space
// aside) to be a line of full, in order; a line "// …" skips any number of
// lines.
func checkExcerpt(t *testing.T, excerpt, full string) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(full, "\n") {
		lines = append(lines, strings.TrimSpace(l))
	}
	i, checked := 0, 0
	for _, want := range strings.Split(excerpt, "\n") {
		want = strings.TrimSpace(want)
		if want == "// …" || want == "" {
			continue
		}
		j := i
		for j < len(lines) && lines[j] != want {
			j++
		}
		if j == len(lines) {
			t.Errorf("the README's excerpt of calc_wamp.ts has a line that is not in it (after the lines before it):\n\t%s", want)
			continue
		}
		i = j + 1
		checked++
	}
	if checked == 0 {
		t.Error("the README's excerpt of calc_wamp.ts has no line to check")
	}
}
