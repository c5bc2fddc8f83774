package router_test

import (
	"bytes"
	"context"
	"fmt"
	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/wamp"
	"github.com/wampgen/wampgen/runtime"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
)

// FINDING, fixed (log flooding at Warn by one client, medium): nexus logs
// "Received ERROR (INVOCATION) with invalid request ID: N (response to
// canceled call)" for every ERROR answering an INVOCATION it does not know,
// and nexusLevel files it at Warn (it contains "error"). The ledger checks
// only the ERROR's type, not its request ID, so a callee that sends ERRORs
// for made-up invocation IDs writes one Warn line per message, at the rate
// it sends. The same line is logged in legitimate use, once per call, when
// a caller with calls in flight disconnects: the router cancels them with
// killnowait, the callee answers the INTERRUPT with ERROR as the spec asks,
// and nexus has already forgotten the invocation (see
// runtime.TestFinalReconnectInFlight: 200 Warn lines for one dropped
// connection).
//
// Fix: map nexus's "Received ERROR (INVOCATION) with invalid request ID"
// and "Received ERROR for call that was already canceled" lines to Debug in
// nexusLevel (like "Aborting client connection"); or have the ledger track
// the INVOCATION IDs the callee holds (note INVOCATION, forget at
// YIELD/ERROR/INTERRUPT+grace) and drop an ERROR for an unknown one.
func TestFinalErrorForUnknownInvocationFloodsWarn(t *testing.T) {
	var warns atomic.Int64
	r := startRouter(t, router.Config{Logger: slog.New(countingHandler{level: slog.LevelWarn, n: &warns})})
	c := dialRawJSON(t, r.WebSocketURL())
	c.join(router.DefaultRealm)
	start := warns.Load()
	const n = 500
	for i := range n {
		c.send(fmt.Sprintf(`[8,68,%d,{},"wamp.error.canceled",[]]`, i+1))
	}
	// A round trip, so nexus has handled the ERRORs.
	c.send(`[32,1,{},"com.test.t"]`)
	c.recv(33)
	time.Sleep(100 * time.Millisecond)
	got := warns.Load() - start
	t.Logf("%d Warn lines for %d ERRORs", got, n)
	if got > 10 {
		t.Errorf("FINDING: one client made the router log %d Warn lines with %d ERRORs for invocations it never got", got, n)
	}
}

// FINDING, fixed (cross-session denial of service, high): nexus v3.3.0 lets one
// session join a shared registration (invoke roundrobin, random, first,
// last) more than once: each REGISTER appends the session to the
// registration's callees again and answers REGISTERED with the same
// registration ID. UNREGISTER, and the session's end, remove one copy
// only. The ledger keeps registrations by ID, so it counts the repeats
// once and lets them all through. Once such a session has left, the
// registration keeps the dead session among its callees for good: calls
// routed to it are never answered (each caller times out), and the
// registration is never deleted, so the procedure is never free again.
// A clumsy client that registers the same shared procedure twice does it
// by accident; a hostile one can also register a shared procedure 10,000
// times to take nearly every call, past the 10,000 registrations cap.
//
// Fix: in ledger.ask, refuse (wamp.error.procedure_already_exists) a
// REGISTER of a procedure URI+match the session already holds or has
// asked for: key holdings by URI+match as well as by ID.
func TestFinalDuplicateSharedRegistrationBlackholesCalls(t *testing.T) {
	r := startRouter(t, router.Config{})
	a := dialRawJSON(t, r.WebSocketURL())
	a.join(router.DefaultRealm)
	a.send(`[64,1,{"invoke":"roundrobin"},"com.test.shared"]`)
	_, m1 := a.recv(65)
	a.send(`[64,2,{"invoke":"roundrobin"},"com.test.shared"]`)
	_, m2, err := a.tryRecv(65)
	if err != nil {
		t.Logf("second REGISTER refused: %v", err)
		return
	}
	t.Logf("REGISTERED %v and %v", m1[2], m2[2])
	b := dial(t, r.WebSocketURL(), client.Config{})
	if err := b.Register("com.test.shared", echo, wamp.Dict{"invoke": "roundrobin"}); err != nil {
		t.Fatal(err)
	}
	// a leaves.
	_ = a.conn.Close()
	time.Sleep(200 * time.Millisecond)
	c := dial(t, r.WebSocketURL(), client.Config{ResponseTimeout: time.Second})
	failed := 0
	for i := range 6 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := c.Call(ctx, "com.test.shared", nil, wamp.List{i}, nil, nil)
		cancel()
		if err != nil {
			failed++
			t.Logf("call %d: %v", i, err)
		}
	}
	if failed > 0 {
		t.Errorf("FINDING: %d of 6 calls to a shared procedure failed after a session that registered it twice left", failed)
	}
}

