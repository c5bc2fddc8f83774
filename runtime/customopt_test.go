package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestWithOptionThroughRouter sets custom options with WithOption and
// checks, end to end through the embedded router, that the callee sees
// them in Invocation.Details and the subscriber in Event.Details, across
// serializers (JSON caller, MessagePack callee; CBOR publisher, JSON and
// MessagePack subscribers), with the router's own details intact.
func TestWithOptionThroughRouter(t *testing.T) {
	r := newTestRouter(t, router.Config{})
	ctx := testCtx(t)
	callee := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	invs := make(chan *runtime.Invocation, 4)
	if _, err := callee.Register(ctx, "com.test.traced", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		invs <- inv
		return &runtime.Result{Args: inv.Args}, nil
	}); err != nil {
		t.Fatal(err)
	}
	caller := dialT(t, r.RawSocketURL(), runtime.Config{Serializer: wamp.JSON})
	raw := wamp.Dict{"x_tenant": "t1"}
	res, err := caller.Call(ctx, "com.test.traced", wamp.ArgsOf("payload"), wamp.Payload{},
		runtime.WithCallOptions(raw), runtime.WithOption("x_trace_id", "4bf92f3577b34da6"),
		runtime.WithOption("_wampgen_span", 42))
	if err != nil {
		t.Fatal(err)
	}
	if got := argString(t, res.Args, 0); got != "payload" {
		t.Errorf("result %q, want the argument back", got)
	}
	if len(raw) != 1 {
		t.Errorf("WithOption changed the map given to WithCallOptions: %v", raw)
	}
	inv := recvT(t, invs, "the invocation")
	if got, _ := wamp.DictString(inv.Details, "x_trace_id"); got != "4bf92f3577b34da6" {
		t.Errorf("Invocation.Details.x_trace_id = %v (details %v)", inv.Details["x_trace_id"], inv.Details)
	}
	if got, _ := wamp.DictString(inv.Details, "x_tenant"); got != "t1" {
		t.Errorf("Invocation.Details.x_tenant = %v", inv.Details["x_tenant"])
	}
	if got := fmt.Sprint(inv.Details["_wampgen_span"]); got != "42" {
		t.Errorf("Invocation.Details._wampgen_span = %v", got)
	}
	if got := argString(t, inv.Args, 0); got != "payload" {
		t.Errorf("the callee got %q, want payload", got)
	}

	pub := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: wamp.CBOR})
	logs := []eventLog{newEventLog(), newEventLog()}
	for i, ser := range []*wamp.Serializer{wamp.JSON, wamp.MsgPack} {
		sub := dialT(t, r.RawSocketURL(), runtime.Config{Serializer: ser})
		if _, err := sub.Subscribe(ctx, "com.test.news", logs[i].handler); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pub.Publish(ctx, "com.test.news", wamp.ArgsOf("hello"), wamp.Payload{},
		runtime.WithAcknowledge(), runtime.WithOption("x_trace_id", "00f067aa0ba902b7")); err != nil {
		t.Fatal(err)
	}
	for i, l := range logs {
		ev := l.next(t)
		if got, _ := wamp.DictString(ev.Details, "x_trace_id"); got != "00f067aa0ba902b7" {
			t.Errorf("subscriber %d: Event.Details.x_trace_id = %v (details %v)", i, ev.Details["x_trace_id"], ev.Details)
		}
		if got := argString(t, ev.Args, 0); got != "hello" {
			t.Errorf("subscriber %d: event %q, want hello", i, got)
		}
	}
}

