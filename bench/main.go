// Command bench measures wampgen's typed calls side by side with nexus's
// client, the runtime's untyped Call, gRPC-Go and a bare WebSocket relay, in
// one process and one run, over loopback, and prints a table:
//
//	cd bench && go run .
//
// bench is a module of its own (github.com/wampgen/wampgen/bench), so that
// only it requires gRPC-Go; its go.mod replaces github.com/wampgen/wampgen
// with the directory above, so it measures the code beside it.
//
// Systems, each calling add(1, 2) with its callee on a session of its own:
//
//   - wampgen client: the generated calculator client (examples/calculator),
//     served by the generated registrar;
//   - runtime Call: runtime.Session.Call with an untyped handler;
//   - nexus client: github.com/gammazero/nexus/v3 v3.3.0's client, caller
//     and callee;
//
// all three through the same embedded router (package router: nexus v3.3.0
// behind the project's WebSocket transport and serializers; one router per
// serializer, as the calculator's URIs can be registered once per router)
// over WebSocket, for JSON, MsgPack and CBOR; and, as references:
//
//   - router floor: a caller and a callee with no client library, through
//     the same router, over WebSocket, per serializer (floor.go). Both join
//     with package wamp's encoder at setup; then the caller writes a
//     pre-encoded CALL with only its request ID patched and checks each
//     RESULT byte for byte, and the callee answers each INVOCATION with a
//     pre-encoded YIELD around the request ID that wamp's PeekHeader read.
//     It is the least time a WAMP client can take for a call through this
//     router, so its ×nexus p50 bounds what the p50 target (0.8× nexus)
//     can reach, and a client's p50 minus the floor's is what the client
//     itself spends. Latency only: it writes a frame per system call where
//     the clients and the router batch, so its calls/s and CPU per call
//     would bound nothing;
//   - gRPC unary: google.golang.org/grpc over loopback HTTP/2 with a
//     hand-written service description and protobuf wire format, one hop;
//   - WS relay floor: pre-encoded frames over two WebSocket hops
//     (client → relay → echo → relay → client) through gorilla's
//     per-message API: the two hops with no WAMP in them (the router,
//     which builds its own frames and batches its writes, can be faster).
//
// Figures: sequential latency (p50, p99), throughput with 64 concurrent
// callers on one connection and the CPU time the process spends per call
// meanwhile (not for the router floor), caller-side allocations and bytes per call (counted in a
// process that holds only the caller: allocs.go), progressive results per
// second in 10,000-item streams, items of streamed input per second in
// 10,000-item inputs (progressive call invocations: the generated client's
// sum against nexus's CallProgressive, one input per round, each to a callee
// of its own kind), and wampgen's time to generate a package
// of 100 interfaces × 10 methods. Each figure is the median of -rounds
// rounds; the systems take turns within a round, and each ratio to nexus's
// client is the median of the per-round ratios, so that a noisy neighbour
// hurts all of them alike. The same measurements run as go test benchmarks
// (bench_test.go).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	goruntime "runtime"
	"runtime/pprof"
	"strings"
	"time"
)

type options struct {
	rounds     int
	duration   time.Duration
	callers    int
	streamLen  int
	inputLen   int
	allocCalls int
	genIfaces  int
	genMethods int
	genRuns    int
	only       string
	cpuProfile string
	memProfile string
}

