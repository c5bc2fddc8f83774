package main

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/gen"
	"github.com/wampgen/wampgen/wamp"
)

// The go test side of the benchmark command: the same systems and
// measurements, one sub-benchmark per system and serializer, named
// SYSTEM/SERIALIZER (generated, runtime, nexus, floor, grpc, relay). The test
// suite runs them briefly (-benchtime=100x) so that they keep working:
//
//	cd bench && go test -run='^$' -bench=. -benchtime=100x .
//
// allocs/op of BenchmarkCall counts the whole process (router and callee
// included); BenchmarkCallerAllocs counts the caller's side only.

var (
	bedOnce sync.Once
	theBed  *bed
	bedErr  error
)

// testBed returns the bed shared by the tests and benchmarks of the run.
func testBed(tb testing.TB) *bed {
	tb.Helper()
	bedOnce.Do(func() { theBed, bedErr = newBed(context.Background()) })
	if bedErr != nil {
		tb.Fatal(bedErr)
	}
	return theBed
}

func TestMain(m *testing.M) {
	code := m.Run()
	if theBed != nil {
		theBed.close()
	}
	os.Exit(code)
}

func slug(s *system) string {
	name := map[string]string{sysGenerated: "generated", sysRuntime: "runtime", sysNexus: "nexus", sysGRPC: "grpc", sysRelay: "relay", sysFloor: "floor"}[s.name]
	switch s.name {
	case sysGRPC, sysRelay:
		return name
	}
	if setup, ok := strings.CutPrefix(s.name, interceptPrefix); ok {
		return "intercept/" + strings.ReplaceAll(setup, " ", "-")
	}
	return name + "/" + s.ser
}

// TestSystems makes one call, one short stream and short streamed inputs
// (one item: a single final CALL; 100 items) with every system; the
// wampgen client and nexus's client stream input.
func TestSystems(t *testing.T) {
	b := testBed(t)
	if len(b.systems) != 4*len(serializers)+2+len(interceptSetups) {
		t.Fatalf("%d systems", len(b.systems))
	}
	for _, s := range b.systems {
		t.Run(slug(s), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if err := s.call(ctx); err != nil {
				t.Fatal(err)
			}
			if s.stream != nil {
				if err := s.stream(ctx, 100); err != nil {
					t.Fatal(err)
				}
			}
			if want := s.name == sysGenerated || s.name == sysNexus; (s.input != nil) != want {
				t.Fatalf("has a streamed-input figure: %v, want %v", s.input != nil, want)
			}
			if s.input != nil {
				for _, n := range []int{1, 100} {
					if err := s.input(ctx, n); err != nil {
						t.Fatalf("streamed input of %d items: %v", n, err)
					}
				}
			}
		})
	}
}

