package router

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gammazero/nexus/v3/wamp"
)

// screen stops client messages that would crash nexus v3.3.0, whose dealer
// panics (taking the whole process down) on:
//
//   - a REGISTER whose invoke policy it does not know, once a second callee
//     registers the procedure with the same policy and it is called;
//   - a CALL, PUBLISH or YIELD for payload passthru mode whose
//     ppt_serializer, ppt_cipher or ppt_keyid option is not a string;
//   - a testament (wamp.session.add_testament) whose publish options ask
//     for payload passthru mode: when the client leaves, nexus's meta
//     session publishes it, the broker finds that the meta session did not
//     announce the feature and closes it, and the next call of a meta
//     procedure sends on the closed channel.
//
// It also stops client messages that would speak in the router's name:
// a PUBLISH to a topic under "wamp." (nexus's meta events), a testament to
// such a topic or with publish options other than the subscriber filters
// (with disclose_me, nexus's meta session, authrole "trusted", would be
// disclosed as its publisher), and a REGISTER of a pattern that may match
// a procedure under "wamp." (nexus refuses those procedures exactly, not
// patterns, and would route to the client the calls of the meta
// procedures it does not serve, such as wamp.session.kill).
//
// It also checks the custom options of a CALL or PUBLISH and makes them
// ride through nexus to the INVOCATION or EVENT (see xopts.go).
//
// It returns the message to hand to nexus instead of msg (nil for none), an
// ERROR to send back to the client (nil for none), and why msg was stopped.
// Valid messages pass unchanged, with an empty why.
func screen(msg wamp.Message) (forward, reply wamp.Message, why string) {
	invalid := func(typ wamp.MessageType, req wamp.ID, why string) *wamp.Error {
		return &wamp.Error{Type: typ, Request: req, Details: wamp.Dict{}, Error: wamp.ErrInvalidArgument, Arguments: wamp.List{why}}
	}
	if reply, why := checkURILength(msg); why != "" {
		return nil, reply, why
	}
	switch m := msg.(type) {
	case *wamp.Register:
		why = checkOption(m.Options, wamp.OptInvoke, wamp.InvokeSingle, wamp.InvokeRoundRobin, wamp.InvokeRandom, wamp.InvokeFirst, wamp.InvokeLast)
		if why == "" {
			why = checkOption(m.Options, wamp.OptMatch, wamp.MatchExact, wamp.MatchPrefix, wamp.MatchWildcard)
		}
		if why == "" {
			why = checkPattern(m)
		}
		if why != "" {
			return nil, invalid(wamp.REGISTER, m.Request, why), why
		}
	case *wamp.Call:
		if why = checkPPT(m.Options); why == "" && m.Procedure == wamp.MetaProcSessionAddTestament {
			why = checkTestament(m)
		}
		if why == "" {
			msg, why = carryCustom(msg) // see xopts.go
		}
		if why != "" {
			return nil, invalid(wamp.CALL, m.Request, why), why
		}
	case *wamp.Publish:
		uri := wamp.ErrInvalidArgument
		if why = checkPPT(m.Options); why == "" && isMetaURI(string(m.Topic)) {
			uri, why = wamp.ErrInvalidURI, fmt.Sprintf("topic %s is reserved for the router", m.Topic)
		}
		if why == "" {
			msg, why = carryCustom(msg) // see xopts.go
		}
		if why != "" {
			if ack, _ := m.Options[wamp.OptAcknowledge].(bool); ack {
				return nil, &wamp.Error{Type: wamp.PUBLISH, Request: m.Request, Details: wamp.Dict{}, Error: uri, Arguments: wamp.List{why}}, why
			}
			return nil, nil, why
		}
	case *wamp.Yield:
		if why = checkPPT(m.Options); why != "" {
			// Fail the call rather than leave the caller waiting.
			return invalid(wamp.INVOCATION, m.Request, why), nil, why
		}
	}
	return msg, nil, ""
}

// checkOption returns why opts[key], if present, is not one of allowed. The
// empty string is allowed too and means the default, as nexus reads it.
func checkOption(opts wamp.Dict, key string, allowed ...string) string {
	v, ok := opts[key]
	if !ok {
		return ""
	}
	if s, ok := v.(string); ok && (s == "" || slices.Contains(allowed, s)) {
		return ""
	}
	return fmt.Sprintf("option %s must be one of %q, not %v", key, allowed, v)
}

