package wamp

// Error URIs predefined by the WAMP specification. The strings are written
// out literally so they can be checked against the specification text.
const (
	ErrInvalidURI               URI = "wamp.error.invalid_uri"
	ErrNoSuchProcedure          URI = "wamp.error.no_such_procedure"
	ErrProcedureAlreadyExists   URI = "wamp.error.procedure_already_exists"
	ErrNoSuchRegistration       URI = "wamp.error.no_such_registration"
	ErrNoSuchSubscription       URI = "wamp.error.no_such_subscription"
	ErrInvalidArgument          URI = "wamp.error.invalid_argument"
	ErrCanceled                 URI = "wamp.error.canceled"
	ErrPayloadSizeExceeded      URI = "wamp.error.payload_size_exceeded"
	ErrProtocolViolation        URI = "wamp.error.protocol_violation"
	ErrNotAuthorized            URI = "wamp.error.not_authorized"
	ErrAuthorizationFailed      URI = "wamp.error.authorization_failed"
	ErrAuthenticationFailed     URI = "wamp.error.authentication_failed"
	ErrNoMatchingAuthMethod     URI = "wamp.error.no_matching_auth_method"
	ErrNoSuchRealm              URI = "wamp.error.no_such_realm"
	ErrNoSuchRole               URI = "wamp.error.no_such_role"
	ErrNoSuchPrincipal          URI = "wamp.error.no_such_principal"
	ErrNoSuchSession            URI = "wamp.error.no_such_session"
	ErrTimeout                  URI = "wamp.error.timeout"
	ErrUnavailable              URI = "wamp.error.unavailable"
	ErrNoAvailableCallee        URI = "wamp.error.no_available_callee"
	ErrFeatureNotSupported      URI = "wamp.error.feature_not_supported"
	ErrOptionNotAllowed         URI = "wamp.error.option_not_allowed"
	ErrOptionDisallowedDisclose URI = "wamp.error.option_disallowed.disclose_me"
	ErrNetworkFailure           URI = "wamp.error.network_failure"

	// ErrRuntime is not defined by the specification: a callee answers with
	// it when its handler failed with an error that has no URI of its own (an
	// unmapped Go error or a recovered panic). Autobahn uses the same URI.
	ErrRuntime URI = "wamp.error.runtime_error"
)

// Reasons for GOODBYE and ABORT.
const (
	CloseSystemShutdown URI = "wamp.close.system_shutdown"
	CloseRealm          URI = "wamp.close.close_realm"
	CloseGoodbyeAndOut  URI = "wamp.close.goodbye_and_out"
	CloseNormal         URI = "wamp.close.normal"
	CloseKilled         URI = "wamp.close.killed"
)

// Keys of HELLO, WELCOME, CHALLENGE and AUTHENTICATE dictionaries.
const (
	KeyRoles        = "roles"
	KeyFeatures     = "features"
	KeyAgent        = "agent"
	KeyAuthMethods  = "authmethods"
	KeyAuthMethod   = "authmethod"
	KeyAuthID       = "authid"
	KeyAuthRole     = "authrole"
	KeyAuthProvider = "authprovider"
	KeyAuthExtra    = "authextra"
	KeyChallenge    = "challenge"
	KeySalt         = "salt"
	KeyIterations   = "iterations"
	KeyKeyLen       = "keylen"
	KeyPubKey       = "pubkey"
	KeyMessage      = "message"
)

// Option and detail keys of the RPC messages.
const (
	OptReceiveProgress = "receive_progress" // CALL.Options, INVOCATION.Details
	OptProgress        = "progress"         // RESULT.Details, YIELD.Options
	OptTimeout         = "timeout"          // CALL.Options, INVOCATION.Details (ms)
	OptDiscloseMe      = "disclose_me"      // CALL.Options, PUBLISH.Options
	OptMode            = "mode"             // CANCEL.Options, INTERRUPT.Options
	OptReason          = "reason"           // INTERRUPT.Options
	OptMatch           = "match"            // REGISTER.Options, SUBSCRIBE.Options
	OptInvoke          = "invoke"           // REGISTER.Options
	OptDiscloseCaller  = "disclose_caller"  // REGISTER.Options
	OptCaller          = "caller"           // INVOCATION.Details
	OptCallerAuthID    = "caller_authid"    // INVOCATION.Details
	OptCallerAuthRole  = "caller_authrole"  // INVOCATION.Details
	OptProcedure       = "procedure"        // INVOCATION.Details
	OptForwardTimeout  = "forward_timeout"  // REGISTER.Options (nexus, Crossbar.io)
)

// Option and detail keys of the Pub/Sub messages.
const (
	OptAcknowledge       = "acknowledge"        // PUBLISH.Options
	OptExcludeMe         = "exclude_me"         // PUBLISH.Options
	OptExclude           = "exclude"            // PUBLISH.Options: list of session IDs
	OptExcludeAuthID     = "exclude_authid"     // PUBLISH.Options: list of authids
	OptExcludeAuthRole   = "exclude_authrole"   // PUBLISH.Options: list of authroles
	OptEligible          = "eligible"           // PUBLISH.Options: list of session IDs
	OptEligibleAuthID    = "eligible_authid"    // PUBLISH.Options: list of authids
	OptEligibleAuthRole  = "eligible_authrole"  // PUBLISH.Options: list of authroles
	OptPublisher         = "publisher"          // EVENT.Details
	OptPublisherAuthID   = "publisher_authid"   // EVENT.Details
	OptPublisherAuthRole = "publisher_authrole" // EVENT.Details
	OptTopic             = "topic"              // EVENT.Details
)

// Cancel modes of CANCEL.Options.mode (and INTERRUPT.Options.mode).
const (
	CancelSkip       = "skip"
	CancelKill       = "kill"
	CancelKillNoWait = "killnowait"
)

// Invocation policies of REGISTER.Options.invoke (shared registrations).
const (
	InvokeSingle     = "single"
	InvokeRoundRobin = "roundrobin"
	InvokeRandom     = "random"
	InvokeFirst      = "first"
	InvokeLast       = "last"
)

// Roles a peer announces in HELLO.Details.roles.
const (
	RoleCaller     = "caller"
	RoleCallee     = "callee"
	RolePublisher  = "publisher"
	RoleSubscriber = "subscriber"
	RoleDealer     = "dealer"
	RoleBroker     = "broker"
)

// Features announced under roles.<role>.features.
const (
	FeatureProgressiveCallResults      = "progressive_call_results"
	FeatureCallCanceling               = "call_canceling"
	FeatureCallTimeout                 = "call_timeout"
	FeatureCallerIdentification        = "caller_identification"
	FeaturePatternBasedRegistration    = "pattern_based_registration"
	FeatureSharedRegistration          = "shared_registration"
	FeaturePublisherExclusion          = "publisher_exclusion"
	FeatureSubscriberBlackWhiteListing = "subscriber_blackwhite_listing"
	FeaturePublisherIdentification     = "publisher_identification"
	FeaturePatternBasedSubscription    = "pattern_based_subscription"
	FeatureRegistrationRevocation      = "registration_revocation"
	FeatureSubscriptionRevocation      = "subscription_revocation"
)
