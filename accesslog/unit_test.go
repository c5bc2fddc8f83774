package accesslog_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wampgen/wampgen/accesslog"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// These tests drive the interceptor's funcs directly, around fake next
// funcs; accesslog_test.go runs it in sessions through the embedded router.

// logBuffer collects the JSON records of a slog.JSONHandler; safe for
// concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records parses every record written so far.
func (b *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	data := append([]byte(nil), b.buf.Bytes()...)
	b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("a record is not JSON: %v\n%s", err, sc.Bytes())
		}
		out = append(out, rec)
	}
	return out
}

// newLog returns a logger writing JSON at level and above into a buffer.
func newLog(level slog.Level) (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: level})), b
}

// only returns the one record in b, failing unless there is exactly one.
func only(t *testing.T, b *logBuffer) map[string]any {
	t.Helper()
	recs := b.records(t)
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1: %v", len(recs), recs)
	}
	return recs[0]
}

// checkAttrs checks that rec holds want (JSON numbers are float64) and
// none of the keys of absent.
func checkAttrs(t *testing.T, rec map[string]any, want map[string]any, absent ...string) {
	t.Helper()
	for k, v := range want {
		if got, ok := rec[k]; !ok || got != v {
			t.Errorf("record[%q] = %#v, want %#v (record %v)", k, got, v, rec)
		}
	}
	for _, k := range absent {
		if v, ok := rec[k]; ok {
			t.Errorf("record[%q] = %#v, want none (record %v)", k, v, rec)
		}
	}
}

// positive checks that rec[key] is a number above 0.
func positive(t *testing.T, rec map[string]any, key string) {
	t.Helper()
	if n, ok := rec[key].(float64); !ok || n <= 0 {
		t.Errorf("record[%q] = %#v, want a number > 0 (record %v)", key, rec[key], rec)
	}
}

// slowly makes each fake next take some time, so that durations are > 0
// on any clock.
func slowly() { time.Sleep(time.Millisecond) }

var errLocal = errors.New("disk on fire")

func TestCallRecords(t *testing.T) {
	ctx := context.Background()
	decoded := decodedArgs(t, "a result")
	cases := []struct {
		name  string
		res   *runtime.Result
		err   error
		level string
		want  map[string]any
		none  []string
	}{
		{"ok", &runtime.Result{Args: decoded}, nil, "INFO",
			map[string]any{"outcome": "ok", "result_bytes": float64(len(encoded(decoded)))}, []string{"error", "args_bytes"}},
		{"error URI", nil, runtime.NewError("com.example.error.nope", "the callee's text"), "WARN",
			map[string]any{"outcome": "com.example.error.nope"}, []string{"error", "result_bytes"}},
		{"local", nil, errLocal, "WARN",
			map[string]any{"outcome": "error", "error": "disk on fire"}, nil},
		{"canceled", nil, runtime.ErrCanceled, "WARN",
			map[string]any{"outcome": "wamp.error.canceled"}, []string{"error"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log, b := newLog(slog.LevelDebug)
			call := accesslog.New(log).WrapCall(func(context.Context, *runtime.Call) (*runtime.Result, error) {
				slowly()
				return c.res, c.err
			})
			res, err := call(ctx, &runtime.Call{Procedure: "com.example.p", Args: wamp.ArgsOf(1), Progress: true})
			if res != c.res || err != c.err {
				t.Fatalf("the call returned %v, %v; want next's %v, %v", res, err, c.res, c.err)
			}
			rec := only(t, b)
			c.want["msg"], c.want["level"], c.want["kind"], c.want["uri"], c.want["progress"] = "wamp call", c.level, "call", "com.example.p", true
			checkAttrs(t, rec, c.want, c.none...)
			positive(t, rec, "duration")
		})
	}
}

// decodedArgs returns args as a session receives them: encoded.
func decodedArgs(t *testing.T, args ...any) wamp.Payload {
	t.Helper()
	data, err := wamp.JSON.Encode(&wamp.Result{Request: 1, Details: wamp.Dict{}, Args: wamp.ArgsOf(args...)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := wamp.JSON.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*wamp.Result).Args
}

func encoded(p wamp.Payload) []byte {
	raw, _ := p.Encoded()
	return raw
}

func TestInvocationRecord(t *testing.T) {
	log, b := newLog(slog.LevelDebug)
	args := decodedArgs(t, 1, 2)
	h := accesslog.New(log).WrapInvocation(func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		slowly()
		return nil, errLocal
	})
	inv := &runtime.Invocation{Procedure: "com.example.p", Args: args, Caller: 42, CallerAuthID: "alice", CallerAuthRole: "user"}
	if _, err := h(context.Background(), inv); err != errLocal {
		t.Fatalf("handler returned %v, want next's error", err)
	}
	rec := only(t, b)
	checkAttrs(t, rec, map[string]any{"msg": "wamp invocation", "level": "WARN", "kind": "invocation", "uri": "com.example.p",
		"outcome": "wamp.error.runtime_error", "error": "disk on fire", "caller": float64(42), "caller_authid": "alice",
		"caller_authrole": "user", "args_bytes": float64(len(encoded(args)))}, "progress", "result_bytes", "publisher")
	positive(t, rec, "duration")
}

