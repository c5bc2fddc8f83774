package router

import (
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gammazero/nexus/v3/router/auth"
	"github.com/gammazero/nexus/v3/wamp"
	"github.com/gammazero/nexus/v3/wamp/crsign"
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
	craKey       []byte            // the HMAC key: Secret, or base64 of its PBKDF2 derivation
	ticketDigest [sha256.Size]byte // SHA-256 of Ticket
}

// keyStore holds a realm's users by authid.
type keyStore map[string]*principal

// Texts an authentication failure shows the client, in ABORT.Details.message.
// They are fixed phrases: nothing about the router's internals, and nothing
// that tells an unknown authid from a wrong credential.
const (
	textAuthFailed   = "authentication failed"
	textNoAuthID     = "authentication needs HELLO.Details.authid"
	textNoAnswer     = "no AUTHENTICATE in time"
	textThrottled    = "too many failed authentication attempts, try again later"
	textUnexpected   = "expected AUTHENTICATE, got " // + the message type
	textBlockedWrite = "authentication failed, client not reading"
)

// authError is a failed authentication. Error returns the text for the
// client; the cause, for the router's log, is err.
type authError struct {
	text string
	err  error
}

func (e *authError) Error() string { return e.text }
func (e *authError) Unwrap() error { return e.err }

// failed returns an authError with the generic text and a cause for the log.
func failed(format string, args ...any) *authError {
	return &authError{text: textAuthFailed, err: fmt.Errorf(format, args...)}
}

// challenge sends ch to the client and returns its AUTHENTICATE answer.
func challenge(client wamp.Peer, ch *wamp.Challenge) (*wamp.Authenticate, error) {
	select {
	case client.Send() <- ch:
	default:
		return nil, &authError{text: textBlockedWrite, err: errors.New("cannot send CHALLENGE: client blocked")}
	}
	msg, err := wamp.RecvTimeout(client, authTimeout)
	if err != nil {
		return nil, &authError{text: textNoAnswer, err: err}
	}
	rsp, ok := msg.(*wamp.Authenticate)
	if !ok {
		return nil, &authError{text: textUnexpected + msg.MessageType().String()}
	}
	return rsp, nil
}

// welcome returns the WELCOME of a successful authentication.
func welcome(authid, authrole, method string) *wamp.Welcome {
	return &wamp.Welcome{Details: wamp.Dict{
		"authid":       authid,
		"authrole":     authrole,
		"authmethod":   method,
		"authprovider": authProvider,
	}}
}

// requireAuthID returns HELLO.Details.authid, which every method here needs.
func requireAuthID(details wamp.Dict) (string, error) {
	authid, _ := wamp.AsString(details["authid"])
	if authid == "" {
		return "", &authError{text: textNoAuthID}
	}
	return authid, nil
}

// ticketAuth implements ticket authentication. nexus ships one, but it
// compares tickets with != (in time that depends on the ticket) and tells
// the client about a CALL in its place with a dump of its peer struct.
// This one compares SHA-256 digests in constant time, so that neither the
// ticket nor its length can be learned from the timing, and challenges an
// unknown authid like a known one.
type ticketAuth struct {
	users keyStore
}

var _ auth.Authenticator = (*ticketAuth)(nil)

// noTicket is the digest compared with when the authid has no ticket: a
// random value no ticket hashes to.
var noTicket = func() (d [sha256.Size]byte) {
	_, _ = rand.Read(d[:])
	return d
}()

// AuthMethod returns "ticket".
func (a *ticketAuth) AuthMethod() string { return "ticket" }

// Authenticate asks for the ticket and checks it.
func (a *ticketAuth) Authenticate(_ wamp.ID, details wamp.Dict, client wamp.Peer) (*wamp.Welcome, error) {
	authid, err := requireAuthID(details)
	if err != nil {
		return nil, err
	}
	want, ok := noTicket, false
	p := a.users[authid]
	if p != nil && p.Ticket != "" {
		want, ok = p.ticketDigest, true
	}
	rsp, err := challenge(client, &wamp.Challenge{AuthMethod: a.AuthMethod(), Extra: wamp.Dict{}})
	if err != nil {
		return nil, err
	}
	got := sha256.Sum256([]byte(rsp.Signature))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 || !ok {
		return nil, failed("ticket: wrong ticket or no ticket for this authid")
	}
	return welcome(authid, p.AuthRole, a.AuthMethod()), nil
}

// craAuth implements WAMP-CRA, salted or not. It sends the challenge nexus's
// would (a JSON object with nonce, authprovider, authid, timestamp,
// authrole, authmethod and session), checks the HMAC in constant time, and
// challenges an unknown authid with a random key so that it cannot be told
// from a known one.
type craAuth struct {
	users keyStore
}

var _ auth.Authenticator = (*craAuth)(nil)

// AuthMethod returns "wampcra".
func (a *craAuth) AuthMethod() string { return "wampcra" }

