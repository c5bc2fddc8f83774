// Command calculator is wampgen's reference service and demo.
//
//	calculator                          start an embedded router, serve the calculator,
//	                                    call every procedure through the generated client
//	                                    and check the computed events
//	calculator serve --listen ADDR --realm REALM [--callee=true|false] [--service-ticket T]
//	                 [--drain-timeout D] [--access-log]
//	                                    serve WebSocket at ws://ADDR/ with the Go
//	                                    implementation registered (unless --callee=false),
//	                                    publishing com.example.calc.computed, and the
//	                                    calculator's web page at http://ADDR/; with
//	                                    --service-ticket, anonymous clients may only call
//	                                    and subscribe, and only a service authenticated
//	                                    with ticket T (authid "calculator") may register
//	                                    and publish; on SIGINT or SIGTERM, drain (the
//	                                    calls in flight finish, up to D, default 10s),
//	                                    then stop; --access-log writes one JSON record
//	                                    per invocation and publication of the Go
//	                                    implementation to standard error
//	calculator call --url URL --realm REALM --serializer json|msgpack|cbor [--streams]
//	                                    check every procedure of the contract, and its
//	                                    computed event, against whatever serves it at
//	                                    URL; exit 1 if any check fails. sum and
//	                                    running_sum (streamed input: progressive call
//	                                    invocations, which Autobahn and Wampy.js do not
//	                                    implement) are checked only with --streams
//	calculator callee --url URL --realm REALM [--serializer json|msgpack|cbor]
//	                  [--invoke single|roundrobin|random|first|last]
//	                  [--auth ticket|wampcra|cryptosign --authid ID
//	                   --secret-file F | --ticket T] [--ca-file F]
//	                  [--health ADDR] [--drain-timeout D] [--access-log]
//	                                    join the realm of any router as a client,
//	                                    register the Go implementation (shared with
//	                                    other callees unless --invoke single) and
//	                                    publish com.example.calc.computed; reconnect
//	                                    when the connection is lost (registrations
//	                                    restored); serve /healthz and /stats at ADDR;
//	                                    on SIGINT or SIGTERM, drain as serve does;
//	                                    --access-log as serve's
//	calculator help (or -h, -help, --help)
//	                                    print the commands and exit 0
//
// An unknown command or flag prints the usage on standard error and exits 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/wampgen/wampgen/accesslog"
	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal starts the drain; a second one ends the process at
	// once, as without a handler.
	context.AfterFunc(ctx, stop)
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// usage is what `calculator -h` prints: the commands, as the package
// comment lists them.
const usage = `usage:
  calculator                     start an embedded router, serve the calculator,
                                 call every procedure through the generated client
                                 and check the computed events
  calculator serve [--listen ADDR] [--realm REALM] [--callee=true|false]
                 [--service-ticket T] [--drain-timeout D] [--access-log]
                                 serve WebSocket at ws://ADDR/ with the Go
                                 implementation registered (unless --callee=false),
                                 publishing com.example.calc.computed, and the
                                 calculator's web page at http://ADDR/; with
                                 --service-ticket, only a service authenticated with
                                 ticket T may register and publish; on SIGINT or
                                 SIGTERM, let the calls in flight finish (up to D,
                                 default 10s), then stop; --access-log writes a
                                 JSON record per invocation and publication to
                                 standard error
  calculator call [--url URL] [--realm REALM] [--serializer json|msgpack|cbor]
                                 check every procedure of the contract, and its
                                 computed event, against whatever serves it at
                                 URL; exit 1 if any check fails
  calculator callee [--url URL] [--realm REALM] [--serializer S] [--invoke POLICY]
                  [--auth METHOD --authid ID --secret-file F | --ticket T]
                  [--ca-file F] [--health ADDR] [--drain-timeout D] [--access-log]
                                 join any router as a client and register the Go
                                 implementation (--invoke roundrobin shares it with
                                 other callees), publishing com.example.calc.computed;
                                 reconnect when the connection is lost; on SIGINT or
                                 SIGTERM, drain as serve does; --access-log as serve's
  calculator help                print this help

Run "calculator serve -h", "calculator call -h" or "calculator callee -h" for the
flags' defaults.
`

// run runs the command line args and returns the exit status: 0 on
// success, 1 when the work failed, 2 for a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return demo(ctx, stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "call":
		return call(ctx, args[1:], stdout, stderr)
	case "callee":
		return calleeCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		// Asked for: to stdout, and a success.
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "calculator: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// parseFlags parses a command's flags; it returns -1 when the command
// should go on, or else the exit status: 0 after -h (the flag package has
// printed the flags), 2 for a usage error.
func parseFlags(fs *flag.FlagSet, args []string) int {
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		return 2
	case fs.NArg() > 0:
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return 2
	}
	return -1
}

