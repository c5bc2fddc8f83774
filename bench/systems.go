package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log"
	"strings"
	"sync"
	"time"

	nxclient "github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	nxwamp "github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/bench/benchsvc"
	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// A system is one way of making the benchmark's call, a + b = sum, with
// everything it needs already running: connected caller, registered
// callee. Its methods are safe for concurrent use.
type system struct {
	name string // "wampgen client", "runtime Call", …
	ser  string // "json", "msgpack", "cbor", or what else travels

	// call makes one add(1, 2) call and checks the answer.
	call func(ctx context.Context) error
	// stream receives a stream of n progressive results and checks them;
	// nil for systems without one.
	stream func(ctx context.Context, n int) error
	// input streams the numbers 0 … n-1 as the input of one call
	// (progressive call invocations: one CALL each, the last without
	// progress) and checks their sum, the call's result; nil for systems
	// without one.
	input func(ctx context.Context, n int) error
	// addr is what the caller connects to: the router's or the relay's
	// URL, or gRPC's address. A caller of its own in another process
	// (allocs.go) is made from name, ser and addr.
	addr  string
	close func()
	// latencyOnly says that calls/s and CPU per call are not measured:
	// they would not be what the system stands for (see floor.go). Its
	// calls are still safe for concurrent use.
	latencyOnly bool
}

// Systems, by name.
const (
	sysGenerated = "wampgen client"
	sysRuntime   = "runtime Call"
	sysNexus     = "nexus client"
	sysGRPC      = "gRPC unary"
	sysRelay     = "WS relay floor"
	sysFloor     = "router floor"
)

// Procedure URIs: the generated client calls the calculator's add, served by
// the generated registrar; the other two call their own add, served by a
// callee of their own kind, through the same router.
const (
	runtimeAddURI   = "com.example.rtcall.add"
	runtimeCountURI = "com.example.rtcall.count"
	nexusAddURI     = "com.example.nxcall.add"
	nexusCountURI   = "com.example.nxcall.count"
	nexusSumURI     = "com.example.nxcall.sum"
)

// errWrongAnswer is returned when a call returns something other than 3.
var errWrongAnswer = errors.New("add(1, 2) did not return 3")

var serializers = []struct {
	name  string
	ours  *wamp.Serializer
	nexus serialize.Serialization
}{
	{"json", wamp.JSON, serialize.JSON},
	{"msgpack", wamp.MsgPack, serialize.MSGPACK},
	{"cbor", wamp.CBOR, serialize.CBOR},
}

// startRouter starts an embedded router on loopback whose outbound queues
// hold a whole 10,000-item stream (nexus drops what does not fit).
func startRouter(ctx context.Context) (*router.Router, error) {
	return router.Start(ctx, router.Config{WebSocketAddr: "127.0.0.1:0", OutQueueSize: 1 << 15})
}

func dialRuntime(ctx context.Context, url string, ser *wamp.Serializer) (*runtime.Session, error) {
	return runtime.Dial(ctx, url, runtime.Config{Realm: router.DefaultRealm, Serializer: ser})
}

func dialNexus(ctx context.Context, url string, ser serialize.Serialization) (*nxclient.Client, error) {
	return nxclient.ConnectNet(ctx, url, nxclient.Config{
		Realm:           router.DefaultRealm,
		Serialization:   ser,
		Logger:          log.New(io.Discard, "", 0),
		ResponseTimeout: 10 * time.Second,
	})
}

// closers collects cleanup functions, run in reverse order.
type closers []func()

func (c *closers) add(f func()) { *c = append(*c, f) }

func (c closers) run() {
	for i := len(c) - 1; i >= 0; i-- {
		c[i]()
	}
}

func closeSession(s *runtime.Session) func() { return func() { s.Close() } }
func closeNexus(c *nxclient.Client) func()   { return func() { c.Close() } }

