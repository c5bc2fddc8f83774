package router_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
)

// More attacks on progressive call invocations (issue 15) through the
// embedded router, by a caller that uses the protocol in ways a
// well-behaved client does not.

// startStream registers com.test.p for a progressive callee, joins a
// progressive caller, starts a progressive call with request ID req and
// returns the callee, the caller and the callee's INVOCATION request ID.
func startStream(t *testing.T, r *router.Router, req int) (callee, caller *rsJSON, inv any) {
	t.Helper()
	callee = dialRSJSON(t, r, 15, 0)
	callee.join(progressiveRoles)
	callee.send(`[64,1,{},"com.test.p"]`)
	callee.recv(65)
	caller = dialRSJSON(t, r, 15, 0)
	caller.join(progressiveRoles)
	caller.send(fmt.Sprintf(`[48,%d,{"progress":true},"com.test.p",["chunk 1"]]`, req))
	return callee, caller, callee.recv(68)[1]
}

// expectInterrupt reads what the callee gets until the INTERRUPT for
// invocation inv; INVOCATIONs for inv (chunks that crossed the cancel)
// may come before it, nothing else.
func expectInterrupt(t *testing.T, callee *rsJSON, inv any) {
	t.Helper()
	for {
		v, raw, err := callee.recvWithin(testTimeout)
		if err != nil {
			t.Fatalf("the callee got no INTERRUPT for invocation %v: %v", inv, err)
		}
		if v[0] == 69.0 && v[1] == inv {
			return
		}
		if v[0] != 68.0 || v[1] != inv {
			t.Fatalf("the callee got %s before the INTERRUPT of invocation %v", raw, inv)
		}
	}
}

// CANCEL with mode skip in the middle of a progressive call invocation:
// nexus answers the caller and forgets the call without telling the
// callee, whose handler would then wait for the rest of its input as long
// as its session lasts (one per such call: a caller could pin any number
// of them). The callee must be interrupted.
func TestAttack15CancelSkipMidStream(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee, caller, inv := startStream(t, r, 3)
	caller.send(`[49,3,{"mode":"skip"}]`)
	if v := caller.recv(8); v[2] != 3.0 || v[4] != "wamp.error.canceled" {
		t.Fatalf("the caller got %v, want ERROR wamp.error.canceled for its call", v)
	}
	expectInterrupt(t, callee, inv)
	// The chunks still on their way are dropped: they start no new call.
	caller.send(`[48,3,{"progress":true},"com.test.p",["late"]]`)
	caller.send(`[48,3,{},"com.test.p",["late last"]]`)
	caller.send(`[48,4,{},"com.test.p",["next call"]]`)
	v := callee.recv(68)
	if v[1] == inv || v[4].([]any)[0] != "next call" {
		t.Fatalf("the callee got %v, want the INVOCATION of the next call", v)
	}
}

// A chunk sent after CANCEL mode kill, while the callee is being
// interrupted: it may reach the callee (the call lives until the callee
// answers), the caller gets one ERROR, and nothing after that starts a
// new call.
func TestAttack15ChunkWhileInterrupted(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee, caller, inv := startStream(t, r, 3)
	caller.send(`[49,3,{"mode":"kill"}]`)
	caller.send(`[48,3,{"progress":true},"com.test.p",["after cancel"]]`)
	expectInterrupt(t, callee, inv)
	callee.send(fmt.Sprintf(`[8,68,%v,{},"wamp.error.canceled"]`, inv))
	if v := caller.recv(8); v[2] != 3.0 || v[4] != "wamp.error.canceled" {
		t.Fatalf("the caller got %v, want ERROR wamp.error.canceled for its call", v)
	}
	caller.send(`[48,3,{"progress":true},"com.test.p",["late"]]`)
	caller.send(`[48,3,{},"com.test.p",["late last"]]`)
	caller.send(`[48,4,{},"com.test.p",["next call"]]`)
	for {
		v := callee.recv(68)
		if v[1] == inv {
			// The chunk sent before the ERROR crossed the INTERRUPT.
			if v[4].([]any)[0] != "after cancel" {
				t.Fatalf("the callee got %v after answering invocation %v", v, inv)
			}
			continue
		}
		if v[4].([]any)[0] != "next call" {
			t.Fatalf("the callee got %v, want the INVOCATION of the next call", v)
		}
		break
	}
	if v, raw, err := caller.recvWithin(300 * time.Millisecond); err == nil && v[0] == 8.0 && v[2] == 3.0 {
		t.Fatalf("the caller got a second answer for its call: %s", raw)
	}
}

// Options in a continuation are ignored (the spec freezes them at the
// first CALL): a timeout, disclose_me or receive_progress there neither
// reaches the callee nor changes the call.
func TestAttack15ContinuationOptionsIgnored(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee, caller, inv := startStream(t, r, 3)
	caller.send(`[48,3,{"progress":true,"timeout":1,"disclose_me":true,"receive_progress":true,"x":1},"com.test.p",["chunk 2"]]`)
	v := callee.recv(68)
	if v[1] != inv || fmt.Sprint(v[3]) != "map[progress:true]" {
		t.Fatalf("the continuation reached the callee as %v, want details {progress: true} for invocation %v", v, inv)
	}
	// A timer the continuation's timeout started would interrupt the
	// callee by now.
	if v, raw, err := callee.recvWithin(200 * time.Millisecond); err == nil {
		t.Fatalf("the callee got %s (%v)", raw, v)
	}
	caller.send(`[48,3,{"timeout":1},"com.test.p",["last"]]`)
	if v := callee.recv(68); v[1] != inv || fmt.Sprint(v[3]) != "map[progress:false]" {
		t.Fatalf("the last chunk reached the callee as %v", v)
	}
	callee.send(fmt.Sprintf(`[70,%v,{},["done"]]`, inv))
	if v := caller.recv(50); v[1] != 3.0 || v[3].([]any)[0] != "done" {
		t.Fatalf("the caller got %v, want the callee's result", v)
	}
}

