package wamp_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

func TestValidateURI(t *testing.T) {
	const (
		S = wamp.Strict
		L = wamp.Loose
	)
	tests := []struct {
		uri   wamp.URI
		rules wamp.URIRules
		match string
		ok    bool
	}{
		// Strict, exact: lower-case letters, digits and _ only; no empty component.
		{"com.example.add", S, "", true},
		{"com.example.add", S, wamp.MatchExact, true},
		{"a", S, "", true},
		{"a_b.c1.0", S, "", true},
		{"wamp.error.not_authorized", S, "", true},
		{"", S, "", false},
		{"Com.example", S, "", false},
		{"com.exAmple", S, "", false},
		{"com.ex-ample", S, "", false},
		{"com.ex ample", S, "", false},
		{"com.exämple", S, "", false},
		{"com.#", S, "", false},
		{"com..add", S, "", false},
		{".com", S, "", false},
		{"com.", S, "", false},
		{".", S, "", false},
		// Loose, exact: anything but whitespace, '.' (as a separator) and '#'.
		{"Com.Example.Add", L, "", true},
		{"com.ex-ample.a/b", L, "", true},
		{"com.exämple.✓", L, "", true},
		{"com.x#", L, "", false},
		{"#", L, "", false},
		{"com. x", L, "", false},
		{"com.x ", L, "", false},
		{"com.\tx", L, "", false},
		{"com.x\n", L, "", false},
		{"com.x\r", L, "", false},
		{"com.\vx", L, "", false},
		{"com.\fx", L, "", false},
		{"com.\u00a0x", L, "", false},
		{"com.x\u2003", L, "", false},
		{"com.x\u3000y", L, "", false},
		{"com..x", L, "", false},
		{"com.", L, "", false},
		{"", L, "", false},
		// Prefix patterns may end with an empty component.
		{"com.example", S, wamp.MatchPrefix, true},
		{"com.example.", S, wamp.MatchPrefix, true},
		{"com.example.", L, wamp.MatchPrefix, true},
		{"com..example", S, wamp.MatchPrefix, false},
		{".com", S, wamp.MatchPrefix, false},
		{".", S, wamp.MatchPrefix, false},
		{"", S, wamp.MatchPrefix, false},
		{"Com.", S, wamp.MatchPrefix, false},
		{"com.#.", L, wamp.MatchPrefix, false},
		// Wildcard patterns may have empty components anywhere.
		{"com..add", S, wamp.MatchWildcard, true},
		{".example.add", S, wamp.MatchWildcard, true},
		{"com.example.", S, wamp.MatchWildcard, true},
		{"..", S, wamp.MatchWildcard, true},
		{"com.example.add", S, wamp.MatchWildcard, true},
		{"", S, wamp.MatchWildcard, false},
		{"com..Add", S, wamp.MatchWildcard, false},
		{"com.. add", L, wamp.MatchWildcard, false},
		{"com..a#", L, wamp.MatchWildcard, false},
		// Unknown policies are refused.
		{"com.example", S, "regex", false},
		{"com.example", S, "EXACT", false},
	}
	for _, tc := range tests {
		err := wamp.ValidateURI(tc.uri, tc.rules, tc.match)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateURI(%q, %s, %q) = %v, want ok=%v", tc.uri, tc.rules, tc.match, err, tc.ok)
			continue
		}
		if err != nil {
			var ue *wamp.URIError
			if !errors.As(err, &ue) || ue.URI != tc.uri || ue.Rules != tc.rules || ue.Reason == "" {
				t.Errorf("ValidateURI(%q): error %#v", tc.uri, err)
			}
			if !strings.Contains(err.Error(), tc.rules.String()) {
				t.Errorf("error %q does not name the rules", err)
			}
		}
		// Whatever a strict check accepts, a loose one accepts too.
		if tc.ok && tc.rules == S {
			if err := wamp.ValidateURI(tc.uri, L, tc.match); err != nil {
				t.Errorf("loose refuses strict-valid %q: %v", tc.uri, err)
			}
		}
	}
}

func TestURIErrorMessage(t *testing.T) {
	err := wamp.ValidateURI("com..x", wamp.Strict, "")
	want := `invalid URI "com..x" (strict rules, exact match): component 2 is empty (empty components are allowed only in wildcard patterns)`
	if err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	err = wamp.ValidateURI("com.Ex", wamp.Strict, wamp.MatchPrefix)
	if err == nil || !strings.Contains(err.Error(), `"Ex" has 'E'`) || !strings.Contains(err.Error(), "prefix match") {
		t.Errorf("error %q", err)
	}
	err = wamp.ValidateURI("com.exämple", wamp.Strict, "")
	if err == nil || !strings.Contains(err.Error(), `has 'ä'`) {
		t.Errorf("error %q does not show the character", err)
	}
	if wamp.Strict.String() != "strict" || wamp.Loose.String() != "loose" {
		t.Errorf("URIRules strings: %s, %s", wamp.Strict, wamp.Loose)
	}
}

