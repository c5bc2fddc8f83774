package router

import (
	"testing"

	"github.com/gammazero/nexus/v3/wamp"
)

// BenchmarkCustomOptionsPath measures the router's own work on a CALL
// from a JSON client to a JSON callee, the path custom options take:
// decode the CALL, screen it (which checks its custom options and carries
// them, see xopts.go), encode the INVOCATION nexus makes of it (which puts
// them in its Details). "plain" and "receive_progress" have no custom
// option: their cost is what the feature adds to every call.
func BenchmarkCustomOptionsPath(b *testing.B) {
	for _, c := range []struct{ name, frame string }{
		{"plain", `[48,7,{},"com.example.add",[1,2]]`},
		{"receive_progress", `[48,7,{"receive_progress":true,"timeout":1000},"com.example.add",[1,2]]`},
		{"x_trace_id", `[48,7,{"x_trace_id":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},"com.example.add",[1,2]]`},
	} {
		b.Run(c.name, func(b *testing.B) {
			frame := []byte(c.frame)
			b.ReportAllocs()
			for b.Loop() {
				msg, err := jsonSerializer.Deserialize(frame)
				if err != nil {
					b.Fatal(err)
				}
				fwd, _, why := screen(msg)
				if why != "" {
					b.Fatal(why)
				}
				call := fwd.(*wamp.Call)
				inv := &wamp.Invocation{Request: 9, Registration: 3, Details: wamp.Dict{wamp.OptProgress: false},
					Arguments: call.Arguments, ArgumentsKw: call.ArgumentsKw}
				if _, err := jsonSerializer.Serialize(withCustom(inv)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
