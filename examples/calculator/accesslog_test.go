package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
)

// TestAccessLog: "callee --access-log" and "serve --access-log" write one
// JSON record per invocation and publication to standard error, next to
// the text log: a call of add is logged as an ok invocation at Info, a
// division by zero at Warn with its error URI, and the computed events the
// implementation publishes as publications.
func TestAccessLog(t *testing.T) {
	t.Run("callee", func(t *testing.T) {
		url := startServe(t, "--callee=false")
		_, errOut := startCallee(t, "--url", url, "--realm", "realm1", "--access-log")
		checkAccessLog(t, url, errOut)
	})
	t.Run("serve", func(t *testing.T) {
		url, errOut := startServeOut(t, "--access-log")
		checkAccessLog(t, url, errOut)
	})
}

// checkAccessLog calls add and div at url and checks their records in
// errOut.
func checkAccessLog(t *testing.T, url string, errOut *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sess, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	client := calc.NewCalculatorClient(sess)
	if sum, err := client.Add(ctx, 2, 3); err != nil || sum != 5 {
		t.Fatalf("add(2, 3) = %v, %v", sum, err)
	}
	if _, err := client.Div(ctx, 1, 0); !errors.Is(err, calc.ErrDivByZero) {
		t.Fatalf("div(1, 0) = %v, want ErrDivByZero", err)
	}

	want := []struct {
		kind, uri, outcome, level string
	}{
		{"invocation", string(calc.CalculatorAddProcedure), "ok", "INFO"},
		{"invocation", string(calc.CalculatorDivProcedure), "com.example.calc.error.div_by_zero", "WARN"},
		{"publish", "com.example.calc.computed", "ok", "INFO"},
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		recs := accessRecords(t, errOut.String())
		missing := ""
		for _, w := range want {
			found := false
			for _, r := range recs {
				if r["kind"] == w.kind && r["uri"] == w.uri && r["outcome"] == w.outcome {
					found = true
					if r["level"] != w.level || r["msg"] != "wamp "+w.kind {
						t.Errorf("record %v: want level %s and message \"wamp %s\"", r, w.level, w.kind)
					}
					if d, ok := r["duration"].(float64); !ok || d <= 0 {
						t.Errorf("record %v: want a duration > 0", r)
					}
					if n, ok := r["args_bytes"].(float64); w.kind == "invocation" && (!ok || n <= 0) {
						t.Errorf("record %v: want the size of the arguments received", r)
					}
				}
			}
			if !found {
				missing += " " + w.kind + " " + w.uri + " " + w.outcome
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no record of%s in standard error:\n%s", missing, errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if strings.Contains(errOut.String(), `"args":`) || strings.Contains(errOut.String(), `"result":`) {
		t.Errorf("a payload reached the access log:\n%s", errOut.String())
	}
}

// accessRecords parses the JSON lines of out (the text log's lines are
// not JSON).
func accessRecords(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("an access log line is not JSON: %v\n%s", err, line)
		}
		recs = append(recs, r)
	}
	return recs
}

// startServeOut runs "calculator serve" until the test ends and waits until
// it accepts connections; it returns its URL and its standard error.
func startServeOut(t *testing.T, extra ...string) (string, *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() {
		done <- run(ctx, append([]string{"serve", "--listen", addr, "--realm", "realm1"}, extra...), &out, &errOut)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "serving realm") {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s %s", out.String(), errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "ws://" + addr + "/", &errOut
}