// startRouter starts the embedded router serving realm to anonymous
// clients, over WebSocket at addr, or through Router.Handler only when addr
// is empty. With a serviceTicket, the realm has roles (see realmConfig).
func startRouter(ctx context.Context, addr string, realm wamp.URI, serviceTicket string, log *slog.Logger) (*router.Router, error) {
	return router.Start(ctx, router.Config{
		WebSocketAddr: addr,
		Realms:        []router.RealmConfig{realmConfig(realm, serviceTicket)},
		Logger:        log,
	})
}

// serviceAuthID is the authid of the calculator service when serve has a
// --service-ticket.
const serviceAuthID = "calculator"

// realmConfig returns the configuration of realm. Without a serviceTicket
// every client may do anything. With one, anonymous clients (the web page,
// "calculator call") may only call the calculator's procedures and
// subscribe to its topics, and only the service, authenticated with the
// ticket as serviceAuthID, may register and publish them.
func realmConfig(realm wamp.URI, serviceTicket string) router.RealmConfig {
	rc := router.RealmConfig{Name: string(realm), Anonymous: true}
	if serviceTicket == "" {
		return rc
	}
	rc.Users = []router.User{{AuthID: serviceAuthID, AuthRole: "service", Ticket: serviceTicket}}
	rc.Roles = []router.Role{
		{Name: "anonymous", Permissions: []router.Permission{
			{URI: "com.example.calc.", Match: "prefix", Call: true, Subscribe: true}}},
		{Name: "service", Permissions: []router.Permission{
			{URI: "com.example.calc.", Match: "prefix", Call: true, Register: true, Publish: true, Subscribe: true}}},
	}
	return rc
}

// registerService joins realm at url over MsgPack and registers the Go
// implementation of the calculator, which publishes its computations
// (com.example.calc.computed) on the same session.
//
// The session reconnects whenever it loses its connection (the router
// killed it, a keep-alive went unanswered, …) and the runtime registers
// the procedures again: without that, the service would answer
// wamp.error.no_such_procedure until restarted. The router is in the same
// process, so retries stay close together.
//
// auth authenticates the session; nil joins anonymously. interceptors
// see everything the session does (see accessLog).
func registerService(ctx context.Context, wsURL string, realm wamp.URI, auth runtime.Authenticator, log *slog.Logger, interceptors []runtime.Interceptor) (*runtime.Session, error) {
	sess, err := runtime.Dial(ctx, wsURL, runtime.Config{Realm: realm, Serializer: wamp.MsgPack, Logger: log, Auth: auth,
		Reconnect: &runtime.ReconnectPolicy{MaxDelay: time.Second}, Dial: calleeDial, Interceptors: interceptors})
	if err != nil {
		return nil, err
	}
	svc := &calc.Service{Events: calc.NewCalculatorEventsPublisher(sess), Logger: log}
	if _, err := calc.RegisterCalculator(ctx, sess, svc); err != nil {
		sess.Close()
		return nil, err
	}
	return sess, nil
}

// accessLogFlag is the help text of --access-log, for serve and callee.
const accessLogFlag = "write an access log to standard error: one JSON record (log/slog) per invocation and publication of the Go implementation, with the URI, duration, outcome, the caller when disclosed and payload sizes, never payload contents (see package accesslog)"

// accessLog returns the interceptors of --access-log: none when off, else
// an access log (package accesslog) writing JSON records to stderr, each
// in one write, so that they stay whole lines next to the text log lines.
// Successes are logged at Info, failures at Warn.
func accessLog(on bool, stderr io.Writer) []runtime.Interceptor {
	if !on {
		return nil
	}
	return []runtime.Interceptor{accesslog.New(slog.New(slog.NewJSONHandler(stderr, nil)))}
}

// calleeDial opens the network connections of the service's own session;
// nil dials directly. Tests set it to break the connection.
var calleeDial func(ctx context.Context, network, addr string) (net.Conn, error)

