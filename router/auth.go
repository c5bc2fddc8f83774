package router

import (
	"bytes"
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/gammazero/nexus/v3/router/auth"
	"github.com/gammazero/nexus/v3/wamp"
)

const (
	// authTimeout bounds how long a client may take to answer a CHALLENGE.
	authTimeout = 10 * time.Second

	// Defaults for salted WAMP-CRA, as used by Autobahn and nexus clients.
	defaultIterations = 1000
	defaultKeyLen     = 32

	defaultAuthRole = "user"
	authProvider    = "static"
)

// principal is a validated User with its WAMP-CRA key precomputed.
type principal struct {
	User
	craKey []byte // the HMAC key: Secret, or base64 of its PBKDF2 derivation
}

// keyStore serves a realm's users to nexus's ticket and WAMP-CRA
// authenticators.
type keyStore map[string]*principal

var _ auth.KeyStore = keyStore(nil)

var errNoCredential = errors.New("no such user or no credential for this method")

// AuthKey returns the ticket or the WAMP-CRA key of a user.
func (ks keyStore) AuthKey(authid, authmethod string) ([]byte, error) {
	p, ok := ks[authid]
	if !ok {
		return nil, errNoCredential
	}
	switch authmethod {
	case "ticket":
		if p.Ticket != "" {
			return []byte(p.Ticket), nil
		}
	case "wampcra":
		if p.craKey != nil {
			return p.craKey, nil
		}
	}
	return nil, errNoCredential
}

// PasswordInfo returns the salting parameters of a user's WAMP-CRA secret;
// an empty salt means the secret is used as is.
func (ks keyStore) PasswordInfo(authid string) (string, int, int) {
	p, ok := ks[authid]
	if !ok || p.Salt == "" {
		return "", 0, 0
	}
	return p.Salt, p.KeyLen, p.Iterations
}

// AuthRole returns the role of a user.
func (ks keyStore) AuthRole(authid string) (string, error) {
	p, ok := ks[authid]
	if !ok {
		return "", errNoCredential
	}
	return p.AuthRole, nil
}

// Provider names the key store in WELCOME.Details.authprovider.
func (ks keyStore) Provider() string { return authProvider }

// cryptosignAuth implements WAMP-Cryptosign authentication (Ed25519).
//
// nexus ships an authenticator for it, but that one checks only that the
// signed message carries a valid signature by the user's key, not that the
// signed message is the challenge it sent, so a replayed signature is
// accepted. This one verifies the signature over the very challenge it
// issued.
type cryptosignAuth struct {
	users keyStore
}

var _ auth.Authenticator = (*cryptosignAuth)(nil)

// AuthMethod returns "cryptosign".
func (a *cryptosignAuth) AuthMethod() string { return "cryptosign" }