// TestWithOptionRefusesKeys checks that WithOption refuses every key that
// is not a custom one, the runtime's and the router's own among them: Call
// and Publish fail before anything is sent, naming the key.
func TestWithOptionRefusesKeys(t *testing.T) {
	r := newTestRouter(t, router.Config{})
	ctx := testCtx(t)
	s := dialT(t, r.WebSocketURL(), runtime.Config{})
	invoked := make(chan struct{}, 16)
	if _, err := s.Register(ctx, "com.test.f", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		invoked <- struct{}{}
		return &runtime.Result{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"timeout", "receive_progress", "disclose_me", "acknowledge", "exclude_me",
		"caller", "procedure", "progress", "", "x_", "_ab", "x_Trace", "x-trace", "x_" + strings.Repeat("k", 63)} {
		_, err := s.Call(ctx, "com.test.f", wamp.Payload{}, wamp.Payload{}, runtime.WithOption(key, 1))
		if err == nil || !strings.Contains(err.Error(), "com.test.f") || !strings.Contains(err.Error(), "custom option") {
			t.Errorf("Call with option %q: %v, want an error about the custom option", key, err)
		}
		_, err = s.Publish(ctx, "com.test.t", wamp.Payload{}, wamp.Payload{}, runtime.WithAcknowledge(), runtime.WithOption(key, 1))
		if err == nil || !strings.Contains(err.Error(), "custom option") {
			t.Errorf("Publish with option %q: %v, want an error about the custom option", key, err)
		}
	}
	select {
	case <-invoked:
		t.Error("a call with a refused option reached the callee")
	default:
	}
	// The router's bound on the value arrives as its error.
	_, err := s.Call(ctx, "com.test.f", wamp.Payload{}, wamp.Payload{}, runtime.WithOption("x_big", strings.Repeat("a", 5000)))
	if !errors.Is(err, runtime.ErrInvalidArgument) || !strings.Contains(err.Error(), "4096") {
		t.Errorf("Call with a 5000-byte custom option: %v, want invalid_argument about 4096 bytes", err)
	}
}

// TestWithOptionStreamedInput checks a custom option on a call with
// streamed input: it travels in the first CALL, and the callee sees it in
// Invocation.Details while it reads the input, which arrives intact.
func TestWithOptionStreamedInput(t *testing.T) {
	r := newTestRouter(t, router.Config{})
	ctx := testCtx(t)
	callee := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: wamp.CBOR})
	traces := make(chan string, 1)
	if _, err := callee.Register(ctx, "com.test.sum", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		trace, _ := wamp.DictString(inv.Details, "x_trace_id")
		traces <- trace
		sum := 0
		for chunk, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
			vals, err := chunk.Args.List()
			if err != nil || len(vals) != 1 {
				return nil, fmt.Errorf("chunk %v: %v", vals, err)
			}
			var n int
			if err := vals[0].Decode(&n); err != nil {
				return nil, err
			}
			sum += n
		}
		return &runtime.Result{Args: wamp.ArgsOf(sum)}, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	caller := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: wamp.JSON})
	ic, err := caller.CallInput(ctx, "com.test.sum", runtime.WithOption("x_trace_id", "abc"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3} {
		if err := ic.Send(ctx, wamp.ArgsOf(n), wamp.Payload{}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := ic.CloseSend(ctx, wamp.ArgsOf(4), wamp.Payload{})
	if err != nil {
		t.Fatal(err)
	}
	var sum int
	decodeArg(t, res.Args, 0, &sum)
	if sum != 10 {
		t.Errorf("sum %d, want 10", sum)
	}
	if got := recvT(t, traces, "the trace id"); got != "abc" {
		t.Errorf("Invocation.Details.x_trace_id = %q, want abc", got)
	}
}

// A caller passes a trace id to the callee in a custom option, which the
// embedded router forwards in INVOCATION.Details.
func ExampleWithOption() {
	r := startExampleRouter()
	defer r.Close()
	ctx := context.Background()
	callee := dialExample(ctx, r.WebSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	defer callee.Close()
	_, err := callee.Register(ctx, "com.example.work", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		trace, _ := wamp.DictString(inv.Details, "x_trace_id")
		return &runtime.Result{Args: wamp.ArgsOf("traced " + trace)}, nil
	})
	if err != nil {
		log.Fatal(err)
	}

	caller := dialExample(ctx, r.WebSocketURL(), runtime.Config{})
	defer caller.Close()
	res, err := caller.Call(ctx, "com.example.work", wamp.Payload{}, wamp.Payload{},
		runtime.WithOption("x_trace_id", "4bf92f3577b34da6"))
	if err != nil {
		log.Fatal(err)
	}
	var out []string
	if err := res.Args.Decode(&out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out[0])
	// A key that is not a custom one is refused before anything is sent.
	_, err = caller.Call(ctx, "com.example.work", wamp.Payload{}, wamp.Payload{}, runtime.WithOption("caller", 1))
	fmt.Println(err)
	// Output:
	// traced 4bf92f3577b34da6
	// runtime: calling com.example.work: option "caller" is not a custom option: it must start with "x_" or "_"
}
