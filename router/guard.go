package router

import (
	"fmt"
	"slices"

	"github.com/gammazero/nexus/v3/wamp"
)

// screen stops client messages that would crash nexus v3.3.0, whose dealer
// panics (taking the whole process down) on:
//
//   - a REGISTER whose invoke policy it does not know, once a second callee
//     registers the procedure with the same policy and it is called;
//   - a CALL, PUBLISH or YIELD for payload passthru mode whose
//     ppt_serializer, ppt_cipher or ppt_keyid option is not a string.
//
// It returns the message to hand to nexus instead of msg (nil for none), an
// ERROR to send back to the client (nil for none), and why msg was stopped.
// Valid messages pass unchanged, with an empty why.
func screen(msg wamp.Message) (forward, reply wamp.Message, why string) {
	invalid := func(typ wamp.MessageType, req wamp.ID, why string) *wamp.Error {
		return &wamp.Error{Type: typ, Request: req, Details: wamp.Dict{}, Error: wamp.ErrInvalidArgument, Arguments: wamp.List{why}}
	}
	switch m := msg.(type) {
	case *wamp.Register:
		why = checkOption(m.Options, wamp.OptInvoke, wamp.InvokeSingle, wamp.InvokeRoundRobin, wamp.InvokeRandom, wamp.InvokeFirst, wamp.InvokeLast)
		if why == "" {
			why = checkOption(m.Options, wamp.OptMatch, wamp.MatchExact, wamp.MatchPrefix, wamp.MatchWildcard)
		}
		if why != "" {
			return nil, invalid(wamp.REGISTER, m.Request, why), why
		}
	case *wamp.Call:
		if why = checkPPT(m.Options); why != "" {
			return nil, invalid(wamp.CALL, m.Request, why), why
		}
	case *wamp.Publish:
		if why = checkPPT(m.Options); why != "" {
			if ack, _ := m.Options[wamp.OptAcknowledge].(bool); ack {
				return nil, invalid(wamp.PUBLISH, m.Request, why), why
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
