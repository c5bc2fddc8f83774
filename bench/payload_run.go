package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// payloadReport is what the payload part measured.
type payloadReport struct {
	o      payloadOptions
	routes []route
	cases  []payloadCase
	res    map[payloadCase][]*figures // per route, in the order of routes
	took   time.Duration
	allocs time.Duration // of took, counting the callers' allocations
}

// runPayloads measures the payload figures: each payload's systems take
// turns within a round, as the main table's do. It returns nil for
// -payloads=none.
//
// memProfile, if set, is a directory where each caller process writes a heap
// profile of every allocation (see -caller-memprofile).
func runPayloads(ctx context.Context, o payloadOptions, allocCalls int, self, memProfile string, logf func(string, ...any)) (*payloadReport, error) {
	started := time.Now()
	rs, err := routes(o.set)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	cases, err := payloadCases(o.set, o.sizes)
	if err != nil {
		return nil, err
	}
	b, err := newPayloadBed(ctx, rs)
	if err != nil {
		return nil, err
	}
	defer b.close()
	rep := &payloadReport{o: o, routes: rs, res: map[payloadCase][]*figures{}}
	systems := map[payloadCase][]*system{}
	rep.cases = cases
	for _, c := range cases {
		for _, pc := range b.callers {
			systems[c] = append(systems[c], pc.system(c))
			rep.res[c] = append(rep.res[c], &figures{})
		}
	}
	logf("payloads: %d routes × %d payloads ready; warming up", len(rs), len(rep.cases))
	for _, c := range rep.cases {
		for _, s := range systems[c] {
			if err := warmUp(ctx, s, o.duration/8); err != nil {
				return nil, fmt.Errorf("payload %s: %s over %s: %w", c, s.name, s.ser, err)
			}
		}
	}
	for r := range o.rounds {
		logf("payloads: round %d of %d", r+1, o.rounds)
		for _, c := range rep.cases {
			p50, p99, err := latencies(ctx, systems[c], o.duration)
			if err != nil {
				return nil, fmt.Errorf("payload %s: %w", c, err)
			}
			for i, s := range systems[c] {
				sm := sample{p50: p50[i], p99: p99[i]}
				if sm.perSec, sm.cpu, err = throughput(ctx, s, payloadCallers(c.size), o.duration); err != nil {
					return nil, fmt.Errorf("payload %s: %s over %s: throughput: %w", c, s.name, s.ser, err)
				}
				rep.res[c][i].rounds = append(rep.res[c][i].rounds, sm)
			}
		}
	}
	for _, c := range rep.cases {
		for _, f := range rep.res[c] {
			var p50, p99, cpu []time.Duration
			var thr []float64
			for _, sm := range f.rounds {
				p50, p99, cpu, thr = append(p50, sm.p50), append(p99, sm.p99), append(cpu, sm.cpu), append(thr, sm.perSec)
			}
			f.med = sample{p50: median(p50), p99: median(p99), perSec: median(thr), cpu: median(cpu)}
		}
	}
	logf("payloads: counting the callers' allocations (child processes)")
	allocStart := time.Now()
	for _, c := range rep.cases {
		for i, s := range systems[c] {
			child := &system{name: payloadChildName(rs[i], c), ser: s.ser, addr: s.addr}
			var prof string
			if memProfile != "" {
				prof = filepath.Join(memProfile, strings.NewReplacer(" ", "-", "→", "-to-").Replace("payload-"+s.name+"-"+s.ser+"-"+c.String())+".pprof")
			}
			if rep.res[c][i].allocs, err = countCallerAllocs(ctx, child, payloadAllocCalls(c.size, allocCalls), []string{self}, prof); err != nil {
				return nil, fmt.Errorf("payload %s: %s over %s: allocations: %w", c, s.name, s.ser, err)
			}
		}
	}
	rep.allocs = time.Since(allocStart)
	rep.took = time.Since(started)
	return rep, nil
}

// payloadChildPrefix starts the system name of a payload caller in a child
// process (allocs.go): the route and the payload follow, separated by |.
const payloadChildPrefix = "payload|"