func main() {
	var o options
	flag.IntVar(&o.rounds, "rounds", 5, "rounds of measurements; figures are the medians")
	flag.DurationVar(&o.duration, "duration", 400*time.Millisecond, "duration of each latency and each throughput measurement")
	flag.IntVar(&o.callers, "callers", 64, "concurrent callers for the throughput figure")
	flag.IntVar(&o.streamLen, "stream", 10000, "progressive results in the streaming figure")
	flag.IntVar(&o.inputLen, "input", 10000, "items of streamed input (progressive call invocations) in the streamed-input figure")
	flag.IntVar(&o.allocCalls, "alloc-calls", 400, "calls whose allocations are counted")
	flag.IntVar(&o.genIfaces, "gen-interfaces", 100, "interfaces in the generator's package")
	flag.IntVar(&o.genMethods, "gen-methods", 10, "methods per interface in the generator's package")
	flag.IntVar(&o.genRuns, "gen-runs", 3, "generator runs; the figure is the median")
	flag.StringVar(&o.only, "only", "", "measure only the systems whose name contains this")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed measurements to this file")
	flag.StringVar(&o.memProfile, "caller-memprofile", "", "write a heap profile of every allocation of each caller process into this directory, as SYSTEM-SERIALIZER.pprof")
	flag.Parse()
	if child, err := callerProcess(context.Background(), os.Stdout); child {
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: caller process:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// sample is what one round measured of one system.
type sample struct {
	p50, p99 time.Duration
	perSec   float64       // calls per second with o.callers callers
	cpu      time.Duration // CPU time of the whole process per call, under load
	stream   float64       // progressive results per second; 0 without a stream
	input    float64       // items of streamed input per second; 0 without one
}

// figures are one system's results.
type figures struct {
	rounds       []sample
	med          sample     // the medians over the rounds
	allocs       allocCount // the caller's, per call
	processAlloc allocCount // the whole process's (caller, router, callee), per call
}

// Accessors for ratio.
func perSec(s sample) float64 { return s.perSec }
func cpuUS(s sample) float64  { return us(s.cpu) }
func p50US(s sample) float64  { return us(s.p50) }
func stream(s sample) float64 { return s.stream }
func input(s sample) float64  { return s.input }

// ratio compares a with b: the median, over the rounds, of the ratio of
// their figures in the same round. Systems take turns within a round, so
// each pair was measured close together in time, under the same load.
func ratio(a, b *figures, x func(sample) float64) float64 {
	var rs []float64
	for i := range min(len(a.rounds), len(b.rounds)) {
		xa, xb := x(a.rounds[i]), x(b.rounds[i])
		if xa > 0 && xb > 0 {
			rs = append(rs, xa/xb)
		}
	}
	return median(rs)
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	started := time.Now()
	logf := func(format string, args ...any) {
		fmt.Fprintf(stderr, "[%5.1fs] "+format+"\n", append([]any{time.Since(started).Seconds()}, args...)...)
	}
	b, err := newBed(ctx)
	if err != nil {
		return err
	}
	defer b.close()
	var systems []*system
	for _, s := range b.systems {
		if o.only == "" || strings.Contains(s.name, o.only) {
			systems = append(systems, s)
		}
	}
	logf("%d systems ready; warming up", len(systems))
	for _, s := range systems {
		if err := warmUp(ctx, s, o.duration/4); err != nil {
			return fmt.Errorf("%s over %s: %w", s.name, s.ser, err)
		}
	}

	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	res := make(map[*system]*figures, len(systems))
	for _, s := range systems {
		res[s] = &figures{}
	}
	for r := range o.rounds {
		logf("round %d of %d", r+1, o.rounds)
		p50, p99, err := latencies(ctx, systems, o.duration)
		if err != nil {
			return err
		}
		for i, s := range systems {
			sm := sample{p50: p50[i], p99: p99[i]}
			var err error
			if !s.latencyOnly {
				if sm.perSec, sm.cpu, err = throughput(ctx, s, o.callers, o.duration); err != nil {
					return fmt.Errorf("%s over %s: throughput: %w", s.name, s.ser, err)
				}
			}
			if s.stream != nil && o.streamLen > 0 {
				if sm.stream, err = streamRate(ctx, s, 2, o.streamLen); err != nil {
					return fmt.Errorf("%s over %s: stream: %w", s.name, s.ser, err)
				}
			}
			if s.input != nil && o.inputLen > 0 {
				if sm.input, err = inputRate(ctx, s, 1, o.inputLen); err != nil {
					return fmt.Errorf("%s over %s: streamed input: %w", s.name, s.ser, err)
				}
			}
			res[s].rounds = append(res[s].rounds, sm)
		}
	}
	if o.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	for _, s := range systems {
		f := res[s]
		var p50, p99, cpu []time.Duration
		var thr, str, in []float64
		for _, sm := range f.rounds {
			p50, p99, cpu = append(p50, sm.p50), append(p99, sm.p99), append(cpu, sm.cpu)
			thr, str, in = append(thr, sm.perSec), append(str, sm.stream), append(in, sm.input)
		}
		f.med = sample{p50: median(p50), p99: median(p99), perSec: median(thr), cpu: median(cpu), stream: median(str), input: median(in)}
	}
	logf("counting allocations (%d calls each; callers alone in a child process)", o.allocCalls)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	for _, s := range systems {
		if res[s].processAlloc, err = processAllocs(ctx, s, o.allocCalls); err != nil {
			return fmt.Errorf("%s over %s: allocations: %w", s.name, s.ser, err)
		}
		var prof string
		if o.memProfile != "" {
			prof = filepath.Join(o.memProfile, strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(s.name+"-"+s.ser)+".pprof")
		}
		if res[s].allocs, err = countCallerAllocs(ctx, s, o.allocCalls, []string{self}, prof); err != nil {
			return fmt.Errorf("%s over %s: allocations: %w", s.name, s.ser, err)
		}
	}
	var genTime time.Duration
	if o.genRuns > 0 {
		logf("generating %d interfaces × %d methods, %d times", o.genIfaces, o.genMethods, o.genRuns)
		genTime, err = generatorTime(o)
		if err != nil {
			return fmt.Errorf("generator: %w", err)
		}
	}
	logf("done")
	printReport(stdout, o, b, systems, res, genTime, time.Since(started))
	return nil
}

func generatorTime(o options) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "wampgen-bench-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	if err := writeGenPackage(dir, o.genIfaces, o.genMethods); err != nil {
		return 0, err
	}
	var times []time.Duration
	for range o.genRuns {
		d, err := generateOnce(dir, o.genIfaces)
		if err != nil {
			return 0, err
		}
		times = append(times, d)
	}
	return median(times), nil
}

