package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// check is one verification of the calculator contract against whatever
// serves it.
type check struct {
	name string
	run  func(ctx context.Context, env *env) (string, error)
}

// env is what checks use: the generated client, the session under it (for
// untyped calls with deliberately wrong arguments), and where to narrate.
type env struct {
	client *calc.CalculatorClient
	sess   *runtime.Session
	out    io.Writer // progress narration; io.Discard when quiet
}

func want[T comparable](got, expect T) error {
	if got != expect {
		return fmt.Errorf("got %v, want %v", got, expect)
	}
	return nil
}

// wantURI checks that err is a WAMP error with the given URI.
func wantURI(err error, uri wamp.URI) (*runtime.Error, error) {
	var we *runtime.Error
	if !errors.As(err, &we) {
		return nil, fmt.Errorf("got %v, want the error %s", err, uri)
	}
	if we.URI != uri {
		return nil, fmt.Errorf("got error %s (%v), want %s", we.URI, err, uri)
	}
	return we, nil
}

// waitIdle polls active until no sleep is running (the callee's handler may
// finish a moment after the caller's cancelled call returned).
func waitIdle(ctx context.Context, e *env) error {
	deadline := time.Now().Add(3 * time.Second)
	for {
		n, err := e.client.Active(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("active = %d long after the sleep was stopped", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var checks = []check{
	{"add(2, 3) = 5", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.Add(ctx, 2, 3)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(v), want(v, 5)
	}},
	{"div(10, 4) = 2.5", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.Div(ctx, 10, 4)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(v), want(v, 2.5)
	}},
	{"div(1, 0) fails with com.example.calc.error.div_by_zero", func(ctx context.Context, e *env) (string, error) {
		_, err := e.client.Div(ctx, 1, 0)
		we, werr := wantURI(err, "com.example.calc.error.div_by_zero")
		if werr != nil {
			return "", werr
		}
		if !errors.Is(err, calc.ErrDivByZero) {
			return "", fmt.Errorf("errors.Is(err, ErrDivByZero) is false for %v", err)
		}
		return err.Error(), want(we.Message(), "division by zero")
	}},
	{"sqrt(16) = 4", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.Sqrt(ctx, 16)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(v), want(v, 4)
	}},
	{"sqrt(-4) fails with com.example.calc.error.negative_input {input: -4}", func(ctx context.Context, e *env) (string, error) {
		_, err := e.client.Sqrt(ctx, -4)
		if _, werr := wantURI(err, "com.example.calc.error.negative_input"); werr != nil {
			return "", werr
		}
		var neg *calc.NegativeInputError
		if !errors.As(err, &neg) {
			return "", fmt.Errorf("errors.As(err, *NegativeInputError) is false for %v", err)
		}
		return err.Error(), want(neg.Input, -4)
	}},
	{"fibonacci(10) = 55, progress 1 1 2 3 5 8 13 21 34", func(ctx context.Context, e *env) (string, error) {
		var progress []int64
		v, err := e.client.Fibonacci(ctx, 10, func(f int64) error {
			fmt.Fprintf(e.out, "       progress: %d\n", f)
			progress = append(progress, f)
			return nil
		})
		if err != nil {
			return "", err
		}
		if !slices.Equal(progress, []int64{1, 1, 2, 3, 5, 8, 13, 21, 34}) {
			return "", fmt.Errorf("progress %v", progress)
		}
		return fmt.Sprint(v), want(v, 55)
	}},
	{"fibonacci(90) = 2880067194370816120 without progress", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.Fibonacci(ctx, 90, nil)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(v), want(v, 2880067194370816120)
	}},
	{"fibonacci(0) and fibonacci(91) fail with wamp.error.invalid_argument", func(ctx context.Context, e *env) (string, error) {
		for _, n := range []int{0, 91} {
			_, err := e.client.Fibonacci(ctx, n, nil)
			if _, werr := wantURI(err, wamp.ErrInvalidArgument); werr != nil {
				return "", fmt.Errorf("fibonacci(%d): %w", n, werr)
			}
		}
		return "refused", nil
	}},
	{"stats([1, 2, 3, 4]) = {count 4, sum 10, mean 2.5, min 1, max 4}", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.Stats(ctx, []float64{1, 2, 3, 4})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%+v", v), want(v, calc.Stats{Count: 4, Sum: 10, Mean: 2.5, Min: 1, Max: 4})
	}},
	{"stats([]) fails with wamp.error.invalid_argument", func(ctx context.Context, e *env) (string, error) {
		_, err := e.client.Stats(ctx, []float64{})
		_, werr := wantURI(err, wamp.ErrInvalidArgument)
		return "refused", werr
	}},
	{"round(value=3.14159, places=2) = 3.14 (keyword arguments)", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.Round(ctx, calc.RoundRequest{Value: 3.14159, Places: 2})
		if err != nil {
			return "", err
		}
		return fmt.Sprint(v), want(v, 3.14)
	}},
	{"reverse_bytes(00 01 7f 80 fe ff) = ff fe 80 7f 01 00", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.ReverseBytes(ctx, []byte{0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff})
		if err != nil {
			return "", err
		}
		if !bytes.Equal(v, []byte{0xff, 0xfe, 0x80, 0x7f, 0x01, 0x00}) {
			return "", fmt.Errorf("got % x", v)
		}
		return fmt.Sprintf("% x", v), nil
	}},
	{"whoami() = this session's ID", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.Whoami(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(v), want(wamp.ID(v), e.sess.ID())
	}},
	{"sleep(50) = 50", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.Sleep(ctx, 50)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(v), want(v, 50)
	}},
	{"sleep(10000) cancelled after 100ms: wamp.error.canceled, then active() = 0", func(ctx context.Context, e *env) (string, error) {
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := e.client.Sleep(cctx, 10000)
		if !errors.Is(err, runtime.ErrCanceled) {
			return "", fmt.Errorf("got %v, want wamp.error.canceled", err)
		}
		took := time.Since(start).Round(time.Millisecond)
		return fmt.Sprintf("%v after %v", err, took), waitIdle(ctx, e)
	}},
	{"sleep(10000) with a 200ms timeout: wamp.error.timeout, then active() = 0", func(ctx context.Context, e *env) (string, error) {
		tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err := e.client.Sleep(tctx, 10000)
		if !errors.Is(err, runtime.ErrTimeout) {
			return "", fmt.Errorf("got %v, want wamp.error.timeout", err)
		}
		return err.Error(), waitIdle(ctx, e)
	}},
	{"computed: one event for each successful add, div and sqrt, none for a failed div", checkComputed},
	{`add("two", 3) and add(1) fail with wamp.error.invalid_argument, and the service keeps serving`, func(ctx context.Context, e *env) (string, error) {
		for _, args := range [][]any{{"two", 3}, {1}, {1, 2, 3}, {[]int{1}, 2}} {
			_, err := e.sess.Call(ctx, calc.CalculatorAddProcedure, wamp.ArgsOf(args...), wamp.Payload{})
			if _, werr := wantURI(err, wamp.ErrInvalidArgument); werr != nil {
				return "", fmt.Errorf("add%v: %w", args, werr)
			}
		}
		_, err := e.sess.Call(ctx, calc.CalculatorRoundProcedure, wamp.Payload{}, wamp.PayloadOf(map[string]any{"value": "pi", "places": 2}))
		if _, werr := wantURI(err, wamp.ErrInvalidArgument); werr != nil {
			return "", fmt.Errorf("round(value=\"pi\"): %w", werr)
		}
		v, err := e.client.Add(ctx, 1, 1)
		if err != nil {
			return "", err
		}
		return "refused", want(v, 2)
	}},
}

