package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/wampgen/wampgen/router/routertest"
)

// TestRun runs the example against a test router: the monitor gets every
// room's reading through its one wildcard subscription, by room, and both
// alerts with the publisher's session ID.
func TestRun(t *testing.T) {
	r := routertest.New(t)
	var out bytes.Buffer
	if err := run(context.Background(), r.WebSocketURL(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	want := regexp.MustCompile(`^attic: 30\.25 °C
hall: 18\.00 °C
kitchen: 21\.50 °C
alert attic: above 30 °C \(from session (\d+)\)
alert hall: window open \(from session (\d+)\)
$`)
	m := want.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output:\n%s\nwant it to match\n%s", &out, want)
	}
	if m[1] != m[2] {
		t.Errorf("the alerts name two publishers, %s and %s", m[1], m[2])
	}
}
