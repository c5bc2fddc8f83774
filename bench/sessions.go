package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gammazero/nexus/v3/transport/serialize"
	nxwamp "github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Many sessions.
//
// The other figures put every caller on one session. Here N caller
// sessions (1, 100 and 1,000 by default: -sessions) call add(1, 2) through
// one router at once, on MsgPack, with max(N, -callers) callers spread
// over them round robin, so that each session has calls in flight; the
// callee is one session, as in the other figures (the generated registrar
// for the generated client, a nexus callee for nexus's client). Every
// session of every N and both systems is dialled once, before the
// rounds, and stays open, so the systems and the Ns take turns within
// each round, as the other figures do; the idle sessions of the other Ns
// stay connected meanwhile. The figures are the aggregate calls/s and
// the p99 of every call's latency under that load.
//
// What limits the figure (profiled with -sessions-cpuprofile and
// -sessions-trace, December 2026, issue 18): with one call in flight per
// session, the default, no system call carries more than one message. A
// call then costs a write and a read (and the read that finds nothing
// more, after which the goroutine parks in the poller) at the caller's
// connection on both ends: about 24 µs of system calls per call at 1,000
// sessions against under 3 µs with 64 callers on one session, more than
// the whole CPU of a call there (17 to 21 µs). Most of the rest is the
// scheduler and cold stacks of some 5,000 goroutines (each session's
// caller and read loop, the router's reader and writer per peer, nexus's
// session goroutine). The callee is not the limit: with
// -sessions-callees 4 the ratios are the same, within the noise. The
// writers' yields (runtime.Gosched in the runtime's batchWriter and the
// router's peer.fill) make goroutines wait on the global run queue behind
// hundreds of others, but skipping them saved no CPU per call at 1,000
// sessions and cost a third or more at one session; they stay. Nor does
// -sessions-inflight 2 or 4 bring back the one-session figure's batching:
// CPU per call at 1,000 sessions fell by a fifth at most in our runs,
// since a session's results seldom reach the router together and so
// rarely share a write.
//
// The client heap per idle session is counted in a child process of the
// same binary, which holds only clients: it dials one session (so that
// what the first dial sets up once is not counted), collects garbage,
// reads runtime.MemStats, dials -idle-sessions more and waits until they
// are quiet, collects garbage twice and reads it again; the growth of
// HeapAlloc divided by the sessions is the heap per idle session. The
// goroutine stacks (StackInuse) and the goroutines per session are
// reported beside it, since they are memory a session holds too.
//
// The router started here raises its cap on connections
// (router.Config.MaxConnections, 1,000 by default: 1,101 sessions per
// system, two systems) and lowers each client's outbound queue to 4,096
// messages (the other routers' 32,768 would cost 256 KiB of channel per
// client). Loopback clients have no per-address cap. Each session is a
// file descriptor at both ends: the process needs about 4.5 per session
// of its open-file limit, which Go raises to the hard limit at start.

// sessionsSerializer is the serializer of the sessions figures.
const sessionsSerializer = "msgpack"

// sessionSystem dials caller sessions of one system.
type sessionSystem struct {
	name string
	// dial connects a session and returns a call of add(1, 2) through it
	// and its close.
	dial func(ctx context.Context, url string) (call func(context.Context) error, close func(), err error)
}

var sessionSystems = []sessionSystem{
	{name: sysGenerated, dial: dialGeneratedSession},
	{name: sysNexus, dial: dialNexusSession},
}

func dialGeneratedSession(ctx context.Context, url string) (func(context.Context) error, func(), error) {
	s, err := runtime.Dial(ctx, url, runtime.Config{Realm: router.DefaultRealm, Serializer: wamp.MsgPack})
	if err != nil {
		return nil, nil, err
	}
	client := calc.NewCalculatorClient(s)
	call := func(ctx context.Context) error {
		sum, err := client.Add(ctx, 1, 2)
		if err != nil {
			return err
		}
		if sum != 3 {
			return errWrongAnswer
		}
		return nil
	}
	return call, closeSession(s), nil
}

