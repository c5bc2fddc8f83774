package runtime_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// These tests check feature negotiation: the runtime uses an advanced
// feature only if the router announced it in WELCOME, keeps an option's
// promise locally where it can, and refuses before sending where it
// cannot (see features.go).

// dialFeatureRogue joins a rogue router (WebSocket, JSON) whose WELCOME
// announces roles (nil: no advanced feature).
func dialFeatureRogue(t *testing.T, roles wamp.Dict) (*runtime.Session, *rogueConn) {
	t.Helper()
	checkNoLeakedGoroutines(t)
	srv := startRogueRoles(t, "websocket", wamp.JSON, true, roles)
	ctx, cancel := context.WithTimeout(context.Background(), rogueWait)
	defer cancel()
	sess, err := runtime.Dial(ctx, srv.url, runtime.Config{Realm: "realm1", ResponseTimeout: rogueWait})
	if err != nil {
		t.Fatal(err)
	}
	rc := srv.accept(t)
	t.Cleanup(func() { sess.Close() })
	return sess, rc
}

// expectNothingSent checks that the client sent nothing since the last
// message the test read: a marker PUBLISH is the next message.
func expectNothingSent(t *testing.T, sess *runtime.Session, rc *rogueConn) {
	t.Helper()
	const marker = "com.test.marker"
	if _, err := sess.Publish(context.Background(), marker, wamp.Payload{}, wamp.Payload{}); err != nil {
		t.Fatalf("publishing the marker: %v", err)
	}
	m := rc.next(t, "the marker PUBLISH")
	if p, ok := m.(*wamp.Publish); !ok || p.Topic != marker {
		t.Fatalf("the client sent %s %+v before the marker", m.Type(), m)
	}
}

// expectFeatureError checks that err refuses for lack of feature.
func expectFeatureError(t *testing.T, what string, err error, feature string) {
	t.Helper()
	if !errors.Is(err, runtime.ErrFeatureNotSupported) || !strings.Contains(errorText(err), feature) {
		t.Fatalf("%s: %v; want wamp.error.feature_not_supported naming %s", what, err, feature)
	}
}

type callOutcome struct {
	res *runtime.Result
	err error
}

// startCall calls procedure on a goroutine of its own and returns the
// CALL the router receives.
func startCall(t *testing.T, ctx context.Context, sess *runtime.Session, rc *rogueConn, opts ...runtime.CallOption) (*wamp.Call, <-chan callOutcome) {
	t.Helper()
	done := make(chan callOutcome, 1)
	go func() {
		res, err := sess.Call(ctx, "com.test.proc", wamp.Payload{}, wamp.Payload{}, opts...)
		done <- callOutcome{res, err}
	}()
	return rogueExpect[*wamp.Call](t, rc), done
}

// callSucceeds makes one call that the rogue answers, after whatever
// the test sent before: the session still works.
func callSucceeds(t *testing.T, sess *runtime.Session, rc *rogueConn) {
	t.Helper()
	call, done := startCall(t, context.Background(), sess, rc)
	rc.send(&wamp.Result{Request: call.Request, Details: wamp.Dict{}, Args: wamp.ArgsOf("ok")})
	o := recvT(t, done, "the call")
	if o.err != nil {
		t.Fatalf("the call after: %v", o.err)
	}
	if got := argString(t, o.res.Args, 0); got != "ok" {
		t.Fatalf("the call after returned %q", got)
	}
	if err := sess.Err(); err != nil {
		t.Fatalf("the session ended: %v", err)
	}
}

// hasKeys reports which of keys d has.
func hasKeys(d wamp.Dict, keys ...string) []string {
	var got []string
	for _, k := range keys {
		if _, ok := d[k]; ok {
			got = append(got, k)
		}
	}
	return got
}

