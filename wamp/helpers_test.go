package wamp_test

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// norm brings a decoded (or Go) value into a canonical form so that values
// from different serializers compare equal with reflect.DeepEqual: integers
// become int64 (uint64 beyond int64), float32 becomes float64, slices other
// than []byte become []any, maps with string keys map[string]any, a nil
// []byte an empty one and times UTC. Floats stay floats: 1.0 and 1 differ.
func norm(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		if x == nil {
			return []byte{}
		}
		return x
	case time.Time:
		return x.UTC()
	case float32:
		return float64(x)
	case float64, string, bool:
		return x
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u > math.MaxInt64 {
			return u
		} else {
			return int64(u)
		}
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return norm(rv.Bytes())
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = norm(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			out[it.Key().String()] = norm(it.Value().Interface())
		}
		return out
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return norm(rv.Elem().Interface())
	}
	return v
}

// payloadAny decodes p with Payload.Any and normalizes the result.
func payloadAny(t testing.TB, p wamp.Payload) any {
	t.Helper()
	v, err := p.Any()
	if err != nil {
		t.Fatalf("Payload.Any: %v", err)
	}
	return norm(v)
}

// diffMessages compares two messages field by field: payloads through
// Payload.Any, dictionaries after norm (nil equal to empty), other fields
// exactly. It returns the differences, or "" when equal.
func diffMessages(want, got wamp.Message) string { return diffMessagesWith(norm, want, got) }

// normNumbers is norm, but takes a float without fraction as the integer
// it equals, and NaN as equal to NaN: the comparison for values that went
// through the codec's JSON encoder (which writes 1e16 as 10000000000000000)
// or carry NaN.
func normNumbers(v any) any {
	v = norm(v)
	switch x := v.(type) {
	case float64:
		if x != x {
			return "NaN"
		}
		if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
			return int64(x)
		}
		if x == math.Trunc(x) && x >= 1<<63 && x < 1<<64 {
			return uint64(x)
		}
	case time.Time:
		// A native time (CBOR tag 0 or 1, a MsgPack timestamp) decoded into
		// a dictionary is re-encoded in the one form times travel in.
		return x.Format(time.RFC3339Nano)
	case []any:
		for i, e := range x {
			x[i] = normNumbers(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normNumbers(e)
		}
	}
	return v
}

