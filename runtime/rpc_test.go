package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// rpcRouter starts an embedded router with WebSocket and RawSocket
// listeners; it is closed when the test ends.
func rpcRouter(t *testing.T) *router.Router {
	t.Helper()
	r, err := router.Start(context.Background(), router.Config{WebSocketAddr: "127.0.0.1:0", RawSocketAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// rpcDial joins realm1 and closes the session when the test ends.
func rpcDial(t *testing.T, url string, cfg runtime.Config) *runtime.Session {
	t.Helper()
	if cfg.Realm == "" {
		cfg.Realm = "realm1"
	}
	s, err := runtime.Dial(context.Background(), url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rpcPair returns a callee and a caller session on one router.
func rpcPair(t *testing.T, ser *wamp.Serializer) (callee, caller *runtime.Session) {
	r := rpcRouter(t)
	return rpcDial(t, r.WebSocketURL(), runtime.Config{Serializer: ser}), rpcDial(t, r.WebSocketURL(), runtime.Config{Serializer: ser})
}

func rpcRegister(t *testing.T, s *runtime.Session, uri wamp.URI, h runtime.Handler, opts ...runtime.RegisterOption) *runtime.Registration {
	t.Helper()
	reg, err := s.Register(context.Background(), uri, h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// args decodes a list payload into dsts, failing on a count mismatch.
func args(p wamp.Payload, dsts ...any) error {
	vals, err := p.List()
	if err != nil {
		return err
	}
	if len(vals) != len(dsts) {
		return runtime.NewError(wamp.ErrInvalidArgument, fmt.Sprintf("want %d arguments, got %d", len(dsts), len(vals)))
	}
	for i, v := range vals {
		if err := v.Decode(dsts[i]); err != nil {
			return runtime.NewError(wamp.ErrInvalidArgument, fmt.Sprintf("argument %d: %v", i, err))
		}
	}
	return nil
}

// mustResult decodes a call's single result: mustResult[T](t)(s.Call(…)).
func mustResult[T any](t *testing.T) func(*runtime.Result, error) T {
	return func(res *runtime.Result, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var v T
		if err := args(res.Args, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func eachSerializer(t *testing.T, f func(t *testing.T, ser *wamp.Serializer)) {
	for _, ser := range wamp.Serializers() {
		t.Run(ser.Name(), func(t *testing.T) { f(t, ser) })
	}
}

func TestCallPositionalAndKeyword(t *testing.T) {
	type point struct {
		X int    `json:"x"`
		Y int    `json:"y"`
		L string `json:"label"`
	}
	eachSerializer(t, func(t *testing.T, ser *wamp.Serializer) {
		callee, caller := rpcPair(t, ser)
		ctx := context.Background()
		rpcRegister(t, callee, "com.test.concat", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			var a string
			var n int
			var f float64
			if err := args(inv.Args, &a, &n, &f); err != nil {
				return nil, err
			}
			return &runtime.Result{Args: wamp.ArgsOf(fmt.Sprintf("%s/%d/%g", a, n, f))}, nil
		})
		rpcRegister(t, callee, "com.test.move", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			var p point
			if err := inv.Kwargs.Decode(&p); err != nil {
				return nil, runtime.NewError(wamp.ErrInvalidArgument, err.Error())
			}
			p.X++
			p.Y--
			return &runtime.Result{Kwargs: wamp.PayloadOf(p)}, nil
		})
		got := mustResult[string](t)(caller.Call(ctx, "com.test.concat", wamp.ArgsOf("a", -7, 0.25), wamp.Payload{}))
		if got != "a/-7/0.25" {
			t.Fatalf("concat = %q", got)
		}
		res, err := caller.Call(ctx, "com.test.move", wamp.Payload{}, wamp.PayloadOf(map[string]any{"x": 1, "y": 2, "label": "p"}))
		if err != nil {
			t.Fatal(err)
		}
		var p point
		if err := res.Kwargs.Decode(&p); err != nil || p != (point{2, 1, "p"}) {
			t.Fatalf("move = %+v, %v", p, err)
		}
		if !res.Args.IsZero() {
			vals, _ := res.Args.List()
			if len(vals) != 0 {
				t.Fatalf("move returned Args %v", vals)
			}
		}
		// Wrong argument types are the callee's to refuse, and it keeps serving.
		_, err = caller.Call(ctx, "com.test.concat", wamp.ArgsOf(1, "x", 0.5), wamp.Payload{})
		var we *runtime.Error
		if !errors.As(err, &we) || !errors.Is(err, runtime.ErrInvalidArgument) || we.Message() == "" {
			t.Fatalf("wrong types: %v", err)
		}
		if got := mustResult[string](t)(caller.Call(ctx, "com.test.concat", wamp.ArgsOf("b", 1, 2), wamp.Payload{})); got != "b/1/2" {
			t.Fatalf("after error: %q", got)
		}
	})
}

func TestProgressiveResults(t *testing.T) {
	eachSerializer(t, func(t *testing.T, ser *wamp.Serializer) {
		callee, caller := rpcPair(t, ser)
		ctx := context.Background()
		const n = 200
		var sawRequested atomic.Bool
		rpcRegister(t, callee, "com.test.count", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			if !inv.ProgressRequested() {
				if err := inv.SendProgress(wamp.ArgsOf(0), wamp.Payload{}); !errors.Is(err, runtime.ErrProgressNotRequested) {
					return nil, fmt.Errorf("SendProgress without request: %v", err)
				}
				return &runtime.Result{Args: wamp.ArgsOf(-1)}, nil
			}
			sawRequested.Store(true)
			for i := range n {
				if err := inv.SendProgress(wamp.ArgsOf(i), wamp.Payload{}); err != nil {
					return nil, err
				}
			}
			return &runtime.Result{Args: wamp.ArgsOf(n)}, nil
		})
		var got []int
		returned := false
		final := mustResult[int](t)(caller.Call(ctx, "com.test.count", wamp.Payload{}, wamp.Payload{}, runtime.WithProgress(func(r *runtime.Result) error {
			if returned { // a data race here too, if the callback ever ran elsewhere
				t.Error("progress after Call returned")
			}
			var i int
			if err := args(r.Args, &i); err != nil {
				return err
			}
			got = append(got, i)
			return nil
		})))
		returned = true
		if final != n || len(got) != n || !sawRequested.Load() {
			t.Fatalf("final %d, %d progress results", final, len(got))
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("progress out of order at %d: %v", i, got[:i+1])
			}
		}
		// Without WithProgress the callee is told no progress was asked for.
		if v := mustResult[int](t)(caller.Call(ctx, "com.test.count", wamp.Payload{}, wamp.Payload{})); v != -1 {
			t.Fatalf("plain call = %d", v)
		}
	})
}

func TestProgressCallbackErrorCancelsCall(t *testing.T) {
	callee, caller := rpcPair(t, wamp.JSON)
	interrupted := make(chan error, 1)
	rpcRegister(t, callee, "com.test.stream", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		for i := 0; ; i++ {
			if err := inv.SendProgress(wamp.ArgsOf(i), wamp.Payload{}); err != nil {
				return nil, err
			}
			select {
			case <-ctx.Done():
				interrupted <- context.Cause(ctx)
				return nil, ctx.Err()
			case <-time.After(time.Millisecond):
			}
		}
	})
	stop := errors.New("enough")
	_, err := caller.Call(context.Background(), "com.test.stream", wamp.Payload{}, wamp.Payload{}, runtime.WithProgress(func(r *runtime.Result) error {
		var i int
		args(r.Args, &i)
		if i == 3 {
			return stop
		}
		return nil
	}))
	if !errors.Is(err, stop) {
		t.Fatalf("Call = %v, want the callback's error", err)
	}
	select {
	case cause := <-interrupted:
		if !errors.Is(cause, runtime.ErrCanceled) {
			t.Fatalf("callee cause %v", cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("callee was never interrupted")
	}
}

// blockingCallee registers a procedure that reports when it starts and how
// its context ended (or nil if released first).
func blockingCallee(t *testing.T, s *runtime.Session, uri wamp.URI, opts ...runtime.RegisterOption) (started chan struct{}, ended chan error, release chan struct{}) {
	started, ended, release = make(chan struct{}, 1), make(chan error, 1), make(chan struct{})
	rpcRegister(t, s, uri, func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		select {
		case started <- struct{}{}:
		default: // a later invocation; the first one was reported
		}
		select {
		case <-ctx.Done():
			report(ended, context.Cause(ctx))
			return nil, ctx.Err()
		case <-release:
			report(ended, nil)
			return &runtime.Result{Args: wamp.ArgsOf("released")}, nil
		case <-time.After(10 * time.Second):
			report(ended, errors.New("neither interrupted nor released"))
			return nil, nil
		}
	}, opts...)
	return
}

// report sends err unless a report is already waiting.
func report(ch chan error, err error) {
	select {
	case ch <- err:
	default:
	}
}

func TestCancelModes(t *testing.T) {
	for _, mode := range []runtime.CancelMode{runtime.CancelKill, runtime.CancelKillNoWait, runtime.CancelSkip} {
		t.Run(string(mode), func(t *testing.T) {
			callee, caller := rpcPair(t, wamp.MsgPack)
			started, ended, release := blockingCallee(t, callee, "com.test.block")
			ctx, cancel := context.WithCancel(context.Background())
			go func() { <-started; cancel() }()
			begin := time.Now()
			_, err := caller.Call(ctx, "com.test.block", wamp.Payload{}, wamp.Payload{}, runtime.WithCancelMode(mode))
			if !errors.Is(err, context.Canceled) || !errors.Is(err, runtime.ErrCanceled) {
				t.Fatalf("Call = %v, want canceled", err)
			}
			if d := time.Since(begin); d > 3*time.Second {
				t.Fatalf("Call took %v to return after cancel", d)
			}
			if mode == wamp.CancelSkip {
				// The callee is not told: it finishes when released.
				close(release)
				if got := <-ended; got != nil {
					t.Fatalf("skip: callee ctx ended with %v", got)
				}
				return
			}
			select {
			case got := <-ended:
				if !errors.Is(got, runtime.ErrCanceled) {
					t.Fatalf("%s: callee cause %v, want ErrCanceled (INTERRUPT)", mode, got)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: callee never saw INTERRUPT", mode)
			}
			// The session keeps working afterwards.
			close(release)
			if _, err := caller.Call(context.Background(), "com.test.block", wamp.Payload{}, wamp.Payload{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDefaultCancelModeIsConfigurable(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{CancelMode: wamp.CancelSkip})
	started, ended, release := blockingCallee(t, callee, "com.test.block")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	if _, err := caller.Call(ctx, "com.test.block", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrCanceled) {
		t.Fatal(err)
	}
	close(release)
	if got := <-ended; got != nil {
		t.Fatalf("Config.CancelMode skip: callee interrupted: %v", got)
	}
	if _, err := caller.Call(context.Background(), "x.y", wamp.Payload{}, wamp.Payload{}, runtime.WithCancelMode("nuke")); err == nil {
		t.Fatal("invalid cancel mode accepted")
	}
}

func TestCallerDeadline(t *testing.T) {
	// The caller's deadline travels as CALL.Options.timeout; the router
	// times the call out and interrupts the callee, while the caller gives
	// up locally at the same moment.
	callee, caller := rpcPair(t, wamp.CBOR)
	_, ended, _ := blockingCallee(t, callee, "com.test.block")
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := caller.Call(ctx, "com.test.block", wamp.Payload{}, wamp.Payload{})
	if !errors.Is(err, runtime.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Call = %v, want timeout", err)
	}
	select {
	case got := <-ended:
		if got == nil {
			t.Fatal("callee was released, not stopped")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("callee never stopped after the caller's deadline")
	}
}

func TestRouterTimeout(t *testing.T) {
	// CALL.Options.timeout without a ctx deadline: the router alone enforces
	// it and answers wamp.error.timeout.
	callee, caller := rpcPair(t, wamp.JSON)
	_, ended, _ := blockingCallee(t, callee, "com.test.block")
	_, err := caller.Call(context.Background(), "com.test.block", wamp.Payload{}, wamp.Payload{}, runtime.WithCallOptions(wamp.Dict{"timeout": 100}))
	var we *runtime.Error
	if !errors.As(err, &we) || we.URI != wamp.ErrTimeout {
		t.Fatalf("Call = %v, want wamp.error.timeout from the router", err)
	}
	if got := <-ended; !errors.Is(got, runtime.ErrTimeout) {
		t.Fatalf("callee cause %v, want ErrTimeout (INTERRUPT reason timeout)", got)
	}
}

func TestCalleeTimeout(t *testing.T) {
	// With forward_timeout the callee gets INVOCATION.Details.timeout and
	// its handler's ctx ends by itself, answering wamp.error.timeout.
	callee, caller := rpcPair(t, wamp.MsgPack)
	_, ended, _ := blockingCallee(t, callee, "com.test.block", runtime.WithForwardTimeout())
	_, err := caller.Call(context.Background(), "com.test.block", wamp.Payload{}, wamp.Payload{}, runtime.WithCallOptions(wamp.Dict{"timeout": 100}))
	if !errors.Is(err, runtime.ErrTimeout) {
		t.Fatalf("Call = %v, want wamp.error.timeout from the callee", err)
	}
	if got := <-ended; !errors.Is(got, runtime.ErrTimeout) {
		t.Fatalf("callee cause %v, want ErrTimeout from Details.timeout", got)
	}
}

var errSentinel = errors.New("the thing is broken")

type quotaError struct {
	Limit int    `json:"limit"`
	Scope string `json:"scope"`
}

func (e *quotaError) Error() string { return fmt.Sprintf("quota %d exceeded in %s", e.Limit, e.Scope) }

func TestErrorMapping(t *testing.T) {
	reg := runtime.NewErrorRegistry()
	if err := reg.RegisterSentinel("com.test.error.broken", errSentinel); err != nil {
		t.Fatal(err)
	}
	if err := runtime.RegisterErrorType[*quotaError](reg, "com.test.error.quota"); err != nil {
		t.Fatal(err)
	}
	if err := reg.RegisterSentinel("com.test.error.other", errSentinel); err == nil {
		t.Fatal("a sentinel registered under two URIs was accepted")
	}
	eachSerializer(t, func(t *testing.T, ser *wamp.Serializer) {
		r := rpcRouter(t)
		callee := rpcDial(t, r.RawSocketURL(), runtime.Config{Serializer: ser, Errors: reg})
		caller := rpcDial(t, r.WebSocketURL(), runtime.Config{Serializer: ser, Errors: reg})
		ctx := context.Background()
		rpcRegister(t, callee, "com.test.fail", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			var kind string
			if err := args(inv.Args, &kind); err != nil {
				return nil, err
			}
			switch kind {
			case "sentinel":
				return nil, fmt.Errorf("wrapped: %w", errSentinel)
			case "type":
				return nil, &quotaError{Limit: 10, Scope: "disk"}
			case "custom":
				return nil, &runtime.Error{URI: "com.test.error.custom", Args: wamp.ArgsOf("custom", 42), Kwargs: wamp.PayloadOf(map[string]any{"k": "v"})}
			case "plain":
				return nil, errors.New("plain failure")
			case "panic":
				panic("handler bug")
			}
			return &runtime.Result{Args: wamp.ArgsOf("ok")}, nil
		})
		call := func(kind string) error {
			_, err := caller.Call(ctx, "com.test.fail", wamp.ArgsOf(kind), wamp.Payload{})
			return err
		}
		if err := call("sentinel"); !errors.Is(err, errSentinel) {
			t.Errorf("sentinel: %v", err)
		}
		var qe *quotaError
		if err := call("type"); !errors.As(err, &qe) || qe.Limit != 10 || qe.Scope != "disk" {
			t.Errorf("type: %v (%+v)", err, qe)
		}
		err := call("custom")
		var we *runtime.Error
		if !errors.As(err, &we) || we.URI != "com.test.error.custom" {
			t.Fatalf("custom: %v", err)
		}
		var msg string
		var n int
		var kw map[string]string
		if err := args(we.Args, &msg, &n); err != nil || msg != "custom" || n != 42 {
			t.Errorf("custom Args: %q %d %v", msg, n, err)
		}
		if err := we.Kwargs.Decode(&kw); err != nil || kw["k"] != "v" {
			t.Errorf("custom Kwargs: %v %v", kw, err)
		}
		// Unmapped errors and panics are redacted (see redact_test.go).
		if err := call("plain"); !errors.Is(err, runtime.ErrRuntime) || !errors.As(err, &we) || !strings.HasPrefix(we.Message(), "com.test.fail failed; incident ") {
			t.Errorf("plain: %v", err)
		}
		if err := call("panic"); !errors.Is(err, runtime.ErrRuntime) {
			t.Errorf("panic: %v", err)
		}
		if got := mustResult[string](t)(caller.Call(ctx, "com.test.fail", wamp.ArgsOf("none"), wamp.Payload{})); got != "ok" {
			t.Errorf("session broken after a panic: %q", got)
		}
	})
}

func TestErrorsIsAgainstContextErrors(t *testing.T) {
	if !errors.Is(&runtime.Error{URI: wamp.ErrCanceled}, context.Canceled) ||
		!errors.Is(&runtime.Error{URI: wamp.ErrTimeout}, context.DeadlineExceeded) ||
		errors.Is(&runtime.Error{URI: wamp.ErrTimeout}, context.Canceled) ||
		!errors.Is(runtime.NewError(wamp.ErrNoSuchProcedure, "x"), runtime.ErrNoSuchProcedure) ||
		errors.Is(runtime.ErrNoSuchProcedure, runtime.NewError(wamp.ErrNoSuchProcedure, "x")) {
		t.Fatal("errors.Is mapping between URIs, sentinels and context errors is wrong")
	}
}

func TestBinaryAcrossSerializers(t *testing.T) {
	r := rpcRouter(t)
	payloads := [][]byte{{}, {0}, {0xff}, {0, 1, 2, 0xfe, 0xff, 0}, bytes.Repeat([]byte{0, 0xff, 0x80}, 1000)}
	for _, calleeSer := range wamp.Serializers() {
		callee := rpcDial(t, r.WebSocketURL(), runtime.Config{Serializer: calleeSer})
		uri := wamp.URI("com.test.reverse." + calleeSer.Name())
		rpcRegister(t, callee, uri, func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			var b []byte
			if err := args(inv.Args, &b); err != nil {
				return nil, err
			}
			out := make([]byte, len(b))
			for i := range b {
				out[len(b)-1-i] = b[i]
			}
			return &runtime.Result{Args: wamp.ArgsOf(out)}, nil
		})
		for _, callerSer := range wamp.Serializers() {
			caller := rpcDial(t, r.WebSocketURL(), runtime.Config{Serializer: callerSer})
			for _, p := range payloads {
				got := mustResult[[]byte](t)(caller.Call(context.Background(), uri, wamp.ArgsOf(p), wamp.Payload{}))
				want := make([]byte, len(p))
				for i := range p {
					want[len(p)-1-i] = p[i]
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("callee %s, caller %s: % x reversed to % x", calleeSer, callerSer, p, got)
				}
			}
		}
	}
}

func TestThousandConcurrentCalls(t *testing.T) {
	eachSerializer(t, func(t *testing.T, ser *wamp.Serializer) {
		callee, caller := rpcPair(t, ser)
		rpcRegister(t, callee, "com.test.square", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			var n int64
			if err := args(inv.Args, &n); err != nil {
				return nil, err
			}
			return &runtime.Result{Args: wamp.ArgsOf(n * n)}, nil
		})
		const calls = 1000
		var wg sync.WaitGroup
		errs := make(chan error, calls)
		for i := range int64(calls) {
			wg.Go(func() {
				res, err := caller.Call(context.Background(), "com.test.square", wamp.ArgsOf(i), wamp.Payload{})
				if err != nil {
					errs <- err
					return
				}
				var sq int64
				if err := args(res.Args, &sq); err != nil || sq != i*i {
					errs <- fmt.Errorf("square(%d) = %d, %v", i, sq, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func TestHandlersRunConcurrently(t *testing.T) {
	callee, caller := rpcPair(t, wamp.JSON)
	second := make(chan struct{})
	rpcRegister(t, callee, "com.test.first", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		select {
		case <-second: // only returns once the second call was served
			return &runtime.Result{Args: wamp.ArgsOf(1)}, nil
		case <-time.After(5 * time.Second):
			return nil, errors.New("second call never ran while the first was busy")
		}
	})
	rpcRegister(t, callee, "com.test.second", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		close(second)
		return &runtime.Result{Args: wamp.ArgsOf(2)}, nil
	})
	done := make(chan error, 1)
	go func() {
		_, err := caller.Call(context.Background(), "com.test.first", wamp.Payload{}, wamp.Payload{})
		done <- err
	}()
	if v := mustResult[int](t)(caller.Call(context.Background(), "com.test.second", wamp.Payload{}, wamp.Payload{})); v != 2 {
		t.Fatal(v)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestCallerDetailsAndPatterns(t *testing.T) {
	callee, caller := rpcPair(t, wamp.JSON)
	type seen struct {
		proc   wamp.URI
		caller wamp.ID
	}
	handler := func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		fromCtx, ok := runtime.InvocationFromContext(ctx)
		if !ok || fromCtx != inv {
			return nil, errors.New("invocation not in context")
		}
		return &runtime.Result{Args: wamp.ArgsOf(string(inv.Procedure), uint64(inv.Caller))}, nil
	}
	rpcRegister(t, callee, "com.test.whoami", handler, runtime.WithDiscloseCaller())
	rpcRegister(t, callee, "com.test.prefix.", handler, runtime.WithMatch(wamp.MatchPrefix))
	rpcRegister(t, callee, "com.test..wild", handler, runtime.WithMatch(wamp.MatchWildcard))
	call := func(uri wamp.URI, opts ...runtime.CallOption) seen {
		t.Helper()
		res, err := caller.Call(context.Background(), uri, wamp.Payload{}, wamp.Payload{}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		var p string
		var id uint64
		if err := args(res.Args, &p, &id); err != nil {
			t.Fatal(err)
		}
		return seen{wamp.URI(p), wamp.ID(id)}
	}
	if got := call("com.test.whoami", runtime.WithDiscloseMe()); got != (seen{"com.test.whoami", caller.ID()}) {
		t.Errorf("disclosed: %+v, caller is %d", got, caller.ID())
	}
	if got := call("com.test.prefix.a.b"); got.proc != "com.test.prefix.a.b" {
		t.Errorf("prefix: %+v", got)
	}
	if got := call("com.test.any.wild"); got.proc != "com.test.any.wild" {
		t.Errorf("wildcard: %+v", got)
	}
	if _, err := callee.Register(context.Background(), "com.test.whoami", handler); !errors.Is(err, runtime.ErrProcedureExists) {
		t.Errorf("duplicate registration: %v", err)
	}
	if _, err := callee.Register(context.Background(), "bad uri", handler); err == nil {
		t.Error("invalid URI registered")
	}
}

func TestUnregister(t *testing.T) {
	callee, caller := rpcPair(t, wamp.JSON)
	reg := rpcRegister(t, callee, "com.test.gone", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return nil, nil
	})
	if _, err := caller.Call(context.Background(), "com.test.gone", wamp.Payload{}, wamp.Payload{}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Unregister(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.Call(context.Background(), "com.test.gone", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrNoSuchProcedure) {
		t.Fatalf("after Unregister: %v", err)
	}
	if err := reg.Unregister(context.Background()); !errors.Is(err, runtime.ErrNoSuchRegistration) {
		t.Fatalf("second Unregister: %v", err)
	}
}

func TestCloseEndsEverything(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	caller := rpcDial(t, r.RawSocketURL(), runtime.Config{})
	started, ended, _ := blockingCallee(t, callee, "com.test.block")
	callErr := make(chan error, 1)
	go func() {
		_, err := caller.Call(context.Background(), "com.test.block", wamp.Payload{}, wamp.Payload{})
		callErr <- err
	}()
	<-started
	// Closing the callee cancels its running handler and waits for it.
	if err := callee.Close(); err != nil {
		t.Fatal(err)
	}
	if got := <-ended; got == nil {
		t.Fatal("handler ctx not cancelled by Close")
	}
	select {
	case <-callee.Done():
	default:
		t.Fatal("Done not closed after Close")
	}
	if !errors.Is(callee.Err(), runtime.ErrSessionClosed) {
		t.Fatalf("Err = %v", callee.Err())
	}
	if _, err := callee.Call(context.Background(), "x.y", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrSessionClosed) {
		t.Fatalf("Call after Close: %v", err)
	}
	// The router tells the caller its call has no callee any more... or the
	// caller closes: either way the call returns.
	caller.Close()
	select {
	case err := <-callErr:
		if err == nil {
			t.Fatal("call answered successfully by a closed callee")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("pending call never returned after Close")
	}
	if err := caller.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// connTap records the connections a session dials, so a test can sever
// them under it.
type connTap struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (c *connTap) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err == nil {
		c.mu.Lock()
		c.conns = append(c.conns, conn)
		c.mu.Unlock()
	}
	return conn, err
}

func (c *connTap) sever() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.Close()
	}
}

func TestConnectionLost(t *testing.T) {
	for _, transport := range []string{"websocket", "rawsocket"} {
		t.Run(transport, func(t *testing.T) {
			r := rpcRouter(t)
			url := r.WebSocketURL()
			if transport == "rawsocket" {
				url = r.RawSocketURL()
			}
			callee := rpcDial(t, url, runtime.Config{})
			var tap connTap
			caller := rpcDial(t, url, runtime.Config{Dial: tap.dial})
			started, _, _ := blockingCallee(t, callee, "com.test.block")
			const n = 20
			errs := make(chan error, n)
			for range n {
				go func() {
					_, err := caller.Call(context.Background(), "com.test.block", wamp.Payload{}, wamp.Payload{})
					errs <- err
				}()
			}
			<-started
			tap.sever()
			for range n {
				select {
				case err := <-errs:
					if !errors.Is(err, runtime.ErrConnectionLost) {
						t.Fatalf("pending call ended with %v, want ErrConnectionLost", err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("a pending call hung after the connection broke")
				}
			}
			<-caller.Done()
			if !errors.Is(caller.Err(), runtime.ErrConnectionLost) {
				t.Fatalf("Err = %v", caller.Err())
			}
			if _, err := caller.Call(context.Background(), "x.y", wamp.Payload{}, wamp.Payload{}); !errors.Is(err, runtime.ErrConnectionLost) {
				t.Fatalf("call on a lost session: %v", err)
			}
		})
	}
}

func TestRouterShutdownEndsSessions(t *testing.T) {
	r, err := router.Start(context.Background(), router.Config{WebSocketAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	s := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	r.Close()
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("session still open after the router shut down")
	}
	if !errors.Is(s.Err(), runtime.ErrSessionClosed) && !errors.Is(s.Err(), runtime.ErrConnectionLost) {
		t.Fatalf("Err = %v", s.Err())
	}
}

func TestMaxMessageSize(t *testing.T) {
	r := rpcRouter(t)
	s := rpcDial(t, r.WebSocketURL(), runtime.Config{MaxMessageSize: 1024})
	_, err := s.Call(context.Background(), "com.test.big", wamp.ArgsOf(bytes.Repeat([]byte("x"), 4096)), wamp.Payload{})
	if !errors.Is(err, runtime.ErrPayloadSizeExceeded) {
		t.Fatalf("oversized CALL: %v", err)
	}
}

// TestInvocationRightAfterRegistered: a router may send INVOCATION the
// moment after REGISTERED; the handler must already be in place.
func TestInvocationRightAfterRegistered(t *testing.T) {
	answers := make(chan wamp.Message, 100)
	url := startFakeRouter(t, func(msg wamp.Message, send func(wamp.Message)) {
		switch m := msg.(type) {
		case *wamp.Register:
			reg := 1000 + m.Request
			send(&wamp.Registered{Request: m.Request, Registration: reg})
			send(&wamp.Invocation{Request: m.Request, Registration: reg, Details: wamp.Dict{}, Args: wamp.ArgsOf(string(m.Procedure))})
		case *wamp.Yield, *wamp.Error:
			answers <- m
		}
	})
	s := rpcDial(t, url, runtime.Config{})
	const n = 50
	for i := range n {
		rpcRegister(t, s, wamp.URI(fmt.Sprintf("com.test.early.p%d", i)), func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			return &runtime.Result{Args: inv.Args}, nil
		})
	}
	for range n {
		select {
		case m := <-answers:
			if e, isErr := m.(*wamp.Error); isErr {
				t.Fatalf("INVOCATION right after REGISTERED answered %s", e.Error)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("an early INVOCATION was never answered")
		}
	}
}

func TestToWireFollowsJoinedErrors(t *testing.T) {
	reg := runtime.NewErrorRegistry()
	if err := reg.RegisterSentinel("com.test.error.broken", errSentinel); err != nil {
		t.Fatal(err)
	}
	if err := runtime.RegisterErrorType[*quotaError](reg, "com.test.error.quota"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		err  error
		want wamp.URI
	}{
		{errors.Join(errors.New("first"), errSentinel), "com.test.error.broken"},
		{fmt.Errorf("outer: %w", errors.Join(errors.New("x"), &quotaError{Limit: 1})), "com.test.error.quota"},
		{fmt.Errorf("%w and %w", errors.New("a"), errSentinel), "com.test.error.broken"},
		{errors.Join(errors.New("a"), errors.New("b")), wamp.ErrRuntime},
		{fmt.Errorf("wrapped: %w", context.Canceled), wamp.ErrCanceled},
		{(*quotaError)(nil), wamp.ErrRuntime},
	} {
		if uri, _, _ := reg.ToWire(tc.err); uri != tc.want {
			t.Errorf("ToWire(%v) = %s, want %s", tc.err, uri, tc.want)
		}
	}
}

func TestTypedNilErrorFromHandler(t *testing.T) {
	reg := runtime.NewErrorRegistry()
	if err := runtime.RegisterErrorType[*quotaError](reg, "com.test.error.quota"); err != nil {
		t.Fatal(err)
	}
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{Errors: reg})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{Errors: reg})
	rpcRegister(t, callee, "com.test.nilerr", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var e *quotaError // a typed nil: its Error method dereferences it
		return nil, e
	})
	_, err := caller.Call(context.Background(), "com.test.nilerr", wamp.Payload{}, wamp.Payload{})
	if !errors.Is(err, runtime.ErrRuntime) {
		t.Fatalf("typed nil error: %v", err)
	}
	rpcRegister(t, callee, "com.test.ok", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) { return nil, nil })
	if _, err := caller.Call(context.Background(), "com.test.ok", wamp.Payload{}, wamp.Payload{}); err != nil {
		t.Fatalf("callee session broken: %v", err)
	}
}

// TestUnreadablePayloadCostsOneRequest: a message whose header is fine but
// whose payload this runtime refuses (here a string that is not UTF-8,
// which a router forwards untouched) fails only its own request; the
// session goes on serving.
func TestUnreadablePayloadCostsOneRequest(t *testing.T) {
	replies := make(chan string, 10)
	up := websocket.Upgrader{Subprotocols: []string{"wamp.2.json"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		send := func(s string) { conn.WriteMessage(websocket.TextMessage, []byte(s)) }
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			switch {
			case bytes.HasPrefix(data, []byte("[1,")): // HELLO
				send(`[2,7,{"roles":{"dealer":{}}}]`)
			case bytes.HasPrefix(data, []byte("[64,")): // REGISTER, request 1
				send(`[65,1,1001]`)
				send("[68,5,1001,{},[\"\xff\xfe\"]]") // unreadable arguments
				send(`[68,6,1001,{},["fine"]]`)       // then a good one
			case bytes.HasPrefix(data, []byte("[48,")): // CALL: answer unreadably
				var req int
				fmt.Sscanf(string(data), "[48,%d,", &req)
				send(fmt.Sprintf("[50,%d,{},[\"\xff\"]]", req))
			case bytes.HasPrefix(data, []byte("[6,")): // GOODBYE
				send(`[6,{},"wamp.close.goodbye_and_out"]`)
			default:
				replies <- string(data)
			}
		}
	}))
	t.Cleanup(srv.Close)
	s := rpcDial(t, "ws"+strings.TrimPrefix(srv.URL, "http")+"/", runtime.Config{})
	rpcRegister(t, s, "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	})
	for _, want := range []string{`[8,68,5,{},"wamp.error.invalid_argument"`, `[70,6,{},["fine"]]`} {
		select {
		case got := <-replies:
			if !strings.HasPrefix(got, want) {
				t.Fatalf("router got %s, want %s…", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s…", want)
		}
	}
	_, err := s.Call(context.Background(), "com.test.any", wamp.Payload{}, wamp.Payload{})
	if err == nil || !errors.Is(err, wamp.ErrMalformed) {
		t.Fatalf("unreadable RESULT: %v", err)
	}
	if s.State() != runtime.StateJoined {
		t.Fatalf("session state %v after unreadable payloads", s.State())
	}
}
