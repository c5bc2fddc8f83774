package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// tracer records what its interceptors see, in order.
type tracer struct {
	mu  sync.Mutex
	log []string
}

func (tr *tracer) add(s string) {
	tr.mu.Lock()
	tr.log = append(tr.log, s)
	tr.mu.Unlock()
}

// take returns what was recorded and forgets it.
func (tr *tracer) take() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := tr.log
	tr.log = nil
	return out
}

// interceptor returns an interceptor named name that records, for each
// kind, name>kind before next and name<kind after it.
func (tr *tracer) interceptor(name string) runtime.Interceptor {
	return runtime.InterceptorFuncs{
		Call: func(next runtime.CallFunc) runtime.CallFunc {
			return func(ctx context.Context, c *runtime.Call) (*runtime.Result, error) {
				tr.add(name + ">call")
				defer tr.add(name + "<call")
				return next(ctx, c)
			}
		},
		CallInput: func(next runtime.CallInputFunc) runtime.CallInputFunc {
			return func(ctx context.Context, c *runtime.Call) (runtime.InputCall, error) {
				tr.add(name + ">input")
				defer tr.add(name + "<input")
				return next(ctx, c)
			}
		},
		Invocation: func(next runtime.Handler) runtime.Handler {
			return func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				tr.add(name + ">invocation")
				defer tr.add(name + "<invocation")
				return next(ctx, inv)
			}
		},
		Publish: func(next runtime.PublishFunc) runtime.PublishFunc {
			return func(ctx context.Context, p *runtime.Publication) (wamp.ID, error) {
				tr.add(name + ">publish")
				defer tr.add(name + "<publish")
				return next(ctx, p)
			}
		},
		Event: func(next runtime.EventHandler) runtime.EventHandler {
			return func(ctx context.Context, ev *runtime.Event) error {
				tr.add(name + ">event")
				defer tr.add(name + "<event")
				return next(ctx, ev)
			}
		},
	}
}

// nested is the log of interceptors names around inner for kind: the
// first outermost.
func nested(kind, inner string, names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, n+">"+kind)
	}
	if inner != "" {
		out = append(out, inner)
	}
	for _, n := range slices.Backward(names) {
		out = append(out, n+"<"+kind)
	}
	return out
}

func wantLog(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: interceptors ran as\n  %v\nwant\n  %v", what, got, want)
	}
}

