package router

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gammazero/nexus/v3/stdlog"
)

// nexusLogger adapts a *slog.Logger to the Print-style interface nexus logs
// through. nexus has no levels; its routine chatter ("Added realm", session
// joins and leaves) goes to Debug, and lines that look like trouble go to
// Warn.
type nexusLogger struct {
	log *slog.Logger
}

var _ stdlog.StdLog = nexusLogger{}

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
	if strings.HasPrefix(msg, "Aborting client connection") {
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
