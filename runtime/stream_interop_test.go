package runtime_test

import (
	"context"
	"errors"
	"io"
	"log"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// TestStreamedInputFloodedCallee: a caller that streams chunks as fast as
// it can, forever, to a handler that does not read, ignoring the answer
// (nexus's client goes on calling its SendProgressiveData until told to
// stop): the callee's queue bounds what it holds, the call ends with
// wampgen.error.input_overflow, the router drops the chunks that follow,
// and the callee serves on.
func TestStreamedInputFloodedCallee(t *testing.T) {
	r := routertest.New(t)
	ctx := testCtx(t)
	const queue = 4
	rt := dialT(t, r.WebSocketURL(), runtime.Config{InputQueue: queue})
	nx := dialNexusT(t, r.RawSocketURL(), serialize.MSGPACK)
	ended := make(chan error, 1)
	var runs, running atomic.Int32
	if _, err := rt.Register(ctx, "com.test.flooded", func(hctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		running.Add(1)
		defer running.Add(-1)
		if runs.Add(1) > 1 {
			// A chunk that crossed the ERROR in nexus, which had forgotten
			// the call and made it a new one: the router cancels that.
			<-hctx.Done()
			return nil, context.Cause(hctx)
		}
		<-hctx.Done()
		for _, err := range inv.Input() {
			if err != nil {
				ended <- err
				return nil, err
			}
		}
		ended <- errors.New("the input did not fail")
		return nil, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Register(ctx, "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	sent, stopAt := 0, -1
	over := make(chan struct{})
	send := func(context.Context) (nxwamp.Dict, nxwamp.List, nxwamp.Dict, error) {
		mu.Lock()
		defer mu.Unlock()
		if stopAt >= 0 && sent >= stopAt {
			close(over)
			return nil, nil, nil, errors.New("the flood is over")
		}
		sent++
		return nxwamp.Dict{nxwamp.OptProgress: true}, nxwamp.List{sent}, nil, nil
	}
	_, err := nx.CallProgressive(ctx, "com.test.flooded", send, nil)
	var rpcErr client.RPCError
	if !errors.As(err, &rpcErr) || rpcErr.Err.Error != nxwamp.URI(runtime.ErrInputOverflowURI) {
		t.Fatalf("CallProgressive = %v, want %s", err, runtime.ErrInputOverflowURI)
	}
	if err := recvWithin(t, ended, "the handler's end"); !errors.Is(err, runtime.ErrInputOverflow) {
		t.Errorf("the handler's input ended with %v, want ErrInputOverflow", err)
	}
	mu.Lock()
	stopAt = sent + 2000 // two thousand more chunks after the answer
	mu.Unlock()
	recvWithin(t, over, "the end of the flood")
	res, err := rt.Call(ctx, "com.test.echo", wamp.ArgsOf("alive"), wamp.Payload{})
	if err != nil || argString(t, res.Args, 0) != "alive" {
		t.Fatalf("a call of the flooded callee after the flood: %v, %v", res, err)
	}
	mu.Lock()
	t.Logf("%d chunks sent, the handler ran %d times", sent, runs.Load())
	mu.Unlock()
	// Every handler ends: none waits for an input that never ends.
	for running.Load() != 0 {
		select {
		case <-ctx.Done():
			t.Fatalf("%d handlers still running after the flood (%d runs)", running.Load(), runs.Load())
		case <-time.After(5 * time.Millisecond):
		}
	}
	// nexus's client closes its connection under the feet of a
	// CallProgressive goroutine still sending (a panic): wait for it to
	// send its CANCEL and end.
	for {
		running := false
		for _, stack := range goroutineStacks() {
			running = running || strings.Contains(stack, "client.(*Client).CallProgressive")
		}
		if !running {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("nexus's CallProgressive goroutine did not end")
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// BenchmarkStreamedInput measures streamed input, items per second, of
// one call of 1000 items, this runtime's caller against nexus's client,
// each streaming to this runtime's callee through the embedded router.
func BenchmarkStreamedInput(b *testing.B) {
	const items = 1000
	r := routertest.New(b)
	ctx := b.Context()
	callee := dialT(b, r.WebSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	if _, err := callee.Register(ctx, "com.bench.sum", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		in, inputErr := runtime.InputSeq[float64](ctx, inv.Procedure, inv)
		total := 0.0
		for x := range in {
			total += x
		}
		if err := inputErr(); err != nil {
			return nil, err
		}
		return &runtime.Result{Args: wamp.ArgsOf(total)}, nil
	}, runtime.WithStreamedInput()); err != nil {
		b.Fatal(err)
	}
	const want = items * (items + 1) / 2
	b.Run("runtime", func(b *testing.B) {
		caller := dialT(b, r.RawSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
		for b.Loop() {
			sum, err := runtime.CallInputOne[float64, float64](ctx, caller, "com.bench.sum", numbers(items))
			if err != nil || sum != want {
				b.Fatalf("sum = %v, %v", sum, err)
			}
		}
		b.ReportMetric(float64(b.N*items)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("nexus", func(b *testing.B) {
		nx, err := client.ConnectNet(ctx, r.RawSocketURL(), client.Config{Realm: "realm1", Serialization: serialize.MSGPACK, Logger: log.New(io.Discard, "", 0)})
		if err != nil {
			b.Fatal(err)
		}
		defer nx.Close()
		for b.Loop() {
			i := 0
			res, err := nx.CallProgressive(ctx, "com.bench.sum", func(context.Context) (nxwamp.Dict, nxwamp.List, nxwamp.Dict, error) {
				i++
				return nxwamp.Dict{nxwamp.OptProgress: i < items}, nxwamp.List{i}, nil, nil
			}, nil)
			if err != nil {
				b.Fatal(err)
			}
			if sum, _ := nxwamp.AsFloat64(firstOf(res.Arguments)); sum != want {
				b.Fatalf("sum = %v", sum)
			}
		}
		b.ReportMetric(float64(b.N*items)/b.Elapsed().Seconds(), "items/s")
	})
}
