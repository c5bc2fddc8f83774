package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	nxclient "github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	nxwamp "github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/bench/streamsvc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/wamp"
)

// Streams of byte items.
//
// The stream column of the main table streams integers. Here each system
// receives streams of -stream-items items of each of -stream-sizes bytes
// (10,000 items of 16 B and of 1 KiB by default) as progressive results,
// and checks every item's length and content: the generated client of
// streamsvc.Items served by the generated registrar, nexus's client served
// by a nexus callee (on JSON both send binary by the WAMP convention, a
// string of "\x00" and base64), each through a router of its own per
// serializer, and gRPC-Go server streaming over loopback HTTP/2 (a
// hand-written service description in the protobuf wire format,
// streams_grpc.go). The generated and gRPC callees reuse one buffer for their items
// (both encode an item before they return from sending it); nexus's cannot. Each
// round, the systems take turns at each size, one stream each; the figure is
// the median over the rounds of the items per second, and
// each ratio the median of the per-round ratios.

// Systems of the streams figures, by name (the WAMP ones share theirs with
// the main table).
const sysGRPCStream = "gRPC server streaming"

const nexusItemsURI = "com.example.nxcall.items"

// itemsSystem is one way of receiving a stream of byte items.
type itemsSystem struct {
	name, ser string
	items     func(ctx context.Context, n, size int) error
}

// itemsFigures are one system's results at one item size.
type itemsFigures struct {
	sys    *itemsSystem
	size   int
	rounds []float64       // items/s
	cpu    []time.Duration // CPU time of the whole process per item
	perSec float64         // median
	cpuMed time.Duration   // median
	err    error           // the stream that failed; no rounds after it
}

type streamsResult struct {
	figs []*itemsFigures
	took time.Duration
}

