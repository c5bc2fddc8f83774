package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
)

// syncBuffer is a bytes.Buffer safe to write from one goroutine while
// another reads it.
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

func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), nil, &out, &errOut); code != 0 {
		t.Fatalf("demo exited %d\n%s\n%s", code, out.String(), errOut.String())
	}
	text := out.String()
	if strings.Contains(text, "FAIL") || !strings.Contains(text, "every check passed") {
		t.Fatalf("demo output:\n%s", text)
	}
	if n, all := strings.Count(text, "\nok   "), len(allChecks()); n != 3*all {
		t.Fatalf("%d checks passed, want %d (every check over 3 serializers)", n, 3*all)
	}
	if !strings.Contains(text, "progress: 34") {
		t.Fatalf("progressive results not shown:\n%s", text)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// startServe runs "calculator serve" until the test ends and waits until it
// accepts connections.
func startServe(t *testing.T, extra ...string) string {
	t.Helper()
	url, _ := startServeOut(t, extra...)
	return url
}

func TestServeAndCall(t *testing.T) {
	url := startServe(t)
	// --streams adds sum and running_sum (streamed input), which the Go
	// service serves; without it the checks are those every peer serves.
	for _, tc := range []struct {
		ser     string
		streams bool
	}{{"json", false}, {"json", true}, {"msgpack", true}, {"cbor", true}} {
		name, args, list := tc.ser, []string{"call", "--url", url, "--realm", "realm1", "--serializer", tc.ser}, checks
		if tc.streams {
			name, args, list = name+"-streams", append(args, "--streams"), allChecks()
		}
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), args, &out, &errOut)
			if code != 0 {
				t.Fatalf("call exited %d\n%s\n%s", code, out.String(), errOut.String())
			}
			if n := strings.Count(out.String(), "ok   "); n != len(list) {
				t.Fatalf("%d checks passed, want %d:\n%s", n, len(list), out.String())
			}
			for _, c := range streamChecks {
				if ran := strings.Contains(out.String(), "ok   "+c.name); ran != tc.streams {
					t.Errorf("check %q ran: %v, want %v:\n%s", c.name, ran, tc.streams, out.String())
				}
			}
		})
	}
}

func TestCallFailsWithoutCallee(t *testing.T) {
	url := startServe(t, "--callee=false")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"call", "--url", url, "--realm", "realm1", "--serializer", "json"}, &out, &errOut)
	if code == 0 {
		t.Fatalf("call passed against a router with no callee:\n%s", out.String())
	}
	if n := strings.Count(out.String(), "FAIL "); n != len(checks) {
		t.Fatalf("%d checks failed, want all %d:\n%s", n, len(checks), out.String())
	}
	if !strings.Contains(out.String(), "wamp.error.no_such_procedure") {
		t.Fatalf("failures do not name no_such_procedure:\n%s", out.String())
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"dance"},
		{"-x"},
		{"call", "--serializer", "xml"},
		{"call", "--nope"},
		{"serve", "--listen"},
		{"serve", "extra"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 2 {
			t.Errorf("calculator %q exited %d, want 2", args, code)
		}
		if out.Len() != 0 {
			t.Errorf("calculator %q wrote to stdout: %q", args, out.String())
		}
		if !strings.Contains(errOut.String(), "usage") && !strings.Contains(errOut.String(), "Usage") &&
			!strings.Contains(errOut.String(), "unknown serializer") {
			t.Errorf("calculator %q did not explain itself on stderr: %q", args, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	run(context.Background(), []string{"dance"}, &out, &errOut)
	if want := "calculator: unknown command \"dance\"\n\n" + usage; errOut.String() != want {
		t.Errorf("unknown command printed\n%s\nwant\n%s", errOut.String(), want)
	}
}

// TestHelp checks that each way of asking for help prints the usage and
// succeeds, for the command and for each subcommand's flags.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"help", "-h", "-help", "--help"} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{arg}, &out, &errOut); code != 0 {
			t.Errorf("calculator %s exited %d, want 0 (stderr %q)", arg, code, errOut.String())
		}
		if out.String() != usage || errOut.Len() != 0 {
			t.Errorf("calculator %s printed stdout %q, stderr %q; want the usage on stdout", arg, out.String(), errOut.String())
		}
	}
	for _, sub := range []string{"serve", "call", "callee"} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{sub, "-h"}, &out, &errOut); code != 0 {
			t.Errorf("calculator %s -h exited %d, want 0", sub, code)
		}
		if !strings.Contains(errOut.String(), "-realm") {
			t.Errorf("calculator %s -h did not list its flags: %q", sub, errOut.String())
		}
	}
}

// TestServePage checks that serve answers the page and its files at
// http://ADDR/ and WAMP at ws://ADDR/ on one port, a port it picked itself.
func TestServePage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() {
		done <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--realm", "realm1"}, &out, &errOut)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	})
	line := regexp.MustCompile(`serving realm realm1 at (ws://127\.0\.0\.1:(\d+)/) \(callee: true\), web page at (http://127\.0\.0\.1:(\d+)/)\n`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil; m = line.FindStringSubmatch(out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %q %s", out.String(), errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	wsURL, port, page := m[1], m[2], m[3]
	if port == "0" || m[4] != port {
		t.Fatalf("serve announced %s and %s", wsURL, page)
	}

	get := func(method, path string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, page+strings.TrimPrefix(path, "/"), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(body)
	}
	for _, c := range []struct {
		path, contentType, contains string
	}{
		{"/", "text/html; charset=utf-8", `<script defer src="calc.js"></script>`},
		{"/calc.js", "text/javascript; charset=utf-8", "// Code generated by interop/build-web.mjs"},
		{"/style.css", "text/css; charset=utf-8", "output[data-kind=\"error\"]"},
	} {
		resp, body := get(http.MethodGet, c.path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != c.contentType || !strings.Contains(body, c.contains) {
			t.Errorf("GET %s: %s %q, want 200 %q with %q", c.path, resp.Status, resp.Header.Get("Content-Type"), c.contentType, c.contains)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", c.path, csp)
		}
	}
	for _, p := range []string{"/app.ts", "/tsconfig.json"} {
		if resp, _ := get(http.MethodGet, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s (the bundle's source, not served): %s", p, resp.Status)
		}
	}
	if resp, _ := get(http.MethodPost, "/"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %s", resp.Status)
	}
	// A WebSocket request without a WAMP subprotocol reaches the router,
	// which refuses it.
	req, _ := http.NewRequest(http.MethodGet, page, nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "subprotocol") {
		t.Errorf("upgrade without a subprotocol: %s %q", resp.Status, body)
	}

	// And WAMP works on the same port.
	cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer ccancel()
	sess, err := runtime.Dial(cctx, wsURL, runtime.Config{Realm: "realm1"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if v, err := calc.NewCalculatorClient(sess).Add(cctx, 2, 3); err != nil || v != 5 {
		t.Fatalf("add(2, 3) = %v, %v", v, err)
	}
}