// TestInterceptorOrder: for all five kinds, the session's interceptors
// run first (outermost), then those of WithInterceptors in the order given
// (several options append); the first acts first.
func TestInterceptorOrder(t *testing.T) {
	r := rpcRouter(t)
	var callerLog, calleeLog tracer
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{calleeLog.interceptor("s1"), calleeLog.interceptor("s2")}})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{callerLog.interceptor("s1"), callerLog.interceptor("s2")}})
	ctx := testCtx(t)
	opts := []runtime.Interceptor{calleeLog.interceptor("o1"), calleeLog.interceptor("o2")}

	rpcRegister(t, callee, "com.test.order", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		calleeLog.add("handler")
		return &runtime.Result{Args: inv.Args}, nil
	}, runtime.WithInterceptors(opts...), runtime.WithInterceptors(calleeLog.interceptor("o3")))
	rpcRegister(t, callee, "com.test.order_input", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		for _, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, runtime.WithStreamedInput())
	calleeLog.take()

	// Call.
	if _, err := caller.Call(ctx, "com.test.order", wamp.ArgsOf(1), wamp.Payload{},
		runtime.WithInterceptors(callerLog.interceptor("c1")), runtime.WithInterceptors(callerLog.interceptor("c2"))); err != nil {
		t.Fatal(err)
	}
	wantLog(t, "call", callerLog.take(), nested("call", "", "s1", "s2", "c1", "c2"))
	wantLog(t, "invocation", calleeLog.take(), nested("invocation", "handler", "s1", "s2", "o1", "o2", "o3"))

	// CallInput.
	ic, err := caller.CallInput(ctx, "com.test.order_input", runtime.WithInterceptors(callerLog.interceptor("c1")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ic.CloseSend(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
		t.Fatal(err)
	}
	wantLog(t, "call input", callerLog.take(), nested("input", "", "s1", "s2", "c1"))
	wantLog(t, "invocation with input", calleeLog.take(), nested("invocation", "", "s1", "s2"))

	// Subscribe and Publish.
	got := make(chan *runtime.Event, 1)
	if _, err := callee.Subscribe(ctx, "com.test.order_topic", func(ctx context.Context, ev *runtime.Event) error {
		calleeLog.add("handler")
		got <- ev
		return nil
	}, runtime.WithInterceptors(opts...)); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.Publish(ctx, "com.test.order_topic", wamp.ArgsOf(1), wamp.Payload{}, runtime.WithAcknowledge(),
		runtime.WithInterceptors(callerLog.interceptor("p1"), callerLog.interceptor("p2"))); err != nil {
		t.Fatal(err)
	}
	wantLog(t, "publish", callerLog.take(), nested("publish", "", "s1", "s2", "p1", "p2"))
	recvT(t, got, "the event")
	// The handler returned; the interceptors' after-parts follow on its
	// goroutine.
	deadline := time.Now().Add(testWait)
	want := nested("event", "handler", "s1", "s2", "o1", "o2")
	var log []string
	for len(log) < len(want) && time.Now().Before(deadline) {
		log = append(log, calleeLog.take()...)
		time.Sleep(time.Millisecond)
	}
	wantLog(t, "event", log, want)
}

// TestInterceptorChangesCall: an interceptor changes the procedure, the
// payloads and the options of a call and of a publication; custom keys
// reach the callee's Invocation.Details and the subscriber's
// Event.Details through the embedded router; the caller's own options map
// is not written.
func TestInterceptorChangesCall(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	change := runtime.InterceptorFuncs{
		Call: func(next runtime.CallFunc) runtime.CallFunc {
			return func(ctx context.Context, c *runtime.Call) (*runtime.Result, error) {
				if c.Options["x_given"] != "by caller" {
					return nil, fmt.Errorf("interceptor saw options %v", c.Options)
				}
				c.Procedure = "com.test.right"
				c.Args = wamp.ArgsOf("changed")
				c.Kwargs = wamp.PayloadOf(map[string]any{"k": "v"})
				c.SetOption("x_trace", "abc")
				return next(ctx, c)
			}
		},
		Publish: func(next runtime.PublishFunc) runtime.PublishFunc {
			return func(ctx context.Context, p *runtime.Publication) (wamp.ID, error) {
				p.Topic = "com.test.right_topic"
				p.Args = wamp.ArgsOf("changed")
				p.SetOption("x_trace", "def")
				return next(ctx, p)
			}
		},
	}
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{change}})
	ctx := testCtx(t)
	rpcRegister(t, callee, "com.test.wrong", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return nil, errors.New("the wrong procedure was called")
	})
	// (The callee has no interceptor: Registered is looked up.)
	invs := make(chan *runtime.Invocation, 1)
	rpcRegister(t, callee, "com.test.right", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		invs <- inv
		return &runtime.Result{Args: wamp.ArgsOf("ok")}, nil
	})
	given := wamp.Dict{"x_given": "by caller"}
	if got := mustResult[string](t)(caller.Call(ctx, "com.test.wrong", wamp.ArgsOf("original"), wamp.Payload{}, runtime.WithCallOptions(given))); got != "ok" {
		t.Fatalf("result %q", got)
	}
	inv := recvT(t, invs, "the invocation")
	if inv.Registered() != "com.test.right" {
		t.Fatalf("Registered() = %q", inv.Registered())
	}
	if s := argString(t, inv.Args, 0); s != "changed" {
		t.Fatalf("callee got argument %q", s)
	}
	var kw map[string]string
	if err := inv.Kwargs.Decode(&kw); err != nil || kw["k"] != "v" {
		t.Fatalf("callee got kwargs %v (%v)", kw, err)
	}
	if inv.Details["x_trace"] != "abc" || inv.Details["x_given"] != "by caller" {
		t.Fatalf("callee's details %v lack the custom options", inv.Details)
	}
	if len(given) != 1 {
		t.Fatalf("the caller's options map was written: %v", given)
	}

	events := newEventLog()
	if _, err := callee.Subscribe(ctx, "com.test.right_topic", events.handler); err != nil {
		t.Fatal(err)
	}
	if _, err := callee.Subscribe(ctx, "com.test.wrong_topic", events.handler); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.Publish(ctx, "com.test.wrong_topic", wamp.ArgsOf("original"), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	ev := events.next(t)
	if ev.Topic != "com.test.right_topic" || argString(t, ev.Args, 0) != "changed" || ev.Details["x_trace"] != "def" {
		t.Fatalf("event %s %v details %v", ev.Topic, ev.Args, ev.Details)
	}
}

// TestInterceptorStops: an interceptor that returns without calling next
// stops the call or publication, nothing sent; so does an invalid key
// given to SetOption.
func TestInterceptorStops(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	var invoked atomic.Int32
	rpcRegister(t, callee, "com.test.count", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf(invoked.Add(1))}, nil
	})
	errRefused := errors.New("refused by the interceptor")
	refuse := runtime.InterceptorFuncs{
		Call: func(runtime.CallFunc) runtime.CallFunc {
			return func(context.Context, *runtime.Call) (*runtime.Result, error) { return nil, errRefused }
		},
		Publish: func(runtime.PublishFunc) runtime.PublishFunc {
			return func(context.Context, *runtime.Publication) (wamp.ID, error) { return 0, errRefused }
		},
	}
	badKey := runtime.InterceptorFuncs{
		Call: func(next runtime.CallFunc) runtime.CallFunc {
			return func(ctx context.Context, c *runtime.Call) (*runtime.Result, error) {
				c.SetOption("timeout", 1)
				return next(ctx, c)
			}
		},
		Publish: func(next runtime.PublishFunc) runtime.PublishFunc {
			return func(ctx context.Context, p *runtime.Publication) (wamp.ID, error) {
				p.SetOption("acknowledge", false)
				return next(ctx, p)
			}
		},
	}
	if _, err := caller.Call(ctx, "com.test.count", wamp.Payload{}, wamp.Payload{}, runtime.WithInterceptors(refuse)); !errors.Is(err, errRefused) {
		t.Fatalf("refused call: %v", err)
	}
	if _, err := caller.Call(ctx, "com.test.count", wamp.Payload{}, wamp.Payload{}, runtime.WithInterceptors(badKey)); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("call with a bad option key: %v", err)
	}
	// The router handles a session's CALLs in order: the first one it
	// got is this one.
	if n := mustResult[int](t)(caller.Call(ctx, "com.test.count", wamp.Payload{}, wamp.Payload{})); n != 1 {
		t.Fatalf("the handler ran %d times: a stopped call was sent", n)
	}

	events := newEventLog()
	if _, err := callee.Subscribe(ctx, "com.test.topic", events.handler); err != nil {
		t.Fatal(err)
	}
	if _, err := caller.Publish(ctx, "com.test.topic", wamp.ArgsOf("stopped"), wamp.Payload{}, runtime.WithInterceptors(refuse)); !errors.Is(err, errRefused) {
		t.Fatalf("refused publication: %v", err)
	}
	if _, err := caller.Publish(ctx, "com.test.topic", wamp.ArgsOf("bad key"), wamp.Payload{}, runtime.WithInterceptors(badKey)); err == nil || !strings.Contains(err.Error(), "acknowledge") {
		t.Fatalf("publication with a bad option key: %v", err)
	}
	if _, err := caller.Publish(ctx, "com.test.topic", wamp.ArgsOf("sent"), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	if got := argString(t, events.next(t).Args, 0); got != "sent" {
		t.Fatalf("first event %q: a stopped publication was sent", got)
	}
}

