package runtime

import (
	"context"
	"fmt"

	"github.com/wampgen/wampgen/wamp"
)

// ErrUnimplementedURI is the error URI a callee answers with for a
// procedure its implementation does not provide: a method it inherits from
// a generated Unimplemented… type. It is not defined by the WAMP
// specification; its namespace is wampgen's own.
const ErrUnimplementedURI wamp.URI = "wampgen.error.unimplemented"

// ErrUnimplemented matches (with errors.Is), on both sides of the wire, the
// error a generated Unimplemented… method returns.
var ErrUnimplemented = &Error{URI: ErrUnimplementedURI}

// UnimplementedError is the error a generated Unimplemented… method
// returns for procedure: it travels as wampgen.error.unimplemented with a
// message naming the procedure, and matches ErrUnimplemented.
func UnimplementedError(procedure wamp.URI) error {
	return &Error{URI: ErrUnimplementedURI, Args: wamp.ArgsOf(fmt.Sprintf("%s is not implemented by this callee", procedure))}
}

// ResolveProcedureURI returns the URI a generated client method of a
// pattern-based procedure (match=prefix or match=wildcard) calls: the one
// set on ctx with WithProcedureURI, which pattern must match under match,
// or pattern itself when none is set. A URI the pattern does not match is
// refused with an *Error matching ErrInvalidURI, and nothing is sent: the
// call would reach another procedure, or none.
func ResolveProcedureURI(ctx context.Context, pattern wamp.URI, match Match) (wamp.URI, error) {
	return resolveURI(ctx, procedureURIKey{}, "WithProcedureURI", "procedure", pattern, match)
}

// ResolveTopicURI returns the topic a generated publisher method of a
// pattern-based topic (match=prefix or match=wildcard) publishes to: the
// one set on ctx with WithTopicURI, which pattern must match under match.
// With none set, a prefix pattern is itself the topic; a wildcard pattern
// (its empty components make it no valid topic) is refused. A refused URI
// is an *Error matching ErrInvalidURI, and nothing is sent: the event
// would reach other subscribers, or none.
func ResolveTopicURI(ctx context.Context, pattern wamp.URI, match Match) (wamp.URI, error) {
	u, err := resolveURI(ctx, topicURIKey{}, "WithTopicURI", "topic", pattern, match)
	if err == nil && u == pattern && match == MatchWildcard {
		return "", &Error{URI: wamp.ErrInvalidURI, Args: wamp.ArgsOf(fmt.Sprintf(
			"the wildcard topic %s needs a concrete topic: set one with WithTopicURI", pattern))}
	}
	return u, err
}

// resolveURI is ResolveProcedureURI and ResolveTopicURI: the URI set on
// ctx under key (by the function named setter), checked against pattern,
// or pattern itself when none is set; what names the kind of URI.
func resolveURI(ctx context.Context, key any, setter, what string, pattern wamp.URI, match Match) (wamp.URI, error) {
	if err := match.check(); err != nil {
		return "", fmt.Errorf("runtime: resolving the URI of %s: %w", pattern, err)
	}
	u, ok := ctx.Value(key).(wamp.URI)
	if !ok || u == "" {
		return pattern, nil
	}
	if err := wamp.ValidateURI(u, wamp.Loose, wamp.MatchExact); err != nil {
		return "", &Error{URI: wamp.ErrInvalidURI, Args: wamp.ArgsOf(fmt.Sprintf("%s: %v", setter, err))}
	}
	if !wamp.MatchURI(pattern, string(match.orExact()), u) {
		return "", &Error{URI: wamp.ErrInvalidURI, Args: wamp.ArgsOf(fmt.Sprintf("%s: %s is not matched by the %s's pattern %s (match=%s)", setter, u, what, pattern, match))}
	}
	return u, nil
}

// DecodeKeywordArguments decodes the ArgumentsKw of inv into dst, a
// pointer to the keyword-argument struct of a kwargs=true procedure. It is
// strict (see wamp.Payload.DecodeStrict): positional arguments, a key that
// names no field, and a missing required field (one that is neither a
// pointer nor tagged omitempty or omitzero), or one that is null although
// its type cannot be nil (a slice, map or interface can), are each answered
// with wamp.error.invalid_argument naming the key. An empty Arguments list
// is accepted: some clients (Autobahn) send one along with keyword
// arguments. Nested dictionaries follow Value.Decode's rules, which ignore
// unknown keys.
func DecodeKeywordArguments(procedure wamp.URI, inv *Invocation, dst any) error {
	return decodeKeywordArguments(procedure, inv.Args, inv.Kwargs, dst, invalidArgument)
}

// DecodeEventKeywordArguments decodes the ArgumentsKw of ev into dst, a
// pointer to the keyword-argument struct of a kwargs=true topic, by the
// rules of DecodeKeywordArguments; what does not fit is an error matching
// ErrBadEvent.
func DecodeEventKeywordArguments(topic wamp.URI, ev *Event, dst any) error {
	return decodeKeywordArguments(topic, ev.Args, ev.Kwargs, dst, badEvent)
}

// decodeKeywordArguments is DecodeKeywordArguments and
// DecodeEventKeywordArguments: fail makes the error of a message.
func decodeKeywordArguments(uri wamp.URI, args, kwargs wamp.Payload, dst any, fail func(msg string) error) error {
	var buf [1]wamp.Value
	list, err := args.AppendList(buf[:0])
	if err != nil {
		return fail(argumentsText(uri, err))
	}
	if len(list) > 0 {
		return fail(fmt.Sprintf("%s takes keyword arguments only, got %d positional %s", uri, len(list), plural(len(list), "argument")))
	}
	if err := kwargs.DecodeStrict(dst); err != nil {
		return fail(keywordArgumentsText(uri, err))
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
