package router_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	goruntime "runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
)

// jsonBinary returns s as a JSON string in WAMP's binary convention (NUL
// and base64), which the router's JSON serializer decodes to []byte inside
// dicts and lists, as MessagePack bin and CBOR byte strings are.
func jsonBinary(s string) string {
	return `"\u0000` + base64.StdEncoding.EncodeToString([]byte(s)) + `"`
}

// countSubscribed reads n answers to SUBSCRIBEs and returns how many were
// SUBSCRIBED.
func countSubscribed(t *testing.T, c *rsJSON, n int) int {
	t.Helper()
	ok, aborted := countSubscribedUntilAbort(t, c, n)
	if aborted {
		t.Fatal("got ABORT")
	}
	return ok
}

// FINDING (cross-client harm: the pattern cap of 100 per session is
// bypassed): the ledger reads a SUBSCRIBE's match option with a type
// assertion to string, nexus's broker with wamp.AsString, which also takes
// []byte. A match option sent as binary (MessagePack bin, CBOR byte string,
// or a JSON string in the binary convention) is an exact subscription to
// the ledger and a wildcard one to nexus: one session holds up to 10,000
// pattern subscriptions, which every PUBLISH of the realm scans
// (TestAttackSubscriptionsUnbounded). REGISTER is safe: screen refuses a
// match option that is not a string.
//
// Fix: in ledger.ask, match, _ := wamp.AsString(opts[wamp.OptMatch]).
func TestAttack2BinaryMatchBypassesPatternCap(t *testing.T) {
	r := startRouter(t, router.Config{})
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)
	const n = 150
	var msgs []string
	for i := range n {
		msgs = append(msgs, fmt.Sprintf(`[32,%d,{"match":%s},"w%d."]`, i+1, jsonBinary("wildcard"), i))
	}
	c.sendAll(msgs...)
	got := countSubscribed(t, c, n)
	// nexus took them as wildcard subscriptions: w99. matches w99.x.
	c.send(`[16,9999,{"exclude_me":false},"w99.x"]`)
	c.recv(36)
	if got > 100 {
		t.Errorf("FINDING: one session holds %d wildcard subscriptions past the cap of 100, their match option sent as binary", got)
	}
}

// countSubscribedUntilAbort is countSubscribed that stops at an ABORT.
func countSubscribedUntilAbort(t *testing.T, c *rsJSON, n int) (int, bool) {
	t.Helper()
	ok := 0
	for range n {
		v, raw, err := c.recvWithin(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		switch v[0] {
		case 33.0:
			ok++
		case 3.0:
			return ok, true
		case 8.0:
		default:
			t.Fatalf("got %s", raw)
		}
	}
	return ok, false
}

// FINDING (cross-client harm: the pattern and count caps are bypassed):
// the ledger keeps REGISTERs and SUBSCRIBEs awaiting their answer in a map
// by request ID. A client that reuses one request ID has one pending
// entry, counted once, however many requests it sent, and only the first
// answer finds it: every other answer is recorded as an exact holding
// (pattern false). A burst of wildcard SUBSCRIBEs with one request ID
// gets past the cap of 100 pattern-based ones (and, answers being slower
// than the reader, past the 10,000 too). Same for REGISTER.
//
// Fix: in ledger.ask, refuse a request ID already pending (protocol
// violation, as for a repeated CALL ID in flight, or ERROR), or count
// pending requests in a counter and not by key.
func TestAttack2RepeatedRequestIDBypassesPatternCap(t *testing.T) {
	r := startRouter(t, router.Config{})
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)
	total := 0
	for round := range 6 {
		var msgs []string
		for i := range 50 {
			msgs = append(msgs, fmt.Sprintf(`[32,7,{"match":"wildcard"},"w%d_%d."]`, round, i))
		}
		c.sendAll(msgs...)
		got, aborted := countSubscribedUntilAbort(t, c, len(msgs))
		total += got
		if aborted {
			// Fixed: a repeated request ID is a protocol violation.
			break
		}
	}
	if total > 100 {
		t.Errorf("FINDING: one session holds %d wildcard subscriptions past the cap of 100, all asked for with request ID 7", total)
	}
}