func dialNexusSession(ctx context.Context, url string) (func(context.Context) error, func(), error) {
	c, err := dialNexus(ctx, url, serialize.MSGPACK)
	if err != nil {
		return nil, nil, err
	}
	return func(ctx context.Context) error { return nexusCall(ctx, c, nexusAddURI) }, closeNexus(c), nil
}

// sessionSample is what one round measured of one system at one N.
type sessionSample struct {
	perSec float64
	p99    time.Duration
	cpu    time.Duration // of the whole process, per call
}

// sessionFigures are one system's results at one N.
type sessionFigures struct {
	system  string
	n       int // sessions
	callers int
	rounds  []sessionSample
	perSec  float64 // medians
	p99     time.Duration
	cpu     time.Duration
}

// idleFigures are what one idle session of a system holds.
type idleFigures struct {
	System     string  `json:"system"`
	Sessions   int     `json:"sessions"`
	HeapBytes  float64 `json:"heap_bytes"`  // HeapAlloc growth per session
	StackBytes float64 `json:"stack_bytes"` // StackInuse growth per session
	Goroutines float64 `json:"goroutines"`  // per session
}

// sessionsResult is everything the sessions part measured.
type sessionsResult struct {
	figs []*sessionFigures // by N, then system
	idle []idleFigures
	took time.Duration
}

