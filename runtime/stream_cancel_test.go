package runtime_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestStreamedInputCancelSkip: a call with streamed input cancelled while
// its input is open is cancelled with mode killnowait even when its mode
// is skip: with skip the router answers the caller and never tells the
// callee, whose handler would wait for the rest of its input as long as
// its session lasts. Once the last chunk is sent, skip is skip.
func TestStreamedInputCancelSkip(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	for _, tc := range []struct {
		name     string
		closed   bool
		wantMode string
	}{{"input open", false, wamp.CancelKillNoWait}, {"input sent", true, wamp.CancelSkip}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			ic, err := sess.CallInput(ctx, "com.test.skip", runtime.WithCancelMode(runtime.CancelSkip))
			if err != nil {
				t.Fatal(err)
			}
			if err := ic.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
				t.Fatal(err)
			}
			c, ok := recvWithin(t, sr.out, "CALL").(*wamp.Call)
			if !ok {
				t.Fatalf("got %#v, want the CALL", c)
			}
			done := make(chan error, 1)
			if tc.closed {
				go func() {
					_, err := ic.CloseSend(ctx, wamp.ArgsOf(2), wamp.Payload{})
					done <- err
				}()
				if last, ok := recvWithin(t, sr.out, "the last CALL").(*wamp.Call); !ok || last.Request != c.Request {
					t.Fatalf("got %#v, want the last CALL", last)
				}
			}
			cancel()
			cn, ok := recvWithin(t, sr.out, "CANCEL").(*wamp.Cancel)
			if !ok || cn.Request != c.Request {
				t.Fatalf("got %#v, want the CANCEL of the call", cn)
			}
			if mode, _ := cn.Options[wamp.OptMode].(string); mode != tc.wantMode {
				t.Errorf("CANCEL mode %q, want %q", mode, tc.wantMode)
			}
			if tc.closed {
				if err := recvWithin(t, done, "CloseSend"); err == nil {
					t.Error("CloseSend of a cancelled call succeeded")
				}
			}
		})
	}
}

// TestStreamedInputLaterDetailsIgnored: a router that puts details in a
// later chunk (a timeout, receive_progress, a caller) changes nothing: the
// first INVOCATION's details hold for the whole call (the spec freezes
// them there), and the chunk counts only for its arguments and progress.
func TestStreamedInputLaterDetailsIgnored(t *testing.T) {
	sr, sess := startStreamRouter(t, runtime.Config{})
	ctx := testCtx(t)
	type seen struct {
		timeout  time.Duration
		progress bool
		caller   wamp.ID
		items    []int
		err      error
	}
	got := make(chan seen, 1)
	if _, err := sess.Register(ctx, "com.test.frozen", func(hctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		items, inputErr := runtime.InputSeq[int](hctx, inv.Procedure, inv)
		s := seen{items: slices.Collect(items)}
		s.err = inputErr()
		s.timeout, s.progress, s.caller = inv.Timeout, inv.ProgressRequested(), inv.Caller
		got <- s
		return &runtime.Result{Args: wamp.ArgsOf(len(s.items))}, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	sr.invoke(7, 1, wamp.Dict{wamp.OptProgress: true}, 1)
	sr.invoke(7, 1, wamp.Dict{wamp.OptProgress: true, wamp.OptTimeout: 1, wamp.OptReceiveProgress: true, wamp.OptCaller: 999}, 2)
	sr.invoke(7, 1, wamp.Dict{wamp.OptTimeout: 1}, 3)
	s := recvWithin(t, got, "the handler's input")
	if s.err != nil || !slices.Equal(s.items, []int{1, 2, 3}) {
		t.Fatalf("input %v, %v; want [1 2 3]", s.items, s.err)
	}
	if s.timeout != 0 || s.progress || s.caller != 0 {
		t.Errorf("timeout %v, progress %v, caller %v: a later chunk's details changed the call", s.timeout, s.progress, s.caller)
	}
	if y, ok := recvWithin(t, sr.out, "YIELD").(*wamp.Yield); !ok || y.Request != 7 {
		t.Fatalf("got %#v, want the YIELD of invocation 7", y)
	}
}

// TestStreamedInputOneAnsweredEarly: CallInputOne to a callee that answers
// after three items returns that answer, and stops reading an input that
// would never end.
func TestStreamedInputOneAnsweredEarly(t *testing.T) {
	callee, caller := streamPair(t, wamp.JSON, runtime.Config{})
	ctx := testCtx(t)
	if _, err := callee.Register(ctx, "com.test.first3", func(hctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		items, _ := runtime.InputSeq[int](hctx, inv.Procedure, inv)
		total, n := 0, 0
		for x := range items {
			total += x
			if n++; n == 3 {
				break
			}
		}
		return &runtime.Result{Args: wamp.ArgsOf(total)}, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	read := 0
	endless := func(yield func(int) bool) {
		for i := 1; ; i++ {
			read++
			if !yield(i) {
				return
			}
		}
	}
	got, err := runtime.CallInputOne[int, int](ctx, caller, "com.test.first3", endless)
	if err != nil || got != 6 {
		t.Fatalf("CallInputOne = %v, %v; want 6, the callee's early answer", got, err)
	}
	if read < 3 {
		t.Errorf("the input was read %d times, at least 3 items were sent", read)
	}
}