// computedWait bounds the wait for events, generous for a loaded machine:
// they normally arrive within milliseconds. A variable for the test of a
// service that publishes nothing.
var computedWait = 10 * time.Second

// computedLog records the computations a subscription received.
type computedLog struct {
	mu     sync.Mutex
	events []calc.Computation
	added  chan struct{} // signalled (without blocking) on every event
}

func (l *computedLog) computed(ctx context.Context, c calc.Computation) error {
	l.mu.Lock()
	l.events = append(l.events, c)
	l.mu.Unlock()
	select {
	case l.added <- struct{}{}:
	default:
	}
	return nil
}

// count returns how many events are the computation want.
func (l *computedLog) count(want calc.Computation) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.events {
		if c.Op == want.Op && slices.Equal(c.Args, want.Args) && c.Result == want.Result {
			n++
		}
	}
	return n
}

// failedDiv returns the events that report div(a, 0).
func (l *computedLog) failedDiv(a float64) []calc.Computation {
	l.mu.Lock()
	defer l.mu.Unlock()
	var got []calc.Computation
	for _, c := range l.events {
		if c.Op == "div" && len(c.Args) == 2 && c.Args[0] == a && c.Args[1] == 0 {
			got = append(got, c)
		}
	}
	return got
}

func (l *computedLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

func showComputation(c calc.Computation) string {
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = strconv.FormatFloat(a, 'f', -1, 64)
	}
	return fmt.Sprintf("%s(%s) = %s", c.Op, strings.Join(args, ", "), strconv.FormatFloat(c.Result, 'f', -1, 64))
}

