package router_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gammazero/nexus/v3/client"
	"github.com/gammazero/nexus/v3/transport/serialize"
	"github.com/gammazero/nexus/v3/wamp"
	"github.com/gammazero/nexus/v3/wamp/crsign"

	"github.com/wampgen/wampgen/router"
)

func ticketAuth(ticket string) client.AuthFunc {
	return func(*wamp.Challenge) (string, wamp.Dict) { return ticket, wamp.Dict{} }
}

func craAuth(secret string) client.AuthFunc {
	return func(c *wamp.Challenge) (string, wamp.Dict) {
		return crsign.RespondChallenge(secret, c, nil), wamp.Dict{}
	}
}

// cryptosignAuth signs the challenge the way Autobahn does: the 64-byte
// signature followed by the 32-byte challenge, hex encoded. With short set,
// it sends the bare 64-byte signature.
func cryptosignAuth(key ed25519.PrivateKey, short bool) client.AuthFunc {
	return func(c *wamp.Challenge) (string, wamp.Dict) {
		chHex, _ := wamp.AsString(c.Extra["challenge"])
		ch, err := hex.DecodeString(chHex)
		if err != nil {
			return "", wamp.Dict{}
		}
		sig := hex.EncodeToString(ed25519.Sign(key, ch))
		if short {
			return sig, wamp.Dict{}
		}
		return sig + chHex, wamp.Dict{}
	}
}