func TestEventAndPublishRecords(t *testing.T) {
	log, b := newLog(slog.LevelDebug)
	l := accesslog.New(log)
	ev := l.WrapEvent(func(context.Context, *runtime.Event) error { slowly(); return errLocal })
	ev(context.Background(), &runtime.Event{Topic: "com.example.t", Publication: 7, Publisher: 9, PublisherAuthRole: "svc"})
	pub := l.WrapPublish(func(context.Context, *runtime.Publication) (wamp.ID, error) { slowly(); return 8, nil })
	pub(context.Background(), &runtime.Publication{Topic: "com.example.t", Acknowledge: true})
	recs := b.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2: %v", len(recs), recs)
	}
	checkAttrs(t, recs[0], map[string]any{"msg": "wamp event", "level": "WARN", "kind": "event", "uri": "com.example.t",
		"outcome": "error", "error": "disk on fire", "publication": float64(7), "publisher": float64(9), "publisher_authrole": "svc",
		"args_bytes": float64(0)},
		"publisher_authid", "caller")
	checkAttrs(t, recs[1], map[string]any{"msg": "wamp publish", "level": "INFO", "kind": "publish", "uri": "com.example.t",
		"outcome": "ok", "publication": float64(8), "args_bytes": float64(0)}, "error")
	positive(t, recs[0], "duration")
	positive(t, recs[1], "duration")
}

// fakeInput is an InputCall whose Send fails with sendErr once it has
// taken okSends chunks.
type fakeInput struct {
	okSends int
	sendErr error
	res     *runtime.Result
	err     error
}

func (f *fakeInput) Send(context.Context, wamp.Payload, wamp.Payload) error {
	if f.okSends == 0 {
		return f.sendErr
	}
	f.okSends--
	return nil
}

func (f *fakeInput) CloseSend(context.Context, wamp.Payload, wamp.Payload) (*runtime.Result, error) {
	return f.res, f.err
}

func TestCallInputRecords(t *testing.T) {
	t.Run("CloseSend", func(t *testing.T) {
		log, b := newLog(slog.LevelDebug)
		in := &fakeInput{okSends: 3, res: &runtime.Result{}}
		start := accesslog.New(log).WrapCallInput(func(context.Context, *runtime.Call) (runtime.InputCall, error) { return in, nil })
		ic, err := start(context.Background(), &runtime.Call{Procedure: "com.example.sum", StreamedInput: true})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := ic.Send(context.Background(), wamp.ArgsOf(1), wamp.Payload{}); err != nil {
				t.Fatal(err)
			}
		}
		if len(b.records(t)) != 0 {
			t.Fatal("a record before the call ended")
		}
		slowly()
		if _, err := ic.CloseSend(context.Background(), wamp.Payload{}, wamp.Payload{}); err != nil {
			t.Fatal(err)
		}
		rec := only(t, b)
		checkAttrs(t, rec, map[string]any{"msg": "wamp call_input", "level": "INFO", "kind": "call_input",
			"uri": "com.example.sum", "outcome": "ok", "chunks": float64(4), "result_bytes": float64(0)}, "error")
		positive(t, rec, "duration")
	})
	t.Run("Send fails", func(t *testing.T) {
		log, b := newLog(slog.LevelDebug)
		in := &fakeInput{okSends: 1, sendErr: runtime.NewError("com.example.error.bad_input"), err: errors.New("again")}
		start := accesslog.New(log).WrapCallInput(func(context.Context, *runtime.Call) (runtime.InputCall, error) { return in, nil })
		ic, _ := start(context.Background(), &runtime.Call{Procedure: "com.example.sum"})
		ic.Send(context.Background(), wamp.Payload{}, wamp.Payload{})
		ic.Send(context.Background(), wamp.Payload{}, wamp.Payload{})
		ic.CloseSend(context.Background(), wamp.Payload{}, wamp.Payload{}) // logged once already
		checkAttrs(t, only(t, b), map[string]any{"level": "WARN", "outcome": "com.example.error.bad_input", "chunks": float64(1)})
	})
	t.Run("answered early", func(t *testing.T) {
		log, b := newLog(slog.LevelDebug)
		in := &fakeInput{okSends: 1, sendErr: runtime.ErrAnsweredEarly, res: &runtime.Result{}}
		start := accesslog.New(log).WrapCallInput(func(context.Context, *runtime.Call) (runtime.InputCall, error) { return in, nil })
		ic, _ := start(context.Background(), &runtime.Call{Procedure: "com.example.sum"})
		ic.Send(context.Background(), wamp.Payload{}, wamp.Payload{})
		ic.Send(context.Background(), wamp.Payload{}, wamp.Payload{})
		if len(b.records(t)) != 0 {
			t.Fatal("a record before CloseSend returned the early answer")
		}
		ic.CloseSend(context.Background(), wamp.Payload{}, wamp.Payload{})
		checkAttrs(t, only(t, b), map[string]any{"level": "INFO", "outcome": "ok", "chunks": float64(1)})
	})
	t.Run("context ends", func(t *testing.T) {
		log, b := newLog(slog.LevelDebug)
		ctx, cancel := context.WithCancel(context.Background())
		start := accesslog.New(log).WrapCallInput(func(context.Context, *runtime.Call) (runtime.InputCall, error) { return &fakeInput{}, nil })
		if _, err := start(ctx, &runtime.Call{Procedure: "com.example.sum"}); err != nil {
			t.Fatal(err)
		}
		cancel()
		deadline := time.Now().Add(10 * time.Second)
		for len(b.records(t)) == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		checkAttrs(t, only(t, b), map[string]any{"level": "WARN", "outcome": "wamp.error.canceled", "chunks": float64(0)})
	})
	t.Run("start fails", func(t *testing.T) {
		log, b := newLog(slog.LevelDebug)
		start := accesslog.New(log).WrapCallInput(func(context.Context, *runtime.Call) (runtime.InputCall, error) {
			return nil, runtime.ErrFeatureNotSupported
		})
		if _, err := start(context.Background(), &runtime.Call{Procedure: "com.example.sum"}); err != runtime.ErrFeatureNotSupported {
			t.Fatalf("CallInput = %v, want next's error", err)
		}
		checkAttrs(t, only(t, b), map[string]any{"outcome": "wamp.error.feature_not_supported", "chunks": float64(0)})
	})
}