// parseCounts parses a comma-separated list of positive counts.
func parseCounts(s string) ([]int, error) {
	var ns []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive count", f)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// measureSessions runs the sessions figures.
func measureSessions(ctx context.Context, o options, logf func(string, ...any)) (*sessionsResult, error) {
	started := time.Now()
	counts, err := parseCounts(o.sessions)
	if err != nil {
		return nil, fmt.Errorf("-sessions: %w", err)
	}
	var systems []sessionSystem
	for _, s := range sessionSystems {
		if o.only == "" || strings.Contains(s.name, o.only) {
			systems = append(systems, s)
		}
	}
	res := &sessionsResult{}
	if len(systems) == 0 || (len(counts) == 0 && o.idleSessions <= 0) {
		return res, nil
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	r, err := router.Start(ctx, router.Config{
		WebSocketAddr:  "127.0.0.1:0",
		OutQueueSize:   4096,
		MaxConnections: len(systems)*(total+max(o.idleSessions, 0)) + 64,
	})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	url := r.WebSocketURL()
	var callees, cl closers
	defer func() { cl.run(); callees.run() }()
	if *sessionsInflight < 1 {
		return nil, fmt.Errorf("-sessions-inflight: %d is not a positive count", *sessionsInflight)
	}
	if *sessionsCallees < 1 {
		return nil, fmt.Errorf("-sessions-callees: %d is not a positive count", *sessionsCallees)
	}
	if *sessionsCallees == 1 {
		stop, err := generatedCallee(ctx, url, wamp.MsgPack)
		if err != nil {
			return nil, fmt.Errorf("sessions: %s callee: %w", sysGenerated, err)
		}
		callees.add(stop)
		if stop, err = nexusCallee(ctx, url, serialize.MSGPACK, "", nexusAddURI); err != nil {
			return nil, fmt.Errorf("sessions: %s callee: %w", sysNexus, err)
		}
		callees.add(stop)
	} else {
		for range *sessionsCallees {
			stops, err := sharedCallees(ctx, url)
			for _, stop := range stops {
				callees.add(stop)
			}
			if err != nil {
				return nil, fmt.Errorf("sessions: callees: %w", err)
			}
		}
	}

	if len(counts) > 0 {
		logf("sessions: dialling %v sessions for each of %d systems", counts, len(systems))
		calls := make(map[*sessionFigures][]func(context.Context) error)
		for _, n := range counts {
			for _, s := range systems {
				cs, closes, err := dialMany(ctx, s, url, n)
				for _, c := range closes {
					cl.add(c)
				}
				if err != nil {
					return nil, fmt.Errorf("sessions: %s, %d sessions: %w", s.name, n, err)
				}
				f := &sessionFigures{system: s.name, n: n, callers: max(n**sessionsInflight, o.callers)}
				calls[f] = cs
				res.figs = append(res.figs, f)
			}
		}
		logf("sessions: %d sessions dialled; warming up", len(systems)*total)
		for _, f := range res.figs {
			if _, _, _, err := manySessionsLoad(ctx, calls[f], f.callers, o.sessionsDuration/4); err != nil {
				return nil, fmt.Errorf("sessions: %s, %d sessions: %w", f.system, f.n, err)
			}
		}
		if o.sessionsCPUProfile != "" {
			stop, err := startCPUProfile(o.sessionsCPUProfile)
			if err != nil {
				return nil, err
			}
			defer stop()
		}
		if *sessionsTrace != "" {
			stop, err := startTrace(*sessionsTrace)
			if err != nil {
				return nil, err
			}
			defer stop()
		}
		for round := range o.scaleRounds {
			logf("sessions: round %d of %d", round+1, o.scaleRounds)
			for _, f := range res.figs {
				perSec, p99, cpu, err := manySessionsLoad(ctx, calls[f], f.callers, o.sessionsDuration)
				if err != nil {
					return nil, fmt.Errorf("sessions: %s, %d sessions: %w", f.system, f.n, err)
				}
				f.rounds = append(f.rounds, sessionSample{perSec: perSec, p99: p99, cpu: cpu})
			}
		}
		for _, f := range res.figs {
			var thr []float64
			var p99, cpu []time.Duration
			for _, sm := range f.rounds {
				thr, p99, cpu = append(thr, sm.perSec), append(p99, sm.p99), append(cpu, sm.cpu)
			}
			f.perSec, f.p99, f.cpu = median(thr), median(p99), median(cpu)
		}
	}
	cl.run()
	cl = nil
	if o.idleSessions > 0 {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		for _, s := range systems {
			logf("sessions: heap of %d idle %s sessions, in a child process", o.idleSessions, s.name)
			var prof string
			if o.idleHeapProfile != "" {
				prof = filepath.Join(o.idleHeapProfile, strings.ReplaceAll(s.name, " ", "-")+"-idle.pprof")
			}
			f, err := countIdleHeap(ctx, s.name, url, o.idleSessions, []string{self}, prof)
			if err != nil {
				return nil, fmt.Errorf("sessions: %s, idle heap: %w", s.name, err)
			}
			res.idle = append(res.idle, f)
		}
	}
	res.took = time.Since(started)
	return res, nil
}

// dialMany dials n sessions of s, a few at a time; it returns the closes
// of those it dialled even when it fails.
func dialMany(ctx context.Context, s sessionSystem, url string, n int) ([]func(context.Context) error, []func(), error) {
	calls := make([]func(context.Context) error, n)
	closes := make([]func(), n)
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range min(n, 16) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				call, cls, err := s.dial(dctx, url)
				cancel()
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("session %d: %w", i, err)
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
				calls[i], closes[i] = call, cls
			}
		})
	}
	wg.Wait()
	closes = slices.DeleteFunc(closes, func(f func()) bool { return f == nil })
	return calls, closes, first
}

