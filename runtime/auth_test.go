package runtime_test

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Credentials of the auth realm. Each secret is distinctive, so that a test
// can tell whether it leaked into error text.
const (
	authRealm      = "com.test.auth"
	ticketSecret   = "tkt-Secret-9f2c"
	craSecret      = "cra-Plain-Secret-41d7"
	saltedSecret   = "cra-Salted-Secret-7b1e"
	saltedSalt     = "salt-e8a3"
	saltedIters    = 250 // not nexus's default 1000: the client must use the CHALLENGE's values
	saltedKeyLen   = 16  // not the default 32, likewise
	wrongSecret    = "Wrong-Secret-0a5f"
	cryptosignID   = "dora"
	cryptosignRole = "signer"
)

func TestAuth(t *testing.T) {
	checkNoLeakedGoroutines(t)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, otherPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := newTestRouter(t, router.Config{Realms: []router.RealmConfig{
		{Name: authRealm, Users: []router.User{
			{AuthID: "alice", AuthRole: "ticketeer", Ticket: ticketSecret},
			{AuthID: "bob", AuthRole: "cra-plain", Secret: craSecret},
			{AuthID: "carol", AuthRole: "cra-salted", Secret: saltedSecret, Salt: saltedSalt, Iterations: saltedIters, KeyLen: saltedKeyLen},
			{AuthID: cryptosignID, AuthRole: cryptosignRole, PublicKey: pub},
		}},
		{Name: router.DefaultRealm, Anonymous: true},
		// Autobahn's derive_key test vector: default iterations and key
		// length (1000, 32), salt "salt123".
		{Name: "com.test.autobahn", Users: []router.User{
			{AuthID: "vector", Secret: autobahnSecret, Salt: "salt123"},
		}},
	}})
	url := r.WebSocketURL()

	cases := []struct {
		name, method, authid, role string
		good, bad                  runtime.Authenticator
		secret                     string // must not appear in error text
	}{
		{"ticket", "ticket", "alice", "ticketeer",
			runtime.Ticket("alice", ticketSecret), runtime.Ticket("alice", wrongSecret), ticketSecret},
		{"wampcra", "wampcra", "bob", "cra-plain",
			runtime.WAMPCRA("bob", craSecret), runtime.WAMPCRA("bob", wrongSecret), craSecret},
		{"wampcra-salted", "wampcra", "carol", "cra-salted",
			runtime.WAMPCRA("carol", saltedSecret), runtime.WAMPCRA("carol", wrongSecret), saltedSecret},
		{"cryptosign", "cryptosign", cryptosignID, cryptosignRole,
			runtime.CryptoSign(cryptosignID, priv), runtime.CryptoSign(cryptosignID, otherPriv), hex.EncodeToString(priv.Seed())},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, ser := range wamp.Serializers() {
				s := dialT(t, url, runtime.Config{Realm: authRealm, Serializer: ser, Auth: tc.good})
				d := s.Details()
				for key, want := range map[string]string{
					wamp.KeyAuthID:     tc.authid,
					wamp.KeyAuthRole:   tc.role,
					wamp.KeyAuthMethod: tc.method,
				} {
					if got, _ := wamp.DictString(d, key); got != want {
						t.Errorf("%s: WELCOME.Details.%s = %q, want %q (details %v)", ser.Name(), key, got, want, d)
					}
				}
				if s.Realm() != authRealm || !s.ID().Valid() {
					t.Errorf("%s: realm %q, session ID %d", ser.Name(), s.Realm(), s.ID())
				}
			}

			_, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: authRealm, Auth: tc.bad})
			if err == nil {
				t.Fatal("Dial with a wrong secret succeeded")
			}
			// nexus answers every failed authentication with ABORT
			// wamp.error.authentication_failed.
			if !errors.Is(err, runtime.ErrAuthenticationFailed) {
				t.Errorf("error %q does not match ErrAuthenticationFailed", err)
			}
			msg := err.Error()
			for _, want := range []string{authRealm, tc.method} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not name %q", msg, want)
				}
			}
			for _, secret := range []string{tc.secret, wrongSecret} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q reveals a secret", msg)
				}
			}
			t.Logf("wrong secret: %v", err)
		})
	}

	t.Run("wampcra-salted-autobahn-key", func(t *testing.T) {
		// Sign with the derived key Autobahn computes for this secret and
		// salt, not with the runtime's derivation: the router must have
		// stored exactly that key.
		s := dialT(t, url, runtime.Config{Realm: "com.test.autobahn", Auth: staticCRA{"vector", autobahnDerivedKey}})
		if id, _ := wamp.DictString(s.Details(), wamp.KeyAuthID); id != "vector" {
			t.Errorf("authid %q", id)
		}
		s2 := dialT(t, url, runtime.Config{Realm: "com.test.autobahn", Auth: runtime.WAMPCRA("vector", autobahnSecret)})
		if role, _ := wamp.DictString(s2.Details(), wamp.KeyAuthRole); role != "user" {
			t.Errorf("authrole %q, want the router's default \"user\"", role)
		}
	})

	t.Run("cryptosign-bad-signature", func(t *testing.T) {
		// The right public key announced, the challenge signed by another
		// key: the router must check the signature itself.
		_, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: authRealm,
			Auth: forgedCryptoSign{runtime.CryptoSign(cryptosignID, priv), otherPriv}})
		if !errors.Is(err, runtime.ErrAuthenticationFailed) {
			t.Fatalf("got %v, want authentication_failed", err)
		}
		if strings.Contains(err.Error(), hex.EncodeToString(otherPriv.Seed())) {
			t.Errorf("error %q reveals the key", err)
		}
	})

	t.Run("unknown-user", func(t *testing.T) {
		_, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: authRealm, Auth: runtime.Ticket("mallory", ticketSecret)})
		if !errors.Is(err, runtime.ErrAuthenticationFailed) || strings.Contains(errorText(err), ticketSecret) {
			t.Errorf("unknown authid: got %v, want authentication_failed without the ticket", err)
		}
	})

	t.Run("method-of-another-user", func(t *testing.T) {
		// alice has a ticket, not a WAMP-CRA secret: signing with her ticket
		// must not work.
		_, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: authRealm, Auth: runtime.WAMPCRA("alice", ticketSecret)})
		if !errors.Is(err, runtime.ErrAuthenticationFailed) {
			t.Errorf("got %v, want authentication_failed", err)
		}
	})

	t.Run("anonymous-refused", func(t *testing.T) {
		_, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: authRealm})
		if err == nil {
			t.Fatal("anonymous Dial to a realm without anonymous access succeeded")
		}
		// nexus sends authentication_failed ("could not authenticate with
		// any method"), not no_matching_auth_method.
		if !errors.Is(err, runtime.ErrAuthenticationFailed) {
			t.Errorf("got %v, want authentication_failed", err)
		}
		if msg := err.Error(); !strings.Contains(msg, authRealm) || !strings.Contains(msg, "anonymous") {
			t.Errorf("error %q does not name the realm and the method", msg)
		}
	})

	t.Run("anonymous-allowed", func(t *testing.T) {
		s := dialT(t, url, runtime.Config{Realm: router.DefaultRealm})
		if m, _ := wamp.DictString(s.Details(), wamp.KeyAuthMethod); m != "anonymous" {
			t.Errorf("authmethod %q, want anonymous", m)
		}
		if role, _ := wamp.DictString(s.Details(), wamp.KeyAuthRole); role != "anonymous" {
			t.Errorf("authrole %q, want anonymous", role)
		}
	})

	t.Run("no-such-realm", func(t *testing.T) {
		for _, auth := range []runtime.Authenticator{nil, runtime.Ticket("alice", ticketSecret)} {
			_, err := runtime.Dial(testCtx(t), url, runtime.Config{Realm: "com.test.nowhere", Auth: auth})
			if !errors.Is(err, runtime.ErrNoSuchRealm) {
				t.Fatalf("got %v, want an error matching ErrNoSuchRealm", err)
			}
			var we *runtime.Error
			if !errors.As(err, &we) || we.URI != wamp.ErrNoSuchRealm {
				t.Errorf("got %v, want a *runtime.Error with URI %s", err, wamp.ErrNoSuchRealm)
			}
			if !strings.Contains(err.Error(), "com.test.nowhere") {
				t.Errorf("error %q does not name the realm", err)
			}
			if strings.Contains(err.Error(), ticketSecret) {
				t.Errorf("error %q reveals the ticket", err)
			}
		}
	})

	t.Run("dial-context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := runtime.Dial(ctx, url, runtime.Config{Realm: authRealm, Auth: runtime.Ticket("alice", ticketSecret)}); err == nil {
			t.Error("Dial with a cancelled context succeeded")
		}
	})
}

