package router

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gammazero/nexus/v3/stdlog"
)

// nexusLogger adapts a *slog.Logger to the Print-style interface nexus logs
// through. nexus has no levels; its routine chatter ("Added realm", session
// joins and leaves) goes to Debug, and lines that look like trouble go to
// Warn.
//
// nexus logs a line for every message it drops because a client's queue is
// full ("!!! Dropped EVENT to session …: blocked"); those are counted in
// the router's Stats and summed up (see dropSummary) instead of logged one
// by one, so a burst of drops can't flood the log.
type nexusLogger struct {
	log   *slog.Logger
	stats *counters
	drops *dropSummary
}

var _ stdlog.StdLog = nexusLogger{}

// dropSummary sums up nexus's drop lines: the first of a burst is logged,
// and the count of the others dropSummaryEvery later, or when the router
// closes (see flush), whichever comes first.
type dropSummary struct {
	mu     sync.Mutex
	n      int         // drops since the first of the burst
	timer  *time.Timer // the summary due; nil when none is
	closed bool
}

const dropSummaryEvery = 10 * time.Second

// noteDrop records one drop line, and reports whether it is the first of a
// burst, to be logged as it is.
func (n nexusLogger) noteDrop(msg string) bool {
	if strings.Contains(msg, "Dropped EVENT") {
		n.stats.droppedEvents.Add(1)
	}
	d := n.drops
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil || d.closed {
		d.n++
		return false
	}
	d.timer = time.AfterFunc(dropSummaryEvery, func() { d.flush(n.log, false) })
	return true
}

// flush logs the count of the drops since the first of the burst, if any,
// and ends the burst; closing, it also stops the timer for good, so that
// nothing is logged after the router has closed.
func (d *dropSummary) flush(log *slog.Logger, closing bool) {
	d.mu.Lock()
	count := d.n
	d.n = 0
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if closing {
		d.closed = true
	}
	d.mu.Unlock()
	if count > 0 {
		log.Warn(fmt.Sprintf("nexus dropped %d more messages for clients whose queue was full", count), "component", "nexus")
	}
}

// Print logs like fmt.Print.
func (n nexusLogger) Print(v ...any) {
	if n.enabled() {
		n.emit(fmt.Sprint(v...))
	}
}

// Println logs like fmt.Println.
func (n nexusLogger) Println(v ...any) {
	if n.enabled() {
		n.emit(strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
	}
}

// Printf logs like fmt.Printf.
func (n nexusLogger) Printf(format string, v ...any) {
	if strings.HasPrefix(format, "!!! Dropped") {
		// Counted whether or not anything is logged.
		if msg := fmt.Sprintf(format, v...); n.noteDrop(msg) && n.enabled() {
			n.emit(msg)
		}
		return
	}
	if n.enabled() {
		n.emit(fmt.Sprintf(format, v...))
	}
}

// enabled reports whether any level nexus lines are logged at is enabled, so
// that formatting is skipped otherwise.
func (n nexusLogger) enabled() bool {
	return n.log.Enabled(context.Background(), slog.LevelDebug) ||
		n.log.Enabled(context.Background(), slog.LevelWarn)
}

func (n nexusLogger) emit(msg string) {
	n.log.Log(context.Background(), nexusLevel(msg), msg, "component", "nexus")
}

// nexusLevel guesses the level of a nexus log line from its wording.
//
// "Aborting client connection: ..." is one client's failed join (a wrong
// password, a bad HELLO): Debug, so that a client guessing passwords
// cannot flood the log at Warn. The router logs those failures itself,
// and a warning when the authentication throttle engages.
func nexusLevel(msg string) slog.Level {
	if strings.HasPrefix(msg, "Aborting client connection") ||
		// A callee's answer to an INTERRUPT for a call the dealer has
		// already ended (a timeout, a killnowait CANCEL, a caller gone):
		// routine, and a client can send such ERRORs at will.
		strings.HasPrefix(msg, "Received ERROR (INVOCATION) with invalid request ID") ||
		strings.HasPrefix(msg, "Received ERROR for call that was already canceled") {
		return slog.LevelDebug
	}
	lower := strings.ToLower(msg)
	for _, w := range []string{"!!!", "panic", "critical", "error", "fail", "dropped", "blocked"} {
		if strings.Contains(lower, w) {
			return slog.LevelWarn
		}
	}
	return slog.LevelDebug
}

// clientLogs are the log budgets of the trouble a client can cause as often
// as it likes: EVENTs dropped for it, messages it can't be sent, protocol
// violations. The router's peers share them, so that neither one client
// nor one that reconnects, nor many, can flood the log: a kind is logged
// at most once per dropReportEvery for the whole router, with the count
// since its last line, and what is left when the router closes (see
// flush). Every occurrence is also logged at Debug or counted in Stats.
type clientLogs struct {
	mu                             sync.Mutex
	drops, undelivered, violations logBudget
}

// take counts one in b, one of c's budgets, and reports whether to log a
// line now and the count it reports.
func (c *clientLogs) take(b *logBudget) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return b.take()
}

// flush logs what the budgets held back.
func (c *clientLogs) flush(log *slog.Logger) {
	c.mu.Lock()
	drops, undelivered, violations := c.drops.rest(), c.undelivered.rest(), c.violations.rest()
	c.mu.Unlock()
	if drops > 0 {
		log.Warn("router: dropped EVENTs for clients that can't take them", "dropped", drops)
	}
	if undelivered > 0 {
		log.Warn("router: messages not delivered", "count", undelivered)
	}
	if violations > 0 {
		log.Warn("router: closing connections: protocol violation", "count", violations)
	}
}

// logBudget spaces the log lines about one kind of trouble: the first is
// logged, then at most one per dropReportEvery, with the count since the
// last line.
type logBudget struct {
	n      int // since the last line
	logged time.Time
}

// take counts one, and reports whether to log a line now and the count it
// reports.
func (b *logBudget) take() (int, bool) {
	b.n++
	now := time.Now()
	if !b.logged.IsZero() && now.Sub(b.logged) < dropReportEvery {
		return 0, false
	}
	n := b.n
	b.n, b.logged = 0, now
	return n, true
}

// rest returns the count not yet logged, and clears it.
func (b *logBudget) rest() int {
	n := b.n
	b.n = 0
	return n
}
