package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// failingText is a result value whose encoding fails with a secret: the
// error of a user's marshaler.
type failingText struct{}

func (failingText) MarshalText() ([]byte, error) { return nil, errors.New(dbSecret) }
func (*failingText) UnmarshalText([]byte) error  { return nil }

// leakRig is a redactRig whose callee also serves com.test.redact.more,
// failing in the ways besides a plain unmapped error by which a handler's
// own text could reach a remote caller.
func newLeakRig(t *testing.T) *redactRig {
	t.Helper()
	_, dialErr := net.DialTimeout("tcp", "10.0.0.5:5432", time.Nanosecond)
	if !errors.Is(dialErr, context.DeadlineExceeded) {
		t.Fatalf("a dial timeout %v does not match context.DeadlineExceeded: the test needs another error", dialErr)
	}
	rg := newRedactRig(t, nil)
	_, err := rg.callee.Register(testCtx(t), "com.test.redact.more", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var kind string
		if err := args(inv.Args, &kind); err != nil {
			return nil, err
		}
		switch kind {
		case "dial timeout":
			return nil, fmt.Errorf("%s: %w", dbSecret, dialErr)
		case "canceled":
			return nil, fmt.Errorf("%s: %w", dbSecret, context.Canceled)
		case "encoding":
			return &runtime.Result{Args: wamp.ArgsOf(failingText{})}, nil
		case "error encoding":
			return nil, runtime.NewError("com.test.error.unencodable", failingText{})
		case "typed nil":
			var e *runtime.Error
			return nil, e
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rg
}

// callLeak calls com.test.redact.more with kind and returns the
// *runtime.Error it fails with, which must not hold the handler's text.
func (rg *redactRig) callLeak(t *testing.T, kind string) *runtime.Error {
	t.Helper()
	_, err := rg.caller.Call(testCtx(t), "com.test.redact.more", wamp.ArgsOf(kind), wamp.Payload{})
	var we *runtime.Error
	if !errors.As(err, &we) {
		t.Fatalf("%s: got %v, want a *runtime.Error", kind, err)
	}
	if strings.Contains(we.Error(), "admin") || strings.Contains(we.Error(), "10.0.0.5") {
		t.Errorf("%s: the caller got the handler's text: %v", kind, we)
	}
	return we
}

// checkIncident checks that we is a redacted wamp.error.runtime_error whose
// incident the callee logged at Error level, with the full text want.
func (rg *redactRig) checkIncident(t *testing.T, kind string, we *runtime.Error, want string) {
	t.Helper()
	m := regexpIncident.FindStringSubmatch(we.Message())
	if we.URI != wamp.ErrRuntime || m == nil {
		t.Errorf("%s: got %s %q, want a redacted wamp.error.runtime_error", kind, we.URI, we.Message())
		return
	}
	n := 0
	for _, e := range rg.entries(t, "handler failed") {
		if e["incident"] == m[1] && e["level"] == "ERROR" && strings.Contains(fmt.Sprint(e["err"]), want) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%s: %d Error-level log entries for incident %s with %q, want 1:\n%s", kind, n, m[1], want, rg.log)
	}
	if len(rg.entries(t, "answering an invocation panicked")) > 0 {
		t.Errorf("%s: the runtime panicked answering:\n%s", kind, rg.log)
	}
}

// TestContextErrorTextNotSent: a context error wrapped in the handler's own
// text (a database driver's dial timeout matches context.DeadlineExceeded)
// keeps its URI, so errors.Is still works for the caller, but travels with
// the context error's text only.
func TestContextErrorTextNotSent(t *testing.T) {
	rg := newLeakRig(t)
	if we := rg.callLeak(t, "dial timeout"); we.URI != wamp.ErrTimeout || we.Message() != context.DeadlineExceeded.Error() || !errors.Is(we, context.DeadlineExceeded) {
		t.Errorf("dial timeout: got %s %q, want %s %q", we.URI, we.Message(), wamp.ErrTimeout, context.DeadlineExceeded.Error())
	}
	if we := rg.callLeak(t, "canceled"); we.URI != wamp.ErrCanceled || we.Message() != context.Canceled.Error() || !errors.Is(we, context.Canceled) {
		t.Errorf("canceled: got %s %q, want %s %q", we.URI, we.Message(), wamp.ErrCanceled, context.Canceled.Error())
	}
}

// TestResultEncodingFailureRedacted: a result whose encoding fails (here a
// user's marshaler, with a secret in its error) is an incident like an
// unmapped error: logged in full, redacted for the caller.
func TestResultEncodingFailureRedacted(t *testing.T) {
	rg := newLeakRig(t)
	rg.checkIncident(t, "encoding", rg.callLeak(t, "encoding"), dbSecret)
}

// TestTypedNilErrorUnmapped: a handler returning a nil *runtime.Error as an
// error is answered as an unmapped error, without the runtime panicking on
// the nil receiver.
func TestTypedNilErrorUnmapped(t *testing.T) {
	rg := newLeakRig(t)
	rg.checkIncident(t, "typed nil", rg.callLeak(t, "typed nil"), "*runtime.Error")
}

var regexpIncident = regexp.MustCompile(`^com\.test\.redact\.more failed; incident ([0-9a-f]{8}) in the callee's log$`)

// TestErrorEncodingFailureAnswered: an error whose payload cannot be
// encoded (here an *Error with a value whose marshaler fails) left the
// caller waiting for its own timeout. It is answered like a result that
// cannot be encoded: redacted, and logged in full under the incident ID.
func TestErrorEncodingFailureAnswered(t *testing.T) {
	rg := newLeakRig(t)
	ctx, cancel := context.WithTimeout(testCtx(t), 5*time.Second)
	defer cancel()
	_, err := rg.caller.Call(ctx, "com.test.redact.more", wamp.ArgsOf("error encoding"), wamp.Payload{})
	var we *runtime.Error
	if !errors.As(err, &we) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want an answer before the caller's deadline", err)
	}
	rg.checkIncident(t, "error encoding", we, dbSecret)
}
