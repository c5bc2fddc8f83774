package runtime_test

import (
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
