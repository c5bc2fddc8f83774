package runtime_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// roundKwargsHandler serves com.example.calc.round as the generated
// registrar of a kwargs=true procedure does: strictly, with
// DecodeKeywordArguments.
func roundKwargsHandler(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
	var req calc.RoundRequest
	if err := runtime.DecodeKeywordArguments(calc.CalculatorRoundProcedure, inv, &req); err != nil {
		return nil, err
	}
	p := math.Pow(10, float64(req.Places))
	return &runtime.Result{Args: wamp.ArgsOf(math.Round(req.Value*p) / p)}, nil
}

// TestKeywordArgumentsStrictThroughRouter calls a kwargs=true procedure
// from a raw (untyped) caller, in every serializer, the ways a JavaScript
// caller gets it wrong: each is refused with wamp.error.invalid_argument
// naming the problem, and a correct call still works.
func TestKeywordArgumentsStrictThroughRouter(t *testing.T) {
	r := newTestRouter(t, router.Config{})
	callee := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: wamp.MsgPack})
	ctx := testCtx(t)
	if _, err := callee.Register(ctx, calc.CalculatorRoundProcedure, roundKwargsHandler); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name         string
		args, kwargs wamp.Payload
		want         []string // substrings of the error text; none for success
	}{
		{"positional", wamp.ArgsOf(3.14159, 2), wamp.Payload{},
			[]string{"takes keyword arguments only, got 2 positional arguments"}},
		{"misspelt key", wamp.Payload{}, wamp.PayloadOf(map[string]any{"value": 3.14159, "places": 2, "placse": 3}),
			[]string{`unknown key "placse"`, "known: places, value"}},
		{"missing key", wamp.Payload{}, wamp.PayloadOf(map[string]any{"places": 2}),
			[]string{`missing required key "value"`}},
		{"null required", wamp.Payload{}, wamp.PayloadOf(map[string]any{"value": nil, "places": 2}),
			[]string{`missing required key "value"`}},
		{"positional and keywords", wamp.ArgsOf(3.14159), wamp.PayloadOf(map[string]any{"value": 3.14159, "places": 2}),
			[]string{"got 1 positional argument"}},
		{"no arguments", wamp.Payload{}, wamp.Payload{},
			[]string{`missing required keys "places", "value"`}},
		{"correct", wamp.Payload{}, wamp.PayloadOf(map[string]any{"value": 3.14159, "places": 2}), nil},
		// Autobahn sends an empty Arguments list with keyword arguments.
		{"correct with empty list", wamp.PayloadOf([]any{}), wamp.PayloadOf(map[string]any{"value": 3.14159, "places": 2}), nil},
	}
	for _, ser := range wamp.Serializers() {
		caller := dialT(t, r.RawSocketURL(), runtime.Config{Serializer: ser})
		for _, tc := range cases {
			res, err := caller.Call(ctx, calc.CalculatorRoundProcedure, tc.args, tc.kwargs)
			if tc.want == nil {
				if err != nil {
					t.Errorf("%s/%s: %v", ser, tc.name, err)
					continue
				}
				var got float64
				decodeArg(t, res.Args, 0, &got)
				if got != 3.14 {
					t.Errorf("%s/%s: got %v, want 3.14", ser, tc.name, got)
				}
				continue
			}
			if !errors.Is(err, runtime.ErrInvalidArgument) {
				t.Errorf("%s/%s: got %v, want wamp.error.invalid_argument", ser, tc.name, err)
				continue
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s/%s: %q does not say %q", ser, tc.name, err, w)
				}
			}
			if !strings.Contains(err.Error(), string(calc.CalculatorRoundProcedure)) {
				t.Errorf("%s/%s: %q does not name the procedure", ser, tc.name, err)
			}
		}
	}
}

type kwEmbedded struct {
	Region string `json:"region"`
}

type KwEmbeddedOptional struct {
	Zone string `json:"zone"`
}

type kwNested struct {
	A int `json:"a"`
}

type kwRequest struct {
	kwEmbedded
	*KwEmbeddedOptional
	Name    string   `json:"name"`
	Count   int      `codec:"n"`
	Plain   bool     // travels as "Plain"
	Limit   *int     `json:"limit"`
	Tags    []string `json:"tags,omitempty"`
	Note    string   `json:"note,omitzero"`
	Alias   string   `json:"-"`
	Extra   string   `json:",omitempty"` // travels as "Extra", optional
	Nested  kwNested `json:"nested"`
	private int
}

