package runtime_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	nxwamp "github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// runningSum is the calculator's running_sum: after each chunk but the
// last, a progressive result with the total so far; then the total.
func runningSum(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
	items, inputErr := runtime.InputSeq[float64](ctx, inv.Procedure, inv)
	total := 0.0
	first := true
	for x := range items {
		if !first && inv.ProgressRequested() {
			if err := inv.SendProgress(wamp.ArgsOf(total), wamp.Payload{}); err != nil {
				return nil, err
			}
		}
		first = false
		total += x
	}
	if err := inputErr(); err != nil {
		return nil, err
	}
	return &runtime.Result{Args: wamp.ArgsOf(total)}, nil
}

// TestStreamedInputNexusInterop: nexus's own client streams input to this
// runtime's callee (CallProgressive), and this runtime streams input to a
// nexus callee that takes progressive invocations, both with progressive
// results (bidirectional), over each serializer.
func TestStreamedInputNexusInterop(t *testing.T) {
	r := routertest.New(t)
	for _, v := range []struct {
		ser  *wamp.Serializer
		nser serialize.Serialization
	}{{wamp.JSON, serialize.JSON}, {wamp.MsgPack, serialize.MSGPACK}, {wamp.CBOR, serialize.CBOR}} {
		t.Run(serName(v.ser), func(t *testing.T) {
			ctx := testCtx(t)
			rt := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: v.ser})
			nx := dialNexusT(t, r.RawSocketURL(), v.nser)
			prefix := "com.interop.stream." + serName(v.ser) + "."

			t.Run("nexus-caller", func(t *testing.T) {
				if _, err := rt.Register(ctx, wamp.URI(prefix+"rt.running_sum"), runningSum, runtime.WithStreamedInput()); err != nil {
					t.Fatal(err)
				}
				for _, n := range []int{1, 5} {
					sent := 0
					send := func(context.Context) (nxwamp.Dict, nxwamp.List, nxwamp.Dict, error) {
						sent++
						return nxwamp.Dict{nxwamp.OptProgress: sent < n}, nxwamp.List{sent}, nil, nil
					}
					var mu sync.Mutex
					var progress []float64
					res, err := nx.CallProgressive(ctx, prefix+"rt.running_sum", send, func(r *nxwamp.Result) {
						mu.Lock()
						defer mu.Unlock()
						f, _ := nxwamp.AsFloat64(firstOf(r.Arguments))
						progress = append(progress, f)
					})
					if err != nil {
						t.Fatalf("CallProgressive of %d chunks: %v", n, err)
					}
					total, _ := nxwamp.AsFloat64(firstOf(res.Arguments))
					mu.Lock()
					got := append(progress, total)
					mu.Unlock()
					want := []float64{1, 3, 6, 10, 15}[:n]
					if n == 1 {
						want = []float64{1}
					}
					if !slices.Equal(got, want) {
						t.Errorf("%d chunks: running sums %v, want %v", n, got, want)
					}
				}
			})

			t.Run("nexus-callee", func(t *testing.T) {
				var mu sync.Mutex
				totals := map[nxwamp.ID]float64{}
				// Only the first chunk's details say whether progressive
				// results were asked for (the spec freezes them there).
				wants := map[nxwamp.ID]bool{}
				if err := nx.Register(prefix+"nx.running_sum", func(ictx context.Context, inv *nxwamp.Invocation) client.InvokeResult {
					x, _ := nxwamp.AsFloat64(firstOf(inv.Arguments))
					mu.Lock()
					if _, ok := totals[inv.Request]; !ok {
						wants[inv.Request], _ = inv.Details[nxwamp.OptReceiveProgress].(bool)
					}
					totals[inv.Request] += x
					total, want := totals[inv.Request], wants[inv.Request]
					mu.Unlock()
					if more, _ := inv.Details[nxwamp.OptProgress].(bool); more {
						if !want {
							return client.InvokeResult{Err: nxwamp.InternalProgressiveOmitResult}
						}
						if err := nx.SendProgress(ictx, nxwamp.List{total}, nil); err != nil {
							return client.InvokeResult{Err: "com.interop.error.progress"}
						}
						return client.InvokeResult{Err: nxwamp.InternalProgressiveOmitResult}
					}
					mu.Lock()
					delete(totals, inv.Request)
					delete(wants, inv.Request)
					mu.Unlock()
					return client.InvokeResult{Args: nxwamp.List{total}}
				}, nil); err != nil {
					t.Fatal(err)
				}
				var got []float64
				for v, err := range runtime.CallInputStream[float64, float64](ctx, rt, wamp.URI(prefix+"nx.running_sum"), numbers(5)) {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, v)
				}
				if want := []float64{1, 3, 6, 10, 15}; !slices.Equal(got, want) {
					t.Errorf("running sums %v, want %v", got, want)
				}
				sum, err := runtime.CallInputOne[float64, float64](ctx, rt, wamp.URI(prefix+"nx.running_sum"), numbers(100))
				if err != nil || sum != 5050 {
					t.Errorf("sum of 1..100 = %v, %v; want 5050", sum, err)
				}
			})
		})
	}
}
