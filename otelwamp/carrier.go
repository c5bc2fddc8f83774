package otelwamp

import (
	"strings"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// How the trace context travels.
//
// A propagator writes and reads header-like fields ("traceparent",
// "tracestate", "baggage" for the W3C ones). Each field travels as the
// custom option "x_" + the field name lower-cased with "-" replaced by "_"
// (x_traceparent, x_tracestate, x_baggage) in CALL.Options and
// PUBLISH.Options; a router that forwards custom keys (the embedded router
// does) hands them to the callee in INVOCATION.Details and to subscribers
// in EVENT.Details, where the interceptor reads them back.

const (
	// maxValueLen bounds a trace context value, in bytes, both ways: a
	// longer value is not sent (the embedded router refuses a message whose
	// custom keys exceed 4 KiB, which would fail the call) and is ignored
	// when received. W3C traceparent is 55 bytes, tracestate at most 512.
	maxValueLen = 2048
	// maxKeyLen is the longest custom key the runtime and the embedded
	// router accept.
	maxKeyLen = 64
	// maxCarrierKeys bounds the keys detailsCarrier.Keys lists.
	maxCarrierKeys = 32
)

// optionKey returns the custom option key that carries the propagator
// field name, and false when the field cannot travel as one (a key must be
// "x_" followed by [a-z0-9_], at most 64 bytes). The W3C fields need no
// allocation.
func optionKey(name string) (string, bool) {
	switch name {
	case "traceparent":
		return "x_traceparent", true
	case "tracestate":
		return "x_tracestate", true
	case "baggage":
		return "x_baggage", true
	}
	if name == "" || len(name)+2 > maxKeyLen {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(name) + 2)
	b.WriteString("x_")
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c == '-':
			b.WriteByte('_')
		default:
			return "", false
		}
	}
	return b.String(), true
}

// callCarrier injects into a call's options (a TextMapCarrier that only
// sets). A pointer conversion of *runtime.Call, so that passing it as an
// interface allocates nothing.
type callCarrier runtime.Call

func (*callCarrier) Get(string) string { return "" }
func (*callCarrier) Keys() []string    { return nil }
func (c *callCarrier) Set(name, value string) {
	if key, ok := optionKey(name); ok && len(value) <= maxValueLen {
		(*runtime.Call)(c).SetOption(key, value)
	}
}

// publicationCarrier injects into a publication's options.
type publicationCarrier runtime.Publication

func (*publicationCarrier) Get(string) string { return "" }
func (*publicationCarrier) Keys() []string    { return nil }
func (c *publicationCarrier) Set(name, value string) {
	if key, ok := optionKey(name); ok && len(value) <= maxValueLen {
		(*runtime.Publication)(c).SetOption(key, value)
	}
}

// detailsCarrier extracts from INVOCATION.Details or EVENT.Details (a
// TextMapCarrier that only reads). The details come from the network: a
// value that is not a string, or is longer than maxValueLen, reads as
// absent, and the propagator rejects malformed ones itself.
type detailsCarrier wamp.Dict

func (d detailsCarrier) Get(name string) string {
	key, ok := optionKey(name)
	if !ok {
		return ""
	}
	v, ok := d[key].(string)
	if !ok || len(v) > maxValueLen {
		return ""
	}
	return v
}

func (detailsCarrier) Set(string, string) {}

// Keys lists the field names of the custom keys present (the key without
// "x_", "_" read as "-"), at most maxCarrierKeys of them.
func (d detailsCarrier) Keys() []string {
	var keys []string
	for k := range d {
		if len(keys) == maxCarrierKeys {
			break
		}
		if len(k) > 2 && k[0] == 'x' && k[1] == '_' {
			keys = append(keys, strings.ReplaceAll(k[2:], "_", "-"))
		}
	}
	return keys
}
