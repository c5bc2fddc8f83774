package runtime

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wampgen/wampgen/wamp"
)

// The policies a registration, a subscription or a call chooses from are
// closed sets of wire strings. Each is a type of its own, its values the
// constants below, which take their wire strings from package wamp (the
// one place they are written); an untyped string constant such as
// wamp.MatchPrefix or "prefix" converts implicitly, as generated code
// passes them. A value outside the set is refused where it is used, with
// an error listing the allowed values: never taken for the default.
//
// The zero value "" of each type means "the default": exact, single, and
// Config.CancelMode (itself kill by default).

// Match is the match policy of a registration or a subscription
// (REGISTER.Options.match, SUBSCRIBE.Options.match): which URIs the
// registered procedure or the subscribed topic stands for.
type Match string

// The match policies.
const (
	// MatchExact: the URI itself (the default).
	MatchExact Match = wamp.MatchExact
	// MatchPrefix: every URI that starts with the pattern.
	MatchPrefix Match = wamp.MatchPrefix
	// MatchWildcard: every URI with as many components as the pattern,
	// whose non-empty components are equal to the pattern's.
	MatchWildcard Match = wamp.MatchWildcard
)

var matchPolicies = []Match{MatchExact, MatchPrefix, MatchWildcard}

// InvokePolicy is the invocation policy of a shared registration
// (REGISTER.Options.invoke): which of the callees that registered the
// procedure serves a call.
type InvokePolicy string

// The invocation policies.
const (
	// InvokeSingle: one callee only; a second registration is refused
	// (the default).
	InvokeSingle InvokePolicy = wamp.InvokeSingle
	// InvokeRoundRobin: each callee in turn.
	InvokeRoundRobin InvokePolicy = wamp.InvokeRoundRobin
	// InvokeRandom: a callee chosen at random.
	InvokeRandom InvokePolicy = wamp.InvokeRandom
	// InvokeFirst: the callee that registered first.
	InvokeFirst InvokePolicy = wamp.InvokeFirst
	// InvokeLast: the callee that registered last.
	InvokeLast InvokePolicy = wamp.InvokeLast
)

var invokePolicies = []InvokePolicy{InvokeSingle, InvokeRoundRobin, InvokeRandom, InvokeFirst, InvokeLast}

// CancelMode is the mode of the CANCEL a caller sends when a call's
// context ends (CANCEL.Options.mode).
type CancelMode string

// The cancel modes.
const (
	// CancelKill: the router interrupts the callee and answers the call
	// once the callee has answered the INTERRUPT (the runtime's default).
	CancelKill CancelMode = wamp.CancelKill
	// CancelKillNoWait: the router interrupts the callee and answers the
	// call at once.
	CancelKillNoWait CancelMode = wamp.CancelKillNoWait
	// CancelSkip: the router answers the call at once and lets the callee
	// run to its end.
	CancelSkip CancelMode = wamp.CancelSkip
)

var cancelModes = []CancelMode{CancelKill, CancelKillNoWait, CancelSkip}

// check returns an error unless m is a match policy; "" is the default,
// exact.
func (m Match) check() error {
	if m == "" {
		return nil
	}
	return checkPolicy("match policy", m, matchPolicies)
}

// orExact returns m, or MatchExact for the zero value.
func (m Match) orExact() Match {
	if m == "" {
		return MatchExact
	}
	return m
}

// check returns an error unless p is an invocation policy; "" is the
// default, single.
func (p InvokePolicy) check() error {
	if p == "" {
		return nil
	}
	return checkPolicy("invoke policy", p, invokePolicies)
}

// check returns an error unless m is a cancel mode. The zero value is
// refused too: by the time a mode is checked, the default has been
// applied.
func (m CancelMode) check() error {
	return checkPolicy("cancel mode", m, cancelModes)
}

// checkPolicy returns nil if p is one of allowed, and otherwise an error
// naming what p is and listing the allowed values.
func checkPolicy[P ~string](what string, p P, allowed []P) error {
	if slices.Contains(allowed, p) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return fmt.Errorf("%s %q (allowed: %s)", what, p, strings.Join(names, ", "))
}
