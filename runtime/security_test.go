package runtime_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// secBuffer is a goroutine-safe log sink.
type secBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *secBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *secBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// secForms returns the forms a secret could leak in: as is, hex, base64
// (standard, URL, unpadded), and Go's quoted form.
func secForms(secret []byte) []string {
	forms := []string{
		string(secret),
		hex.EncodeToString(secret),
		strings.ToUpper(hex.EncodeToString(secret)),
		base64.StdEncoding.EncodeToString(secret),
		base64.URLEncoding.EncodeToString(secret),
		base64.RawStdEncoding.EncodeToString(secret),
		base64.RawURLEncoding.EncodeToString(secret),
		fmt.Sprintf("%q", secret),
		fmt.Sprintf("%v", secret), // a []byte printed as numbers
	}
	var out []string
	for _, f := range forms {
		// A short form could turn up by chance; every secret here is long.
		if len(f) >= 8 {
			out = append(out, f)
		}
	}
	return out
}

// TestSecretsNeverLeak runs sessions with every authentication method, with
// the right and a wrong secret, makes calls and publications that succeed
// and fail, and closes, all with the runtime's and the router's logs at
// Debug level in JSON and text: no secret, in any encoding, may appear in a
// log line or in an error's text.
func TestSecretsNeverLeak(t *testing.T) {
	checkNoLeakedGoroutines(t)
	const (
		realm        = "com.sec.realm"
		ticket       = "sec-Ticket-Value-5e1f9a"
		craSecret    = "sec-CRA-Secret-c0ffee42"
		saltedSecret = "sec-Salted-Secret-b16b00b5"
		salt         = "sec-salt-77"
		wrong        = "sec-Wrong-Secret-deadbeef"
	)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, otherPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	derived, err := pbkdf2.Key(sha256.New, saltedSecret, []byte(salt), 1000, 32)
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, s := range [][]byte{
		[]byte(ticket), []byte(craSecret), []byte(saltedSecret), []byte(wrong),
		priv.Seed(), priv, otherPriv.Seed(), otherPriv,
		derived, []byte(base64.StdEncoding.EncodeToString(derived)), // the salted WAMP-CRA key
	} {
		secrets = append(secrets, secForms(s)...)
	}

	var routerLog, jsonLog, textLog secBuffer
	level := &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true}
	logger := slog.New(slog.NewMultiHandler(slog.NewJSONHandler(&jsonLog, level), slog.NewTextHandler(&textLog, level)))
	r := newTestRouter(t, router.Config{
		Logger: slog.New(slog.NewTextHandler(&routerLog, level)),
		// Many failures from loopback on purpose: no throttle.
		AuthFailureLimit: -1,
		Realms: []router.RealmConfig{{Name: realm, Users: []router.User{
			{AuthID: "tina", AuthRole: "r", Ticket: ticket},
			{AuthID: "craig", AuthRole: "r", Secret: craSecret},
			{AuthID: "sally", AuthRole: "r", Secret: saltedSecret, Salt: salt},
			{AuthID: "cyd", AuthRole: "r", PublicKey: pub},
		}}},
	})

	var errs []error
	good := []runtime.Authenticator{
		runtime.Ticket("tina", ticket), runtime.WAMPCRA("craig", craSecret),
		runtime.WAMPCRA("sally", saltedSecret), runtime.CryptoSign("cyd", priv),
	}
	bad := []runtime.Authenticator{
		runtime.Ticket("tina", wrong), runtime.WAMPCRA("craig", wrong), runtime.WAMPCRA("sally", wrong),
		runtime.CryptoSign("cyd", otherPriv), runtime.Ticket("nobody", ticket), runtime.WAMPCRA("tina", ticket),
	}
	for _, url := range []string{r.WebSocketURL(), r.RawSocketURL()} {
		for i, ser := range wamp.Serializers() {
			for _, auth := range bad {
				_, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: realm, Serializer: ser, Auth: auth, Logger: logger})
				if err == nil {
					t.Fatalf("%s %s: Dial with a wrong secret succeeded", auth.Method(), auth.AuthID())
				}
				errs = append(errs, err)
			}
			// A realm that does not exist, with a secret.
			_, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: "com.sec.nowhere", Serializer: ser, Auth: good[i], Logger: logger})
			if err == nil {
				t.Fatal("Dial to a missing realm succeeded")
			}
			errs = append(errs, err)

			callee, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: realm, Serializer: ser, Auth: good[i], Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			caller, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: realm, Serializer: ser, Auth: good[(i+1)%len(good)], Logger: logger,
				MaxMessageSize: 64 << 10})
			if err != nil {
				t.Fatal(err)
			}
			ctx := testCtx(t)
			if _, err := callee.Register(ctx, "com.sec.op", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				var op string
				if err := args(inv.Args, &op); err != nil {
					return nil, err
				}
				switch op {
				case "fail":
					return nil, errors.New("handler failure")
				case "panic":
					panic("handler panic")
				}
				return &runtime.Result{Args: wamp.ArgsOf(op)}, nil
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := callee.Register(ctx, "com.sec.op", func(context.Context, *runtime.Invocation) (*runtime.Result, error) { return nil, nil }); err == nil {
				t.Fatal("second registration succeeded")
			} else {
				errs = append(errs, err)
			}
			sub, err := callee.Subscribe(ctx, "com.sec.topic", func(context.Context, *runtime.Event) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range []string{"ok", "fail", "panic"} {
				if _, err := caller.Call(ctx, "com.sec.op", wamp.ArgsOf(op), wamp.Payload{}); err != nil {
					errs = append(errs, err)
				}
			}
			for _, call := range []func() error{
				func() error {
					_, err := caller.Call(ctx, "com.sec.missing", wamp.Payload{}, wamp.Payload{})
					return err
				},
				func() error { _, err := caller.Call(ctx, "com.sec.op", wamp.ArgsOf(1, 2), wamp.Payload{}); return err },
				func() error {
					_, err := caller.Call(ctx, "com.sec.op", wamp.ArgsOf(strings.Repeat("x", 100<<10)), wamp.Payload{})
					return err
				},
				func() error {
					_, err := caller.Publish(ctx, "com.sec.topic", wamp.ArgsOf(1), wamp.Payload{}, runtime.WithAcknowledge())
					return err
				},
				func() error { return sub.Unsubscribe(ctx) },
				func() error { return sub.Unsubscribe(ctx) },
			} {
				if err := call(); err != nil {
					errs = append(errs, err)
				}
			}
			for _, s := range []*runtime.Session{caller, callee} {
				if err := s.Close(); err != nil {
					errs = append(errs, err)
				}
				if _, err := s.Call(ctx, "com.sec.op", wamp.ArgsOf("ok"), wamp.Payload{}); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	if len(errs) < 50 {
		t.Fatalf("only %d errors to check", len(errs))
	}
	for _, err := range errs {
		text := fmt.Sprintf("%v %+v %#v", err, err, err)
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("error %q reveals a secret (%q)", err, s)
			}
		}
	}
	for name, log := range map[string]*secBuffer{"runtime JSON": &jsonLog, "runtime text": &textLog, "router": &routerLog} {
		text := log.String()
		if !strings.Contains(text, "level=DEBUG") && !strings.Contains(text, `"level":"DEBUG"`) {
			t.Errorf("%s log has no Debug lines: the test did not log at Debug", name)
		}
		for _, s := range secrets {
			if i := strings.Index(text, s); i >= 0 {
				line := text[strings.LastIndexByte(text[:i], '\n')+1:]
				line, _, _ = strings.Cut(line, "\n")
				t.Errorf("%s log reveals a secret (%q) in: %s", name, s, line)
			}
		}
		t.Logf("%s log: %d bytes checked", name, len(text))
	}
	t.Logf("%d errors checked, for example: %v", len(errs), errs[0])
}

