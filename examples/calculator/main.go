// Command calculator is wampgen's reference service and demo.
//
//	calculator                          start an embedded router, serve the calculator,
//	                                    call every procedure through the generated client
//	calculator serve --listen ADDR --realm REALM [--callee=true|false]
//	                                    serve WebSocket at ws://ADDR/ with the Go
//	                                    implementation registered (unless --callee=false)
//	calculator call --url URL --realm REALM --serializer json|msgpack|cbor
//	                                    check every procedure of the contract against
//	                                    whatever serves it at URL; exit 1 if any fails
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return demo(ctx, stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "call":
		return call(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "calculator: unknown command %q (commands: serve, call; none runs the demo)\n", args[0])
	return 2
}

// startRouter starts the embedded router serving realm over WebSocket at
// addr, with the Go implementation registered unless callee is false.
func startRouter(ctx context.Context, addr string, realm wamp.URI, callee bool, log *slog.Logger) (*router.Router, *runtime.Session, error) {
	r, err := router.Start(ctx, router.Config{
		WebSocketAddr: addr,
		Realms:        []router.RealmConfig{{Name: string(realm), Anonymous: true}},
		Logger:        log,
	})
	if err != nil {
		return nil, nil, err
	}
	if !callee {
		return r, nil, nil
	}
	sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: realm, Serializer: wamp.MsgPack, Logger: log})
	if err != nil {
		r.Close()
		return nil, nil, err
	}
	if _, err := calc.RegisterCalculator(ctx, sess, &calc.Service{}); err != nil {
		sess.Close()
		r.Close()
		return nil, nil, err
	}
	return r, sess, nil
}

func demo(ctx context.Context, stdout, stderr io.Writer) int {
	r, callee, err := startRouter(ctx, "127.0.0.1:0", "realm1", true, nil)
	if err != nil {
		fmt.Fprintln(stderr, "calculator:", err)
		return 1
	}
	defer r.Close()
	defer callee.Close()
	fmt.Fprintf(stdout, "embedded router at %s, calculator registered (MsgPack session)\n", r.WebSocketURL())
	failed := 0
	for _, ser := range wamp.Serializers() {
		fmt.Fprintf(stdout, "\ncalling every procedure through the generated client over %s:\n", ser)
		sess, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: "realm1", Serializer: ser})
		if err != nil {
			fmt.Fprintln(stderr, "calculator:", err)
			return 1
		}
		out := io.Discard
		if ser == wamp.JSON {
			out = stdout // narrate progress once
		}
		failed += runChecks(ctx, &env{client: calc.NewCalculatorClient(sess), sess: sess, out: out}, stdout)
		sess.Close()
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "\n%d checks failed\n", failed)
		return 1
	}
	fmt.Fprintln(stdout, "\nevery check passed")
	return 0
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("calculator serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve WebSocket on")
	realm := fs.String("realm", "realm1", "realm to serve")
	callee := fs.Bool("callee", true, "register the Go implementation of the calculator")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	r, sess, err := startRouter(ctx, *listen, wamp.URI(*realm), *callee, log)
	if err != nil {
		fmt.Fprintln(stderr, "calculator serve:", err)
		return 1
	}
	fmt.Fprintf(stdout, "serving realm %s at %s (callee: %v)\n", *realm, r.WebSocketURL(), *callee)
	<-ctx.Done()
	if sess != nil {
		sess.Close()
	}
	if err := r.Close(); err != nil {
		fmt.Fprintln(stderr, "calculator serve:", err)
		return 1
	}
	return 0
}

func call(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("calculator call", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "ws://127.0.0.1:8080/", "router URL")
	realm := fs.String("realm", "realm1", "realm")
	serializer := fs.String("serializer", "json", "json, msgpack or cbor")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ser, err := wamp.SerializerByName(*serializer)
	if err != nil {
		fmt.Fprintln(stderr, "calculator call:", err)
		return 2
	}
	sess, err := runtime.Dial(ctx, *url, runtime.Config{Realm: wamp.URI(*realm), Serializer: ser})
	if err != nil {
		fmt.Fprintln(stderr, "calculator call:", err)
		return 1
	}
	defer sess.Close()
	failed := runChecks(ctx, &env{client: calc.NewCalculatorClient(sess), sess: sess, out: io.Discard}, stdout)
	if failed > 0 {
		fmt.Fprintf(stdout, "%d of %d checks failed\n", failed, len(checks))
		return 1
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return 1
	}
	fmt.Fprintf(stdout, "all %d checks passed\n", len(checks))
	return 0
}
