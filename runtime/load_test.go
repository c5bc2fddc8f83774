package runtime_test

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// The load: loadCallers sessions make loadCallsEach calls each, served by
// loadCallees sessions sharing one registration; loadStreams callers each
// receive loadStreamItems progressive results. Sessions are spread over
// the serializers and the two transports.
//
// Under the race detector, which makes each call about five times as
// expensive (the full load takes some 70 s with -race on two cores), every
// caller makes loadCallsEachRace calls instead: the same sessions,
// serializers, transports, concurrency and streams, for a fifth of the
// calls.
const (
	loadCallers       = 50
	loadCallsEach     = 2000
	loadCallsEachRace = 400
	loadConcurrency   = 8 // calls in flight per caller session
	loadCallees       = 5
	loadStreams       = 20
	loadStreamItems   = 500
	loadReps          = 3
)

// loadStats counts one repetition's outcome.
type loadStats struct {
	calls, streamItems atomic.Int64
	errors             atomic.Int64
	firstErr           sync.Once
	err                error
}

func (st *loadStats) fail(err error) {
	st.errors.Add(1)
	st.firstErr.Do(func() { st.err = err })
}

// loadHeap returns HeapInuse after a full collection. Two collections
// empty the sync.Pool victim caches too.
func loadHeap() uint64 {
	goruntime.GC()
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.HeapInuse
}

func loadMB(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// loadCalls returns how many calls each caller makes: loadCallsEach, or
// loadCallsEachRace in a test binary built with -race.
func loadCalls() int {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return loadCallsEachRace
			}
		}
	}
	return loadCallsEach
}

// TestLoad runs the load loadReps times through one embedded router and
// checks every answer, and that the heap does not grow from one
// repetition to the next. It takes a while: go test -short skips it.
//
// The memory bound: HeapInuse after the last repetition may exceed
// HeapInuse after the first by 50% or 8 MB, whichever is more. Everything
// a repetition allocates (sessions, pools, the router's per-session state)
// is released by its end, and HeapInuse is read after two collections;
// what stays is what the first repetition fills for good (codec and
// reflection caches) and heap fragmentation. Measured, that is under 3 MB
// in all, and the repetitions after the first differ by a few hundred KB:
// 8 MB is far above that noise, and far below what a leak of one object
// per call adds over two repetitions (110,000 calls and stream items each,
// 22,000 under -race: more than 8 MB for any object above ~40 bytes, ~190
// under -race). A leaked session or goroutine is caught by the goroutine
// check.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("the load test takes a while; it runs without -short")
	}
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{})
	urls := []string{r.WebSocketURL(), r.RawSocketURL()}
	base := loadHeap()
	t.Logf("heap before the first repetition (router running): %s", loadMB(base))
	var after []uint64
	for rep := 1; rep <= loadReps; rep++ {
		before := loadHeap()
		st, elapsed := loadOnce(t, urls, rep)
		h := loadHeap()
		after = append(after, h)
		t.Logf("repetition %d: %d calls and %d stream items completed, %d errors, %v (%.0f calls/s); heap %s before, %s after",
			rep, st.calls.Load(), st.streamItems.Load(), st.errors.Load(), elapsed.Round(time.Millisecond),
			float64(st.calls.Load())/elapsed.Seconds(), loadMB(before), loadMB(h))
		if n := st.errors.Load(); n > 0 {
			t.Fatalf("repetition %d: %d errors, the first: %v", rep, n, st.err)
		}
		if got, want := st.calls.Load(), int64(loadCallers*loadCalls()); got != want {
			t.Fatalf("repetition %d: %d calls completed, want %d", rep, got, want)
		}
		if got, want := st.streamItems.Load(), int64(loadStreams*loadStreamItems); got != want {
			t.Fatalf("repetition %d: %d stream items, want %d", rep, got, want)
		}
	}
	first, last := after[0], after[len(after)-1]
	limit := first + max(first/2, 8<<20)
	if last > limit {
		t.Fatalf("heap grew from %s after repetition 1 to %s after repetition %d (limit %s)", loadMB(first), loadMB(last), loadReps, loadMB(limit))
	}
}

// loadOnce runs the load once: it dials every session, runs the calls and
// the streams concurrently, checks every answer and closes everything.
func loadOnce(t *testing.T, urls []string, rep int) (*loadStats, time.Duration) {
	st := &loadStats{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sers := wamp.Serializers()
	dial := func(i int) *runtime.Session {
		s, err := runtime.Dial(ctx, urls[i%len(urls)], runtime.Config{Realm: router.DefaultRealm, Serializer: sers[i%len(sers)]})
		if err != nil {
			t.Fatalf("dialling session %d: %v", i, err)
		}
		return s
	}
	var sessions []*runtime.Session
	defer func() {
		for _, s := range sessions {
			if err := s.Close(); err != nil {
				t.Errorf("closing: %v", err)
			}
		}
	}()

	for i := range loadCallees {
		s := dial(i)
		sessions = append(sessions, s)
		if _, err := s.Register(ctx, "com.load.add", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			var a, b int64
			if err := args(inv.Args, &a, &b); err != nil {
				return nil, err
			}
			return &runtime.Result{Args: wamp.ArgsOf(a + b)}, nil
		}, runtime.WithInvoke(wamp.InvokeRoundRobin)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := s.Register(ctx, "com.load.count", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				var n int
				if err := args(inv.Args, &n); err != nil {
					return nil, err
				}
				for k := range n {
					if err := inv.SendProgress(wamp.ArgsOf(k), wamp.Payload{}); err != nil {
						return nil, err
					}
				}
				return &runtime.Result{Args: wamp.ArgsOf(n)}, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	callers := make([]*runtime.Session, loadCallers)
	for i := range callers {
		callers[i] = dial(loadCallees + i)
		sessions = append(sessions, callers[i])
	}

	calls := loadCalls()
	begin := time.Now()
	var wg sync.WaitGroup
	for ci, s := range callers {
		for g := range loadConcurrency {
			wg.Go(func() {
				for k := g; k < calls; k += loadConcurrency {
					a, b := int64(rep)<<40|int64(ci)<<20, int64(k)
					res, err := s.Call(ctx, "com.load.add", wamp.ArgsOf(a, b), wamp.Payload{})
					if err != nil {
						st.fail(fmt.Errorf("caller %d call %d: %w", ci, k, err))
						continue
					}
					var sum int64
					if err := args(res.Args, &sum); err != nil || sum != a+b {
						st.fail(fmt.Errorf("caller %d call %d: %d+%d = %d (%v)", ci, k, a, b, sum, err))
						continue
					}
					st.calls.Add(1)
				}
			})
		}
	}
	for si := range loadStreams {
		s := callers[si*loadCallers/loadStreams]
		wg.Go(func() {
			next := 0
			res, err := s.Call(ctx, "com.load.count", wamp.ArgsOf(loadStreamItems), wamp.Payload{}, runtime.WithProgress(func(r *runtime.Result) error {
				var k int
				if err := args(r.Args, &k); err != nil {
					return err
				}
				if k != next {
					return fmt.Errorf("stream %d: item %d arrived as number %d", si, k, next)
				}
				next++
				st.streamItems.Add(1)
				return nil
			}))
			if err != nil {
				st.fail(err)
				return
			}
			var n int
			if err := args(res.Args, &n); err != nil || n != loadStreamItems || next != loadStreamItems {
				st.fail(fmt.Errorf("stream %d: final %d after %d items (%v)", si, n, next, err))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	if err := ctx.Err(); err != nil {
		st.fail(errors.Join(errors.New("the load did not finish in time"), err))
	}
	return st, elapsed
}