// TestRouterWithoutFeaturesCaller: to a dealer that announces no feature,
// no timeout, receive_progress, disclose_me or CANCEL goes out; a
// cancelled or timed-out call still returns at once with the usual error,
// and the late answer is ignored.
func TestRouterWithoutFeaturesCaller(t *testing.T) {
	sess, rc := dialFeatureRogue(t, nil)

	t.Run("options left out", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		progressed := make(chan struct{}, 1)
		call, done := startCall(t, ctx, sess, rc,
			runtime.WithProgress(func(*runtime.Result) error { progressed <- struct{}{}; return nil }),
			runtime.WithCallOptions(wamp.Dict{"timeout": 100, "receive_progress": true, "x_custom": 1}))
		if got := hasKeys(call.Options, wamp.OptTimeout, wamp.OptReceiveProgress); len(got) > 0 {
			t.Errorf("CALL.Options has %v: %v", got, call.Options)
		}
		if _, ok := call.Options["x_custom"]; !ok {
			t.Errorf("CALL.Options lost the custom option: %v", call.Options)
		}
		// A progressive RESULT the call did not ask for is ignored.
		rc.send(&wamp.Result{Request: call.Request, Details: wamp.Dict{wamp.OptProgress: true}, Args: wamp.ArgsOf("p")})
		rc.send(&wamp.Result{Request: call.Request, Details: wamp.Dict{}, Args: wamp.ArgsOf("final")})
		if o := recvT(t, done, "the call"); o.err != nil || argString(t, o.res.Args, 0) != "final" {
			t.Fatalf("call = %v, %v", o.res, o.err)
		}
		select {
		case <-progressed:
			t.Error("the progress callback was called")
		default:
		}
	})

	t.Run("cancel", func(t *testing.T) {
		for _, mode := range []runtime.CancelMode{runtime.CancelKill, runtime.CancelKillNoWait, runtime.CancelSkip} {
			ctx, cancel := context.WithCancel(context.Background())
			call, done := startCall(t, ctx, sess, rc, runtime.WithCancelMode(mode))
			cancel()
			select {
			case o := <-done:
				if !errors.Is(o.err, runtime.ErrCanceled) || !errors.Is(o.err, context.Canceled) {
					t.Fatalf("%s: cancelled call = %v", mode, o.err)
				}
			case <-time.After(10 * time.Second): // generous: a loaded machine
				t.Fatalf("%s: the cancelled call did not return at once", mode)
			}
			expectNothingSent(t, sess, rc) // no CANCEL
			rc.send(&wamp.Result{Request: call.Request, Details: wamp.Dict{}, Args: wamp.ArgsOf("late")})
			callSucceeds(t, sess, rc)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		call, done := startCall(t, ctx, sess, rc)
		if got := hasKeys(call.Options, wamp.OptTimeout); len(got) > 0 {
			t.Errorf("CALL.Options has %v: %v", got, call.Options)
		}
		select {
		case o := <-done:
			var rerr *runtime.Error
			if !errors.As(o.err, &rerr) || rerr.URI != wamp.ErrTimeout || !errors.Is(o.err, context.DeadlineExceeded) {
				t.Fatalf("timed-out call = %v", o.err)
			}
		case <-time.After(10 * time.Second): // generous: a loaded machine
			t.Fatal("the timed-out call did not return at its deadline")
		}
		expectNothingSent(t, sess, rc) // no CANCEL
		rc.send(&wamp.Error{RequestType: wamp.TypeCall, Request: call.Request, Details: wamp.Dict{}, Error: wamp.ErrRuntime})
		callSucceeds(t, sess, rc)
	})

	t.Run("progress callback error", func(t *testing.T) {
		// Without progressive results, nothing calls the callback: the
		// call ends with its final result.
		call, done := startCall(t, context.Background(), sess, rc,
			runtime.WithProgress(func(*runtime.Result) error { return errors.New("stop") }))
		rc.send(&wamp.Result{Request: call.Request, Details: wamp.Dict{}, Args: wamp.ArgsOf("final")})
		if o := recvT(t, done, "the call"); o.err != nil {
			t.Fatalf("call = %v", o.err)
		}
	})

	t.Run("disclose_me refused", func(t *testing.T) {
		_, err := sess.Call(context.Background(), "com.test.proc", wamp.Payload{}, wamp.Payload{}, runtime.WithDiscloseMe())
		expectFeatureError(t, "WithDiscloseMe", err, wamp.FeatureCallerIdentification)
		_, err = sess.Call(context.Background(), "com.test.proc", wamp.Payload{}, wamp.Payload{}, runtime.WithCallOptions(wamp.Dict{"disclose_me": true}))
		expectFeatureError(t, "raw disclose_me", err, wamp.FeatureCallerIdentification)
		expectNothingSent(t, sess, rc)
	})
}

