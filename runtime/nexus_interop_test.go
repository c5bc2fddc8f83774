package runtime_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	nxwamp "github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// dialNexusT connects nexus's own client to url and closes it when the
// test ends.
func dialNexusT(t *testing.T, url string, ser serialize.Serialization) *client.Client {
	t.Helper()
	c, err := client.ConnectNet(testCtx(t), url, client.Config{
		Realm:           router.DefaultRealm,
		Serialization:   ser,
		Logger:          log.New(io.Discard, "", 0),
		ResponseTimeout: testWait,
	})
	if err != nil {
		t.Fatalf("nexus client: connecting to %s: %v", url, err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil && !errors.Is(err, client.ErrAlreadyClosed) {
			t.Errorf("closing nexus client: %v", err)
		}
	})
	return c
}

// Error URIs of the interop procedures.
const (
	nxFailedURI = "com.interop.error.nx_failed"
	rtFailedURI = "com.interop.error.rt_failed"
	rtCustomURI = "com.interop.error.rt_custom"
)

var errInteropFailed = errors.New("interop handler failed on purpose")

type interopKwargs struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Tags  []string `json:"tags"`
}

type interopReply struct {
	Greeting string `json:"greeting"`
	N        int    `json:"n"`
}

func TestNexusInterop(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{})
	errs := runtime.NewErrorRegistry()
	if err := errs.RegisterSentinel(rtFailedURI, errInteropFailed); err != nil {
		t.Fatal(err)
	}

	variants := []struct {
		name string
		url  string
		ser  *wamp.Serializer
		nser serialize.Serialization
	}{
		{"websocket-json", r.WebSocketURL(), wamp.JSON, serialize.JSON},
		{"websocket-msgpack", r.WebSocketURL(), wamp.MsgPack, serialize.MSGPACK},
		{"websocket-cbor", r.WebSocketURL(), wamp.CBOR, serialize.CBOR},
		{"rawsocket-json", r.RawSocketURL(), wamp.JSON, serialize.JSON},
		{"rawsocket-msgpack", r.RawSocketURL(), wamp.MsgPack, serialize.MSGPACK},
		{"rawsocket-cbor", r.RawSocketURL(), wamp.CBOR, serialize.CBOR},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			rt := dialT(t, v.url, runtime.Config{Serializer: v.ser, Errors: errs})
			nx := dialNexusT(t, v.url, v.nser)
			// Procedures and topics are per variant; the subtests share
			// the router.
			uri := func(s string) string { return "com.interop." + v.name + "." + s }

			t.Run("nexus-callee", func(t *testing.T) { testNexusCallee(t, rt, nx, uri) })
			t.Run("nexus-caller", func(t *testing.T) { testNexusCaller(t, rt, nx, uri, v.nser) })
			t.Run("cancel", func(t *testing.T) { testNexusCancel(t, rt, nx, uri) })
			t.Run("pubsub", func(t *testing.T) { testNexusPubSub(t, rt, nx, uri, v.nser) })
		})
	}
}

