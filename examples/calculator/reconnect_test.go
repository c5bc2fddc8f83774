package main

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
)

// TestServeCalleeReconnects breaks the connection of serve's own callee
// and checks that the calculator answers again within a bound, served by a
// new session, instead of wamp.error.no_such_procedure for good.
func TestServeCalleeReconnects(t *testing.T) {
	var mu sync.Mutex
	var conns []net.Conn
	calleeDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err == nil {
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
		return c, err
	}
	t.Cleanup(func() { calleeDial = nil })
	url := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sess, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	client := calc.NewCalculatorClient(sess)
	if got, err := client.Add(ctx, 1, 2); err != nil || got != 3 {
		t.Fatalf("Add before the break = %v, %v", got, err)
	}
	mu.Lock()
	if len(conns) != 1 {
		t.Fatalf("the callee dialled %d connections, want 1", len(conns))
	}
	conns[0].Close()
	mu.Unlock()

	// The callee is back after its first reconnect delay (about 100ms)
	// and the restore; 10s is far beyond either.
	const bound = 10 * time.Second
	start := time.Now()
	for {
		// The old callee session can answer nothing: its connection is
		// closed at the callee's end. A call the router still routes to it
		// fails, so an answer comes from the callee's new session.
		got, err := client.Add(ctx, 2, 3)
		if err == nil && got == 5 {
			t.Logf("served again after %v", time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Since(start) > bound {
			t.Fatalf("the calculator did not answer within %v of its callee's connection breaking: %v", bound, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(conns) < 2 {
		t.Fatalf("the callee dialled %d connections, want a new one", len(conns))
	}
}
