package router

import (
	"fmt"
	"maps"

	"github.com/gammazero/nexus/v3/wamp"
)

// Custom options.
//
// nexus v3.3.0 builds an INVOCATION's Details and an EVENT's Details from
// scratch, with the keys it knows (progress, procedure, caller, topic,
// publisher...): any other key of the CALL's or PUBLISH's Options is
// dropped. Tracing and similar cross-cutting data travel in custom keys,
// so the router carries those itself, around nexus:
//
//   - a custom key is one the WAMP spec leaves to implementations
//     ("_" followed by at least three of [a-z0-9_]) or, by the common
//     convention this project's tracing follows, "x_" followed by at least
//     one of them; nexus never sets such a key, so a client can't forge a
//     router-set detail (caller, procedure, topic, publisher, progress...)
//     through one: every other key stays what nexus makes of it;
//   - screen checks a CALL's or PUBLISH's custom keys (see checkCustom) and
//     refuses the message when one breaks a rule, with
//     wamp.error.invalid_argument (for a PUBLISH, only when it asked for an
//     acknowledgement, as for any refused PUBLISH);
//   - the valid ones ride through nexus in the message's Arguments: a
//     one-element list holding a *customCarrier with the original
//     Arguments, which nexus copies to the INVOCATION or EVENT as it copies
//     any payload (into each subscriber's own list, see peer.IsLocal);
//   - the peer that sends the INVOCATION or EVENT puts the original
//     Arguments back and adds the custom keys to a copy of the Details
//     (withCustom), before anything else looks at the message.
//
// Calls and publications to "wamp." URIs (nexus's meta API, whose callee
// reads the Arguments) never carry custom keys: they are refused there
// like anywhere else if invalid, and otherwise ignored, as before.
//
// A message without custom keys costs one look at each of its Options'
// keys on the way in and one type check of its Arguments on the way out.

const (
	// maxCustomKeys is the most custom keys one message may carry.
	maxCustomKeys = 16
	// maxCustomKeyLen bounds the length of a custom key, in bytes.
	maxCustomKeyLen = 64
	// maxCustomBytes bounds the size of a message's custom keys and values
	// together, counted as customSize does.
	maxCustomBytes = 4096
	// maxCustomDepth bounds the nesting of a custom value: a list or dict
	// directly under the key is at depth 1.
	maxCustomDepth = 4
)

// customCarrier carries a message's custom options through nexus in place
// of its Arguments.
type customCarrier struct {
	args wamp.List
	opts wamp.Dict
}

// isCustomKey reports whether k claims to be a custom key: it starts with
// "_" or "x_". Whether it is a valid one is customKeyError's question.
func isCustomKey(k string) bool {
	return len(k) > 0 && (k[0] == '_' || (len(k) > 1 && k[0] == 'x' && k[1] == '_'))
}

// customKeyError returns why k, a key isCustomKey accepts, is not a valid
// custom key, or "".
func customKeyError(k string) string {
	rest, least := k[1:], 3
	if k[0] == 'x' {
		rest, least = k[2:], 1
	}
	if len(k) > maxCustomKeyLen {
		return fmt.Sprintf("custom option key of %d bytes is longer than %d", len(k), maxCustomKeyLen)
	}
	if len(rest) < least {
		return fmt.Sprintf("custom option key %q must be \"x_\" followed by at least one, or \"_\" by at least three, of [a-z0-9_]", k)
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return fmt.Sprintf("custom option key %q may have only [a-z0-9_] after its prefix", k)
		}
	}
	return ""
}

// checkCustom returns the custom options of opts, a CALL's or PUBLISH's
// Options (nil when it has none), or why they break the rules above.
func checkCustom(opts wamp.Dict) (wamp.Dict, string) {
	var custom wamp.Dict
	for k := range opts {
		if !isCustomKey(k) {
			continue
		}
		if why := customKeyError(k); why != "" {
			return nil, why
		}
		if custom == nil {
			custom = make(wamp.Dict, 1)
		}
		if len(custom) == maxCustomKeys {
			return nil, fmt.Sprintf("more than %d custom options", maxCustomKeys)
		}
		custom[k] = opts[k]
	}
	if custom == nil {
		return nil, ""
	}
	budget := maxCustomBytes
	for k, v := range custom {
		budget -= len(k)
		if why := customSize(v, 0, &budget); why != "" {
			return nil, fmt.Sprintf("custom option %s: %s", k, why)
		}
	}
	if budget < 0 {
		return nil, fmt.Sprintf("custom options exceed %d bytes", maxCustomBytes)
	}
	return custom, ""
}

