package router

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
)

type recordCounter struct{ n *atomic.Int64 }

func (h recordCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h recordCounter) Handle(context.Context, slog.Record) error {
	h.n.Add(1)
	return nil
}
func (h recordCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordCounter) WithGroup(string) slog.Handler      { return h }

// TestNexusDropLinesSummed: nexus's line per dropped message is counted in
// Stats and logged once per burst, so a client that can't keep up can't
// flood the log (27,306 lines for 20,000 events to 3 subscribers before).
func TestNexusDropLinesSummed(t *testing.T) {
	for _, logging := range []bool{false, true} { // counted either way
		var lines atomic.Int64
		logger := slog.New(slog.DiscardHandler)
		if logging {
			logger = slog.New(recordCounter{&lines})
		}
		var stats counters
		n := nexusLogger{log: logger, stats: &stats, drops: &dropSummary{}}
		for range 1000 {
			n.Printf("!!! Dropped %s to session %s: blocked", "EVENT", "42")
		}
		n.Printf("!!! Dropped %s to caller %s: blocked", "RESULT", "42")
		if got := stats.droppedEvents.Load(); got != 1000 {
			t.Errorf("DroppedEvents = %d, want 1000", got)
		}
		if got := lines.Load(); logging && got != 1 {
			t.Errorf("%d lines logged for a burst of drops, want 1", got)
		}
		// Closing sums up the burst at once, and stops the timer: nothing
		// is logged after the router has closed.
		n.drops.flush(logger, true)
		n.Printf("!!! Dropped %s to session %s: blocked", "EVENT", "42")
		if got := lines.Load(); logging && got != 2 {
			t.Errorf("%d lines logged for a burst and the close, want 2", got)
		}
	}
}

func TestNexusLevel(t *testing.T) {
	for msg, want := range map[string]slog.Level{
		"Aborting client connection: authentication failed": slog.LevelDebug,
		"Added realm: realm1":                               slog.LevelDebug,
		"!!! dropped event":                                 slog.LevelWarn,
		"failed to send message":                            slog.LevelWarn,
	} {
		if got := nexusLevel(msg); got != want {
			t.Errorf("nexusLevel(%q) = %v, want %v", msg, got, want)
		}
	}
}
