package runtime

import (
	"fmt"

	"github.com/wampgen/wampgen/wamp"
)

// Feature negotiation. A peer uses an advanced feature only if its peer
// announced it (advanced/ap_02_features.md, "Feature Announcement"): the
// session reads what the router's dealer and broker announced in
// WELCOME.Details.roles.<role>.features, once per connection, and checks
// every advanced option against it before anything is sent.
//
// Where the runtime can keep an option's promise without the router, it
// does so locally and leaves the option out; where it cannot, the request
// fails before it is sent, with an error matching ErrFeatureNotSupported
// that names the missing feature. README.md has the table; per feature:
//
//	dealer call_canceling            CANCEL is not sent: the call still returns at once with
//	                                 wamp.error.canceled or wamp.error.timeout, the callee is
//	                                 not interrupted, and its late RESULT or ERROR is ignored
//	dealer call_timeout              CALL.Options.timeout is left out (the caller's context
//	                                 still ends the call); REGISTER.Options.forward_timeout is
//	                                 left out; INVOCATION.Details.timeout is not read
//	dealer progressive_call_results  receive_progress is left out: progress callbacks are not
//	                                 called and the final result carries everything (Stream
//	                                 yields its values); an INVOCATION's receive_progress is
//	                                 not read, so a handler sends no progressive YIELD
//	dealer progressive_call_invocations  CallInput (and the CallInput… helpers) fail before
//	                                 anything is sent; an INVOCATION's progress is not read,
//	                                 so a repeated request ID is dropped (see checkInvocation)
//	dealer caller_identification     disclose_me (CALL) and disclose_caller (REGISTER) are
//	                                 refused; an INVOCATION's caller details are not read
//	dealer pattern_based_registration  match=prefix|wildcard is refused
//	dealer shared_registration       invoke other than single is refused
//	broker publisher_exclusion       exclude_me=false is refused; exclude_me=true (what every
//	                                 broker does) is left out
//	broker subscriber_blackwhite_listing  exclude*, eligible* are refused
//	broker publisher_identification  disclose_me (PUBLISH) is refused; an EVENT's publisher
//	                                 details are not read
//	broker pattern_based_subscription  match=prefix|wildcard is refused; an EVENT's
//	                                 Details.topic is read only for a pattern subscription
//
// As a callee the session announces call_reroute
// (advanced/ap_rpc_call_rerouting.md): all the spec asks of a callee that
// announces it is to answer an INVOCATION it will not attend to with ERROR
// wamp.error.unavailable, so that a dealer that implements rerouting passes
// the call to another callee of the procedure instead of failing it. The
// session does so for every INVOCATION that arrives once Shutdown has begun
// (see shutdown.go). An INVOCATION for a registration the session no longer
// has (one Unregister ended) is answered with
// wamp.error.no_such_registration, as protocol.go says. A dealer that does
// not reroute (nexus v3.3.0, and so the embedded router) passes
// wamp.error.unavailable to the caller, who may call again.
//
// An INTERRUPT is honoured from any router: a dealer may time a call out
// with one (advanced/ap_11_rpc_call_timeout.md), and stopping a handler
// breaks no promise to anyone.
//
// Refusing is chosen where leaving an option out would break what it
// promises without anyone noticing: a disclosed identity the callee may
// authorize on, a pattern that would register or subscribe a literal URI,
// a shared registration that would take the procedure for one callee, an
// exclusion list that would deliver the event to the excluded.

// routerFeatures is the set of advanced features a router's dealer and
// broker announced in WELCOME.
type routerFeatures uint16

const (
	dealerCallCanceling routerFeatures = 1 << iota
	dealerCallTimeout
	dealerProgressiveCallResults
	dealerCallerIdentification
	dealerPatternBasedRegistration
	dealerSharedRegistration
	brokerPublisherExclusion
	brokerSubscriberBlackWhiteListing
	brokerPublisherIdentification
	brokerPatternBasedSubscription
	dealerProgressiveCallInvocations
)

// featureNames are the role and the feature name of each routerFeatures
// bit, in bit order.
var featureNames = [...]struct{ role, name string }{
	{wamp.RoleDealer, wamp.FeatureCallCanceling},
	{wamp.RoleDealer, wamp.FeatureCallTimeout},
	{wamp.RoleDealer, wamp.FeatureProgressiveCallResults},
	{wamp.RoleDealer, wamp.FeatureCallerIdentification},
	{wamp.RoleDealer, wamp.FeaturePatternBasedRegistration},
	{wamp.RoleDealer, wamp.FeatureSharedRegistration},
	{wamp.RoleBroker, wamp.FeaturePublisherExclusion},
	{wamp.RoleBroker, wamp.FeatureSubscriberBlackWhiteListing},
	{wamp.RoleBroker, wamp.FeaturePublisherIdentification},
	{wamp.RoleBroker, wamp.FeaturePatternBasedSubscription},
	{wamp.RoleDealer, featureProgressiveCallInvocations},
}

