package router_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
)

// Attacks on progressive call invocations (issue 15) through the embedded
// router: one client's chunks must never reach another client's call.

// A CALL with progress that repeats another session's request ID starts a
// call of its own: it never continues the other session's invocation.
func TestAttack15ChunkForOthersRequest(t *testing.T) {
	r := startRouter(t, router.Config{})
	callee := dialRSJSON(t, r, 15, 0)
	callee.join(progressiveRoles)
	callee.send(`[64,1,{},"com.test.p"]`)
	callee.recv(65)
	alice := dialRSJSON(t, r, 15, 0)
	alice.join(progressiveRoles)
	mallory := dialRSJSON(t, r, 15, 0)
	mallory.join(progressiveRoles)

	alice.send(`[48,5,{"progress":true},"com.test.p",["alice 1"]]`)
	first := callee.recv(68)
	mallory.send(`[48,5,{"progress":true},"com.test.p",["mallory"]]`)
	evil := callee.recv(68)
	if evil[1] == first[1] {
		t.Fatalf("mallory's chunk continued alice's invocation %v: %v", first[1], evil)
	}
	alice.send(`[48,5,{},"com.test.p",["alice 2"]]`)
	next := callee.recv(68)
	if next[1] != first[1] {
		t.Fatalf("alice's last chunk went to invocation %v, want %v", next[1], first[1])
	}
	callee.send(fmt.Sprintf(`[70,%v,{},["alice done"]]`, first[1]))
	if res := alice.recv(50); res[3].([]any)[0] != "alice done" {
		t.Fatalf("alice's result: %v", res)
	}
}

// A continuation CALL naming another procedure continues the call it
// belongs to (the spec: options and procedure are those of the first
// CALL): it never reaches the other procedure's callee.
func TestAttack15ChunkForOtherProcedure(t *testing.T) {
	r := startRouter(t, router.Config{})
	calleeP := dialRSJSON(t, r, 15, 0)
	calleeP.join(progressiveRoles)
	calleeP.send(`[64,1,{},"com.test.p"]`)
	calleeP.recv(65)
	calleeQ := dialRSJSON(t, r, 15, 0)
	calleeQ.join(progressiveRoles)
	calleeQ.send(`[64,1,{},"com.test.q"]`)
	calleeQ.recv(65)
	caller := dialRSJSON(t, r, 15, 0)
	caller.join(progressiveRoles)

	caller.send(`[48,7,{"progress":true},"com.test.p",["to p"]]`)
	first := calleeP.recv(68)
	caller.send(`[48,7,{"progress":true},"com.test.q",["meant for q"]]`)
	if v, raw, err := calleeQ.recvWithin(500 * time.Millisecond); err == nil && v[0] == 68.0 {
		t.Fatalf("a continuation naming com.test.q reached q's callee: %s", raw)
	}
	caller.send(`[48,7,{},"com.test.q",["last"]]`)
	calleeP.send(fmt.Sprintf(`[70,%v,{},["p done"]]`, first[1]))
	for {
		v := caller.recv(50)
		if v[1] == 7.0 {
			break
		}
	}
}

// A chunk the router refuses because the callee is over its byte budget
// ends the call for the caller (wamp.error.network_failure) and makes
// nexus forget the invocation: the callee, which has the first chunks of
// that invocation, must be told (INTERRUPT), or its handler waits for the
// rest of its input as long as its session lasts.
func TestAttack15RefusedChunkInterruptsCallee(t *testing.T) {
	r := startRouter(t, router.Config{MaxQueuedBytes: 64 << 10})
	callee := dialRSJSON(t, r, 15, 4096)
	callee.join(progressiveRoles)
	callee.send(`[64,1,{},"com.test.p"]`)
	callee.recv(65)
	caller := dialRSJSON(t, r, 15, 0)
	caller.join(progressiveRoles)

	big := strings.Repeat("x", 16<<10)
	caller.send(`[48,9,{"progress":true},"com.test.p",["first"]]`)
	first := callee.recv(68)
	// The callee reads nothing more: the chunks pile up until the router
	// refuses one, and the caller gets its ERROR.
	refused := false
	for i := 0; i < 10_000 && !refused; i++ {
		caller.send(fmt.Sprintf(`[48,9,{"progress":true},"com.test.p",[%q]]`, big))
		for {
			v, _, err := caller.recvWithin(time.Millisecond)
			if err != nil {
				break
			}
			if v[0] == 8.0 && v[2] == 9.0 {
				refused = true
				break
			}
		}
	}
	if !refused {
		t.Fatal("the router never refused a chunk for a callee that reads nothing")
	}
	// Now the callee reads: after the chunks it was given, an INTERRUPT
	// for the invocation.
	for {
		v, raw, err := callee.recvWithin(10 * time.Second)
		if err != nil {
			t.Fatalf("the callee got no INTERRUPT for invocation %v: %v", first[1], err)
		}
		if v[0] == 69.0 && v[1] == first[1] {
			return
		}
		if v[0] != 68.0 {
			t.Fatalf("the callee got %s", raw)
		}
	}
}
