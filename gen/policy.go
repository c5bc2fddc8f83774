package gen

import "github.com/wampgen/wampgen/wamp"

// The policies a //wampgen:procedure directive sets (match=, invoke=,
// cancel=) as typed values: the one place where the generator spells them.
// Each value is the wire string package wamp defines, which is what the
// directive accepts and what the generated code passes to runtime.WithMatch,
// runtime.WithInvoke and runtime.WithCancelMode. The zero value of each
// type means the directive did not set it.

// MatchPolicy is how a registration's URI matches the URIs callers call
// (REGISTER.Options.match). The zero value means exact.
type MatchPolicy string

// The match policies of WAMP's pattern-based registration.
const (
	MatchExact    = MatchPolicy(wamp.MatchExact)
	MatchPrefix   = MatchPolicy(wamp.MatchPrefix)
	MatchWildcard = MatchPolicy(wamp.MatchWildcard)
)

// IsPattern reports whether the procedure is registered as a pattern
// (prefix or wildcard), which a caller turns into a concrete URI.
func (p MatchPolicy) IsPattern() bool { return p == MatchPrefix || p == MatchWildcard }

// InvokePolicy is how the dealer picks one callee among those sharing a
// registration (REGISTER.Options.invoke). The zero value leaves it to the
// dealer (single).
type InvokePolicy string

// The invocation policies of WAMP's shared registration.
const (
	InvokeSingle     = InvokePolicy(wamp.InvokeSingle)
	InvokeRoundRobin = InvokePolicy(wamp.InvokeRoundRobin)
	InvokeRandom     = InvokePolicy(wamp.InvokeRandom)
	InvokeFirst      = InvokePolicy(wamp.InvokeFirst)
	InvokeLast       = InvokePolicy(wamp.InvokeLast)
)

// CancelMode is how the generated client cancels a call whose ctx ends
// (CANCEL.Options.mode). The zero value leaves it to the runtime's default.
type CancelMode string

// The cancel modes of WAMP's call canceling.
const (
	CancelSkip       = CancelMode(wamp.CancelSkip)
	CancelKill       = CancelMode(wamp.CancelKill)
	CancelKillNoWait = CancelMode(wamp.CancelKillNoWait)
)

// The values each policy key of //wampgen:procedure accepts, in the order
// diagnostics list them.
var (
	matchPolicies  = []MatchPolicy{MatchExact, MatchPrefix, MatchWildcard}
	invokePolicies = []InvokePolicy{InvokeSingle, InvokeRoundRobin, InvokeRandom, InvokeFirst, InvokeLast}
	cancelModes    = []CancelMode{CancelSkip, CancelKill, CancelKillNoWait}
)

// spellings returns the directive spellings of values.
func spellings[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