// TestRouterWithoutFeaturesCallee: REGISTER options a dealer without the
// feature cannot honour are refused before sending, forward_timeout is left
// out, and an INVOCATION's details that need a feature are not read.
func TestRouterWithoutFeaturesCallee(t *testing.T) {
	sess, rc := dialFeatureRogue(t, nil)
	bg := context.Background()
	nop := func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return nil, nil }

	for _, c := range []struct {
		name    string
		opt     runtime.RegisterOption
		feature string
	}{
		{"prefix", runtime.WithMatch(wamp.MatchPrefix), wamp.FeaturePatternBasedRegistration},
		{"wildcard", runtime.WithMatch(wamp.MatchWildcard), wamp.FeaturePatternBasedRegistration},
		{"raw match", runtime.WithRegisterOptions(wamp.Dict{"match": "prefix"}), wamp.FeaturePatternBasedRegistration},
		{"roundrobin", runtime.WithInvoke(wamp.InvokeRoundRobin), wamp.FeatureSharedRegistration},
		{"raw invoke", runtime.WithRegisterOptions(wamp.Dict{"invoke": "last"}), wamp.FeatureSharedRegistration},
		{"disclose_caller", runtime.WithDiscloseCaller(), wamp.FeatureCallerIdentification},
	} {
		_, err := sess.Register(bg, "com.test", nop, c.opt)
		expectFeatureError(t, c.name, err, c.feature)
	}
	expectNothingSent(t, sess, rc)

	// forward_timeout is left out: the dealer times no call out.
	type seen struct {
		procedure     wamp.URI
		caller        wamp.ID
		authID        string
		progress      bool
		progressErr   error
		timeout       time.Duration
		ctxErrAtFinal error
	}
	got := make(chan seen, 1)
	registered := make(chan error, 1)
	go func() {
		_, err := sess.Register(bg, "com.test.exact", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			s := seen{procedure: inv.Procedure, caller: inv.Caller, authID: inv.CallerAuthID,
				progress: inv.ProgressRequested(), timeout: inv.Timeout}
			s.progressErr = inv.SendProgress(wamp.ArgsOf("p"), wamp.Payload{})
			time.Sleep(50 * time.Millisecond) // past the 1ms timeout it was given
			s.ctxErrAtFinal = ctx.Err()
			got <- s
			return &runtime.Result{Args: wamp.ArgsOf("done")}, nil
		}, runtime.WithForwardTimeout(), runtime.WithInvoke(wamp.InvokeSingle))
		registered <- err
	}()
	reg := rogueExpect[*wamp.Register](t, rc)
	if keys := hasKeys(reg.Options, wamp.OptForwardTimeout, wamp.OptInvoke, wamp.OptMatch); len(keys) > 0 {
		t.Errorf("REGISTER.Options has %v: %v", keys, reg.Options)
	}
	rc.send(&wamp.Registered{Request: reg.Request, Registration: 300})
	if err := recvT(t, registered, "Register"); err != nil {
		t.Fatal(err)
	}

	rc.send(&wamp.Invocation{Request: 1, Registration: 300, Args: wamp.ArgsOf(1), Details: wamp.Dict{
		wamp.OptProcedure: "com.test.other", wamp.OptCaller: 7, wamp.OptCallerAuthID: "mallory",
		wamp.OptReceiveProgress: true, wamp.OptTimeout: 1,
	}})
	s := recvT(t, got, "the handler")
	if s.procedure != "com.test.exact" || s.caller != 0 || s.authID != "" || s.progress || s.timeout != 0 || s.ctxErrAtFinal != nil {
		t.Errorf("the handler saw %+v; want the registered procedure, no caller, no progress, no timeout", s)
	}
	if !errors.Is(s.progressErr, runtime.ErrProgressNotRequested) {
		t.Errorf("SendProgress = %v, want ErrProgressNotRequested", s.progressErr)
	}
	y := rogueExpect[*wamp.Yield](t, rc)
	if y.Request != 1 || isTrue(y.Options, wamp.OptProgress) {
		t.Fatalf("answered %+v, want the final YIELD for 1", y)
	}
}