// manySessionsLoad runs callers goroutines for d, caller i calling through
// session i mod len(calls), and returns the calls completed per second and
// the 99th percentile of their latencies and the CPU time of the whole
// process per call.
func manySessionsLoad(ctx context.Context, calls []func(context.Context) error, callers int, d time.Duration) (float64, time.Duration, time.Duration, error) {
	var (
		stop  atomic.Bool
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	lats := make([][]time.Duration, callers)
	start, cpu0 := time.Now(), cpuTime()
	t := time.AfterFunc(d, func() { stop.Store(true) })
	defer t.Stop()
	for i := range callers {
		wg.Go(func() {
			lats[i] = make([]time.Duration, 0, 256)
			if _, err := callerLoop(ctx, calls[i%len(calls)], &stop, 0, &lats[i]); err != nil {
				stop.Store(true)
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	if first != nil {
		return 0, 0, 0, first
	}
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return 0, 0, 0, fmt.Errorf("no call finished in %v", d)
	}
	slices.Sort(all)
	return float64(len(all)) / elapsed.Seconds(), percentile(all, 99), cpu / time.Duration(len(all)), nil
}

// idleSpec tells an idle-sessions process what to dial.
type idleSpec struct {
	System   string `json:"system"`
	Addr     string `json:"addr"`
	Sessions int    `json:"sessions"`
	// HeapProfile, if set, is where the process writes a heap profile of
	// what the idle sessions hold.
	HeapProfile string `json:"heapprofile,omitempty"`
}

// idleEnv holds the idleSpec, as JSON, of an idle-sessions process.
const idleEnv = "WAMPGEN_BENCH_IDLE"

// idleMark starts the line an idle-sessions process reports on.
const idleMark = "wampgen-bench-idle: "

// countIdleHeap runs an idle-sessions process, started with command, that
// dials n sessions of the system named name to url, and returns what each
// holds.
func countIdleHeap(ctx context.Context, name, url string, n int, command []string, heapProfile string) (idleFigures, error) {
	spec, err := json.Marshal(idleSpec{System: name, Addr: url, Sessions: n, HeapProfile: heapProfile})
	if err != nil {
		return idleFigures{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, command[0], command[1:]...)
	cmd.Env = append(os.Environ(), idleEnv+"="+string(spec))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return idleFigures{}, fmt.Errorf("idle-sessions process: %w\n%s%s", err, out, stderr.String())
	}
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), idleMark); ok {
			var f idleFigures
			if err := json.Unmarshal([]byte(rest), &f); err != nil {
				return idleFigures{}, fmt.Errorf("idle-sessions process: %w", err)
			}
			return f, nil
		}
	}
	return idleFigures{}, fmt.Errorf("idle-sessions process reported nothing:\n%s%s", out, stderr.String())
}

// idleProcess is the child's side of countIdleHeap: when the environment
// holds an idleSpec, it dials the sessions, writes what each holds to w
// and reports true.
func idleProcess(ctx context.Context, w io.Writer) (bool, error) {
	env := os.Getenv(idleEnv)
	if env == "" {
		return false, nil
	}
	var spec idleSpec
	if err := json.Unmarshal([]byte(env), &spec); err != nil {
		return true, fmt.Errorf("%s: %w", idleEnv, err)
	}
	i := slices.IndexFunc(sessionSystems, func(s sessionSystem) bool { return s.name == spec.System })
	if i < 0 || spec.Sessions <= 0 {
		return true, fmt.Errorf("%s: no system %q, or no sessions", idleEnv, spec.System)
	}
	s := sessionSystems[i]
	if spec.HeapProfile != "" {
		goruntime.MemProfileRate = 1
	}
	// The first session sets up what every later one shares (pools, the
	// dialer, the serializer's tables): not counted.
	call, cls, err := s.dial(ctx, spec.Addr)
	if err != nil {
		return true, err
	}
	defer cls()
	if err := call(ctx); err != nil {
		return true, err
	}
	var m0, m1 goruntime.MemStats
	settle()
	g0 := goruntime.NumGoroutine()
	goruntime.ReadMemStats(&m0)
	_, closes, err := dialMany(ctx, s, spec.Addr, spec.Sessions)
	defer func() {
		for _, c := range closes {
			c()
		}
	}()
	if err != nil {
		return true, err
	}
	settle()
	g1 := goruntime.NumGoroutine()
	goruntime.ReadMemStats(&m1)
	if spec.HeapProfile != "" {
		f, err := os.Create(spec.HeapProfile)
		if err != nil {
			return true, err
		}
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			f.Close()
			return true, err
		}
		if err := f.Close(); err != nil {
			return true, err
		}
	}
	n := float64(spec.Sessions)
	f := idleFigures{
		System:     spec.System,
		Sessions:   spec.Sessions,
		HeapBytes:  (float64(m1.HeapAlloc) - float64(m0.HeapAlloc)) / n,
		StackBytes: (float64(m1.StackInuse) - float64(m0.StackInuse)) / n,
		Goroutines: float64(g1-g0) / n,
	}
	b, err := json.Marshal(f)
	if err != nil {
		return true, err
	}
	_, err = fmt.Fprintf(w, "%s%s\n", idleMark, b)
	return true, err
}

