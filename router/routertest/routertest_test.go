package routertest_test

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
)

func connect(t *testing.T, url string, cfg client.Config) *client.Client {
	t.Helper()
	if cfg.Realm == "" {
		cfg.Realm = router.DefaultRealm
	}
	cfg.Logger = log.New(io.Discard, "", 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := client.ConnectNet(ctx, url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestNew(t *testing.T) {
	r := routertest.New(t)
	if !strings.HasPrefix(r.WebSocketURL(), "ws://127.0.0.1:") || !strings.HasPrefix(r.RawSocketURL(), "tcp://127.0.0.1:") {
		t.Fatalf("URLs %q %q", r.WebSocketURL(), r.RawSocketURL())
	}
	if r.UnixURL() != "" {
		t.Errorf("unexpected Unix listener %q", r.UnixURL())
	}
	callee := connect(t, r.WebSocketURL(), client.Config{Serialization: serialize.MSGPACK})
	err := callee.Register("test.hello", func(_ context.Context, inv *wamp.Invocation) client.InvokeResult {
		return client.InvokeResult{Args: wamp.List{"hello " + inv.Arguments[0].(string)}}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	caller := connect(t, r.RawSocketURL(), client.Config{})
	res, err := caller.Call(context.Background(), "test.hello", nil, wamp.List{"world"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Arguments[0] != "hello world" {
		t.Fatalf("got %v", res.Arguments)
	}
}

func TestNewClosesAtCleanup(t *testing.T) {
	var r *router.Router
	var c *client.Client
	outer := t
	t.Run("inner", func(t *testing.T) {
		r = routertest.New(t)
		c = connect(outer, r.WebSocketURL(), client.Config{})
	})
	// The subtest's cleanup closed the router, which said goodbye to the
	// client that outlives it.
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("session still open after the test ended")
	}
	if gb := c.RouterGoodbye(); gb == nil || gb.Reason != wamp.CloseSystemShutdown {
		t.Errorf("goodbye %v, want %s", gb, wamp.CloseSystemShutdown)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close after cleanup: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the router's goroutines to log to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestOptions(t *testing.T) {
	var buf syncBuffer
	r := routertest.New(t,
		routertest.WithRealms(router.RealmConfig{
			Name:  "com.example",
			Users: []router.User{{AuthID: "joe", AuthRole: "admin", Ticket: "secret"}},
		}),
		routertest.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		func(c *router.Config) { c.RawSocketAddr = "" },
	)
	if r.RawSocketURL() != "" {
		t.Errorf("custom option ignored: RawSocket listener at %q", r.RawSocketURL())
	}
	c := connect(t, r.WebSocketURL(), client.Config{
		Realm:        "com.example",
		HelloDetails: wamp.Dict{"authid": "joe"},
		AuthHandlers: map[string]client.AuthFunc{
			"ticket": func(*wamp.Challenge) (string, wamp.Dict) { return "secret", wamp.Dict{} },
		},
	})
	if c.RealmDetails()["authrole"] != "admin" {
		t.Errorf("details %v", c.RealmDetails())
	}
	if !strings.Contains(buf.String(), "com.example") {
		t.Errorf("router logged nothing about its realm to the custom logger:\n%s", buf.String())
	}
}

// TestExamples runs the tests example_test.go shows.
func TestExamples(t *testing.T) {
	t.Run("upper", testUpper)
	t.Run("login", testLogin)
}
