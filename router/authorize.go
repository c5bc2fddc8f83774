package router

import (
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
