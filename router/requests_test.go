package router

import (
	"testing"

	"github.com/gammazero/nexus/v3/wamp"
)

// TestLedgerCountsStayInStep: what a session holds or has asked for is
// counted exactly through every way an entry comes and goes, so that no
// leaked entry ever counts against a legitimate session's limits.
func TestLedgerCountsStayInStep(t *testing.T) {
	var l ledger
	sub := func(req wamp.ID, match string) verdict {
		return l.admit(&wamp.Subscribe{Request: req, Options: wamp.Dict{wamp.OptMatch: match}, Topic: "com.t"}, 0)
	}
	want := func(all, patterns int) {
		t.Helper()
		if l.subs.all != all || l.subs.patterns != patterns {
			t.Fatalf("counted %d, %d pattern-based; want %d, %d", l.subs.all, l.subs.patterns, all, patterns)
		}
	}
	if v := sub(1, wamp.MatchPrefix); !v.recorded {
		t.Fatal("SUBSCRIBE not recorded")
	}
	want(1, 1)
	l.undo(&wamp.Subscribe{Request: 1}) // refused by screen after the ledger
	want(0, 0)
	sub(2, wamp.MatchPrefix)
	l.note(&wamp.Subscribed{Request: 2, Subscription: 77})
	want(1, 1)
	sub(3, wamp.MatchPrefix) // the same subscription again: nexus answers its ID
	l.note(&wamp.Subscribed{Request: 3, Subscription: 77})
	want(1, 1)
	sub(4, "")
	l.note(&wamp.Error{Type: wamp.SUBSCRIBE, Request: 4})
	want(1, 1)
	if v := l.admit(&wamp.Unsubscribe{Request: 5, Subscription: 77}, 0); v.reply != nil {
		t.Fatalf("UNSUBSCRIBE of a held subscription refused: %v", v.reply)
	}
	want(0, 0)

	for i := range maxPatterns {
		sub(wamp.ID(10+i), wamp.MatchWildcard)
	}
	if v := sub(1000, wamp.MatchWildcard); v.reply == nil {
		t.Fatal("pattern-based SUBSCRIBE over the limit passed")
	}
	if v := sub(1001, wamp.MatchExact); v.reply != nil {
		t.Fatalf("exact SUBSCRIBE refused at the pattern limit: %v", v.reply)
	}
}

// TestLedgerCalls: calls in flight end at their final answer, a refused
// CALL is forgotten, and a progressive call answered early is ended in
// nexus and drops the caller's later chunks until its last.
func TestLedgerCalls(t *testing.T) {
	l := ledger{progressiveCalls: true}
	call := func(req wamp.ID, progress bool) verdict {
		return l.admit(&wamp.Call{Request: req, Options: wamp.Dict{wamp.OptProgress: progress}, Procedure: "com.p"}, 0)
	}
	call(1, false)
	if v := call(1, false); v.violation == "" {
		t.Fatal("a CALL repeating an ID in flight passed")
	}
	l.note(&wamp.Result{Request: 1, Details: wamp.Dict{}})
	if v := call(1, false); v.violation != "" || !v.recorded {
		t.Fatalf("reusing a finished call's ID: %+v", v)
	}
	l.undo(&wamp.Call{Request: 1})
	if len(l.calls) != 0 {
		t.Fatalf("calls %v after undo", l.calls)
	}
	call(2, true)
	// The callee answers while input is open: the peer ends the call in
	// nexus (CANCEL skip), and it no longer counts.
	if id, mode := l.note(&wamp.Result{Request: 2, Details: wamp.Dict{}}); id != 2 || mode != wamp.CancelModeSkip {
		t.Fatalf("note of the early answer = %v, %q; want 2, skip", id, mode)
	}
	if _, ok := l.calls[2]; ok {
		t.Fatalf("calls %v after the early answer, want 2 forgotten", l.calls)
	}
	if v := call(2, true); !v.drop {
		t.Fatalf("chunk after the answer: %+v, want dropped", v)
	}
	if v := call(2, false); !v.drop {
		t.Fatalf("last chunk after the answer: %+v, want dropped", v)
	}
	// A streamed call refused for a callee without the feature, its input
	// complete before the refusal came, is kept too.
	call(3, true)
	call(3, false)
	l.note(&wamp.Error{Type: wamp.CALL, Request: 3, Error: wamp.ErrFeatureNotSupported})
	if l.calls[3] != callAnswered {
		t.Fatalf("calls %v after the refusal, want 3 still counted", l.calls)
	}
	if ids := l.pending(); len(ids) != 0 {
		t.Fatalf("pending %v: answered calls are not canceled", ids)
	}
}

// TestLedgerEndedStreams: the later chunks of a progressive call that ended
// while its input was open, and that nexus has forgotten (refused by the
// ledger at its first chunk, answered with an ERROR), are dropped until
// the last one, instead of starting calls of their own; they do not count
// as calls in flight; and the set of such calls is bounded.
func TestLedgerEndedStreams(t *testing.T) {
	l := ledger{progressiveCalls: true}
	call := func(req wamp.ID, opts wamp.Dict) verdict {
		return l.admit(&wamp.Call{Request: req, Options: opts, Procedure: "com.p"}, 0)
	}
	more := wamp.Dict{wamp.OptProgress: true}
	last := wamp.Dict{}

	// Refused at the first chunk: a timeout on a progressive call.
	if v := call(1, wamp.Dict{wamp.OptProgress: true, wamp.OptTimeout: 1000}); v.reply == nil {
		t.Fatalf("progressive CALL with a timeout: %+v, want refused", v)
	}
	if v := call(1, more); !v.drop {
		t.Fatalf("chunk of a refused call: %+v, want dropped", v)
	}
	if v := call(1, last); !v.drop {
		t.Fatalf("last chunk of a refused call: %+v, want dropped", v)
	}
	if v := call(1, last); v.drop || !v.recorded {
		t.Fatalf("a new call after the last chunk: %+v, want recorded", v)
	}
	l.note(&wamp.Result{Request: 1, Details: wamp.Dict{}})

	// Answered with an ERROR mid-stream (the callee failed, its input
	// overflowed): nexus forgets the call.
	call(2, more)
	call(2, more)
	l.note(&wamp.Error{Type: wamp.CALL, Request: 2, Error: "wampgen.error.input_overflow"})
	if _, ok := l.calls[2]; ok {
		t.Fatalf("calls %v: a call nexus forgot still counts", l.calls)
	}
	if v := call(2, more); !v.drop {
		t.Fatalf("chunk after the ERROR: %+v, want dropped", v)
	}

	// Undone before nexus saw it.
	call(3, more)
	l.undo(&wamp.Call{Request: 3})
	if v := call(3, more); !v.drop {
		t.Fatalf("chunk of an undone call: %+v, want dropped", v)
	}

	// Bounded: past maxEndedStreams, the oldest entries go.
	for i := range maxEndedStreams + 10 {
		id := wamp.ID(100 + i)
		call(id, more)
		l.note(&wamp.Error{Type: wamp.CALL, Request: id, Error: wamp.ErrCanceled})
	}
	if n := l.ended.set.Len(); n > maxEndedStreams {
		t.Fatalf("%d ended streams remembered, the bound is %d", n, maxEndedStreams)
	}
	if l.ended.has(100) || !l.ended.has(wamp.ID(100+maxEndedStreams+9)) {
		t.Error("the oldest entries should go first")
	}
	if len(l.calls) != 0 {
		t.Errorf("calls %v in flight, want none", l.calls)
	}
}
