package router

import (
	"log/slog"
	"net"
	"net/netip"
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
	ln := newConnLimiter(10, 10, slog.New(slog.DiscardHandler)).listen(inner, nil)
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

// TestConnLimiterPerAddress: one address may hold at most its share of the
// connections, so that one host cannot take them all; others still get
// in, a released slot can be taken again, and loopback and Unix socket
// clients (a reverse proxy on the same host) are not capped per address.
// (From loopback, a test can only reach this through the limiter itself.)
func TestConnLimiterPerAddress(t *testing.T) {
	l := newConnLimiter(8, 2, slog.New(slog.DiscardHandler))
	attacker := netip.MustParseAddrPort("192.0.2.7:4000")
	attacker6a := netip.MustParseAddrPort("[2001:db8:1:2::a]:4000")
	attacker6b := netip.MustParseAddrPort("[2001:db8:1:2::b]:4000") // the same /64
	var releases []func()
	take := func(a netip.AddrPort, want bool) {
		t.Helper()
		release, ok := l.acquire(a)
		if ok != want {
			t.Fatalf("acquire(%v) = %v, want %v", a, ok, want)
		}
		if ok {
			releases = append(releases, release)
		}
	}
	take(attacker, true)
	take(attacker, true)
	take(attacker, false)
	take(attacker6a, true)
	take(attacker6b, true)
	take(attacker6a, false)
	take(netip.MustParseAddrPort("198.51.100.1:1"), true)
	releases[0]()
	take(attacker, true)
	// Loopback and addressless clients share only the total cap.
	for range 3 {
		take(netip.MustParseAddrPort("127.0.0.1:5000"), true)
	}
	take(netip.AddrPort{}, false) // the total of 8 is reached
	if n := l.n.Load(); n != 8 {
		t.Fatalf("%d slots taken, want 8", n)
	}
}
