package runtime_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

const dbSecret = `pq: password authentication failed for user "admin" at 10.0.0.5`

var errRedactMapped = errors.New("mapped: travels verbatim")

// redactRig is a router, a callee whose log is kept, and a caller; the
// callee serves com.test.redact, failing as its argument says.
type redactRig struct {
	caller *runtime.Session
	callee *runtime.Session
	log    *secBuffer
}

func newRedactRig(t *testing.T, errorText func(wamp.URI, string, error) string) *redactRig {
	t.Helper()
	reg := runtime.NewErrorRegistry()
	if err := reg.RegisterSentinel("com.test.error.mapped", errRedactMapped); err != nil {
		t.Fatal(err)
	}
	r := newTestRouter(t, router.Config{})
	lg := &secBuffer{}
	callee := dialT(t, r.RawSocketURL(), runtime.Config{
		Errors:    reg,
		ErrorText: errorText,
		Logger:    slog.New(slog.NewJSONHandler(lg, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	caller := dialT(t, r.WebSocketURL(), runtime.Config{Errors: reg})
	_, err := callee.Register(testCtx(t), "com.test.redact", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var kind string
		if err := args(inv.Args, &kind); err != nil {
			return nil, err
		}
		switch kind {
		case "unmapped":
			return nil, fmt.Errorf("loading the user: %w", errors.New(dbSecret))
		case "panic":
			panic(dbSecret)
		case "explicit":
			return nil, runtime.NewError(wamp.ErrRuntime, "an *Error travels as it is")
		case "mapped":
			return nil, errRedactMapped
		case "canceled":
			return nil, fmt.Errorf("gave up: %w", context.Canceled)
		}
		return &runtime.Result{Args: wamp.ArgsOf("ok")}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &redactRig{caller: caller, callee: callee, log: lg}
}

// call calls com.test.redact with kind and returns the *runtime.Error it
// fails with.
func (rg *redactRig) call(t *testing.T, kind string) *runtime.Error {
	t.Helper()
	_, err := rg.caller.Call(testCtx(t), "com.test.redact", wamp.ArgsOf(kind), wamp.Payload{})
	var we *runtime.Error
	if !errors.As(err, &we) {
		t.Fatalf("%s: got %v, want a *runtime.Error", kind, err)
	}
	return we
}

// entries returns the callee's log entries with message msg.
func (rg *redactRig) entries(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(rg.log.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if e["msg"] == msg {
			out = append(out, e)
		}
	}
	return out
}

var redactedText = regexp.MustCompile(`^com\.test\.redact failed; incident ([0-9a-f]{8}) in the callee's log$`)

// TestUnmappedErrorRedacted: by default a remote caller learns that the
// procedure failed and an incident ID, nothing of the error; the callee
// logs the full error at Error level under the same ID.
func TestUnmappedErrorRedacted(t *testing.T) {
	rg := newRedactRig(t, nil)
	incidents := map[string]bool{}
	for _, kind := range []string{"unmapped", "panic"} {
		for range 2 {
			we := rg.call(t, kind)
			m := redactedText.FindStringSubmatch(we.Message())
			if we.URI != wamp.ErrRuntime || m == nil || strings.Contains(we.Error(), "admin") {
				t.Fatalf("%s: caller got %q (%s), want a redacted wamp.error.runtime_error", kind, we.Message(), we.URI)
			}
			if incidents[m[1]] {
				t.Errorf("incident ID %s given twice", m[1])
			}
			incidents[m[1]] = true
		}
	}
	check := func(msg, field, want string, stack bool) {
		entries := rg.entries(t, msg)
		if len(entries) != 2 {
			t.Fatalf("%d %q log entries, want 2:\n%s", len(entries), msg, rg.log)
		}
		for _, e := range entries {
			id, _ := e["incident"].(string)
			if e["level"] != "ERROR" || e["procedure"] != "com.test.redact" || !incidents[id] || !strings.Contains(fmt.Sprint(e[field]), want) {
				t.Errorf("log entry %v, want level ERROR, the procedure, a sent incident ID and %s %q", e, field, want)
			}
			if s, _ := e["stack"].(string); stack != (s != "") {
				t.Errorf("log entry %v: stack logged %v, want %v", e, s != "", stack)
			}
			delete(incidents, id)
		}
	}
	check("handler failed", "err", "loading the user: "+dbSecret, false)
	check("handler panicked", "panic", dbSecret, true)
}

// TestMappedErrorsNotRedacted: an *Error, a registered error and a context
// error travel as before, whatever ErrorText says.
func TestMappedErrorsNotRedacted(t *testing.T) {
	hookCalls := 0
	var mu sync.Mutex
	rg := newRedactRig(t, func(wamp.URI, string, error) string {
		mu.Lock()
		defer mu.Unlock()
		hookCalls++
		return "hook"
	})
	for _, tc := range []struct {
		kind string
		uri  wamp.URI
		msg  string
	}{
		{"explicit", wamp.ErrRuntime, "an *Error travels as it is"},
		{"mapped", "com.test.error.mapped", errRedactMapped.Error()},
		{"canceled", wamp.ErrCanceled, "context canceled"}, // not "gave up: …": the text around a context error is the handler's
	} {
		we := rg.call(t, tc.kind)
		if we.URI != tc.uri || we.Message() != tc.msg {
			t.Errorf("%s: got %s %q, want %s %q", tc.kind, we.URI, we.Message(), tc.uri, tc.msg)
		}
	}
	if we := rg.call(t, "unmapped"); we.Message() != "hook" {
		t.Errorf("unmapped: got %q from a hook that says %q", we.Message(), "hook")
	}
	mu.Lock()
	defer mu.Unlock()
	if hookCalls != 1 {
		t.Errorf("ErrorText called %d times, want once (for the unmapped error only)", hookCalls)
	}
}

// TestExposeErrorText: for development, the text travels verbatim.
func TestExposeErrorText(t *testing.T) {
	rg := newRedactRig(t, runtime.ExposeErrorText)
	if we := rg.call(t, "unmapped"); we.Message() != "loading the user: "+dbSecret {
		t.Errorf("unmapped: got %q", we.Message())
	}
	if we := rg.call(t, "panic"); we.Message() != "panic: "+dbSecret {
		t.Errorf("panic: got %q", we.Message())
	}
	if n := len(rg.entries(t, "handler failed")); n != 1 {
		t.Errorf("%d log entries for the unmapped error, want 1 (logged whatever the hook)", n)
	}
}

// TestErrorTextHook: the hook receives the procedure, the logged incident
// ID and the error itself; a hook that panics costs the caller the text,
// not the session.
func TestErrorTextHook(t *testing.T) {
	type seen struct {
		proc     wamp.URI
		incident string
		err      error
	}
	got := make(chan seen, 4)
	rg := newRedactRig(t, func(proc wamp.URI, incident string, err error) string {
		got <- seen{proc, incident, err}
		if strings.Contains(err.Error(), "panic") {
			panic("the hook is broken")
		}
		return "see " + incident
	})
	we := rg.call(t, "unmapped")
	s := recvT(t, got, "the hook's call")
	if s.proc != "com.test.redact" || we.Message() != "see "+s.incident || !strings.Contains(s.err.Error(), dbSecret) {
		t.Errorf("hook saw %+v, caller got %q", s, we.Message())
	}
	if e := rg.entries(t, "handler failed"); len(e) != 1 || e[0]["incident"] != s.incident {
		t.Errorf("log entries %v, want one with incident %s", e, s.incident)
	}
	we = rg.call(t, "panic")
	if !errors.Is(we, runtime.ErrRuntime) || !strings.HasPrefix(we.Message(), "com.test.redact failed; incident ") {
		t.Errorf("with a panicking hook the caller got %v", we)
	}
	res, err := rg.caller.Call(testCtx(t), "com.test.redact", wamp.ArgsOf("none"), wamp.Payload{})
	if err != nil || argString(t, res.Args, 0) != "ok" {
		t.Errorf("the callee stopped serving after its hook panicked: %v", err)
	}
}
