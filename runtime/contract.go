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
	if err := match.check(); err != nil {
		return "", fmt.Errorf("runtime: resolving the URI of %s: %w", pattern, err)
	}
	u, ok := ctx.Value(procedureURIKey{}).(wamp.URI)
	if !ok || u == "" {
		return pattern, nil
	}
	if err := wamp.ValidateURI(u, wamp.Loose, wamp.MatchExact); err != nil {
		return "", &Error{URI: wamp.ErrInvalidURI, Args: wamp.ArgsOf(fmt.Sprintf("WithProcedureURI: %v", err))}
	}
	if !wamp.MatchURI(pattern, string(match.orExact()), u) {
		return "", &Error{URI: wamp.ErrInvalidURI, Args: wamp.ArgsOf(fmt.Sprintf("WithProcedureURI: %s is not matched by the procedure's pattern %s (match=%s)", u, pattern, match))}
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
	var buf [1]wamp.Value
	args, err := inv.Args.AppendList(buf[:0])
	if err != nil {
		return ArgumentsError(procedure, err)
	}
	if len(args) > 0 {
		return &Error{URI: wamp.ErrInvalidArgument, Args: wamp.ArgsOf(fmt.Sprintf(
			"%s takes keyword arguments only, got %d positional %s", procedure, len(args), plural(len(args), "argument")))}
	}
	if err := inv.Kwargs.DecodeStrict(dst); err != nil {
		return KeywordArgumentsError(procedure, err)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