// featureProgressiveCallInvocations is the feature of progressive call
// invocations (advanced/rpc_progressive_call_invocations.md): streamed
// input, see CallInput and WithStreamedInput.
const featureProgressiveCallInvocations = "progressive_call_invocations"

// featureCallReroute is the callee feature of call rerouting
// (advanced/ap_rpc_call_rerouting.md), announced in HELLO: the session
// answers the INVOCATIONs it will not serve with wamp.error.unavailable
// (see above).
const featureCallReroute = "call_reroute"

// announcedFeatures reads the features of WELCOME.Details: a feature
// counts only when announced as the boolean true.
func announcedFeatures(details wamp.Dict) routerFeatures {
	roles, _ := details[wamp.KeyRoles].(wamp.Dict)
	var f routerFeatures
	for i, n := range featureNames {
		role, _ := roles[n.role].(wamp.Dict)
		feats, _ := role[wamp.KeyFeatures].(wamp.Dict)
		if on, _ := wamp.DictBool(feats, n.name); on {
			f |= 1 << i
		}
	}
	return f
}

func (f routerFeatures) has(x routerFeatures) bool { return f&x == x }

// missing returns the error for using what needs feature x, which the
// router did not announce; what says what needed it.
func missing(x routerFeatures, what string) error {
	for i, n := range featureNames {
		if x == 1<<i {
			return &Error{URI: wamp.ErrFeatureNotSupported,
				Args: wamp.ArgsOf(fmt.Sprintf("%s needs the %s feature %s, which the router did not announce", what, n.role, n.name))}
		}
	}
	return &Error{URI: wamp.ErrFeatureNotSupported, Args: wamp.ArgsOf(what + " needs a feature the router did not announce")}
}

// features returns what the router of c announced; none without c.
func (c *conn) features() routerFeatures {
	if c == nil {
		return 0
	}
	return c.feats
}

// isTrue reports whether options[key] is the boolean true.
func isTrue(options wamp.Dict, key string) bool {
	b, _ := wamp.DictBool(options, key)
	return b
}

// registerOptions returns the REGISTER.Options to send for options (the
// registration's own) to a router with features f: options itself, or a
// copy without what f makes pointless, or an error naming what f lacks.
func (f routerFeatures) registerOptions(options wamp.Dict) (wamp.Dict, error) {
	if m := matchPolicy(options); m != wamp.MatchExact && !f.has(dealerPatternBasedRegistration) {
		return nil, missing(dealerPatternBasedRegistration, "match="+string(m))
	}
	if inv, _ := wamp.DictString(options, wamp.OptInvoke); inv != "" && inv != wamp.InvokeSingle && !f.has(dealerSharedRegistration) {
		return nil, missing(dealerSharedRegistration, "invoke="+inv)
	}
	if isTrue(options, wamp.OptDiscloseCaller) && !f.has(dealerCallerIdentification) {
		return nil, missing(dealerCallerIdentification, wamp.OptDiscloseCaller)
	}
	if _, ok := options[wamp.OptForwardTimeout]; ok && !f.has(dealerCallTimeout) {
		// A dealer without call timeouts has no timeout to forward.
		return without(options, wamp.OptForwardTimeout), nil
	}
	return options, nil
}

// subscribeOptions is registerOptions for SUBSCRIBE.Options.
func (f routerFeatures) subscribeOptions(options wamp.Dict) error {
	if m := matchPolicy(options); m != wamp.MatchExact && !f.has(brokerPatternBasedSubscription) {
		return missing(brokerPatternBasedSubscription, "match="+string(m))
	}
	return nil
}

// blackWhiteListing are the PUBLISH.Options of
// subscriber_blackwhite_listing.
var blackWhiteListing = [...]string{wamp.OptExclude, wamp.OptExcludeAuthID, wamp.OptExcludeAuthRole,
	wamp.OptEligible, wamp.OptEligibleAuthID, wamp.OptEligibleAuthRole}

// publishOptions checks PUBLISH.Options against f, which it may change
// (they are the publication's own); nil stays nil.
func (f routerFeatures) publishOptions(options wamp.Dict) error {
	if len(options) == 0 {
		return nil
	}
	if !f.has(brokerSubscriberBlackWhiteListing) {
		for _, k := range blackWhiteListing {
			if _, ok := options[k]; ok {
				return missing(brokerSubscriberBlackWhiteListing, k)
			}
		}
	}
	if v, ok := options[wamp.OptExcludeMe]; ok && !f.has(brokerPublisherExclusion) {
		if v != true {
			return missing(brokerPublisherExclusion, "exclude_me=false")
		}
		delete(options, wamp.OptExcludeMe) // what a broker does anyway
	}
	if isTrue(options, wamp.OptDiscloseMe) && !f.has(brokerPublisherIdentification) {
		return missing(brokerPublisherIdentification, "disclose_me")
	}
	return nil
}

// without returns a copy of d without key.
func without(d wamp.Dict, key string) wamp.Dict {
	out := make(wamp.Dict, len(d))
	for k, v := range d {
		if k != key {
			out[k] = v
		}
	}
	return out
}
