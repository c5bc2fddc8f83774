package accesslog_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/accesslog"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestThroughRouter: sessions with the access log as their interceptor
// (Config.Interceptors), a callee and subscriber on MsgPack over RawSocket
// and a caller and publisher on JSON over WebSocket, through the embedded
// router: each kind of traffic gives its record, with error URIs, the
// pattern of pattern registrations and subscriptions, the disclosed
// caller and publisher, the flags and the sizes, and nothing of the
// payloads.
func TestThroughRouter(t *testing.T) {
	r := routertest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	calleeLog, calleeBuf := newLog(slog.LevelDebug)
	callerLog, callerBuf := newLog(slog.LevelDebug)
	callee, err := runtime.Dial(ctx, r.RawSocketURL(), runtime.Config{Realm: router.DefaultRealm, Serializer: wamp.MsgPack,
		Interceptors: []runtime.Interceptor{accesslog.New(calleeLog)}})
	if err != nil {
		t.Fatal(err)
	}
	defer callee.Close()
	caller, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: router.DefaultRealm, Serializer: wamp.JSON,
		Interceptors: []runtime.Interceptor{accesslog.New(callerLog)}})
	if err != nil {
		t.Fatal(err)
	}
	defer caller.Close()

	echo := func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		time.Sleep(time.Millisecond)
		return &runtime.Result{Args: inv.Args}, nil
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(callee.Register(ctx, "com.test.echo", echo, runtime.WithDiscloseCaller()))
	must(callee.Register(ctx, "com.test.pat.", echo, runtime.WithMatch(runtime.MatchPrefix)))
	must(callee.Register(ctx, "com.test.fail", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return nil, runtime.NewError("com.test.error.nope", "the callee's words")
	}))
	must(callee.Register(ctx, "com.test.sum", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		n := 0
		for chunk, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
			vals, _ := chunk.Args.List()
			n += len(vals)
		}
		return &runtime.Result{Args: wamp.ArgsOf(n)}, nil
	}, runtime.WithStreamedInput()))
	must(callee.Register(ctx, "com.test.running", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		for chunk, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
			if err := inv.SendProgress(chunk.Args, wamp.Payload{}); err != nil {
				return nil, err
			}
		}
		return &runtime.Result{}, nil
	}, runtime.WithStreamedInput()))
	events := make(chan struct{}, 2)
	onEvent := func(context.Context, *runtime.Event) error { events <- struct{}{}; return nil }
	must(callee.Subscribe(ctx, "com.test.topic", onEvent))
	must(callee.Subscribe(ctx, "com.test.topics.", onEvent, runtime.WithTopicMatch(runtime.MatchPrefix)))

	secret := wamp.ArgsOf("hunter2")
	must(caller.Call(ctx, "com.test.echo", secret, wamp.Payload{}, runtime.WithProgress(func(*runtime.Result) error { return nil })))
	must(caller.Call(ctx, "com.test.pat.x", secret, wamp.Payload{}))
	if _, err := caller.Call(ctx, "com.test.fail", wamp.Payload{}, wamp.Payload{}); err == nil {
		t.Fatal("com.test.fail succeeded")
	}
	if _, err := caller.Call(ctx, "com.test.missing", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrNoSuchProcedure) {
		t.Fatalf("com.test.missing: %v", err)
	}
	in, err := caller.CallInput(ctx, "com.test.sum")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := in.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
			t.Fatal(err)
		}
	}
	must(in.CloseSend(ctx, wamp.ArgsOf(1), wamp.Payload{}))
	// Bidirectional: logged when it ends, its three items sent.
	got := 0
	for _, err := range runtime.CallInputStream[int, int](ctx, caller, "com.test.running", slices.Values([]int{1, 2, 3})) {
		if err != nil {
			t.Fatal(err)
		}
		got++
	}
	if got != 3 {
		t.Fatalf("running yielded %d results, want 3", got)
	}
	must(caller.Publish(ctx, "com.test.topic", secret, wamp.Payload{}, runtime.WithAcknowledge(), runtime.WithPublisherDisclosed()))
	must(caller.Publish(ctx, "com.test.topics.a", wamp.Payload{}, wamp.Payload{}))
	for range 2 {
		select {
		case <-events:
		case <-ctx.Done():
			t.Fatal("the events did not arrive")
		}
	}
	id := float64(caller.ID())
	caller.Close()
	if _, err := caller.Call(ctx, "com.test.echo", wamp.Payload{}, wamp.Payload{}); err == nil {
		t.Fatal("a call on a closed session succeeded")
	}

	// An event handler's record is written when it has returned, after
	// it signalled: wait for both.
	deadline := time.Now().Add(20 * time.Second)
	for countKind(calleeBuf.records(t), "event") < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	callerRecs, calleeRecs := callerBuf.records(t), calleeBuf.records(t)
	for _, recs := range [][]map[string]any{callerRecs, calleeRecs} {
		for _, rec := range recs {
			positive(t, rec, "duration")
		}
	}
	if raw := callerBuf.String() + calleeBuf.String(); strings.Contains(raw, "hunter2") || strings.Contains(raw, "the callee's words") {
		t.Errorf("a payload reached the log:\n%s", raw)
	}

	checkRecords(t, "caller", callerRecs, []map[string]any{
		{"kind": "call", "uri": "com.test.echo", "outcome": "ok", "level": "INFO", "progress": true, "result_bytes": float64(len(`["hunter2"]`))},
		{"kind": "call", "uri": "com.test.pat.x", "outcome": "ok"},
		{"kind": "call", "uri": "com.test.fail", "outcome": "com.test.error.nope", "level": "WARN", "error": nil},
		{"kind": "call", "uri": "com.test.missing", "outcome": "wamp.error.no_such_procedure", "level": "WARN"},
		{"kind": "call_input", "uri": "com.test.sum", "outcome": "ok", "chunks": float64(4), "result_bytes": float64(len("[4]"))},
		{"kind": "call_input", "uri": "com.test.running", "outcome": "ok", "progress": true, "chunks": float64(3)},
		{"kind": "publish", "uri": "com.test.topic", "outcome": "ok", "publication": present},
		{"kind": "publish", "uri": "com.test.topics.a", "outcome": "ok", "publication": nil},
		{"kind": "call", "uri": "com.test.echo", "outcome": "error", "level": "WARN", "error": present},
	})
	checkRecords(t, "callee", calleeRecs, []map[string]any{
		{"kind": "invocation", "uri": "com.test.echo", "outcome": "ok", "caller": id, "progress": true, "pattern": nil, "args_bytes": present},
		{"kind": "invocation", "uri": "com.test.pat.x", "pattern": "com.test.pat.", "outcome": "ok", "caller": nil},
		{"kind": "invocation", "uri": "com.test.fail", "outcome": "com.test.error.nope", "level": "WARN", "error": nil},
		{"kind": "invocation", "uri": "com.test.sum", "outcome": "ok"},
		{"kind": "invocation", "uri": "com.test.running", "outcome": "ok", "progress": true},
		{"kind": "event", "uri": "com.test.topic", "outcome": "ok", "publisher": id, "publication": present, "pattern": nil},
		{"kind": "event", "uri": "com.test.topics.a", "pattern": "com.test.topics.", "outcome": "ok", "publisher": nil, "args_bytes": float64(0)},
	})
}

