package runtime_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestSessionStateConcurrent drives every group of a session's state at
// once, on one session that calls itself: calls (and the invocations they
// make), registrations and subscriptions coming and going, acknowledged
// publications and the events they deliver. Run under -race, it checks
// that the groups' locks guard what they hold; and every operation must
// succeed, with the right answer.
func TestSessionStateConcurrent(t *testing.T) {
	r := newTestRouter(t, router.Config{})
	sess := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	ctx := testCtx(t)
	echo := func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	}
	if _, err := sess.Register(ctx, "com.state.echo", echo); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, 4*workers)
	fail := func(format string, args ...any) { errs <- fmt.Errorf(format, args...) }
	for w := range workers {
		wg.Go(func() { // calls through the session's own registration
			for i := range rounds {
				res, err := sess.Call(ctx, "com.state.echo", wamp.ArgsOf(w*1000+i), wamp.Payload{})
				if err != nil {
					fail("call: %v", err)
					return
				}
				var got int
				vals, err := res.Args.List()
				if err == nil && len(vals) == 1 {
					err = vals[0].Decode(&got)
				}
				if err != nil || got != w*1000+i {
					fail("call %d echoed %d, %v", w*1000+i, got, err)
					return
				}
			}
		})
		wg.Go(func() { // registrations made and dropped
			uri := wamp.URI(fmt.Sprintf("com.state.reg%d", w))
			for range rounds {
				reg, err := sess.Register(ctx, uri, echo, runtime.WithMatch(runtime.MatchExact))
				if err != nil {
					fail("register: %v", err)
					return
				}
				if err := reg.Unregister(ctx); err != nil {
					fail("unregister: %v", err)
					return
				}
			}
		})
		wg.Go(func() { // subscriptions shared by two handlers, made and dropped
			for range rounds {
				a, err := sess.Subscribe(ctx, "com.state.topic", func(context.Context, *runtime.Event) error { return nil })
				if err != nil {
					fail("subscribe: %v", err)
					return
				}
				b, err := sess.Subscribe(ctx, "com.state.", func(context.Context, *runtime.Event) error { return nil }, runtime.WithTopicMatch(runtime.MatchPrefix))
				if err != nil {
					fail("subscribe prefix: %v", err)
					return
				}
				if err := a.Unsubscribe(ctx); err != nil {
					fail("unsubscribe: %v", err)
					return
				}
				if err := b.Unsubscribe(ctx); err != nil {
					fail("unsubscribe prefix: %v", err)
					return
				}
			}
		})
		wg.Go(func() { // acknowledged publications, which the router answers
			for range rounds {
				if _, err := sess.Publish(ctx, "com.state.topic", wamp.ArgsOf(w), wamp.Payload{},
					runtime.WithAcknowledge(), runtime.WithExcludeMe(false)); err != nil {
					fail("publish: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