// settle lets the sessions finish whatever their dial started (the
// goroutines' first reads, timers) and collects garbage until the heap is
// what they hold.
func settle() {
	time.Sleep(300 * time.Millisecond)
	goruntime.GC()
	goruntime.GC()
}

// printSessions writes the sessions figures.
func printSessions(w io.Writer, o options, res *sessionsResult) {
	if res == nil || (len(res.figs) == 0 && len(res.idle) == 0) {
		return
	}
	callees := "one callee"
	if *sessionsCallees > 1 {
		callees = fmt.Sprintf("%d callee sessions sharing add round robin", *sessionsCallees)
	}
	fmt.Fprintf(w, "\nMany sessions (%s, one router, %s; %d rounds of %v; took %.0fs):\n\n", sessionsSerializer, callees, o.scaleRounds, o.sessionsDuration, res.took.Seconds())
	base := func(sys string) *sessionFigures {
		for _, f := range res.figs {
			if f.system == sys && f.n == 1 {
				return f
			}
		}
		return nil
	}
	if len(res.figs) > 0 {
		fmt.Fprintln(w, "| system | sessions | callers | calls/s | p99 µs | CPU µs/call | ×1 session calls/s | ×nexus calls/s |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
		for _, f := range res.figs {
			xb, xn := "–", "–"
			if b := base(f.system); b != nil {
				xb = fmt.Sprintf("%.2f", sessionRatio(f, b))
			}
			for _, g := range res.figs {
				if g.system == sysNexus && g.n == f.n {
					xn = fmt.Sprintf("%.2f", sessionRatio(f, g))
				}
			}
			fmt.Fprintf(w, "| %s | %d | %d | %.0f | %.0f | %.1f | %s | %s |\n", f.system, f.n, f.callers, f.perSec, us(f.p99), us(f.cpu), xb, xn)
		}
		per := "sessions"
		if *sessionsInflight > 1 {
			per = fmt.Sprintf("%d × sessions", *sessionsInflight)
		}
		fmt.Fprintf(w, "\nEach session's callers are spread round robin: max(%s, %d) callers in all. ×1 session is the median of the\n", per, o.callers)
		fmt.Fprintln(w, "per-round ratios to the same system's figure with one session and the same number of callers as the throughput figure.")
	}
	if len(res.idle) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| system | idle sessions | heap KiB/session | stack KiB/session | goroutines/session |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
		for _, f := range res.idle {
			fmt.Fprintf(w, "| %s | %d | %.1f | %.1f | %.1f |\n", f.System, f.Sessions, f.HeapBytes/1024, f.StackBytes/1024, f.Goroutines)
		}
		fmt.Fprintln(w, "\nIn a child process holding only clients: runtime.MemStats' HeapAlloc and StackInuse after dialling the idle sessions")
		fmt.Fprintln(w, "less before (garbage collected twice each time, one session dialled beforehand and not counted), divided by the sessions.")
	}
	fmt.Fprintln(w, "\nTargets (goals, reported not asserted):")
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	for _, f := range res.figs {
		if f.n != 1000 || f.system != sysGenerated {
			continue
		}
		if b := base(f.system); b != nil {
			x := sessionRatio(f, b)
			fmt.Fprintf(w, "  1,000 sessions ≥ 0.8× the %d-callers-on-one-session calls/s: %.2f× — %s\n", b.callers, x, verdict(x >= 0.8))
		}
	}
	for _, f := range res.idle {
		if f.System == sysGenerated {
			fmt.Fprintf(w, "  client heap ≤ 32 KiB per idle session: %.1f KiB — %s\n", f.HeapBytes/1024, verdict(f.HeapBytes <= 32<<10))
		}
	}
}