// operand returns a random integer in 1..1e9: events go to every
// subscriber, so the check finds the events of its own calls by their
// operands, never assuming that it is the only client.
func operand() float64 { return float64(1 + rand.IntN(1e9)) }

// checkComputed subscribes to com.example.calc.computed through the
// generated SubscribeCalculatorEventsComputed, calls add, a div by zero,
// div and sqrt with random operands, and checks that each successful call
// produced exactly one matching event and the failed div none. A last add
// is a fence: the events of one publisher reach a subscription in the order
// they were published, so once the fence's event is in, so is every event
// the earlier calls caused.
func checkComputed(ctx context.Context, e *env) (string, error) {
	log := &computedLog{added: make(chan struct{}, 1)}
	sub, err := calc.SubscribeCalculatorEventsComputed(ctx, e.sess, log.computed)
	if err != nil {
		return "", fmt.Errorf("subscribe to %s: %w", calc.CalculatorEventsComputedTopic, err)
	}
	defer sub.Unsubscribe(context.WithoutCancel(ctx))

	a, b, x := operand(), operand(), operand()
	var want []calc.Computation
	v, err := e.client.Add(ctx, a, b)
	if err != nil {
		return "", err
	}
	want = append(want, calc.Computation{Op: "add", Args: []float64{a, b}, Result: v})
	if _, err := e.client.Div(ctx, a, 0); !errors.Is(err, calc.ErrDivByZero) {
		return "", fmt.Errorf("div(%s, 0): got %v, want %v", strconv.FormatFloat(a, 'f', -1, 64), err, calc.ErrDivByZero)
	}
	if v, err = e.client.Div(ctx, a, b); err != nil {
		return "", err
	}
	want = append(want, calc.Computation{Op: "div", Args: []float64{a, b}, Result: v})
	if v, err = e.client.Sqrt(ctx, x); err != nil {
		return "", err
	}
	want = append(want, calc.Computation{Op: "sqrt", Args: []float64{x}, Result: v})
	fence := calc.Computation{Op: "add", Args: []float64{operand(), operand()}}
	if fence.Result, err = e.client.Add(ctx, fence.Args[0], fence.Args[1]); err != nil {
		return "", err
	}

	timeout := time.NewTimer(computedWait)
	defer timeout.Stop()
	for log.count(fence) == 0 {
		select {
		case <-log.added:
		case <-timeout.C:
			var seen []string
			for _, w := range want {
				if log.count(w) > 0 {
					seen = append(seen, showComputation(w))
				}
			}
			st := sub.Stats()
			return "", fmt.Errorf("no event for %s within %v (%d events in all, %d rejected as not a Computation; of this check's calls, events for: %s)",
				showComputation(fence), computedWait, log.len(), st.Rejected, cmp.Or(strings.Join(seen, "; "), "none"))
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for the event of %s: %w", showComputation(fence), ctx.Err())
		}
	}
	for _, w := range want {
		if n := log.count(w); n != 1 {
			return "", fmt.Errorf("%d events for %s, want 1", n, showComputation(w))
		}
	}
	if got := log.failedDiv(a); len(got) > 0 {
		return "", fmt.Errorf("%d events for the failed div: %s", len(got), showComputation(got[0]))
	}
	shown := make([]string, len(want))
	for i, w := range want {
		shown[i] = showComputation(w)
	}
	return strings.Join(shown, "; "), nil
}