func TestLevels(t *testing.T) {
	ok := func(context.Context, *runtime.Call) (*runtime.Result, error) { return &runtime.Result{}, nil }
	fail := func(context.Context, *runtime.Call) (*runtime.Result, error) { return nil, runtime.ErrTimeout }
	run := func(l *accesslog.Interceptor) {
		l.WrapCall(ok)(context.Background(), &runtime.Call{Procedure: "com.example.ok"})
		l.WrapCall(fail)(context.Background(), &runtime.Call{Procedure: "com.example.fail"})
	}
	levels := func(b *logBuffer) (out []string) {
		for _, rec := range b.records(t) {
			out = append(out, rec["uri"].(string)+"@"+rec["level"].(string))
		}
		return out
	}
	cases := []struct {
		name    string
		handler slog.Level
		opts    []accesslog.Option
		want    string
	}{
		{"defaults", slog.LevelInfo, nil, "com.example.ok@INFO com.example.fail@WARN"},
		{"handler at Warn: failures only", slog.LevelWarn, nil, "com.example.fail@WARN"},
		{"success at Debug", slog.LevelInfo, []accesslog.Option{accesslog.WithSuccessLevel(slog.LevelDebug)}, "com.example.fail@WARN"},
		{"errors at Error", slog.LevelDebug, []accesslog.Option{accesslog.WithErrorLevel(slog.LevelError)}, "com.example.ok@INFO com.example.fail@ERROR"},
		{"handler above both", slog.LevelError, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log, b := newLog(c.handler)
			run(accesslog.New(log, c.opts...))
			if got := strings.Join(levels(b), " "); got != c.want {
				t.Errorf("records %q, want %q", got, c.want)
			}
		})
	}
	t.Run("LevelVar", func(t *testing.T) {
		var lv slog.LevelVar
		log, b := newLog(slog.LevelInfo)
		l := accesslog.New(log, accesslog.WithSuccessLevel(&lv))
		run(l)
		lv.Set(slog.LevelDebug)
		run(l)
		if got, want := strings.Join(levels(b), " "), "com.example.ok@INFO com.example.fail@WARN com.example.fail@WARN"; got != want {
			t.Errorf("records %q, want %q", got, want)
		}
	})
}