// present in a wanted record asks for the key with any value; nil asks for
// its absence.
var present = new(int)

// checkRecords checks that recs are want, in any order: each wanted
// record matches the first unused record of its kind and URI, which holds
// the keys of the want (see present).
func checkRecords(t *testing.T, who string, recs, want []map[string]any) {
	t.Helper()
	if len(recs) != len(want) {
		t.Errorf("%s: %d records, want %d:", who, len(recs), len(want))
		for _, r := range recs {
			t.Logf("  %v", r)
		}
		return
	}
	used := make([]bool, len(recs))
	for _, w := range want {
		i := -1
		for j, r := range recs {
			if !used[j] && r["kind"] == w["kind"] && r["uri"] == w["uri"] {
				i = j
				break
			}
		}
		if i < 0 {
			t.Errorf("%s: no record of %s %s among %v", who, w["kind"], w["uri"], recs)
			continue
		}
		used[i] = true
		rec := recs[i]
		for k, v := range w {
			got, ok := rec[k]
			switch {
			case v == nil && ok:
				t.Errorf("%s record of %s %s: %q = %#v, want none (%v)", who, w["kind"], w["uri"], k, got, rec)
			case v == any(present) && !ok:
				t.Errorf("%s record of %s %s: no %q (%v)", who, w["kind"], w["uri"], k, rec)
			case v != nil && v != any(present) && got != v:
				t.Errorf("%s record of %s %s: %q = %#v, want %#v (%v)", who, w["kind"], w["uri"], k, got, v, rec)
			}
		}
		if msg := fmt.Sprint("wamp ", w["kind"]); rec["msg"] != msg {
			t.Errorf("%s record of %s %s: message %q, want %q", who, w["kind"], w["uri"], rec["msg"], msg)
		}
	}
}

func countKind(recs []map[string]any, kind string) int {
	n := 0
	for _, r := range recs {
		if r["kind"] == kind {
			n++
		}
	}
	return n
}