// runChecks runs every check of list, printing one line each; it returns
// how many failed.
func runChecks(ctx context.Context, e *env, list []check, w io.Writer) int {
	failed := 0
	for _, c := range list {
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		got, err := c.run(cctx, e)
		cancel()
		if err != nil {
			failed++
			fmt.Fprintf(w, "FAIL %s: %v\n", c.name, err)
			continue
		}
		fmt.Fprintf(w, "ok   %s  [%s]\n", c.name, got)
	}
	return failed
}

// streamChecks verify the two procedures with streamed input (progressive
// call invocations). `calculator call` runs them only with --streams: peers
// that do not implement progressive call invocations (Autobahn|JS,
// Autobahn|Python, Wampy.js) cannot serve them.
var streamChecks = []check{
	{"sum streamed 1 2 3 4 = 10", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.Sum(ctx, slices.Values([]float64{1, 2, 3, 4}))
		if err != nil {
			return "", err
		}
		return fmt.Sprint(v), want(v, 10)
	}},
	{"sum streamed 0.5 alone = 0.5 (one final chunk)", func(ctx context.Context, e *env) (string, error) {
		v, err := e.client.Sum(ctx, slices.Values([]float64{0.5}))
		if err != nil {
			return "", err
		}
		return fmt.Sprint(v), want(v, 0.5)
	}},
	{"running_sum chunks [1] [2] [3] [4]: progress 1 3 6, final 10", func(ctx context.Context, e *env) (string, error) {
		return runningSumWire(ctx, e, []float64{1, 2, 3, 4}, []float64{1, 3, 6}, 10)
	}},
	{"running_sum chunk [7] alone: no progress, final 7", func(ctx context.Context, e *env) (string, error) {
		return runningSumWire(ctx, e, []float64{7}, nil, 7)
	}},
	{"running_sum streamed 2 4 8 through the generated client yields 2 6 14", func(ctx context.Context, e *env) (string, error) {
		seq, err := e.client.RunningSum(ctx, slices.Values([]float64{2, 4, 8}))
		if err != nil {
			return "", err
		}
		var got []float64
		for v, err := range seq {
			if err != nil {
				return "", err
			}
			got = append(got, v)
		}
		shown := fmt.Sprint(got)
		if !slices.Equal(got, []float64{2, 6, 14}) {
			return "", fmt.Errorf("got %s, want [2 6 14]", shown)
		}
		return shown, nil
	}},
}

// runningSumWire calls running_sum chunk by chunk on the session and checks
// the exact wire form: the progressive RESULTs, in order, then the final
// RESULT.
func runningSumWire(ctx context.Context, e *env, xs, progress []float64, final float64) (string, error) {
	var got []float64
	var bad error
	onProgress := runtime.WithProgress(func(r *runtime.Result) error {
		var args []float64
		if err := r.Args.Decode(&args); err != nil || len(args) != 1 {
			bad = cmp.Or(bad, fmt.Errorf("progressive result %d: want [number], got %v (%v)", len(got)+1, r.Args.GoValue(), err))
			return nil
		}
		got = append(got, args[0])
		return nil
	})
	call, err := e.sess.CallInput(ctx, calc.CalculatorRunningSumProcedure, onProgress)
	if err != nil {
		return "", err
	}
	for _, x := range xs[:len(xs)-1] {
		if err := call.Send(ctx, wamp.ArgsOf(x), wamp.Payload{}); err != nil {
			return "", err
		}
	}
	res, err := call.CloseSend(ctx, wamp.ArgsOf(xs[len(xs)-1]), wamp.Payload{})
	if err != nil {
		return "", err
	}
	if bad != nil {
		return "", bad
	}
	var args []float64
	if err := res.Args.Decode(&args); err != nil || len(args) != 1 {
		return "", fmt.Errorf("final result: want [number], got %v (%v)", res.Args.GoValue(), err)
	}
	shown := fmt.Sprintf("progress %v, final %v", got, args[0])
	if !slices.Equal(got, progress) || args[0] != final {
		return "", fmt.Errorf("got %s, want progress %v, final %v", shown, progress, final)
	}
	return shown, nil
}