// outcome is what an interceptor saw of one call or invocation.
type outcome struct {
	uri      wamp.URI // the error URI ("" for a result)
	hasURI   bool
	result   string
	proc     wamp.URI
	register wamp.URI
}

// TestInterceptorSeesOutcome: the interceptors see the result, the error
// URI of a failed call (ErrorURIOf) and of a handler's error
// (Invocation.ErrorURI), a handler's panic as wamp.error.runtime_error
// (and so does the caller), and the registered pattern; an interceptor's
// own panic gives the caller wamp.error.runtime_error and the session
// keeps working.
func TestInterceptorSeesOutcome(t *testing.T) {
	r := rpcRouter(t)
	invOut := make(chan outcome, 16)
	calleeSide := runtime.InterceptorFuncs{
		Invocation: func(next runtime.Handler) runtime.Handler {
			return func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				res, err := next(ctx, inv)
				o := outcome{proc: inv.Procedure, register: inv.Registered(), uri: inv.ErrorURI(err)}
				if res != nil {
					o.result = argString(t, res.Args, 0)
				}
				invOut <- o
				return res, err
			}
		},
	}
	callOut := make(chan outcome, 16)
	callerSide := runtime.InterceptorFuncs{
		Call: func(next runtime.CallFunc) runtime.CallFunc {
			return func(ctx context.Context, c *runtime.Call) (*runtime.Result, error) {
				res, err := next(ctx, c)
				o := outcome{proc: c.Procedure}
				o.uri, o.hasURI = runtime.ErrorURIOf(err)
				if res != nil {
					o.result = argString(t, res.Args, 0)
				}
				callOut <- o
				return res, err
			}
		},
	}
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{calleeSide}})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{callerSide}})
	ctx := testCtx(t)
	rpcRegister(t, callee, "com.test.ops", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		switch inv.Procedure {
		case "com.test.ops.ok":
			return &runtime.Result{Args: wamp.ArgsOf("fine")}, nil
		case "com.test.ops.mapped":
			return nil, runtime.NewError("com.test.error.mapped", "mapped")
		case "com.test.ops.unmapped":
			return nil, errors.New("a secret")
		case "com.test.ops.panic":
			panic("handler panic")
		}
		return nil, fmt.Errorf("unexpected %s", inv.Procedure)
	}, runtime.WithMatch(runtime.MatchPrefix))

	for _, c := range []struct {
		proc    wamp.URI
		uri     wamp.URI
		result  string
		callErr bool
	}{
		{"com.test.ops.ok", "", "fine", false},
		{"com.test.ops.mapped", "com.test.error.mapped", "", true},
		{"com.test.ops.unmapped", wamp.ErrRuntime, "", true},
		{"com.test.ops.panic", wamp.ErrRuntime, "", true},
	} {
		res, err := caller.Call(ctx, c.proc, wamp.Payload{}, wamp.Payload{})
		var we *runtime.Error
		switch {
		case c.callErr && (!errors.As(err, &we) || we.URI != c.uri):
			t.Fatalf("%s: caller got %v, want %s", c.proc, err, c.uri)
		case !c.callErr && (err != nil || argString(t, res.Args, 0) != c.result):
			t.Fatalf("%s: caller got %v %v", c.proc, res, err)
		}
		inv := recvT(t, invOut, "the invocation's outcome")
		if inv.proc != c.proc || inv.register != "com.test.ops" || inv.uri != c.uri || inv.result != c.result {
			t.Fatalf("%s: the callee's interceptor saw %+v", c.proc, inv)
		}
		call := recvT(t, callOut, "the call's outcome")
		if call.proc != c.proc || call.uri != c.uri || call.hasURI != c.callErr || call.result != c.result {
			t.Fatalf("%s: the caller's interceptor saw %+v", c.proc, call)
		}
	}

	// An interceptor's own panic, on either side.
	panics := runtime.InterceptorFuncs{
		Call: func(next runtime.CallFunc) runtime.CallFunc {
			return func(context.Context, *runtime.Call) (*runtime.Result, error) { panic("call interceptor panic") }
		},
		Invocation: func(next runtime.Handler) runtime.Handler {
			return func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
				panic("invocation interceptor panic")
			}
		},
		Publish: func(next runtime.PublishFunc) runtime.PublishFunc {
			return func(context.Context, *runtime.Publication) (wamp.ID, error) { panic("publish interceptor panic") }
		},
	}
	rpcRegister(t, callee, "com.test.panicky", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf("unreached")}, nil
	}, runtime.WithInterceptors(panics))
	_, err := caller.Call(ctx, "com.test.ops.ok", wamp.Payload{}, wamp.Payload{}, runtime.WithInterceptors(panics))
	if uri, _ := runtime.ErrorURIOf(err); uri != wamp.ErrRuntime {
		t.Fatalf("call with a panicking interceptor: %v", err)
	}
	// The panic went through the session's interceptor, outside the
	// panicking one: it recorded nothing.
	_, err = caller.Call(ctx, "com.test.panicky", wamp.Payload{}, wamp.Payload{})
	if uri, _ := runtime.ErrorURIOf(err); uri != wamp.ErrRuntime {
		t.Fatalf("invocation with a panicking interceptor: %v", err)
	}
	recvT(t, callOut, "the call's outcome") // the caller's side is fine
	if _, err := caller.Publish(ctx, "com.test.topic", wamp.Payload{}, wamp.Payload{}, runtime.WithInterceptors(panics)); err == nil {
		t.Fatal("publication with a panicking interceptor succeeded")
	}
	select {
	case o := <-callOut:
		t.Fatalf("unexpected outcome %+v", o)
	case o := <-invOut:
		t.Fatalf("unexpected invocation outcome %+v", o)
	default:
	}
	// Both sessions keep working.
	if got := mustResult[string](t)(caller.Call(ctx, "com.test.ops.ok", wamp.Payload{}, wamp.Payload{})); got != "fine" {
		t.Fatalf("after the panics: %q", got)
	}
	if caller.Err() != nil || callee.Err() != nil {
		t.Fatalf("sessions ended: %v, %v", caller.Err(), callee.Err())
	}
}