// FINDING, fixed (log flooding at Warn, low): the log budget (peer.logBudget) is
// per connection, and the first line of each kind is logged at once. A
// client that reconnects in a loop, each time calling its own procedure
// with arguments its connection can't take (a 512-byte RawSocket limit),
// gets a Warn "messages not delivered" per connection: the log grows at
// the rate the client connects, which nothing limits from loopback or
// below MaxConnectionsPerAddress.
//
// Fix: keep the budget per client address (the key addrOf and the
// authentication throttle use) or router-wide, not per connection; or log
// the first line of a connection at Debug and only the periodic summaries
// at Warn.
func TestFinalLogBudgetPerConnection(t *testing.T) {
	var warns atomic.Int64
	r := startRouter(t, router.Config{Logger: slog.New(countingHandler{level: slog.LevelWarn, n: &warns})})
	big := strings.Repeat("x", 600)
	const conns = 50
	start := warns.Load()
	for i := range conns {
		c := dialRSJSON(t, r, 0, 0) // 512 bytes
		c.join(allRoles)
		// A URI of its own per connection: the router may still be
		// releasing the previous connection's registration when this
		// one registers.
		uri := fmt.Sprintf("com.test.self%d", i)
		c.send(`[64,1,{},"` + uri + `"]`)
		c.recv(65)
		c.send(`[48,2,{},"` + uri + `",["` + big + `"]]`)
		c.recv(8) // the CALL's ERROR: the INVOCATION can't be delivered
		_ = c.conn.Close()
	}
	time.Sleep(200 * time.Millisecond)
	n := warns.Load() - start
	t.Logf("%d Warn lines from %d short connections", n, conns)
	if n > 10 {
		t.Errorf("FINDING: %d Warn lines from one client reconnecting %d times", n, conns)
	}
}