func printReport(w io.Writer, o options, b *bed, systems []*system, res map[*system]*figures, genTime, total time.Duration) {
	fmt.Fprintf(w, "wampgen benchmarks: %d CPUs (GOMAXPROCS %d), %s %s/%s; %d rounds of %v per figure; %d concurrent callers; streams of %d items; streamed inputs of %d items; run took %.0fs\n\n",
		goruntime.NumCPU(), goruntime.GOMAXPROCS(0), goruntime.Version(), goruntime.GOOS, goruntime.GOARCH,
		o.rounds, o.duration, o.callers, o.streamLen, o.inputLen, total.Seconds())
	fmt.Fprintln(w, "| system | serializer | p50 µs | p99 µs | calls/s | CPU µs/call | ×nexus calls/s | ×nexus CPU/call | ×nexus p50 | caller allocs/call | caller B/call | ×nexus allocs | stream items/s | ×nexus stream | input items/s | ×nexus input |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, s := range systems {
		f := res[s]
		nx, mark := nexusFor(b, res, s)
		x := func(v float64) string {
			if nx == nil || v == 0 {
				return "–"
			}
			return fmt.Sprintf("%.2f%s", v, mark)
		}
		var rThr, rCPU, rP50, rAllocs, rStream, rInput float64
		if nx != nil {
			rThr, rCPU, rP50, rStream, rInput = ratio(f, nx, perSec), ratio(f, nx, cpuUS), ratio(f, nx, p50US), ratio(f, nx, stream), ratio(f, nx, input)
			rAllocs = f.allocs.Allocs / nx.allocs.Allocs
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %.0f | %s | %s | %s | %s | %s | %.1f | %.0f | %s | %s | %s | %s | %s |\n",
			s.name, s.ser, us(f.med.p50), us(f.med.p99), orDash("%.0f", f.med.perSec), orDash("%.1f", us(f.med.cpu)),
			x(rThr), x(rCPU), x(rP50), f.allocs.Allocs, f.allocs.Bytes, x(rAllocs), orDash("%.0f", f.med.stream), x(rStream),
			orDash("%.0f", f.med.input), x(rInput))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Figures are medians over the rounds; a ×nexus column is the median of the per-round ratios to nexus's client on the")
	fmt.Fprintln(w, "same serializer († on MsgPack). CPU µs/call is the CPU time of the whole process (callers, router, callee) per call in")
	fmt.Fprintln(w, "the throughput runs: unlike calls/s it hardly changes with what else the machine runs. The router floor has no")
	fmt.Fprintln(w, "throughput figures: it writes a frame per system call where clients and router batch, so they would bound nothing.")
	fmt.Fprintln(w, "Caller allocs and B per call: the caller alone, in a process of its own (allocs.go). Per call, the whole process")
	fmt.Fprint(w, "(caller, router, callee) allocates")
	for i, s := range systems {
		sep := ","
		if i == len(systems)-1 {
			sep = "."
		}
		fmt.Fprintf(w, " %s/%s %.0f (%.0f B)%s", s.name, s.ser, res[s].processAlloc.Allocs, res[s].processAlloc.Bytes, sep)
	}
	fmt.Fprintln(w)
	if genTime > 0 {
		fmt.Fprintf(w, "\nwampgen: %d interfaces × %d methods generated in %.2fs (median of %d runs: load, check, emit, format; nothing written)\n",
			o.genIfaces, o.genMethods, genTime.Seconds(), o.genRuns)
	}
	printInterceptReport(w, systems, res)
	printTargets(w, b, systems, res, genTime, o)
}

// nexusFor returns the figures of nexus's client to compare s with: on the
// same serializer, or on MsgPack (marked †) for gRPC and the relay.
func nexusFor(b *bed, res map[*system]*figures, s *system) (*figures, string) {
	ser, mark := s.ser, ""
	if s.name == sysGRPC || s.name == sysRelay {
		ser, mark = "msgpack", "†"
	}
	if n := b.find(sysNexus, ser); n != nil && res[n] != nil {
		return res[n], mark
	}
	return nil, ""
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// orDash formats v, or returns "–" for a figure not measured (0).
func orDash(format string, v float64) string {
	if v == 0 {
		return "–"
	}
	return fmt.Sprintf(format, v)
}

// printTargets checks the goals against the figures. They are
// goals a run reports on, not assertions: a loaded machine moves them.
func printTargets(w io.Writer, b *bed, systems []*system, res map[*system]*figures, genTime time.Duration, o options) {
	fmt.Fprintln(w, "\nTargets (goals, reported not asserted):")
	get := func(name, ser string) *figures {
		if s := b.find(name, ser); s != nil {
			return res[s] // nil when not measured (-only)
		}
		return nil
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	grpc := get(sysGRPC, "protobuf wire")
	for _, ser := range serializers {
		g, r, n := get(sysGenerated, ser.name), get(sysRuntime, ser.name), get(sysNexus, ser.name)
		if g == nil {
			continue
		}
		if n != nil {
			x := ratio(g, n, perSec)
			fmt.Fprintf(w, "  %-8s throughput ≥ 1.5× nexus: %.2f× (CPU per call %.2f×) — %s\n", ser.name, x, ratio(g, n, cpuUS), verdict(x >= 1.5))
			x = ratio(g, n, p50US)
			fmt.Fprintf(w, "  %-8s p50 ≤ 0.8× nexus: %.2f× — %s\n", ser.name, x, verdict(x <= 0.8))
			if fl := get(sysFloor, ser.name); fl != nil {
				// What a client may spend above the floor to meet the
				// target, against what wampgen's spends: from the same
				// per-round ratios as the verdicts, in µs of nexus's p50,
				// so that the room is negative exactly when the floor
				// itself misses the target.
				xg := ratio(g, n, p50US)
				x = ratio(fl, n, p50US)
				room, spent := (0.8-x)*us(n.med.p50), (xg-x)*us(n.med.p50)
				reach := "out of any client's reach on this router"
				if x <= 0.8 {
					reach = "within reach"
				}
				fmt.Fprintf(w, "  %-8s   router floor's p50: %.2f× nexus; 0.8× leaves a client %+.1f µs over it, wampgen spends %+.1f µs — %s\n",
					ser.name, x, room, spent, reach)
			}
			x = g.allocs.Allocs / n.allocs.Allocs
			fmt.Fprintf(w, "  %-8s caller allocs ≤ ⅓ nexus: %.2f× (%.1f vs %.1f) — %s\n", ser.name, x, g.allocs.Allocs, n.allocs.Allocs, verdict(x <= 1.0/3))
		}
		if r != nil {
			xt, xc, xl := ratio(g, r, perSec), ratio(g, r, cpuUS), ratio(g, r, p50US)
			fmt.Fprintf(w, "  %-8s within 5%% of runtime Call: throughput %.2f×, CPU per call %.2f×, p50 %.2f× — %s\n",
				ser.name, xt, xc, xl, verdict(xt >= 0.95 && xl <= 1.05))
		}
		if grpc != nil {
			x := ratio(g, grpc, perSec)
			fmt.Fprintf(w, "  %-8s throughput ≥ gRPC unary: %.2f× (CPU per call %.2f×) — %s\n", ser.name, x, ratio(g, grpc, cpuUS), verdict(x >= 1))
		}
	}
	if genTime > 0 && o.genIfaces == 100 && o.genMethods == 10 {
		fmt.Fprintf(w, "  wampgen 100 × 10 under 2s: %.2fs — %s\n", genTime.Seconds(), verdict(genTime < 2*time.Second))
	}
}
