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
