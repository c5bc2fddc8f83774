package runtime_test

import (
	"context"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestStreamedInputConcurrentSends attacks an InputCall from several
// goroutines at once (its methods are documented safe for concurrent
// use): every chunk arrives once, the call ends with the final chunk, and
// CloseSend twice or Send after CloseSend is an error that sends nothing.
func TestStreamedInputConcurrentSends(t *testing.T) {
	callee, caller := streamPair(t, wamp.JSON, runtime.Config{})
	ctx := testCtx(t)
	const senders, each = 8, 50
	if _, err := callee.Register(ctx, "com.test.count", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		seen := map[float64]int{}
		n := 0
		for ch, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
			n++
			var vals []float64
			if err := ch.Args.Decode(&vals); err != nil {
				return nil, err
			}
			for _, v := range vals {
				seen[v]++
			}
		}
		for _, c := range seen {
			if c != 1 {
				return &runtime.Result{Args: wamp.ArgsOf(-1, n)}, nil
			}
		}
		return &runtime.Result{Args: wamp.ArgsOf(len(seen), n)}, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	ic, err := caller.CallInput(ctx, "com.test.count")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, senders*each)
	for g := range senders {
		wg.Go(func() {
			for i := range each {
				if err := ic.Send(ctx, wamp.ArgsOf(float64(g*each+i)), wamp.Payload{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Send: %v", err)
	}
	res, err := ic.CloseSend(ctx, wamp.ArgsOf(float64(-5)), wamp.Payload{})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	if err := res.Args.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if want := []int{senders*each + 1, senders*each + 1}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("callee saw [distinct values, chunks] %v, want %v", got, want)
	}
	if _, err := ic.CloseSend(ctx, wamp.Payload{}, wamp.Payload{}); err == nil {
		t.Error("CloseSend twice: no error")
	}
	if err := ic.Send(ctx, wamp.ArgsOf(1.0), wamp.Payload{}); err == nil {
		t.Error("Send after CloseSend: no error")
	}
}

// TestStreamedInputReadAfterReturn: a handler that returns at once and
// leaves its input to a goroutine of its own: the goroutine's Input ends
// (with an error, for the input had not ended) instead of blocking, a
// second goroutine ranging the same input gets the ranged-twice error,
// and the chunks that follow the answer are ignored.
func TestStreamedInputReadAfterReturn(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx := testCtx(t)
	ended := make(chan error, 2)
	if _, err := sess.Register(ctx, "com.test.later", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		read := func() {
			var last error
			for _, err := range inv.Input() {
				last = err
			}
			ended <- last
		}
		go read()
		go read()
		return &runtime.Result{}, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	sr.invoke(1, 1, progressChunk, 1)
	if y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok || y.Request != 1 {
		t.Fatalf("got %#v, want the YIELD of request 1", y)
	}
	for range 2 {
		if err := recvWithin(t, ended, "the end of a late reader's Input"); err == nil {
			t.Error("Input ranged after the handler returned, before the input ended, ended without an error")
		}
	}
	for i := range 100 {
		sr.invoke(1, 1, progressChunk, i)
	}
	sr.invoke(1, 1, wamp.Dict{}, "last")
	sr.invoke(2, 1, wamp.Dict{}, "plain")
	if y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok || y.Request != 2 {
		t.Fatalf("got %#v, want the YIELD of request 2 (nothing for the late chunks)", y)
	}
	for range 2 {
		recvWithin(t, ended, "the readers of request 2")
	}
}
