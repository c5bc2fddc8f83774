package gen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestWriteRollsBack makes the Nth rename of Write fail, for every N: a
// failure while moving stale files aside, or while renaming outputs into
// place after some are replaced already, must leave every file as it was,
// with its permissions, and no temporary file behind.
func TestWriteRollsBack(t *testing.T) {
	content := func(name, v string) string {
		return GeneratedHeader + "\n// source: " + name + "\n\npackage p\n\nconst V = " + v + "\n"
	}
	for failAt := 1; ; failAt++ {
		dir := t.TempDir()
		old := map[string]string{
			"a_wamp.go":     content("a.go", "1"),
			"b_wamp.go":     content("b.go", "1"),
			"stale_wamp.go": content("stale.go", "1"),
		}
		for name, c := range old {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(c), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		res := &Result{
			Files: []Output{
				{Path: filepath.Join(dir, "a_wamp.go"), Content: []byte(content("a.go", "2"))},
				{Path: filepath.Join(dir, "b_wamp.go"), Content: []byte(content("b.go", "2"))},
				{Path: filepath.Join(dir, "c_wamp.go"), Content: []byte(content("c.go", "2"))},
			},
			Stale: []string{filepath.Join(dir, "stale_wamp.go")},
		}
		calls := 0
		injected := errors.New("injected rename failure")
		rename = func(from, to string) error {
			calls++
			if calls == failAt {
				return injected
			}
			return os.Rename(from, to)
		}
		err := res.Write()
		rename = os.Rename
		if calls < failAt {
			// Write needed fewer renames than failAt: all were tried.
			if err != nil {
				t.Fatalf("Write without failures: %v", err)
			}
			if failAt < 4 {
				t.Fatalf("Write renamed only %d times", calls)
			}
			return
		}
		t.Run(fmt.Sprint("rename ", failAt), func(t *testing.T) {
			if !errors.Is(err, injected) {
				t.Fatalf("Write = %v, want the injected failure", err)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if want := []string{"a_wamp.go", "b_wamp.go", "stale_wamp.go"}; !slices.Equal(names, want) {
				t.Errorf("files %v, want %v", names, want)
			}
			for name, c := range old {
				path := filepath.Join(dir, name)
				got, err := os.ReadFile(path)
				if err != nil || string(got) != c {
					t.Errorf("%s = %q (%v), want the old content", name, got, err)
				}
				if info, err := os.Stat(path); err == nil && info.Mode().Perm() != 0o640 {
					t.Errorf("%s has mode %v, want 0640", name, info.Mode().Perm())
				}
			}
			if strings.Contains(err.Error(), "restoring") {
				t.Errorf("the rollback failed: %v", err)
			}
		})
	}
}