// inputSpy wraps an InputCall, recording its chunks and final result.
type inputSpy struct {
	runtime.InputCall
	mu     sync.Mutex
	chunks []string
	final  string
	err    error
}

func (s *inputSpy) Send(ctx context.Context, args, kwargs wamp.Payload) error {
	s.record(args)
	return s.InputCall.Send(ctx, args, kwargs)
}

func (s *inputSpy) CloseSend(ctx context.Context, args, kwargs wamp.Payload) (*runtime.Result, error) {
	s.record(args)
	res, err := s.InputCall.CloseSend(ctx, args, kwargs)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
	if res != nil {
		s.final = payloadText(res.Args)
	}
	return res, err
}

func (s *inputSpy) record(args wamp.Payload) {
	s.mu.Lock()
	s.chunks = append(s.chunks, payloadText(args))
	s.mu.Unlock()
}

// payloadText returns a list payload's values as text.
func payloadText(p wamp.Payload) string {
	var vals []any
	if err := p.Decode(&vals); err != nil {
		return "undecodable: " + err.Error()
	}
	return fmt.Sprint(vals)
}

// spyInputs returns an interceptor that wraps every InputCall in an
// inputSpy, sent on spies.
func spyInputs(spies chan<- *inputSpy) runtime.Interceptor {
	return runtime.InterceptorFuncs{
		CallInput: func(next runtime.CallInputFunc) runtime.CallInputFunc {
			return func(ctx context.Context, c *runtime.Call) (runtime.InputCall, error) {
				ic, err := next(ctx, c)
				if err != nil {
					return nil, err
				}
				spy := &inputSpy{InputCall: ic}
				spies <- spy
				return spy, nil
			}
		},
	}
}

