package main

import (
	"context"
	"testing"
	"time"
)

// Both systems of the many-sessions figures make calls through several
// sessions at once, each call checked.
func TestSessionsSystems(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o := options{sessions: "1,5", sessionsDuration: 50 * time.Millisecond, callers: 8, scaleRounds: 1}
	res, err := measureSessions(ctx, o, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.figs) != 4 {
		t.Fatalf("%d figures, want 4", len(res.figs))
	}
	for _, f := range res.figs {
		if len(f.rounds) != 1 || f.perSec <= 0 || f.callers != max(f.n, 8) {
			t.Errorf("%s, %d sessions: %d callers, rounds %v", f.system, f.n, f.callers, f.rounds)
		}
	}
}

func TestParseCounts(t *testing.T) {
	if got, err := parseCounts(" 1, 100 ,1000,"); err != nil || len(got) != 3 || got[2] != 1000 {
		t.Errorf("parseCounts: %v, %v", got, err)
	}
	for _, bad := range []string{"0", "-1", "x", "1,,y"} {
		if _, err := parseCounts(bad); err == nil {
			t.Errorf("parseCounts(%q): no error", bad)
		}
	}
}

// With -sessions-callees and -sessions-inflight, add is served by several
// callee sessions sharing a round-robin registration (a second exclusive
// registration would fail), and each caller session gets that many
// callers.
func TestSessionsSharedCalleesInflight(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	callees, inflight := *sessionsCallees, *sessionsInflight
	defer func() { *sessionsCallees, *sessionsInflight = callees, inflight }()
	*sessionsCallees, *sessionsInflight = 3, 2
	o := options{sessions: "1,5", sessionsDuration: 50 * time.Millisecond, callers: 4, scaleRounds: 1}
	res, err := measureSessions(ctx, o, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.figs) != 4 {
		t.Fatalf("%d figures, want 4", len(res.figs))
	}
	for _, f := range res.figs {
		if len(f.rounds) != 1 || f.perSec <= 0 || f.callers != max(2*f.n, 4) {
			t.Errorf("%s, %d sessions: %d callers, rounds %v", f.system, f.n, f.callers, f.rounds)
		}
	}
	for _, bad := range [][2]int{{0, 1}, {1, 0}} {
		*sessionsCallees, *sessionsInflight = bad[0], bad[1]
		if _, err := measureSessions(ctx, o, func(string, ...any) {}); err == nil {
			t.Errorf("-sessions-callees %d -sessions-inflight %d: no error", bad[0], bad[1])
		}
	}
}
