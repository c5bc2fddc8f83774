package runtime

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"

	"github.com/wampgen/wampgen/wamp"
)

// Authenticator answers a router's CHALLENGE. The secret it holds never
// appears in logs or error text.
type Authenticator interface {
	// Method is the WAMP authentication method, such as "ticket".
	Method() string
	// AuthID is the authentication ID announced in HELLO.
	AuthID() string
	// AuthExtra is announced as HELLO.Details.authextra (may be nil).
	AuthExtra() wamp.Dict
	// Respond signs a CHALLENGE of this method.
	Respond(c *wamp.Challenge) (signature string, extra wamp.Dict, err error)
}

// Ticket authenticates with a shared ticket (a password sent as is; use it
// only over TLS or loopback).
func Ticket(authID, ticket string) Authenticator { return ticketAuth{authID, ticket} }

type ticketAuth struct{ id, ticket string }

func (a ticketAuth) Method() string       { return "ticket" }
func (a ticketAuth) AuthID() string       { return a.id }
func (a ticketAuth) AuthExtra() wamp.Dict { return nil }
func (a ticketAuth) Respond(*wamp.Challenge) (string, wamp.Dict, error) {
	return a.ticket, nil, nil
}

// WAMPCRA authenticates with WAMP Challenge-Response Authentication: the
// signature is the base64 HMAC-SHA256 of the challenge under the secret.
// When the challenge carries salt, iterations and keylen, the key is first
// derived from the secret with PBKDF2-HMAC-SHA256 and base64-encoded, as
// Autobahn and Crossbar.io do.
func WAMPCRA(authID, secret string) Authenticator { return craAuth{authID, secret} }

type craAuth struct{ id, secret string }

func (a craAuth) Method() string       { return "wampcra" }
func (a craAuth) AuthID() string       { return a.id }
func (a craAuth) AuthExtra() wamp.Dict { return nil }

func (a craAuth) Respond(c *wamp.Challenge) (string, wamp.Dict, error) {
	challenge, ok := wamp.DictString(c.Extra, wamp.KeyChallenge)
	if !ok {
		return "", nil, errors.New("wampcra challenge has no challenge string")
	}
	key := []byte(a.secret)
	if salt, ok := wamp.DictString(c.Extra, wamp.KeySalt); ok && salt != "" {
		iters, ok1 := wamp.DictInt(c.Extra, wamp.KeyIterations)
		keylen, ok2 := wamp.DictInt(c.Extra, wamp.KeyKeyLen)
		if !ok1 || !ok2 || iters < 1 || iters > 10_000_000 || keylen < 1 || keylen > 1024 {
			return "", nil, errors.New("wampcra challenge has a salt but no valid iterations and keylen")
		}
		dk, err := pbkdf2.Key(sha256.New, a.secret, []byte(salt), int(iters), int(keylen))
		if err != nil {
			return "", nil, fmt.Errorf("wampcra key derivation: %w", err)
		}
		key = []byte(base64.StdEncoding.EncodeToString(dk))
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(challenge))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil, nil
}

// The authenticators print, format and log without their secrets: %v of a
// Config, or a Config passed to a logger, must not leak a ticket or a key.

func (a ticketAuth) String() string       { return "ticket(authid=" + a.id + ")" }
func (a ticketAuth) GoString() string     { return a.String() }
func (a ticketAuth) LogValue() slog.Value { return slog.StringValue(a.String()) }

func (a craAuth) String() string       { return "wampcra(authid=" + a.id + ")" }
func (a craAuth) GoString() string     { return a.String() }
func (a craAuth) LogValue() slog.Value { return slog.StringValue(a.String()) }

func (a cryptoSignAuth) String() string       { return "cryptosign(authid=" + a.id + ")" }
func (a cryptoSignAuth) GoString() string     { return a.String() }
func (a cryptoSignAuth) LogValue() slog.Value { return slog.StringValue(a.String()) }

// CryptoSign authenticates with an Ed25519 key: HELLO announces the public
// key (hex) in authextra.pubkey, and the signature is the hex of the
// Ed25519 signature of the 32-byte challenge followed by the challenge.
func CryptoSign(authID string, key ed25519.PrivateKey) Authenticator {
	return cryptoSignAuth{authID, key}
}

type cryptoSignAuth struct {
	id  string
	key ed25519.PrivateKey
}

func (a cryptoSignAuth) Method() string { return "cryptosign" }
func (a cryptoSignAuth) AuthID() string { return a.id }
func (a cryptoSignAuth) AuthExtra() wamp.Dict {
	if len(a.key) != ed25519.PrivateKeySize {
		return nil // Respond reports the bad key; Public would panic on it
	}
	pub, _ := a.key.Public().(ed25519.PublicKey)
	return wamp.Dict{wamp.KeyPubKey: hex.EncodeToString(pub)}
}

func (a cryptoSignAuth) Respond(c *wamp.Challenge) (string, wamp.Dict, error) {
	if len(a.key) != ed25519.PrivateKeySize {
		return "", nil, fmt.Errorf("cryptosign private key has %d bytes, want %d", len(a.key), ed25519.PrivateKeySize)
	}
	hexChallenge, ok := wamp.DictString(c.Extra, wamp.KeyChallenge)
	if !ok {
		return "", nil, errors.New("cryptosign challenge has no challenge string")
	}
	challenge, err := hex.DecodeString(hexChallenge)
	if err != nil || len(challenge) != 32 {
		return "", nil, errors.New("cryptosign challenge is not 32 hex-encoded bytes")
	}
	sig := ed25519.Sign(a.key, challenge)
	return hex.EncodeToString(append(sig, challenge...)), nil, nil
}
