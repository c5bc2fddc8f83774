package interop

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
)

// TestAutobahnAuthentication has Autobahn|JS log in to the embedded router
// by WAMP-CRA, salted and not, and by cryptosign: users get their role, and
// authids the router does not know fail (after a CHALLENGE shaped like a
// user's, which Autobahn answers).
func TestAutobahnAuthentication(t *testing.T) {
	t.Parallel()
	e := need(t)
	seed := make([]byte, ed25519.SeedSize)
	_, _ = rand.Read(seed)
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	r, err := router.Start(context.Background(), router.Config{
		WebSocketAddr: "127.0.0.1:0",
		Realms: []router.RealmConfig{{
			Name: "auth",
			Users: []router.User{
				{AuthID: "cara", Secret: "cra-secret"},
				{AuthID: "sally", AuthRole: "admin", Secret: "salted-secret", Salt: "NaCl", Iterations: 100, KeyLen: 16},
				{AuthID: "cyril", AuthRole: "signer", PublicKey: pub},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })

	results, exitErr := runNode(t, e, time.Minute, "js/auth.mjs", "--url", r.WebSocketURL(), "--seed", hex.EncodeToString(seed))
	if exitErr != nil {
		t.Errorf("js/auth.mjs: %v", exitErr)
	}
	want := map[string]string{ // case → authrole; "" must fail
		"wampcra":            "user",
		"wampcra salted":     "admin",
		"wampcra unknown":    "",
		"cryptosign":         "signer",
		"cryptosign unknown": "",
	}
	done := false
	for _, res := range results {
		if res["done"] == true {
			done = true
			continue
		}
		name, _ := res["case"].(string)
		role, ok := want[name]
		if !ok {
			t.Errorf("js/auth.mjs reported %v", res)
			continue
		}
		delete(want, name)
		switch {
		case role == "" && res["ok"] == true:
			t.Errorf("%s: joined as %v, want failure", name, res)
		case role != "" && (res["ok"] != true || res["authrole"] != role):
			t.Errorf("%s: %v, want authrole %s", name, res, role)
		}
	}
	if !done || len(want) != 0 {
		t.Errorf("js/auth.mjs did not finish: missing %v", want)
	}
}
