package runtime_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

func TestTLS(t *testing.T) {
	server, trusted := routertest.TLS(t)
	r := routertest.New(t, routertest.WithTLS(server))
	if !strings.HasPrefix(r.WebSocketURL(), "wss://") || !strings.HasPrefix(r.RawSocketURL(), "tcps://") {
		t.Fatalf("URLs %s %s", r.WebSocketURL(), r.RawSocketURL())
	}
	callee := rpcDial(t, r.RawSocketURL(), runtime.Config{TLSConfig: trusted, Serializer: wamp.CBOR})
	rpcRegister(t, callee, "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	})
	for _, url := range []string{r.WebSocketURL(), r.RawSocketURL()} {
		caller := rpcDial(t, url, runtime.Config{TLSConfig: trusted})
		if got := mustResult[string](t)(caller.Call(context.Background(), "com.test.echo", wamp.ArgsOf("over TLS"), wamp.Payload{})); got != "over TLS" {
			t.Fatalf("%s: echo = %q", url, got)
		}
		// A client that does not trust the certificate must not connect.
		_, err := runtime.Dial(context.Background(), url, runtime.Config{Realm: "realm1", TLSConfig: &tls.Config{}})
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("%s: untrusted certificate accepted or unclear error: %v", url, err)
		}
	}
}
