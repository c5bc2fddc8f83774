package runtime_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "wampgen test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	r, err := router.Start(context.Background(), router.Config{
		WebSocketAddr: "127.0.0.1:0",
		RawSocketAddr: "127.0.0.1:0",
		TLSConfig:     &tls.Config{Certificates: []tls.Certificate{cert}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if !strings.HasPrefix(r.WebSocketURL(), "wss://") || !strings.HasPrefix(r.RawSocketURL(), "tcps://") {
		t.Fatalf("URLs %s %s", r.WebSocketURL(), r.RawSocketURL())
	}
	trusted := &tls.Config{RootCAs: pool}
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
