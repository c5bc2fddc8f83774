package calc_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// The generated handlers decode whatever a caller sends into the
// parameters of the Calculator methods. FuzzHandlers feeds them arbitrary
// bytes, as the arguments (or the keyword arguments) of an INVOCATION
// decoded by each serializer, and checks that a handler never panics and
// answers with a result, with wamp.error.invalid_argument naming the
// procedure exactly when the arguments do not fit the method's parameters,
// or with an error of the implementation (a mapped one such as
// ErrDivByZero, or its own invalid_argument for a value out of range).

// fuzzCallee is a runtime.Callee that keeps the handlers registered with it.
type fuzzCallee struct {
	handlers map[wamp.URI]runtime.Handler
}

func (c *fuzzCallee) Register(ctx context.Context, uri wamp.URI, h runtime.Handler, opts ...runtime.RegisterOption) (*runtime.Registration, error) {
	c.handlers[uri] = h
	return runtime.NewRegistration(wamp.ID(len(c.handlers)), uri, func(context.Context) error { return nil }), nil
}

// fuzzService is the reference implementation, except that Sleep returns
// at once (after the same range check).
type fuzzService struct{ *calc.Service }

func (s fuzzService) Sleep(ctx context.Context, ms int) (int, error) {
	if ms < 0 || ms > 60000 {
		return s.Service.Sleep(ctx, ms) // refuses without sleeping
	}
	return ms, nil
}

// fuzzProc describes one procedure's parameters: a new pointer for each
// positional one, or the keyword-argument struct.
type fuzzProc struct {
	uri    wamp.URI
	params func() []any
	kwargs func() any
	// input says that params is the type of one item of streamed input:
	// the INVOCATION, made without streamed input, is its one and last
	// chunk, which holds one item or none (an empty input).
	input bool
	// stream says the results are a stream: a caller that did not ask
	// for progress gets them all in the final result, none as a nil
	// Result (an empty YIELD).
	stream bool
}

var fuzzProcs = []fuzzProc{
	{uri: calc.CalculatorAddProcedure, params: func() []any { return []any{new(float64), new(float64)} }},
	{uri: calc.CalculatorDivProcedure, params: func() []any { return []any{new(float64), new(float64)} }},
	{uri: calc.CalculatorSqrtProcedure, params: func() []any { return []any{new(float64)} }},
	{uri: calc.CalculatorFibonacciProcedure, params: func() []any { return []any{new(int)} }},
	{uri: calc.CalculatorStatsProcedure, params: func() []any { return []any{new([]float64)} }},
	{uri: calc.CalculatorRoundProcedure, kwargs: func() any { return new(calc.RoundRequest) }},
	{uri: calc.CalculatorReverseBytesProcedure, params: func() []any { return []any{new([]byte)} }},
	{uri: calc.CalculatorWhoamiProcedure, params: func() []any { return nil }},
	{uri: calc.CalculatorSleepProcedure, params: func() []any { return []any{new(int)} }},
	{uri: calc.CalculatorActiveProcedure, params: func() []any { return nil }},
	{uri: calc.CalculatorSumProcedure, params: func() []any { return []any{new(float64)} }, input: true},
	{uri: calc.CalculatorRunningSumProcedure, params: func() []any { return []any{new(float64)} }, input: true, stream: true},
}

// fuzzHandlers registers the calculator on a fuzzCallee, once.
func fuzzHandlers(t testing.TB) map[wamp.URI]runtime.Handler {
	t.Helper()
	c := &fuzzCallee{handlers: map[wamp.URI]runtime.Handler{}}
	if _, err := calc.RegisterCalculator(context.Background(), c, fuzzService{&calc.Service{}}); err != nil {
		t.Fatal(err)
	}
	if len(c.handlers) != len(fuzzProcs) {
		t.Fatalf("%d handlers registered, the test knows %d procedures", len(c.handlers), len(fuzzProcs))
	}
	return c.handlers
}

// fuzzEnvelope returns the encoding of [INVOCATION, 1, 1, {}] with room
// for n more elements, in ser's format, without its closing bracket for
// JSON.
func fuzzEnvelope(ser *wamp.Serializer, n int) []byte {
	switch ser {
	case wamp.MsgPack:
		return []byte{0x90 | byte(4+n), 68, 1, 1, 0x80}
	case wamp.CBOR:
		return []byte{0x80 | byte(4+n), 0x18, 68, 1, 1, 0xa0}
	}
	return []byte("[68,1,1,{}")
}

