// Command hello shows the runtime without generated code: untyped
// Register, Call, Subscribe and Publish with wamp.Payload, where the
// calculator example (examples/calculator) does the same work through a
// generated client and registrar.
//
// It starts an embedded WAMP router with a WebSocket and a RawSocket
// listener and, on a MsgPack session over RawSocket, registers greet (which
// sends progressive results) and wait, and subscribes to a topic. Sessions
// of each serializer call greet over WebSocket; then greet gets a bad
// argument (wamp.error.invalid_argument), a call of wait times out and the
// callee's handler sees it interrupted, and an event reaches the
// subscriber. It exits 1 if any step fails.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	r, err := router.Start(ctx, router.Config{WebSocketAddr: "127.0.0.1:0", RawSocketAddr: "127.0.0.1:0"})
	if err != nil {
		return err
	}
	defer r.Close()
	fmt.Println("router:", r.WebSocketURL(), r.RawSocketURL())

	callee, err := runtime.Dial(ctx, r.RawSocketURL(), runtime.Config{Realm: "realm1", Serializer: wamp.MsgPack})
	if err != nil {
		return err
	}
	defer callee.Close()
	_, err = callee.Register(ctx, "com.example.greet", greet)
	if err != nil {
		return err
	}
	interrupted := make(chan error, 1)
	_, err = callee.Register(ctx, "com.example.wait", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		<-ctx.Done()
		interrupted <- context.Cause(ctx)
		return nil, ctx.Err()
	})
	if err != nil {
		return err
	}
	events := make(chan string, 1)
	_, err = callee.Subscribe(ctx, "com.example.news", func(_ context.Context, ev *runtime.Event) error {
		var headline string
		if vals, err := ev.Args.List(); err == nil && len(vals) == 1 && vals[0].Decode(&headline) == nil {
			events <- headline
		}
		return nil
	})
	if err != nil {
		return err
	}

	for _, ser := range wamp.Serializers() {
		caller, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: "realm1", Serializer: ser})
		if err != nil {
			return err
		}
		res, err := caller.Call(ctx, "com.example.greet", wamp.ArgsOf("Ada", 3), wamp.Payload{},
			runtime.WithProgress(func(p *runtime.Result) error {
				var step string
				if vals, err := p.Args.List(); err == nil && len(vals) == 1 && vals[0].Decode(&step) == nil {
					fmt.Printf("  %s progress: %s\n", ser, step)
				}
				return nil
			}))
		if err != nil {
			caller.Close()
			return err
		}
		var greeting string
		vals, err := res.Args.List()
		if err != nil || len(vals) != 1 || vals[0].Decode(&greeting) != nil {
			caller.Close()
			return fmt.Errorf("unexpected result %v", err)
		}
		fmt.Printf("%s: greet(Ada, 3) = %q\n", ser, greeting)
		caller.Close()
	}

	caller, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: "realm1"})
	if err != nil {
		return err
	}
	defer caller.Close()
	_, err = caller.Call(ctx, "com.example.greet", wamp.ArgsOf("", 1), wamp.Payload{})
	fmt.Println("greet with an empty name:", err, "| invalid_argument:", errors.Is(err, runtime.ErrInvalidArgument))

	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = caller.Call(cctx, "com.example.wait", wamp.Payload{}, wamp.Payload{})
	cancel()
	fmt.Println("wait with a 100ms deadline:", err, "| timeout:", errors.Is(err, runtime.ErrTimeout))
	select {
	case cause := <-interrupted:
		fmt.Println("  the callee's handler was stopped:", cause)
	case <-time.After(5 * time.Second):
		return errors.New("the callee was never interrupted")
	}

	if _, err := caller.Publish(ctx, "com.example.news", wamp.ArgsOf("WAMP works"), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		return err
	}
	select {
	case h := <-events:
		fmt.Println("event received:", h)
	case <-time.After(5 * time.Second):
		return errors.New("event never arrived")
	}
	return nil
}

// greet answers "Hello, NAME!" after reporting each of its steps as a
// progressive result when the caller asked for them.
func greet(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
	vals, err := inv.Args.List()
	if err != nil || len(vals) != 2 {
		return nil, runtime.NewError(wamp.ErrInvalidArgument, "greet takes a name and a step count")
	}
	var name string
	var steps int
	if vals[0].Decode(&name) != nil || name == "" || vals[1].Decode(&steps) != nil || steps < 0 || steps > 100 {
		return nil, runtime.NewError(wamp.ErrInvalidArgument, "greet takes a non-empty name and 0..100 steps")
	}
	for i := 1; i <= steps && inv.ProgressRequested(); i++ {
		if err := inv.SendProgress(wamp.ArgsOf(fmt.Sprintf("step %d of %d", i, steps)), wamp.Payload{}); err != nil {
			return nil, err
		}
	}
	return &runtime.Result{Args: wamp.ArgsOf("Hello, " + name + "!")}, nil
}
