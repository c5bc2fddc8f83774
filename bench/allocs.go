package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	goruntime "runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"
)

// Caller-side allocations.
//
// A process that runs the router and the callee too cannot tell the
// caller's allocations from theirs: testing's allocs/op counts all of them,
// and Go's heap profiler, which could attribute allocations by stack, never
// sees the small pointer-free allocations the runtime packs into one 16-byte
// block (a boxed float64, for one). So each caller is also run alone, in a
// child process of the same binary that connects to this process's router
// (or gRPC server, or relay) over loopback, and the runtime's exact counts
// of that process (runtime.MemStats.Mallocs and TotalAlloc) around a number
// of sequential calls are the caller's allocations: the client's calling
// goroutine and its read loop, writer and whatever else the client runs.

// allocCount is what a caller allocated per call.
type allocCount struct {
	Allocs float64 `json:"allocs"`
	Bytes  float64 `json:"bytes"`
}

// callerSpec tells a caller process what to call.
type callerSpec struct {
	System string `json:"system"`
	Ser    string `json:"ser"`
	Addr   string `json:"addr"`
	Calls  int    `json:"calls"`
	// MemProfile, if set, is where the process writes a heap profile that
	// records every allocation of the counted calls.
	MemProfile string `json:"memprofile,omitempty"`
}

// callerEnv holds the callerSpec, as JSON, of a caller process.
const callerEnv = "WAMPGEN_BENCH_CALLER"

// callerMark starts the line a caller process reports on.
const callerMark = "wampgen-bench-caller: "

// countCallerAllocs runs a caller of s in a child process, started with
// command, for calls sequential calls, and returns its allocations per
// call.
func countCallerAllocs(ctx context.Context, s *system, calls int, command []string, memProfile string) (allocCount, error) {
	spec, err := json.Marshal(callerSpec{System: s.name, Ser: s.ser, Addr: s.addr, Calls: calls, MemProfile: memProfile})
	if err != nil {
		return allocCount{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, command[0], command[1:]...)
	cmd.Env = append(os.Environ(), callerEnv+"="+string(spec))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return allocCount{}, fmt.Errorf("caller process: %w\n%s%s", err, out, stderr.Bytes())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), callerMark); ok {
			var c allocCount
			if err := json.Unmarshal([]byte(line), &c); err != nil {
				return allocCount{}, fmt.Errorf("caller process: %w", err)
			}
			return c, nil
		}
	}
	return allocCount{}, fmt.Errorf("caller process reported nothing:\n%s%s", out, stderr.Bytes())
}

// callerProcess is the child's side of countCallerAllocs: when the
// environment holds a callerSpec, it makes the calls, writes its count to w
// and reports true.
func callerProcess(ctx context.Context, w io.Writer) (bool, error) {
	env := os.Getenv(callerEnv)
	if env == "" {
		return false, nil
	}
	var spec callerSpec
	if err := json.Unmarshal([]byte(env), &spec); err != nil {
		return true, fmt.Errorf("%s: %w", callerEnv, err)
	}
	s, err := newCaller(ctx, spec.System, spec.Ser, spec.Addr)
	if err != nil {
		return true, err
	}
	defer s.close()
	var stop atomic.Bool
	// Warm up, so that pools, buffers and maps have their steady size.
	// (At most spec.Calls: the payload figures count few calls of 1 MiB.)
	if _, err := callerLoop(ctx, s.call, &stop, max(spec.Calls/4, min(spec.Calls, 200)), nil); err != nil {
		return true, err
	}
	var m0, m1 goruntime.MemStats
	goruntime.GC()
	if spec.MemProfile != "" {
		goruntime.MemProfileRate = 1
	}
	goruntime.ReadMemStats(&m0)
	if _, err := callerLoop(ctx, s.call, &stop, spec.Calls, nil); err != nil {
		return true, err
	}
	goruntime.ReadMemStats(&m1)
	if spec.MemProfile != "" {
		if err := writeHeapProfile(spec.MemProfile); err != nil {
			return true, err
		}
	}
	c := allocCount{
		Allocs: float64(m1.Mallocs-m0.Mallocs) / float64(spec.Calls),
		Bytes:  float64(m1.TotalAlloc-m0.TotalAlloc) / float64(spec.Calls),
	}
	b, err := json.Marshal(c)
	if err != nil {
		return true, err
	}
	_, err = fmt.Fprintf(w, "%s%s\n", callerMark, b)
	return true, err
}

// writeHeapProfile writes the heap profile, with every allocation made
// since MemProfileRate was set to 1, to path.
func writeHeapProfile(path string) error {
	goruntime.GC() // the profile shows allocations as of the last GC
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
