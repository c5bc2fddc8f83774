package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Regression tests for user code and peer values that once crashed the
// program or broke a call.

// nilErrorPointer returns a typed nil *runtime.Error as an error: a non-nil
// error value with no URI in it.
func nilErrorPointer() error {
	var e *runtime.Error
	return e
}

// brokenError is an error whose Unwrap panics.
type brokenError struct{}

func (brokenError) Error() string { return "broken" }
func (brokenError) Unwrap() error { panic("Unwrap is broken") }

// TestHandlerErrorsThatOnceCrashed: what a handler returns is turned into
// an ERROR outside the handler; a typed nil *runtime.Error (ToWire read its
// URI) and an error whose Unwrap panics (errors.As walks the chain) both
// crashed the program. The caller now gets wamp.error.runtime_error, and
// the callee goes on serving.
func TestHandlerErrorsThatOnceCrashed(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	for name, err := range map[string]error{"nil-pointer": nilErrorPointer(), "panicking-unwrap": brokenError{}} {
		t.Run(name, func(t *testing.T) {
			uri := wamp.URI("com.test.crash." + name)
			rpcRegister(t, callee, uri, func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return nil, err })
			_, got := caller.Call(testCtx(t), uri, wamp.Payload{}, wamp.Payload{})
			var we *runtime.Error
			if !errors.As(got, &we) || we.URI != wamp.ErrRuntime {
				t.Fatalf("got %v, want %s", got, wamp.ErrRuntime)
			}
		})
	}
	rpcRegister(t, callee, "com.test.crash.after", func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: wamp.ArgsOf("alive")}, nil
	})
	if _, err := caller.Call(testCtx(t), "com.test.crash.after", wamp.Payload{}, wamp.Payload{}); err != nil {
		t.Fatalf("the callee stopped serving: %v", err)
	}
}

// TestCallDeadlineFarAway: a deadline centuries away once overflowed the
// rounding to milliseconds and failed the call at once with
// wamp.error.timeout. A deadline beyond 2³¹−1 ms is not sent; a nearer one
// reaches a callee that asked for forwarded timeouts.
func TestCallDeadlineFarAway(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	got := make(chan time.Duration, 1)
	rpcRegister(t, callee, "com.test.deadline", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		got <- inv.Timeout
		return nil, nil
	}, runtime.WithForwardTimeout())
	for _, c := range []struct {
		away             string
		deadline         time.Time
		wantMin, wantMax time.Duration
	}{
		{"an hour", time.Now().Add(time.Hour), time.Hour - time.Minute, time.Hour},
		{"30 days", time.Now().AddDate(0, 0, 30), 0, 0},
		{"500 years", time.Now().AddDate(500, 0, 0), 0, 0},
	} {
		ctx, cancel := context.WithDeadline(context.Background(), c.deadline)
		_, err := caller.Call(ctx, "com.test.deadline", wamp.Payload{}, wamp.Payload{})
		cancel()
		if err != nil {
			t.Fatalf("deadline %s away: %v", c.away, err)
		}
		if d := recvT(t, got, "the invocation"); d < c.wantMin || d > c.wantMax {
			t.Errorf("deadline %s away: the callee's timeout is %v, want %v to %v", c.away, d, c.wantMin, c.wantMax)
		}
	}
}

// TestInvocationTimeoutTooLarge: a peer's INVOCATION.Details.timeout
// beyond what a time.Duration holds once wrapped around (18446744073710 ms
// became 448 µs) and timed the handler out at once. Such a timeout is no
// timeout.
func TestInvocationTimeoutTooLarge(t *testing.T) {
	// A dealer with call_timeout, whose INVOCATION timeouts are read.
	srv := startRogueRoles(t, "websocket", wamp.JSON, true, rogueAdvancedRoles())
	rs := dialRogue(t, srv, runtime.Config{})
	// "block" makes the echo handler wait for its context to end.
	rs.rc.send(&wamp.Invocation{Request: 77, Registration: rogueRegistration,
		Details: wamp.Dict{wamp.OptTimeout: int64(18446744073710)}, Args: wamp.ArgsOf("block")})
	select {
	case m := <-rs.rc.msgs:
		t.Errorf("INVOCATION with a timeout of 584 years answered at once: %s %+v", m.Type(), m)
	case <-time.After(300 * time.Millisecond):
		// still running, as it should
	}
}