// generatedCallee serves the calculator with the generated registrar and
// calc.Service, and the benchmark stream with the generated benchsvc
// registrar, on a session of its own, at the default Config: its input
// queue (runtime.Config.InputQueueBytes) holds what a fast caller sends
// ahead of sum's trivial handler.
func generatedCallee(ctx context.Context, url string, ser *wamp.Serializer) (func(), error) {
	callee, err := runtime.Dial(ctx, url, runtime.Config{Realm: router.DefaultRealm, Serializer: ser})
	if err != nil {
		return nil, err
	}
	if _, err := calc.RegisterCalculator(ctx, callee, &calc.Service{}); err != nil {
		callee.Close()
		return nil, err
	}
	if _, err := benchsvc.RegisterStreamer(ctx, callee, benchsvc.Counter{}); err != nil {
		callee.Close()
		return nil, err
	}
	return closeSession(callee), nil
}

// generatedAdd is the call of the generated client's systems: add(1, 2),
// checked.
func generatedAdd(client *calc.CalculatorClient) func(context.Context) error {
	return func(ctx context.Context) error {
		sum, err := client.Add(ctx, 1, 2)
		if err != nil {
			return err
		}
		if sum != 3 {
			return errWrongAnswer
		}
		return nil
	}
}

// generatedCaller calls add with the generated calculator client, streams
// with the generated benchsvc client, and streams input to the calculator's
// sum with the generated calculator client.
func generatedCaller(ctx context.Context, url string, ser *wamp.Serializer) (*system, error) {
	caller, err := dialRuntime(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	client := calc.NewCalculatorClient(caller)
	streamer := benchsvc.NewStreamerClient(caller)
	return &system{
		name: sysGenerated,
		ser:  ser.Name(),
		call: generatedAdd(client),
		stream: func(ctx context.Context, n int) error {
			seq, err := streamer.Count(ctx, n)
			if err != nil {
				return err
			}
			var want int64
			for v, err := range seq {
				if err != nil {
					return err
				}
				if v != want {
					return fmt.Errorf("stream item %d is %d", want, v)
				}
				want++
			}
			return checkCount(want, n)
		},
		input: func(ctx context.Context, n int) error {
			sum, err := client.Sum(ctx, numbers(n))
			if err != nil {
				return err
			}
			return checkSum(sum, n)
		},
		addr:  url,
		close: closeSession(caller),
	}, nil
}

// numbers yields 0 … n-1, the input of the streamed-input figure.
func numbers(n int) iter.Seq[float64] {
	return func(yield func(float64) bool) {
		for i := range n {
			if !yield(float64(i)) {
				return
			}
		}
	}
}

// checkSum checks the sum of numbers(n).
func checkSum(got float64, n int) error {
	if want := float64(n) * float64(n-1) / 2; got != want {
		return fmt.Errorf("sum of a %d-item input is %v, want %v", n, got, want)
	}
	return nil
}

func checkCount(got int64, n int) error {
	if got != int64(n) {
		return fmt.Errorf("stream of %d items delivered %d", n, got)
	}
	return nil
}

// runtimeAdd is the untyped callee of the runtime: decode two numbers, answer
// their sum (the README's example).
func runtimeAdd(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
	vals, err := inv.Args.List()
	if err != nil || len(vals) != 2 {
		return nil, runtime.NewError(wamp.ErrInvalidArgument, "add takes two numbers")
	}
	var a, b float64
	if err := errors.Join(vals[0].Decode(&a), vals[1].Decode(&b)); err != nil {
		return nil, runtime.NewError(wamp.ErrInvalidArgument, err.Error())
	}
	return &runtime.Result{Args: wamp.ArgsOf(a + b)}, nil
}

// runtimeCount sends 0 … n-1 as progressive results.
func runtimeCount(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
	vals, err := inv.Args.List()
	if err != nil || len(vals) != 1 {
		return nil, runtime.NewError(wamp.ErrInvalidArgument, "count takes one number")
	}
	var n int
	if err := vals[0].Decode(&n); err != nil {
		return nil, runtime.NewError(wamp.ErrInvalidArgument, err.Error())
	}
	for i := range int64(n) {
		if err := inv.SendProgress(wamp.ArgsOf(i), wamp.Payload{}); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// runtimeCallee serves add under addURI and count under countURI (if not
// empty) with untyped runtime handlers on a session of its own.
func runtimeCallee(ctx context.Context, url string, ser *wamp.Serializer, addURI, countURI wamp.URI) (func(), error) {
	callee, err := dialRuntime(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	if _, err := callee.Register(ctx, addURI, runtimeAdd); err != nil {
		callee.Close()
		return nil, err
	}
	if countURI != "" {
		if _, err := callee.Register(ctx, countURI, runtimeCount); err != nil {
			callee.Close()
			return nil, err
		}
	}
	return closeSession(callee), nil
}

// runtimeCaller calls with Session.Call: Go values in, Value.Decode out.
func runtimeCaller(ctx context.Context, url string, ser *wamp.Serializer) (*system, error) {
	caller, err := dialRuntime(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	return &system{
		name: sysRuntime,
		ser:  ser.Name(),
		call: func(ctx context.Context) error {
			res, err := caller.Call(ctx, runtimeAddURI, wamp.ArgsOf(1.0, 2.0), wamp.Payload{})
			if err != nil {
				return err
			}
			vals, err := res.Args.List()
			if err != nil {
				return err
			}
			var sum float64
			if len(vals) != 1 {
				return errWrongAnswer
			}
			if err := vals[0].Decode(&sum); err != nil {
				return err
			}
			if sum != 3 {
				return errWrongAnswer
			}
			return nil
		},
		stream: func(ctx context.Context, n int) error {
			var want int64
			_, err := caller.Call(ctx, runtimeCountURI, wamp.ArgsOf(n), wamp.Payload{},
				runtime.WithProgress(func(r *runtime.Result) error {
					vals, err := r.Args.List()
					if err != nil {
						return err
					}
					var v int64
					if len(vals) != 1 {
						return fmt.Errorf("stream item %d has %d values", want, len(vals))
					}
					if err := vals[0].Decode(&v); err != nil {
						return err
					}
					if v != want {
						return fmt.Errorf("stream item %d is %d", want, v)
					}
					want++
					return nil
				}))
			if err != nil {
				return err
			}
			return checkCount(want, n)
		},
		addr:  url,
		close: closeSession(caller),
	}, nil
}

// nexusAdd is nexus's callee of add.
func nexusAdd(_ context.Context, inv *nxwamp.Invocation) nxclient.InvokeResult {
	if len(inv.Arguments) != 2 {
		return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
	}
	a, ok1 := nxwamp.AsFloat64(inv.Arguments[0])
	b, ok2 := nxwamp.AsFloat64(inv.Arguments[1])
	if !ok1 || !ok2 {
		return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
	}
	return nxclient.InvokeResult{Args: nxwamp.List{a + b}}
}

// nexusCounter returns nexus's callee of count, which sends its progressive
// results through c.
func nexusCounter(c *nxclient.Client) nxclient.InvocationHandler {
	return func(ctx context.Context, inv *nxwamp.Invocation) nxclient.InvokeResult {
		if len(inv.Arguments) != 1 {
			return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
		}
		n, ok := nxwamp.AsInt64(inv.Arguments[0])
		if !ok {
			return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
		}
		for i := range n {
			if err := c.SendProgress(ctx, nxwamp.List{i}, nil); err != nil {
				return nxclient.InvokeResult{Err: nxwamp.ErrCanceled}
			}
		}
		return nxclient.InvokeResult{}
	}
}

// nexusSummer returns nexus's callee of sum, which takes its input as
// progressive call invocations: nexus calls it once per chunk, in order,
// with the call's request ID; it keeps a running total per call, answers
// the last chunk with the total and omits a result for the others.
func nexusSummer() nxclient.InvocationHandler {
	var mu sync.Mutex
	totals := map[nxwamp.ID]float64{}
	return func(ctx context.Context, inv *nxwamp.Invocation) nxclient.InvokeResult {
		more, _ := inv.Details[nxwamp.OptProgress].(bool)
		var x float64
		ok := len(inv.Arguments) == 1
		if ok {
			x, ok = nxwamp.AsFloat64(inv.Arguments[0])
		}
		mu.Lock()
		defer mu.Unlock()
		if !ok {
			delete(totals, inv.Request)
			return nxclient.InvokeResult{Err: nxwamp.ErrInvalidArgument}
		}
		totals[inv.Request] += x
		if more {
			return nxclient.InvokeResult{Err: nxwamp.InternalProgressiveOmitResult}
		}
		total := totals[inv.Request]
		delete(totals, inv.Request)
		return nxclient.InvokeResult{Args: nxwamp.List{total}}
	}
}

// nexusCallee serves add under each of addURIs, and count under countURI
// and sum under nexusSumURI (if countURI is not empty), with nexus's client
// on a session of its own.
func nexusCallee(ctx context.Context, url string, ser serialize.Serialization, countURI string, addURIs ...string) (func(), error) {
	callee, err := dialNexus(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	for _, uri := range addURIs {
		if err := callee.Register(uri, nexusAdd, nil); err != nil {
			callee.Close()
			return nil, err
		}
	}
	if countURI != "" {
		if err := callee.Register(countURI, nexusCounter(callee), nil); err != nil {
			callee.Close()
			return nil, err
		}
		if err := callee.Register(nexusSumURI, nexusSummer(), nil); err != nil {
			callee.Close()
			return nil, err
		}
	}
	return closeNexus(callee), nil
}

// nexusCaller calls with nexus v3.3.0's client.
func nexusCaller(ctx context.Context, url string, ser serialize.Serialization, name string) (*system, error) {
	caller, err := dialNexus(ctx, url, ser)
	if err != nil {
		return nil, err
	}
	return &system{
		name: sysNexus,
		ser:  name,
		call: func(ctx context.Context) error { return nexusCall(ctx, caller, nexusAddURI) },
		stream: func(ctx context.Context, n int) error {
			var want int64
			var bad error
			_, err := caller.Call(ctx, nexusCountURI, nil, nxwamp.List{n}, nil, func(r *nxwamp.Result) {
				v, ok := int64(-1), len(r.Arguments) == 1
				if ok {
					v, ok = nxwamp.AsInt64(r.Arguments[0])
				}
				if (!ok || v != want) && bad == nil {
					bad = fmt.Errorf("stream item %d is %v", want, r.Arguments)
				}
				want++
			})
			if err != nil {
				return err
			}
			if bad != nil {
				return bad
			}
			return checkCount(want, n)
		},
		input: func(ctx context.Context, n int) error {
			sent := 0
			send := func(context.Context) (nxwamp.Dict, nxwamp.List, nxwamp.Dict, error) {
				x := sent
				sent++
				return nxwamp.Dict{nxwamp.OptProgress: sent < n}, nxwamp.List{float64(x)}, nil, nil
			}
			res, err := caller.CallProgressive(ctx, nexusSumURI, send, nil)
			if err != nil {
				return err
			}
			if len(res.Arguments) != 1 {
				return fmt.Errorf("sum of a %d-item input: result %v", n, res.Arguments)
			}
			sum, ok := nxwamp.AsFloat64(res.Arguments[0])
			if !ok {
				return fmt.Errorf("sum of a %d-item input: result %v", n, res.Arguments)
			}
			return checkSum(sum, n)
		},
		addr:  url,
		close: closeNexus(caller),
	}, nil
}

func nexusCall(ctx context.Context, c *nxclient.Client, uri string) error {
	res, err := c.Call(ctx, uri, nil, nxwamp.List{1.0, 2.0}, nil, nil)
	if err != nil {
		return err
	}
	if len(res.Arguments) != 1 {
		return errWrongAnswer
	}
	if sum, ok := nxwamp.AsFloat64(res.Arguments[0]); !ok || sum != 3 {
		return errWrongAnswer
	}
	return nil
}

// newCaller connects a caller of the system named name, for serializer
// ser, to addr, whose callee is already there.
func newCaller(ctx context.Context, name, ser, addr string) (*system, error) {
	if spec, ok := strings.CutPrefix(name, payloadChildPrefix); ok {
		return payloadChildCaller(ctx, spec, addr)
	}
	switch name {
	case sysGRPC:
		return grpcCaller(ctx, addr)
	case sysRelay:
		return relayCaller(ctx, addr)
	}
	if st, ok := interceptSetupNamed(name); ok {
		return interceptCaller(ctx, addr, st)
	}
	for _, sr := range serializers {
		if sr.name != ser {
			continue
		}
		switch name {
		case sysGenerated:
			return generatedCaller(ctx, addr, sr.ours)
		case sysRuntime:
			return runtimeCaller(ctx, addr, sr.ours)
		case sysNexus:
			return nexusCaller(ctx, addr, sr.nexus, sr.name)
		case sysFloor:
			return floorCaller(ctx, addr, sr.ours)
		}
	}
	return nil, fmt.Errorf("no system %q over %q", name, ser)
}

// A bed is everything the benchmarks run against: for each serializer, a
// router and the three WAMP systems and the router floor through it with
// their callees, then gRPC and the relay.
type bed struct {
	systems []*system
	cl      closers
}

func (b *bed) close() { b.cl.run() }

func newBed(ctx context.Context) (_ *bed, err error) {
	b := &bed{}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	add := func(s *system, err error) error {
		if err != nil {
			return err
		}
		b.cl.add(s.close)
		b.systems = append(b.systems, s)
		return nil
	}
	for _, ser := range serializers {
		fail := func(sys string, err error) error { return fmt.Errorf("%s over %s: %w", sys, ser.name, err) }
		// One router per serializer: the calculator's URIs can be
		// registered once per router.
		r, err := startRouter(ctx)
		if err != nil {
			return nil, err
		}
		b.cl.add(func() { r.Close() })
		url := r.WebSocketURL()

		stop, err := generatedCallee(ctx, url, ser.ours)
		if err != nil {
			return nil, fail(sysGenerated, err)
		}
		b.cl.add(stop)
		if err := add(generatedCaller(ctx, url, ser.ours)); err != nil {
			return nil, fail(sysGenerated, err)
		}

		if stop, err = runtimeCallee(ctx, url, ser.ours, runtimeAddURI, runtimeCountURI); err != nil {
			return nil, fail(sysRuntime, err)
		}
		b.cl.add(stop)
		if err := add(runtimeCaller(ctx, url, ser.ours)); err != nil {
			return nil, fail(sysRuntime, err)
		}

		if stop, err = nexusCallee(ctx, url, ser.nexus, nexusCountURI, nexusAddURI); err != nil {
			return nil, fail(sysNexus, err)
		}
		b.cl.add(stop)
		if err := add(nexusCaller(ctx, url, ser.nexus, ser.name)); err != nil {
			return nil, fail(sysNexus, err)
		}

		if stop, err = floorCallee(ctx, url, ser.ours); err != nil {
			return nil, fail(sysFloor, err)
		}
		b.cl.add(stop)
		if err := add(floorCaller(ctx, url, ser.ours)); err != nil {
			return nil, fail(sysFloor, err)
		}
	}

	if err := addInterceptSystems(ctx, &b.cl, add); err != nil {
		return nil, err
	}

	addr, stop, err := grpcServer(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sysGRPC, err)
	}
	b.cl.add(stop)
	if err := add(grpcCaller(ctx, addr)); err != nil {
		return nil, fmt.Errorf("%s: %w", sysGRPC, err)
	}

	url, stop, err := relayServers(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sysRelay, err)
	}
	b.cl.add(stop)
	if err := add(relayCaller(ctx, url)); err != nil {
		return nil, fmt.Errorf("%s: %w", sysRelay, err)
	}
	return b, nil
}

// find returns the system of that name and serializer, or nil.
func (b *bed) find(name, ser string) *system {
	for _, s := range b.systems {
		if s.name == name && s.ser == ser {
			return s
		}
	}
	return nil
}