// TestDecodeStrict checks wamp.Payload.DecodeStrict's rules field by field,
// on payloads decoded by every serializer.
func TestDecodeStrict(t *testing.T) {
	full := func() map[string]any {
		return map[string]any{"region": "eu", "name": "x", "n": 3, "Plain": true, "nested": map[string]any{"a": 1}}
	}
	with := func(f func(m map[string]any)) map[string]any {
		m := full()
		f(m)
		return m
	}
	known := "Extra, Plain, limit, n, name, nested, note, region, tags, zone"
	cases := []struct {
		name    string
		kwargs  map[string]any
		unknown []string
		missing []string
	}{
		{"required only", full(), nil, nil},
		{"optional fields too", with(func(m map[string]any) {
			m["limit"], m["tags"], m["note"], m["Extra"], m["zone"] = 5, []any{"a"}, "n", "e", "z"
		}), nil, nil},
		{"optional fields null", with(func(m map[string]any) { m["limit"], m["tags"], m["zone"] = nil, nil, nil }), nil, nil},
		{"nested unknown keys are ignored", with(func(m map[string]any) { m["nested"] = map[string]any{"a": 1, "b": 2} }), nil, nil},
		{"nested missing keys are allowed", with(func(m map[string]any) { m["nested"] = map[string]any{} }), nil, nil},
		{"unknown keys", with(func(m map[string]any) { m["Name"], m["count"], m["Alias"] = "y", 1, "z" }), []string{"Alias", "Name", "count"}, nil},
		{"json name when codec tag set", with(func(m map[string]any) { delete(m, "n"); m["Count"] = 3 }), []string{"Count"}, []string{"n"}},
		{"missing", with(func(m map[string]any) { delete(m, "region"); delete(m, "Plain") }), nil, []string{"Plain", "region"}},
		{"null counts as missing", with(func(m map[string]any) { m["name"] = nil }), nil, []string{"name"}},
		{"nested required too", with(func(m map[string]any) { delete(m, "nested") }), nil, []string{"nested"}},
	}
	for _, ser := range wamp.Serializers() {
		for _, tc := range cases {
			kw := decodedKwargs(t, ser, tc.kwargs)
			var got kwRequest
			err := kw.DecodeStrict(&got)
			if tc.unknown == nil && tc.missing == nil {
				if err != nil {
					t.Errorf("%s/%s: %v", ser, tc.name, err)
				} else if got.Name != "x" || got.Count != 3 || !got.Plain || got.Region != "eu" || got.Nested.A != 1 && tc.name != "nested missing keys are allowed" {
					t.Errorf("%s/%s: decoded %+v", ser, tc.name, got)
				}
				continue
			}
			var kerr *wamp.KeywordError
			if !errors.As(err, &kerr) {
				t.Errorf("%s/%s: got %v, want a *wamp.KeywordError", ser, tc.name, err)
				continue
			}
			if !reflect.DeepEqual(kerr.Unknown, tc.unknown) || !reflect.DeepEqual(kerr.Missing, tc.missing) {
				t.Errorf("%s/%s: unknown %q missing %q, want %q %q", ser, tc.name, kerr.Unknown, kerr.Missing, tc.unknown, tc.missing)
			}
			if strings.Join(kerr.Known, ", ") != known {
				t.Errorf("%s/%s: known %q", ser, tc.name, kerr.Known)
			}
		}
	}
}

// TestDecodeStrictEdges: what is not a dictionary, or not a struct, is
// refused with a reason; an absent payload is an empty dictionary.
func TestDecodeStrictEdges(t *testing.T) {
	type allOptional struct {
		A *int   `json:"a"`
		B string `json:"b,omitempty"`
	}
	var opt allOptional
	if err := (wamp.Payload{}).DecodeStrict(&opt); err != nil {
		t.Errorf("absent payload, all fields optional: %v", err)
	}
	var req calc.RoundRequest
	var kerr *wamp.KeywordError
	if err := (wamp.Payload{}).DecodeStrict(&req); !errors.As(err, &kerr) || len(kerr.Missing) != 2 {
		t.Errorf("absent payload, required fields: %v", err)
	}
	var derr *wamp.DecodeError
	if err := wamp.PayloadOf([]any{1, 2}).DecodeStrict(&req); !errors.As(err, &derr) {
		t.Errorf("a list: got %v, want a *wamp.DecodeError", err)
	}
	if err := wamp.PayloadOf(map[string]any{"value": "pi", "places": 2}).DecodeStrict(&req); !errors.As(err, &derr) || derr.Path != ".value" {
		t.Errorf("a string for a float64: got %v, want a *wamp.DecodeError at .value", err)
	}
	var m map[string]any
	if err := wamp.PayloadOf(map[string]any{"a": 1}).DecodeStrict(&m); err == nil || !strings.Contains(err.Error(), "pointer to a struct") {
		t.Errorf("a map: got %v", err)
	}
	if err := wamp.PayloadOf(map[string]any{"a": 1}).DecodeStrict(req); err == nil {
		t.Error("a struct value, not a pointer: no error")
	}
}

// decodedKwargs returns kwargs as the ArgumentsKw of an INVOCATION that ser
// encoded and decoded, as a callee receives it.
func decodedKwargs(t *testing.T, ser *wamp.Serializer, kwargs map[string]any) wamp.Payload {
	t.Helper()
	b, err := ser.Encode(&wamp.Invocation{Request: 1, Registration: 2, Details: wamp.Dict{}, Args: wamp.ArgsOf(), Kwargs: wamp.PayloadOf(kwargs)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ser.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*wamp.Invocation).Kwargs
}

// BenchmarkDecodeKeywordArguments compares the strict decoding of a
// kwargs=true procedure's ArgumentsKw with the lenient Decode it replaced.
func BenchmarkDecodeKeywordArguments(b *testing.B) {
	for _, ser := range wamp.Serializers() {
		data, err := ser.Encode(&wamp.Invocation{Request: 1, Registration: 2, Details: wamp.Dict{}, Args: wamp.PayloadOf([]any{}),
			Kwargs: wamp.PayloadOf(map[string]any{"value": 3.14159, "places": 2})})
		if err != nil {
			b.Fatal(err)
		}
		m, err := ser.Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		wi := m.(*wamp.Invocation)
		inv := &runtime.Invocation{Args: wi.Args, Kwargs: wi.Kwargs}
		b.Run(ser.Name()+"/strict", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var req calc.RoundRequest
				if err := runtime.DecodeKeywordArguments(calc.CalculatorRoundProcedure, inv, &req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(ser.Name()+"/lenient", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var req calc.RoundRequest
				if err := inv.Kwargs.Decode(&req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