func TestWithoutKindsAndFilter(t *testing.T) {
	log, b := newLog(slog.LevelDebug)
	var seen []accesslog.Entry
	l := accesslog.New(log, accesslog.WithoutKinds(accesslog.KindEvent),
		accesslog.WithFilter(func(_ context.Context, e accesslog.Entry) bool {
			seen = append(seen, e)
			return e.Err != nil // failures only
		}))
	l.WrapEvent(func(context.Context, *runtime.Event) error { return errLocal })(context.Background(), &runtime.Event{Topic: "com.example.t"})
	l.WrapCall(func(context.Context, *runtime.Call) (*runtime.Result, error) { return &runtime.Result{}, nil })(context.Background(), &runtime.Call{Procedure: "com.example.ok"})
	l.WrapCall(func(context.Context, *runtime.Call) (*runtime.Result, error) { return nil, errLocal })(context.Background(), &runtime.Call{Procedure: "com.example.fail"})
	checkAttrs(t, only(t, b), map[string]any{"uri": "com.example.fail"})
	if len(seen) != 2 || seen[0].URI != "com.example.ok" || seen[0].Outcome != "ok" || seen[1].URI != "com.example.fail" ||
		seen[1].Outcome != "error" || !errors.Is(seen[1].Err, errLocal) || seen[1].Kind != accesslog.KindCall {
		t.Errorf("the filter saw %+v; want the two calls (events are left out)", seen)
	}
}

// TestHostileValues: values a peer chooses are escaped by the handler and
// cut to a bound; the record stays valid JSON with its fixed attributes.
func TestHostileValues(t *testing.T) {
	log, b := newLog(slog.LevelDebug)
	long := strings.Repeat("é", 10000) // 2 bytes each: a cut in the middle of one must not be made
	inv := &runtime.Invocation{Procedure: wamp.URI("com.x\"}\n{\"level\":\"ERROR\"," + long), CallerAuthID: long, CallerAuthRole: "\x00\x1b[31m",
		Details: wamp.Dict{"x_secret": "hunter2", "password": "hunter2"}, Args: decodedArgs(t, "hunter2")}
	// A peer's error URI, then a handler's error text.
	errs := []error{runtime.NewError(wamp.URI(long), "hunter2"), errors.New("failed for " + long)}
	h := accesslog.New(log).WrapInvocation(func(context.Context, *runtime.Invocation) (*runtime.Result, error) {
		err := errs[0]
		errs = errs[1:]
		return nil, err
	})
	h(context.Background(), inv)
	h(context.Background(), inv)
	recs := b.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	rec := recs[0]
	for i, k := range []string{"uri", "caller_authid", "outcome", "error"} {
		if k == "error" {
			rec = recs[1]
		}
		s, _ := rec[k].(string)
		if len(s) > 520 || !utf8.ValidString(s) || !strings.HasSuffix(s, "…") {
			t.Errorf("%d: record[%q] is %d bytes (valid UTF-8: %v), want cut to about 512 and marked", i, k, len(s), utf8.ValidString(s))
		}
	}
	rec = recs[0]
	if rec["caller_authrole"] != "\x00\x1b[31m" {
		t.Errorf("caller_authrole = %q, want the bytes as they were (escaped in the JSON)", rec["caller_authrole"])
	}
	if raw := b.String(); strings.Contains(raw, "hunter2") {
		t.Errorf("a payload or detail reached the log: %s", raw)
	}
	if len(rec) > 16 {
		t.Errorf("%d attributes: %v", len(rec), rec)
	}
}

// TestDisabledNoAllocation: with the logger's level above what an outcome
// is logged at, the interceptor allocates nothing.
func TestDisabledNoAllocation(t *testing.T) {
	ctx := context.Background()
	res := &runtime.Result{}
	call := &runtime.Call{Procedure: "com.example.p"}
	inv := &runtime.Invocation{Procedure: "com.example.p"}
	ev := &runtime.Event{Topic: "com.example.t"}
	pub := &runtime.Publication{Topic: "com.example.t"}
	for _, c := range []struct {
		name    string
		handler slog.Level
		err     error
	}{
		{"both levels off", slog.LevelError, errLocal},
		{"successes off", slog.LevelWarn, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := accesslog.New(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: c.handler})))
			callF := l.WrapCall(func(context.Context, *runtime.Call) (*runtime.Result, error) { return res, c.err })
			invF := l.WrapInvocation(func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return res, c.err })
			evF := l.WrapEvent(func(context.Context, *runtime.Event) error { return c.err })
			pubF := l.WrapPublish(func(context.Context, *runtime.Publication) (wamp.ID, error) { return 1, c.err })
			in := &fakeInput{}
			inF := l.WrapCallInput(func(context.Context, *runtime.Call) (runtime.InputCall, error) { return in, c.err })
			runs := map[string]func(){
				"call":       func() { callF(ctx, call) },
				"invocation": func() { invF(ctx, inv) },
				"event":      func() { evF(ctx, ev) },
				"publish":    func() { pubF(ctx, pub) },
			}
			if c.handler > slog.LevelWarn {
				// Only then: a call with streamed input that may be logged
				// needs its InputCall wrapped.
				runs["call_input"] = func() { inF(ctx, call) }
			}
			for name, f := range runs {
				if n := testing.AllocsPerRun(200, f); n != 0 {
					t.Errorf("%s: %v allocations per run, want 0", name, n)
				}
			}
		})
	}
}