func demo(ctx context.Context, stdout, stderr io.Writer) int {
	r, err := startRouter(ctx, "127.0.0.1:0", "realm1", "", nil)
	if err != nil {
		fmt.Fprintln(stderr, "calculator:", err)
		return 1
	}
	defer r.Close()
	callee, err := registerService(ctx, r.WebSocketURL(), "realm1", nil, nil, nil)
	if err != nil {
		fmt.Fprintln(stderr, "calculator:", err)
		return 1
	}
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
		failed += runChecks(ctx, &env{client: calc.NewCalculatorClient(sess), sess: sess, out: out}, allChecks(), stdout)
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
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve WebSocket and the web page on")
	realm := fs.String("realm", "realm1", "realm to serve")
	callee := fs.Bool("callee", true, "register the Go implementation of the calculator")
	ticket := fs.String("service-ticket", "", "when set, only a service authenticated with this ticket (authid \""+serviceAuthID+"\") may register and publish; anonymous clients may call and subscribe (the process list shows it to local users: for demos)")
	drainTimeout := fs.Duration("drain-timeout", defaultDrainTimeout, "on SIGINT or SIGTERM, how long the calls in flight may take to finish before they are cancelled")
	withAccessLog := fs.Bool("access-log", false, accessLogFlag)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	fail := func(err error) int {
		fmt.Fprintln(stderr, "calculator serve:", err)
		return 1
	}

	// One port serves both the router's WebSocket endpoint and the page, so
	// that the page's origin is the router's.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *listen)
	if err != nil {
		return fail(err)
	}
	r, err := startRouter(ctx, "", wamp.URI(*realm), *ticket, log)
	if err != nil {
		ln.Close()
		return fail(err)
	}
	// Deadlines on every phase of an HTTP connection, as on the router's
	// own listener: a client that opens connections and sends nothing, or
	// keeps one alive after loading the page, must not hold them for good.
	// The router's handler clears them once a WebSocket session starts.
	srv := &http.Server{
		Handler:           newHandler(r.Handler()),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// stop closes the router first: Close says GOODBYE to every session and
	// ends its connection, which srv.Shutdown does not wait for (it leaves
	// hijacked connections alone).
	stop := func() int {
		code := 0
		if err := r.Close(); err != nil {
			code = fail(err)
		}
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			code = fail(err)
		}
		return code
	}

	addr := ln.Addr().String()
	wsURL := "ws://" + addr + "/"
	var sess *runtime.Session
	if *callee {
		var auth runtime.Authenticator
		if *ticket != "" {
			auth = runtime.Ticket(serviceAuthID, *ticket)
		}
		if sess, err = registerService(ctx, wsURL, wamp.URI(*realm), auth, log, accessLog(*withAccessLog, stderr)); err != nil {
			stop()
			return fail(err)
		}
	}
	page := "http://" + addr + "/"
	if *realm != "realm1" {
		page += "?realm=" + url.QueryEscape(*realm)
	}
	fmt.Fprintf(stdout, "serving realm %s at %s (callee: %v), web page at %s\n", *realm, wsURL, *callee, page)

	code := 0
	select {
	case <-ctx.Done():
	case err := <-served:
		code = fail(err)
	}
	// The router stays up while the callee drains: the callers of the
	// calls in flight are its sessions.
	if sess != nil {
		if err := drain(sess, *drainTimeout); err != nil {
			code = fail(err)
		}
	}
	if c := stop(); c != 0 {
		code = c
	}
	return code
}

// defaultDrainTimeout bounds the drain of a callee on SIGINT or SIGTERM:
// long enough for the calculator's calls (Sleep takes up to a minute, and
// is cancelled past it), short enough for an orchestrator's grace period
// (Kubernetes sends SIGKILL 30s after SIGTERM by default).
const defaultDrainTimeout = 10 * time.Second

// drain stops sess gracefully (runtime.Session.Shutdown): no new calls
// reach it, the calls in flight finish, up to timeout, and the session
// leaves the realm. Past timeout the calls still running are cancelled
// and their callers get an error.
func drain(sess *runtime.Session, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := sess.Shutdown(ctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("draining the callee: calls still running after %v were cancelled", timeout)
		}
		return fmt.Errorf("draining the callee: %w", err)
	}
	return nil
}

func call(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("calculator call", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "ws://127.0.0.1:8080/", "router URL")
	realm := fs.String("realm", "realm1", "realm")
	serializer := fs.String("serializer", "json", "json, msgpack or cbor")
	streams := fs.Bool("streams", false, "check sum and running_sum too (streamed input: progressive call invocations, which not every peer implements)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
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
	list := checks
	if *streams {
		list = allChecks()
	}
	failed := runChecks(ctx, &env{client: calc.NewCalculatorClient(sess), sess: sess, out: io.Discard}, list, stdout)
	if failed > 0 {
		fmt.Fprintf(stdout, "%d of %d checks failed\n", failed, len(list))
		return 1
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return 1
	}
	fmt.Fprintf(stdout, "all %d checks passed\n", len(list))
	return 0
}

// allChecks are the default checks and the streamed-input ones, which the
// Go service serves.
func allChecks() []check { return slices.Concat(checks, streamChecks) }