// TestCloseBoundsEventHandlerWait: Close waited without limit for a running
// event handler, which gets no context and cannot learn that the session
// is closing. It now gives running handlers ResponseTimeout in all, and
// says that one is still running.
func TestCloseBoundsEventHandlerWait(t *testing.T) {
	r := rpcRouter(t)
	s, err := runtime.Dial(testCtx(t), r.WebSocketURL(), runtime.Config{Realm: "realm1", ResponseTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	entered := make(chan struct{}, 1)
	if _, err := s.Subscribe(testCtx(t), "com.test.slow", func(context.Context, *runtime.Event) error {
		entered <- struct{}{}
		<-release
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(testCtx(t), "com.test.slow", wamp.Payload{}, wamp.Payload{}, runtime.WithExcludeMe(false), runtime.WithAcknowledge()); err != nil {
		t.Fatal(err)
	}
	recvT(t, entered, "the event handler")
	closed := make(chan error, 1)
	start := time.Now()
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err == nil {
			t.Error("Close returned nil while an event handler was still running")
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Close took %v (ResponseTimeout 300ms)", d)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Close still blocked after 3s (ResponseTimeout 300ms) by a running event handler")
	}
}

// limitError is an error type with a value receiver.
type limitError struct {
	Max int `json:"max"`
}

func (e limitError) Error() string { return fmt.Sprintf("over the limit of %d", e.Max) }

// TestValueErrorTypeReturnedAsPointer: an error type registered as T (its
// methods have value receivers) and returned as &T{} travelled as
// wamp.error.runtime_error: the registry looked up *T only. It travels as
// T's URI with its fields.
func TestValueErrorTypeReturnedAsPointer(t *testing.T) {
	reg := runtime.NewErrorRegistry()
	if err := runtime.RegisterErrorType[limitError](reg, "com.test.error.limit"); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{limitError{Max: 3}, &limitError{Max: 3}, fmt.Errorf("wrapped: %w", &limitError{Max: 3})} {
		uri, _, kwargs := reg.ToWire(err)
		if uri != "com.test.error.limit" {
			t.Errorf("ToWire(%#v) = %s, want com.test.error.limit", err, uri)
			continue
		}
		var got limitError
		if err := kwargs.Decode(&got); err != nil || got.Max != 3 {
			t.Errorf("ToWire(%#v) kwargs: %+v, %v", err, got, err)
		}
	}
	if uri, _, _ := reg.ToWire((*limitError)(nil)); uri != wamp.ErrRuntime {
		t.Errorf("a nil *limitError travels as %s, want %s", uri, wamp.ErrRuntime)
	}
}

// fieldsError is a value error type that is not comparable.
type fieldsError struct {
	Fields []string `json:"fields"`
}

func (e fieldsError) Error() string { return "invalid: " + strings.Join(e.Fields, ",") }

// TestUncomparableErrorType: looking up a registered error type whose
// values are not comparable (a slice field) among the sentinels panicked
// ("hash of unhashable type"), so it always travelled as
// wamp.error.runtime_error. Registering such a value as a sentinel is
// refused instead of panicking.
func TestUncomparableErrorType(t *testing.T) {
	reg := runtime.NewErrorRegistry()
	if err := runtime.RegisterErrorType[fieldsError](reg, "com.test.error.fields"); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{fieldsError{Fields: []string{"a"}}, &fieldsError{Fields: []string{"a"}}} {
		if uri, _, _ := reg.ToWire(err); uri != "com.test.error.fields" {
			t.Errorf("ToWire(%#v) = %s, want com.test.error.fields", err, uri)
		}
	}
	if err := reg.RegisterSentinel("com.test.error.sentinel", fieldsError{}); err == nil {
		t.Error("registering an uncomparable sentinel succeeded")
	}
}
