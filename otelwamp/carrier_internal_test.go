package otelwamp

import (
	"strings"
	"testing"
)

func TestOptionKey(t *testing.T) {
	for _, c := range []struct {
		name, key string
		ok        bool
	}{
		{"traceparent", "x_traceparent", true},
		{"tracestate", "x_tracestate", true},
		{"baggage", "x_baggage", true},
		{"X-B3-TraceId", "x_x_b3_traceid", true},
		{"uber-trace-id", "x_uber_trace_id", true},
		{"", "", false},
		{"a b", "", false},
		{"ünï", "", false},
		{"a.b", "", false},
		{strings.Repeat("a", 62), "x_" + strings.Repeat("a", 62), true},
		{strings.Repeat("a", 63), "", false},
	} {
		key, ok := optionKey(c.name)
		if key != c.key || ok != c.ok {
			t.Errorf("optionKey(%q) = %q, %v; want %q, %v", c.name, key, ok, c.key, c.ok)
		}
	}
}

func TestOptionKeyW3CAllocates(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		optionKey("traceparent")
		optionKey("tracestate")
		optionKey("baggage")
	}); n != 0 {
		t.Errorf("optionKey of the W3C fields: %v allocations, want 0", n)
	}
}

func TestDetailsCarrierKeys(t *testing.T) {
	d := detailsCarrier{"x_traceparent": "v", "x_uber_trace_id": "w", "procedure": "p", "_abc": 1}
	got := d.Keys()
	if len(got) != 2 {
		t.Errorf("Keys() = %q, want traceparent and uber-trace-id", got)
	}
	big := detailsCarrier{}
	for n := range 100 {
		big["x_k"+strings.Repeat("k", n)] = "v"
	}
	if n := len(big.Keys()); n != maxCarrierKeys {
		t.Errorf("Keys() of 100 custom keys: %d, want %d", n, maxCarrierKeys)
	}
}

func TestTruncate(t *testing.T) {
	long := strings.Repeat("a", 511) + "é" + "tail"
	got := truncate(long)
	if got != strings.Repeat("a", 511) {
		t.Errorf("truncate cut inside a character: %d bytes ending %q", len(got), got[len(got)-3:])
	}
	if truncate("short") != "short" {
		t.Error("truncate changed a short string")
	}
}