func isTrue(d wamp.Dict, key string) bool {
	b, _ := wamp.DictBool(d, key)
	return b
}

// TestRouterWithoutFeaturesPubSub: to a broker that announces no feature,
// pattern subscriptions, black- and whitelists, exclude_me=false and
// disclose_me are refused before sending; exclude_me=true is left out; an
// EVENT's topic and publisher details are not read.
func TestRouterWithoutFeaturesPubSub(t *testing.T) {
	sess, rc := dialFeatureRogue(t, nil)
	bg := context.Background()
	for _, c := range []struct {
		name string
		opt  runtime.SubscribeOption
	}{
		{"prefix", runtime.WithTopicMatch(wamp.MatchPrefix)},
		{"wildcard", runtime.WithTopicMatch(wamp.MatchWildcard)},
		{"raw", runtime.WithSubscribeOptions(wamp.Dict{"match": "prefix"})},
	} {
		_, err := sess.Subscribe(bg, "com.test", func(context.Context, *runtime.Event) error { return nil }, c.opt)
		expectFeatureError(t, c.name, err, wamp.FeaturePatternBasedSubscription)
	}
	for _, c := range []struct {
		name    string
		opt     runtime.PublishOption
		feature string
	}{
		{"exclude", runtime.WithExclude(5), wamp.FeatureSubscriberBlackWhiteListing},
		{"exclude_authid", runtime.WithExcludeAuthID("a"), wamp.FeatureSubscriberBlackWhiteListing},
		{"exclude_authrole", runtime.WithExcludeAuthRole("r"), wamp.FeatureSubscriberBlackWhiteListing},
		{"eligible", runtime.WithEligible(5), wamp.FeatureSubscriberBlackWhiteListing},
		{"eligible_authid", runtime.WithEligibleAuthID("a"), wamp.FeatureSubscriberBlackWhiteListing},
		{"eligible_authrole", runtime.WithEligibleAuthRole("r"), wamp.FeatureSubscriberBlackWhiteListing},
		{"exclude_me=false", runtime.WithExcludeMe(false), wamp.FeaturePublisherExclusion},
		{"disclose_me", runtime.WithPublisherDisclosed(), wamp.FeaturePublisherIdentification},
	} {
		for _, ack := range []bool{false, true} {
			opts := []runtime.PublishOption{c.opt}
			if ack {
				opts = append(opts, runtime.WithAcknowledge())
			}
			_, err := sess.Publish(bg, "com.test.topic", wamp.Payload{}, wamp.Payload{}, opts...)
			expectFeatureError(t, c.name, err, c.feature)
		}
	}
	expectNothingSent(t, sess, rc)

	if _, err := sess.Publish(bg, "com.test.topic", wamp.Payload{}, wamp.Payload{}, runtime.WithExcludeMe(true)); err != nil {
		t.Fatal(err)
	}
	if p := rogueExpect[*wamp.Publish](t, rc); len(hasKeys(p.Options, wamp.OptExcludeMe)) > 0 {
		t.Errorf("PUBLISH.Options = %v, want no exclude_me", p.Options)
	}

	events := newEventLog()
	subscribed := make(chan error, 1)
	go func() {
		_, err := sess.Subscribe(bg, "com.test.topic", events.handler)
		subscribed <- err
	}()
	sub := rogueExpect[*wamp.Subscribe](t, rc)
	rc.send(&wamp.Subscribed{Request: sub.Request, Subscription: 400})
	if err := recvT(t, subscribed, "Subscribe"); err != nil {
		t.Fatal(err)
	}
	rc.send(&wamp.Event{Subscription: 400, Publication: 1, Details: wamp.Dict{
		wamp.OptTopic: "com.test.other", wamp.OptPublisher: 7, wamp.OptPublisherAuthID: "mallory",
	}})
	ev := events.next(t)
	if ev.Topic != "com.test.topic" || ev.Publisher != 0 || ev.PublisherAuthID != "" {
		t.Errorf("event topic %s, publisher %d %q; want the subscribed topic and no publisher", ev.Topic, ev.Publisher, ev.PublisherAuthID)
	}
}