// TestInterceptorWrapsCallInput: an interceptor wraps the InputCall and
// sees the chunks and the final result; the Call it gets says
// StreamedInput.
func TestInterceptorWrapsCallInput(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	spies := make(chan *inputSpy, 4)
	streamed := make(chan bool, 4)
	seeCall := runtime.InterceptorFuncs{
		CallInput: func(next runtime.CallInputFunc) runtime.CallInputFunc {
			return func(ctx context.Context, c *runtime.Call) (runtime.InputCall, error) {
				streamed <- c.StreamedInput && c.Args.IsZero()
				return next(ctx, c)
			}
		},
	}
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{seeCall, spyInputs(spies)}})
	ctx := testCtx(t)
	rpcRegister(t, callee, "com.test.concat", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var all []string
		for ch, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
			vals, _ := ch.Args.List()
			for _, v := range vals {
				var s string
				v.Decode(&s)
				all = append(all, s)
			}
		}
		return &runtime.Result{Args: wamp.ArgsOf(strings.Join(all, "+"))}, nil
	}, runtime.WithStreamedInput())

	ic, err := caller.CallInput(ctx, "com.test.concat")
	if err != nil {
		t.Fatal(err)
	}
	if !recvT(t, streamed, "the Call") {
		t.Fatal("the Call of CallInput does not say StreamedInput, or has arguments")
	}
	spy := recvT(t, spies, "the spy")
	for _, s := range []string{"a", "b"} {
		if err := ic.Send(ctx, wamp.ArgsOf(s), wamp.Payload{}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := ic.CloseSend(ctx, wamp.ArgsOf("c"), wamp.Payload{})
	if err != nil {
		t.Fatal(err)
	}
	if got := argString(t, res.Args, 0); got != "a+b+c" {
		t.Fatalf("result %q", got)
	}
	spy.mu.Lock()
	defer spy.mu.Unlock()
	if !slices.Equal(spy.chunks, []string{"[a]", "[b]", "[c]"}) || spy.final != "[a+b+c]" || spy.err != nil {
		t.Fatalf("the interceptor saw chunks %v, final %s, error %v", spy.chunks, spy.final, spy.err)
	}
}

type ctxKey struct{}

// TestInterceptorEventContext: the context an event interceptor passes on
// reaches the handler, which still finds the event in it; the interceptor
// sees the subscribed pattern and the handler's error.
func TestInterceptorEventContext(t *testing.T) {
	r := rpcRouter(t)
	seen := make(chan string, 4)
	mark := runtime.InterceptorFuncs{
		Event: func(next runtime.EventHandler) runtime.EventHandler {
			return func(ctx context.Context, ev *runtime.Event) error {
				err := next(context.WithValue(ctx, ctxKey{}, "from the interceptor"), ev)
				seen <- fmt.Sprintf("%s %s %v", ev.Subscribed(), ev.Topic, err)
				return err
			}
		},
	}
	sub := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	pub := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	got := make(chan string, 4)
	if _, err := sub.Subscribe(ctx, "com.test.events", func(ctx context.Context, ev *runtime.Event) error {
		v, _ := ctx.Value(ctxKey{}).(string)
		fromCtx, ok := runtime.EventFromContext(ctx)
		got <- fmt.Sprintf("%s %v", v, ok && fromCtx == ev)
		if argString(t, ev.Args, 0) == "fail" {
			return errors.New("handler failed")
		}
		return nil
	}, runtime.WithTopicMatch(runtime.MatchPrefix), runtime.WithInterceptors(mark)); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"ok", "fail"} {
		if _, err := pub.Publish(ctx, "com.test.events.one", wamp.ArgsOf(arg), wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"from the interceptor true", "from the interceptor true"} {
		if g := recvT(t, got, "the handler"); g != want {
			t.Fatalf("handler saw %q, want %q", g, want)
		}
	}
	for _, want := range []string{"com.test.events com.test.events.one <nil>", "com.test.events com.test.events.one handler failed"} {
		if g := recvT(t, seen, "the interceptor"); g != want {
			t.Fatalf("interceptor saw %q, want %q", g, want)
		}
	}
}

// TestInterceptorEventPanic: a panicking event handler is counted as
// failed, and the interceptor sees an error.
func TestInterceptorEventPanic(t *testing.T) {
	r := rpcRouter(t)
	seen := make(chan error, 1)
	watch := runtime.InterceptorFuncs{
		Event: func(next runtime.EventHandler) runtime.EventHandler {
			return func(ctx context.Context, ev *runtime.Event) error {
				err := next(ctx, ev)
				seen <- err
				return err
			}
		},
	}
	s := rpcDial(t, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{watch}})
	pub := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	sub, err := s.Subscribe(ctx, "com.test.panics", func(context.Context, *runtime.Event) error { panic("event handler panic") })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Publish(ctx, "com.test.panics", wamp.Payload{}, wamp.Payload{}, runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	if err := recvT(t, seen, "the interceptor"); err == nil || !strings.Contains(err.Error(), "event handler panic") {
		t.Fatalf("interceptor saw %v", err)
	}
	deadline := time.Now().Add(testWait)
	for sub.Stats().Failed != 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if st := sub.Stats(); st.Failed != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestInterceptorGenerated: WithInterceptors given to a generated client
// applies to all its calls (plain, progressive, streamed input), and given
// to a generated registrar, to all its handlers.
func TestInterceptorGenerated(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	var called, invoked sync.Map
	count := func(m *sync.Map, uri wamp.URI) {
		n, _ := m.LoadOrStore(uri, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
	}
	countOf := func(m *sync.Map, uri wamp.URI) int32 {
		n, ok := m.Load(uri)
		if !ok {
			return 0
		}
		return n.(*atomic.Int32).Load()
	}
	callerSide := runtime.InterceptorFuncs{
		Call: func(next runtime.CallFunc) runtime.CallFunc {
			return func(ctx context.Context, c *runtime.Call) (*runtime.Result, error) {
				count(&called, c.Procedure)
				return next(ctx, c)
			}
		},
		CallInput: func(next runtime.CallInputFunc) runtime.CallInputFunc {
			return func(ctx context.Context, c *runtime.Call) (runtime.InputCall, error) {
				count(&called, c.Procedure)
				return next(ctx, c)
			}
		},
	}
	calleeSide := runtime.InterceptorFuncs{
		Invocation: func(next runtime.Handler) runtime.Handler {
			return func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				count(&invoked, inv.Registered())
				return next(ctx, inv)
			}
		},
	}
	regs, err := calc.RegisterCalculator(ctx, callee, &calc.Service{}, runtime.WithInterceptors(calleeSide))
	if err != nil {
		t.Fatal(err)
	}
	defer regs.Unregister(ctx)
	spies := make(chan *inputSpy, 4)
	client := calc.NewCalculatorClient(caller, runtime.WithInterceptors(callerSide, spyInputs(spies)))

	if sum, err := client.Add(ctx, 1, 2); err != nil || sum != 3 {
		t.Fatalf("Add = %v, %v", sum, err)
	}
	var steps []int64
	if fib, err := client.Fibonacci(ctx, 5, func(v int64) error { steps = append(steps, v); return nil }); err != nil || fib != 5 || len(steps) == 0 {
		t.Fatalf("Fibonacci = %v, %v (progress %v)", fib, err, steps)
	}
	if sum, err := client.Sum(ctx, slices.Values([]float64{1, 2, 3})); err != nil || sum != 6 {
		t.Fatalf("Sum = %v, %v", sum, err)
	}
	<-spies
	// A bidirectional call whose InputCall an interceptor wraps.
	seq, err := client.RunningSum(ctx, slices.Values([]float64{1, 2, 3}))
	if err != nil {
		t.Fatal(err)
	}
	var sums []float64
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, v)
	}
	if !slices.Equal(sums, []float64{1, 3, 6}) {
		t.Fatalf("RunningSum = %v", sums)
	}
	spy := recvT(t, spies, "the running sum's spy")
	spy.mu.Lock()
	if len(spy.chunks) != 3 || spy.err != nil {
		t.Fatalf("the interceptor saw chunks %v, error %v", spy.chunks, spy.err)
	}
	spy.mu.Unlock()
	// A generated publisher and subscriber.
	published := make(chan wamp.URI, 1)
	delivered := make(chan wamp.URI, 1)
	pubSide := runtime.InterceptorFuncs{
		Publish: func(next runtime.PublishFunc) runtime.PublishFunc {
			return func(ctx context.Context, p *runtime.Publication) (wamp.ID, error) {
				published <- p.Topic
				return next(ctx, p)
			}
		},
	}
	subSide := runtime.InterceptorFuncs{
		Event: func(next runtime.EventHandler) runtime.EventHandler {
			return func(ctx context.Context, ev *runtime.Event) error {
				delivered <- ev.Subscribed()
				return next(ctx, ev)
			}
		},
	}
	got := make(chan calc.Computation, 1)
	if _, err := calc.SubscribeCalculatorEventsComputed(ctx, callee, func(_ context.Context, c calc.Computation) error {
		got <- c
		return nil
	}, runtime.WithInterceptors(subSide)); err != nil {
		t.Fatal(err)
	}
	events := calc.NewCalculatorEventsPublisher(caller, runtime.WithInterceptors(pubSide), runtime.WithAcknowledge())
	if err := events.Computed(ctx, calc.Computation{Op: "add", Args: []float64{1, 2}, Result: 3}); err != nil {
		t.Fatal(err)
	}
	if topic := recvT(t, published, "the publication"); topic != calc.CalculatorEventsComputedTopic {
		t.Fatalf("publish interceptor saw %s", topic)
	}
	if topic := recvT(t, delivered, "the event"); topic != calc.CalculatorEventsComputedTopic {
		t.Fatalf("event interceptor saw %s", topic)
	}
	if c := recvT(t, got, "the computation"); c.Op != "add" || c.Result != 3 {
		t.Fatalf("subscriber got %+v", c)
	}

	for _, p := range []wamp.URI{calc.CalculatorAddProcedure, calc.CalculatorFibonacciProcedure, calc.CalculatorSumProcedure, calc.CalculatorRunningSumProcedure} {
		if countOf(&called, p) != 1 || countOf(&invoked, p) != 1 {
			t.Errorf("%s: intercepted %d times on the caller's side, %d on the callee's", p, countOf(&called, p), countOf(&invoked, p))
		}
	}
}

