package runtime

import (
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
)

func TestAuthenticatorsHideSecrets(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	for _, a := range []Authenticator{Ticket("alice", "s3cr3t-ticket"), WAMPCRA("bob", "s3cr3t-cra"), CryptoSign("carol", key)} {
		cfg := Config{Realm: "realm1", Auth: a}
		for _, text := range []string{fmt.Sprint(a), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", a)} {
			if strings.Contains(text, "s3cr3t") || strings.Contains(text, fmt.Sprintf("%x", key[:8])) || strings.Contains(text, fmt.Sprint(key[:8])) {
				t.Errorf("%s prints a secret: %s", a.Method(), text)
			}
		}
	}
}

func TestCryptoSignBadKeyIsAnError(t *testing.T) {
	a := CryptoSign("carol", ed25519.PrivateKey{1, 2, 3})
	if extra := a.AuthExtra(); extra != nil {
		t.Fatalf("AuthExtra with a bad key: %v", extra)
	}
	if _, _, err := a.Respond(nil); err == nil || !strings.Contains(err.Error(), "private key has 3 bytes") {
		t.Fatalf("Respond with a bad key: %v", err)
	}
}