// TestRouterWithFeatures: a router that announces the features gets every
// option, and CANCEL, on the wire, and its INVOCATION and EVENT details
// are read.
func TestRouterWithFeatures(t *testing.T) {
	sess, rc := dialFeatureRogue(t, rogueAdvancedRoles())
	bg := context.Background()

	ctx, cancel := context.WithTimeout(bg, time.Minute)
	call, done := startCall(t, ctx, sess, rc, runtime.WithDiscloseMe(),
		runtime.WithProgress(func(*runtime.Result) error { return nil }))
	if keys := hasKeys(call.Options, wamp.OptTimeout, wamp.OptReceiveProgress, wamp.OptDiscloseMe); len(keys) != 3 {
		t.Errorf("CALL.Options = %v, want timeout, receive_progress and disclose_me", call.Options)
	}
	cancel()
	if o := recvT(t, done, "the cancelled call"); !errors.Is(o.err, runtime.ErrCanceled) {
		t.Fatalf("cancelled call = %v", o.err)
	}
	if c := rogueExpect[*wamp.Cancel](t, rc); c.Request != call.Request || c.Options[wamp.OptMode] != wamp.CancelKill {
		t.Fatalf("CANCEL %+v, want kill for %d", c, call.Request)
	}

	registered := make(chan error, 1)
	got := make(chan *runtime.Invocation, 1)
	go func() {
		_, err := sess.Register(bg, "com.test", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			got <- inv
			return nil, nil
		}, runtime.WithMatch(wamp.MatchPrefix), runtime.WithInvoke(wamp.InvokeRoundRobin), runtime.WithDiscloseCaller(), runtime.WithForwardTimeout())
		registered <- err
	}()
	reg := rogueExpect[*wamp.Register](t, rc)
	if keys := hasKeys(reg.Options, wamp.OptMatch, wamp.OptInvoke, wamp.OptDiscloseCaller, wamp.OptForwardTimeout); len(keys) != 4 {
		t.Errorf("REGISTER.Options = %v, want match, invoke, disclose_caller, forward_timeout", reg.Options)
	}
	rc.send(&wamp.Registered{Request: reg.Request, Registration: 300})
	if err := recvT(t, registered, "Register"); err != nil {
		t.Fatal(err)
	}
	rc.send(&wamp.Invocation{Request: 1, Registration: 300, Details: wamp.Dict{
		wamp.OptProcedure: "com.test.concrete", wamp.OptCaller: 7, wamp.OptCallerAuthID: "alice",
		wamp.OptReceiveProgress: true, wamp.OptTimeout: 60000,
	}})
	inv := recvT(t, got, "the handler")
	if inv.Procedure != "com.test.concrete" || inv.Caller != 7 || inv.CallerAuthID != "alice" || !inv.ProgressRequested() || inv.Timeout != time.Minute {
		t.Errorf("the handler saw procedure %s, caller %d %q, progress %v, timeout %v", inv.Procedure, inv.Caller, inv.CallerAuthID, inv.ProgressRequested(), inv.Timeout)
	}
	rogueExpect[*wamp.Yield](t, rc)

	subscribed := make(chan error, 1)
	events := newEventLog()
	go func() {
		_, err := sess.Subscribe(bg, "com.test", events.handler, runtime.WithTopicMatch(wamp.MatchPrefix))
		subscribed <- err
	}()
	sub := rogueExpect[*wamp.Subscribe](t, rc)
	if sub.Options[wamp.OptMatch] != wamp.MatchPrefix {
		t.Errorf("SUBSCRIBE.Options = %v", sub.Options)
	}
	rc.send(&wamp.Subscribed{Request: sub.Request, Subscription: 400})
	if err := recvT(t, subscribed, "Subscribe"); err != nil {
		t.Fatal(err)
	}
	rc.send(&wamp.Event{Subscription: 400, Publication: 1, Details: wamp.Dict{wamp.OptTopic: "com.test.concrete", wamp.OptPublisher: 7}})
	if ev := events.next(t); ev.Topic != "com.test.concrete" || ev.Publisher != 7 {
		t.Errorf("event topic %s, publisher %d", ev.Topic, ev.Publisher)
	}

	if _, err := sess.Publish(bg, "com.test.topic", wamp.Payload{}, wamp.Payload{}, runtime.WithExcludeMe(false),
		runtime.WithExclude(5), runtime.WithEligibleAuthRole("r"), runtime.WithPublisherDisclosed()); err != nil {
		t.Fatal(err)
	}
	p := rogueExpect[*wamp.Publish](t, rc)
	if keys := hasKeys(p.Options, wamp.OptExcludeMe, wamp.OptExclude, wamp.OptEligibleAuthRole, wamp.OptDiscloseMe); len(keys) != 4 {
		t.Errorf("PUBLISH.Options = %v", p.Options)
	}
}