// TestInterceptorKeptAcrossReconnect: a handler wrapped at Register is
// restored wrapped after a reconnect.
func TestInterceptorKeptAcrossReconnect(t *testing.T) {
	r := rpcRouter(t)
	var tap connTap
	log := newStateLog()
	var intercepted atomic.Int32
	countInv := runtime.InterceptorFuncs{
		Invocation: func(next runtime.Handler) runtime.Handler {
			return func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				intercepted.Add(1)
				return next(ctx, inv)
			}
		},
	}
	callee := rpcDial(t, r.RawSocketURL(), runtime.Config{Dial: tap.dial, Reconnect: fastRetry, OnStateChange: log.record,
		Interceptors: []runtime.Interceptor{countInv}})
	first := log.waitJoined(t, joinWithin)
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	rpcRegister(t, callee, "com.test.echo", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	}, runtime.WithInterceptors(countInv))
	ctx := testCtx(t)
	if got := mustResult[string](t)(caller.Call(ctx, "com.test.echo", wamp.ArgsOf("before"), wamp.Payload{})); got != "before" {
		t.Fatal(got)
	}
	tap.sever()
	if second := log.waitJoined(t, joinWithin); second == first {
		t.Fatal("the session did not join again")
	}
	// The registration is restored after the join: retry until it is.
	deadline := time.Now().Add(testWait)
	for {
		res, err := caller.Call(ctx, "com.test.echo", wamp.ArgsOf("after"), wamp.Payload{})
		if err == nil {
			if got := argString(t, res.Args, 0); got != "after" {
				t.Fatal(got)
			}
			break
		}
		if !errors.Is(err, runtime.ErrNoSuchProcedure) || time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Two interceptors (the session's and the option's) per invocation.
	if n := intercepted.Load(); n != 4 {
		t.Fatalf("intercepted %d times, want 4", n)
	}
}

