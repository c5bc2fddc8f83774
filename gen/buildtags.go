package gen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/token"
	"path/filepath"
	"strings"
)

// An output file is built exactly when its source file is: it carries the
// source's //go:build line, and its name keeps the source's GOOS and GOARCH
// suffix at the end, where the go command looks for it (svc_linux.go →
// svc_wamp_linux.go). Otherwise the output of a linux-only source would be
// compiled on every other system too, and refer to a type that is not there.

// knownOS and knownArch are the words go/build takes for a GOOS or GOARCH in
// a file name: go/build's own lists (internal/syslist, Go 1.26), which also
// hold names reserved for ports that do not exist (yet), such as hurd or
// sparc. The go/build package exports no such list, and asking the
// installed toolchain (go tool dist list) would make the output's name
// depend on the machine and the Go release that runs wampgen; a list fixed
// here gives every machine the same names. TestGOOSSuffixKnownNames checks
// it against go/build and the toolchain's ports.
var (
	knownOS = setOf("aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios",
		"js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos")
	knownArch = setOf("386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64",
		"mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le",
		"riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm")
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// splitGOOSSuffix splits a file name without its ".go" into the stem and
// the _GOOS, _GOARCH or _GOOS_GOARCH suffix that restricts the file to
// some systems, by go/build's rules (goodOSArchFile): only a name without
// a dot has one, and only after its first underscore ("linux.go" has none,
// "linux_amd64.go" is amd64-only). suffix is "" when there is none.
func splitGOOSSuffix(name string) (stem, suffix string) {
	i := strings.IndexByte(name, '_')
	if strings.Contains(name, ".") || i < 0 {
		// go/build looks only before the first dot, which stays in
		// front of whatever is appended.
		return name, ""
	}
	parts := strings.Split(name[i+1:], "_")
	n, k := len(parts), 0
	switch {
	case n >= 2 && knownOS[parts[n-2]] && knownArch[parts[n-1]]:
		k = 2
	case knownOS[parts[n-1]] || knownArch[parts[n-1]]:
		k = 1
	}
	if k == 0 {
		return name, ""
	}
	suffix = "_" + strings.Join(parts[n-k:], "_")
	return name[:len(name)-len(suffix)], suffix
}

// buildConstraint returns the build constraint in a Go file's header as
// the expression of a //go:build line: the file's //go:build line or, in
// a file with only old-style // +build lines, their conjunction; "" when
// the file has none. It reads the header as go/build does (parseFileHeader
// and shouldBuild in go/build/build.go): //go:build lines anywhere before
// the package clause outside /* */ comments, // +build lines only before
// the last blank line that precedes the first non-comment line.
func buildConstraint(content []byte) (string, error) {
	var (
		goBuild     string
		plusBuild   []string
		header      []string // lines up to the last blank one, for // +build
		pending     []string // lines since the last blank one
		ended       bool     // a line that is not a // comment was seen
		inSlashStar bool
	)
Lines:
	for p := content; len(p) > 0; {
		line := p
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, p = line[:i], p[i+1:]
		} else {
			p = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 && !ended {
			header, pending = append(header, pending...), nil
			continue
		}
		if !bytes.HasPrefix(line, []byte("//")) {
			ended = true
		}
		if !ended {
			pending = append(pending, string(line))
		}
		if !inSlashStar && constraint.IsGoBuild(string(line)) {
			if goBuild != "" {
				return "", fmt.Errorf("more than one //go:build line")
			}
			goBuild = string(line)
		}
		for len(line) > 0 {
			if inSlashStar {
				i := bytes.Index(line, []byte("*/"))
				if i < 0 {
					continue Lines
				}
				inSlashStar = false
				line = bytes.TrimSpace(line[i+2:])
				continue
			}
			if bytes.HasPrefix(line, []byte("//")) {
				continue Lines
			}
			if bytes.HasPrefix(line, []byte("/*")) {
				inSlashStar = true
				line = bytes.TrimSpace(line[2:])
				continue
			}
			break Lines // the package clause
		}
	}
	if goBuild != "" {
		x, err := constraint.Parse(goBuild)
		if err != nil {
			return "", fmt.Errorf("parsing %s: %w", goBuild, err)
		}
		return x.String(), nil
	}
	for _, line := range header {
		if constraint.IsPlusBuild(line) {
			plusBuild = append(plusBuild, line)
		}
	}
	var all constraint.Expr
	for _, line := range plusBuild {
		x, err := constraint.Parse(line)
		if err != nil {
			continue // go/build ignores it too
		}
		if all == nil {
			all = x
		} else {
			all = &constraint.AndExpr{X: all, Y: x}
		}
	}
	if all == nil {
		return "", nil
	}
	return all.String(), nil
}

// fileHeader returns what go/build reads of a parsed file, the comments
// before its package clause on their lines, followed by the clause, so that
// the header is read from the file that was loaded (overlays included),
// not from the disk.
func fileHeader(fset *token.FileSet, f *ast.File) []byte {
	var b bytes.Buffer
	line := 1
Comments:
	for _, g := range f.Comments {
		for _, c := range g.List {
			if c.Pos() >= f.Package {
				break Comments
			}
			for l := fset.PositionFor(c.Pos(), false).Line; line < l; line++ {
				b.WriteByte('\n')
			}
			if b.Len() > 0 && b.Bytes()[b.Len()-1] != '\n' {
				b.WriteByte(' ')
			}
			b.WriteString(c.Text)
			line += strings.Count(c.Text, "\n")
		}
	}
	for l := fset.PositionFor(f.Package, false).Line; line < l; line++ {
		b.WriteByte('\n')
	}
	if b.Len() > 0 && b.Bytes()[b.Len()-1] != '\n' {
		b.WriteByte(' ')
	}
	b.WriteString("package " + f.Name.Name + "\n")
	return b.Bytes()
}

// buildConstraints returns the build constraint of each file of the
// package that has one, by base name (as File.Source).
func buildConstraints(fset *token.FileSet, syntax []*ast.File) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range syntax {
		name := fset.Position(f.Package).Filename
		x, err := buildConstraint(fileHeader(fset, f))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if x != "" {
			out[filepath.Base(name)] = x
		}
	}
	return out, nil
}