// measureStreams runs the streams figures.
func measureStreams(ctx context.Context, o options, stderr io.Writer, logf func(string, ...any)) (*streamsResult, error) {
	started := time.Now()
	sizes, err := parseCounts(o.streamSizes)
	if err != nil {
		return nil, fmt.Errorf("-stream-sizes: %w", err)
	}
	res := &streamsResult{}
	if len(sizes) == 0 || o.streamItems <= 0 {
		return res, nil
	}
	var cl closers
	defer func() { cl.run() }()
	var systems []*itemsSystem
	add := func(s *itemsSystem) {
		if o.only == "" || strings.Contains(s.name, o.only) {
			systems = append(systems, s)
		}
	}
	for _, ser := range serializers {
		// The routers' outbound queues hold a whole stream, in messages and
		// in bytes (10,000 JSON items of 1 KiB are 14 MB in base64), so that
		// a caller the machine's load holds back is not dropped as a slow
		// client; what the routers warn about goes to stderr.
		r, err := router.Start(ctx, router.Config{
			WebSocketAddr:  "127.0.0.1:0",
			OutQueueSize:   1 << 15,
			MaxQueuedBytes: 64 << 20,
			Logger:         slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		})
		if err != nil {
			return nil, err
		}
		cl.add(func() { r.Close() })
		url := r.WebSocketURL()
		gen, err := generatedItems(ctx, url, ser.ours, &cl)
		if err != nil {
			return nil, fmt.Errorf("streams: %s over %s: %w", sysGenerated, ser.name, err)
		}
		add(gen)
		nx, err := nexusItems(ctx, url, ser.nexus, ser.name, &cl)
		if err != nil {
			return nil, fmt.Errorf("streams: %s over %s: %w", sysNexus, ser.name, err)
		}
		add(nx)
	}
	addr, stop, err := grpcItemsServer(ctx)
	if err != nil {
		return nil, fmt.Errorf("streams: %s: %w", sysGRPCStream, err)
	}
	cl.add(stop)
	items, stop, err := grpcItemsCaller(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("streams: %s: %w", sysGRPCStream, err)
	}
	cl.add(stop)
	add(&itemsSystem{name: sysGRPCStream, ser: "protobuf wire", items: items})

	for _, size := range sizes {
		for _, s := range systems {
			res.figs = append(res.figs, &itemsFigures{sys: s, size: size})
		}
	}
	logf("streams: %d systems ready; warming up", len(systems))
	for _, f := range res.figs {
		if err := f.sys.items(ctx, min(o.streamItems, 1000), f.size); err != nil {
			return nil, fmt.Errorf("streams: %s over %s, %d B items: %w", f.sys.name, f.sys.ser, f.size, err)
		}
	}
	if o.streamsCPUProfile != "" {
		stop, err := startCPUProfile(o.streamsCPUProfile)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	for round := range o.scaleRounds {
		logf("streams: round %d of %d", round+1, o.scaleRounds)
		for _, f := range res.figs {
			if f.err != nil {
				continue
			}
			start, cpu0 := time.Now(), cpuTime()
			if err := f.sys.items(ctx, o.streamItems, f.size); err != nil {
				// Reported with the figures; the other systems go on.
				f.err = fmt.Errorf("round %d: %w", round+1, err)
				logf("streams: %s over %s, %d B items: %v", f.sys.name, f.sys.ser, f.size, f.err)
				continue
			}
			f.rounds = append(f.rounds, float64(o.streamItems)/time.Since(start).Seconds())
			f.cpu = append(f.cpu, (cpuTime()-cpu0)/time.Duration(o.streamItems))
		}
	}
	for _, f := range res.figs {
		f.perSec = median(append([]float64(nil), f.rounds...))
		f.cpuMed = median(append([]time.Duration(nil), f.cpu...))
	}
	res.took = time.Since(started)
	return res, nil
}

// generatedItems serves streamsvc.Items with the generated registrar and
// receives it with the generated client, each on a session of its own.
func generatedItems(ctx context.Context, url string, ser *wamp.Serializer, cl *closers) (*itemsSystem, error) {
	callee, err := dialRuntime(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	cl.add(closeSession(callee))
	if _, err := streamsvc.RegisterItems(ctx, callee, streamsvc.Server{}); err != nil {
		return nil, err
	}
	caller, err := dialRuntime(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	cl.add(closeSession(caller))
	client := streamsvc.NewItemsClient(caller)
	return &itemsSystem{
		name: sysGenerated,
		ser:  ser.Name(),
		items: func(ctx context.Context, n, size int) error {
			seq, err := client.Items(ctx, n, size)
			if err != nil {
				return err
			}
			got := 0
			for item, err := range seq {
				if err != nil {
					return err
				}
				if err := streamsvc.CheckItem(item, got, size); err != nil {
					return err
				}
				got++
			}
			return checkCount(int64(got), n)
		},
	}, nil
}

// nexusItems serves the items with a nexus callee and receives them with
// nexus's client, each on a session of its own.
func nexusItems(ctx context.Context, url string, ser serialize.Serialization, name string, cl *closers) (*itemsSystem, error) {
	callee, err := dialNexus(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	cl.add(closeNexus(callee))
	json := ser == serialize.JSON
	if err := callee.Register(nexusItemsURI, nexusItemer(callee, json), nil); err != nil {
		return nil, err
	}
	caller, err := dialNexus(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	cl.add(closeNexus(caller))
	return &itemsSystem{
		name: sysNexus,
		ser:  name,
		items: func(ctx context.Context, n, size int) error {
			got := 0
			var bad error
			_, err := caller.Call(ctx, nexusItemsURI, nil, nxwamp.List{n, size}, nil, func(r *nxwamp.Result) {
				if bad != nil {
					return
				}
				if len(r.Arguments) != 1 {
					bad = fmt.Errorf("stream item %d: %d arguments", got, len(r.Arguments))
					return
				}
				b, err := nexusBytes(r.Arguments[0], json)
				if err == nil {
					err = streamsvc.CheckItem(b, got, size)
				}
				if err != nil {
					bad = fmt.Errorf("stream item %d: %w", got, err)
				}
				got++
			})
			if err != nil {
				return err
			}
			if bad != nil {
				return bad
			}
			return checkCount(int64(got), n)
		},
	}, nil
}

// nexusItemer returns nexus's callee of the items stream, which sends its
// progressive results through c; on JSON as serialize.BinaryData, which
// nexus writes by the WAMP convention. Unlike the other callees it cannot
// reuse one buffer for its items: nexus's client encodes a progressive
// result after SendProgress has returned, so a reused buffer sends later
// items' bytes for earlier ones.
func nexusItemer(c *nxclient.Client, json bool) nxclient.InvocationHandler {
	return func(ctx context.Context, inv *nxwamp.Invocation) nxclient.InvokeResult {
		if len(inv.Arguments) != 2 {
			return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
		}
		n, ok1 := nxwamp.AsInt64(inv.Arguments[0])
		size, ok2 := nxwamp.AsInt64(inv.Arguments[1])
		if !ok1 || !ok2 || n < 0 || size < 0 || size > streamsvc.MaxItemSize {
			return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
		}
		for i := range int(n) {
			// A buffer of its own per item: nexus's client encodes a
			// progressive result after SendProgress returns.
			b := streamsvc.Item(i, int(size))
			var item any = b
			if json {
				item = serialize.BinaryData(b)
			}
			if err := c.SendProgress(ctx, nxwamp.List{item}, nil); err != nil {
				return nxclient.InvokeResult{Err: nxwamp.ErrCanceled}
			}
		}
		return nxclient.InvokeResult{}
	}
}

// nexusBytes returns the bytes of a binary argument as nexus's client
// decodes it: []byte, or on JSON a string of "\x00" and base64, which it
// leaves to its user.
func nexusBytes(v any, json bool) ([]byte, error) {
	switch b := v.(type) {
	case []byte:
		return b, nil
	case string:
		if s, ok := strings.CutPrefix(b, "\x00"); ok && json {
			return base64.StdEncoding.DecodeString(s)
		}
		return []byte(b), nil
	}
	return nil, fmt.Errorf("binary argument is a %T", v)
}

// printStreams writes the streams figures.
func printStreams(w io.Writer, o options, res *streamsResult) {
	if res == nil || len(res.figs) == 0 {
		return
	}
	fmt.Fprintf(w, "\nStreams of byte items (%d items per stream, one stream per system and size in each of %d rounds; took %.0fs):\n\n", o.streamItems, o.scaleRounds, res.took.Seconds())
	fmt.Fprintln(w, "| system | serializer | item B | items/s | MB/s | CPU µs/item | ×nexus items/s | ×gRPC items/s |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	find := func(name, ser string, size int) *itemsFigures {
		for _, f := range res.figs {
			if f.sys.name == name && (ser == "" || f.sys.ser == ser) && f.size == size {
				return f
			}
		}
		return nil
	}
	rx := func(a, b *itemsFigures) float64 {
		if a == nil || b == nil {
			return 0
		}
		var rs []float64
		for i := range min(len(a.rounds), len(b.rounds)) {
			rs = append(rs, a.rounds[i]/b.rounds[i])
		}
		return median(rs)
	}
	for _, f := range res.figs {
		xn, xg := "–", "–"
		if f.sys.name != sysGRPCStream {
			xn = orDash("%.2f", rx(f, find(sysNexus, f.sys.ser, f.size)))
		}
		xg = orDash("%.2f", rx(f, find(sysGRPCStream, "", f.size)))
		fmt.Fprintf(w, "| %s | %s | %d | %.0f | %.1f | %.2f | %s | %s |\n", f.sys.name, f.sys.ser, f.size, f.perSec, f.perSec*float64(f.size)/1e6, us(f.cpuMed), xn, xg)
	}
	for _, f := range res.figs {
		if f.err != nil {
			fmt.Fprintf(w, "\n%s over %s, %d B items: FAILED in %v (its figures are of the rounds before)", f.sys.name, f.sys.ser, f.size, f.err)
		}
	}
	fmt.Fprintln(w, "\nMB/s counts the items' bytes only. CPU µs/item is the whole process's (callee, router, caller; for gRPC server and client).")
	fmt.Fprintln(w, "Ratios are medians of the per-round ratios, to nexus's client on the same serializer.")
	fmt.Fprintln(w, "\nTargets (goals, reported not asserted):")
	for _, f := range res.figs {
		if f.sys.name != sysGenerated {
			continue
		}
		if n := find(sysNexus, f.sys.ser, f.size); n != nil {
			x := rx(f, n)
			v := "NOT met"
			if x >= 2 {
				v = "met"
			}
			fmt.Fprintf(w, "  %-8s %5d B items: stream ≥ 2× nexus: %.2f× (×gRPC server streaming %.2f) — %s\n",
				f.sys.ser, f.size, x, rx(f, find(sysGRPCStream, "", f.size)), v)
		}
	}
}