// customSize takes the size of v, a value decoded by one of the router's
// serializers at the given depth, from *budget: its bytes for a string or
// binary, 8 for any other scalar, 1 for a list or dict plus its elements
// (and a dict's keys). It stops once the budget is spent, so that its work
// is bounded by maxCustomBytes whatever the message holds, and returns why
// v is refused, or "".
func customSize(v any, depth int, budget *int) string {
	if *budget < 0 {
		return customBudget(*budget)
	}
	switch t := v.(type) {
	case string:
		*budget -= len(t)
	case []byte:
		*budget -= len(t)
	case []any:
		return customListSize(t, depth, budget)
	case wamp.List:
		return customListSize(t, depth, budget)
	case map[string]any:
		return customDictSize(t, depth, budget)
	case wamp.Dict:
		return customDictSize(t, depth, budget)
	default:
		*budget -= 8
	}
	return customBudget(*budget)
}

func customListSize(l []any, depth int, budget *int) string {
	if depth == maxCustomDepth {
		return fmt.Sprintf("nested deeper than %d levels", maxCustomDepth)
	}
	*budget--
	for _, e := range l {
		if why := customSize(e, depth+1, budget); why != "" {
			return why
		}
	}
	return customBudget(*budget)
}

func customDictSize(d map[string]any, depth int, budget *int) string {
	if depth == maxCustomDepth {
		return fmt.Sprintf("nested deeper than %d levels", maxCustomDepth)
	}
	*budget--
	for k, e := range d {
		*budget -= len(k)
		if why := customSize(e, depth+1, budget); why != "" {
			return why
		}
	}
	return customBudget(*budget)
}

func customBudget(budget int) string {
	if budget < 0 {
		return fmt.Sprintf("custom options exceed %d bytes", maxCustomBytes)
	}
	return ""
}

// carryCustom checks the custom options of a CALL or PUBLISH (see above)
// and returns the message to hand to nexus: msg itself when it has none or
// goes to a "wamp." URI, else a copy whose Arguments carry them. why is
// set when the options are refused.
func carryCustom(msg wamp.Message) (wamp.Message, string) {
	switch m := msg.(type) {
	case *wamp.Call:
		custom, why := checkCustom(m.Options)
		if custom == nil || isMetaURI(string(m.Procedure)) {
			return msg, why
		}
		c := *m
		c.Arguments = wamp.List{&customCarrier{args: m.Arguments, opts: custom}}
		return &c, ""
	case *wamp.Publish:
		custom, why := checkCustom(m.Options)
		if custom == nil || isMetaURI(string(m.Topic)) {
			return msg, why
		}
		c := *m
		c.Arguments = wamp.List{&customCarrier{args: m.Arguments, opts: custom}}
		return &c, ""
	}
	return msg, ""
}

// carrierOf returns the carrier in args, or nil.
func carrierOf(args wamp.List) *customCarrier {
	if len(args) != 1 {
		return nil
	}
	c, _ := args[0].(*customCarrier)
	return c
}

// withCustom returns msg, an INVOCATION or EVENT nexus queued for this
// client, with the custom options its Arguments carry moved into its
// Details, or msg itself when it carries none. The Details are copied
// (nexus may hold the map) and a key nexus set is never replaced.
func withCustom(msg wamp.Message) wamp.Message {
	switch m := msg.(type) {
	case *wamp.Invocation:
		if c := carrierOf(m.Arguments); c != nil {
			inv := *m
			inv.Arguments, inv.Details = c.args, mergeCustom(m.Details, c.opts)
			return &inv
		}
	case *wamp.Event:
		if c := carrierOf(m.Arguments); c != nil {
			ev := *m
			ev.Arguments, ev.Details = c.args, mergeCustom(m.Details, c.opts)
			return &ev
		}
	}
	return msg
}

func mergeCustom(details, custom wamp.Dict) wamp.Dict {
	out := make(wamp.Dict, len(details)+len(custom))
	maps.Copy(out, custom)
	maps.Copy(out, details)
	return out
}
