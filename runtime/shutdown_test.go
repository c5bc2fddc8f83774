package runtime_test

import (
	"context"
	"errors"
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

// dialRaw joins realm1 at url without the cleanup of dialT: these tests
// end the session with Shutdown and check what it returns.
func dialRaw(t *testing.T, url string, cfg runtime.Config) *runtime.Session {
	t.Helper()
	cfg.Realm = router.DefaultRealm
	s, err := runtime.Dial(testCtx(t), url, cfg)
	if err != nil {
		t.Fatalf("dialling %s: %v", url, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// firstInt decodes the first positional argument of p as an int.
func firstInt(p wamp.Payload) (int, error) {
	var ns []int
	if err := p.Decode(&ns); err != nil {
		return 0, err
	}
	if len(ns) == 0 {
		return 0, errors.New("no argument")
	}
	return ns[0], nil
}

// gate is a handler that blocks until released, telling when it started.
type gate struct {
	started chan struct{} // one value per invocation that started
	release chan struct{}
	runs    atomic.Int32
}

func newGate() *gate { return &gate{started: make(chan struct{}, 100), release: make(chan struct{})} }

// callResult is the outcome of a call made on another goroutine.
type callResult struct {
	res *runtime.Result
	err error
}

func callAsync(ctx context.Context, s *runtime.Session, proc wamp.URI, args wamp.Payload) <-chan callResult {
	out := make(chan callResult, 1)
	go func() {
		res, err := s.Call(ctx, proc, args, wamp.Payload{})
		out <- callResult{res, err}
	}()
	return out
}

// awaitUnregistered calls proc, whose callee's drain began, until the
// router no longer knows it: every call made meanwhile must be refused by
// the draining callee with wamp.error.unavailable, never run.
func awaitUnregistered(t *testing.T, caller *runtime.Session, proc wamp.URI) {
	t.Helper()
	ctx := testCtx(t)
	for {
		_, err := caller.Call(ctx, proc, wamp.ArgsOf(0), wamp.Payload{})
		switch {
		case errors.Is(err, runtime.ErrNoSuchProcedure):
			return
		case errors.Is(err, runtime.ErrUnavailable):
		case ctx.Err() != nil:
			t.Fatalf("%s still registered after %v", proc, testWait)
		default:
			t.Fatalf("a call during the drain: %v, want wamp.error.unavailable or no_such_procedure", err)
		}
	}
}

// awaitDrainBegan waits until s refuses Register: its Shutdown began.
func awaitDrainBegan(t *testing.T, s *runtime.Session) {
	t.Helper()
	ctx := testCtx(t)
	for {
		reg, err := s.Register(ctx, "com.test.probe", func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return nil, nil })
		if errors.Is(err, runtime.ErrShuttingDown) {
			return
		}
		if err != nil {
			t.Fatalf("Register: %v", err)
		}
		if err := reg.Unregister(ctx); errors.Is(err, runtime.ErrNoSuchRegistration) {
			return // Shutdown dropped it
		} else if err != nil {
			t.Fatalf("Unregister: %v", err)
		}
	}
}

// TestShutdownLetsCallInFlightFinish is the case of issue 17: a callee
// that stops with a call in flight. Close fails the caller at once
// (wamp.error.canceled: callee gone); Shutdown lets the handler finish,
// and the caller gets its real result. Meanwhile the router stops routing
// to the callee, and the callee's own calls keep working.
func TestShutdownLetsCallInFlightFinish(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{})
	caller := dialT(t, r.WebSocketURL(), runtime.Config{})
	helper := dialT(t, r.RawSocketURL(), runtime.Config{})
	callee := dialRaw(t, r.WebSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	ctx := testCtx(t)
	if _, err := helper.Register(ctx, "com.test.double", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		n, err := firstInt(inv.Args)
		if err != nil {
			return nil, err
		}
		return &runtime.Result{Args: wamp.ArgsOf(2 * n)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	g := newGate()
	if _, err := callee.Register(ctx, "com.test.slow", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		g.runs.Add(1)
		g.started <- struct{}{}
		<-g.release
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The draining session still calls.
		res, err := callee.Call(ctx, "com.test.double", wamp.ArgsOf(21), wamp.Payload{})
		if err != nil {
			return nil, err
		}
		return res, nil
	}); err != nil {
		t.Fatal(err)
	}
	inFlight := callAsync(ctx, caller, "com.test.slow", wamp.ArgsOf(1))
	recvT(t, g.started, "the handler to start")

	shut := make(chan error, 1)
	go func() { shut <- callee.Shutdown(ctx) }()
	awaitDrainBegan(t, callee)
	awaitUnregistered(t, caller, "com.test.slow")
	if _, err := callee.Register(ctx, "com.test.other", func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return nil, nil }); !errors.Is(err, runtime.ErrShuttingDown) {
		t.Fatalf("Register during the drain: %v, want ErrShuttingDown", err)
	}
	if _, err := callee.Subscribe(ctx, "com.test.topic", func(context.Context, *runtime.Event) error { return nil }); !errors.Is(err, runtime.ErrShuttingDown) {
		t.Fatalf("Subscribe during the drain: %v, want ErrShuttingDown", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a handler running", err)
	case <-callee.Done():
		t.Fatal("the session ended with a handler running")
	default:
	}

	close(g.release)
	got := recvT(t, inFlight, "the call in flight")
	if got.err != nil {
		t.Fatalf("the call in flight during Shutdown: %v, want its result", got.err)
	}
	var n int
	decodeArg(t, got.res.Args, 0, &n)
	if n != 42 {
		t.Fatalf("result %d, want 42", n)
	}
	if err := recvT(t, shut, "Shutdown"); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := g.runs.Load(); n != 1 {
		t.Fatalf("the handler ran %d times, want once: calls reached the draining callee", n)
	}
	select {
	case <-callee.Done():
	default:
		t.Fatal("Done not closed after Shutdown")
	}
	if err := callee.Shutdown(ctx); err != nil {
		t.Fatalf("a second Shutdown: %v", err)
	}
	if err := callee.Close(); err != nil {
		t.Fatalf("Close after Shutdown: %v", err)
	}
}

// TestShutdownSharedRegistration: with two callees on a shared
// registration, the calls made once one of them began draining reach the
// other (or are refused with wamp.error.unavailable, to be made again,
// until the router has read the UNREGISTER); none reaches the draining
// one, whose call in flight gets its result.
func TestShutdownSharedRegistration(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{})
	caller := dialT(t, r.WebSocketURL(), runtime.Config{})
	a := dialRaw(t, r.WebSocketURL(), runtime.Config{})
	b := dialT(t, r.RawSocketURL(), runtime.Config{Serializer: wamp.CBOR})
	ctx := testCtx(t)
	g := newGate()
	reply := func(who string, block bool) runtime.Handler {
		return func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
			if block {
				g.runs.Add(1)
				g.started <- struct{}{}
				<-g.release
			}
			return &runtime.Result{Args: wamp.ArgsOf(who)}, nil
		}
	}
	const proc = "com.test.shared"
	if _, err := a.Register(ctx, proc, reply("a", true), runtime.WithInvoke(runtime.InvokeRoundRobin)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Register(ctx, proc, reply("b", false), runtime.WithInvoke(runtime.InvokeRoundRobin)); err != nil {
		t.Fatal(err)
	}
	// Round robin: one of the first two calls reaches a.
	first, second := callAsync(ctx, caller, proc, wamp.Payload{}), callAsync(ctx, caller, proc, wamp.Payload{})
	recvT(t, g.started, "a's handler to start")
	var inFlight <-chan callResult
	select {
	case got := <-first:
		inFlight = second
		if got.err != nil || argString(t, got.res.Args, 0) != "b" {
			t.Fatalf("the other call: %v", got.err)
		}
	case got := <-second:
		inFlight = first
		if got.err != nil || argString(t, got.res.Args, 0) != "b" {
			t.Fatalf("the other call: %v", got.err)
		}
	case <-ctx.Done():
		t.Fatal("b did not answer")
	}

	shut := make(chan error, 1)
	go func() { shut <- a.Shutdown(ctx) }()
	awaitDrainBegan(t, a)
	// Until 20 calls in a row reached b, each call reaches b or is refused
	// by a (the router had not read the UNREGISTER yet).
	for inRow := 0; inRow < 20; {
		res, err := caller.Call(ctx, proc, wamp.Payload{}, wamp.Payload{})
		switch {
		case err == nil && argString(t, res.Args, 0) == "b":
			inRow++
		case errors.Is(err, runtime.ErrUnavailable):
			inRow = 0
		default:
			t.Fatalf("a call during the drain: %v", err)
		}
	}
	close(g.release)
	got := recvT(t, inFlight, "the call in flight on a")
	if got.err != nil || argString(t, got.res.Args, 0) != "a" {
		t.Fatalf("the call in flight on a: %v", got.err)
	}
	if err := recvT(t, shut, "Shutdown"); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := g.runs.Load(); n != 1 {
		t.Fatalf("a's handler ran %d times, want once", n)
	}
}

// TestShutdownContextEnds: a handler that outlives Shutdown's context is
// cancelled, its caller gets an error, and Shutdown returns ctx.Err().
func TestShutdownContextEnds(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{})
	caller := dialT(t, r.WebSocketURL(), runtime.Config{})
	callee := dialRaw(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	started := make(chan struct{}, 1)
	handlerErr := make(chan error, 1)
	if _, err := callee.Register(ctx, "com.test.forever", func(ctx context.Context, _ *runtime.Invocation) (*runtime.Result, error) {
		started <- struct{}{}
		<-ctx.Done()
		handlerErr <- ctx.Err()
		return nil, ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	inFlight := callAsync(ctx, caller, "com.test.forever", wamp.Payload{})
	recvT(t, started, "the handler to start")

	sctx, cancel := context.WithCancel(ctx)
	shut := make(chan error, 1)
	go func() { shut <- callee.Shutdown(sctx) }()
	awaitDrainBegan(t, callee)
	awaitUnregistered(t, caller, "com.test.forever")
	cancel()
	if err := recvT(t, shut, "Shutdown"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown: %v, want context.Canceled", err)
	}
	if err := recvT(t, handlerErr, "the handler to see its context end"); err == nil {
		t.Fatal("the handler's context did not end")
	}
	if got := recvT(t, inFlight, "the call in flight"); got.err == nil {
		t.Fatalf("the call in flight got a result: %v", got.res.Args)
	}
	select {
	case <-callee.Done():
	default:
		t.Fatal("Done not closed after Shutdown")
	}
}

// TestShutdownStreamedInput: a handler whose streamed input is still
// coming when Shutdown begins gets the rest of it, and its caller the
// result.
func TestShutdownStreamedInput(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{})
	caller := dialT(t, r.WebSocketURL(), runtime.Config{})
	callee := dialRaw(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	started := make(chan struct{}, 10)
	if _, err := callee.Register(ctx, "com.test.sum", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		started <- struct{}{}
		sum := 0
		for chunk, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
			n, err := firstInt(chunk.Args)
			if err != nil {
				return nil, err
			}
			sum += n
		}
		return &runtime.Result{Args: wamp.ArgsOf(sum)}, nil
	}, runtime.WithStreamedInput()); err != nil {
		t.Fatal(err)
	}
	call, err := caller.CallInput(ctx, "com.test.sum")
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
		t.Fatal(err)
	}
	recvT(t, started, "the handler to start")
	shut := make(chan error, 1)
	go func() { shut <- callee.Shutdown(ctx) }()
	awaitDrainBegan(t, callee)
	// The registration stays at the router while the input streams (see
	// stopServing), and refuses new calls.
	if _, err := caller.Call(ctx, "com.test.sum", wamp.ArgsOf(1), wamp.Payload{}); !errors.Is(err, runtime.ErrUnavailable) {
		t.Fatalf("a new call during the drain: %v, want wamp.error.unavailable", err)
	}
	for i := 2; i <= 4; i++ {
		if err := call.Send(ctx, wamp.ArgsOf(i), wamp.Payload{}); err != nil {
			t.Fatalf("chunk %d during the drain: %v", i, err)
		}
	}
	res, err := call.CloseSend(ctx, wamp.ArgsOf(5), wamp.Payload{})
	if err != nil {
		t.Fatalf("the streamed call during the drain: %v", err)
	}
	var sum int
	decodeArg(t, res.Args, 0, &sum)
	if sum != 15 {
		t.Fatalf("sum %d, want 15", sum)
	}
	if err := recvT(t, shut, "Shutdown"); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// TestShutdownEventHandlers: an event handler running when Shutdown
// begins finishes, its context intact; Shutdown waits for it.
func TestShutdownEventHandlers(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{})
	pub := dialT(t, r.WebSocketURL(), runtime.Config{})
	sub := dialRaw(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	g := newGate()
	handled := make(chan error, 1)
	s, err := sub.Subscribe(ctx, "com.test.topic", func(ctx context.Context, _ *runtime.Event) error {
		g.started <- struct{}{}
		<-g.release
		handled <- ctx.Err()
		return ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Publish(ctx, "com.test.topic", wamp.ArgsOf(1), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	recvT(t, g.started, "the event handler to start")
	shut := make(chan error, 1)
	go func() { shut <- sub.Shutdown(ctx) }()
	awaitDrainBegan(t, sub)
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with an event handler running", err)
	default:
	}
	close(g.release)
	if err := recvT(t, handled, "the event handler"); err != nil {
		t.Fatalf("the event handler's context ended during the drain: %v", err)
	}
	if err := recvT(t, shut, "Shutdown"); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if st := s.Stats(); st.Delivered != 1 {
		t.Fatalf("stats %+v, want 1 delivered", st)
	}
}

// TestShutdownConcurrentWithClose: Shutdown twice and Close, all at once,
// all return, and the session is closed.
func TestShutdownConcurrentWithClose(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{})
	caller := dialT(t, r.WebSocketURL(), runtime.Config{})
	callee := dialRaw(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	started := make(chan struct{}, 1)
	if _, err := callee.Register(ctx, "com.test.wait", func(ctx context.Context, _ *runtime.Invocation) (*runtime.Result, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	inFlight := callAsync(ctx, caller, "com.test.wait", wamp.Payload{})
	recvT(t, started, "the handler to start")
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 2 {
		wg.Go(func() { errs <- callee.Shutdown(ctx) })
	}
	wg.Go(func() { errs <- callee.Close() })
	wg.Wait()
	close(errs)
	for err := range errs {
		// Close may come first (then Shutdown has nothing to drain) or
		// end the drain (ErrSessionClosed); nothing else.
		if err != nil && !errors.Is(err, runtime.ErrSessionClosed) {
			t.Errorf("Shutdown or Close: %v", err)
		}
	}
	select {
	case <-callee.Done():
	default:
		t.Fatal("Done not closed")
	}
	if got := recvT(t, inFlight, "the call in flight"); got.err == nil {
		t.Fatal("the call in flight got a result, though Close cancelled its handler")
	}
}

// TestShutdownProtocol checks Shutdown's messages against a scripted
// router: UNREGISTER first; an INVOCATION the router sends before it
// answers is refused with wamp.error.unavailable; the YIELD of the call in
// flight comes before GOODBYE, whose reason is wamp.close.system_shutdown.
func TestShutdownProtocol(t *testing.T) {
	checkNoLeakedGoroutines(t)
	const regID = 7
	seen := make(chan wamp.Message, 16)
	up := websocket.Upgrader{Subprotocols: []string{wamp.JSON.Subprotocol()}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		send := func(m wamp.Message) {
			data, err := wamp.JSON.Encode(m)
			if err == nil {
				conn.WriteMessage(websocket.TextMessage, data)
			}
		}
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			msg, err := wamp.JSON.Decode(data)
			if err != nil {
				return
			}
			switch m := msg.(type) {
			case *wamp.Hello:
				send(&wamp.Welcome{Session: 1, Details: wamp.Dict{wamp.KeyRoles: wamp.Dict{wamp.RoleDealer: wamp.Dict{}}}})
				continue
			case *wamp.Register:
				send(&wamp.Registered{Request: m.Request, Registration: regID})
				send(&wamp.Invocation{Request: 1, Registration: regID, Details: wamp.Dict{}})
			case *wamp.Unregister:
				// A call routed before the UNREGISTER was read.
				send(&wamp.Invocation{Request: 2, Registration: regID, Details: wamp.Dict{}})
				send(&wamp.Unregistered{Request: m.Request})
			case *wamp.Goodbye:
				send(&wamp.Goodbye{Details: wamp.Dict{}, Reason: wamp.CloseGoodbyeAndOut})
			}
			seen <- msg
			if msg.Type() == wamp.TypeGoodbye {
				return
			}
		}
	}))
	defer srv.Close()
	sess, err := runtime.Dial(testCtx(t), "ws"+strings.TrimPrefix(srv.URL, "http"), runtime.Config{Realm: "realm1"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	ctx := testCtx(t)
	g := newGate()
	if _, err := sess.Register(ctx, "com.test.p", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		g.started <- struct{}{}
		<-g.release
		return &runtime.Result{Args: wamp.ArgsOf("done")}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if m := recvT(t, seen, "REGISTER"); m.Type() != wamp.TypeRegister {
		t.Fatalf("got %s, want REGISTER", m.Type())
	}
	recvT(t, g.started, "the handler")
	shut := make(chan error, 1)
	go func() { shut <- sess.Shutdown(ctx) }()
	if m := recvT(t, seen, "UNREGISTER"); m.Type() != wamp.TypeUnregister {
		t.Fatalf("got %s, want UNREGISTER", m.Type())
	}
	m := recvT(t, seen, "the answer to the late INVOCATION")
	if e, ok := m.(*wamp.Error); !ok || e.Request != 2 || e.RequestType != wamp.TypeInvocation || e.Error != wamp.ErrUnavailable {
		t.Fatalf("the late INVOCATION was answered with %#v, want ERROR wamp.error.unavailable", m)
	}
	close(g.release)
	if m := recvT(t, seen, "the YIELD"); m.Type() != wamp.TypeYield || m.(*wamp.Yield).Request != 1 {
		t.Fatalf("got %#v, want the YIELD of invocation 1", m)
	}
	m = recvT(t, seen, "GOODBYE")
	if bye, ok := m.(*wamp.Goodbye); !ok || bye.Reason != wamp.CloseSystemShutdown {
		t.Fatalf("got %#v, want GOODBYE wamp.close.system_shutdown", m)
	}
	if err := recvT(t, shut, "Shutdown"); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// TestShutdownDuringRestore: Shutdown that begins while a reconnect is
// restoring the registrations lets the session join without what Shutdown
// dropped and leave with GOODBYE (which undoes what the router made
// meanwhile); Shutdown returns nil. (A restore that met ErrShuttingDown
// used to give the new connection up, and Shutdown then reported a lost
// connection: `calculator serve` exited 1 on SIGTERM right after its
// callee reconnected, TestServeCalleeReconnects. This scripted case takes
// the other order, the drop while the restore's REGISTER is pending.)
func TestShutdownDuringRestore(t *testing.T) {
	checkNoLeakedGoroutines(t)
	var logs syncBuffer
	srv := startRogueRoles(t, "websocket", wamp.JSON, true, nil)
	ctx := testCtx(t)
	sess, err := runtime.Dial(ctx, srv.url, runtime.Config{Realm: "realm1", Logger: logs.logger(),
		Reconnect: &runtime.ReconnectPolicy{InitialDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	rc := srv.accept(t)
	// Two registrations: the restore of the second begins after Shutdown
	// has, which refuses it.
	for i, proc := range []wamp.URI{"com.test.p", "com.test.q"} {
		registered := make(chan error, 1)
		go func() {
			_, err := sess.Register(ctx, proc, func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
				return &runtime.Result{}, nil
			})
			registered <- err
		}()
		m := rogueExpect[*wamp.Register](t, rc)
		rc.send(&wamp.Registered{Request: m.Request, Registration: wamp.ID(7 + i)})
		if err := recvT(t, registered, "Register"); err != nil {
			t.Fatal(err)
		}
	}

	rc.close() // the connection breaks; the session reconnects
	rc2 := srv.accept(t)
	restore := rogueExpect[*wamp.Register](t, rc2)
	shut := make(chan error, 1)
	go func() { shut <- sess.Shutdown(ctx) }()
	// Shutdown has dropped the registration being restored once it logs
	// that it is draining.
	deadline := time.Now().Add(10 * time.Second)
	for logs.lines("draining") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Shutdown did not begin draining")
		}
		time.Sleep(5 * time.Millisecond)
	}
	rc2.send(&wamp.Registered{Request: restore.Request, Registration: 8})
	// The registration the router made may be undone with UNREGISTER;
	// GOODBYE undoes it anyway.
	m2 := rc2.next(t, "UNREGISTER or GOODBYE")
	if un, ok := m2.(*wamp.Unregister); ok {
		if un.Registration != 8 {
			t.Fatalf("UNREGISTER of registration %d, want 8 (the one restored as Shutdown began)", un.Registration)
		}
		rc2.send(&wamp.Unregistered{Request: un.Request})
		m2 = rc2.next(t, "GOODBYE")
	}
	if bye, ok := m2.(*wamp.Goodbye); !ok || bye.Reason != wamp.CloseSystemShutdown {
		t.Fatalf("got %#v, want GOODBYE %s", m2, wamp.CloseSystemShutdown)
	}
	if err := recvT(t, shut, "Shutdown"); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}
