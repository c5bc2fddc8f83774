package router

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gammazero/nexus/v3/wamp"
)

// grantsOf compiles permissions of one role for one action (Subscribe).
func grantsOf(t testing.TB, perms ...Permission) *grants {
	t.Helper()
	for i := range perms {
		perms[i].Subscribe = true
	}
	roles, err := compileRoles(RealmConfig{Roles: []Role{{Name: "r", Permissions: perms}}})
	if err != nil {
		t.Fatal(err)
	}
	return &roles["r"][actSubscribe]
}

// TestGrantsAllows checks which requests each kind of permission grants,
// for exact and pattern requests: a pattern is granted only when the
// permission matches every URI the pattern may match.
func TestGrantsAllows(t *testing.T) {
	exact := Permission{URI: "com.example.add"}
	prefix := Permission{URI: "com.example.", Match: wamp.MatchPrefix}
	loose := Permission{URI: "com.example", Match: wamp.MatchPrefix}
	wild := Permission{URI: "com..update", Match: wamp.MatchWildcard}
	all := Permission{URI: "", Match: wamp.MatchPrefix}
	tests := []struct {
		perm       Permission
		uri, match string
		want       bool
	}{
		{exact, "com.example.add", "", true},
		{exact, "com.example.add", "exact", true},
		{exact, "com.example.add", "bogus", true}, // nexus reads an unknown policy as exact
		{exact, "com.example.ad", "", false},
		{exact, "com.example.add.x", "", false},
		{exact, "com.example.add", "prefix", false},
		{exact, "com.example.add", "wildcard", true}, // no empty component: matches itself only
		{exact, "com.example..", "wildcard", false},
		{exact, "com.example.", "wildcard", false},

		{prefix, "com.example.add", "", true},
		{prefix, "com.example.", "", true},
		{prefix, "com.example", "", false},
		{prefix, "com.examplex.add", "", false},
		{prefix, "com.example.calc.", "prefix", true},
		{prefix, "com.example.", "prefix", true},
		{prefix, "com.example", "prefix", false}, // would match com.examplex
		{prefix, "com.", "prefix", false},
		{prefix, "", "prefix", false},
		{prefix, "com.example..add", "wildcard", true},
		{prefix, "com.example.calc.", "wildcard", true},
		{prefix, "com.example.", "wildcard", true},
		{prefix, "com..add", "wildcard", false},
		{prefix, "..", "wildcard", false},
		{prefix, ".example.add", "wildcard", false},
		{prefix, "", "wildcard", false},
		{prefix, "com.example", "wildcard", false},

		{loose, "com.examplex.add", "", true}, // a string prefix, as in WAMP
		{loose, "com.example", "prefix", true},

		{wild, "com.user.update", "", true},
		{wild, "com.update", "", false},
		{wild, "com.user.update.x", "", false},
		{wild, "org.user.update", "", false},
		{wild, "com.user.updated", "", false},
		{wild, "com..update", "wildcard", true},
		{wild, "com.user.update", "wildcard", true},
		{wild, "com...", "wildcard", false},
		{wild, "..update", "wildcard", false},
		{wild, "com..update.", "wildcard", false},
		{wild, "com.", "prefix", false}, // patterns of any length
		{wild, "com.user.update", "prefix", false},

		{all, "anything.at.all", "", true},
		{all, "", "prefix", true},
		{all, "..", "wildcard", true},
	}
	for _, tt := range tests {
		g := grantsOf(t, tt.perm)
		if got := g.allows(tt.uri, tt.match); got != tt.want {
			t.Errorf("permission %s %q: request %q match %q: allowed %v, want %v", tt.perm.Match, tt.perm.URI, tt.uri, tt.match, got, tt.want)
		}
	}
}

