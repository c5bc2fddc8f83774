package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// The interceptor figure: what the interceptor chain (runtime.Interceptor)
// costs per call. Each setup below is one system, "intercept: NAME": the
// generated calculator client calling add(1, 2), served by the generated
// registrar, both on sessions whose Config.Interceptors the setup gives
// (the caller's and the callee's), over JSON, through a router of its own
// (the calculator's URIs can be registered once per router). The rows
// take turns with each other like all systems, and the report compares
// each with "intercept: none": select them alone with -only intercept.

// interceptSerializer is the one serializer of the figure.
var interceptSerializer = wamp.JSON

// interceptSetup is one row of the interceptor figure.
type interceptSetup struct {
	name string
	// interceptors returns the interceptors of one session of the row,
	// the caller's (side "caller") or the callee's (side "callee"); nil
	// for none. It is called once per session, in the process that makes
	// the session (a caller counting its allocations runs alone in a
	// process of its own: allocs.go), and the func it returns, if not
	// nil, is called when the session is closed.
	interceptors func(side string) ([]runtime.Interceptor, func(), error)
}

// interceptSetups are the rows of the interceptor figure, the first the
// baseline; add a row by appending a setup.
var interceptSetups = []interceptSetup{
	{name: "none", interceptors: func(string) ([]runtime.Interceptor, func(), error) { return nil, nil, nil }},
	{name: "pass-through", interceptors: func(string) ([]runtime.Interceptor, func(), error) {
		return []runtime.Interceptor{passThrough}, nil, nil
	}},
	// otelwamp as a program sets it up (otel.go): a span and a histogram
	// record per call on each side, the trace context carried in the
	// CALL's options.
	{name: "otelwamp tracing", interceptors: func(string) ([]runtime.Interceptor, func(), error) {
		i, shutdown, err := tracingInterceptor()
		if err != nil {
			return nil, nil, err
		}
		return []runtime.Interceptor{i}, shutdown, nil
	}},
}

// passThrough is an interceptor whose funcs only call next: the cost of
// the chain itself.
var passThrough = runtime.InterceptorFuncs{
	Call: func(next runtime.CallFunc) runtime.CallFunc {
		return func(ctx context.Context, c *runtime.Call) (*runtime.Result, error) { return next(ctx, c) }
	},
	CallInput: func(next runtime.CallInputFunc) runtime.CallInputFunc {
		return func(ctx context.Context, c *runtime.Call) (runtime.InputCall, error) { return next(ctx, c) }
	},
	Invocation: func(next runtime.Handler) runtime.Handler {
		return func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) { return next(ctx, inv) }
	},
	Publish: func(next runtime.PublishFunc) runtime.PublishFunc {
		return func(ctx context.Context, p *runtime.Publication) (wamp.ID, error) { return next(ctx, p) }
	},
	Event: func(next runtime.EventHandler) runtime.EventHandler {
		return func(ctx context.Context, ev *runtime.Event) error { return next(ctx, ev) }
	},
}

const interceptPrefix = "intercept: "

// interceptSetupNamed returns the setup of the system named name.
func interceptSetupNamed(name string) (interceptSetup, bool) {
	for _, st := range interceptSetups {
		if interceptPrefix+st.name == name {
			return st, true
		}
	}
	return interceptSetup{}, false
}

// interceptDial joins the router at url with the interceptors of st for
// side; the func it returns closes the session.
func interceptDial(ctx context.Context, url string, st interceptSetup, side string) (*runtime.Session, func(), error) {
	list, done, err := st.interceptors(side)
	if err != nil {
		return nil, nil, fmt.Errorf("%s interceptors: %w", side, err)
	}
	s, err := runtime.Dial(ctx, url, runtime.Config{Realm: router.DefaultRealm, Serializer: interceptSerializer, Interceptors: list})
	if err != nil {
		if done != nil {
			done()
		}
		return nil, nil, err
	}
	return s, func() {
		s.Close()
		if done != nil {
			done()
		}
	}, nil
}

// interceptCaller is the caller of the setup st, calling add with the
// generated client.
func interceptCaller(ctx context.Context, url string, st interceptSetup) (*system, error) {
	caller, closeCaller, err := interceptDial(ctx, url, st, "caller")
	if err != nil {
		return nil, err
	}
	client := calc.NewCalculatorClient(caller)
	return &system{
		name:  interceptPrefix + st.name,
		ser:   interceptSerializer.Name(),
		call:  generatedAdd(client),
		addr:  url,
		close: closeCaller,
	}, nil
}

// addInterceptSystems starts, for each setup, a router, the callee and the
// caller, and adds the caller with add.
func addInterceptSystems(ctx context.Context, cl *closers, add func(*system, error) error) error {
	for _, st := range interceptSetups {
		r, err := startRouter(ctx)
		if err != nil {
			return err
		}
		cl.add(func() { r.Close() })
		url := r.WebSocketURL()
		callee, closeCallee, err := interceptDial(ctx, url, st, "callee")
		if err != nil {
			return fmt.Errorf("%s%s: %w", interceptPrefix, st.name, err)
		}
		cl.add(closeCallee)
		if _, err := calc.RegisterCalculator(ctx, callee, &calc.Service{}); err != nil {
			return fmt.Errorf("%s%s: %w", interceptPrefix, st.name, err)
		}
		if err := add(interceptCaller(ctx, url, st)); err != nil {
			return fmt.Errorf("%s%s: %w", interceptPrefix, st.name, err)
		}
	}
	return nil
}

// printInterceptReport prints the interceptor figure, if its rows were
// measured: each row against the first ("none"), by the medians of the
// per-round ratios.
func printInterceptReport(w io.Writer, systems []*system, res map[*system]*figures) {
	var rows []*system
	for _, s := range systems {
		if strings.HasPrefix(s.name, interceptPrefix) {
			rows = append(rows, s)
		}
	}
	if len(rows) == 0 {
		return
	}
	base := res[rows[0]]
	fmt.Fprintf(w, "\nInterceptor chain (generated client add(1, 2) over %s; the interceptors on the caller's and the callee's session; ratios to %q, medians of the per-round ratios):\n\n",
		interceptSerializer.Name(), rows[0].name)
	fmt.Fprintln(w, "| setup | calls/s | p50 µs | CPU µs/call | caller allocs/call | caller B/call | ×calls/s | ×p50 | ×CPU/call | +allocs/call |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, s := range rows {
		f := res[s]
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.1f | %.1f | %.0f | %.2f | %.2f | %.2f | %+.1f |\n",
			strings.TrimPrefix(s.name, interceptPrefix), f.med.perSec, us(f.med.p50), us(f.med.cpu), f.allocs.Allocs, f.allocs.Bytes,
			ratio(f, base, perSec), ratio(f, base, p50US), ratio(f, base, cpuUS), f.allocs.Allocs-base.allocs.Allocs)
	}
	fmt.Fprintln(w, "\nCalls/s moves with whatever else the machine runs; CPU µs/call (the whole process: caller, router, callee) hardly")
	fmt.Fprintln(w, "does. Caller allocs: the caller alone, in a process of its own. More rounds (-rounds) steady the ratios.")
}