// sessionRatio is the median of the per-round ratios of a's calls/s to b's.
func sessionRatio(a, b *sessionFigures) float64 {
	var rs []float64
	for i := range min(len(a.rounds), len(b.rounds)) {
		if a.rounds[i].perSec > 0 && b.rounds[i].perSec > 0 {
			rs = append(rs, a.rounds[i].perSec/b.rounds[i].perSec)
		}
	}
	return median(rs)
}

// sessionsCallees is the -sessions-callees flag: how many callee sessions
// serve each system's add in the many-sessions figures. With more than
// one, each registers add as a shared registration invoked round robin,
// as a service scaled out in production would, so that one callee
// session's read loop and writes are not what a thousand callers wait
// for.
var sessionsCallees = flag.Int("sessions-callees", 1, "callee sessions serving add in the many-sessions figures; above 1 they share a round-robin registration")

// sharedCallees dials one callee session of each system that registers
// add as a shared, round-robin registration, and returns their closes
// (those it dialled, even when it fails).
func sharedCallees(ctx context.Context, url string) ([]func(), error) {
	var stops []func()
	s, err := runtime.Dial(ctx, url, runtime.Config{Realm: router.DefaultRealm, Serializer: wamp.MsgPack})
	if err != nil {
		return stops, fmt.Errorf("%s: %w", sysGenerated, err)
	}
	stops = append(stops, closeSession(s))
	if _, err := calc.RegisterCalculator(ctx, s, &calc.Service{}, runtime.WithInvoke(runtime.InvokeRoundRobin)); err != nil {
		return stops, fmt.Errorf("%s: %w", sysGenerated, err)
	}
	c, err := dialNexus(ctx, url, serialize.MSGPACK)
	if err != nil {
		return stops, fmt.Errorf("%s: %w", sysNexus, err)
	}
	stops = append(stops, closeNexus(c))
	if err := c.Register(nexusAddURI, nexusAdd, nxwamp.Dict{"invoke": "roundrobin"}); err != nil {
		return stops, fmt.Errorf("%s: %w", sysNexus, err)
	}
	return stops, nil
}

// sessionsInflight is the -sessions-inflight flag: the calls each caller
// session has in flight, at least (max(N × it, -callers) callers in all).
// With one, the default, no session has two calls to write or read at
// once, so no system call carries more than one message: every CALL and
// RESULT costs a write and a read (and the read that finds nothing more)
// at each end, where the one-session figure shares each among dozens.
var sessionsInflight = flag.Int("sessions-inflight", 1, "calls in flight per caller session in the many-sessions figures: max(sessions × this, -callers) callers in all")

// sessionsTrace is the -sessions-trace flag: an execution trace of the
// many-sessions measurements, for go tool trace (where the goroutines of
// a thousand sessions wait, which a CPU profile does not show).
var sessionsTrace = flag.String("sessions-trace", "", "write an execution trace (go tool trace) of the many-sessions measurements to this file")

// startTrace starts an execution trace into path and returns its stop.
func startTrace(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		trace.Stop()
		f.Close()
	}, nil
}

// startCPUProfile starts a CPU profile into path and returns its stop.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