// TestFloorConcurrent makes calls from many goroutines at once on each
// router floor's one connection.
func TestFloorConcurrent(t *testing.T) {
	for _, ser := range serializers {
		s := testBed(t).find(sysFloor, ser.name)
		t.Run(slug(s), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for range 64 {
				wg.Go(func() {
					for range 10 {
						if err := s.call(ctx); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// TestFloorAnswers checks that the router floor's caller takes only the
// RESULT of [3] for a request as success.
func TestFloorAnswers(t *testing.T) {
	const id = floorIDBase + 7
	for _, ser := range serializers {
		t.Run(ser.name, func(t *testing.T) {
			enc := func(m wamp.Message) []byte {
				b, err := ser.ours.Encode(m)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			fc := &floorClient{ser: ser.ours, result: enc(&wamp.Result{Request: floorIDBase + 1, Args: wamp.ArgsOf(3.0)})}
			var err error
			if fc.resultAt, fc.idWidth, err = idField(ser.ours, fc.result, floorIDBase+1); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				m      wamp.Message
				id     uint64
				wantOK bool
			}{
				{&wamp.Result{Request: id, Args: wamp.ArgsOf(3.0)}, id, true},
				{&wamp.Result{Request: id, Args: wamp.ArgsOf(4.0)}, id, false},
				{&wamp.Result{Request: id, Args: wamp.ArgsOf(3.0), Kwargs: wamp.PayloadOf(wamp.Dict{"x": 1})}, id, false},
				{&wamp.Result{Request: 7, Args: wamp.ArgsOf(3.0)}, 7, false},
				{&wamp.Error{RequestType: wamp.TypeCall, Request: id, Error: wamp.ErrNoSuchProcedure}, id, false},
				{&wamp.Goodbye{Reason: wamp.CloseRealm}, 0, false},
			} {
				got, err := fc.answers(enc(c.m))
				if got != c.id || (err == nil) != c.wantOK {
					t.Errorf("%T %+v: request %d, %v; want request %d, ok %v", c.m, c.m, got, err, c.id, c.wantOK)
				}
			}
		})
	}
}

// callerCommand starts this test binary as a caller process.
func callerCommand() []string { return []string{os.Args[0], "-test.run=^TestCallerProcess$"} }

// TestCallerProcess is the caller process of countCallerAllocs; without
// its environment it does nothing.
func TestCallerProcess(t *testing.T) {
	if _, err := callerProcess(t.Context(), os.Stdout); err != nil {
		t.Fatal(err)
	}
}

// TestCallerAllocs counts a caller's allocations in a process of its own:
// some, and fewer than the whole process makes per call.
func TestCallerAllocs(t *testing.T) {
	b := testBed(t)
	for _, s := range []*system{b.systems[0], b.find(sysNexus, "cbor")} {
		t.Run(slug(s), func(t *testing.T) {
			c, err := countCallerAllocs(t.Context(), s, 100, callerCommand(), "")
			if err != nil {
				t.Fatal(err)
			}
			p, err := processAllocs(t.Context(), s, 100)
			if err != nil {
				t.Fatal(err)
			}
			if c.Allocs <= 0 || c.Bytes <= 0 || c.Allocs >= p.Allocs {
				t.Errorf("caller %.1f allocs (%.0f B) per call, the whole process %.1f (%.0f B)", c.Allocs, c.Bytes, p.Allocs, p.Bytes)
			}
		})
	}
}

// TestBenchServiceGenerated checks that benchsvc's generated code is what
// wampgen generates now.
func TestBenchServiceGenerated(t *testing.T) {
	res, err := gen.Generate(gen.Config{Dir: "benchsvc"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 {
		t.Fatalf("generated %d files, want 1", len(res.Files))
	}
	have, err := os.ReadFile(res.Files[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, res.Files[0].Content) {
		t.Errorf("%s is stale: run go generate ./... in bench/", res.Files[0].Path)
	}
}

// TestGeneratorPackage generates a small package of the generator
// benchmark's shapes.
func TestGeneratorPackage(t *testing.T) {
	dir := t.TempDir()
	if err := writeGenPackage(dir, 2, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := generateOnce(dir, 2); err != nil {
		t.Fatal(err)
	}
}

func TestMedianPercentile(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median = %v", m)
	}
	var d []time.Duration
	for i := range 100 {
		d = append(d, time.Duration(i+1))
	}
	if p := percentile(d, 50); p != 50 {
		t.Errorf("p50 = %v", p)
	}
	if p := percentile(d, 99); p != 99 {
		t.Errorf("p99 = %v", p)
	}
}

// eachSystem runs f as a sub-benchmark for every system that has what
// the benchmark measures: a stream if stream, calls/s if throughput.
func eachSystem(b *testing.B, stream, throughput bool, f func(b *testing.B, s *system)) {
	eachSystemIf(b, func(s *system) bool {
		return (!stream || s.stream != nil) && (!throughput || !s.latencyOnly)
	}, f)
}

// eachSystemIf runs f as a sub-benchmark for every system that has.
func eachSystemIf(b *testing.B, has func(*system) bool, f func(b *testing.B, s *system)) {
	for _, s := range testBed(b).systems {
		if !has(s) {
			continue
		}
		b.Run(slug(s), func(b *testing.B) { f(b, s) })
	}
}

// BenchmarkCall: sequential calls; p50-µs and p99-µs are the percentiles of
// the iterations' latencies.
func BenchmarkCall(b *testing.B) {
	eachSystem(b, false, false, func(b *testing.B, s *system) {
		ctx := context.Background()
		var stop atomic.Bool
		lat := make([]time.Duration, 0, b.N)
		b.ReportAllocs()
		b.ResetTimer()
		if _, err := callerLoop(ctx, s.call, &stop, b.N, &lat); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(us(percentile(lat, 50)), "p50-µs")
		b.ReportMetric(us(percentile(lat, 99)), "p99-µs")
	})
}

// BenchmarkThroughput: b.N calls made by 64 concurrent callers, for the
// systems with a throughput figure (not the router floor's).
func BenchmarkThroughput(b *testing.B) {
	const callers = 64
	eachSystem(b, false, true, func(b *testing.B, s *system) {
		ctx := context.Background()
		var left atomic.Int64
		left.Store(int64(b.N))
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		b.ResetTimer()
		start, cpu0 := time.Now(), cpuTime()
		for range callers {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if err := s.call(ctx); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		elapsed, cpu := time.Since(start), cpuTime()-cpu0
		b.StopTimer()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
		b.ReportMetric(us(cpu)/float64(b.N), "cpu-µs/op")
	})
}

// BenchmarkStream: one op is one progressive result, received in streams
// of at most 10,000.
func BenchmarkStream(b *testing.B) {
	eachSystem(b, true, false, func(b *testing.B, s *system) {
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for left := b.N; left > 0; left -= 10000 {
			if err := s.stream(ctx, min(left, 10000)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "items/s")
	})
}

// BenchmarkStreamedInput: one op is one item of streamed input (progressive
// call invocations), sent in calls of at most 10,000 items.
func BenchmarkStreamedInput(b *testing.B) {
	eachSystemIf(b, func(s *system) bool { return s.input != nil }, func(b *testing.B, s *system) {
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for left := b.N; left > 0; left -= 10000 {
			if err := s.input(ctx, min(left, 10000)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "items/s")
	})
}

// BenchmarkCallerAllocs counts the allocations of a caller alone in a
// process of its own, over b.N sequential calls (see allocs.go); ns/op is
// the time to start that process and means nothing.
func BenchmarkCallerAllocs(b *testing.B) {
	eachSystem(b, false, false, func(b *testing.B, s *system) {
		c, err := countCallerAllocs(context.Background(), s, b.N, callerCommand(), "")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(c.Allocs, "caller-allocs/op")
		b.ReportMetric(c.Bytes, "caller-B/op")
	})
}

// BenchmarkGenerate runs wampgen on one package of b.N interfaces of 10
// methods each, so ns/op is the time per interface; -benchtime=100x
// measures the 100 × 10 package, and s/package reports its time.
func BenchmarkGenerate(b *testing.B) {
	dir := b.TempDir()
	if err := writeGenPackage(dir, b.N, 10); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	d, err := generateOnce(dir, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(d.Seconds(), "s/package")
	b.ReportMetric(float64(b.N), "interfaces")
}

func TestSlugsUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range testBed(t).systems {
		if seen[slug(s)] {
			t.Errorf("duplicate benchmark name %s", slug(s))
		}
		seen[slug(s)] = true
		if strings.ContainsAny(slug(s), " \t") {
			t.Errorf("benchmark name %q has spaces", slug(s))
		}
	}
}