// TestInterceptorDrain: Shutdown waits for an invocation's interceptors,
// not only its handler: the caller gets the result the interceptor
// returns after the handler.
func TestInterceptorDrain(t *testing.T) {
	r := rpcRouter(t)
	release := make(chan struct{})
	inAfter := make(chan struct{})
	slowAfter := runtime.InterceptorFuncs{
		Invocation: func(next runtime.Handler) runtime.Handler {
			return func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				_, err := next(ctx, inv)
				close(inAfter)
				<-release
				return &runtime.Result{Args: wamp.ArgsOf("after the drain began")}, err
			}
		},
	}
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{slowAfter}})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	rpcRegister(t, callee, "com.test.slow", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf("handler")}, nil
	})
	ctx := testCtx(t)
	type answer struct {
		res *runtime.Result
		err error
	}
	answers := make(chan answer, 1)
	go func() {
		res, err := caller.Call(ctx, "com.test.slow", wamp.Payload{}, wamp.Payload{})
		answers <- answer{res, err}
	}()
	recvT(t, inAfter, "the interceptor")
	shut := make(chan error, 1)
	go func() { shut <- callee.Shutdown(ctx) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned while an interceptor ran: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	a := recvT(t, answers, "the call")
	if a.err != nil || argString(t, a.res.Args, 0) != "after the drain began" {
		t.Fatalf("caller got %v, %v", a.res, a.err)
	}
	if err := recvT(t, shut, "Shutdown"); err != nil {
		t.Fatal(err)
	}
}

// TestInterceptorWrapFails: an interceptor whose Wrap method returns nil
// or panics makes Dial, Register or Subscribe fail, not panic.
func TestInterceptorWrapFails(t *testing.T) {
	r := rpcRouter(t)
	nilCall := runtime.InterceptorFuncs{Call: func(runtime.CallFunc) runtime.CallFunc { return nil }}
	if _, err := runtime.Dial(testCtx(t), r.WebSocketURL(), runtime.Config{Realm: "realm1", Interceptors: []runtime.Interceptor{nilCall}}); err == nil {
		t.Fatal("Dial accepted an interceptor that returns a nil CallFunc")
	}
	s := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	ctx := testCtx(t)
	panicky := runtime.InterceptorFuncs{
		Invocation: func(runtime.Handler) runtime.Handler { panic("wrap panic") },
		Event:      func(runtime.EventHandler) runtime.EventHandler { panic("wrap panic") },
	}
	if _, err := s.Register(ctx, "com.test.x", func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return nil, nil },
		runtime.WithInterceptors(panicky)); err == nil || !strings.Contains(err.Error(), "wrap panic") {
		t.Fatalf("Register: %v", err)
	}
	if _, err := s.Subscribe(ctx, "com.test.x", newEventLog().handler, runtime.WithInterceptors(panicky)); err == nil || !strings.Contains(err.Error(), "wrap panic") {
		t.Fatalf("Subscribe: %v", err)
	}
	if _, err := s.Call(ctx, "com.test.x", wamp.Payload{}, wamp.Payload{}, runtime.WithInterceptors(nilCall)); err == nil {
		t.Fatal("Call accepted an interceptor that returns a nil CallFunc")
	}
}

// TestInterceptorPanicsInInputCall: a panic of an interceptor's InputCall
// is recovered (Send returns wamp.error.runtime_error); a panic of the
// caller's own progress callback, under interceptors, reaches the caller
// as it is, for a call and for a call with streamed input.
func TestInterceptorPanicsInInputCall(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	passAll := runtime.InterceptorFuncs{
		Call: func(next runtime.CallFunc) runtime.CallFunc {
			return func(ctx context.Context, c *runtime.Call) (*runtime.Result, error) { return next(ctx, c) }
		},
		CallInput: func(next runtime.CallInputFunc) runtime.CallInputFunc {
			return func(ctx context.Context, c *runtime.Call) (runtime.InputCall, error) {
				ic, err := next(ctx, c)
				if err != nil {
					return nil, err
				}
				return &inputSpy{InputCall: ic}, nil
			}
		},
	}
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{passAll}})
	ctx := testCtx(t)
	rpcRegister(t, callee, "com.test.progress", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		if err := inv.SendProgress(wamp.ArgsOf(1), wamp.Payload{}); err != nil {
			return nil, err
		}
		return &runtime.Result{}, nil
	})
	rpcRegister(t, callee, "com.test.echo_input", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		for ch, err := range inv.Input() {
			if err != nil {
				return nil, err
			}
			if err := inv.SendProgress(ch.Args, wamp.Payload{}); err != nil {
				return nil, err
			}
		}
		return &runtime.Result{}, nil
	}, runtime.WithStreamedInput())

	type mine struct{ n int }
	caught := func(f func()) (p any) {
		defer func() { p = recover() }()
		f()
		return nil
	}
	panicking := runtime.WithProgress(func(*runtime.Result) error { panic(mine{1}) })
	if p := caught(func() { caller.Call(ctx, "com.test.progress", wamp.Payload{}, wamp.Payload{}, panicking) }); p != (mine{1}) {
		t.Fatalf("the progress callback's panic under an interceptor: recovered %v", p)
	}
	if p := caught(func() {
		ic, err := caller.CallInput(ctx, "com.test.echo_input", panicking)
		if err != nil {
			t.Error(err)
			return
		}
		for range 3 {
			if err := ic.Send(ctx, wamp.ArgsOf(1), wamp.Payload{}); err != nil {
				t.Errorf("Send: %v", err)
				return
			}
			time.Sleep(10 * time.Millisecond) // a progressive result may arrive before the next Send; if not, CloseSend takes it
		}
		ic.CloseSend(ctx, wamp.Payload{}, wamp.Payload{})
	}); p != (mine{1}) {
		t.Fatalf("the progress callback's panic in a call with streamed input: recovered %v", p)
	}

	// The interceptor's own InputCall panics.
	panicky := runtime.InterceptorFuncs{
		CallInput: func(next runtime.CallInputFunc) runtime.CallInputFunc {
			return func(ctx context.Context, c *runtime.Call) (runtime.InputCall, error) {
				ic, err := next(ctx, c)
				return panickyInput{ic}, err
			}
		},
	}
	ic, err := caller.CallInput(ctx, "com.test.echo_input", runtime.WithInterceptors(panicky))
	if err != nil {
		t.Fatal(err)
	}
	if uri, _ := runtime.ErrorURIOf(ic.Send(ctx, wamp.ArgsOf(1), wamp.Payload{})); uri != wamp.ErrRuntime {
		t.Fatal("Send of a panicking InputCall did not fail with runtime_error")
	}
	if _, err := ic.CloseSend(ctx, wamp.Payload{}, wamp.Payload{}); err == nil {
		t.Fatal("CloseSend of a panicking InputCall succeeded")
	}
	if caller.Err() != nil {
		t.Fatal(caller.Err())
	}
}

