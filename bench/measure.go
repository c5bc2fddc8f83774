package main

import (
	"context"
	"fmt"
	goruntime "runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// callerLoop makes calls until stop is set or max calls (if max > 0) are
// made, appending each call's latency to lat when lat is not nil. Every
// measured call runs under this function, which is how allocs.go tells the
// caller's goroutines from the router's and the callee's.
//
//go:noinline
func callerLoop(ctx context.Context, call func(context.Context) error, stop *atomic.Bool, max int, lat *[]time.Duration) (int, error) {
	n := 0
	for (max <= 0 || n < max) && !stop.Load() {
		start := time.Now()
		if err := call(ctx); err != nil {
			return n, err
		}
		if lat != nil {
			*lat = append(*lat, time.Since(start))
		}
		n++
	}
	return n, nil
}

// latencySlices is how many turns each system takes in a round's latency
// measurement. Sequential latency moves with whatever else the machine
// runs, far more than throughput does; systems that take turns every few
// tens of milliseconds see the same neighbours, so their p50s compare.
const latencySlices = 8

// latencies makes calls one after another, each system in turn, for d in
// all per system, and returns the 50th and 99th percentiles of each
// system's latencies.
func latencies(ctx context.Context, systems []*system, d time.Duration) (p50, p99 []time.Duration, err error) {
	lat := make([][]time.Duration, len(systems))
	for range latencySlices {
		for i, s := range systems {
			var stop atomic.Bool
			t := time.AfterFunc(d/latencySlices, func() { stop.Store(true) })
			_, err := callerLoop(ctx, s.call, &stop, 0, &lat[i])
			t.Stop()
			if err != nil {
				return nil, nil, fmt.Errorf("%s over %s: latency: %w", s.name, s.ser, err)
			}
		}
	}
	for i, l := range lat {
		if len(l) == 0 {
			return nil, nil, fmt.Errorf("%s over %s: latency: no call finished in %v", systems[i].name, systems[i].ser, d)
		}
		slices.Sort(l)
		p50, p99 = append(p50, percentile(l, 50)), append(p99, percentile(l, 99))
	}
	return p50, p99, nil
}

// percentile returns the p-th percentile of sorted (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

// throughput runs callers goroutines that call as fast as they can for d,
// and returns the calls completed per second and the CPU time the whole
// process (caller, router, callee) spent per call. On a machine shared with
// other work, calls per second follow the share of the CPUs the process
// gets; CPU time per call hardly does.
func throughput(ctx context.Context, s *system, callers int, d time.Duration) (perSec float64, cpuPerCall time.Duration, err error) {
	var (
		stop  atomic.Bool
		total atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	start, cpu0 := time.Now(), cpuTime()
	t := time.AfterFunc(d, func() { stop.Store(true) })
	defer t.Stop()
	for range callers {
		wg.Go(func() {
			n, err := callerLoop(ctx, s.call, &stop, 0, nil)
			total.Add(int64(n))
			if err != nil {
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
		return 0, 0, first
	}
	n := total.Load()
	if n == 0 {
		return 0, 0, fmt.Errorf("no call finished in %v", d)
	}
	return float64(n) / elapsed.Seconds(), cpu / time.Duration(n), nil
}

// streamRate receives streams streams of n progressive results, one after
// another, and returns the items per second.
func streamRate(ctx context.Context, s *system, streams, n int) (float64, error) {
	start := time.Now()
	for range streams {
		if err := s.stream(ctx, n); err != nil {
			return 0, err
		}
	}
	return float64(streams*n) / time.Since(start).Seconds(), nil
}

// inputRate streams the input of calls calls, n numbers each, one call
// after another, and returns the items per second.
func inputRate(ctx context.Context, s *system, calls, n int) (float64, error) {
	start := time.Now()
	for range calls {
		if err := s.input(ctx, n); err != nil {
			return 0, err
		}
	}
	return float64(calls*n) / time.Since(start).Seconds(), nil
}

// processAllocs makes calls sequential calls and returns what the whole
// process allocated per call.
func processAllocs(ctx context.Context, s *system, calls int) (allocCount, error) {
	var stop atomic.Bool
	var m0, m1 goruntime.MemStats
	goruntime.ReadMemStats(&m0)
	if _, err := callerLoop(ctx, s.call, &stop, calls, nil); err != nil {
		return allocCount{}, err
	}
	goruntime.ReadMemStats(&m1)
	return allocCount{
		Allocs: float64(m1.Mallocs-m0.Mallocs) / float64(calls),
		Bytes:  float64(m1.TotalAlloc-m0.TotalAlloc) / float64(calls),
	}, nil
}

// warmUp makes calls for d so that pools, buffers and connections are in
// their steady state.
func warmUp(ctx context.Context, s *system, d time.Duration) error {
	var stop atomic.Bool
	t := time.AfterFunc(d, func() { stop.Store(true) })
	defer t.Stop()
	_, err := callerLoop(ctx, s.call, &stop, 0, nil)
	return err
}

// median returns the median of xs (the mean of the middle two for an even
// count); xs is sorted in place.
func median[T float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}