// fuzzInvocation decodes data as the Arguments of an INVOCATION (kwargs
// false) or as its ArgumentsKw after an empty Arguments list (kwargs true).
// ok is false when the message does not decode: the session would end it
// with a protocol violation before any handler saw it.
func fuzzInvocation(ser *wamp.Serializer, data []byte, kwargs bool) (*wamp.Invocation, bool) {
	var msg []byte
	switch {
	case ser == wamp.JSON && kwargs:
		msg = append(append([]byte("[68,1,1,{},[],"), data...), ']')
	case ser == wamp.JSON:
		msg = append(append([]byte("[68,1,1,{},"), data...), ']')
	case kwargs:
		emptyList := byte(0x80) // CBOR
		if ser == wamp.MsgPack {
			emptyList = 0x90
		}
		msg = append(append(fuzzEnvelope(ser, 2), emptyList), data...)
	default:
		msg = append(fuzzEnvelope(ser, 1), data...)
	}
	m, err := ser.Decode(msg)
	if err != nil {
		return nil, false
	}
	inv, ok := m.(*wamp.Invocation)
	return inv, ok
}

// fuzzArgsFit reports whether the invocation's arguments decode into the
// procedure's parameters, independently of the generated code.
func fuzzArgsFit(p fuzzProc, inv *wamp.Invocation) bool {
	if p.kwargs != nil {
		// Keyword arguments are strict: no positional arguments, no unknown
		// key, every required field present.
		vals, err := inv.Args.List()
		return err == nil && len(vals) == 0 && inv.Kwargs.DecodeStrict(p.kwargs()) == nil
	}
	vals, err := inv.Args.List()
	params := p.params()
	if p.input && err == nil && len(vals) == 0 {
		return true
	}
	if err != nil || len(vals) != len(params) {
		return false
	}
	for i, v := range vals {
		if v.Decode(params[i]) != nil {
			return false
		}
	}
	return true
}

// fuzzCheck runs the procedure's handler on the invocation and checks its
// answer.
func fuzzCheck(t *testing.T, handlers map[wamp.URI]runtime.Handler, p fuzzProc, ser *wamp.Serializer, inv *wamp.Invocation) {
	h := handlers[p.uri]
	var res *runtime.Result
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("%s handler panicked on %s args %v kwargs %v: %v", p.uri, ser, inv.Args, inv.Kwargs, r)
			}
		}()
		res, err = h(context.Background(), &runtime.Invocation{Procedure: p.uri, Registration: 1, Args: inv.Args, Kwargs: inv.Kwargs, Details: wamp.Dict{}})
	}()
	fits := fuzzArgsFit(p, inv)
	if err == nil {
		if !fits {
			t.Fatalf("%s accepted arguments that do not fit its parameters: %s args %v kwargs %v", p.uri, ser, inv.Args, inv.Kwargs)
		}
		if res == nil && p.stream {
			return
		}
		if res == nil {
			t.Fatalf("%s returned neither a result nor an error", p.uri)
		}
		// What the runtime sends back: it must encode (JSON has no NaN or
		// infinities: the runtime then answers with an ERROR instead).
		y := &wamp.Yield{Request: 1, Args: res.Args, Kwargs: res.Kwargs}
		for _, out := range wamp.Serializers() {
			if _, err := out.Encode(y); err != nil && (out != wamp.JSON || !fuzzNonFinite(res)) {
				t.Fatalf("%s result %v does not encode in %s: %v", p.uri, res.Args, out, err)
			}
		}
		return
	}
	var we *runtime.Error
	if !errors.As(err, &we) && !errors.Is(err, calc.ErrDivByZero) {
		var neg *calc.NegativeInputError
		if !errors.As(err, &neg) {
			t.Fatalf("%s answered %T %v, want a *runtime.Error or a mapped error", p.uri, err, err)
		}
	}
	fromDecoding := we != nil && strings.HasPrefix(we.Message(), string(p.uri))
	switch {
	case !fits && (we == nil || we.URI != wamp.ErrInvalidArgument || !fromDecoding):
		t.Fatalf("%s answered arguments that do not fit with %v, want invalid_argument naming the procedure", p.uri, err)
	case fits && fromDecoding:
		t.Fatalf("%s refused arguments that fit its parameters: %v (%s args %v kwargs %v)", p.uri, err, ser, inv.Args, inv.Kwargs)
	}
	// The error travels back as an ERROR the runtime can encode.
	uri, args, kwargs := runtime.DefaultErrors.ToWire(err)
	e := &wamp.Error{RequestType: wamp.TypeInvocation, Request: 1, Details: wamp.Dict{}, Error: uri, Args: args, Kwargs: kwargs}
	if _, err := ser.Encode(e); err != nil {
		t.Fatalf("%s error %v does not encode in %s: %v", p.uri, e, ser, err)
	}
}