// checkPPT returns why the payload passthru mode options are invalid.
func checkPPT(opts wamp.Dict) string {
	for _, key := range []string{wamp.OptPPTScheme, wamp.OptPPTSerializer, wamp.OptPPTCipher, wamp.OptPPTKeyId} {
		if v, ok := opts[key]; ok {
			if _, ok := v.(string); !ok {
				return fmt.Sprintf("option %s must be a string, not %T", key, v)
			}
		}
	}
	return ""
}

// isMetaURI reports whether uri is reserved for WAMP itself.
func isMetaURI(uri string) bool { return strings.HasPrefix(uri, "wamp.") }

// checkPattern returns why a REGISTER's pattern may match a procedure under
// "wamp.", which only nexus may serve. (nexus refuses an exact one itself.)
func checkPattern(m *wamp.Register) string {
	match, _ := m.Options[wamp.OptMatch].(string)
	if (match == wamp.MatchPrefix || match == wamp.MatchWildcard) && mayMatchMeta(string(m.Procedure), match) {
		return fmt.Sprintf("%s pattern %q may match procedures reserved for the router", match, m.Procedure)
	}
	return ""
}

// checkTestament returns why a CALL of wamp.session.add_testament is
// refused: a topic under "wamp.", or publish options other than the
// subscriber filters (exclude, eligible and their exclude_*/eligible_*
// attribute forms).
func checkTestament(m *wamp.Call) string {
	if len(m.Arguments) > 0 {
		if topic, ok := wamp.AsString(m.Arguments[0]); ok && isMetaURI(topic) {
			return fmt.Sprintf("testament topic %s is reserved for the router", topic)
		}
	}
	opts, ok := m.ArgumentsKw["publish_options"]
	if !ok {
		return ""
	}
	dict, ok := wamp.AsDict(opts)
	if !ok {
		return "testament publish_options must be a dict"
	}
	for k := range dict {
		switch {
		case k == wamp.BlacklistKey, k == wamp.WhitelistKey,
			strings.HasPrefix(k, wamp.BlacklistKey+"_"), strings.HasPrefix(k, wamp.WhitelistKey+"_"):
		default:
			return fmt.Sprintf("testament publish option %q is not allowed", k)
		}
	}
	return ""
}

// maxURILength bounds the URIs a client may use: procedures, topics,
// patterns, and the URIs it passes to the router's meta procedures. nexus
// matches a URI against every pattern registration or subscription of the
// realm, splitting it into its components each time, on the one goroutine
// that routes for every session: a topic of 250,000 components with 300
// wildcard subscriptions stalled a realm for seconds per PUBLISH. Real URIs
// take a few dozen bytes.
const maxURILength = 1024

// checkURILength refuses a message with a URI longer than maxURILength:
// ERROR wamp.error.invalid_uri (none for a PUBLISH without acknowledge).
func checkURILength(msg wamp.Message) (reply wamp.Message, why string) {
	var (
		typ     wamp.MessageType
		req     wamp.ID
		longest int // of the message's URIs
		ack     = true
	)
	switch m := msg.(type) {
	case *wamp.Call:
		typ, req, longest = wamp.CALL, m.Request, len(m.Procedure)
		if isMetaURI(string(m.Procedure)) {
			for _, arg := range m.Arguments {
				// As nexus reads them: wamp.AsURI takes []byte too.
				if s, ok := wamp.AsString(arg); ok {
					longest = max(longest, len(s))
				}
			}
		}
	case *wamp.Register:
		typ, req, longest = wamp.REGISTER, m.Request, len(m.Procedure)
	case *wamp.Subscribe:
		typ, req, longest = wamp.SUBSCRIBE, m.Request, len(m.Topic)
	case *wamp.Publish:
		typ, req, longest = wamp.PUBLISH, m.Request, len(m.Topic)
		ack, _ = m.Options[wamp.OptAcknowledge].(bool)
	default:
		return nil, ""
	}
	if longest <= maxURILength {
		return nil, ""
	}
	why = fmt.Sprintf("a URI of %d bytes exceeds the %d bytes the router accepts", longest, maxURILength)
	if !ack {
		return nil, why
	}
	return &wamp.Error{Type: typ, Request: req, Details: wamp.Dict{}, Error: wamp.ErrInvalidURI, Arguments: wamp.List{why}}, why
}