func diffMessagesWith(norm func(any) any, want, got wamp.Message) string {
	if want == nil || got == nil {
		if want == nil && got == nil {
			return ""
		}
		return fmt.Sprintf("message: want %v, got %v", want, got)
	}
	if want.Type() != got.Type() {
		return fmt.Sprintf("type: want %s, got %s", want.Type(), got.Type())
	}
	wv, gv := reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem()
	if wv.Type() != gv.Type() {
		return fmt.Sprintf("Go type: want %s, got %s", wv.Type(), gv.Type())
	}
	var diffs []string
	for i := range wv.NumField() {
		name := wv.Type().Field(i).Name
		wf, gf := wv.Field(i).Interface(), gv.Field(i).Interface()
		switch w := wf.(type) {
		case wamp.Payload:
			g := gf.(wamp.Payload)
			if w.IsZero() != g.IsZero() {
				diffs = append(diffs, fmt.Sprintf("%s: want absent=%v, got absent=%v", name, w.IsZero(), g.IsZero()))
				continue
			}
			wa, werr := w.Any()
			ga, gerr := g.Any()
			if (werr == nil) != (gerr == nil) {
				diffs = append(diffs, fmt.Sprintf("%s: Any errors differ: want %v, got %v", name, werr, gerr))
				continue
			}
			if werr != nil {
				// Both fail (a payload the codec cannot turn into Go
				// values): the bytes must then be the same.
				wr, ws := w.Encoded()
				gr, gs := g.Encoded()
				if ws != gs || !bytes.Equal(wr, gr) {
					diffs = append(diffs, fmt.Sprintf("%s: undecodable payloads differ: %q vs %q", name, wr, gr))
				}
				continue
			}
			if !reflect.DeepEqual(norm(wa), norm(ga)) {
				diffs = append(diffs, fmt.Sprintf("%s: want %#v, got %#v", name, norm(wa), norm(ga)))
			}
		case wamp.Dict:
			g := gf.(wamp.Dict)
			if len(w) == 0 && len(g) == 0 {
				continue
			}
			if !reflect.DeepEqual(norm(w), norm(g)) {
				diffs = append(diffs, fmt.Sprintf("%s: want %#v, got %#v", name, norm(w), norm(g)))
			}
		default:
			if !reflect.DeepEqual(wf, gf) {
				diffs = append(diffs, fmt.Sprintf("%s: want %#v, got %#v", name, wf, gf))
			}
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}

// sample is one message of the round-trip table.
type sample struct {
	name string
	msg  wamp.Message
}

// payload values shared by the samples: every kind WAMP carries.
func sampleArgs() wamp.Payload {
	return wamp.ArgsOf(
		1, -2, "a", true, false, nil, 1.5, 1.0, []byte{0, 255},
		[]any{int64(1) << 53, "x", []any{}},
		map[string]any{"k": "v", "bin": []byte{1, 2, 3}, "n": map[string]any{}},
		"", "ünïcödé ✓",
	)
}

func sampleKwargs() wamp.Payload {
	return wamp.PayloadOf(map[string]any{
		"count": 3, "name": "x", "ratio": 0.25, "ok": true, "none": nil,
		"blob": []byte("\x00\x01\xfe\xff"), "list": []any{1, "two"}, "nested": map[string]any{"a": []any{}},
	})
}

func details() wamp.Dict {
	return wamp.Dict{"roles": map[string]any{"caller": map[string]any{"features": map[string]any{"call_canceling": true}}}, "n": 7}
}

// samples returns every message type, with and without payloads.
func samples() []sample {
	args, kw := sampleArgs(), sampleKwargs()
	kwOnly := wamp.PayloadOf(map[string]any{"only": "kw"})
	var out []sample
	add := func(name string, m wamp.Message) { out = append(out, sample{name, m}) }

	add("HELLO", &wamp.Hello{Realm: "realm1", Details: details()})
	add("HELLO/nil details", &wamp.Hello{Realm: "realm1"})
	add("WELCOME", &wamp.Welcome{Session: 9007199254740992, Details: wamp.Dict{"authid": "joe"}})
	add("WELCOME/nil details", &wamp.Welcome{Session: 1})
	add("ABORT", &wamp.Abort{Details: wamp.Dict{"message": "no"}, Reason: wamp.ErrNoSuchRealm})
	add("ABORT/args", &wamp.Abort{Reason: wamp.ErrNoSuchRealm, Args: wamp.ArgsOf("realm x does not exist")})
	add("ABORT/args+kwargs", &wamp.Abort{Reason: wamp.ErrNoSuchRealm, Args: args, Kwargs: kw})
	add("ABORT/kwargs only", &wamp.Abort{Reason: wamp.ErrNoSuchRealm, Kwargs: kwOnly})
	add("CHALLENGE", &wamp.Challenge{AuthMethod: "wampcra", Extra: wamp.Dict{"challenge": "{}", "iterations": 1000}})
	add("CHALLENGE/nil extra", &wamp.Challenge{AuthMethod: "ticket"})
	add("AUTHENTICATE", &wamp.Authenticate{Signature: "c2ln", Extra: wamp.Dict{"x": []byte{9}}})
	add("AUTHENTICATE/empty signature", &wamp.Authenticate{})
	add("GOODBYE", &wamp.Goodbye{Details: wamp.Dict{"message": "bye"}, Reason: wamp.CloseGoodbyeAndOut})
	add("GOODBYE/nil details", &wamp.Goodbye{Reason: wamp.CloseSystemShutdown})
	add("ERROR", &wamp.Error{RequestType: wamp.TypeCall, Request: 7, Error: wamp.ErrRuntime})
	add("ERROR/args", &wamp.Error{RequestType: wamp.TypeInvocation, Request: 7, Details: wamp.Dict{"x": 1}, Error: "com.example.error", Args: args})
	add("ERROR/args+kwargs", &wamp.Error{RequestType: wamp.TypeSubscribe, Request: 7, Error: "com.example.error", Args: args, Kwargs: kw})
	add("ERROR/kwargs only", &wamp.Error{RequestType: wamp.TypeRegister, Request: 7, Error: "com.example.error", Kwargs: kwOnly})
	add("PUBLISH", &wamp.Publish{Request: 1, Topic: "com.example.topic"})
	add("PUBLISH/args", &wamp.Publish{Request: 1, Options: wamp.Dict{"acknowledge": true}, Topic: "com.example.topic", Args: args})
	add("PUBLISH/args+kwargs", &wamp.Publish{Request: 1, Topic: "com.example.topic", Args: args, Kwargs: kw})
	add("PUBLISH/kwargs only", &wamp.Publish{Request: 1, Topic: "com.example.topic", Kwargs: kwOnly})
	add("PUBLISHED", &wamp.Published{Request: 1, Publication: wamp.MaxID})
	add("SUBSCRIBE", &wamp.Subscribe{Request: 2, Options: wamp.Dict{"match": "prefix"}, Topic: "com.example."})
	add("SUBSCRIBE/nil options", &wamp.Subscribe{Request: 2, Topic: "com.example.topic"})
	add("SUBSCRIBED", &wamp.Subscribed{Request: 2, Subscription: 3})
	add("UNSUBSCRIBE", &wamp.Unsubscribe{Request: 4, Subscription: 3})
	add("UNSUBSCRIBED", &wamp.Unsubscribed{Request: 4})
	add("UNSUBSCRIBED/details", &wamp.Unsubscribed{Request: 4, Details: wamp.Dict{"subscription": 3}})
	add("UNSUBSCRIBED/revoked", &wamp.Unsubscribed{Request: 0, Details: wamp.Dict{"subscription": 3, "reason": "wamp.subscription.revoked"}})
	add("UNSUBSCRIBED/request 0", &wamp.Unsubscribed{Request: 0})
	add("EVENT", &wamp.Event{Subscription: 3, Publication: 5})
	add("EVENT/args", &wamp.Event{Subscription: 3, Publication: 5, Details: wamp.Dict{"topic": "com.x"}, Args: args})
	add("EVENT/args+kwargs", &wamp.Event{Subscription: 3, Publication: 5, Args: args, Kwargs: kw})
	add("EVENT/kwargs only", &wamp.Event{Subscription: 3, Publication: 5, Kwargs: kwOnly})
	add("CALL", &wamp.Call{Request: 7, Procedure: "com.example.add"})
	add("CALL/args", &wamp.Call{Request: 7, Options: wamp.Dict{"timeout": 1000, "receive_progress": true}, Procedure: "com.example.add", Args: args})
	add("CALL/args+kwargs", &wamp.Call{Request: 7, Procedure: "com.example.add", Args: args, Kwargs: kw})
	add("CALL/kwargs only", &wamp.Call{Request: 7, Procedure: "com.example.add", Kwargs: kwOnly})
	add("CANCEL", &wamp.Cancel{Request: 7, Options: wamp.Dict{"mode": "kill"}})
	add("CANCEL/nil options", &wamp.Cancel{Request: 7})
	add("RESULT", &wamp.Result{Request: 7})
	add("RESULT/args", &wamp.Result{Request: 7, Details: wamp.Dict{"progress": true}, Args: args})
	add("RESULT/args+kwargs", &wamp.Result{Request: 7, Args: args, Kwargs: kw})
	add("RESULT/kwargs only", &wamp.Result{Request: 7, Kwargs: kwOnly})
	add("REGISTER", &wamp.Register{Request: 8, Options: wamp.Dict{"invoke": "roundrobin"}, Procedure: "com.example.add"})
	add("REGISTER/nil options", &wamp.Register{Request: 8, Procedure: "com.example..add"})
	add("REGISTERED", &wamp.Registered{Request: 8, Registration: 9})
	add("UNREGISTER", &wamp.Unregister{Request: 10, Registration: 9})
	add("UNREGISTERED", &wamp.Unregistered{Request: 10})
	add("UNREGISTERED/details", &wamp.Unregistered{Request: 10, Details: wamp.Dict{"registration": 9}})
	add("UNREGISTERED/revoked", &wamp.Unregistered{Request: 0, Details: wamp.Dict{"registration": 9, "reason": "wamp.registration.revoked"}})
	add("UNREGISTERED/request 0", &wamp.Unregistered{Request: 0})
	add("INVOCATION", &wamp.Invocation{Request: 11, Registration: 9})
	add("INVOCATION/args", &wamp.Invocation{Request: 11, Registration: 9, Details: wamp.Dict{"procedure": "com.x", "caller": 5}, Args: args})
	add("INVOCATION/args+kwargs", &wamp.Invocation{Request: 11, Registration: 9, Args: args, Kwargs: kw})
	add("INVOCATION/kwargs only", &wamp.Invocation{Request: 11, Registration: 9, Kwargs: kwOnly})
	add("INTERRUPT", &wamp.Interrupt{Request: 11, Options: wamp.Dict{"mode": "killnowait", "reason": wamp.ErrCanceled}})
	add("INTERRUPT/nil options", &wamp.Interrupt{Request: 11})
	add("YIELD", &wamp.Yield{Request: 11})
	add("YIELD/args", &wamp.Yield{Request: 11, Options: wamp.Dict{"progress": true}, Args: args})
	add("YIELD/args+kwargs", &wamp.Yield{Request: 11, Args: args, Kwargs: kw})
	add("YIELD/kwargs only", &wamp.Yield{Request: 11, Kwargs: kwOnly})
	return out
}

// allTypes lists the 24 message types.
var allTypes = []wamp.MessageType{
	wamp.TypeHello, wamp.TypeWelcome, wamp.TypeAbort, wamp.TypeChallenge, wamp.TypeAuthenticate,
	wamp.TypeGoodbye, wamp.TypeError, wamp.TypePublish, wamp.TypePublished, wamp.TypeSubscribe,
	wamp.TypeSubscribed, wamp.TypeUnsubscribe, wamp.TypeUnsubscribed, wamp.TypeEvent, wamp.TypeCall,
	wamp.TypeCancel, wamp.TypeResult, wamp.TypeRegister, wamp.TypeRegistered, wamp.TypeUnregister,
	wamp.TypeUnregistered, wamp.TypeInvocation, wamp.TypeInterrupt, wamp.TypeYield,
}

// wireForm returns the message a decoder gives back for m: when only
// ArgumentsKw is present, Arguments travels as an empty list.
func wireForm(m wamp.Message) wamp.Message {
	v := reflect.ValueOf(m).Elem()
	args, kw := v.FieldByName("Args"), v.FieldByName("Kwargs")
	if !args.IsValid() || !args.Interface().(wamp.Payload).IsZero() || kw.Interface().(wamp.Payload).IsZero() {
		return m
	}
	c := reflect.New(v.Type())
	c.Elem().Set(v)
	c.Elem().FieldByName("Args").Set(reflect.ValueOf(wamp.PayloadOf([]any{})))
	return c.Interface().(wamp.Message)
}

// mustEncode encodes m or fails the test.
func mustEncode(t testing.TB, s *wamp.Serializer, m wamp.Message) []byte {
	t.Helper()
	b, err := s.Encode(m)
	if err != nil {
		t.Fatalf("%s: Encode(%T): %v", s, m, err)
	}
	return b
}

// mustDecode decodes b or fails the test.
func mustDecode(t testing.TB, s *wamp.Serializer, b []byte) wamp.Message {
	t.Helper()
	m, err := s.Decode(b)
	if err != nil {
		t.Fatalf("%s: Decode(%q): %v", s, b, err)
	}
	return m
}

// mustEncodeValue encodes v or fails the test.
// mustEncodeDeep encodes v, which may be nested deeper than receivers
// accept (EncodeValue refuses to write that), with the codec alone.
func mustEncodeDeep(t testing.TB, s *wamp.Serializer, v any) []byte {
	t.Helper()
	b, err := wamp.EncodeValueUnchecked(s, v)
	if err != nil {
		t.Fatalf("%s: encoding %T: %v", s, v, err)
	}
	return b
}

func mustEncodeValue(t testing.TB, s *wamp.Serializer, v any) []byte {
	t.Helper()
	b, err := s.EncodeValue(v)
	if err != nil {
		t.Fatalf("%s: EncodeValue(%#v): %v", s, v, err)
	}
	return b
}

// unwritableTime reports whether a dictionary of m holds a time that no
// serializer can write (a native time of a year outside 0..9999, which
// decodes but cannot be sent on: RFC 3339 has four-digit years).
func unwritableTime(m wamp.Message) bool {
	var walk func(v any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case time.Time:
			return x.Year() < 0 || x.Year() > 9999
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case map[string]any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	rv := reflect.ValueOf(m).Elem()
	for i := range rv.NumField() {
		if f := rv.Field(i); f.CanInterface() && walk(f.Interface()) {
			return true
		}
	}
	return false
}
