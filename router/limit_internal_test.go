package router

import (
	"log/slog"
	"net"
	"runtime"
	"testing"
)

// TestCountedConnWritesWithoutWaiting: a connection accepted within the cap
// still offers its socket to the peer's writer (see nonBlocking), which
// otherwise hands every batch to the sender goroutine.
func TestCountedConnWritesWithoutWaiting(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no non-blocking writes here")
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newConnLimiter(10, slog.New(slog.DiscardHandler)).listen(inner, nil)
	defer ln.Close()
	client, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if nonBlocking(c) == nil {
		t.Fatalf("%T hides its socket from the writer", c)
	}
}
