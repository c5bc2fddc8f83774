package accesslog_test

import (
	"context"
	"log"
	"log/slog"
	"os"

	"github.com/wampgen/wampgen/accesslog"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// A session with the access log serves a procedure and calls it: one
// record for the invocation (written when the handler returns) and one for
// the call, each with the URI, the outcome and the encoded sizes, never the
// payloads. Time and duration are left out here so that the output stays
// the same from run to run.
func ExampleNew() {
	ctx := context.Background()
	r, err := router.Start(ctx, router.Config{WebSocketAddr: "127.0.0.1:0"})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{
		Realm:        router.DefaultRealm,
		Serializer:   wamp.JSON,
		Interceptors: []runtime.Interceptor{accesslog.New(logger)},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer sess.Close()

	_, err = sess.Register(ctx, "com.example.greet", func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		var name string
		if vals, err := inv.Args.List(); err != nil || len(vals) != 1 || vals[0].Decode(&name) != nil {
			return nil, runtime.NewError(wamp.ErrInvalidArgument, "greet takes a name")
		}
		return &runtime.Result{Args: wamp.ArgsOf("hello, " + name)}, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := sess.Call(ctx, "com.example.greet", wamp.ArgsOf("secret agent"), wamp.Payload{}); err != nil {
		log.Fatal(err)
	}
	sess.Call(ctx, "com.example.greet", wamp.ArgsOf(42), wamp.Payload{})
	// Output:
	// {"level":"INFO","msg":"wamp invocation","kind":"invocation","uri":"com.example.greet","outcome":"ok","args_bytes":16}
	// {"level":"INFO","msg":"wamp call","kind":"call","uri":"com.example.greet","outcome":"ok","result_bytes":23}
	// {"level":"WARN","msg":"wamp invocation","kind":"invocation","uri":"com.example.greet","outcome":"wamp.error.invalid_argument","args_bytes":4}
	// {"level":"WARN","msg":"wamp call","kind":"call","uri":"com.example.greet","outcome":"wamp.error.invalid_argument"}
}
