package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestKeywordArgumentsHostileKeys: a raw caller that sends 10,000 unknown
// keys, or one very long one, is refused with wamp.error.invalid_argument
// naming the first few keys and how many more there are, in every
// serializer; the error does not echo the caller's payload back at the
// size it was sent.
func TestKeywordArgumentsHostileKeys(t *testing.T) {
	r := newTestRouter(t, router.Config{})
	callee := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: wamp.CBOR})
	ctx := testCtx(t)
	if _, err := callee.Register(ctx, calc.CalculatorRoundProcedure, roundKwargsHandler); err != nil {
		t.Fatal(err)
	}
	many := map[string]any{"value": 1.0, "places": 1}
	for i := range 10000 {
		many[fmt.Sprintf("key%05d", i)] = i
	}
	long := map[string]any{"value": 1.0, "places": 1, strings.Repeat("k", 100_000): 1}
	for _, ser := range wamp.Serializers() {
		caller := dialT(t, r.RawSocketURL(), runtime.Config{Serializer: ser})
		for _, tc := range []struct {
			name   string
			kwargs map[string]any
			want   []string
		}{
			{"10,000 keys", many, []string{`unknown keys "key00000", "key00001"`, `"key00009" and 9990 more`, "known: places, value"}},
			{"a 100,000-byte key", long, []string{`unknown key "kkkk`, `…"`, "known: places, value"}},
		} {
			_, err := caller.Call(ctx, calc.CalculatorRoundProcedure, wamp.Payload{}, wamp.PayloadOf(tc.kwargs))
			if !errors.Is(err, runtime.ErrInvalidArgument) {
				t.Errorf("%s/%s: got %.300v, want wamp.error.invalid_argument", ser, tc.name, err)
				continue
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s/%s: %.300q does not say %q", ser, tc.name, msg, w)
				}
			}
			if len(msg) > 1000 {
				t.Errorf("%s/%s: the error has %d bytes: it echoes the payload", ser, tc.name, len(msg))
			}
		}
	}
}

// nilFieldsRequest has required fields whose zero value is nil: a Go
// caller's generated client sends them as null.
type nilFieldsRequest struct {
	Tags  []string       `json:"tags"`
	Attrs map[string]int `json:"attrs"`
	Any   any            `json:"any"`
	Data  []byte         `json:"data"`
	N     int            `json:"n"`
}

// TestKeywordArgumentsNilFields: a Go caller passing a keyword-argument
// struct whose slice, map, []byte or interface fields are nil (their zero
// value, which the generated client sends as null) was refused by the
// generated registrar with "missing required keys": a required field is one
// whose key must be present, and null is a value of those types. Null for
// a field that cannot be nil (an int) still counts as missing, and an
// absent key is still refused.
func TestKeywordArgumentsNilFields(t *testing.T) {
	r := newTestRouter(t, router.Config{})
	ctx := testCtx(t)
	for _, ser := range wamp.Serializers() {
		callee := dialT(t, r.WebSocketURL(), runtime.Config{Serializer: ser})
		proc := wamp.URI("com.test.kwargs.nil." + ser.String())
		_, err := callee.Register(ctx, proc, func(_ context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			var req nilFieldsRequest
			if err := runtime.DecodeKeywordArguments(proc, inv, &req); err != nil {
				return nil, err
			}
			return &runtime.Result{Args: wamp.ArgsOf(req.Tags == nil && req.Attrs == nil && req.Any == nil && req.Data == nil, req.N)}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, callerSer := range wamp.Serializers() {
			caller := dialT(t, r.RawSocketURL(), runtime.Config{Serializer: callerSer})
			res, err := caller.Call(ctx, proc, wamp.Payload{}, wamp.PayloadOf(nilFieldsRequest{N: 7}))
			if err != nil {
				t.Errorf("%s → %s: nil fields refused: %v", callerSer, ser, err)
				continue
			}
			var allNil bool
			var n int
			decodeArg(t, res.Args, 0, &allNil)
			decodeArg(t, res.Args, 1, &n)
			if !allNil || n != 7 {
				t.Errorf("%s → %s: decoded all nil %v, n %d", callerSer, ser, allNil, n)
			}
			for _, tc := range []struct {
				name   string
				kwargs map[string]any
				want   string
			}{
				{"null int", map[string]any{"tags": nil, "attrs": nil, "any": nil, "data": nil, "n": nil}, `missing required key "n"`},
				{"absent slice", map[string]any{"attrs": nil, "any": nil, "data": nil, "n": 1}, `missing required key "tags"`},
			} {
				_, err := caller.Call(ctx, proc, wamp.Payload{}, wamp.PayloadOf(tc.kwargs))
				if !errors.Is(err, runtime.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s → %s: %s: got %v, want invalid_argument saying %s", callerSer, ser, tc.name, err, tc.want)
				}
			}
		}
	}
}
