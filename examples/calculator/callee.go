package main

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// calleeCmd is "calculator callee": the Go implementation of the
// calculator joins the realm of any router (the embedded one, nexus,
// Crossbar.io, Bondy) as one more client, registers the procedures and
// publishes the computed topic, reconnecting with the runtime's default
// policy (registrations restored) until SIGINT or SIGTERM, then drains.
//
// The first join is not retried: a wrong URL, realm or secret fails at
// once (exit 1), and an orchestrator restarting the process is the retry.
func calleeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("calculator callee", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "ws://127.0.0.1:8080/", "router URL: ws://, wss://, tcp://, tcps:// or unix://")
	realm := fs.String("realm", "realm1", "realm to join")
	serializer := fs.String("serializer", "msgpack", "json, msgpack or cbor")
	invoke := fs.String("invoke", "single", "invocation policy of the registrations: single, or roundrobin, random, first or last to share them with other callees (every callee of a procedure must use the same policy)")
	authMethod := fs.String("auth", "", "ticket, wampcra or cryptosign; default: ticket when --ticket or --secret-file is set, else anonymous")
	authID := fs.String("authid", serviceAuthID, "authid to authenticate as")
	ticket := fs.String("ticket", "", "ticket to authenticate with (the process list shows it to local users: prefer --secret-file)")
	secretFile := fs.String("secret-file", "", "file holding the secret: the ticket, the WAMP-CRA secret, or the Ed25519 private key seed in hex (cryptosign)")
	caFile := fs.String("ca-file", "", "PEM file of the certificate authorities to trust for wss:// and tcps:// (default: the system's)")
	health := fs.String("health", "", "when set, serve GET /healthz (200 while joined and registered, else 503) and GET /stats (JSON) at this address")
	drainTimeout := fs.Duration("drain-timeout", defaultDrainTimeout, "on SIGINT or SIGTERM, how long the calls in flight may take to finish before they are cancelled")
	withAccessLog := fs.Bool("access-log", false, accessLogFlag)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	usageErr := func(err error) int {
		fmt.Fprintln(stderr, "calculator callee:", err)
		return 2
	}
	ser, err := wamp.SerializerByName(*serializer)
	if err != nil {
		return usageErr(err)
	}
	policy := runtime.InvokePolicy(*invoke)
	switch policy {
	case runtime.InvokeSingle, runtime.InvokeRoundRobin, runtime.InvokeRandom, runtime.InvokeFirst, runtime.InvokeLast:
	default:
		return usageErr(fmt.Errorf("--invoke %q: want single, roundrobin, random, first or last", *invoke))
	}
	auth, err := calleeAuth(*authMethod, *authID, *ticket, *secretFile)
	if err != nil {
		return usageErr(err)
	}
	var tlsConfig *tls.Config
	if *caFile != "" {
		if tlsConfig, err = trustCAs(*caFile); err != nil {
			return usageErr(err)
		}
	}

	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	fail := func(err error) int {
		fmt.Fprintln(stderr, "calculator callee:", err)
		return 1
	}
	st := &calleeStatus{}
	cfg := runtime.Config{
		Realm:      wamp.URI(*realm),
		Serializer: ser,
		Auth:       auth,
		Logger:     log,
		TLSConfig:  tlsConfig,
		// A router that vanishes without a word (a host gone, a cable cut)
		// is noticed within two intervals.
		KeepAlive: 10 * time.Second,
		// The runtime's defaults: 100ms, doubling up to 10s, ±20%, for good.
		Reconnect: &runtime.ReconnectPolicy{},
		Dial:      calleeDial,
		// The runtime logs the reconnect attempts and the restore.
		OnStateChange: st.setState,
		Interceptors:  accessLog(*withAccessLog, stderr),
	}
	if *health != "" {
		stopHealth, err := serveHealth(ctx, *health, st, log)
		if err != nil {
			return fail(err)
		}
		defer stopHealth()
	}
	sess, err := runtime.Dial(ctx, *url, cfg)
	if err != nil {
		return fail(err)
	}
	svc := &calc.Service{Events: calc.NewCalculatorEventsPublisher(sess), Logger: log}
	st.svc = svc
	var opts []runtime.RegisterOption
	if policy != runtime.InvokeSingle {
		opts = append(opts, runtime.WithInvoke(policy))
	}
	if _, err := calc.RegisterCalculator(ctx, countingCallee{sess, st}, svc, opts...); err != nil {
		sess.Close()
		return fail(err)
	}
	st.registered.Store(true)
	fmt.Fprintf(stdout, "calculator registered in realm %s at %s as session %d (invoke %s)\n", *realm, *url, sess.ID(), policy)

	select {
	case <-ctx.Done():
	case <-sess.Done():
		// Only a reconnect that gave up, or the router refusing to
		// restore the registrations for good, ends the session here.
		return fail(fmt.Errorf("session ended: %w", sess.Err()))
	}
	st.draining.Store(true)
	if err := drain(sess, *drainTimeout); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "drained: %d invocations served\n", st.served.Load())
	return 0
}