// TestEmbeddedRouterFeatures: the embedded router announces the features,
// and the runtime uses them end to end: the callee is interrupted by the
// caller's CANCEL, sees the forwarded timeout, the disclosed caller, the
// concrete procedure of a pattern registration, and sends progress.
func TestEmbeddedRouterFeatures(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	type seen struct {
		procedure wamp.URI
		caller    wamp.ID
		timeout   time.Duration
		progress  bool
		cause     error
	}
	got := make(chan seen, 1)
	blocking := make(chan struct{}, 1)
	rpcRegister(t, callee, "com.test.feat", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		s := seen{procedure: inv.Procedure, caller: inv.Caller, timeout: inv.Timeout, progress: inv.ProgressRequested()}
		if s.progress {
			if err := inv.SendProgress(wamp.ArgsOf("p"), wamp.Payload{}); err != nil {
				return nil, err
			}
		}
		if vals, _ := inv.Args.List(); len(vals) == 1 {
			blocking <- struct{}{}
			<-ctx.Done() // "block": until the caller cancels
			s.cause = context.Cause(ctx)
		}
		got <- s
		return nil, nil
	}, runtime.WithMatch(wamp.MatchPrefix), runtime.WithForwardTimeout())

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	progressed := 0
	if _, err := caller.Call(ctx, "com.test.feat.add", wamp.Payload{}, wamp.Payload{}, runtime.WithDiscloseMe(),
		runtime.WithProgress(func(*runtime.Result) error { progressed++; return nil })); err != nil {
		t.Fatal(err)
	}
	s := recvT(t, got, "the handler")
	if s.procedure != "com.test.feat.add" || s.caller != caller.ID() || s.timeout <= 0 || !s.progress || progressed != 1 {
		t.Errorf("the handler saw %+v (caller %d), the caller %d progressive results", s, caller.ID(), progressed)
	}

	cctx, ccancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := caller.Call(cctx, "com.test.feat.block", wamp.ArgsOf("block"), wamp.Payload{})
		done <- err
	}()
	recvT(t, blocking, "the invocation")
	ccancel()
	if err := recvT(t, done, "the cancelled call"); !errors.Is(err, runtime.ErrCanceled) {
		t.Fatalf("cancelled call = %v", err)
	}
	if s := recvT(t, got, "the interrupted handler"); !errors.Is(s.cause, runtime.ErrCanceled) {
		t.Errorf("the handler's context ended with %v, want the caller's CANCEL (ErrCanceled)", s.cause)
	}
}