func payloadChildName(r route, c payloadCase) string {
	return payloadChildPrefix + strings.Join([]string{r.sys, r.caller, r.callee, c.kind, strconv.Itoa(c.size)}, "|")
}

// payloadChildCaller is newCaller for a payload caller in a child process:
// spec is its system name without payloadChildPrefix.
func payloadChildCaller(ctx context.Context, spec, addr string) (*system, error) {
	f := strings.Split(spec, "|")
	if len(f) != 5 {
		return nil, fmt.Errorf("payload caller %q", spec)
	}
	size, err := strconv.Atoi(f[4])
	if err != nil {
		return nil, fmt.Errorf("payload caller %q: %w", spec, err)
	}
	pc, err := newPayloadCaller(ctx, route{sys: f[0], caller: f[1], callee: f[2]}, addr)
	if err != nil {
		return nil, err
	}
	s := pc.system(payloadCase{kind: f[3], size: size})
	s.close = pc.close
	return s, nil
}

// find returns the figures of route r for payload c, or nil.
func (rep *payloadReport) find(c payloadCase, r route) *figures {
	for i, x := range rep.routes {
		if x.sys == r.sys && x.caller == r.caller && x.callee == r.callee {
			return rep.res[c][i]
		}
	}
	return nil
}

// payloadBudget is the target for caller bytes per call: 2 × payload + 1 KiB.
func payloadBudget(size int) float64 { return float64(2*size + 1024) }

