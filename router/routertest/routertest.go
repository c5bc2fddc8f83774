// Package routertest starts WAMP routers for tests, in the manner of
// net/http/httptest: New starts a router of package router on free
// loopback ports for one test, and closes it when the test ends.
//
//	func TestCalculator(t *testing.T) {
//		r := routertest.New(t)
//		sess, err := runtime.Dial(t.Context(), r.WebSocketURL(), // or r.RawSocketURL()
//			runtime.Config{Realm: router.DefaultRealm})
//		...
//	}
//
// The router serves router.DefaultRealm to anonymous clients over WebSocket
// and RawSocket, and logs warnings to the test's output; WithRealms,
// WithLogger and WithTLS (with a certificate from TLS) change that. It has
// every limit and check of package router, so a test meets the router its
// service will meet.
package routertest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/wampgen/wampgen/router"
)

// Option adjusts the router.Config that New starts a router with.
type Option func(*router.Config)

// WithRealms replaces the default realm (router.DefaultRealm, anonymous) with
// the given realms.
func WithRealms(realms ...router.RealmConfig) Option {
	return func(c *router.Config) { c.Realms = realms }
}

// WithLogger sends the router's log to l instead of the test log.
func WithLogger(l *slog.Logger) Option {
	return func(c *router.Config) { c.Logger = l }
}

// New starts a router with a WebSocket and a TCP RawSocket listener on
// 127.0.0.1 at free ports, serving router.DefaultRealm to anonymous clients
// unless options say otherwise. It fails the test if the router does not
// start, and closes the router when the test and its subtests have finished,
// failing the test if Close reports an error.
//
// By default the router logs warnings to the test's output, where they show
// up for failed tests and with go test -v.
func New(tb testing.TB, opts ...Option) *router.Router {
	tb.Helper()
	cfg := router.Config{
		WebSocketAddr: "127.0.0.1:0",
		RawSocketAddr: "127.0.0.1:0",
		Logger:        slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	r, err := router.Start(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("routertest: %v", err)
	}
	tb.Cleanup(func() {
		if err := r.Close(); err != nil {
			tb.Errorf("routertest: %v", err)
		}
	})
	return r
}
