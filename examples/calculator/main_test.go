package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
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
	if n := strings.Count(text, "\nok   "); n != 3*len(checks) {
		t.Fatalf("%d checks passed, want %d (every check over 3 serializers)", n, 3*len(checks))
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
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() {
		done <- run(ctx, append([]string{"serve", "--listen", addr, "--realm", "realm1"}, extra...), &out, &errOut)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "serving realm") {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s %s", out.String(), errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "ws://" + addr + "/"
}

func TestServeAndCall(t *testing.T) {
	url := startServe(t)
	for _, ser := range []string{"json", "msgpack", "cbor"} {
		t.Run(ser, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"call", "--url", url, "--realm", "realm1", "--serializer", ser}, &out, &errOut)
			if code != 0 {
				t.Fatalf("call exited %d\n%s\n%s", code, out.String(), errOut.String())
			}
			if n := strings.Count(out.String(), "ok   "); n != len(checks) {
				t.Fatalf("%d checks passed, want %d:\n%s", n, len(checks), out.String())
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
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"dance"}, &out, &errOut); code != 2 {
		t.Fatalf("unknown command exited %d", code)
	}
	if code := run(context.Background(), []string{"call", "--serializer", "xml"}, &out, &errOut); code != 2 {
		t.Fatalf("bad serializer exited %d", code)
	}
}
