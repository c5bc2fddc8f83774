package interop

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's interop table from expectations_test.go")

const (
	readmePath  = "../README.md"
	tableBegin  = "<!-- BEGIN interop table: generated from interop/expectations_test.go by `go test ./interop -update`; edit there -->"
	tableEnd    = "<!-- END interop table -->"
	lockfileRel = "package-lock.json"
)

// lockedVersions returns the version package-lock.json pins for each npm
// package.
func lockedVersions(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(lockfileRel)
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		t.Fatal(err)
	}
	v := map[string]string{}
	for path, p := range lock.Packages {
		if name, ok := strings.CutPrefix(path, "node_modules/"); ok && !strings.Contains(name, "/node_modules/") {
			v[name] = p.Version
		}
	}
	return v
}

// cell is what the table says about one feature of one row.
func cell(clientID string, r role, ser, feat string, key func(int) string) string {
	var list []check
	switch r {
	case caller:
		list = slices.Concat(callerChecks, timeCallerChecks)
		if i := slices.IndexFunc(clients, func(c client) bool { return c.id == clientID }); i >= 0 && clients[i].progressiveCall {
			list = append(list, progressiveCallChecks...)
		}
		if isTS(clientID) {
			list = slices.Concat(callerChecks, timeCallerChecks)
		}
	case callee:
		list = slices.Concat(calleeChecks, timeCalleeChecks)
		if isTS(clientID) {
			list = slices.Concat(calleeChecks, timeCalleeChecks)
		}
	case browser:
		list = browserSteps
	}
	var checks []string
	for _, c := range list {
		if c.feature == feat {
			checks = append(checks, c.name)
		}
	}
	if len(checks) == 0 {
		return "—"
	}
	mark := "✓"
	var keys []string
	for i, x := range expectations {
		if x.feature != feat || !x.applies(clientID, r, ser) {
			continue
		}
		keys = append(keys, key(i))
		for _, f := range x.fails {
			if slices.Contains(checks, f) {
				mark = "✗"
			}
		}
	}
	if len(keys) > 0 {
		return mark + " (" + strings.Join(keys, ", ") + ")"
	}
	return mark
}

// renderTable renders the README's interop table and its footnotes.
func renderTable(t *testing.T) string {
	versions := lockedVersions(t)
	var b strings.Builder
	b.WriteString("| Peer | Role | Serializer |")
	sep := "| --- | --- | --- |"
	for _, f := range features {
		b.WriteString(" " + f.title + " |")
		sep += " :-: |"
	}
	b.WriteString("\n" + sep + "\n")

	// Footnotes are lettered in the order the table first uses them.
	keys := map[int]string{}
	var order []int
	key := func(i int) string {
		if _, ok := keys[i]; !ok {
			keys[i] = string(rune('a' + len(order)))
			order = append(order, i)
		}
		return keys[i]
	}
	row := func(peer string, r role, clientID, ser string) {
		fmt.Fprintf(&b, "| %s | %s | %s |", peer, r, serializerNames[ser])
		for _, f := range features {
			b.WriteString(" " + cell(clientID, r, ser, f.id, key) + " |")
		}
		b.WriteString("\n")
	}
	for _, cl := range clients {
		peer := strings.ReplaceAll(cl.name, "|", `\|`) + " " + versions[cl.npm]
		for _, r := range []role{caller, callee} {
			for _, ser := range serializers {
				row(peer, r, cl.id, ser)
			}
		}
	}
	for _, cl := range tsClients {
		peer := strings.ReplaceAll(cl.name, "|", `\|`) + " " + versions[cl.npm]
		for _, r := range []role{caller, callee} {
			for _, ser := range serializers {
				row(peer, r, cl.id, ser)
			}
		}
	}
	for _, ser := range serializers {
		row("generated TypeScript on Wampy.js "+versions["wampy"]+" in Chromium (the web page)", browser, "wampy", ser)
	}
	b.WriteString("\n")
	for _, i := range order {
		fmt.Fprintf(&b, "- (%s) %s\n", keys[i], expectations[i].text)
	}
	for i, x := range expectations {
		if _, ok := keys[i]; !ok {
			t.Errorf("expectation %q shows in no cell of the table", x.name)
		}
	}
	return b.String()
}

// TestREADMETable keeps the README's interop table equal to what the tests
// check.
func TestREADMETable(t *testing.T) {
	want := renderTable(t)
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	before, rest, ok1 := strings.Cut(readme, tableBegin+"\n")
	current, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("README.md has no interop table between the lines\n%s\n%s", tableBegin, tableEnd)
	}
	if current == want {
		return
	}
	if *update {
		if err := os.WriteFile(readmePath, []byte(before+tableBegin+"\n"+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's interop table is not what the tests check; run go test ./interop -run README -update\n--- README.md\n%s\n--- want\n%s", current, want)
}