// testNexusCallee: nexus registers, the runtime calls.
func testNexusCallee(t *testing.T, rt *runtime.Session, nx *client.Client, uri func(string) string) {
	ctx := testCtx(t)
	// add sums its numeric arguments and greets kwargs.name.
	err := nx.Register(uri("nx.add"), func(_ context.Context, inv *nxwamp.Invocation) client.InvokeResult {
		var sum float64
		for _, a := range inv.Arguments {
			f, ok := nxwamp.AsFloat64(a)
			if !ok {
				return client.InvokeResult{Err: "com.interop.error.not_a_number", Args: nxwamp.List{fmt.Sprintf("%T", a)}}
			}
			sum += f
		}
		name, _ := nxwamp.AsString(inv.ArgumentsKw["name"])
		tags, _ := nxwamp.AsList(inv.ArgumentsKw["tags"])
		return client.InvokeResult{
			Args:   nxwamp.List{sum, len(inv.Arguments)},
			Kwargs: nxwamp.Dict{"greeting": "hello " + name, "n": len(tags)},
		}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rt.Call(ctx, wamp.URI(uri("nx.add")), wamp.ArgsOf(1, 2.5, int64(-4), uint8(10)),
		wamp.PayloadOf(interopKwargs{Name: "runtime", Tags: []string{"a", "b", "c"}}))
	if err != nil {
		t.Fatalf("calling the nexus callee: %v", err)
	}
	var (
		sum   float64
		count int
		reply interopReply
	)
	decodeArg(t, res.Args, 0, &sum)
	decodeArg(t, res.Args, 1, &count)
	if err := res.Kwargs.Decode(&reply); err != nil {
		t.Fatal(err)
	}
	if sum != 9.5 || count != 4 || reply != (interopReply{Greeting: "hello runtime", N: 3}) {
		t.Errorf("result %v %v %+v", sum, count, reply)
	}

	// Progressive results sent with client.SendProgress.
	err = nx.Register(uri("nx.progress"), func(ctx context.Context, inv *nxwamp.Invocation) client.InvokeResult {
		n, _ := nxwamp.AsInt64(inv.Arguments[0])
		for i := range n {
			if err := nx.SendProgress(ctx, nxwamp.List{i + 1}, nxwamp.Dict{"of": n}); err != nil {
				return client.InvokeResult{Err: "com.interop.error.progress", Args: nxwamp.List{err.Error()}}
			}
		}
		return client.InvokeResult{Args: nxwamp.List{"done"}}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var progress []int
	res, err = rt.Call(ctx, wamp.URI(uri("nx.progress")), wamp.ArgsOf(3), wamp.Payload{}, runtime.WithProgress(func(p *runtime.Result) error {
		var i int
		decodeArg(t, p.Args, 0, &i)
		var kw struct {
			Of int `json:"of"`
		}
		if err := p.Kwargs.Decode(&kw); err != nil || kw.Of != 3 {
			t.Errorf("progress kwargs %+v %v", kw, err)
		}
		progress = append(progress, i)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := argString(t, res.Args, 0); got != "done" || !reflect.DeepEqual(progress, []int{1, 2, 3}) {
		t.Errorf("final %q, progress %v", got, progress)
	}
	// Without WithProgress the callee is told not to send progress.
	_, err = rt.Call(ctx, wamp.URI(uri("nx.progress")), wamp.ArgsOf(2), wamp.Payload{})
	if !errors.Is(err, &runtime.Error{URI: "com.interop.error.progress"}) {
		t.Errorf("progress without receive_progress: got %v, want the callee's error", err)
	}

	// An application error: URI, Args and Kwargs arrive in a *runtime.Error.
	err = nx.Register(uri("nx.fail"), func(context.Context, *nxwamp.Invocation) client.InvokeResult {
		return client.InvokeResult{Err: nxFailedURI, Args: nxwamp.List{"bad input", 7}, Kwargs: nxwamp.Dict{"field": "n"}}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = rt.Call(ctx, wamp.URI(uri("nx.fail")), wamp.ArgsOf(1), wamp.Payload{})
	var we *runtime.Error
	if !errors.As(err, &we) || we.URI != nxFailedURI {
		t.Fatalf("got %v, want a *runtime.Error with URI %s", err, nxFailedURI)
	}
	var (
		msg  string
		code int
		kw   map[string]string
	)
	decodeArg(t, we.Args, 0, &msg)
	decodeArg(t, we.Args, 1, &code)
	if err := we.Kwargs.Decode(&kw); err != nil {
		t.Fatal(err)
	}
	if msg != "bad input" || code != 7 || kw["field"] != "n" || we.Message() != "bad input" {
		t.Errorf("error payload %q %d %v, message %q", msg, code, kw, we.Message())
	}
	if !errors.Is(err, &runtime.Error{URI: nxFailedURI}) {
		t.Errorf("%v does not match a sentinel with its URI", err)
	}
}

// testNexusCaller: the runtime registers, nexus calls.
func testNexusCaller(t *testing.T, rt *runtime.Session, nx *client.Client, uri func(string) string, nser serialize.Serialization) {
	ctx := testCtx(t)
	register := func(name string, h runtime.Handler) {
		t.Helper()
		if _, err := rt.Register(ctx, wamp.URI(uri(name)), h); err != nil {
			t.Fatal(err)
		}
	}
	register("rt.add", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var nums []float64
		if err := inv.Args.Decode(&nums); err != nil {
			return nil, runtime.NewError(wamp.ErrInvalidArgument, err.Error())
		}
		var kw interopKwargs
		if err := inv.Kwargs.Decode(&kw); err != nil {
			return nil, runtime.NewError(wamp.ErrInvalidArgument, err.Error())
		}
		var sum float64
		for _, n := range nums {
			sum += n
		}
		return &runtime.Result{
			Args:   wamp.ArgsOf(sum, kw.Count),
			Kwargs: wamp.PayloadOf(interopReply{Greeting: "hello " + kw.Name, N: len(kw.Tags)}),
		}, nil
	})
	res, err := nx.Call(ctx, uri("rt.add"), nil, nxwamp.List{1, 2.5, -4}, nxwamp.Dict{"name": "nexus", "count": 9, "tags": nxwamp.List{"x"}}, nil)
	if err != nil {
		t.Fatalf("nexus calling the runtime: %v", err)
	}
	sum, _ := nxwamp.AsFloat64(res.Arguments[0])
	count, _ := nxwamp.AsInt64(res.Arguments[1])
	greeting, _ := nxwamp.AsString(res.ArgumentsKw["greeting"])
	n, _ := nxwamp.AsInt64(res.ArgumentsKw["n"])
	if len(res.Arguments) != 2 || sum != -0.5 || count != 9 || greeting != "hello nexus" || n != 1 {
		t.Errorf("result %v %v", res.Arguments, res.ArgumentsKw)
	}
	// A wrongly typed argument is refused by the typed decoding.
	_, err = nx.Call(ctx, uri("rt.add"), nil, nxwamp.List{"one"}, nil, nil)
	var rpcErr client.RPCError
	if !errors.As(err, &rpcErr) || rpcErr.Err.Error != nxwamp.URI(wamp.ErrInvalidArgument) {
		t.Errorf("string argument: got %v, want %s", err, wamp.ErrInvalidArgument)
	}

	// Errors: a mapped sentinel (wrapped), an *Error with a payload, an
	// unmapped error and a panic.
	register("rt.fail", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var which string
		if err := firstArg(inv.Args, &which); err != nil {
			return nil, runtime.NewError(wamp.ErrInvalidArgument, err.Error())
		}
		switch which {
		case "mapped":
			return nil, fmt.Errorf("while serving: %w", errInteropFailed)
		case "custom":
			return nil, &runtime.Error{URI: rtCustomURI, Args: wamp.ArgsOf("custom failure", 3), Kwargs: wamp.PayloadOf(map[string]any{"retry": true})}
		case "panic":
			panic("handler panic")
		}
		return nil, errors.New("unmapped failure")
	})
	for _, tc := range []struct {
		which    string
		uri      string
		args     nxwamp.List
		kwargs   nxwamp.Dict
		redacted bool // the text names the procedure and an incident only
	}{
		{"mapped", rtFailedURI, nxwamp.List{errInteropFailed.Error()}, nil, false},
		{"custom", rtCustomURI, nxwamp.List{"custom failure", 3}, nxwamp.Dict{"retry": true}, false},
		{"unmapped", string(wamp.ErrRuntime), nil, nil, true},
		{"panic", string(wamp.ErrRuntime), nil, nil, true},
	} {
		_, err := nx.Call(ctx, uri("rt.fail"), nil, nxwamp.List{tc.which}, nil, nil)
		var rpcErr client.RPCError
		if !errors.As(err, &rpcErr) {
			t.Errorf("%s: got %v, want an RPCError", tc.which, err)
			continue
		}
		e := rpcErr.Err
		if string(e.Error) != tc.uri {
			t.Errorf("%s: error URI %s, want %s", tc.which, e.Error, tc.uri)
		}
		if tc.args != nil && !sameNexusValues(e.Arguments, tc.args) {
			t.Errorf("%s: error args %#v, want %#v", tc.which, e.Arguments, tc.args)
		}
		if tc.kwargs != nil && !sameNexusValues(e.ArgumentsKw, tc.kwargs) {
			t.Errorf("%s: error kwargs %#v, want %#v", tc.which, e.ArgumentsKw, tc.kwargs)
		}
		if tc.redacted {
			msg, _ := nxwamp.AsString(firstOf(e.Arguments))
			if !strings.HasPrefix(msg, uri("rt.fail")+" failed; incident ") || strings.Contains(msg, "failure") || strings.Contains(msg, "panic") {
				t.Errorf("%s: error text %q, want it redacted", tc.which, msg)
			}
		}
	}

	// Progressive results to a nexus caller.
	register("rt.progress", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var n int
		if err := firstArg(inv.Args, &n); err != nil {
			return nil, runtime.NewError(wamp.ErrInvalidArgument, err.Error())
		}
		if !inv.ProgressRequested() {
			if err := inv.SendProgress(wamp.ArgsOf(0), wamp.Payload{}); !errors.Is(err, runtime.ErrProgressNotRequested) {
				return nil, fmt.Errorf("SendProgress without receive_progress: %v", err)
			}
			return &runtime.Result{Args: wamp.ArgsOf("no progress")}, nil
		}
		for i := 1; i <= n; i++ {
			if err := inv.SendProgress(wamp.ArgsOf(i), wamp.PayloadOf(map[string]int{"of": n})); err != nil {
				return nil, err
			}
		}
		return &runtime.Result{Args: wamp.ArgsOf("done")}, nil
	})
	var progress []int64
	res, err = nx.Call(ctx, uri("rt.progress"), nil, nxwamp.List{4}, nil, func(r *nxwamp.Result) {
		i, _ := nxwamp.AsInt64(r.Arguments[0])
		of, _ := nxwamp.AsInt64(r.ArgumentsKw["of"])
		if of != 4 {
			t.Errorf("progress kwargs %v", r.ArgumentsKw)
		}
		progress = append(progress, i)
	})
	if err != nil {
		t.Fatal(err)
	}
	if final, _ := nxwamp.AsString(res.Arguments[0]); final != "done" || !reflect.DeepEqual(progress, []int64{1, 2, 3, 4}) {
		t.Errorf("final %v, progress %v", res.Arguments, progress)
	}
	res, err = nx.Call(ctx, uri("rt.progress"), nil, nxwamp.List{4}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if final, _ := nxwamp.AsString(res.Arguments[0]); final != "no progress" {
		t.Errorf("without progress: %v", res.Arguments)
	}

	// Bytes, both ways. nexus's JSON serializer does not apply the NUL +
	// base64 convention by itself: a nexus JSON peer sends
	// serialize.BinaryData and receives the convention's string.
	blob := []byte{0, 1, 2, 0x80, 0xff}
	register("rt.bytes", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var b []byte
		if err := firstArg(inv.Args, &b); err != nil {
			return nil, runtime.NewError(wamp.ErrInvalidArgument, err.Error())
		}
		return &runtime.Result{Args: wamp.ArgsOf(append(b, 0x42))}, nil
	})
	var arg any = blob
	if nser == serialize.JSON {
		arg = serialize.BinaryData(blob)
	}
	res, err = nx.Call(ctx, uri("rt.bytes"), nil, nxwamp.List{arg}, nil, nil)
	if err != nil {
		t.Fatalf("bytes: %v", err)
	}
	want := append(bytes.Clone(blob), 0x42)
	if got := nexusBytes(t, res.Arguments[0], nser); !bytes.Equal(got, want) {
		t.Errorf("bytes: got %x, want %x", got, want)
	}
}

// testNexusCancel: a caller cancels, the callee's context ends, in both
// directions.
func testNexusCancel(t *testing.T, rt *runtime.Session, nx *client.Client, uri func(string) string) {
	started := make(chan struct{}, 1)
	causes := make(chan error, 1)
	_, err := rt.Register(testCtx(t), wamp.URI(uri("rt.block")), func(ctx context.Context, _ *runtime.Invocation) (*runtime.Result, error) {
		started <- struct{}{}
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return nil, ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := nx.SetCallCancelMode(nxwamp.CancelModeKill); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	go func() {
		select {
		case <-started:
			cancel()
		case <-ctx.Done():
		}
	}()
	_, err = nx.Call(ctx, uri("rt.block"), nil, nil, nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("nexus Call: %v, want context.Canceled", err)
	}
	if cause := recvT(t, causes, "the runtime handler's context to end"); !errors.Is(cause, runtime.ErrCanceled) {
		t.Errorf("handler context cause %v, want ErrCanceled (INTERRUPT)", cause)
	}

	// The runtime cancels (kill, its default); the nexus callee's context ends.
	nxStarted := make(chan struct{}, 1)
	nxDone := make(chan error, 1)
	err = nx.Register(uri("nx.block"), func(ctx context.Context, _ *nxwamp.Invocation) client.InvokeResult {
		nxStarted <- struct{}{}
		<-ctx.Done()
		nxDone <- ctx.Err()
		return client.InvocationCanceled
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithCancel(testCtx(t))
	go func() {
		select {
		case <-nxStarted:
			cancel2()
		case <-ctx2.Done():
		}
	}()
	_, err = rt.Call(ctx2, wamp.URI(uri("nx.block")), wamp.Payload{}, wamp.Payload{})
	if !errors.Is(err, runtime.ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Errorf("runtime Call: %v, want ErrCanceled and context.Canceled", err)
	}
	if err := recvT(t, nxDone, "the nexus handler's context to end"); !errors.Is(err, context.Canceled) {
		t.Errorf("nexus handler context: %v", err)
	}
}

// testNexusPubSub: events in both directions.
func testNexusPubSub(t *testing.T, rt *runtime.Session, nx *client.Client, uri func(string) string, nser serialize.Serialization) {
	ctx := testCtx(t)
	nxEvents := make(chan *nxwamp.Event, 16)
	if err := nx.Subscribe(uri("to.nexus"), func(ev *nxwamp.Event) { nxEvents <- ev }, nil); err != nil {
		t.Fatal(err)
	}
	blob := []byte{0, 9, 0xff}
	id, err := rt.Publish(ctx, wamp.URI(uri("to.nexus")), wamp.ArgsOf("hi", 3, blob),
		wamp.PayloadOf(interopKwargs{Name: "rt", Count: 2, Tags: []string{"t"}}), runtime.WithAcknowledge(), runtime.WithPublisherDisclosed())
	if err != nil {
		t.Fatal(err)
	}
	ev := recvT(t, nxEvents, "the event at the nexus subscriber")
	s, _ := nxwamp.AsString(ev.Arguments[0])
	n, _ := nxwamp.AsInt64(ev.Arguments[1])
	name, _ := nxwamp.AsString(ev.ArgumentsKw["name"])
	count, _ := nxwamp.AsInt64(ev.ArgumentsKw["count"])
	publisher, _ := nxwamp.AsID(ev.Details["publisher"])
	if ev.Publication != nxwamp.ID(id) || s != "hi" || n != 3 || name != "rt" || count != 2 || publisher != nxwamp.ID(rt.ID()) {
		t.Errorf("nexus got event %d %v %v %v, want publication %d from %d", ev.Publication, ev.Arguments, ev.ArgumentsKw, ev.Details, id, rt.ID())
	}
	if got := nexusBytes(t, ev.Arguments[2], nser); !bytes.Equal(got, blob) {
		t.Errorf("bytes at the nexus subscriber: %x, want %x", got, blob)
	}

	events := newEventLog()
	if _, err := rt.Subscribe(ctx, wamp.URI(uri("from.nexus.")), events.handler, runtime.WithTopicMatch(wamp.MatchPrefix)); err != nil {
		t.Fatal(err)
	}
	var bin any = blob
	if nser == serialize.JSON {
		bin = serialize.BinaryData(blob)
	}
	err = nx.Publish(uri("from.nexus.a"), nxwamp.Dict{nxwamp.OptAcknowledge: true, nxwamp.OptDiscloseMe: true},
		nxwamp.List{"hello", 2.5, bin}, nxwamp.Dict{"name": "nx", "count": 1, "tags": nxwamp.List{"p", "q"}})
	if err != nil {
		t.Fatal(err)
	}
	got := events.next(t)
	var (
		hello string
		f     float64
		b     []byte
		kw    interopKwargs
	)
	decodeArg(t, got.Args, 0, &hello)
	decodeArg(t, got.Args, 1, &f)
	decodeArg(t, got.Args, 2, &b)
	if err := got.Kwargs.Decode(&kw); err != nil {
		t.Fatal(err)
	}
	if hello != "hello" || f != 2.5 || !bytes.Equal(b, blob) || !reflect.DeepEqual(kw, interopKwargs{Name: "nx", Count: 1, Tags: []string{"p", "q"}}) {
		t.Errorf("runtime got %q %v %x %+v", hello, f, b, kw)
	}
	if got.Topic != wamp.URI(uri("from.nexus.a")) || got.Publisher != wamp.ID(nx.ID()) {
		t.Errorf("topic %q publisher %d, want %q %d", got.Topic, got.Publisher, uri("from.nexus.a"), nx.ID())
	}
}

// nexusBytes returns the bytes a nexus client received: []byte from
// MessagePack and CBOR, the NUL + base64 string from JSON.
func nexusBytes(t *testing.T, v any, nser serialize.Serialization) []byte {
	t.Helper()
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		if nser == serialize.JSON && len(x) > 0 && x[0] == 0 {
			b, err := base64.StdEncoding.DecodeString(x[1:])
			if err != nil {
				t.Fatalf("JSON binary string %q: %v", x, err)
			}
			return b
		}
	}
	t.Fatalf("nexus client received %T %v, want bytes", v, v)
	return nil
}

// sameNexusValues compares values decoded by nexus (numbers may be int64,
// uint64 or float64) with expected ones.
func sameNexusValues(got, want any) bool {
	switch w := want.(type) {
	case int:
		g, ok := nxwamp.AsInt64(got)
		return ok && g == int64(w)
	case nxwamp.List:
		g, ok := nxwamp.AsList(got)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameNexusValues(g[i], w[i]) {
				return false
			}
		}
		return true
	case nxwamp.Dict:
		g, ok := nxwamp.AsDict(got)
		if !ok || len(g) != len(w) {
			return false
		}
		for k := range w {
			if !sameNexusValues(g[k], w[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(got, want)
}

// firstArg decodes the first positional argument into dst. Handlers run on
// goroutines of their own, where t.Fatal must not be called.
func firstArg(p wamp.Payload, dst any) error {
	vals, err := p.List()
	if err != nil {
		return err
	}
	if len(vals) == 0 {
		return errors.New("no arguments")
	}
	return vals[0].Decode(dst)
}

// TestUnixTransport runs calls and events over RawSocket on a Unix socket,
// between two runtime sessions and with a nexus client.
func TestUnixTransport(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{UnixSocketPath: filepath.Join(t.TempDir(), "wamp.sock")})
	url := r.UnixURL()
	if !strings.HasPrefix(url, "unix:///") {
		t.Fatalf("UnixURL %q", url)
	}
	ctx := testCtx(t)
	for _, ser := range wamp.Serializers() {
		t.Run(ser.Name(), func(t *testing.T) {
			callee := dialT(t, url, runtime.Config{Serializer: ser})
			caller := dialT(t, url, runtime.Config{Serializer: wamp.JSON})
			proc := wamp.URI("com.unix." + ser.Name() + ".double")
			if _, err := callee.Register(ctx, proc, func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				var n int
				if err := firstArg(inv.Args, &n); err != nil {
					return nil, err
				}
				return &runtime.Result{Args: wamp.ArgsOf(2 * n)}, nil
			}); err != nil {
				t.Fatal(err)
			}
			res, err := caller.Call(ctx, proc, wamp.ArgsOf(21), wamp.Payload{})
			if err != nil {
				t.Fatal(err)
			}
			var got int
			decodeArg(t, res.Args, 0, &got)
			if got != 42 {
				t.Errorf("got %d", got)
			}

			events := newEventLog()
			topic := wamp.URI("com.unix." + ser.Name() + ".topic")
			subscribeT(t, callee, topic, events.handler)
			publishAck(t, caller, topic, "over unix")
			if got := events.nextLabel(t); got != "over unix" {
				t.Errorf("got %q", got)
			}
		})
	}
	t.Run("nexus", func(t *testing.T) {
		rt := dialT(t, url, runtime.Config{Serializer: wamp.CBOR})
		nx := dialNexusT(t, url, serialize.CBOR)
		if _, err := rt.Register(ctx, "com.unix.nexus.echo", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			return &runtime.Result{Args: inv.Args, Kwargs: inv.Kwargs}, nil
		}); err != nil {
			t.Fatal(err)
		}
		res, err := nx.Call(ctx, "com.unix.nexus.echo", nil, nxwamp.List{"x", 1}, nxwamp.Dict{"k": "v"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !sameNexusValues(res.Arguments, nxwamp.List{"x", 1}) || !sameNexusValues(res.ArgumentsKw, nxwamp.Dict{"k": "v"}) {
			t.Errorf("echo %v %v", res.Arguments, res.ArgumentsKw)
		}
	})
	t.Run("bad-path", func(t *testing.T) {
		_, err := runtime.Dial(ctx, "unix://"+filepath.Join(t.TempDir(), "missing.sock"), runtime.Config{Realm: router.DefaultRealm})
		if err == nil {
			t.Error("Dial to a missing socket succeeded")
		}
	})
}

// firstOf returns the first element of l, or nil.
func firstOf(l nxwamp.List) any {
	if len(l) == 0 {
		return nil
	}
	return l[0]
}
