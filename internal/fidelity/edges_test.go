package fidelity_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// label is a text type whose text is whatever it holds.
type label string

func (l label) MarshalText() ([]byte, error) { return []byte(l), nil }
func (l *label) UnmarshalText(b []byte) error {
	*l = label(b)
	return nil
}

// edge holds the values at the edges of the own forms; Any and Deep hold
// own forms behind interfaces on the way back.
type edge struct {
	Labels []label        `json:"labels"`
	Keys   map[label]int  `json:"keys"`
	Times  []time.Time    `json:"times"`
	Any    []any          `json:"any,omitempty"`
	Deep   map[string]any `json:"deep,omitempty"`
}

// edgeBack is edge as the caller decodes it, Any and Deep typed.
type edgeBack struct {
	Labels []label                         `json:"labels"`
	Keys   map[label]int                   `json:"keys"`
	Times  []time.Time                     `json:"times"`
	Any    []label                         `json:"any"`
	Deep   map[string]map[string]time.Time `json:"deep"`
}

// TestFidelityEdges sends the edge values through the embedded router for
// all 9 caller × callee serializer pairs, to a callee that decodes them
// into their types and sends them back, also inside []any and
// map[string]any: texts that look like JSON binary (the router turns them
// into binary for MsgPack and CBOR peers), texts that need escapes, the
// first and last times RFC 3339 writes, the largest offsets.
func TestFidelityEdges(t *testing.T) {
	sent := edge{
		Labels: []label{"\x00AQIDBA==", "\x00", "\x00AQ=", "ünï \"code\"\n\u2028", ""},
		Keys:   map[label]int{"\x00AQIDBA==": 1, "a\tb": 2},
		Times: []time.Time{
			time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60))),
			time.Date(2016, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", 23*3600+59*60)),
		},
	}
	want := edgeBack{Labels: sent.Labels, Keys: sent.Keys, Times: sent.Times,
		Any: sent.Labels, Deep: map[string]map[string]time.Time{"k": {"t": sent.Times[1]}}}
	r := routertest.New(t)
	for _, calleeSer := range wamp.Serializers() {
		callee := dial(t, r, calleeSer)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := callee.Register(ctx, "com.example.fidelity.edges", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			var e edge
			if err := inv.Kwargs.Decode(&e); err != nil {
				return nil, err
			}
			for _, l := range e.Labels {
				e.Any = append(e.Any, l)
			}
			e.Deep = map[string]any{"k": map[string]any{"t": e.Times[1]}}
			return &runtime.Result{Kwargs: wamp.PayloadOf(e)}, nil
		})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		for _, callerSer := range wamp.Serializers() {
			t.Run(callerSer.Name()+"→"+calleeSer.Name(), func(t *testing.T) {
				caller := dial(t, r, callerSer)
				defer caller.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				res, err := caller.Call(ctx, "com.example.fidelity.edges", wamp.Payload{}, wamp.PayloadOf(sent))
				if err != nil {
					t.Fatal(err)
				}
				var got edgeBack
				if err := res.Kwargs.Decode(&got); err != nil {
					t.Fatal(err)
				}
				if d := diff(reflect.ValueOf(want), reflect.ValueOf(got), ""); d != "" {
					t.Error(d)
				}
			})
		}
		_ = callee.Close()
	}
}
