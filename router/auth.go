package router

import (
	"crypto/ed25519"
	"crypto/hmac"
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

	// challengeAuthRole is the authrole every WAMP-CRA challenge shows,
	// whoever the authid: the spec's challenge has the field, but the
	// user's role is not for strangers to read before authentication. The
	// session's role is in WELCOME.
	challengeAuthRole = defaultAuthRole
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
// authrole, authmethod and session) and checks the HMAC in constant time.
//
// The challenge tells nothing about the authid: its authrole is always
// challengeAuthRole, and an authid that is not a WAMP-CRA user is
// challenged with a random key, and, when the realm has salted users, with
// a salt of its own (see unknownSalt) and the default iterations and key
// length, so that it looks like a salted user.
type craAuth struct {
	users keyStore
	// salted: some user has a Salt; unknown authids get one too.
	salted bool
	// saltKey is the random HMAC key of unknownSalt.
	saltKey []byte
}

// newCRAAuth returns the WAMP-CRA authenticator of users.
func newCRAAuth(users keyStore) *craAuth {
	a := &craAuth{users: users, saltKey: make([]byte, 32)}
	_, _ = rand.Read(a.saltKey)
	for _, p := range users {
		a.salted = a.salted || p.Salt != "" && p.craKey != nil
	}
	return a
}

// unknownSalt returns the salt an authid that is not a salted WAMP-CRA user
// is challenged with: 16 bytes of HMAC-SHA256 of the authid under a key
// random to this router, in base64 (24 characters). The same authid gets
// the same salt for as long as the router runs, as a user's salt would be.
func (a *craAuth) unknownSalt(authid string) string {
	mac := hmac.New(sha256.New, a.saltKey)
	mac.Write([]byte(authid))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil)[:16])
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
	var key []byte
	p := a.users[authid]
	known := p != nil && p.craKey != nil
	if known {
		key = p.craKey
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
	}{base64.StdEncoding.EncodeToString(nonce), authProvider, authid, wamp.NowISO8601(), challengeAuthRole, a.AuthMethod(), sid})
	if err != nil {
		return nil, failed("wampcra: challenge: %w", err)
	}
	extra := wamp.Dict{"challenge": string(ch)}
	switch {
	case known && p.Salt != "":
		extra["salt"] = p.Salt
		extra["keylen"] = p.KeyLen
		extra["iterations"] = p.Iterations
	case !known && a.salted:
		extra["salt"] = a.unknownSalt(authid)
		extra["keylen"] = defaultKeyLen
		extra["iterations"] = defaultIterations
	}
	rsp, err := challenge(client, &wamp.Challenge{AuthMethod: a.AuthMethod(), Extra: extra})
	if err != nil {
		return nil, err
	}
	// VerifySignature compares with hmac.Equal, in constant time.
	if !crsign.VerifySignature(rsp.Signature, string(ch), key) || !known {
		return nil, failed("wampcra: invalid signature or no secret for this authid")
	}
	return welcome(authid, p.AuthRole, a.AuthMethod()), nil
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

// noPublicKey is the key a signature is checked with when the authid has
// none: the public key of a random private key nobody holds.
var noPublicKey = func() ed25519.PublicKey {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	return pub
}()

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
	// An unknown authid is challenged like a known one, and so is a known
	// one that announces another public key, so that the two cannot be
	// told apart: both fail at AUTHENTICATE.
	p, known := a.users[authid]
	known = known && p.PublicKey != nil
	wrongKey := false
	if extra, ok := wamp.AsDict(details["authextra"]); ok && known {
		if pub, ok := wamp.AsString(extra["pubkey"]); ok && pub != hex.EncodeToString(p.PublicKey) {
			wrongKey = true
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
	// The signature is checked whatever the authid, so that the time the
	// answer takes does not tell either.
	pub := noPublicKey
	if known {
		pub = p.PublicKey
	}
	valid := ed25519.Verify(pub, ch, sig)
	switch {
	case !known:
		return nil, failed("cryptosign: no such user or no public key")
	case wrongKey:
		return nil, failed("cryptosign: announced public key is not the user's")
	case !valid:
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
		guard(newCRAAuth(ks))
	}
	if cryptosign {
		guard(&cryptosignAuth{users: ks})
	}
	return out
}
