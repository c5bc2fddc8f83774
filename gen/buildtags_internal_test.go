package gen

import (
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// goosMatch reports whether go/build would build a file of that name (an
// empty package) for goos and goarch.
func goosMatch(t *testing.T, name, goos, goarch string) bool {
	t.Helper()
	ctxt := build.Default
	ctxt.GOOS, ctxt.GOARCH, ctxt.BuildTags, ctxt.ToolTags, ctxt.ReleaseTags = goos, goarch, nil, nil, nil
	ctxt.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("package p\n")), nil }
	ok, err := ctxt.MatchFile("/p", name)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// goosPorts returns the GOOS/GOARCH pairs of the installed toolchain.
func goosPorts(t *testing.T) [][2]string {
	t.Helper()
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	var ports [][2]string
	for _, line := range strings.Fields(string(out)) {
		goos, goarch, _ := strings.Cut(line, "/")
		ports = append(ports, [2]string{goos, goarch})
	}
	return ports
}

// TestGOOSSuffixKnownNames checks the lists of GOOS and GOARCH names
// against go/build, which takes each of them for a suffix, and against
// the ports of the toolchain, which must all be listed (a newer Go release
// may add one: copy go/build's lists again then).
func TestGOOSSuffixKnownNames(t *testing.T) {
	for _, m := range []map[string]bool{knownOS, knownArch} {
		for w := range m {
			if goosMatch(t, "a_"+w+".go", "none", "none") {
				t.Errorf("go/build does not take %q for a GOOS or GOARCH", w)
			}
		}
	}
	for _, p := range goosPorts(t) {
		if !knownOS[p[0]] || !knownArch[p[1]] {
			t.Errorf("the port %s/%s is missing from knownOS or knownArch", p[0], p[1])
		}
	}
}

// TestOutputNameKeepsGOOSSuffix checks that every output is built for
// exactly the systems its source is, by go/build's rules, on every port
// of the toolchain.
func TestOutputNameKeepsGOOSSuffix(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"calc.go", "calc_wamp.go"},
		{"calc_linux.go", "calc_wamp_linux.go"},
		{"calc_arm64.go", "calc_wamp_arm64.go"},
		{"calc_linux_arm64.go", "calc_wamp_linux_arm64.go"},
		{"calc_arm64_linux.go", "calc_arm64_wamp_linux.go"},
		{"calc_service_windows.go", "calc_service_wamp_windows.go"},
		{"calc_hurd.go", "calc_wamp_hurd.go"}, // reserved names count too
		{"linux.go", "linux_wamp.go"},         // no underscore: no suffix
		{"linux_amd64.go", "linux_wamp_amd64.go"},
		{"calc_linux.pb.go", "calc_linux.pb_wamp.go"}, // before the dot: kept in front
		{"calc.linux.go", "calc.linux_wamp.go"},
		{"calc_unix.go", "calc_unix_wamp.go"}, // unix is a tag, not a suffix
		{"calc_linux_x.go", "calc_linux_x_wamp.go"},
	} {
		got := OutputName(tt.in)
		if got != tt.want {
			t.Errorf("OutputName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		for _, p := range goosPorts(t) {
			if src, out := goosMatch(t, tt.in, p[0], p[1]), goosMatch(t, got, p[0], p[1]); src != out {
				t.Errorf("on %s/%s go/build builds %s: %v, but %s: %v", p[0], p[1], tt.in, src, got, out)
			}
		}
	}
}

// TestBuildConstraint checks that the constraint is read from a file's
// header as go/build reads it, from its content and from its syntax.
func TestBuildConstraint(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"package p\n", ""},
		{"//go:build linux\n\npackage p\n", "linux"},
		{"// Copyright.\n\n//go:build  linux&&(amd64 ||arm64)\n\n// Package p.\npackage p\n", "linux && (amd64 || arm64)"},
		{"//go:build linux\npackage p\n", "linux"},            // no blank line: still read
		{"/* a */\n//go:build linux\n\npackage p\n", "linux"}, // after a block comment too
		{"/*\n//go:build linux\n*/\n\npackage p\n", ""},       // not in one
		{"// +build linux darwin\n// +build amd64\n\npackage p\n", "(linux || darwin) && amd64"},
		{"// +build linux\npackage p\n", ""},                            // not followed by a blank line
		{"//go:build ignore\n// +build linux\n\npackage p\n", "ignore"}, // //go:build wins
		{"package p\n\n//go:build linux\n", ""},
	} {
		got, err := buildConstraint([]byte(tt.src))
		if err != nil || got != tt.want {
			t.Errorf("buildConstraint(%q) = %q, %v; want %q", tt.src, got, err, tt.want)
		}
		// The same from the parsed file, as the generator reads it.
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "/p/f.go", tt.src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		got, err = buildConstraint(fileHeader(fset, f))
		if err != nil || got != tt.want {
			t.Errorf("from the syntax of %q: %q, %v; want %q (header %q)", tt.src, got, err, tt.want, fileHeader(fset, f))
		}
	}
	if _, err := buildConstraint([]byte("//go:build a\n//go:build b\n\npackage p\n")); err == nil {
		t.Error("two //go:build lines: no error")
	}
}
