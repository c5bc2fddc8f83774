package wamp_test

import (
	"strings"
	"testing"

	"github.com/wampgen/wampgen/internal/wire"
	"github.com/wampgen/wampgen/internal/wire/wiretest"
	"github.com/wampgen/wampgen/wamp"
)

var wireCheckers = map[string]func([]byte) error{
	"json":    wire.JSONDepth,
	"msgpack": wire.MsgPackDepth,
	"cbor":    wire.CBORDepth,
}

// TestNestingRule holds Decode (messages) and DecodeValue (values) to the
// module's one nesting rule, in every format and shape of internal/wire's
// tests: exactly wire.MaxDepth levels are accepted, one more is refused as
// too deep, CBOR tags counting as levels; and their verdict is the one of
// wire's checker for the same bytes, which the router uses.
func TestNestingRule(t *testing.T) {
	depths := []int{4, wire.MaxDepth - 1, wire.MaxDepth, wire.MaxDepth + 1, 3 * wire.MaxDepth}
	for _, sh := range wiretest.Shapes {
		ser, err := wamp.SerializerByName(sh.Format)
		if err != nil {
			t.Fatal(err)
		}
		check := wireCheckers[sh.Format]
		t.Run(sh.Name, func(t *testing.T) {
			for _, d := range depths {
				for _, in := range []struct {
					what   string
					data   []byte
					decode func([]byte) error
				}{
					{"message", wiretest.Message(sh.Format, sh.Nest, d), func(b []byte) error { _, err := ser.Decode(b); return err }},
					{"value", sh.Nest(d), func(b []byte) error { var v any; return ser.DecodeValue(b, &v) }},
				} {
					err := in.decode(in.data)
					wireErr := check(in.data)
					switch {
					case sh.OtherTags:
						// Only timestamps are tags to this package: refused
						// whatever the depth, and never by the codec.
						if err == nil {
							t.Errorf("%s of depth %d: accepted a tag other than a timestamp", in.what, d)
						}
					case d <= wire.MaxDepth && (err != nil || wireErr != nil):
						t.Errorf("%s of depth %d: Decode %v, wire %v; want both to accept", in.what, d, err, wireErr)
					case d > wire.MaxDepth && (err == nil || !strings.Contains(err.Error(), wire.ErrTooDeep.Error()) || wireErr != wire.ErrTooDeep):
						t.Errorf("%s of depth %d: Decode %v, wire %v; want both to refuse it as too deep", in.what, d, err, wireErr)
					}
				}
			}
		})
	}
}