// calleeAuth returns the authenticator the auth flags ask for; nil joins
// anonymously.
func calleeAuth(method, authID, ticket, secretFile string) (runtime.Authenticator, error) {
	if ticket != "" && secretFile != "" {
		return nil, errors.New("--ticket and --secret-file exclude each other")
	}
	secret := ticket
	if secretFile != "" {
		b, err := readSmallFile(secretFile)
		if err != nil {
			return nil, fmt.Errorf("--secret-file: %w", err)
		}
		secret = strings.TrimRight(string(b), "\r\n")
		if secret == "" {
			return nil, fmt.Errorf("--secret-file %s is empty", secretFile)
		}
	}
	if method == "" && secret != "" {
		method = "ticket"
	}
	if method != "" && secret == "" {
		return nil, fmt.Errorf("--auth %s needs --secret-file (or --ticket)", method)
	}
	if method != "" && authID == "" {
		return nil, fmt.Errorf("--auth %s needs an --authid", method)
	}
	switch method {
	case "":
		return nil, nil
	case "ticket":
		return runtime.Ticket(authID, secret), nil
	case "wampcra":
		return runtime.WAMPCRA(authID, secret), nil
	case "cryptosign":
		seed, err := hex.DecodeString(strings.TrimSpace(secret))
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("--auth cryptosign: the secret must be an Ed25519 private key seed, %d bytes in hex", ed25519.SeedSize)
		}
		return runtime.CryptoSign(authID, ed25519.NewKeyFromSeed(seed)), nil
	}
	return nil, fmt.Errorf("--auth %q: want ticket, wampcra or cryptosign", method)
}

// maxFlagFile bounds the files the flags name: a secret, or a bundle of
// certificate authorities (the system's holds some 150 in about 200 KiB).
const maxFlagFile = 1 << 20

// readSmallFile reads file, refusing one larger than maxFlagFile (a
// mistaken path, such as a device, must not fill memory).
func readSmallFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFlagFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFlagFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", file, maxFlagFile)
	}
	return b, nil
}

// trustCAs returns a TLS configuration that trusts the certificates of the
// PEM file, and only them.
func trustCAs(file string) (*tls.Config, error) {
	pem, err := readSmallFile(file)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s holds no PEM certificate", file)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// calleeStatus is what /healthz and /stats report.
type calleeStatus struct {
	mu      sync.Mutex
	state   runtime.State
	session wamp.ID

	svc        *calc.Service // set once, before registered
	registered atomic.Bool   // the first registration succeeded
	draining   atomic.Bool   // SIGINT or SIGTERM came
	served     atomic.Int64  // invocations whose handler returned
}

func (s *calleeStatus) setState(c runtime.StateChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state, s.session = c.State, c.Session
}

// calleeStats is the body of GET /stats.
type calleeStats struct {
	State   string  `json:"state"`
	Session wamp.ID `json:"session"`
	// Ready is what /healthz answers: joined, registered, not draining.
	Ready bool `json:"ready"`
	// Served counts the invocations whose handler returned, Sleeping the
	// Sleep calls running now.
	Served   int64 `json:"served"`
	Sleeping int   `json:"sleeping"`
}

func (s *calleeStatus) stats() calleeStats {
	s.mu.Lock()
	state, session := s.state, s.session
	s.mu.Unlock()
	out := calleeStats{State: state.String(), Session: session, Served: s.served.Load()}
	// The runtime reports StateJoined after a reconnect only once the
	// registrations are restored.
	out.Ready = state == runtime.StateJoined && s.registered.Load() && !s.draining.Load()
	if s.registered.Load() {
		n, _ := s.svc.Active(context.Background())
		out.Sleeping = n
	}
	return out
}

// serveHealth serves /healthz and /stats at addr until the returned
// function is called.
func serveHealth(ctx context.Context, addr string, st *calleeStatus, log *slog.Logger) (func(), error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--health: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if st.stats().Ready {
			io.WriteString(w, "ok\n")
			return
		}
		http.Error(w, "not ready", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(st.stats())
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       5 * time.Second,
		WriteTimeout:      5 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    8 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	go srv.Serve(ln)
	return func() { srv.Close() }, nil
}

// countingCallee registers through sess, counting in st.served every
// invocation whose handler returned.
type countingCallee struct {
	sess *runtime.Session
	st   *calleeStatus
}

func (c countingCallee) Register(ctx context.Context, procedure wamp.URI, h runtime.Handler, opts ...runtime.RegisterOption) (*runtime.Registration, error) {
	counted := func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		defer c.st.served.Add(1)
		return h(ctx, inv)
	}
	return c.sess.Register(ctx, procedure, counted, opts...)
}