// secSizedResult encodes a RESULT for req of exactly size bytes.
func secSizedResult(t *testing.T, ser *wamp.Serializer, req wamp.ID, size int) []byte {
	t.Helper()
	pad := size - 32
	for range 10 {
		b, err := ser.Encode(&wamp.Result{Request: req, Details: wamp.Dict{}, Args: wamp.ArgsOf(strings.Repeat("x", pad))})
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == size {
			return b
		}
		pad += size - len(b)
	}
	t.Fatalf("cannot encode a %s RESULT of exactly %d bytes", ser, size)
	return nil
}

// TestMaxMessageSizeReceive checks Config.MaxMessageSize on both receive
// paths, WebSocket (the bytes read) and RawSocket (the frame length): a
// message of exactly the limit is taken, one byte more fails the request it
// answers with wamp.error.payload_size_exceeded, and the session goes on.
func TestMaxMessageSizeReceive(t *testing.T) {
	checkNoLeakedGoroutines(t)
	for _, transport := range []string{"websocket", "rawsocket"} {
		for _, ser := range wamp.Serializers() {
			t.Run(transport+"/"+ser.Name(), func(t *testing.T) {
				srv := startRogue(t, transport, ser, true)

				rs := dialRogue(t, srv, runtime.Config{})
				rs.rc.sendBytes(secSizedResult(t, ser, rs.callReq, rogueMaxMessage))
				o := recvT(t, rs.callDone, "the call")
				if o.err != nil {
					t.Fatalf("a RESULT of exactly MaxMessageSize: %v", o.err)
				}
				rs.rc.send(&wamp.Registered{Request: rs.pendingReg, Registration: roguePendingRegID})
				if err := recvT(t, rs.regDone, "REGISTER"); err != nil {
					t.Fatal(err)
				}

				rs = dialRogue(t, srv, runtime.Config{})
				rs.rc.sendBytes(secSizedResult(t, ser, rs.callReq, rogueMaxMessage+1))
				rs.expectCallTooLarge()
			})
		}
	}
}

