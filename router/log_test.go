package router

import (
	"log/slog"
	"testing"
)

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
