package runtime_test

import (
	"context"
	"errors"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestNoGoroutinesAfterClose exercises every kind of session activity,
// closes everything, and checks that the goroutine count returns to where
// it started.
func TestNoGoroutinesAfterClose(t *testing.T) {
	before := goruntime.NumGoroutine()
	func() {
		r, err := router.Start(context.Background(), router.Config{WebSocketAddr: "127.0.0.1:0", RawSocketAddr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		ctx := context.Background()
		for _, url := range []string{r.WebSocketURL(), r.RawSocketURL()} {
			callee, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1", Serializer: wamp.MsgPack})
			if err != nil {
				t.Fatal(err)
			}
			caller, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1"})
			if err != nil {
				t.Fatal(err)
			}
			callee.Register(ctx, "com.test.slow", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				inv.SendProgress(wamp.ArgsOf(1), wamp.Payload{})
				<-ctx.Done() // only cancellation or Close ends it
				return nil, ctx.Err()
			})
			got := make(chan struct{}, 10)
			callee.Subscribe(ctx, "com.test.topic", func(context.Context, *runtime.Event) error { got <- struct{}{}; return nil })
			cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			_, err = caller.Call(cctx, "com.test.slow", wamp.Payload{}, wamp.Payload{}, runtime.WithProgress(func(*runtime.Result) error { return nil }))
			cancel()
			if !errors.Is(err, runtime.ErrTimeout) {
				t.Fatalf("call: %v", err)
			}
			caller.Publish(ctx, "com.test.topic", wamp.ArgsOf(1), wamp.Payload{}, runtime.WithAcknowledge())
			<-got
			// A call still running when both sides close.
			go caller.Call(ctx, "com.test.slow", wamp.Payload{}, wamp.Payload{})
			time.Sleep(20 * time.Millisecond)
			if err := caller.Close(); err != nil {
				t.Fatal(err)
			}
			if err := callee.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for goruntime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := goruntime.Stack(buf, true)
			var ours []string
			for _, g := range strings.Split(string(buf[:n]), "\n\n") {
				if strings.Contains(g, "wampgen") || strings.Contains(g, "nexus") || strings.Contains(g, "websocket") {
					ours = append(ours, g)
				}
			}
			t.Fatalf("%d goroutines before, %d after Close:\n%s", before, goruntime.NumGoroutine(), strings.Join(ours, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
