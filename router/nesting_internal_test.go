package router

import (
	"errors"
	"slices"
	"testing"

	"github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/internal/wire"
	"github.com/wampgen/wampgen/internal/wire/wiretest"
	wampbin "github.com/wampgen/wampgen/wamp"
)

// canonicalShapes are the shapes of wiretest the passthrough carries raw:
// compact JSON, and MsgPack and CBOR with shortest heads, definite lengths
// and no tags.
var canonicalShapes = []string{"json-lists", "json-dicts", "json-mixed", "msgpack-lists", "msgpack-dicts", "cbor-lists", "cbor-dicts"}

// TestNestingRuleSameOnEveryPath sends the same messages, at the nesting
// limit and beyond it, in every shape of wiretest, through every path that
// decodes client bytes: the router's Deserialize, its full path
// (deserializeFull), its passthrough (decodeFast), DeserializeDataItem,
// internal/wire's checker, and the wamp package's Decode, which the runtime
// uses. All give the same verdict: exactly wire.MaxDepth levels pass, one
// more is ErrTooDeep, and CBOR tags count as levels. (The wamp package
// refuses CBOR tags other than timestamps at any depth; for those shapes
// it is left out.)
func TestNestingRuleSameOnEveryPath(t *testing.T) {
	depths := []int{4, wire.MaxDepth - 1, wire.MaxDepth, wire.MaxDepth + 1, 3 * wire.MaxDepth}
	for _, sh := range wiretest.Shapes {
		s := map[string]*serializer{"json": jsonSerializer, "msgpack": msgpackSerializer, "cbor": cborSerializer}[sh.Format]
		ws, err := wampbin.SerializerByName(sh.Format)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(sh.Name, func(t *testing.T) {
			for _, d := range depths {
				msg := wiretest.Message(sh.Format, sh.Nest, d)
				ok := d <= wire.MaxDepth
				verdict := func(path string, err error) {
					t.Helper()
					switch {
					case ok && err != nil:
						t.Errorf("depth %d: %s refused it: %v", d, path, err)
					case !ok && !errors.Is(err, wire.ErrTooDeep):
						t.Errorf("depth %d: %s: got %v, want ErrTooDeep", d, path, err)
					}
				}
				verdict("wire", map[string]func([]byte) error{"json": wire.JSONDepth, "msgpack": wire.MsgPackDepth, "cbor": wire.CBORDepth}[sh.Format](msg))
				_, err := s.Deserialize(msg)
				verdict("Deserialize", err)
				_, err = s.deserializeFull(msg)
				verdict("deserializeFull", err)
				var v any
				verdict("DeserializeDataItem", s.DeserializeDataItem(sh.Nest(d), &v))

				fast := s.decodeFast(msg) != nil
				if fast && !ok {
					t.Errorf("depth %d: the passthrough took it", d)
				}
				if !fast && ok && slices.Contains(canonicalShapes, sh.Name) {
					t.Errorf("depth %d: the passthrough left it to the full path", d)
				}

				if !sh.OtherTags {
					_, werr := ws.Decode(msg)
					if (werr == nil) != ok {
						t.Errorf("depth %d: wamp's Decode says %v, the router %v", d, werr, err)
					}
				}
			}
		})
	}
}

// nestingSeeds are fuzz seeds for the nesting rule: messages exactly at
// wire.MaxDepth levels and one beyond, in every shape of wiretest, by
// serializer index in allSerializers, and issue 11's frame cut short.
func nestingSeeds() (which []uint8, data [][]byte) {
	for _, sh := range wiretest.Shapes {
		i := uint8(slices.IndexFunc(allSerializers, func(s *serializer) bool { return s.name == sh.Format }))
		for _, d := range []int{wire.MaxDepth, wire.MaxDepth + 1} {
			which = append(which, i)
			data = append(data, wiretest.Message(sh.Format, sh.Nest, d))
		}
	}
	tags := make([]byte, 4*wire.MaxDepth+1)
	for i := range tags {
		tags[i] = 0xc6
	}
	tags[len(tags)-1] = 0x01
	return append(which, 2), append(data, tags)
}

// TestIssue11FrameRefused: the frame of issue 11, 800,000 CBOR tags, is an
// error on every path (before the fix, deserializeFull overflowed the
// stack and the process died).
func TestIssue11FrameRefused(t *testing.T) {
	frame := make([]byte, 800_001)
	for i := range frame {
		frame[i] = 0xc6
	}
	frame[len(frame)-1] = 0x01
	if _, err := cborSerializer.Deserialize(frame); !errors.Is(err, wire.ErrTooDeep) {
		t.Errorf("Deserialize: %v", err)
	}
	var v any
	if err := cborSerializer.DeserializeDataItem(frame, &v); !errors.Is(err, wire.ErrTooDeep) {
		t.Errorf("DeserializeDataItem: %v", err)
	}
}

// TestMsgPackExtensionIsData checks the MsgPack side of the rule: an
// extension is data, not a container, for the checker and for the codec,
// so nesting-shaped bytes inside one are neither counted nor decoded.
func TestMsgPackExtensionIsData(t *testing.T) {
	data := slices.Repeat([]byte{0x91}, 800_000)
	// [16, 1, {}, "com.x", [ext32 type 5 (data)]]
	msg := append([]byte{0x95, 0x10, 0x01, 0x80, 0xa5, 'c', 'o', 'm', '.', 'x', 0x91, 0xc9,
		byte(len(data) >> 24), byte(len(data) >> 16), byte(len(data) >> 8), byte(len(data)), 0x05}, data...)
	if err := wire.MsgPackDepth(msg); err != nil {
		t.Fatalf("checker: %v", err)
	}
	m, err := msgpackSerializer.Deserialize(msg)
	if err != nil {
		t.Fatalf("Deserialize: %v", err)
	}
	if args := m.(*wamp.Publish).Arguments; len(args) != 1 {
		t.Fatalf("Arguments %#v", args)
	}
}
