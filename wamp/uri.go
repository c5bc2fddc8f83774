package wamp

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// URI names realms, topics, procedures and errors: dot-separated components
// such as "com.example.calc.add".
type URI string

// Match policies for pattern-based registrations and subscriptions.
const (
	MatchExact    = "exact"
	MatchPrefix   = "prefix"
	MatchWildcard = "wildcard"
)

// URIRules selects how strictly a URI is validated.
type URIRules int

const (
	// Loose URIs have components of any characters but (Unicode) white
	// space, '.' and '#'.
	Loose URIRules = iota
	// Strict URIs have components of lower-case letters, digits and '_' only.
	Strict
)

// String returns "loose" or "strict".
func (r URIRules) String() string {
	if r == Strict {
		return "strict"
	}
	return "loose"
}

// URIError explains why a URI is not valid.
type URIError struct {
	URI    URI
	Rules  URIRules
	Match  string
	Reason string
}

func (e *URIError) Error() string {
	return fmt.Sprintf("invalid URI %q (%s rules, %s match): %s", string(e.URI), e.Rules, e.Match, e.Reason)
}

// ValidateURI checks u against the WAMP URI rules for a URI used with the
// given match policy ("" means exact). Exact URIs have no empty components;
// wildcard patterns may have empty components anywhere; prefix patterns may
// end with an empty last component (as in "com.example.").
func ValidateURI(u URI, rules URIRules, match string) error {
	if match == "" {
		match = MatchExact
	}
	fail := func(reason string, args ...any) error {
		return &URIError{URI: u, Rules: rules, Match: match, Reason: fmt.Sprintf(reason, args...)}
	}
	switch match {
	case MatchExact, MatchPrefix, MatchWildcard:
	default:
		return fail("unknown match policy (allowed: exact, prefix, wildcard)")
	}
	s := string(u)
	if s == "" {
		return fail("empty")
	}
	comps := strings.Split(s, ".")
	for i, c := range comps {
		if c == "" {
			switch {
			case match == MatchWildcard:
				continue
			case match == MatchPrefix && i == len(comps)-1 && len(comps) > 1:
				continue
			}
			return fail("component %d is empty (empty components are allowed only in wildcard patterns)", i+1)
		}
		if rules == Strict {
			for j := 0; j < len(c); j++ {
				if b := c[j]; !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_') {
					r, _ := utf8.DecodeRuneInString(c[j:])
					return fail("component %q has %q (strict URIs allow only a-z, 0-9 and _)", c, r)
				}
			}
		} else if j := strings.IndexFunc(c, func(r rune) bool { return r == '#' || unicode.IsSpace(r) }); j >= 0 {
			// Unicode white space, as \s in the specification's regular
			// expression (Python) means.
			r, _ := utf8.DecodeRuneInString(c[j:])
			return fail("component %q has %q (URIs allow no whitespace and no #)", c, r)
		}
	}
	return nil
}

// ValidateApplicationURI checks u as ValidateURI does and also refuses URIs
// under "wamp.", which the specification reserves for itself.
func ValidateApplicationURI(u URI, rules URIRules, match string) error {
	if err := ValidateURI(u, rules, match); err != nil {
		return err
	}
	if u == "wamp" || strings.HasPrefix(string(u), "wamp.") {
		return &URIError{URI: u, Rules: rules, Match: match, Reason: `the "wamp." namespace is reserved for the protocol`}
	}
	return nil
}

// MatchURI reports whether the concrete URI u is matched by pattern under
// the match policy ("" means exact). Prefix matching is plain string-prefix
// matching, as the specification defines it; wildcard matching compares
// component by component, an empty pattern component matching any one
// component, and both must have the same number of components.
func MatchURI(pattern URI, match string, u URI) bool {
	switch match {
	case "", MatchExact:
		return pattern == u
	case MatchPrefix:
		return strings.HasPrefix(string(u), string(pattern))
	case MatchWildcard:
		p, s := string(pattern), string(u)
		for {
			pi := strings.IndexByte(p, '.')
			si := strings.IndexByte(s, '.')
			if (pi < 0) != (si < 0) {
				return false
			}
			pc, sc := p, s
			if pi >= 0 {
				pc, sc = p[:pi], s[:si]
			}
			if pc != "" && pc != sc {
				return false
			}
			if pi < 0 {
				return true
			}
			p, s = p[pi+1:], s[si+1:]
		}
	}
	return false
}
