package runtime_test

import (
	"context"
	"testing"

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