// A continuation naming a procedure no one registered: the call it
// continues must not end for the caller while its callee goes on waiting
// for input. Either the chunk continues the call (the spec: only progress
// counts in a continuation) or the call ends on both sides.
func TestAttack15ContinuationNoSuchProcedure(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee, caller, inv := startStream(t, r, 3)
	caller.send(`[48,3,{"progress":true},"com.test.nobody",["chunk 2"]]`)
	v, raw, err := callee.recvWithin(testTimeout)
	if err != nil {
		t.Fatalf("the callee got nothing: %v", err)
	}
	switch {
	case v[0] == 68.0 && v[1] == inv:
		// Continued: the call goes on.
		caller.send(`[48,3,{},"com.test.p",["last"]]`)
		callee.recv(68)
		callee.send(fmt.Sprintf(`[70,%v,{},["done"]]`, inv))
		if v := caller.recv(50); v[1] != 3.0 {
			t.Fatalf("the caller got %v", v)
		}
	case v[0] == 69.0 && v[1] == inv:
		// Ended on both sides: the caller has one ERROR.
		caller.recv(8)
		callee.send(fmt.Sprintf(`[8,68,%v,{},"wamp.error.canceled"]`, inv))
		if v, raw, err := caller.recvWithin(300 * time.Millisecond); err == nil && v[0] == 8.0 && v[2] == 3.0 {
			t.Fatalf("the caller got a second answer for its call: %s", raw)
		}
	default:
		t.Fatalf("the callee got %s", raw)
	}
}

// A callee that answers a progressive call invocation before its input
// ends (a search that stops at its first match) is normal: the caller's
// runtime then stops sending. nexus keeps its entries for such a call as
// long as the caller's session lasts, and so did the ledger, counting it
// against the caller's calls in flight: a long-lived caller whose streamed
// calls were answered early was refused every call after 10,000 of them.
// Such a call must end at the router when it is answered.
func TestAttack15AnsweredEarlyCallsEnd(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee := dialRSJSON(t, r, 15, 0)
	callee.join(progressiveRoles)
	callee.send(`[64,1,{},"com.test.p"]`)
	callee.recv(65)
	caller := dialRSJSON(t, r, 15, 0)
	caller.join(progressiveRoles)
	const calls = 10_050 // more than the router's limit of calls in flight
	const batch = 50
	for id := 1; id <= calls; id += batch {
		for i := id; i < id+batch; i++ {
			caller.send(fmt.Sprintf(`[48,%d,{"progress":true},"com.test.p",[%d]]`, i, i))
		}
		for range batch {
			v := callee.recv(68)
			callee.send(fmt.Sprintf(`[70,%v,{},["found"]]`, v[1]))
		}
		for range batch {
			v, raw, err := caller.recvWithin(testTimeout)
			if err != nil {
				t.Fatalf("after %d calls: %v", id, err)
			}
			if v[0] != 50.0 {
				t.Fatalf("after %d calls answered early the caller got %s", id, raw)
			}
		}
	}
	// The chunks the caller sends late are still dropped.
	caller.send(fmt.Sprintf(`[48,%d,{"progress":true},"com.test.p",["late"]]`, calls))
	caller.send(fmt.Sprintf(`[48,%d,{},"com.test.p",["late last"]]`, calls))
	caller.send(fmt.Sprintf(`[48,%d,{},"com.test.p",["next"]]`, calls+1))
	v := callee.recv(68)
	if v[4].([]any)[0] != "next" {
		t.Fatalf("the callee got %v, want the next call", v)
	}
	callee.send(fmt.Sprintf(`[70,%v,{},["done"]]`, v[1]))
	if v, raw, _ := caller.recvWithin(testTimeout); v == nil || v[0] != 50.0 || v[1] != float64(calls+1) {
		t.Fatalf("the next call got %s", raw)
	}
	// The callee got nothing else: no INVOCATION for an answered call.
	if v, raw, err := callee.recvWithin(200 * time.Millisecond); err == nil && v[0] == 68.0 {
		t.Fatalf("the callee got %s", raw)
	}
}

// A chunk too large for the callee (over the message length its RawSocket
// handshake accepts) is refused on its behalf, and nexus forgets the
// invocation: the callee, which has the first chunks, must be told
// (INTERRUPT), as for a chunk refused by its byte budget, or its handler
// waits for the rest of its input as long as its session lasts.
func TestAttack15OversizedChunkInterruptsCallee(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee := dialRSJSON(t, r, 6, 0) // accepts messages of up to 32 KiB
	callee.join(progressiveRoles)
	callee.send(`[64,1,{},"com.test.p"]`)
	callee.recv(65)
	caller := dialRSJSON(t, r, 15, 0)
	caller.join(progressiveRoles)
	caller.send(`[48,3,{"progress":true},"com.test.p",["chunk 1"]]`)
	inv := callee.recv(68)[1]
	caller.send(fmt.Sprintf(`[48,3,{"progress":true},"com.test.p",[%q]]`, strings.Repeat("x", 64<<10)))
	if v := caller.recv(8); v[2] != 3.0 {
		t.Fatalf("the caller got %v, want the ERROR of its call", v)
	}
	expectInterrupt(t, callee, inv)
}