// Autobahn's test vectors (autobahn/wamp/test/test_wamp_auth.py:
// test_derive_key and test_compute_wcs).
const (
	autobahnSecret     = "L3L1YUE8Txlw"
	autobahnDerivedKey = "qzcdsr9uu/L5hnss3kjNTRe490ETgA70ZBaB5rvnJ5Y="
	autobahnChallenge  = "[1, 2, 3]"
	autobahnPlainSig   = "1njQtmmeYO41N5EWEzD2kAjjEKRZ5kPZt/TzpYXOzR0="
)

// TestWAMPCRAAutobahnVectors checks the runtime's WAMP-CRA signatures
// against Autobahn's.
func TestWAMPCRAAutobahnVectors(t *testing.T) {
	a := runtime.WAMPCRA("x", autobahnSecret)
	if a.Method() != "wampcra" || a.AuthID() != "x" {
		t.Fatalf("method %q authid %q", a.Method(), a.AuthID())
	}
	sig, _, err := a.Respond(&wamp.Challenge{AuthMethod: "wampcra", Extra: wamp.Dict{"challenge": autobahnChallenge}})
	if err != nil || sig != autobahnPlainSig {
		t.Errorf("plain: signature %q, %v; want %q", sig, err, autobahnPlainSig)
	}
	want := hmacB64(autobahnDerivedKey, autobahnChallenge)
	for _, extra := range []wamp.Dict{
		// How the serializers deliver numbers: int64, uint64, or a float
		// from a JSON peer.
		{"challenge": autobahnChallenge, "salt": "salt123", "iterations": int64(1000), "keylen": int64(32)},
		{"challenge": autobahnChallenge, "salt": "salt123", "iterations": uint64(1000), "keylen": uint64(32)},
		{"challenge": autobahnChallenge, "salt": "salt123", "iterations": float64(1000), "keylen": float64(32)},
	} {
		sig, _, err := a.Respond(&wamp.Challenge{AuthMethod: "wampcra", Extra: extra})
		if err != nil || sig != want {
			t.Errorf("salted %v: signature %q, %v; want %q", extra, sig, err, want)
		}
	}
	_, _, err = a.Respond(&wamp.Challenge{AuthMethod: "wampcra", Extra: wamp.Dict{"challenge": "c", "salt": "s"}})
	if err == nil {
		t.Error("salted challenge without iterations and keylen accepted")
	} else if strings.Contains(err.Error(), autobahnSecret) {
		t.Errorf("error %q reveals the secret", err)
	}
}

func hmacB64(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// staticCRA answers a WAMP-CRA challenge with a fixed HMAC key.
type staticCRA struct{ id, key string }

func (a staticCRA) Method() string       { return "wampcra" }
func (a staticCRA) AuthID() string       { return a.id }
func (a staticCRA) AuthExtra() wamp.Dict { return nil }
func (a staticCRA) Respond(c *wamp.Challenge) (string, wamp.Dict, error) {
	ch, _ := wamp.DictString(c.Extra, "challenge")
	return hmacB64(a.key, ch), nil, nil
}

// forgedCryptoSign announces the public key of the embedded authenticator
// but signs with another key.
type forgedCryptoSign struct {
	runtime.Authenticator
	key ed25519.PrivateKey
}

func (a forgedCryptoSign) Respond(c *wamp.Challenge) (string, wamp.Dict, error) {
	return runtime.CryptoSign(a.AuthID(), a.key).Respond(c)
}
