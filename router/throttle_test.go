package router

import (
	"fmt"
	"testing"
	"time"
)

// TestAuthThrottleBounded: rotating authids or addresses does not grow the
// throttle's tables past their capacity, and the entries that go first are
// the oldest, so a fresh lock survives rotation by another client.
func TestAuthThrottleBounded(t *testing.T) {
	const capacity = 100
	th := newAuthThrottle(3, time.Minute, capacity)
	now := time.Unix(1e9, 0)
	th.now = func() time.Time { return now }
	for i := range 10 * capacity {
		// Authid rotation, from a Unix socket (no address) and from one
		// address; and address rotation.
		th.begin("realm1", fmt.Sprint("authid-", i), "unix:")
		th.begin("realm1", fmt.Sprint("other-", i), fmt.Sprintf("tcp:10.0.%d.%d:1000", i/256, i%256))
		now = now.Add(time.Millisecond)
		if a, u := th.size(); a > capacity || u > capacity {
			t.Fatalf("after %d attempts: %d addresses, %d authids; capacity %d", i+1, a, u, capacity)
		}
	}
	if a, u := th.size(); a != capacity || u != capacity {
		t.Errorf("%d addresses, %d authids; want the tables full at %d", a, u, capacity)
	}
	// A long authid takes no more room than a short one: keys are hashes.
	th.begin("realm1", string(make([]byte, 1<<20)), "unix:")

	// The window passes: every entry expires and goes with the next failure.
	now = now.Add(2 * time.Minute)
	th.begin("realm1", "x", "tcp:192.0.2.1:1")
	if a, u := th.size(); a != 1 || u != 1 {
		t.Errorf("after the window: %d addresses, %d authids; want 1 and 1", a, u)
	}
}

// TestAuthThrottleWindow: an address is refused after limit failures
// until the window has passed, and a success takes its own count back.
func TestAuthThrottleWindow(t *testing.T) {
	th := newAuthThrottle(2, time.Minute, 10)
	now := time.Unix(1e9, 0)
	th.now = func() time.Time { return now }
	const peer = "tcp:[2001:db8::1]:4000"
	a, ok := th.begin("r", "u", peer)
	if !ok {
		t.Fatal("first attempt refused")
	}
	th.succeeded(a)
	for i := range 2 {
		if _, ok := th.begin("r", fmt.Sprint("u", i), peer); !ok {
			t.Fatalf("failure %d refused", i+1)
		}
	}
	// Same /64, another host.
	if _, ok := th.begin("r", "v", "tcp:[2001:db8::2]:4000"); ok {
		t.Error("attempt from the same IPv6 /64 admitted after the limit")
	}
	if _, ok := th.begin("r", "v", "tcp:[2001:db8:0:1::1]:4000"); !ok {
		t.Error("attempt from another /64 refused")
	}
	now = now.Add(time.Minute)
	if _, ok := th.begin("r", "v", peer); !ok {
		t.Error("attempt refused after the window")
	}
}
