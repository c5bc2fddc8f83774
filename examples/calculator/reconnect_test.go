package main

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// calleeSession returns the ID of the session that serves procedure,
// through the router's registration meta API; 0 while none does.
func calleeSession(ctx context.Context, t *testing.T, sess *runtime.Session, procedure wamp.URI) wamp.ID {
	t.Helper()
	res, err := sess.Call(ctx, "wamp.registration.match", wamp.ArgsOf(string(procedure)), wamp.Payload{})
	if err != nil {
		t.Fatalf("wamp.registration.match: %v", err)
	}
	var reg *uint64
	if vals, _ := res.Args.List(); len(vals) > 0 {
		if err := vals[0].Decode(&reg); err != nil {
			t.Fatalf("wamp.registration.match returned %v: %v", vals[0], err)
		}
	}
	if reg == nil {
		return 0
	}
	res, err = sess.Call(ctx, "wamp.registration.list_callees", wamp.ArgsOf(*reg), wamp.Payload{})
	if err != nil {
		t.Fatalf("wamp.registration.list_callees: %v", err)
	}
	var callees []uint64
	if vals, _ := res.Args.List(); len(vals) > 0 {
		if err := vals[0].Decode(&callees); err != nil {
			t.Fatalf("wamp.registration.list_callees returned %v: %v", vals[0], err)
		}
	}
	if len(callees) != 1 {
		t.Fatalf("%s has callees %v, want one", procedure, callees)
	}
	return wamp.ID(callees[0])
}

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
	before := calleeSession(ctx, t, sess, calc.CalculatorAddProcedure)
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
		got, err := client.Add(ctx, 2, 3)
		if err == nil && got == 5 {
			after := calleeSession(ctx, t, sess, calc.CalculatorAddProcedure)
			if after == before {
				// The router has not noticed the broken connection yet.
				time.Sleep(10 * time.Millisecond)
				continue
			}
			t.Logf("served again after %v by session %d (was %d)", time.Since(start).Round(time.Millisecond), after, before)
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