// FINDING (cross-client harm: realm-wide dealer/broker stall, for a
// session allowed the meta API): checkURILength checks only the string
// arguments of a CALL of a meta procedure; nexus reads the URI argument of
// wamp.registration.match / lookup and wamp.subscription.match / lookup
// with wamp.AsURI, which also takes []byte. A binary argument of 500 KB
// (JSON binary convention, MessagePack bin) reaches the dealer's or the
// broker's goroutine, which matches it against every wildcard
// registration or subscription of the realm, splitting it each time
// (TestAttackLongProcedureStallsDealer).
//
// Fix: in checkURILength, take arguments with wamp.AsString (string,
// []byte, URI), not a type assertion to string.
func TestAttack2BinaryMetaURIArgument(t *testing.T) {
	r := startRouter(t, withAnonymousMeta(router.Config{}))
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)
	uri := strings.Repeat("a.", 1000) + "a"
	c.send(`[48,1,{},"wamp.registration.match",[` + jsonBinary(uri) + `]]`)
	v, raw, err := c.recvWithin(testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if v[0] == 50.0 {
		t.Errorf("FINDING: a URI of %d bytes, sent as binary, reached nexus's dealer: %s", len(uri), raw)
	} else if v[0] != 8.0 || v[4] != "wamp.error.invalid_uri" {
		t.Fatalf("got %s", raw)
	}
}

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	var m goruntime.MemStats
	goruntime.GC()
	goruntime.GC()
	goruntime.ReadMemStats(&m)
	return m.HeapAlloc
}

// FINDING (unbounded resources, realm-wide cost): a progressive CALL to a
// callee that did not announce progressive_call_invocations (or, in
// payload passthru mode, payload_passthru_mode) is refused by nexus with
// ERROR feature_not_supported, but nexus has already put the call in its
// dealer's calls map, and nothing removes it but the caller leaving. The
// ledger records the answered call as callAnswered and forgets it when the
// caller sends the final chunk, which it drops, so it does not count
// against the 10,000 calls in flight: one session grows nexus's map without
// bound (a CALL pair per entry), and every session that leaves the realm
// pays a scan of the whole map (dealer.removeSession ranges over all calls
// of the realm). Measured: 40,000 such calls, ~10 MB of heap while the
// caller stays, of which ~6 MB remain after it left (a Go map keeps its
// buckets after its entries are deleted).
//
// Fix: keep a progressive call that nexus answered with an ERROR while its
// input was open counted in the ledger (say, a state callRefused that
// counts against maxCallsInFlight and is not forgotten at the final
// chunk, or simply keep the call in l.calls until the session ends after
// such an ERROR) so the leak is bounded per session. The same holds for a
// progressive call whose callee answered before the input ended (the
// ledger's callAnswered): nexus keeps its invocation, since it is still
// in progress, and the ledger drops the final chunk that would end it.
func TestAttack2RefusedProgressiveCallsLeakInNexus(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee := dialRSJSON(t, r, 15, 0)
	callee.join(allRoles) // no progressive_call_invocations
	callee.send(`[64,1,{},"com.test.p"]`)
	callee.recv(65)
	before := heapInUse()
	caller := dialRSJSON(t, r, 15, 0)
	caller.join(progressiveRoles)
	const n = 40_000
	done := make(chan int)
	go func() {
		refused := 0
		for range n {
			v, _, err := caller.recvWithin(20 * time.Second)
			if err != nil {
				break
			}
			if v[0] == 8.0 && v[4] == "wamp.error.feature_not_supported" {
				refused++
			}
		}
		done <- refused
	}()
	for start := 0; start < n; start += 1000 {
		var msgs []string
		for i := start; i < start+1000; i++ {
			msgs = append(msgs,
				fmt.Sprintf(`[48,%d,{"progress":true},"com.test.p",[]]`, i+1),
				fmt.Sprintf(`[48,%d,{},"com.test.p",[]]`, i+1))
		}
		caller.sendAll(msgs...)
	}
	refused := <-done
	// The caller is still connected, its calls all answered.
	during := heapInUse()
	grew := int64(during) - int64(before)
	_ = caller.conn.Close()
	time.Sleep(500 * time.Millisecond)
	t.Logf("%d progressive CALLs refused; heap %d -> %d bytes (%+d) while the caller stays, %d after it left", refused, before, during, grew, heapInUse())
	// Fixed: bounded. nexus keeps its entry for each such call until the
	// session ends; so does the ledger, which counts them against the
	// session's 10,000 calls in flight: past that, CALLs are refused
	// before nexus sees them.
	if refused > 10_000 || grew > 8<<20 {
		t.Errorf("FINDING: %d refused progressive calls, all answered, left %d bytes in nexus while the caller stays", n, grew)
	}
}

