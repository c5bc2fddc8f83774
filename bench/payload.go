package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	nxclient "github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	nxwamp "github.com/gammazero/nexus/v3/wamp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/wampgen/wampgen/bench/benchsvc"
	"github.com/wampgen/wampgen/wamp"
)

// Payload sizes and cross-serializer (issue 18).
//
// Each call echoes a payload: the caller sends it, the callee returns it,
// the caller checks every byte (or every record) of the answer. Two kinds of
// payload, at nominal sizes of 16 B, 1 KiB, 64 KiB and 1 MiB:
//
//   - bytes: one []byte of that many bytes (MsgPack bin, CBOR byte string,
//     JSON "\u0000"+base64, protobuf bytes);
//   - records: one slice of small structs, benchsvc.Record {ID int64; Name
//     string; Value float64; OK bool}, as many as make about that size in
//     MsgPack (at least one); up to 64 KiB by default, 1 MiB too with
//     -payloads=all or -payload-sizes.
//
// Systems, each with a connection of its own, reused for every payload:
//
//   - wampgen client: the generated benchsvc.EchoClient, against the
//     generated registrar serving benchsvc.Echoer;
//   - nexus client: nexus's client against a nexus callee that, as a typed
//     nexus service must, converts the arguments to []byte or
//     []benchsvc.Record and returns those;
//   - gRPC unary: the Echo service of payload_grpc.go;
//
// through one embedded router per callee serializer (the Echo URIs can be
// registered once per router). A caller on serializer A calls a callee on
// serializer B (written A→B): by default wampgen and nexus on MsgPack→MsgPack,
// wampgen on JSON→JSON, and the cross-serializer case, wampgen on
// JSON→MsgPack: the browser calling a Go service, where the router converts
// every payload both ways. -payloads=all adds nexus on JSON→JSON and
// JSON→MsgPack and both on CBOR→CBOR; -payloads=none leaves the part out.
//
// Figures per system and payload: p50 and p99 of sequential calls; calls/s
// with several callers on the connection (64 up to 1 KiB, 16 at 64 KiB, 2
// at 1 MiB: payloadCallers) and the CPU time of the whole
// process per call meanwhile; MB/s, the nominal payload size × calls/s (each
// way); caller allocations and bytes per call, counted in a child process
// that holds only the caller (allocs.go). Every figure is the median of
// -payload-rounds rounds; within a round each payload's systems take turns,
// and each ratio is the median of per-round ratios.

// payloadSizes are the nominal payload sizes.
var payloadSizes = []int{16, 1 << 10, 64 << 10, 1 << 20}

// payloadKinds are the two kinds of payload.
var payloadKinds = []string{"bytes", "records"}

// payloadOptions are the flags of the payload part.
type payloadOptions struct {
	set      string        // "default", "all" or "none"
	rounds   int           // rounds; figures are medians
	duration time.Duration // of each latency and each throughput figure
	sizes    string        // comma-separated sizes to measure (all when empty)
}

func (p *payloadOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&p.set, "payloads", "default", "payload-size and cross-serializer figures: default (wampgen and nexus on MsgPack, gRPC, wampgen JSON→JSON and JSON→MsgPack), all (adds nexus on JSON and JSON→MsgPack, both on CBOR) or none")
	fs.IntVar(&p.rounds, "payload-rounds", 3, "rounds of the payload figures")
	fs.DurationVar(&p.duration, "payload-duration", 100*time.Millisecond, "duration of each payload latency and throughput measurement")
	fs.StringVar(&p.sizes, "payload-sizes", "", "comma-separated payload sizes in bytes (default 16,1024,65536,1048576)")
}

// route is a caller's system and serializer and its callee's serializer.
type route struct {
	sys       string // sysGenerated, sysNexus or sysGRPC
	caller    string // serializer name; "protobuf wire" for gRPC
	callee    string
	crossOnly bool // measured for the cross-serializer comparison
}

func (r route) String() string {
	if r.sys == sysGRPC {
		return r.caller
	}
	if r.caller == r.callee {
		return r.caller
	}
	return r.caller + "→" + r.callee
}

