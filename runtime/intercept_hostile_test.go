package runtime_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestInterceptorHedgedCall: an interceptor may call next more than once
// at the same time (a hedged call: two attempts, the first answer wins),
// from other goroutines; each attempt gets its own result (run with -race).
func TestInterceptorHedgedCall(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	rpcRegister(t, callee, "com.test.echo", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	})
	const attempts = 4
	hedge := runtime.InterceptorFuncs{
		Call: func(next runtime.CallFunc) runtime.CallFunc {
			return func(ctx context.Context, c *runtime.Call) (*runtime.Result, error) {
				results := make([]*runtime.Result, attempts)
				errs := make([]error, attempts)
				var wg sync.WaitGroup
				for i := range attempts {
					wg.Go(func() {
						cp := *c
						cp.Args = wamp.ArgsOf(fmt.Sprint(i))
						results[i], errs[i] = next(ctx, &cp)
					})
				}
				wg.Wait()
				for i := range attempts {
					if errs[i] != nil {
						return nil, errs[i]
					}
					if got := argString(t, results[i].Args, 0); got != fmt.Sprint(i) {
						return nil, fmt.Errorf("attempt %d got the result %q", i, got)
					}
				}
				return results[0], nil
			}
		},
	}
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{Interceptors: []runtime.Interceptor{hedge}})
	ctx := testCtx(t)
	for range 20 {
		if got := mustResult[string](t)(caller.Call(ctx, "com.test.echo", wamp.ArgsOf("x"), wamp.Payload{})); got != "0" {
			t.Fatalf("result %q", got)
		}
	}
}
