package router

import (
	"errors"
	"fmt"
	"strings"

	nxrouter "github.com/gammazero/nexus/v3/router"
	"github.com/gammazero/nexus/v3/wamp"
)

// anonymousRole is the authrole nexus gives the clients a realm admits
// anonymously (RealmConfig.Anonymous).
const anonymousRole = "anonymous"

// metaAuthorizer keeps anonymous sessions out of the meta API, which tells
// about the other sessions of the realm: their authid, authrole and
// transport (wamp.session.count, list and get, and the on_join event), and
// the procedures and topics they registered and subscribed to, with their
// session IDs (every wamp.registration.* and wamp.subscription.* procedure
// and event).
//
// It refuses, to a session whose authrole is "anonymous", a CALL of those
// procedures and a SUBSCRIBE that may receive a meta event: an exact topic
// under "wamp.", a prefix pattern that is a prefix of "wamp." or starts
// with it, or a wildcard pattern whose first component is empty or "wamp".
// nexus answers a refusal with ERROR wamp.error.not_authorized, with no
// arguments (the authorizer never returns an error, whose text nexus would
// send). Everything else passes, the testament procedures
// (wamp.session.add_testament, flush_testaments) among them: they concern
// the caller's own session. A PUBLISH to a topic under "wamp." never gets
// here: screen refuses it for everyone.
//
// nexus calls it for every message of every session but its own meta
// session, since RequireLocalAuthz is set (see peer.IsLocal), so it must be
// cheap: one type switch for most messages.
type metaAuthorizer struct{}

var _ nxrouter.Authorizer = metaAuthorizer{}

// Authorize reports whether sess may send msg.
func (metaAuthorizer) Authorize(sess *wamp.Session, msg wamp.Message) (bool, error) {
	switch m := msg.(type) {
	case *wamp.Call:
		if !readsMeta(m.Procedure) {
			return true, nil
		}
	case *wamp.Subscribe:
		// The match policy as nexus's broker reads it.
		match, _ := wamp.AsString(m.Options[wamp.OptMatch])
		if !mayMatchMeta(string(m.Topic), match) {
			return true, nil
		}
	default:
		return true, nil
	}
	role, _ := wamp.AsString(sess.Details["authrole"])
	return role != anonymousRole, nil
}

// admitsAnonymous reports whether a session of realm rc may have the
// authrole "anonymous": an anonymous client, or a user given that role.
func admitsAnonymous(rc RealmConfig) bool {
	if rc.Anonymous {
		return true
	}
	for _, u := range rc.Users {
		if u.AuthRole == anonymousRole {
			return true
		}
	}
	return false
}

// readsMeta reports whether procedure is a meta procedure that tells about
// other sessions.
func readsMeta(procedure wamp.URI) bool {
	switch procedure {
	case wamp.MetaProcSessionCount, wamp.MetaProcSessionList, wamp.MetaProcSessionGet:
		return true
	}
	p := string(procedure)
	return strings.HasPrefix(p, "wamp.registration.") || strings.HasPrefix(p, "wamp.subscription.")
}

// mayMatchMeta reports whether a subscription or registration of uri with
// match policy match (as nexus reads it: anything but prefix and wildcard
// is exact) may match a topic or procedure under "wamp.", which are the
// router's own: its meta events, and its meta procedures.
func mayMatchMeta(topic, match string) bool {
	switch match {
	case wamp.MatchPrefix:
		return strings.HasPrefix(topic, "wamp.") || strings.HasPrefix("wamp.", topic)
	case wamp.MatchWildcard:
		first, _, _ := strings.Cut(topic, ".")
		return first == "" || first == "wamp"
	}
	return strings.HasPrefix(topic, "wamp.")
}

// Actions a Permission may grant.
const (
	actCall = iota
	actRegister
	actPublish
	actSubscribe
	numActions
)

// grants is what one role may do for one action, compiled from its
// permissions: a URI is granted when any of them matches it.
type grants struct {
	all       bool                // a prefix permission with the empty URI
	exact     map[string]struct{} // exact permissions
	prefixes  []string            // prefix permissions, none a prefix of another
	wildcards [][]string          // wildcard permissions, split into components
}