// TestGrantsAgainstNexus checks allows against nexus's own matching: for
// every request a permission grants, every URI of a sample that the
// request's pattern matches (wamp.URI's PrefixMatch and WildcardMatch, what
// nexus's broker and dealer use) is one that the permission matches too.
func TestGrantsAgainstNexus(t *testing.T) {
	comps := []string{"a", "b", ""}
	// Every URI of 1 to 4 components from comps.
	uris := slices.Clone(comps)
	level := uris
	for range 3 {
		var next []string
		for _, u := range level {
			for _, c := range comps {
				next = append(next, u+"."+c)
			}
		}
		uris = append(uris, next...)
		level = next
	}
	matches := func(uri, pattern, match string) bool {
		switch match {
		case wamp.MatchPrefix:
			return wamp.URI(uri).PrefixMatch(wamp.URI(pattern))
		case wamp.MatchWildcard:
			return wamp.URI(uri).WildcardMatch(wamp.URI(pattern))
		}
		return uri == pattern
	}
	var perms []Permission
	for _, u := range uris {
		for _, m := range []string{"", wamp.MatchPrefix, wamp.MatchWildcard} {
			if wamp.URI(u).ValidURI(false, m) {
				perms = append(perms, Permission{URI: u, Match: m})
			}
		}
	}
	checked := 0
	for _, p := range perms {
		g := grantsOf(t, p)
		for _, req := range perms { // the requests: every valid pattern
			if !g.allows(req.URI, req.Match) {
				continue
			}
			for _, u := range uris {
				if matches(u, req.URI, req.Match) && !matches(u, p.URI, p.Match) {
					t.Fatalf("permission %s %q grants request %s %q, which matches %q: the permission does not", p.Match, p.URI, req.Match, req.URI, u)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}

// TestCompileRolesCompacts checks that a prefix covered by another is
// dropped, and duplicates too.
func TestCompileRolesCompacts(t *testing.T) {
	g := grantsOf(t,
		Permission{URI: "com.example.calc.", Match: wamp.MatchPrefix},
		Permission{URI: "com.example.", Match: wamp.MatchPrefix},
		Permission{URI: "com.example.", Match: wamp.MatchPrefix},
		Permission{URI: "org.", Match: wamp.MatchPrefix},
	)
	if got := strings.Join(g.prefixes, " "); got != "com.example. org." {
		t.Errorf("prefixes %q, want %q", got, "com.example. org.")
	}
}

// benchRoles is a realistic realm: a few roles, a dozen permissions each.
func benchRoles(b *testing.B) map[string]*[numActions]grants {
	b.Helper()
	var perms []Permission
	for i := range 4 {
		perms = append(perms,
			Permission{URI: fmt.Sprintf("com.example.svc%d.", i), Match: wamp.MatchPrefix, Call: true, Subscribe: true},
			Permission{URI: fmt.Sprintf("com.example.svc%d.admin.reset", i), Call: true},
			Permission{URI: fmt.Sprintf("com.example.svc%d..changed", i), Match: wamp.MatchWildcard, Subscribe: true},
		)
	}
	service := []Permission{{URI: "com.example.", Match: wamp.MatchPrefix, Call: true, Register: true, Publish: true, Subscribe: true}}
	roles, err := compileRoles(RealmConfig{Anonymous: true, Roles: []Role{
		{Name: "anonymous", Permissions: perms},
		{Name: "service", Permissions: service},
		{Name: "admin", Permissions: []Permission{{URI: "", Match: wamp.MatchPrefix, Call: true, Subscribe: true}}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	return roles
}

// BenchmarkAuthorize measures what nexus's Authorizer costs per CALL and
// PUBLISH: the anonymous meta guard alone (a realm without Roles), and with
// Roles, for an anonymous session with a dozen permissions (its CALL
// granted by a prefix, an exact and a wildcard permission, the last
// permission tried) and for a service granted by one prefix.
func BenchmarkAuthorize(b *testing.B) {
	anon := &wamp.Session{ID: 1, Details: wamp.Dict{"authrole": "anonymous"}}
	svc := &wamp.Session{ID: 2, Details: wamp.Dict{"authrole": "service"}}
	call := &wamp.Call{Request: 1, Options: wamp.Dict{}, Procedure: "com.example.svc3.add"}
	callExact := &wamp.Call{Request: 1, Options: wamp.Dict{}, Procedure: "com.example.svc3.admin.reset"}
	denied := &wamp.Call{Request: 1, Options: wamp.Dict{}, Procedure: "com.other.add"}
	publish := &wamp.Publish{Request: 1, Options: wamp.Dict{}, Topic: "com.example.svc3.computed"}
	roles := benchRoles(b)
	withRoles := &permAuthorizer{roles: roles, meta: true}
	cases := []struct {
		name string
		a    interface {
			Authorize(*wamp.Session, wamp.Message) (bool, error)
		}
		sess *wamp.Session
		msg  wamp.Message
		want bool
	}{
		{"no-roles/call", metaAuthorizer{}, anon, call, true},
		{"no-roles/publish", metaAuthorizer{}, anon, publish, true},
		{"roles/anonymous-call-prefix", withRoles, anon, call, true},
		{"roles/anonymous-call-exact", withRoles, anon, callExact, true},
		{"roles/anonymous-call-denied", withRoles, anon, denied, false},
		{"roles/service-call", withRoles, svc, call, true},
		{"roles/service-publish", withRoles, svc, publish, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ok, _ := c.a.Authorize(c.sess, c.msg); ok != c.want {
					b.Fatalf("allowed %v, want %v", ok, c.want)
				}
			}
		})
	}
}