// routes returns the routes of a payload set.
func routes(set string) ([]route, error) {
	rs := []route{
		{sys: sysGenerated, caller: "msgpack", callee: "msgpack"},
		{sys: sysNexus, caller: "msgpack", callee: "msgpack"},
		{sys: sysGRPC, caller: "protobuf wire", callee: "protobuf wire"},
		{sys: sysGenerated, caller: "json", callee: "json"},
		{sys: sysGenerated, caller: "json", callee: "msgpack"},
	}
	switch set {
	case "default":
		return rs, nil
	case "all":
		return append(rs,
			route{sys: sysNexus, caller: "json", callee: "json"},
			route{sys: sysNexus, caller: "json", callee: "msgpack"},
			route{sys: sysGenerated, caller: "cbor", callee: "cbor"},
			route{sys: sysNexus, caller: "cbor", callee: "cbor"},
		), nil
	case "none":
		return nil, nil
	}
	return nil, fmt.Errorf("-payloads=%q: want default, all or none", set)
}

// payloadCases returns the payloads of a set: both kinds at every size,
// but for -payloads=default records stop at 64 KiB (1 MiB of records,
// 22,310 of them, takes 0.1–0.3 s a call, and would double the part's time).
// sizes, when not empty (-payload-sizes), are measured for both kinds.
func payloadCases(set, sizes string) ([]payloadCase, error) {
	ns, err := parseSizes(sizes)
	if err != nil {
		return nil, err
	}
	var cs []payloadCase
	for _, kind := range payloadKinds {
		for _, n := range ns {
			if kind == "records" && n > 64<<10 && set == "default" && sizes == "" {
				continue
			}
			cs = append(cs, payloadCase{kind: kind, size: n})
		}
	}
	return cs, nil
}