// TestMaxMessageSizeSend checks the send side: a message over
// Config.MaxMessageSize, or over the limit the router announced in the
// RawSocket handshake, fails with ErrPayloadSizeExceeded and leaves the
// session working.
func TestMaxMessageSizeSend(t *testing.T) {
	checkNoLeakedGoroutines(t)
	r := newTestRouter(t, router.Config{MaxMessageSize: 4096})
	for _, tc := range []struct {
		name, url string
		max       int // the client's MaxMessageSize
		size      int // the argument's size
	}{
		{"websocket/own limit", r.WebSocketURL(), 1024, 2000},
		{"rawsocket/own limit", r.RawSocketURL(), 1024, 2000},
		{"rawsocket/router's limit", r.RawSocketURL(), 1 << 20, 8000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			callee := dialT(t, tc.url, runtime.Config{})
			rpcRegister(t, callee, "com.sec.len", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
				var b []byte
				if err := args(inv.Args, &b); err != nil {
					return nil, err
				}
				return &runtime.Result{Args: wamp.ArgsOf(len(b))}, nil
			})
			s := dialT(t, tc.url, runtime.Config{MaxMessageSize: tc.max, Serializer: wamp.MsgPack})
			_, err := s.Call(testCtx(t), "com.sec.len", wamp.ArgsOf(make([]byte, tc.size)), wamp.Payload{})
			if !errors.Is(err, runtime.ErrPayloadSizeExceeded) {
				t.Fatalf("oversized CALL: %v, want ErrPayloadSizeExceeded", err)
			}
			if _, err := s.Publish(testCtx(t), "com.sec.t", wamp.ArgsOf(make([]byte, tc.size)), wamp.Payload{}); !errors.Is(err, runtime.ErrPayloadSizeExceeded) {
				t.Fatalf("oversized PUBLISH: %v, want ErrPayloadSizeExceeded", err)
			}
			var n int
			decodeArg(t, mustOK(t)(s.Call(testCtx(t), "com.sec.len", wamp.ArgsOf(make([]byte, 100)), wamp.Payload{})).Args, 0, &n)
			if n != 100 {
				t.Fatalf("after the refused CALL: %d", n)
			}
		})
	}
}

func mustOK(t *testing.T) func(*runtime.Result, error) *runtime.Result {
	return func(r *runtime.Result, err error) *runtime.Result {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}
