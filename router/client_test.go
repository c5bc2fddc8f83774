package router_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
)

// TestRPCAndPubSub drives the router with nexus's own client over every
// transport and serializer, each paired with a different one.
func TestRPCAndPubSub(t *testing.T) {
	r := startRouter(t, router.Config{})
	for i, tr := range transports {
		other := transports[(i+4)%len(transports)]
		t.Run(tr.name+"/"+other.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			callee := dial(t, other.url(r), client.Config{Serialization: other.ser})
			caller := dial(t, tr.url(r), client.Config{Serialization: tr.ser})

			proc := "test.add." + tr.name
			err := callee.Register(proc, func(_ context.Context, inv *wamp.Invocation) client.InvokeResult {
				a, _ := wamp.AsInt64(inv.Arguments[0])
				b, _ := wamp.AsInt64(inv.Arguments[1])
				if b == 0 {
					return client.InvokeResult{Err: "test.error.zero", Args: wamp.List{"b is zero"}, Kwargs: wamp.Dict{"a": a}}
				}
				callerID, _ := wamp.AsID(inv.Details["caller"])
				return client.InvokeResult{
					Args:   wamp.List{a + b},
					Kwargs: wamp.Dict{"label": inv.ArgumentsKw["label"], "caller": callerID},
				}
			}, wamp.Dict{wamp.OptDiscloseCaller: true})
			if err != nil {
				t.Fatal(err)
			}

			res, err := caller.Call(ctx, proc, nil, wamp.List{2, -5}, wamp.Dict{"label": "sum"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sum, _ := wamp.AsInt64(res.Arguments[0]); sum != -3 {
				t.Errorf("sum = %v, want -3", res.Arguments)
			}
			if res.ArgumentsKw["label"] != "sum" {
				t.Errorf("kwargs = %v", res.ArgumentsKw)
			}
			if id, _ := wamp.AsID(res.ArgumentsKw["caller"]); id != caller.ID() {
				t.Errorf("disclosed caller %v, want %v", res.ArgumentsKw["caller"], caller.ID())
			}

			_, err = caller.Call(ctx, proc, nil, wamp.List{1, 0}, nil, nil)
			rpcErr, ok := errors.AsType[client.RPCError](err)
			if !ok || rpcErr.Err.Error != "test.error.zero" || rpcErr.Err.Arguments[0] != "b is zero" {
				t.Fatalf("application error: got %v", err)
			}
			if a, _ := wamp.AsInt64(rpcErr.Err.ArgumentsKw["a"]); a != 1 {
				t.Errorf("application error kwargs: %v", rpcErr.Err.ArgumentsKw)
			}

			_, err = caller.Call(ctx, "test.nobody.home", nil, nil, nil, nil)
			if rpcErr, ok := errors.AsType[client.RPCError](err); !ok || rpcErr.Err.Error != wamp.ErrNoSuchProcedure {
				t.Errorf("call to unregistered procedure: got %v", err)
			}

			topic := "test.topic." + tr.name
			evs := make(events, 4)
			if err := caller.Subscribe(topic, evs.handle, nil); err != nil {
				t.Fatal(err)
			}
			err = callee.Publish(topic, wamp.Dict{wamp.OptAcknowledge: true, wamp.OptDiscloseMe: true},
				wamp.List{"hello", 42}, wamp.Dict{"k": true})
			if err != nil {
				t.Fatal(err)
			}
			ev := evs.next(t)
			if ev.Arguments[0] != "hello" || ev.ArgumentsKw["k"] != true {
				t.Errorf("event %v %v", ev.Arguments, ev.ArgumentsKw)
			}
			if n, _ := wamp.AsInt64(ev.Arguments[1]); n != 42 {
				t.Errorf("event %v", ev.Arguments)
			}
			if id, _ := wamp.AsID(ev.Details["publisher"]); id != callee.ID() {
				t.Errorf("disclosed publisher %v, want %v", ev.Details["publisher"], callee.ID())
			}
		})
	}
}
