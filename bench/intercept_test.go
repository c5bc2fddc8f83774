package main

import (
	"strings"
	"testing"
	"time"
)

// TestInterceptReport: the interceptor figure compares each row with the
// first, round by round, and is left out when its rows were not measured.
func TestInterceptReport(t *testing.T) {
	none := &system{name: interceptPrefix + "none"}
	pass := &system{name: interceptPrefix + "pass-through"}
	other := &system{name: sysGenerated, ser: "json"}
	res := map[*system]*figures{
		none: {rounds: []sample{{p50: 100 * time.Microsecond, perSec: 1000, cpu: 20 * time.Microsecond}}, allocs: allocCount{Allocs: 9, Bytes: 300}},
		pass: {rounds: []sample{{p50: 110 * time.Microsecond, perSec: 900, cpu: 22 * time.Microsecond}}, allocs: allocCount{Allocs: 10, Bytes: 900}},
	}
	for _, f := range res {
		f.med = f.rounds[0]
	}
	var b strings.Builder
	printInterceptReport(&b, []*system{other, none, pass}, res)
	out := b.String()
	for _, want := range []string{
		"| none | 1000 | 100 | 20.0 | 9.0 | 300 | 1.00 | 1.00 | 1.00 | +0.0 |",
		"| pass-through | 900 | 110 | 22.0 | 10.0 | 900 | 0.90 | 1.10 | 1.10 | +1.0 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	printInterceptReport(&b, []*system{other}, res)
	if b.Len() != 0 {
		t.Errorf("report without interceptor rows: %q", b.String())
	}
}