// Authenticate challenges the client and checks its signature.
func (a *craAuth) Authenticate(sid wamp.ID, details wamp.Dict, client wamp.Peer) (*wamp.Welcome, error) {
	authid, err := requireAuthID(details)
	if err != nil {
		return nil, err
	}
	role := defaultAuthRole
	var key []byte
	p := a.users[authid]
	if p != nil && p.craKey != nil {
		key, role = p.craKey, p.AuthRole
	} else {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	ch, err := json.Marshal(struct {
		Nonce        string  `json:"nonce"`
		AuthProvider string  `json:"authprovider"`
		AuthID       string  `json:"authid"`
		Timestamp    string  `json:"timestamp"`
		AuthRole     string  `json:"authrole"`
		AuthMethod   string  `json:"authmethod"`
		Session      wamp.ID `json:"session"`
	}{base64.StdEncoding.EncodeToString(nonce), authProvider, authid, wamp.NowISO8601(), role, a.AuthMethod(), sid})
	if err != nil {
		return nil, failed("wampcra: challenge: %w", err)
	}
	extra := wamp.Dict{"challenge": string(ch)}
	if p != nil && p.Salt != "" && p.craKey != nil {
		extra["salt"] = p.Salt
		extra["keylen"] = p.KeyLen
		extra["iterations"] = p.Iterations
	}
	rsp, err := challenge(client, &wamp.Challenge{AuthMethod: a.AuthMethod(), Extra: extra})
	if err != nil {
		return nil, err
	}
	// VerifySignature compares with hmac.Equal, in constant time.
	if !crsign.VerifySignature(rsp.Signature, string(ch), key) || p == nil || p.craKey == nil {
		return nil, failed("wampcra: invalid signature or no secret for this authid")
	}
	return welcome(authid, role, a.AuthMethod()), nil
}

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
	authid, err := requireAuthID(details)
	if err != nil {
		return nil, err
	}
	// An unknown authid is challenged like a known one, so that the two
	// cannot be told apart.
	p, known := a.users[authid]
	known = known && p.PublicKey != nil
	if extra, ok := wamp.AsDict(details["authextra"]); ok && known {
		if pub, ok := wamp.AsString(extra["pubkey"]); ok && pub != hex.EncodeToString(p.PublicKey) {
			return nil, failed("cryptosign: announced public key is not the user's")
		}
	}

	ch := make([]byte, 32)
	if _, err := rand.Read(ch); err != nil {
		return nil, failed("cryptosign: %w", err)
	}
	rsp, err := challenge(client, &wamp.Challenge{
		AuthMethod: a.AuthMethod(),
		Extra:      wamp.Dict{"challenge": hex.EncodeToString(ch)},
	})
	if err != nil {
		return nil, err
	}
	sig, err := hex.DecodeString(rsp.Signature)
	if err != nil {
		return nil, failed("cryptosign: signature is not hex")
	}
	switch len(sig) {
	case ed25519.SignatureSize:
	case ed25519.SignatureSize + len(ch):
		if subtle.ConstantTimeCompare(sig[ed25519.SignatureSize:], ch) != 1 {
			return nil, failed("cryptosign: signed message is not the challenge")
		}
		sig = sig[:ed25519.SignatureSize]
	default:
		return nil, failed("cryptosign: signature has %d bytes, want 64 or 96", len(sig))
	}
	if !known {
		return nil, failed("cryptosign: no such user or no public key")
	}
	if !ed25519.Verify(p.PublicKey, ch, sig) {
		return nil, failed("cryptosign: invalid signature")
	}
	return welcome(authid, p.AuthRole, a.AuthMethod()), nil
}

// guardedAuth wraps each of a realm's authenticators: it applies the
// failed-authentication throttle, logs why an attempt failed, and makes
// sure the client reads a fixed text (nexus puts the error's text in the
// ABORT).
type guardedAuth struct {
	auth.Authenticator
	realm    string
	throttle *authThrottle
	log      *slog.Logger
}

// Authenticate runs the wrapped authenticator if the throttle admits the
// attempt.
func (g *guardedAuth) Authenticate(sid wamp.ID, details wamp.Dict, client wamp.Peer) (*wamp.Welcome, error) {
	authid, _ := wamp.AsString(details["authid"])
	var peer string
	if td, ok := wamp.AsDict(details["transport"]); ok {
		peer, _ = wamp.AsString(td["peer"])
	}
	log := g.log.With("realm", g.realm, "authid", logString(authid), "authmethod", g.AuthMethod(), "peer", peer)
	at, ok := g.throttle.begin(g.realm, authid, peer)
	if !ok {
		log.Debug("router: authentication refused: too many failures")
		return nil, &authError{text: textThrottled}
	}
	w, err := g.Authenticator.Authenticate(sid, details, client)
	if err == nil {
		g.throttle.succeeded(at)
		return w, nil
	}
	log.Debug("router: authentication failed", "err", err)
	if at.addrLock {
		log.Warn("router: address throttled after repeated authentication failures", "limit", g.throttle.limit, "window", g.throttle.window)
	}
	if at.authidLock {
		log.Warn("router: authid throttled after repeated authentication failures", "limit", g.throttle.limit, "window", g.throttle.window)
	}
	var ae *authError
	if errors.As(err, &ae) {
		return nil, &authError{text: ae.text}
	}
	return nil, &authError{text: textAuthFailed}
}

// logString shortens a client-chosen string for the log.
func logString(s string) string {
	const maxLen = 64
	if len(s) <= maxLen {
		return s
	}
	return s[:maxLen] + "…"
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
	if u.Ticket != "" {
		p.ticketDigest = sha256.Sum256([]byte(u.Ticket))
	}
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

// authenticators returns the authenticators for a realm's users, one per
// method that at least one user has a credential for, each behind the
// failed-authentication throttle.
func authenticators(realm string, ks keyStore, throttle *authThrottle, log *slog.Logger) []auth.Authenticator {
	var ticket, cra, cryptosign bool
	for _, p := range ks {
		ticket = ticket || p.Ticket != ""
		cra = cra || p.craKey != nil
		cryptosign = cryptosign || p.PublicKey != nil
	}
	var out []auth.Authenticator
	guard := func(a auth.Authenticator) {
		out = append(out, &guardedAuth{Authenticator: a, realm: realm, throttle: throttle, log: log})
	}
	if ticket {
		guard(&ticketAuth{users: ks})
	}
	if cra {
		guard(&craAuth{users: ks})
	}
	if cryptosign {
		guard(&cryptosignAuth{users: ks})
	}
	return out
}