func TestAuthentication(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, otherPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// The cases below fail, in parallel, from 127.0.0.1 more often than the
	// failed-authentication throttle allows; it has tests of its own.
	r := startRouter(t, router.Config{AuthFailureLimit: -1, Realms: []router.RealmConfig{
		{Name: "open", Anonymous: true},
		{
			Name: "secure",
			Users: []router.User{
				{AuthID: "tom", AuthRole: "ticketholder", Ticket: "t1cket"},
				{AuthID: "cara", Secret: "cra-secret"},
				{AuthID: "sally", AuthRole: "salted", Secret: "salted-secret", Salt: "NaCl", Iterations: 100, KeyLen: 16},
				{AuthID: "cyril", AuthRole: "signer", PublicKey: pub},
			},
		},
	}})
	pubHex := hex.EncodeToString(pub)

	tests := []struct {
		name     string
		realm    string
		authid   string
		method   string
		fn       client.AuthFunc
		extra    wamp.Dict
		wantRole string // "" means joining must fail
	}{
		{"anonymous", "open", "", "", nil, nil, "anonymous"},
		{"anonymous refused", "secure", "", "", nil, nil, ""},
		{"ticket", "secure", "tom", "ticket", ticketAuth("t1cket"), nil, "ticketholder"},
		{"ticket wrong", "secure", "tom", "ticket", ticketAuth("t1cket!"), nil, ""},
		{"ticket of user without ticket", "secure", "cara", "ticket", ticketAuth(""), nil, ""},
		{"ticket unknown user", "secure", "mallory", "ticket", ticketAuth("t1cket"), nil, ""},
		{"wampcra", "secure", "cara", "wampcra", craAuth("cra-secret"), nil, "user"},
		{"wampcra wrong", "secure", "cara", "wampcra", craAuth("cra-secreT"), nil, ""},
		{"wampcra salted", "secure", "sally", "wampcra", craAuth("salted-secret"), nil, "salted"},
		{"wampcra salted wrong", "secure", "sally", "wampcra", craAuth("cra-secret"), nil, ""},
		{"wampcra unknown user", "secure", "mallory", "wampcra", craAuth("cra-secret"), nil, ""},
		{"cryptosign", "secure", "cyril", "cryptosign", cryptosignAuth(priv, false), wamp.Dict{"pubkey": pubHex}, "signer"},
		{"cryptosign bare signature", "secure", "cyril", "cryptosign", cryptosignAuth(priv, true), nil, "signer"},
		{"cryptosign wrong key", "secure", "cyril", "cryptosign", cryptosignAuth(otherPriv, false), nil, ""},
		{"cryptosign wrong pubkey announced", "secure", "cyril", "cryptosign", cryptosignAuth(priv, false),
			wamp.Dict{"pubkey": strings.Repeat("00", 32)}, ""},
		{"cryptosign garbage", "secure", "cyril", "cryptosign", ticketAuth("zz"), nil, ""},
		{"cryptosign unknown user", "secure", "mallory", "cryptosign", cryptosignAuth(priv, false), nil, ""},
	}
	for _, tt := range tests {
		for _, tr := range []int{0, 4, 8} { // ws-json, tcp-msgpack, unix-cbor
			tr := transports[tr]
			t.Run(tt.name+"/"+tr.name, func(t *testing.T) {
				t.Parallel()
				cfg := client.Config{Realm: tt.realm, Serialization: tr.ser, HelloDetails: wamp.Dict{}}
				if tt.authid != "" {
					cfg.HelloDetails["authid"] = tt.authid
				}
				if tt.extra != nil {
					cfg.HelloDetails["authextra"] = tt.extra
				}
				if tt.fn != nil {
					cfg.AuthHandlers = map[string]client.AuthFunc{tt.method: tt.fn}
				}
				c, err := dialErr(tr.url(r), cfg)
				if tt.wantRole == "" {
					if err == nil {
						_ = c.Close()
						t.Fatal("joined; want failure")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				d := c.RealmDetails()
				if d["authrole"] != tt.wantRole {
					t.Errorf("authrole %v, want %s", d["authrole"], tt.wantRole)
				}
				if tt.authid != "" && d["authid"] != tt.authid {
					t.Errorf("authid %v, want %s", d["authid"], tt.authid)
				}
				if want := tt.method; want != "" && d["authmethod"] != want {
					t.Errorf("authmethod %v, want %s", d["authmethod"], want)
				}
			})
		}
	}
}

func TestSaltedCRAChallenge(t *testing.T) {
	r := startRouter(t, router.Config{Realms: []router.RealmConfig{{
		Name:  "secure",
		Users: []router.User{{AuthID: "sam", Secret: "pw", Salt: "pepper"}},
	}}})
	var extra wamp.Dict
	c := dial(t, r.WebSocketURL(), client.Config{
		Realm:        "secure",
		HelloDetails: wamp.Dict{"authid": "sam"},
		AuthHandlers: map[string]client.AuthFunc{"wampcra": func(c *wamp.Challenge) (string, wamp.Dict) {
			extra = c.Extra
			return crsign.RespondChallenge("pw", c, nil), wamp.Dict{}
		}},
	})
	_ = c.Close()
	it, _ := wamp.AsInt64(extra["iterations"])
	kl, _ := wamp.AsInt64(extra["keylen"])
	if extra["salt"] != "pepper" || it != 1000 || kl != 32 {
		t.Fatalf("challenge extra %v; want salt pepper, the default 1000 iterations and key length 32", extra)
	}
	if ch, _ := wamp.AsString(extra["challenge"]); ch == "" {
		t.Fatal("no challenge string")
	}
}

// TestCryptosignReplay checks that a signature is only good for the
// challenge it signs: replaying an earlier valid signature fails.
func TestCryptosignReplay(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := startRouter(t, router.Config{Realms: []router.RealmConfig{{
		Name:  "secure",
		Users: []router.User{{AuthID: "cyril", PublicKey: pub}},
	}}})
	var mu sync.Mutex
	var captured string
	sign := cryptosignAuth(priv, false)
	cfg := client.Config{
		Realm:         "secure",
		Serialization: serialize.MSGPACK,
		HelloDetails:  wamp.Dict{"authid": "cyril"},
		AuthHandlers: map[string]client.AuthFunc{"cryptosign": func(c *wamp.Challenge) (string, wamp.Dict) {
			sig, d := sign(c)
			mu.Lock()
			captured = sig
			mu.Unlock()
			return sig, d
		}},
	}
	c := dial(t, r.RawSocketURL(), cfg)
	_ = c.Close()

	mu.Lock()
	replay := captured
	mu.Unlock()
	cfg.AuthHandlers = map[string]client.AuthFunc{"cryptosign": ticketAuth(replay)}
	if c, err := dialErr(r.RawSocketURL(), cfg); err == nil {
		_ = c.Close()
		t.Fatal("joined with a replayed signature")
	}
}

// TestChallengeTellsNothing checks that a CHALLENGE looks the same whoever
// the authid: a WAMP-CRA challenge always shows the authrole "user", and an
// unknown authid gets a salt of its own (the same every time) with the
// default iterations and key length when the realm has salted users; a
// cryptosign user that announces another public key is challenged like a
// stranger.
func TestChallengeTellsNothing(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := startRouter(t, router.Config{Realms: []router.RealmConfig{{
		Name: "realm1",
		Users: []router.User{
			{AuthID: "bob", AuthRole: "admin", Secret: "pw", Salt: "salt"},
			{AuthID: "cyril", PublicKey: pub},
		},
	}}})
	challenge := func(authid, method, authextra string) []any {
		c := dialRSJSON(t, r, 15, 0)
		c.send(fmt.Sprintf(`[1,"realm1",{"roles":{"caller":{}},"authid":%q,"authmethods":[%q],"authextra":%s}]`, authid, method, authextra))
		return c.recv(4)
	}
	craExtra := func(authid string) map[string]any {
		v := challenge(authid, "wampcra", "{}")
		extra := v[2].(map[string]any)
		var ch map[string]any
		if err := json.Unmarshal([]byte(extra["challenge"].(string)), &ch); err != nil {
			t.Fatalf("%s: challenge %v: %v", authid, extra["challenge"], err)
		}
		if ch["authrole"] != "user" || ch["authid"] != authid {
			t.Errorf("%s: challenge %v, want authrole user", authid, ch)
		}
		delete(extra, "challenge")
		return extra
	}
	bob, nobody, nobody2 := craExtra("bob"), craExtra("nobody"), craExtra("nobody2")
	if fmt.Sprint(slices.Sorted(maps.Keys(bob))) != fmt.Sprint(slices.Sorted(maps.Keys(nobody))) ||
		bob["iterations"] != nobody["iterations"] || bob["keylen"] != nobody["keylen"] {
		t.Errorf("WAMP-CRA challenge extras differ:\n  bob:    %v\n  nobody: %v", bob, nobody)
	}
	if again := craExtra("nobody"); again["salt"] != nobody["salt"] {
		t.Errorf("an unknown authid got salt %v, then %v", nobody["salt"], again["salt"])
	}
	if nobody["salt"] == nobody2["salt"] {
		t.Errorf("two unknown authids got the same salt %v", nobody["salt"])
	}
	challenge("cyril", "cryptosign", fmt.Sprintf(`{"pubkey":%q}`, strings.Repeat("00", 32)))
	challenge("nobody", "cryptosign", "{}")
}