// FINDING, fixed (misleading log, low): a connection turned away by
// MaxConnectionsPerAddress is logged as "router: connection limit reached,
// refusing connections" with max_connections=1000, the total cap, though
// the router holds two connections: an operator reads that the router is
// full, and can't tell which address hit its cap. The two caps also share
// the once-a-minute warning, so one host sitting on its own cap hides, for
// that minute, the line that would say the router itself is full.
//
// Fix: log per-address refusals with their own message and budget
// ("connection limit per address reached", the address prefix and
// MaxConnectionsPerAddress), and keep the total-cap line for the total.
func TestFinalPerAddressRefusalLogMisleads(t *testing.T) {
	const ip = "192.0.2.2"
	if ln, err := net.Listen("tcp", ip+":0"); err != nil {
		t.Skip("no non-loopback address to connect from:", err)
	} else {
		_ = ln.Close()
	}
	var buf syncBuffer
	r, err := router.Start(context.Background(), router.Config{
		RawSocketAddr:            ip + ":0",
		MaxConnectionsPerAddress: 2,
		Logger:                   slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	closeAtCleanup(t, r)
	for range 2 {
		dial(t, r.RawSocketURL(), client.Config{})
	}
	if _, err := dialErr(r.RawSocketURL(), client.Config{}); err == nil {
		t.Fatal("third connection admitted")
	}
	log := buf.String()
	t.Logf("log: %s", log)
	if !strings.Contains(log, "per address") && !strings.Contains(log, "per_address") {
		t.Errorf("FINDING: the per-address refusal is logged as the router being full: %s", log)
	}
}

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

// FINDING, fixed (Warn noise in legitimate use, medium): a call that times out at
// the dealer (CALL.Options.timeout, which runtime.Session.Call sets from
// its context's deadline) is canceled by nexus with mode killnowait: the
// callee gets INTERRUPT, answers ERROR as the spec asks, and nexus, having
// forgotten the invocation, logs "Received ERROR (INVOCATION) with invalid
// request ID" at Warn. Every timed-out call of a well-behaved callee
// writes a Warn line. The same happens for CANCEL killnowait and for the
// router's own cancellation of a leaving caller's calls (peer.cancelCalls).
// See TestFinalErrorForUnknownInvocationFloodsWarn for the fix.
func TestFinalCallTimeoutLogsWarn(t *testing.T) {
	var warns atomic.Int64
	r := startRouter(t, router.Config{Logger: slog.New(countingHandler{level: slog.LevelWarn, n: &warns})})
	callee, err := runtime.Dial(context.Background(), r.WebSocketURL(), runtime.Config{Realm: router.DefaultRealm})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = callee.Close() })
	if _, err := callee.Register(context.Background(), "com.test.slow", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	caller := dialRawJSON(t, r.WebSocketURL())
	caller.send(`[1,"realm1",{"roles":{"caller":{"features":{"call_canceling":true,"call_timeout":true}}}}]`)
	caller.recv(2)
	caller.send(`[48,7,{"timeout":50},"com.test.slow",[]]`)
	raw, _ := caller.recv(8)
	t.Logf("caller got %s", raw)
	time.Sleep(200 * time.Millisecond)
	if n := warns.Load(); n > 0 {
		t.Errorf("FINDING: a call that timed out, with a callee that honoured the INTERRUPT, logged %d Warn lines", n)
	}
}

// FINDING, fixed (limit bypass, part of the duplicate registration finding): the
// same shared REGISTER repeated maxRegistrations+1 times is never refused,
// since the ledger counts registrations by ID; nexus holds a callee entry
// for each, so the session takes that share of the procedure's calls
// (10,001 of every 10,002 against one honest callee).
func TestFinalRepeatedSharedRegisterBypassesCap(t *testing.T) {
	r := startRouter(t, router.Config{})
	a := dialRawJSON(t, r.WebSocketURL())
	a.join(router.DefaultRealm)
	const n = 10_001
	refused := 0
	for i := 1; i <= n; i++ {
		a.send(fmt.Sprintf(`[64,%d,{"invoke":"roundrobin"},"com.test.many"]`, i))
		raw, _, err := a.tryRecv(65)
		if err != nil {
			refused++
			t.Logf("REGISTER %d: %s %v", i, raw, err)
			break
		}
	}
	if refused == 0 {
		t.Errorf("FINDING: %d REGISTERs of one shared procedure from one session all granted", n)
	}
}

// FINDING, fixed (log flooding at Warn before any session, low; same class as
// TestFinalLogBudgetPerConnection): every protocol violation is a Warn
// line (peer.abort), and a client needs no session to commit one: a
// RawSocket frame header announcing more than the 64 KiB allowed before
// WELCOME is enough. A client that connects, sends 8 bytes and hangs up,
// in a loop, writes a Warn line per connection.
//
// Fix: log protocol violations before WELCOME at Debug (nothing of the
// client's is at stake yet), or spend them from a budget per client
// address or router-wide, with a periodic summary at Warn.
func TestFinalPreWelcomeViolationWarnPerConnection(t *testing.T) {
	var warns atomic.Int64
	r := startRouter(t, router.Config{Logger: slog.New(countingHandler{level: slog.LevelWarn, n: &warns})})
	const conns = 50
	for range conns {
		c := dialRSJSON(t, r, 15, 0)
		c.write([]byte{0, 0x02, 0, 0}) // a message of 128 KiB
		_, _, _ = c.recvWithin(testTimeout)
		_ = c.conn.Close()
	}
	time.Sleep(200 * time.Millisecond)
	n := warns.Load()
	t.Logf("%d Warn lines from %d connections that sent a frame header each", n, conns)
	if n > 10 {
		t.Errorf("FINDING: %d Warn lines from %d connections without a session", n, conns)
	}
}