func TestValidateApplicationURI(t *testing.T) {
	for u, ok := range map[wamp.URI]bool{
		"com.example.add": true, "wampx.add": true, "com.wamp.add": true, "my.wamp": true,
		"wamp": false, "wamp.error.x": false, "wamp.": false, "wamp.session.get": false,
		"com..x": false, "": false,
	} {
		match := ""
		if strings.HasSuffix(string(u), ".") {
			match = wamp.MatchPrefix
		}
		err := wamp.ValidateApplicationURI(u, wamp.Strict, match)
		if (err == nil) != ok {
			t.Errorf("ValidateApplicationURI(%q) = %v, want ok=%v", u, err, ok)
		}
		if err != nil && ok == false && strings.HasPrefix(string(u), "wamp") && u != "" {
			if !strings.Contains(err.Error(), "reserved") {
				t.Errorf("ValidateApplicationURI(%q): %q does not say the namespace is reserved", u, err)
			}
		}
	}
	// The predefined URIs themselves are valid, strict protocol URIs.
	for _, u := range []wamp.URI{wamp.ErrInvalidURI, wamp.ErrNoSuchProcedure, wamp.ErrCanceled, wamp.ErrTimeout,
		wamp.ErrRuntime, wamp.ErrOptionDisallowedDisclose, wamp.CloseGoodbyeAndOut, wamp.CloseSystemShutdown} {
		if err := wamp.ValidateURI(u, wamp.Strict, ""); err != nil {
			t.Errorf("%s: %v", u, err)
		}
		if err := wamp.ValidateApplicationURI(u, wamp.Strict, ""); err == nil {
			t.Errorf("ValidateApplicationURI(%s) accepted a protocol URI", u)
		}
	}
}

func TestMatchURI(t *testing.T) {
	tests := []struct {
		pattern wamp.URI
		match   string
		uri     wamp.URI
		want    bool
	}{
		{"com.myapp.add", "", "com.myapp.add", true},
		{"com.myapp.add", wamp.MatchExact, "com.myapp.add", true},
		{"com.myapp.add", wamp.MatchExact, "com.myapp.add2", false},
		{"com.myapp.add", "", "com.myapp", false},
		// The specification's prefix examples: plain string prefixes.
		{"com.myapp.myobject1", wamp.MatchPrefix, "com.myapp.myobject1.myprocedure1", true},
		{"com.myapp.myobject1", wamp.MatchPrefix, "com.myapp.myobject1-mysubobject1", true},
		{"com.myapp.myobject1", wamp.MatchPrefix, "com.myapp.myobject1.mysubobject1.myprocedure1", true},
		{"com.myapp.myobject1", wamp.MatchPrefix, "com.myapp.myobject1", true},
		{"com.myapp.myobject1", wamp.MatchPrefix, "com.myapp.myobject2", false},
		{"com.myapp.myobject1", wamp.MatchPrefix, "com.myapp.myobject", false},
		{"com.myapp.", wamp.MatchPrefix, "com.myapp.x", true},
		{"com.myapp.", wamp.MatchPrefix, "com.myapp", false},
		// The specification's wildcard examples.
		{"com.myapp..myprocedure1", wamp.MatchWildcard, "com.myapp.myobject1.myprocedure1", true},
		{"com.myapp..myprocedure1", wamp.MatchWildcard, "com.myapp.myobject2.myprocedure1", true},
		{"com.myapp..myprocedure1", wamp.MatchWildcard, "com.myapp.myobject1.myprocedure1.mysubprocedure1", false},
		{"com.myapp..myprocedure1", wamp.MatchWildcard, "com.myapp.myobject1.myprocedure2", false},
		{"com.myapp..myprocedure1", wamp.MatchWildcard, "com.myapp2.myobject1.myprocedure1", false},
		{"a1.b2..d4.e5", wamp.MatchWildcard, "a1.b2.c55.d4.e5", true},
		{"a1.b2..d4.e5", wamp.MatchWildcard, "a1.b2.c33.d4.e5", true},
		{"a1.b2..d4.e5..g7", wamp.MatchWildcard, "a1.b2.c88.d4.e5.f6.g7", true},
		{"a1.b2..d4.e5", wamp.MatchWildcard, "a2.b2.c2.d2.e2", false},
		// Same number of components; an empty component matches any one.
		{"..", wamp.MatchWildcard, "x.y.z", true},
		{"..", wamp.MatchWildcard, "x.y", false},
		{"..", wamp.MatchWildcard, "w.x.y.z", false},
		{".b", wamp.MatchWildcard, "a.b", true},
		{".b", wamp.MatchWildcard, "a.c", false},
		{"a.", wamp.MatchWildcard, "a.b", true},
		{"a.", wamp.MatchWildcard, "a.b.c", false},
		{"a.", wamp.MatchWildcard, "a", false},
		{"a..c", wamp.MatchWildcard, "a.b", false},
		{"a.b", wamp.MatchWildcard, "a.b", true},
		{"a.b", wamp.MatchWildcard, "a.bc", false},
		{"a.b", wamp.MatchWildcard, "ab", false},
		{"ab", wamp.MatchWildcard, "a.b", false},
		// Unknown policies match nothing.
		{"com.myapp", "regex", "com.myapp", false},
	}
	for _, tc := range tests {
		if got := wamp.MatchURI(tc.pattern, tc.match, tc.uri); got != tc.want {
			t.Errorf("MatchURI(%q, %q, %q) = %v, want %v", tc.pattern, tc.match, tc.uri, got, tc.want)
		}
	}
}