func parseSizes(s string) ([]int, error) {
	if s == "" {
		return payloadSizes, nil
	}
	var sizes []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 4<<20 {
			return nil, fmt.Errorf("-payload-sizes: %q is not a size from 1 to 4 MiB", f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// payloadCase is one payload: a kind at a nominal size.
type payloadCase struct {
	kind string
	size int
}

func (c payloadCase) String() string { return c.kind + " " + sizeName(c.size) }

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// payloadBytes returns size bytes of a fixed pattern.
func payloadBytes(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// record returns the i-th record of a payload.
func record(i int) benchsvc.Record {
	return benchsvc.Record{ID: int64(i) * 7919, Name: fmt.Sprintf("record-%06d", i), Value: float64(i) + 0.25, OK: i%2 == 0}
}

// payloadRecords returns as many records as make about size bytes in
// MsgPack, and at least one.
func payloadRecords(size int) []benchsvc.Record {
	rs := []benchsvc.Record{record(0)}
	per := 0
	if b, err := wamp.MsgPack.EncodeValue(record(1000)); err == nil {
		per = len(b)
	}
	for per > 0 && len(rs) < size/per {
		rs = append(rs, record(len(rs)))
	}
	return rs
}

// errEcho is returned when an echo returns something other than the
// payload.
var errEcho = errors.New("echo returned another payload")

// payloadCaller is a connection of one route, which makes calls of any
// payload.
type payloadCaller struct {
	r     route
	addr  string
	bytes func(ctx context.Context, b []byte) ([]byte, error)
	recs  func(ctx context.Context, rs []benchsvc.Record) ([]benchsvc.Record, error)
	close func()
}

// system returns the system that echoes c's payload through p.
func (p *payloadCaller) system(c payloadCase) *system {
	s := &system{name: p.r.sys, ser: p.r.String(), addr: p.addr, close: func() {}}
	switch c.kind {
	case "bytes":
		b := payloadBytes(c.size)
		s.call = func(ctx context.Context) error {
			got, err := p.bytes(ctx, b)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, b) {
				return errEcho
			}
			return nil
		}
	default:
		rs := payloadRecords(c.size)
		s.call = func(ctx context.Context) error {
			got, err := p.recs(ctx, rs)
			if err != nil {
				return err
			}
			if !slices.Equal(got, rs) {
				return errEcho
			}
			return nil
		}
	}
	return s
}

func ourSerializer(name string) (*wamp.Serializer, serialize.Serialization, error) {
	for _, s := range serializers {
		if s.name == name {
			return s.ours, s.nexus, nil
		}
	}
	return nil, 0, fmt.Errorf("no serializer %q", name)
}

// Nexus's Echo URIs.
const (
	nexusEchoBytesURI   = "com.example.nxecho.bytes"
	nexusEchoRecordsURI = "com.example.nxecho.records"
)

// newPayloadCaller connects a caller of route r to addr, where its callee
// is registered.
func newPayloadCaller(ctx context.Context, r route, addr string) (*payloadCaller, error) {
	switch r.sys {
	case sysGRPC:
		cc, err := grpc.NewClient("passthrough:///"+addr,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.ForceCodecV2(wireCodec{})))
		if err != nil {
			return nil, err
		}
		return &payloadCaller{
			r: r, addr: addr, close: func() { cc.Close() },
			bytes: func(ctx context.Context, b []byte) ([]byte, error) {
				var reply bytesMsg
				err := cc.Invoke(ctx, grpcEchoBytesMethod, &bytesMsg{Data: b}, &reply)
				return reply.Data, err
			},
			recs: func(ctx context.Context, rs []benchsvc.Record) ([]benchsvc.Record, error) {
				var reply recordsMsg
				err := cc.Invoke(ctx, grpcEchoRecordsMethod, &recordsMsg{Records: rs}, &reply)
				return reply.Records, err
			},
		}, nil
	case sysGenerated:
		ser, _, err := ourSerializer(r.caller)
		if err != nil {
			return nil, err
		}
		sess, err := dialRuntime(ctx, addr, ser)
		if err != nil {
			return nil, err
		}
		echo := benchsvc.NewEchoClient(sess)
		return &payloadCaller{r: r, addr: addr, close: closeSession(sess), bytes: echo.Bytes, recs: echo.Records}, nil
	case sysNexus:
		_, ser, err := ourSerializer(r.caller)
		if err != nil {
			return nil, err
		}
		c, err := dialNexus(ctx, addr, ser)
		if err != nil {
			return nil, err
		}
		json := ser == serialize.JSON
		return &payloadCaller{
			r: r, addr: addr, close: closeNexus(c),
			bytes: func(ctx context.Context, b []byte) ([]byte, error) {
				var arg any = b
				if json {
					arg = serialize.BinaryData(b)
				}
				res, err := c.Call(ctx, nexusEchoBytesURI, nil, nxwamp.List{arg}, nil, nil)
				if err != nil {
					return nil, err
				}
				if len(res.Arguments) != 1 {
					return nil, errEcho
				}
				return nexusBinary(res.Arguments[0])
			},
			recs: func(ctx context.Context, rs []benchsvc.Record) ([]benchsvc.Record, error) {
				res, err := c.Call(ctx, nexusEchoRecordsURI, nil, nxwamp.List{rs}, nil, nil)
				if err != nil {
					return nil, err
				}
				if len(res.Arguments) != 1 {
					return nil, errEcho
				}
				return nexusRecords(res.Arguments[0])
			},
		}, nil
	}
	return nil, fmt.Errorf("no payload system %q", r.sys)
}

// nexusBinary converts what nexus decoded from a binary value: []byte from
// MsgPack and CBOR, WAMP's "\u0000"+base64 string from JSON.
func nexusBinary(v any) ([]byte, error) {
	switch v := v.(type) {
	case []byte:
		return v, nil
	case string:
		if s, ok := strings.CutPrefix(v, "\x00"); ok {
			return base64.StdEncoding.DecodeString(s)
		}
	}
	return nil, fmt.Errorf("not binary: %T", v)
}

// nexusRecords converts what nexus decoded from a list of records (maps of
// generic values) to records, as a typed nexus client or callee must.
func nexusRecords(v any) ([]benchsvc.Record, error) {
	l, ok := nxwamp.AsList(v)
	if !ok {
		return nil, fmt.Errorf("records: not a list: %T", v)
	}
	rs := make([]benchsvc.Record, len(l))
	for i, e := range l {
		m, ok := nxwamp.AsDict(e)
		if !ok {
			return nil, fmt.Errorf("record %d: not a map: %T", i, e)
		}
		r := &rs[i]
		var ok1, ok2, ok3, ok4 bool
		r.ID, ok1 = nxwamp.AsInt64(m["id"])
		r.Name, ok2 = nxwamp.AsString(m["name"])
		r.Value, ok3 = nxwamp.AsFloat64(m["value"])
		r.OK, ok4 = nxwamp.AsBool(m["ok"])
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, fmt.Errorf("record %d: %v", i, m)
		}
	}
	return rs, nil
}

// nexusEchoCallee serves nexus's Echo on a session of its own.
func nexusEchoCallee(ctx context.Context, url string, ser serialize.Serialization) (func(), error) {
	c, err := dialNexus(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	json := ser == serialize.JSON
	echoBytes := func(_ context.Context, inv *nxwamp.Invocation) nxclient.InvokeResult {
		if len(inv.Arguments) != 1 {
			return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
		}
		b, err := nexusBinary(inv.Arguments[0])
		if err != nil {
			return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
		}
		var out any = b
		if json {
			out = serialize.BinaryData(b)
		}
		return nxclient.InvokeResult{Args: nxwamp.List{out}}
	}
	echoRecords := func(_ context.Context, inv *nxwamp.Invocation) nxclient.InvokeResult {
		if len(inv.Arguments) != 1 {
			return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
		}
		rs, err := nexusRecords(inv.Arguments[0])
		if err != nil {
			return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
		}
		return nxclient.InvokeResult{Args: nxwamp.List{rs}}
	}
	for uri, h := range map[string]nxclient.InvocationHandler{nexusEchoBytesURI: echoBytes, nexusEchoRecordsURI: echoRecords} {
		if err := c.Register(uri, h, nil); err != nil {
			c.Close()
			return nil, err
		}
	}
	return closeNexus(c), nil
}

// payloadBed is what the payload figures run against: the routers and
// callees, gRPC's server, and a caller per route.
type payloadBed struct {
	callers []*payloadCaller
	cl      closers
}

func (b *payloadBed) close() {
	for _, c := range b.callers {
		c.close()
	}
	b.cl.run()
}

func newPayloadBed(ctx context.Context, rs []route) (_ *payloadBed, err error) {
	b := &payloadBed{}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	// One router per callee serializer, with the callees of that
	// serializer that some route needs.
	urls := map[string]string{}
	var grpcAddr string
	for _, r := range rs {
		if r.sys == sysGRPC {
			if grpcAddr == "" {
				addr, stop, err := grpcServer(ctx)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", sysGRPC, err)
				}
				b.cl.add(stop)
				grpcAddr = addr
			}
			continue
		}
		if _, ok := urls[r.callee]; ok {
			continue
		}
		ours, theirs, err := ourSerializer(r.callee)
		if err != nil {
			return nil, err
		}
		rt, err := startRouter(ctx)
		if err != nil {
			return nil, err
		}
		b.cl.add(func() { rt.Close() })
		urls[r.callee] = rt.WebSocketURL()
		stop, err := generatedEchoCallee(ctx, rt.WebSocketURL(), ours)
		if err != nil {
			return nil, fmt.Errorf("%s callee over %s: %w", sysGenerated, r.callee, err)
		}
		b.cl.add(stop)
		if stop, err = nexusEchoCallee(ctx, rt.WebSocketURL(), theirs); err != nil {
			return nil, fmt.Errorf("%s callee over %s: %w", sysNexus, r.callee, err)
		}
		b.cl.add(stop)
	}
	for _, r := range rs {
		addr := urls[r.callee]
		if r.sys == sysGRPC {
			addr = grpcAddr
		}
		c, err := newPayloadCaller(ctx, r, addr)
		if err != nil {
			return nil, fmt.Errorf("%s over %s: %w", r.sys, r, err)
		}
		b.callers = append(b.callers, c)
	}
	return b, nil
}

func generatedEchoCallee(ctx context.Context, url string, ser *wamp.Serializer) (func(), error) {
	callee, err := dialRuntime(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	if _, err := benchsvc.RegisterEcho(ctx, callee, benchsvc.Echoer{}); err != nil {
		callee.Close()
		return nil, err
	}
	return closeSession(callee), nil
}

// payloadCallers is how many callers the throughput figure of a payload
// size runs: 64, or fewer when 64 would have over 1 MiB in flight (16 at
// 64 KiB, 2 at 1 MiB), which keeps the time a round waits for the calls in
// flight short.
func payloadCallers(size int) int { return max(2, min(64, (1<<20)/size)) }

// payloadAllocCalls is how many calls the caller process counts for a
// payload size: -alloc-calls, or fewer so that it counts at most about
// 2 MiB of payload, and at least 8.
func payloadAllocCalls(size, calls int) int { return max(8, min(calls, (2<<20)/size)) }
