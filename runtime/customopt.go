package runtime

import (
	"fmt"

	"github.com/wampgen/wampgen/wamp"
)

// CustomOption sets one custom key of a CALL's or a PUBLISH's Options: it
// is both a CallOption and a PublishOption. Make one with WithOption.
type CustomOption struct {
	key   string
	value any
	err   error
}

// maxCustomKeyLen is the longest custom key WithOption accepts, the
// embedded router's limit.
const maxCustomKeyLen = 64

// WithOption sets the custom option key to value in CALL.Options or
// PUBLISH.Options, for example a trace context:
//
//	s.Call(ctx, proc, args, kwargs, runtime.WithOption("x_trace_id", id))
//
// key must be a custom key: "x_" followed by at least one, or "_" (the
// WAMP spec's implementation-specific keys) followed by at least three, of
// [a-z0-9_], at most 64 bytes in all. Any other key (among them every key
// the runtime or the router sets, such as timeout, receive_progress,
// disclose_me, acknowledge, caller or procedure) makes Call or Publish fail
// before anything is sent. value is encoded like a payload value.
//
// The embedded router forwards custom options to the callee in
// INVOCATION.Details (Invocation.Details) and to subscribers in
// EVENT.Details (Event.Details), within its limits (at most 16 custom
// keys, 4 KiB and 4 levels of nesting per message; more is refused with
// wamp.error.invalid_argument). Other routers may drop them.
func WithOption(key string, value any) CustomOption {
	return CustomOption{key: key, value: value, err: customKeyError(key)}
}

func (o CustomOption) applyCall(c *callConfig) {
	if o.err != nil {
		return
	}
	// c.options may be the caller's own map (WithCallOptions): copy it.
	opts := make(wamp.Dict, len(c.options)+1)
	for k, v := range c.options {
		opts[k] = v
	}
	opts[o.key] = o.value
	c.options = opts
}

func (o CustomOption) applyPublish(c *publishConfig) {
	if o.err == nil {
		c.options[o.key] = o.value
	}
}

// customKeyError returns why key is not a custom key, or nil.
func customKeyError(key string) error {
	rest, least := "", 0
	switch {
	case len(key) >= 2 && key[:2] == "x_":
		rest, least = key[2:], 1
	case len(key) >= 1 && key[0] == '_':
		rest, least = key[1:], 3
	default:
		return fmt.Errorf("option %q is not a custom option: it must start with \"x_\" or \"_\"", key)
	}
	if len(key) > maxCustomKeyLen {
		return fmt.Errorf("custom option key of %d bytes is longer than %d", len(key), maxCustomKeyLen)
	}
	if len(rest) < least {
		return fmt.Errorf("custom option %q: \"x_\" must be followed by at least one, \"_\" by at least three, of [a-z0-9_]", key)
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return fmt.Errorf("custom option %q may have only [a-z0-9_] after its prefix", key)
		}
	}
	return nil
}

// optionError returns the error of the first invalid CustomOption in opts.
func optionError[T any](opts []T) error {
	for _, o := range opts {
		if c, ok := any(o).(CustomOption); ok && c.err != nil {
			return c.err
		}
	}
	return nil
}