// panickyInput is an InputCall whose Send and CloseSend panic.
type panickyInput struct{ runtime.InputCall }

func (panickyInput) Send(context.Context, wamp.Payload, wamp.Payload) error { panic("input panic") }
func (panickyInput) CloseSend(context.Context, wamp.Payload, wamp.Payload) (*runtime.Result, error) {
	panic("input panic")
}

// TestInterceptorPingPong: a bidirectional call whose InputCall an
// interceptor wraps still sends its input from a goroutine of its own
// while the results arrive (an input that waits for the result of item
// k−2 completes); the interceptor sees every chunk and the final result.
// Breaking out of the loop ends the call and the input's goroutine.
func TestInterceptorPingPong(t *testing.T) {
	spies := make(chan *inputSpy, 4)
	// pair returns a caller with the spy, and a callee echoing its input
	// (sending how its input ended on ended, if not nil), through a router
	// of their own.
	pair := func(ended chan<- error) *runtime.Session {
		r := routertest.New(t)
		echoInput(t, dialT(t, r.WebSocketURL(), runtime.Config{}), ended)
		return dialT(t, r.RawSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{spyInputs(spies)}})
	}
	caller := pair(nil)
	ctx := testCtx(t)
	const n = 50
	results := make(chan int, n)
	var got []int
	for v, err := range runtime.CallInputStream[int, int](ctx, caller, "com.test.echo", pingPong(ctx, t, n, results, nil)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		results <- v
	}
	if want := slices.Collect(numbers2(n)); !slices.Equal(got, want) {
		t.Fatalf("results %v, want %v", got, want)
	}
	spy := recvT(t, spies, "the spy")
	spy.mu.Lock()
	if len(spy.chunks) != n || spy.err != nil || spy.final == "" {
		t.Errorf("the interceptor saw %d chunks, final %q, error %v", len(spy.chunks), spy.final, spy.err)
	}
	spy.mu.Unlock()

	ended := make(chan error, 1)
	caller = pair(ended)
	results = make(chan int, 100)
	stop := make(chan struct{})
	count := 0
	for v, err := range runtime.CallInputStream[int, int](ctx, caller, "com.test.echo", pingPong(ctx, t, 100, results, stop)) {
		if err != nil {
			t.Fatal(err)
		}
		results <- v
		if count++; count == 5 {
			close(stop)
			break
		}
	}
	noSender(t)
	if err := recvT(t, ended, "the end of the callee's input"); !errors.Is(err, runtime.ErrCanceled) {
		t.Errorf("the callee's input ended with %v, want ErrCanceled", err)
	}
	spy = recvT(t, spies, "the second spy")
	spy.mu.Lock()
	if spy.err == nil {
		t.Errorf("the interceptor saw the broken call end without error")
	}
	spy.mu.Unlock()
}

// TestInterceptorSendsFirstChunk: an interceptor that sends a chunk of its
// own before it returns the InputCall: a bidirectional call then receives
// its results inside Send, and gets them all.
func TestInterceptorSendsFirstChunk(t *testing.T) {
	header := runtime.InterceptorFuncs{
		CallInput: func(next runtime.CallInputFunc) runtime.CallInputFunc {
			return func(ctx context.Context, c *runtime.Call) (runtime.InputCall, error) {
				ic, err := next(ctx, c)
				if err != nil {
					return nil, err
				}
				if err := ic.Send(ctx, wamp.ArgsOf(100), wamp.Payload{}); err != nil {
					return nil, err
				}
				return &inputSpy{InputCall: ic}, nil
			}
		},
	}
	r := routertest.New(t)
	echoInput(t, dialT(t, r.WebSocketURL(), runtime.Config{}), nil)
	caller := dialT(t, r.RawSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{header}})
	ctx := testCtx(t)
	var got []int
	for v, err := range runtime.CallInputStream[int, int](ctx, caller, "com.test.echo", numbers2(3)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if want := []int{100, 0, 1, 2}; !slices.Equal(got, want) {
		t.Fatalf("results %v, want %v", got, want)
	}
}
