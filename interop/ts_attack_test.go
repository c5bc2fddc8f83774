package interop

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// attackBuild bundles ts/attack_test.ts (type-checked by tsBuild with the
// other programs) into tsBuildDir, once.
var attackBuild = sync.OnceValues(func() (string, error) {
	dir, err := tsBuild()
	if err != nil {
		return "", err
	}
	out, err := exec.Command(filepath.Join("node_modules", ".bin", "esbuild"), "ts/attack_test.ts",
		"--bundle", "--platform=node", "--format=esm", "--target=node20", "--packages=external", "--keep-names",
		"--outfile="+filepath.Join(dir, "attack_test.mjs"), "--log-level=warning").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("esbuild ts/attack_test.ts: %v\n%s", err, out)
	}
	return filepath.Join(dir, "attack_test.mjs"), nil
})

// TestTSAttack runs ts/attack_test.ts: the support module against what a
// hostile peer sends and a careless caller passes.
func TestTSAttack(t *testing.T) {
	t.Parallel()
	e, _ := needTS(t)
	program, err := attackBuild()
	if err != nil {
		t.Fatal(err)
	}
	results, exitErr := runNode(t, e, 2*time.Minute, program)
	checks, done := 0, false
	for _, r := range results {
		switch {
		case r["check"] != nil:
			checks++
			if r["ok"] != true {
				t.Errorf("FAIL %s: %v", r["check"], r["error"])
			}
		case r["done"] == true:
			done = true
		}
	}
	if !done || checks == 0 {
		t.Errorf("ts/attack_test.ts did not finish (%d checks): %v", checks, results)
	}
	if exitErr != nil && !t.Failed() {
		t.Errorf("ts/attack_test.ts: exit %v, but every check passed", exitErr)
	}
}