// add records a permission of uri with match policy match.
func (g *grants) add(uri, match string) {
	switch match {
	case wamp.MatchPrefix:
		if uri == "" {
			g.all = true
			return
		}
		g.prefixes = append(g.prefixes, uri)
	case wamp.MatchWildcard:
		g.wildcards = append(g.wildcards, strings.Split(uri, "."))
	default:
		if g.exact == nil {
			g.exact = map[string]struct{}{}
		}
		g.exact[uri] = struct{}{}
	}
}

// compact drops the prefixes another prefix covers, so that a check tries
// as few as possible.
func (g *grants) compact() {
	var kept []string
	for i, p := range g.prefixes {
		covered := false
		for j, q := range g.prefixes {
			if j != i && strings.HasPrefix(p, q) && (len(q) < len(p) || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			kept = append(kept, p)
		}
	}
	g.prefixes = kept
}

// allows reports whether a request for uri with match policy match (as
// nexus reads it: anything but prefix and wildcard is exact) is granted:
// whether one permission matches every URI the request may concern. A
// CALL or PUBLISH concerns uri alone; a pattern subscription or
// registration every URI it matches, so that a pattern never reaches
// further than the permission that grants it.
func (g *grants) allows(uri, match string) bool {
	if g.all {
		return true
	}
	switch match {
	case wamp.MatchPrefix:
		// Every URI the pattern matches starts with it.
		return g.hasPrefixOf(uri)
	case wamp.MatchWildcard:
		fixed, ok := wildcardFixed(uri)
		if !ok {
			// No empty component: the pattern matches uri alone.
			return g.allowsURI(uri)
		}
		// Every URI the pattern matches starts with fixed, and has the
		// pattern's non-empty components where the pattern has them.
		if g.hasPrefixOf(fixed) {
			return true
		}
		for _, w := range g.wildcards {
			if wildcardCovers(w, uri) {
				return true
			}
		}
		return false
	}
	return g.allowsURI(uri)
}

// allowsURI reports whether uri itself is granted.
func (g *grants) allowsURI(uri string) bool {
	if _, ok := g.exact[uri]; ok {
		return true
	}
	if g.hasPrefixOf(uri) {
		return true
	}
	for _, w := range g.wildcards {
		if wildcardMatches(w, uri) {
			return true
		}
	}
	return false
}

// hasPrefixOf reports whether a prefix permission is a prefix of s.
func (g *grants) hasPrefixOf(s string) bool {
	for _, p := range g.prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// wildcardFixed returns the text every URI a wildcard pattern matches
// starts with: the pattern up to its first empty component, and whether
// the pattern has one.
func wildcardFixed(pattern string) (string, bool) {
	if pattern == "" || pattern[0] == '.' {
		return "", true
	}
	if i := strings.Index(pattern, ".."); i >= 0 {
		return pattern[:i+1], true
	}
	if pattern[len(pattern)-1] == '.' {
		return pattern, true
	}
	return "", false
}

// wildcardMatches reports whether uri matches the wildcard permission w
// (nexus's rule: as many components, equal where w's is not empty),
// without allocating.
func wildcardMatches(w []string, uri string) bool {
	for i, c := range w {
		comp, rest, more := strings.Cut(uri, ".")
		if c != "" && c != comp {
			return false
		}
		if more != (i < len(w)-1) {
			return false
		}
		uri = rest
	}
	return true
}

// wildcardCovers reports whether every URI the wildcard pattern matches
// also matches the wildcard permission w: as many components, and w's
// empty wherever it is not equal to the pattern's. That is the pattern
// matching w as a URI: an empty component of the pattern equals only an
// empty one of w.
func wildcardCovers(w []string, pattern string) bool {
	return wildcardMatches(w, pattern)
}

// permAuthorizer enforces RealmConfig.Roles. nexus calls it for every
// message a session sends, so that it only does a type switch for most,
// and for a CALL, PUBLISH, REGISTER or SUBSCRIBE two map lookups (the
// session's authrole, its role) and the role's compiled permissions for
// the action.
type permAuthorizer struct {
	roles map[string]*[numActions]grants
	// meta also applies metaAuthorizer: the realm admits anonymous
	// sessions and keeps them out of the meta API.
	meta bool
}

var _ nxrouter.Authorizer = (*permAuthorizer)(nil)

// Authorize reports whether sess may send msg.
func (a *permAuthorizer) Authorize(sess *wamp.Session, msg wamp.Message) (bool, error) {
	var (
		act        int
		uri, match string
	)
	switch m := msg.(type) {
	case *wamp.Call:
		act, uri = actCall, string(m.Procedure)
	case *wamp.Publish:
		act, uri = actPublish, string(m.Topic)
	case *wamp.Register:
		// The match policy as nexus's dealer and broker read it.
		act, uri = actRegister, string(m.Procedure)
		match, _ = wamp.AsString(m.Options[wamp.OptMatch])
	case *wamp.Subscribe:
		act, uri = actSubscribe, string(m.Topic)
		match, _ = wamp.AsString(m.Options[wamp.OptMatch])
	default:
		return true, nil
	}
	if a.meta {
		if ok, _ := (metaAuthorizer{}).Authorize(sess, msg); !ok {
			return false, nil
		}
	}
	role, _ := wamp.AsString(sess.Details["authrole"])
	perms := a.roles[role]
	if perms == nil || !perms[act].allows(uri, match) {
		return false, nil
	}
	if act == actCall && uri == string(wamp.MetaProcSessionAddTestament) {
		// nexus publishes a testament from its own session, which no
		// authorizer sees: the caller must be allowed to publish to its
		// topic.
		m := msg.(*wamp.Call)
		if len(m.Arguments) == 0 {
			return false, nil
		}
		topic, ok := wamp.AsURI(m.Arguments[0])
		return ok && perms[actPublish].allows(string(topic), ""), nil
	}
	return true, nil
}

// compileRoles validates a realm's roles and compiles them for
// permAuthorizer. It returns nil when the realm has no roles.
func compileRoles(rc RealmConfig) (map[string]*[numActions]grants, error) {
	if rc.Roles == nil {
		return nil, nil
	}
	roles := make(map[string]*[numActions]grants, len(rc.Roles))
	for _, r := range rc.Roles {
		if r.Name == "" {
			return nil, errors.New("role with empty Name")
		}
		if _, dup := roles[r.Name]; dup {
			return nil, fmt.Errorf("duplicate role %q", r.Name)
		}
		perms := new([numActions]grants)
		for i, p := range r.Permissions {
			if err := p.validate(); err != nil {
				return nil, fmt.Errorf("role %q: permission %d: %w", r.Name, i, err)
			}
			for act, granted := range [numActions]bool{p.Call, p.Register, p.Publish, p.Subscribe} {
				if granted {
					perms[act].add(p.URI, p.Match)
				}
			}
		}
		for act := range perms {
			perms[act].compact()
		}
		roles[r.Name] = perms
	}
	// Every role a session can get must be one of Roles: a role missing by
	// a typo would leave its users able to do nothing, silently.
	if rc.Anonymous && roles[anonymousRole] == nil {
		return nil, fmt.Errorf("realm admits anonymous clients but Roles has no %q role (add one, without Permissions if anonymous sessions may do nothing)", anonymousRole)
	}
	for _, u := range rc.Users {
		role := u.AuthRole
		if role == "" {
			role = defaultAuthRole
		}
		if roles[role] == nil {
			return nil, fmt.Errorf("user %q has AuthRole %q, which is not in Roles", u.AuthID, role)
		}
	}
	return roles, nil
}

// validate returns why p is not a valid permission.
func (p Permission) validate() error {
	switch p.Match {
	case "", wamp.MatchExact, wamp.MatchPrefix, wamp.MatchWildcard:
	default:
		return fmt.Errorf("URI %q: Match %q is not %q, %q or %q", p.URI, p.Match, wamp.MatchExact, wamp.MatchPrefix, wamp.MatchWildcard)
	}
	if len(p.URI) > maxURILength {
		return fmt.Errorf("URI of %d bytes, longer than the %d a request may have", len(p.URI), maxURILength)
	}
	if !wamp.URI(p.URI).ValidURI(false, p.Match) {
		kind := p.Match
		if kind == "" {
			kind = wamp.MatchExact
		}
		return fmt.Errorf("URI %q is not a valid %s URI", p.URI, kind)
	}
	if !p.Call && !p.Register && !p.Publish && !p.Subscribe {
		return fmt.Errorf("URI %q grants nothing: set Call, Register, Publish or Subscribe", p.URI)
	}
	return nil
}