// FINDING, fixed by Config.MaxConnectionsPerAddress (cross-client harm:
// denial of service from one address): one host could take all of
// MaxConnections. A test from loopback cannot show it (loopback clients
// are not capped per address: a reverse proxy on the same host brings
// every client from one): see TestConnLimiterPerAddress.

// FINDING (CPU amplification): ledger.ask counts what a session holds by
// ranging over its held and pending maps, for every REGISTER and
// SUBSCRIBE, even one it then refuses: a session that holds 10,000
// subscriptions makes the router iterate 10,000 map entries per
// 30-byte SUBSCRIBE it sends, refused or not, on its reader goroutine,
// which competes for the same cores as every other session.
//
// Fix: keep running counts (all, patterns) in holdings, updated in ask,
// answer and release, instead of counting in ask.
func TestAttack2LimitCheckCostsPerHolding(t *testing.T) {
	r := startRouter(t, router.Config{})
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)
	burst := func(first, n int) time.Duration {
		var msgs []string
		for i := first; i < first+n; i++ {
			msgs = append(msgs, fmt.Sprintf(`[32,%d,{},"t%d"]`, i+1, i))
		}
		start := time.Now()
		c.sendAll(msgs...)
		for range n {
			if _, _, err := c.recvWithin(20 * time.Second); err != nil {
				t.Fatal(err)
			}
		}
		return time.Since(start)
	}
	const n = 10_000
	var fill time.Duration
	for i := 0; i < n; i += 1000 {
		fill += burst(i, 1000)
	}
	// Refused: over the limit.
	refused := burst(n, n)
	// Baseline: as many refused messages that the ledger answers cheaply
	// (UNSUBSCRIBE of an ID not held).
	var msgs []string
	for i := range n {
		msgs = append(msgs, fmt.Sprintf(`[34,%d,1]`, 2*n+i+1))
	}
	start := time.Now()
	c.sendAll(msgs...)
	for range n {
		if _, _, err := c.recvWithin(20 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	cheap := time.Since(start)
	t.Logf("%d SUBSCRIBEs granted in %v; %d refused for the limit in %v; %d UNSUBSCRIBEs refused in %v", n, fill, n, refused, n, cheap)
	if refused > 5*cheap {
		t.Errorf("FINDING: a SUBSCRIBE refused at the limit costs %v, %.0f× an UNSUBSCRIBE refused by the same ledger", refused/n, float64(refused)/float64(cheap))
	}
}

// FINDING (unbounded resources across sessions, memory): the limits per
// session bound counts, not bytes, and nothing bounds what all sessions of
// one client address hold together. A session may hold 10,000
// subscriptions and 10,000 registrations of URIs up to 1 KiB each, and 16
// testaments of 64 KiB: nexus keeps each URI (in its maps, its
// subscription/registration records, and the meta events' copies). One
// session holds over 10 MB this way with 10,000 subscriptions alone; with
// MaxConnections (1000) sessions from one host, gigabytes.
//
// Fix: a byte budget per session for what nexus holds on its behalf
// (sum of the URIs of its registrations and subscriptions, and of its
// testaments), e.g. 1 MiB, in the ledger alongside the counts; and a
// per-address connection cap (TestAttack2OneAddressTakesAllConnections).
func TestAttack2LongURIHoldingsMemory(t *testing.T) {
	r := startRouter(t, router.Config{})
	before := heapInUse()
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)
	pad := strings.Repeat("x", 1000)
	const n = 10_000
	granted := 0
	for i := 0; i < n; i += 500 {
		var msgs []string
		for j := i; j < i+500; j++ {
			msgs = append(msgs, fmt.Sprintf(`[32,%d,{},"t%d.%s"]`, j+1, j, pad))
		}
		c.sendAll(msgs...)
		for range 500 {
			v, raw, err := c.recvWithin(20 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			switch v[0] {
			case 33.0:
				granted++
			case 8.0:
			default:
				t.Fatalf("got %s", raw)
			}
		}
	}
	grew := int64(heapInUse()) - int64(before)
	t.Logf("%d subscriptions of 1 KB topics: heap %+d bytes", granted, grew)
	if grew > 8<<20 {
		t.Errorf("FINDING: one session holds %d MB of router memory with %d subscriptions (and could add as many registrations)", grew>>20, granted)
	}
}

// FINDING (unbounded resources before authentication, memory): the 64 KiB
// limit on messages before WELCOME is checked by the peer's reader after
// the transport has read the whole frame, up to MaxMessageSize (16 MiB by
// default): a client that has not even sent HELLO makes the router buffer
// up to 16 MiB for its connection (readPayload's buffer follows the
// bytes sent, up to the announced length), and MaxConnections of them up
// to 16 GiB, for as long as they trickle the frame within the HELLO
// deadline. The limit meant that an unauthenticated connection costs
// 64 KiB at most.
//
// Fix: apply the pre-WELCOME limit in the transport, where the length is
// known: rsConn.readFrame compares the header's length with 64 KiB until
// the peer is welcomed (an atomic the peer sets in welcome(), before the
// WELCOME is written, so a client can't send a larger message before the
// limit is raised), and wsConn.readFrame reads with NextReader through an
// io.LimitReader of the current limit + 1 instead of ReadMessage.
func TestAttack2PreHelloFrameBuffered(t *testing.T) {
	r := startRouter(t, router.Config{})
	before := heapInUse()
	c := dialRawSocket(t, r)
	c.handshake(0xF1)
	const announced = 16<<20 - 1
	const sent = 12 << 20
	hdr := []byte{0, announced >> 16 & 0xFF, announced >> 8 & 0xFF, announced & 0xFF}
	c.write(hdr...)
	// Fixed: the router refuses the frame at its header and closes the
	// connection, so this write may fail.
	_, _ = c.conn.Write(make([]byte, sent))
	time.Sleep(300 * time.Millisecond)
	grew := int64(heapInUse()) - int64(before)
	t.Logf("a frame of %d bytes announced, %d sent before HELLO: heap %+d bytes", announced, sent, grew)
	if grew > 4<<20 {
		t.Errorf("FINDING: a connection without a session holds %d MB of router memory (the limit before WELCOME is 64 KiB)", grew>>20)
	}
}

// FINDING (cross-client harm: a remote client locks a user out of the Unix
// socket): the authentication throttle refuses a locked authid to every
// client without an address, which is every Unix socket client. Failures
// from TCP addresses (AuthFailureLimit of them, one per address so that
// none is throttled itself) lock the authid for a minute, renewable at
// will: a local service that logs in over the Unix socket as that authid
// is refused with the right ticket, without a CHALLENGE, while the
// attacker's addresses, each with one failure, are refused only that
// authid.
//
// Fix: give Unix socket clients their own throttle key (e.g. the fixed
// prefix "unix", counted like an address) instead of none: failures from
// TCP then never lock Unix socket clients out, and guessing over the
// Unix socket is still limited.
func TestAttack2RemoteFailuresLockUnixUser(t *testing.T) {
	r := startRouter(t, router.Config{
		AuthFailureLimit: 5,
		Realms: []router.RealmConfig{{
			Name:  "secure",
			Users: []router.User{{AuthID: "tom", Ticket: "t1cket"}},
		}},
	})
	for i := range 5 {
		if _, joined := attempt(t, r, fmt.Sprintf("127.0.2.%d", i+1), "tom", "guess"); joined {
			t.Fatal("joined with a wrong ticket")
		}
	}
	conn, err := net.DialTimeout("unix", strings.TrimPrefix(r.UnixURL(), "unix://"), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	c := &rsJSON{t: t, conn: conn}
	c.write([]byte{0x7F, 0xF1, 0, 0})
	var reply [4]byte
	_ = conn.SetReadDeadline(time.Now().Add(testTimeout))
	if _, err := io.ReadFull(conn, reply[:]); err != nil {
		t.Fatal(err)
	}
	c.send(`[1,"secure",{"roles":{"caller":{}},"authid":"tom","authmethods":["ticket"]}]`)
	v, raw, err := c.recvWithin(testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if v[0] == 3.0 {
		t.Errorf("FINDING: tom, over the Unix socket, is refused without a CHALLENGE after 5 failures from other (TCP) addresses: %s", raw)
		return
	}
	c.send(`[5,"t1cket",{}]`)
	c.recv(2)
}

// FINDING (log flooding at Warn by one client, low): a client decides
// what it can't receive. One that announces the smallest RawSocket limit
// (512 bytes), subscribes to a topic and publishes to it, with
// exclude_me false, an EVENT too large for itself followed by a small
// one, gets two Warn lines per pair ("dropping EVENTs" when the burst
// starts, "dropped EVENTs" when the next write ends it): the once-per-burst
// summary assumes bursts last. Likewise, calling its own procedure with
// 600 bytes of arguments gets a Warn "message not delivered" per CALL
// (the INVOCATION it can't take). The log grows at the rate the client
// sends, at a level operators keep.
//
// Fix: rate-limit these lines per peer (or router-wide) like nexus's own
// drop lines (at most one line per dropReportEvery with counts), and log
// undeliverable messages the client itself caused at Debug.
func TestAttack2OversizedEventsFloodWarnLog(t *testing.T) {
	var warns atomic.Int64
	r := startRouter(t, router.Config{Logger: slog.New(countingHandler{level: slog.LevelWarn, n: &warns})})
	c := dialRSJSON(t, r, 0, 0) // 512 bytes
	c.join(allRoles)
	c.send(`[32,1,{},"com.test.t"]`)
	c.recv(33)
	start := warns.Load()
	big := strings.Repeat("x", 600)
	const pairs = 200
	for i := range pairs {
		c.send(fmt.Sprintf(`[16,%d,{"exclude_me":false},"com.test.t",["%s"]]`, 2*i+1, big))
		c.send(fmt.Sprintf(`[16,%d,{"exclude_me":false,"acknowledge":true},"com.test.t",[]]`, 2*i+2))
		for {
			v, raw, err := c.recvWithin(testTimeout)
			if err != nil {
				t.Fatal(err)
			}
			if v[0] == 17.0 {
				break
			}
			if v[0] != 36.0 {
				t.Fatalf("got %s", raw)
			}
		}
	}
	n := warns.Load() - start
	t.Logf("%d Warn lines for %d oversized EVENTs", n, pairs)
	if n > 10 {
		t.Errorf("FINDING: one client made the router log %d Warn lines by publishing %d EVENTs it can't receive", n, pairs)
	}
}

// FINDING (unbounded resources, memory; bypass of the 16-testament cap):
// nexus keeps a session's testaments in two scopes, "destroyed" (the
// default) and "detached", and wamp.session.flush_testaments flushes one
// scope only (its kwarg scope, "destroyed" by default). The ledger counts
// adds of both scopes together and resets the count at any flush: a
// session that adds 16 testaments with scope "detached", flushes the
// (empty) destroyed scope, and repeats, holds any number of 64 KiB
// testaments until it leaves.
//
// Fix: count testaments per scope in the ledger (scope read as nexus
// reads it: wamp.AsString of kwarg "scope", "" meaning "destroyed"), and
// reset only the scope a flush names.
func TestAttack2DetachedTestamentsUnbounded(t *testing.T) {
	r := startRouter(t, router.Config{})
	before := heapInUse()
	c := dialRSJSON(t, r, 15, 0)
	c.join(allRoles)
	pad := strings.Repeat("x", 60<<10)
	const rounds = 10
	added, req := 0, 0
	for range rounds {
		for range 16 {
			req++
			c.send(fmt.Sprintf(`[48,%d,{},"wamp.session.add_testament",["com.test.will",["%s"],{}],{"scope":"detached"}]`, req, pad))
			v, raw, err := c.recvWithin(testTimeout)
			if err != nil {
				t.Fatal(err)
			}
			switch v[0] {
			case 50.0:
				added++
			case 8.0:
			default:
				t.Fatalf("got %s", raw)
			}
		}
		req++
		c.send(fmt.Sprintf(`[48,%d,{},"wamp.session.flush_testaments",[]]`, req))
		c.recv(50)
	}
	grew := int64(heapInUse()) - int64(before)
	t.Logf("%d detached testaments added; heap %+d bytes", added, grew)
	if added > 16 {
		t.Errorf("FINDING: one session holds %d detached testaments (%d MB), past the cap of 16", added, grew>>20)
	}
}