// TestStreamWithoutProgressiveResults: through a dealer without
// progressive_call_results, Stream asks for none, and yields each value of
// the final result, which is how ServeStream answers such a caller.
func TestStreamWithoutProgressiveResults(t *testing.T) {
	sess, rc := dialFeatureRogue(t, nil)
	got := make(chan []string, 1)
	go func() {
		var items []string
		for v, err := range runtime.Stream[string](context.Background(), sess, "com.test.lines", wamp.Payload{}, wamp.Payload{}) {
			if err != nil {
				items = append(items, "error: "+err.Error())
				break
			}
			items = append(items, v)
		}
		got <- items
	}()
	call := rogueExpect[*wamp.Call](t, rc)
	if keys := hasKeys(call.Options, wamp.OptReceiveProgress); len(keys) > 0 {
		t.Errorf("CALL.Options = %v, want no receive_progress", call.Options)
	}
	rc.send(&wamp.Result{Request: call.Request, Details: wamp.Dict{}, Args: wamp.ArgsOf("a", "b", "c")})
	if items := recvT(t, got, "the stream"); strings.Join(items, ",") != "a,b,c" {
		t.Fatalf("Stream yielded %q, want a, b, c", items)
	}
}

// TestReconnectChecksFeaturesAgain: the features are the current router's.
// A pattern registration made through a router that announced
// pattern_based_registration is not restored through one that does not:
// the restore fails before sending, like a refused one, and is retried.
func TestReconnectChecksFeaturesAgain(t *testing.T) {
	checkNoLeakedGoroutines(t)
	withFeatures := startRogueRoles(t, "websocket", wamp.JSON, true, rogueAdvancedRoles())
	without := startRogueRoles(t, "websocket", wamp.JSON, true, nil)
	hostOf := func(url string) string { return strings.TrimPrefix(url, "ws://") }
	var dials atomic.Int32
	changes := make(chan runtime.StateChange, 64)
	cfg := runtime.Config{Realm: "realm1", ResponseTimeout: rogueWait,
		Reconnect: &runtime.ReconnectPolicy{InitialDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
		OnStateChange: func(c runtime.StateChange) {
			select {
			case changes <- c:
			default:
			}
		},
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			addr := hostOf(without.url)
			if dials.Add(1) == 1 {
				addr = hostOf(withFeatures.url)
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), rogueWait)
	defer cancel()
	sess, err := runtime.Dial(ctx, withFeatures.url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	rc := withFeatures.accept(t)
	registered := make(chan error, 1)
	go func() {
		_, err := sess.Register(ctx, "com.test", func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return nil, nil },
			runtime.WithMatch(wamp.MatchPrefix))
		registered <- err
	}()
	reg := rogueExpect[*wamp.Register](t, rc)
	rc.send(&wamp.Registered{Request: reg.Request, Registration: 300})
	if err := recvT(t, registered, "Register"); err != nil {
		t.Fatal(err)
	}

	rc.close()
	for {
		c := recvT(t, changes, "a state change")
		if c.State == runtime.StateReconnecting && c.Attempt > 0 {
			expectFeatureError(t, "the restore", c.Err, wamp.FeaturePatternBasedRegistration)
			break
		}
		if c.State == runtime.StateJoined && c.Attempt == 0 && dials.Load() > 1 {
			t.Fatal("the session restored a prefix registration through a router without pattern_based_registration")
		}
	}
	// The connections to the router without the feature got no REGISTER.
	sess.Close()
	for n := len(without.conns); n > 0; n-- {
		rc2 := <-without.conns
		select {
		case <-rc2.closed:
		case <-time.After(rogueWait):
			t.Fatal("a connection stayed open after Close")
		}
		for len(rc2.msgs) > 0 {
			if m := <-rc2.msgs; m.Type() == wamp.TypeRegister {
				t.Fatalf("the client sent %+v to the router without the feature", m)
			}
		}
	}
}

// TestOversizedProgressiveResultCancels: a progressive RESULT over
// MaxMessageSize fails the call, and the session cancels it at the router
// (mode kill), so the callee stops streaming to a call that is over for the
// caller. Without call_canceling announced, nothing is sent (see
// TestHostileRouter's oversized cases).
func TestOversizedProgressiveResultCancels(t *testing.T) {
	sess, rc := dialFeatureRogue(t, rogueAdvancedRoles())
	call, done := startCall(t, context.Background(), sess, rc,
		runtime.WithProgress(func(*runtime.Result) error { return nil }))
	// 16 MiB + 1: over the session's default MaxMessageSize.
	rc.send(&wamp.Result{Request: call.Request, Details: wamp.Dict{wamp.OptProgress: true},
		Args: wamp.ArgsOf(strings.Repeat("x", 16<<20+1))})
	if o := recvT(t, done, "the call"); !errors.Is(o.err, runtime.ErrPayloadSizeExceeded) {
		t.Fatalf("call = %v, want payload_size_exceeded", o.err)
	}
	if c := rogueExpect[*wamp.Cancel](t, rc); c.Request != call.Request || c.Options[wamp.OptMode] != wamp.CancelKill {
		t.Fatalf("CANCEL %+v, want kill for %d", c, call.Request)
	}
}

// TestHelloAnnouncesCallReroute: HELLO announces call_reroute among the
// callee's features, as a boolean true (advanced/ap_rpc_call_rerouting.md,
// "Feature Announcement"), next to the callee features the session
// implements; the session answers what it will not serve with
// wamp.error.unavailable (TestShutdownProtocol checks the ERROR).
func TestHelloAnnouncesCallReroute(t *testing.T) {
	srv := startRogue(t, "websocket", wamp.JSON, false)
	dialed := make(chan error, 1)
	go func() {
		s, err := runtime.Dial(context.Background(), srv.url, runtime.Config{Realm: "realm1", ResponseTimeout: rogueWait})
		if err == nil {
			err = s.Close()
		}
		dialed <- err
	}()
	rc := srv.accept(t)
	hello := rogueExpect[*wamp.Hello](t, rc)
	roles, _ := hello.Details[wamp.KeyRoles].(wamp.Dict)
	callee, _ := roles[wamp.RoleCallee].(wamp.Dict)
	feats, _ := callee[wamp.KeyFeatures].(wamp.Dict)
	for _, f := range []string{"call_reroute", wamp.FeatureCallCanceling, wamp.FeatureSharedRegistration} {
		if feats[f] != true {
			t.Errorf("HELLO.Details.roles.callee.features[%q] = %#v, want true (features: %v)", f, feats[f], feats)
		}
	}
	for _, role := range []string{wamp.RoleCaller, wamp.RolePublisher, wamp.RoleSubscriber} {
		r, _ := roles[role].(wamp.Dict)
		fs, _ := r[wamp.KeyFeatures].(wamp.Dict)
		if _, ok := fs["call_reroute"]; ok {
			t.Errorf("call_reroute announced for the %s role too; the spec names callees and dealers only", role)
		}
	}
	rc.send(&wamp.Welcome{Session: rogueSessionID, Details: wamp.Dict{wamp.KeyRoles: rc.roles}})
	if err := recvT(t, dialed, "Dial and Close"); err != nil {
		t.Fatalf("Dial and Close: %v", err)
	}
}