func fuzzNonFinite(res *runtime.Result) bool {
	var f float64
	if vals, err := res.Args.List(); err == nil && len(vals) == 1 && vals[0].Decode(&f) == nil {
		return math.IsNaN(f) || math.IsInf(f, 0)
	}
	var st calc.Stats
	if vals, err := res.Args.List(); err == nil && len(vals) == 1 && vals[0].Decode(&st) == nil {
		for _, f := range []float64{st.Sum, st.Mean, st.Min, st.Max} {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return true
			}
		}
	}
	// Go values: encode with MsgPack to look.
	if v := res.Args.GoValue(); v != nil {
		if vals, ok := v.([]any); ok {
			for _, x := range vals {
				switch x := x.(type) {
				case float64:
					if math.IsNaN(x) || math.IsInf(x, 0) {
						return true
					}
				case calc.Stats:
					for _, f := range []float64{x.Sum, x.Mean, x.Min, x.Max} {
						if math.IsNaN(f) || math.IsInf(f, 0) {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// FuzzHandlers: proc picks the procedure, ser the serializer, data is the
// encoded Arguments (or ArgumentsKw).
func FuzzHandlers(f *testing.F) {
	seeds := [][]any{
		{1.5, 2}, {1, 0}, {-4}, {90}, {91}, {0}, {1.5}, {"3"}, {nil}, {}, {1, 2, 3},
		{[]any{1, 2.5, -3}}, {[]any{}}, {[]any{"x"}}, {[]byte{0, 1, 0xff}}, {"\x00AAE="},
		{60001}, {-1}, {uint64(math.MaxUint64)}, {int64(math.MinInt64)}, {1e308, 1e308},
		{map[string]any{"value": 1}}, {[]any{[]any{1}}}, {true}, {9007199254740993},
	}
	kwseeds := []map[string]any{
		{"value": 3.14159, "places": 2}, {"value": "x"}, {"places": 1.5}, {"places": 99},
		{"value": nil, "places": nil}, {}, {"value": []any{1}}, {"unknown": 1},
	}
	for pi := range fuzzProcs {
		for si, ser := range wamp.Serializers() {
			for _, s := range seeds {
				b, err := ser.EncodeValue(s)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(uint8(pi), uint8(si), b)
			}
			for _, kw := range kwseeds {
				b, err := ser.EncodeValue(kw)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(uint8(pi), uint8(si), b)
			}
			f.Add(uint8(pi), uint8(si), []byte{})
			f.Add(uint8(pi), uint8(si), []byte("null"))
		}
	}
	handlers := fuzzHandlers(f)
	f.Fuzz(func(t *testing.T, proc, serIndex uint8, data []byte) {
		p := fuzzProcs[int(proc)%len(fuzzProcs)]
		ser := wamp.Serializers()[int(serIndex)%3]
		for _, kwargs := range []bool{false, true} {
			if inv, ok := fuzzInvocation(ser, data, kwargs); ok {
				fuzzCheck(t, handlers, p, ser, inv)
			}
		}
	})
}

// TestFuzzInvocationEnvelope checks the fuzz target's own plumbing: the
// envelopes decode, and valid arguments reach the handlers and give the
// right results.
func TestFuzzInvocationEnvelope(t *testing.T) {
	handlers := fuzzHandlers(t)
	for _, ser := range wamp.Serializers() {
		args, _ := ser.EncodeValue([]any{1.5, 2})
		inv, ok := fuzzInvocation(ser, args, false)
		if !ok {
			t.Fatalf("%s: the Arguments envelope does not decode", ser)
		}
		res, err := handlers[calc.CalculatorAddProcedure](context.Background(), &runtime.Invocation{Args: inv.Args, Kwargs: inv.Kwargs})
		var sum float64
		if err != nil || res.Args.GoValue() == nil {
			t.Fatalf("%s: add: %v", ser, err)
		}
		if sum = res.Args.GoValue().([]any)[0].(float64); sum != 3.5 {
			t.Fatalf("%s: add = %v", ser, sum)
		}
		kw, _ := ser.EncodeValue(map[string]any{"value": 2.345, "places": 1})
		inv, ok = fuzzInvocation(ser, kw, true)
		if !ok {
			t.Fatalf("%s: the ArgumentsKw envelope does not decode", ser)
		}
		res, err = handlers[calc.CalculatorRoundProcedure](context.Background(), &runtime.Invocation{Args: inv.Args, Kwargs: inv.Kwargs})
		if err != nil || res.Args.GoValue().([]any)[0].(float64) != 2.3 {
			t.Fatalf("%s: round = %v, %v", ser, res, err)
		}
		inv, ok = fuzzInvocation(ser, []byte("\x93\x01"), false)
		if ok && fuzzArgsFit(fuzzProcs[0], inv) {
			t.Fatalf("%s: garbage fits", ser)
		}
	}
}
