package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/wamp"
)

// TestServeServiceTicket checks "serve --service-ticket": the Go service,
// authenticated with the ticket, registers and publishes, so that every
// check of "calculator call" (an anonymous client that calls and
// subscribes) passes, while an anonymous client may neither register nor
// publish; with the ticket, another service may register.
func TestServeServiceTicket(t *testing.T) {
	url := startServe(t, "--service-ticket", "s3cret")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"call", "--url", url, "--realm", "realm1", "--serializer", "json"}, &out, &errOut); code != 0 {
		t.Fatalf("call exited %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if n := strings.Count(out.String(), "ok   "); n != len(checks) {
		t.Fatalf("%d checks passed, want %d:\n%s", n, len(checks), out.String())
	}

	dial := func(cfg client.Config) *client.Client {
		t.Helper()
		cfg.Realm = "realm1"
		cfg.ResponseTimeout = 10 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := client.ConnectNet(ctx, url, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	handler := func(context.Context, *wamp.Invocation) client.InvokeResult { return client.InvokeResult{} }
	anon := dial(client.Config{})
	for what, err := range map[string]error{
		"REGISTER": anon.Register("com.example.calc.extra", handler, nil),
		"PUBLISH":  anon.Publish("com.example.calc.computed", wamp.Dict{wamp.OptAcknowledge: true}, nil, nil),
	} {
		if err == nil || !strings.Contains(err.Error(), string(wamp.ErrNotAuthorized)) {
			t.Errorf("anonymous %s: %v, want %s", what, err, wamp.ErrNotAuthorized)
		}
	}
	svc := dial(client.Config{
		HelloDetails: wamp.Dict{"authid": serviceAuthID},
		AuthHandlers: map[string]client.AuthFunc{"ticket": func(*wamp.Challenge) (string, wamp.Dict) { return "s3cret", wamp.Dict{} }},
	})
	if err := svc.Register("com.example.calc.extra", handler, nil); err != nil {
		t.Errorf("service REGISTER: %v", err)
	}
}