func printPayloads(w io.Writer, rep *payloadReport) {
	if rep == nil {
		return
	}
	o := rep.o
	fmt.Fprintf(w, "\nPayload sizes (-payloads=%s): each call echoes its payload, checked on return; %d rounds of %v per figure; calls/s with 64 callers up to 1 KiB, 16 at 64 KiB, 2 at 1 MiB; MB/s = payload × calls/s, each way; part took %.0fs (%.0fs of it counting allocations)\n",
		o.set, o.rounds, o.duration, rep.took.Seconds(), rep.allocs.Seconds())
	printRecordSizes(w, rep)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| payload | system | serializer | p50 µs | p99 µs | calls/s | MB/s | CPU µs/call | caller allocs/call | caller B/call | ×nexus calls/s | ×gRPC calls/s | targets |")
	fmt.Fprintln(w, "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	var met, unmet []string
	grpcRoute := route{sys: sysGRPC, caller: "protobuf wire", callee: "protobuf wire"}
	for _, c := range rep.cases {
		g := rep.find(c, grpcRoute)
		for i, r := range rep.routes {
			if r.caller != r.callee {
				continue // in the cross-serializer table
			}
			f := rep.res[c][i]
			n := rep.find(c, route{sys: sysNexus, caller: r.caller, callee: r.callee})
			xn, xg := "–", "–"
			var targets []string
			if n != nil && r.sys != sysNexus && r.sys != sysGRPC {
				x := ratio(f, n, perSec)
				xn = fmt.Sprintf("%.2f", x)
				targets = append(targets, verdictMark(x >= 1.5)+" ≥1.5× nexus")
				note := fmt.Sprintf("%s %s %s: %.2f× nexus's calls/s", c, r.sys, r, x)
				if x >= 1.5 {
					met = append(met, note)
				} else {
					unmet = append(unmet, note)
				}
			}
			if g != nil && r.sys != sysGRPC {
				x := ratio(f, g, perSec)
				xg = fmt.Sprintf("%.2f", x)
				if r.sys == sysGenerated {
					targets = append(targets, verdictMark(x >= 1)+" ≥ gRPC")
					note := fmt.Sprintf("%s %s %s: %.2f× gRPC's calls/s", c, r.sys, r, x)
					if x >= 1 {
						met = append(met, note)
					} else {
						unmet = append(unmet, note)
					}
				}
			}
			if r.sys == sysGenerated {
				ok := f.allocs.Bytes <= payloadBudget(c.size)
				targets = append(targets, verdictMark(ok)+" B ≤ 2×+1K")
				note := fmt.Sprintf("%s %s %s: caller %.0f B/call, budget %.0f", c, r.sys, r, f.allocs.Bytes, payloadBudget(c.size))
				if ok {
					met = append(met, note)
				} else {
					unmet = append(unmet, note)
				}
			}
			fmt.Fprintf(w, "| %s | %s | %s | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %.0f | %s | %s | %s |\n",
				c, r.sys, r, us(f.med.p50), us(f.med.p99), f.med.perSec, f.med.perSec*float64(c.size)/1e6, us(f.med.cpu),
				f.allocs.Allocs, f.allocs.Bytes, xn, xg, strings.Join(targets, ", "))
		}
	}
	// Cross-serializer: each route whose caller and callee differ, against
	// the same system on either serializer alone.
	var cross []route
	for _, r := range rep.routes {
		if r.caller != r.callee {
			cross = append(cross, r)
		}
	}
	if len(cross) > 0 {
		fmt.Fprintln(w, "\nCross-serializer: the router converts every payload both ways (CALL→INVOCATION, YIELD→RESULT); ×same is the median of per-round ratios")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| payload | system | route | p50 µs | calls/s | MB/s | CPU µs/call | caller B/call | same A→A calls/s | ×A→A | same B→B calls/s | ×B→B | target ≥ 0.7× (64 KiB, 1 MiB) |")
		fmt.Fprintln(w, "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
		for _, c := range rep.cases {
			for _, r := range cross {
				f := rep.find(c, r)
				a := rep.find(c, route{sys: r.sys, caller: r.caller, callee: r.caller})
				b := rep.find(c, route{sys: r.sys, caller: r.callee, callee: r.callee})
				cell := func(s *figures) (string, string, float64) {
					if s == nil {
						return "–", "–", 0
					}
					x := ratio(f, s, perSec)
					return fmt.Sprintf("%.0f", s.med.perSec), fmt.Sprintf("%.2f", x), x
				}
				aThr, aX, xa := cell(a)
				bThr, bX, xb := cell(b)
				target := "–"
				if c.size >= 64<<10 {
					ok := (a == nil || xa >= 0.7) && (b == nil || xb >= 0.7)
					target = verdictMark(ok)
					note := fmt.Sprintf("%s %s %s: %s× %s→%s, %s× %s→%s", c, r.sys, r, aX, r.caller, r.caller, bX, r.callee, r.callee)
					if ok {
						met = append(met, note)
					} else {
						unmet = append(unmet, note)
					}
				}
				fmt.Fprintf(w, "| %s | %s | %s | %.0f | %.0f | %.1f | %.1f | %.0f | %s | %s | %s | %s | %s |\n",
					c, r.sys, r, us(f.med.p50), f.med.perSec, f.med.perSec*float64(c.size)/1e6, us(f.med.cpu), f.allocs.Bytes,
					aThr, aX, bThr, bX, target)
			}
		}
	}
	fmt.Fprintf(w, "\nPayload targets (goals, reported not asserted): %d met, %d NOT met", len(met), len(unmet))
	if len(unmet) == 0 {
		fmt.Fprintln(w, ".")
		return
	}
	fmt.Fprintln(w, ":")
	for _, u := range unmet {
		fmt.Fprintf(w, "  NOT met: %s\n", u)
	}
}

func verdictMark(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// printRecordSizes says how large the records payloads are in each format.
func printRecordSizes(w io.Writer, rep *payloadReport) {
	var parts []string
	for _, c := range rep.cases {
		if c.kind != "records" {
			continue
		}
		rs := payloadRecords(c.size)
		enc := func(s *wamp.Serializer) int {
			b, err := s.EncodeValue(rs)
			if err != nil {
				return 0
			}
			return len(b)
		}
		pb := (&recordsMsg{Records: rs}).size()
		parts = append(parts, fmt.Sprintf("%s = %d × benchsvc.Record (MsgPack %d B, CBOR %d B, JSON %d B, protobuf %d B)",
			c, len(rs), enc(wamp.MsgPack), enc(wamp.CBOR), enc(wamp.JSON), pb))
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "Records payloads: %s; the bytes payloads are JSON \"\\u0000\"+base64, 4/3 larger there.\n", strings.Join(parts, "; "))
	}
}