// Authenticate challenges the client with 32 random bytes and checks its
// Ed25519 signature. The signature may be sent as 64 bytes, or as 96 bytes
// with the challenge appended (what Autobahn clients send), hex encoded.
func (a *cryptosignAuth) Authenticate(_ wamp.ID, details wamp.Dict, client wamp.Peer) (*wamp.Welcome, error) {
	authid, _ := wamp.AsString(details["authid"])
	if authid == "" {
		return nil, errors.New("cryptosign: missing authid")
	}
	p, ok := a.users[authid]
	if !ok || p.PublicKey == nil {
		return nil, errors.New("cryptosign: authentication failed")
	}
	if extra, ok := wamp.AsDict(details["authextra"]); ok {
		if pub, ok := wamp.AsString(extra["pubkey"]); ok && pub != hex.EncodeToString(p.PublicKey) {
			return nil, errors.New("cryptosign: authentication failed")
		}
	}

	challenge := make([]byte, 32)
	if _, err := rand.Read(challenge); err != nil {
		return nil, fmt.Errorf("cryptosign: %w", err)
	}
	select {
	case client.Send() <- &wamp.Challenge{
		AuthMethod: a.AuthMethod(),
		Extra:      wamp.Dict{"challenge": hex.EncodeToString(challenge)},
	}:
	default:
		return nil, errors.New("cryptosign: cannot send challenge: client blocked")
	}
	msg, err := wamp.RecvTimeout(client, authTimeout)
	if err != nil {
		return nil, fmt.Errorf("cryptosign: %w", err)
	}
	rsp, ok := msg.(*wamp.Authenticate)
	if !ok {
		return nil, fmt.Errorf("cryptosign: expected AUTHENTICATE, received %s", msg.MessageType())
	}
	sig, err := hex.DecodeString(rsp.Signature)
	if err != nil {
		return nil, errors.New("cryptosign: signature is not hex")
	}
	switch len(sig) {
	case ed25519.SignatureSize:
	case ed25519.SignatureSize + len(challenge):
		if !bytes.Equal(sig[ed25519.SignatureSize:], challenge) {
			return nil, errors.New("cryptosign: invalid signature")
		}
		sig = sig[:ed25519.SignatureSize]
	default:
		return nil, fmt.Errorf("cryptosign: signature has %d bytes, want 64 or 96", len(sig))
	}
	if !ed25519.Verify(p.PublicKey, challenge, sig) {
		return nil, errors.New("cryptosign: invalid signature")
	}
	return &wamp.Welcome{Details: wamp.Dict{
		"authid":       authid,
		"authrole":     p.AuthRole,
		"authmethod":   a.AuthMethod(),
		"authprovider": authProvider,
	}}, nil
}

// newPrincipal validates u and fills in defaults.
func newPrincipal(u User) (*principal, error) {
	if u.AuthID == "" {
		return nil, errors.New("user with empty AuthID")
	}
	if u.AuthRole == "" {
		u.AuthRole = defaultAuthRole
	}
	if u.Ticket == "" && u.Secret == "" && u.PublicKey == nil {
		return nil, fmt.Errorf("user %q has no credential: set Ticket, Secret or PublicKey", u.AuthID)
	}
	if u.PublicKey != nil && len(u.PublicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("user %q: PublicKey has %d bytes, want %d", u.AuthID, len(u.PublicKey), ed25519.PublicKeySize)
	}
	if u.Iterations < 0 || u.KeyLen < 0 {
		return nil, fmt.Errorf("user %q: negative Iterations or KeyLen", u.AuthID)
	}
	p := &principal{User: u}
	switch {
	case u.Salt == "" && (u.Iterations != 0 || u.KeyLen != 0):
		return nil, fmt.Errorf("user %q: Iterations and KeyLen need a Salt", u.AuthID)
	case u.Salt != "" && u.Secret == "":
		return nil, fmt.Errorf("user %q: Salt needs a Secret", u.AuthID)
	case u.Salt != "":
		if p.Iterations == 0 {
			p.Iterations = defaultIterations
		}
		if p.KeyLen == 0 {
			p.KeyLen = defaultKeyLen
		}
		dk, err := pbkdf2.Key(sha256.New, u.Secret, []byte(u.Salt), p.Iterations, p.KeyLen)
		if err != nil {
			return nil, fmt.Errorf("user %q: derive WAMP-CRA key: %w", u.AuthID, err)
		}
		// WAMP-CRA signs with the base64 text of the derived key.
		p.craKey = []byte(base64.StdEncoding.EncodeToString(dk))
	case u.Secret != "":
		p.craKey = []byte(u.Secret)
	}
	return p, nil
}

// authenticators returns the nexus authenticators for a realm's users: one
// per method that at least one user has a credential for.
func authenticators(ks keyStore) []auth.Authenticator {
	var ticket, cra, cryptosign bool
	for _, p := range ks {
		ticket = ticket || p.Ticket != ""
		cra = cra || p.craKey != nil
		cryptosign = cryptosign || p.PublicKey != nil
	}
	var out []auth.Authenticator
	if ticket {
		out = append(out, auth.NewTicketAuthenticator(ks, authTimeout))
	}
	if cra {
		out = append(out, auth.NewCRAuthenticator(ks, authTimeout))
	}
	if cryptosign {
		out = append(out, &cryptosignAuth{users: ks})
	}
	return out
}
