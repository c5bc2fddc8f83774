package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var screenshots = flag.String("screenshots", "", "directory where the browser test saves a screenshot of the page per serializer")

// buildFlags are the flags for building the calculator: -race when the
// tests run with -race (race_test.go), so that a data race the JavaScript
// peers provoke in the router or the runtime fails the test.
var buildFlags []string

// buildDir holds the built calculator; TestMain removes it.
var buildDir string

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	if tsBuildDir != "" {
		os.RemoveAll(tsBuildDir)
	}
	os.Exit(code)
}

// env is what the JavaScript tests need, found and built once.
type env struct {
	calculator string   // the built calculator command
	node       []string // node and its flags
	chromium   string
}

var setup = sync.OnceValues(func() (*env, error) {
	for _, pkg := range []string{"autobahn", "wampy", "ws", "playwright-core", "esbuild"} {
		if _, err := os.Stat(filepath.Join("node_modules", pkg, "package.json")); err != nil {
			return nil, fmt.Errorf("the npm package %s is not installed: run `npm ci` in interop/ (./test.sh does)", pkg)
		}
	}
	out, err := exec.Command("node", "-p", "process.versions.node").Output()
	if err != nil {
		return nil, fmt.Errorf("node (Node.js 20 or later) is needed: %v", err)
	}
	major, _ := strconv.Atoi(strings.SplitN(strings.TrimSpace(string(out)), ".", 2)[0])
	if major < 20 {
		return nil, fmt.Errorf("Node.js %s is too old: the npm packages need 20 or later", strings.TrimSpace(string(out)))
	}
	e := &env{node: []string{"node"}, chromium: "/usr/bin/chromium"}
	if major < 22 {
		// Autobahn|JS 26 uses the platform's WebSocket, built into Node.js
		// from 22 on and behind this flag in 20 and 21.
		e.node = append(e.node, "--experimental-websocket")
	}
	dir, err := os.MkdirTemp("", "wampgen-interop-")
	if err != nil {
		return nil, err
	}
	buildDir = dir
	e.calculator = filepath.Join(dir, "calculator")
	args := append([]string{"build", "-o", e.calculator}, buildFlags...)
	args = append(args, "github.com/wampgen/wampgen/examples/calculator")
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build the calculator: %v\n%s", err, out)
	}
	return e, nil
})

// need returns the environment or fails the test, saying what is missing.
func need(t *testing.T) *env {
	t.Helper()
	e, err := setup()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// lines collects a process's output, line by line.
type lines struct {
	mu  sync.Mutex
	all []string
	ch  chan string // every line, for waiters; never blocks the reader
}

func newLines() *lines { return &lines{ch: make(chan string, 4096)} }

func (l *lines) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		s := sc.Text()
		l.mu.Lock()
		l.all = append(l.all, s)
		l.mu.Unlock()
		select {
		case l.ch <- s:
		default:
		}
	}
	close(l.ch)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// syncBuffer is a bytes.Buffer that a process writes while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// process is a long-running child process, stopped when the test ends.
type process struct {
	cmd    *exec.Cmd
	stdout *lines
	stderr *syncBuffer
	stdin  io.WriteCloser
	exited chan struct{}
	err    error // Wait's result, once exited is closed
}

func startProcess(t *testing.T, name string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(name, args...), stdout: newLines(), stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Stderr = p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.stdout.read(out)
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	return p
}

// stop ends the process politely (SIGTERM, or the end of its input), then
// by force after grace, and reports a non-zero exit as a test error.
func (p *process) stop(t *testing.T, what string, grace time.Duration) {
	t.Helper()
	p.stdin.Close()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("%s did not stop within %v; killed\nstderr:\n%s", what, grace, p.stderr)
		return
	}
	if p.err != nil {
		t.Errorf("%s exited with %v\nstdout:\n%s\nstderr:\n%s", what, p.err, p.stdout, p.stderr)
	}
}

// waitLine returns the first line of p's output matching re.
func (p *process) waitLine(t *testing.T, what string, re *regexp.Regexp, timeout time.Duration) []string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case s, ok := <-p.stdout.ch:
			if !ok {
				<-p.exited
				t.Fatalf("%s ended (%v) before it was ready\nstdout:\n%s\nstderr:\n%s", what, p.err, p.stdout, p.stderr)
			}
			if m := re.FindStringSubmatch(s); m != nil {
				return m
			}
		case <-deadline:
			t.Fatalf("%s not ready after %v\nstdout:\n%s\nstderr:\n%s", what, timeout, p.stdout, p.stderr)
		}
	}
}

var servingLine = regexp.MustCompile(`^serving realm realm1 at (ws://\S+) \(callee: \w+\), web page at (http://\S+)$`)

// serveCalculator runs `calculator serve` on a free loopback port until the
// test ends, and returns its WebSocket and page URLs.
func serveCalculator(t *testing.T, e *env, args ...string) (wsURL, pageURL string) {
	t.Helper()
	p := startProcess(t, e.calculator, append([]string{"serve", "--listen", "127.0.0.1:0", "--realm", "realm1"}, args...)...)
	t.Cleanup(func() { p.stop(t, "calculator serve", 15*time.Second) })
	m := p.waitLine(t, "calculator serve", servingLine, 30*time.Second)
	return m[1], m[2]
}

// runNode runs a program of js/ to its end and returns its output as JSON
// objects, one per line; any other line on stdout fails the test.
func runNode(t *testing.T, e *env, timeout time.Duration, script string, args ...string) (results []map[string]any, exitErr error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.node[0], slices.Concat(e.node[1:], []string{script}, args)...)
	cmd.WaitDelay = 10 * time.Second // should a child (Chromium) outlive node with our pipes
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %v\nstdout:\n%s\nstderr:\n%s", script, timeout, &stdout, &stderr)
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v\nstderr:\n%s", script, err, &stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("%s printed %q, not a JSON line\nstdout:\n%s\nstderr:\n%s", script, line, &stdout, &stderr)
		}
		results = append(results, obj)
	}
	if (t.Failed() || testing.Verbose()) && stderr.Len() > 0 {
		t.Logf("%s stderr:\n%s", script, &stderr)
	}
	return results, err
}
