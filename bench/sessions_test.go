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
