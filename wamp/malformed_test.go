package wamp_test

import (
	"bytes"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

// decodeMalformed decodes data, which must be refused with an error that
// wraps ErrMalformed, without a panic, and returns the error.
func decodeMalformed(t *testing.T, s *wamp.Serializer, data []byte) error {
	t.Helper()
	var m wamp.Message
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("%s: Decode(%q) panicked: %v", s, data, r)
			}
		}()
		m, err = s.Decode(data)
	}()
	if err == nil {
		t.Fatalf("%s: Decode(%q) = %#v, want an error", s, data, m)
	}
	if m != nil {
		t.Errorf("%s: Decode(%q) returned a message with the error", s, data)
	}
	if !errors.Is(err, wamp.ErrMalformed) {
		t.Fatalf("%s: Decode(%q): error %q does not wrap ErrMalformed", s, data, err)
	}
	return err
}

// TestDecodeTruncated decodes every proper prefix of valid encodings.
func TestDecodeTruncated(t *testing.T) {
	var msgs []wamp.Message
	for _, s := range samples() {
		if strings.HasSuffix(s.name, "args+kwargs") || !strings.Contains(s.name, "/") {
			msgs = append(msgs, s.msg)
		}
	}
	for _, ser := range wamp.Serializers() {
		for _, m := range msgs {
			b := mustEncode(t, ser, m)
			for i := range len(b) {
				decodeMalformed(t, ser, b[:i])
			}
		}
	}
}

// TestDecodeWrongShape builds ill-formed messages from Go values and encodes
// them with each serializer, so the same cases cover all three formats.
func TestDecodeWrongShape(t *testing.T) {
	d := map[string]any{}
	type test struct {
		name  string
		elems []any
		want  string // a part of the error message
	}
	tests := []test{
		{"empty list", []any{}, "empty list"},
		{"type is a string", []any{"48", 1, d, "p"}, "message type"},
		{"type is a float", []any{48.0, 1, d, "p"}, "message type"},
		{"type is negative", []any{-48, 1, d, "p"}, "message type"},
		{"type is null", []any{nil, 1, d, "p"}, "message type"},
		{"type too large", []any{256 + 48, 1, d, "p"}, "message type"},
		{"unknown type 0", []any{0, 1}, "unknown message type 0"},
		{"unknown type 7", []any{7, 1, d}, "unknown message type 7"},
		{"unknown type 255", []any{255, 1, d}, "unknown message type 255"},
		{"too few elements", []any{48, 1, d}, "has 3 elements, want 4 to 6"},
		{"too many elements", []any{48, 1, d, "p", []any{}, d, 1}, "has 7 elements, want 4 to 6"},
		{"HELLO too few", []any{1, "realm"}, "has 2 elements, want 3"},
		{"HELLO too many", []any{1, "realm", d, d}, "has 4 elements, want 3"},
		{"UNSUBSCRIBED too many", []any{35, 1, d, d}, "want 2 to 3"},
		{"type only", []any{48}, "has 1 elements"},
		{"ID is a string", []any{48, "1", d, "p"}, "Request: expected an ID (integer), got string"},
		{"ID is a bool", []any{17, true, 1}, "Request: expected an ID"},
		{"ID is null", []any{17, nil, 1}, "Request: expected an ID"},
		{"ID is a list", []any{65, 1, []any{2}}, "Registration: expected an ID"},
		{"ID is a float", []any{48, 1.5, d, "p"}, "expected an ID (integer), got float"},
		{"ID is a whole float", []any{48, 1.0, d, "p"}, "expected an ID (integer), got float"},
		{"ID 0", []any{48, 0, d, "p"}, "Request: ID 0 is not allowed"},
		{"session 0", []any{2, 0, d}, "Session: ID 0"},
		{"publication 0", []any{17, 1, 0}, "Publication: ID 0"},
		{"ID 2^53+1", []any{48, uint64(wamp.MaxID) + 1, d, "p"}, "out of range"},
		{"ID max uint64", []any{48, uint64(math.MaxUint64), d, "p"}, "out of range"},
		{"ID max int64", []any{48, int64(math.MaxInt64), d, "p"}, "out of range"},
		{"ID -1", []any{48, -1, d, "p"}, "out of range"},
		{"ID min int64", []any{48, int64(math.MinInt64), d, "p"}, "out of range"},
		{"dict is a list", []any{48, 1, []any{}, "p"}, "Options: expected a dict, got list"},
		{"dict is null", []any{48, 1, nil, "p"}, "Options: expected a dict, got null"},
		{"dict is a string", []any{1, "realm", "{}"}, "Details: expected a dict, got string"},
		{"dict is bytes", []any{1, "realm", []byte("{}")}, "Details: expected a dict, got bytes"},
		{"URI is an integer", []any{48, 1, d, 5}, "Procedure: expected a string, got integer"},
		{"URI is null", []any{1, nil, d}, "Realm: expected a string, got null"},
		{"empty URI", []any{48, 1, d, ""}, "Procedure: empty URI"},
		{"empty realm", []any{1, "", d}, "Realm: empty URI"},
		{"empty error URI", []any{8, 48, 1, d, ""}, "Error: empty URI"},
		{"empty reason", []any{6, d, ""}, "Reason: empty URI"},
		{"string is a number", []any{4, 1, d}, "AuthMethod: expected a string"},
		{"Arguments is a dict", []any{48, 1, d, "p", map[string]any{"a": 1}}, "Arguments: expected a list, got dict"},
		{"Arguments is a string", []any{50, 1, d, "[1]"}, "Arguments: expected a list, got string"},
		{"Arguments is an integer", []any{70, 1, d, 1}, "Arguments: expected a list, got integer"},
		{"ArgumentsKw is a list", []any{48, 1, d, "p", []any{}, []any{}}, "ArgumentsKw: expected a dict, got list"},
		{"ArgumentsKw is bytes", []any{50, 1, d, []any{}, []byte{1}}, "ArgumentsKw: expected a dict, got bytes"},
		{"ABORT Arguments is a dict", []any{3, d, "wamp.error.x", d}, "Arguments: expected a list"},
		{"ERROR request type unknown", []any{8, 99, 1, d, "e"}, "unknown message type 99"},
		{"ERROR request type 0", []any{8, 0, 1, d, "e"}, "REQUEST.Type"},
		{"ERROR request type float", []any{8, 48.0, 1, d, "e"}, "REQUEST.Type: expected an integer, got float"},
		{"ERROR request type string", []any{8, "CALL", 1, d, "e"}, "REQUEST.Type: expected an integer, got string"},
		{"ERROR request type 304", []any{8, 304, 1, d, "e"}, "REQUEST.Type"},
		{"UNSUBSCRIBED details is a list", []any{35, 0, []any{}}, "Details: expected a dict"},
		{"UNSUBSCRIBED request is negative", []any{35, -1}, "out of range"},
		{"UNREGISTERED request is a string", []any{67, "0"}, "expected an ID"},
	}
	// JSON cannot express these: its keys are always strings.
	binaryOnly := []test{
		{"URI is bytes", []any{48, 1, d, []byte("p")}, "Procedure: expected a string, got bytes"},
		{"details key is not a string", []any{1, "realm", map[int]any{1: "x"}}, "dictionary key"},
		{"details key is a list", []any{1, "realm", map[any]any{[1]int{1}: "x"}}, "dictionary key"},
		{"payload key is not a string", []any{50, 1, d, []any{map[int]any{1: "x"}}}, "dictionary key"},
		{"ArgumentsKw key is a bool", []any{50, 1, d, []any{}, map[bool]any{true: "x"}}, "dictionary key"},
	}
	for _, ser := range wamp.Serializers() {
		cases := tests
		if ser.Binary() {
			cases = append(cases[:len(cases):len(cases)], binaryOnly...)
		}
		for _, tc := range cases {
			t.Run(ser.Name()+"/"+tc.name, func(t *testing.T) {
				err := decodeMalformed(t, ser, mustEncodeValue(t, ser, tc.elems))
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q does not mention %q", err, tc.want)
				}
				if !strings.Contains(err.Error(), ser.Name()) {
					t.Errorf("error %q does not name the serializer", err)
				}
			})
		}
	}
}

// TestDecodeBoundaryIDs accepts 1 and 2^53, and 0 where the spec allows it.
func TestDecodeBoundaryIDs(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, id := range []uint64{1, uint64(wamp.MaxID)} {
			m := mustDecode(t, ser, mustEncodeValue(t, ser, []any{17, id, id})).(*wamp.Published)
			if uint64(m.Request) != id || uint64(m.Publication) != id {
				t.Errorf("%s: PUBLISHED %d decoded as %+v", ser, id, m)
			}
		}
		// A signed encoding of a positive ID is fine too.
		m := mustDecode(t, ser, mustEncodeValue(t, ser, []any{17, int64(5), int8(6)})).(*wamp.Published)
		if m.Request != 5 || m.Publication != 6 {
			t.Errorf("%s: signed IDs decoded as %+v", ser, m)
		}
		if u := mustDecode(t, ser, mustEncodeValue(t, ser, []any{35, 0})).(*wamp.Unsubscribed); u.Request != 0 {
			t.Errorf("%s: UNSUBSCRIBED 0 decoded as %+v", ser, u)
		}
	}
}

func TestDecodeNotAList(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, v := range []any{map[string]any{"a": 1}, "[48]", 48, nil, true, 1.5, []byte{0x91}} {
			err := decodeMalformed(t, ser, mustEncodeValue(t, ser, v))
			if !strings.Contains(err.Error(), "expected a list") {
				t.Errorf("%s: %#v: error %q", ser, v, err)
			}
		}
		decodeMalformed(t, ser, nil)
		decodeMalformed(t, ser, []byte{})
	}
}

func TestDecodeTrailingGarbage(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		b := mustEncode(t, ser, &wamp.Call{Request: 1, Procedure: "p", Args: wamp.ArgsOf(1)})
		for _, tail := range [][]byte{{0}, {0x91, 0x01}, b, []byte("x"), []byte(" ]")} {
			err := decodeMalformed(t, ser, append(bytes.Clone(b), tail...))
			if !strings.Contains(err.Error(), "after the message") && !strings.Contains(err.Error(), "invalid") {
				t.Errorf("%s: trailing %q: error %q", ser, tail, err)
			}
		}
	}
	// JSON allows whitespace around a value.
	mustDecode(t, wamp.JSON, []byte("[65,1,2] \n\t\r "))
}

// TestDecodeJSONSyntax refuses invalid JSON anywhere in a message, also
// inside the payloads the codec would otherwise skip without parsing.
func TestDecodeJSONSyntax(t *testing.T) {
	for _, in := range []string{
		`[50,1,{},[1,2}]`,
		`[50,1,{},[xyz]]`,
		`[50,1,{},[1],{"a":}]`,
		`[50,1,{},[1],{"a"}]`,
		`[50,1,{},[1],{"a":1,}]`,
		`[50,1,{},[1],{a:1}]`,
		`[50,1,{},[1,]]`,
		`[50,1,{},[,1]]`,
		`[50,1,{},[1 2]]`,
		`[50,1,{},["a" "b"]]`,
		`[50,1,{},[01]]`,
		`[50,1,{},[1.]]`,
		`[50,1,{},[.5]]`,
		`[50,1,{},[-]]`,
		`[50,1,{},[1e]]`,
		`[50,1,{},[1e+]]`,
		`[50,1,{},[+1]]`,
		`[50,1,{},[0x10]]`,
		`[50,1,{},[NaN]]`,
		`[50,1,{},[Infinity]]`,
		`[50,1,{},[tru]]`,
		`[50,1,{},[nul]]`,
		`[50,1,{},[True]]`,
		`[50,1,{},["\q"]]`,
		`[50,1,{},["\u12"]]`,
		`[50,1,{},["\u12g4"]]`,
		"[50,1,{},[\"a\tb\"]]",
		"[50,1,{},[\"a\x00b\"]]",
		`[50,1,{},["unterminated]]`,
		`[50,1,{},['single']]`,
		`[50,1,{},[[[]]]`,
		`[50,1,{},[]]]`,
		`[50,1,{} [1]]`,
		`[50 1,{}]`,
		`[50,,1,{}]`,
		"\xef\xbb\xbf[65,1,2]",
		`[65,1,2]]`,
		`[65,1,2`,
		`{"0":65}`,
		`[65,1,2,]`,
	} {
		decodeMalformed(t, wamp.JSON, []byte(in))
	}
	// Valid oddities are accepted (but for numbers the codec refuses or
	// misreads, such as 1e400: TestJSONNumberRuleDecode).
	for _, in := range []string{
		`[50,1,{},[-0,0.5e-3,1E+2,1e300,-1.5E-400,"\/\b\f\n\r\t\"\\\u00e9\ud83d\ude00"]]`,
		`[50,1,{"":{"":[]}},[[],{},[{}],{"a":[]}]]`,
	} {
		mustDecode(t, wamp.JSON, []byte(in))
	}
	// JSON text is UTF-8 (RFC 8259); the codec would write U+FFFD for an
	// invalid byte when the message is sent on, so it is refused.
	for _, in := range []string{
		"[50,1,{},[\"\xff\"]]",
		"[50,1,{\"\xc3\":1},[]]",
		"[1,\"realm\xe2\x82\",{}]",
		"[50,1,{},[\"\xed\xa0\x80\"]]", // an encoded surrogate
	} {
		decodeMalformed(t, wamp.JSON, []byte(in))
	}
}

// TestDecodeBinaryStructure refuses broken MsgPack and CBOR inside payloads.
func TestDecodeBinaryStructure(t *testing.T) {
	mp := func(tail ...byte) []byte { return append([]byte{0x94, 0x32, 0x01, 0x80}, tail...) } // [50, 1, {}, <tail>]
	cb := func(tail ...byte) []byte { return append([]byte{0x84, 0x18, 0x32, 0x01, 0xa0}, tail...) }
	for _, in := range [][]byte{
		mp(0x91, 0xc1),             // 0xc1 is never used
		mp(0x92, 0x01),             // a list missing an element
		mp(0x91, 0xc4, 0x05, 0x01), // bin8 shorter than its length
		mp(0x91, 0xd9, 0x03, 'a'),  // str8 shorter than its length
		mp(0x91, 0xcb, 0x00),       // truncated float64
		mp(0x91, 0xd7, 0xff, 0x00), // truncated fixext8
		mp(0x91, 0xc7, 0x10, 0x01), // truncated ext8
		mp(0x91, 0x81, 0xa1, 'k'),  // a dict missing a value
		mp(0x91, 0xde, 0x00),       // truncated map16 header
		{0x93, 0x01, 0xa1, 'r', 0x81, 0xc4, 0x01, 'k', 0xa1, 'x'}, // a binary key in Details
		mp(0x91, 0xd4, 0x05, 0x41),                                // an extension other than a timestamp
		mp(0x91, 0xc7, 0x01, 0x05, 0x00),                          // ext8 of type 5
		mp(0x91, 0xd4, 0xff, 0x00),                                // a timestamp of 1 byte
		mp(0x91, 0xc7, 0x05, 0xff, 0, 0, 0, 0, 1),                 // a timestamp of 5 bytes
		mp(0x91, 0xa1, 0xff),                                      // a string that is not UTF-8
		mp(0x91, 0xd9, 0x02, 0xc3, 0x28),                          // str8 that is not UTF-8
		{0x93, 0x01, 0xa2, 'r', 0xc0, 0x80},                       // a realm that is not UTF-8
	} {
		decodeMalformed(t, wamp.MsgPack, in)
	}
	for _, in := range [][]byte{
		cb(0x81, 0xff),                   // break outside an indefinite container
		cb(0x81, 0x1c),                   // reserved additional information 28
		cb(0x81, 0x3f),                   // indefinite-length negative integer
		cb(0x81, 0xdf, 0x01),             // indefinite-length tag
		cb(0x81, 0xf8, 0x20),             // a one-byte simple value
		cb(0x81, 0xe0),                   // simple value 0
		cb(0x82, 0x01),                   // a list missing an element
		cb(0x81, 0x9f, 0x01),             // an indefinite list without its break
		cb(0x81, 0xbf, 0x61, 'k', 0xff),  // an indefinite dict broken after a key
		cb(0x81, 0x5f, 0x61, 'x', 0xff),  // a text chunk inside a byte string
		cb(0x81, 0x7f, 0x7f, 0xff, 0xff), // a nested indefinite chunk
		cb(0x81, 0x43, 0x01),             // bytes shorter than their length
		cb(0x81, 0xfb, 0x00),             // truncated float64
		cb(0x81, 0xc1),                   // a tag without its content
		{0x83, 0x01, 0x61, 'r', 0xa1, 0x41, 'k', 0x61, 'x'}, // a binary key in Details
		cb(0x80, 0xbf, 0xc1, 0x61, 'k', 0x01, 0xff),         // a tagged key in an indefinite dict
		cb(0x80, 0xbf, 0x61, 'k', 0x01, 0x01, 0x01, 0xff),   // an integer key after the first entry
		cb(0x81, 0xd8, 0x20, 0x61, 'x'),                     // tag 32 (URI)
		cb(0x81, 0xc2, 0x41, 0x01),                          // tag 2 (bignum)
		cb(0x81, 0xd9, 0xd9, 0xf7, 0x01),                    // tag 55799
		cb(0x81, 0xc0, 0x01),                                // tag 0 of an integer
		cb(0x81, 0xc1, 0x61, 'x'),                           // tag 1 of a string
		cb(0x81, 0xc1, 0xc1, 0x01),                          // tag 1 of a tag
		cb(0x81, 0x61, 0xff),                                // text that is not UTF-8
		cb(0x81, 0x7f, 0x61, 0xc3, 0x61, 0xa9, 0xff),        // UTF-8 split across chunks
		{0x83, 0x01, 0x62, 'r', 0xc0, 0xa0},                 // a realm that is not UTF-8
	} {
		decodeMalformed(t, wamp.CBOR, in)
	}
	// Valid oddities are accepted: indefinite lengths, tags, half floats,
	// undefined, non-shortest integers.
	for _, in := range [][]byte{
		cb(0x9f, 0x01, 0x5f, 0x41, 0x00, 0x42, 0x01, 0x02, 0xff, 0xbf, 0x61, 'k', 0xf7, 0xff, 0xff),
		cb(0x83, 0xf9, 0x3c, 0x00, 0xc1, 0x1a, 0x5e, 0x0d, 0x5d, 0xa5, 0x18, 0x01),
		cb(0x9f, 0xff),
		cb(0x82, 0xc0, 0x74, '2', '0', '2', '0', '-', '0', '1', '-', '0', '2', 'T', '0', '3', ':', '0', '4', ':', '0', '5', 'Z', 0xc1, 0xfb, 0x41, 0xd7, 0x83, 0x57, 0x69, 0x40, 0x00, 0x1d),
		cb(0x81, 0x7f, 0x62, 0xc3, 0xa9, 0x61, 'x', 0xff),
	} {
		m := mustDecode(t, wamp.CBOR, in).(*wamp.Result)
		if _, err := m.Args.Any(); err != nil {
			t.Errorf("cbor %x: Args.Any: %v", in, err)
		}
	}
	for _, in := range [][]byte{
		mp(0x93, 0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0xcc, 0x01, 0xc0),
		mp(0x92, 0xd6, 0xff, 0, 0, 0, 1, 0xc7, 0x0c, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
		mp(0x91, 0xa2, 0xc3, 0xa9),
	} {
		m := mustDecode(t, wamp.MsgPack, in).(*wamp.Result)
		if _, err := m.Args.Any(); err != nil {
			t.Errorf("msgpack %x: Args.Any: %v", in, err)
		}
	}
}

// nested returns depth levels of single-element lists around v.
func nested(depth int, v any) any {
	for range depth {
		v = []any{v}
	}
	return v
}

// TestDecodeDepth allows maxDepth (100) levels of nesting in a message,
// counting the message itself, and refuses more.
func TestDecodeDepth(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		// The message is level 1, Arguments (the outermost of 99 lists) level 2.
		ok := mustEncodeValue(t, ser, []any{50, 1, map[string]any{}, nested(99, 1)})
		m := mustDecode(t, ser, ok).(*wamp.Result)
		v, err := m.Args.Any()
		if err != nil {
			t.Errorf("%s: Any at depth 100: %v", ser, err)
		}
		var deep [][][][][][][][][][]any
		if err := m.Args.Decode(&deep); err != nil {
			t.Errorf("%s: typed Decode at depth 100: %v", ser, err)
		}
		for range 99 {
			l, ok := v.([]any)
			if !ok || len(l) != 1 {
				t.Fatalf("%s: nesting lost: %#v", ser, v)
			}
			v = l[0]
		}
		if norm(v) != int64(1) {
			t.Errorf("%s: innermost value %#v", ser, v)
		}
		err = decodeMalformed(t, ser, mustEncodeDeep(t, ser, []any{50, 1, map[string]any{}, nested(100, 1)}))
		if !strings.Contains(err.Error(), "deeper") {
			t.Errorf("%s: depth 101: error %q", ser, err)
		}
		// Dictionaries count too, in Details as in payloads.
		dicts := func(n int) map[string]any {
			d := map[string]any{}
			for range n - 1 {
				d = map[string]any{"a": d}
			}
			return d
		}
		h := mustDecode(t, ser, mustEncodeValue(t, ser, []any{1, "realm", dicts(99)})).(*wamp.Hello)
		if _, ok := wamp.DictDict(h.Details, "a"); !ok {
			t.Errorf("%s: Details at depth 100 decoded as %v", ser, h.Details)
		}
		mustDecode(t, ser, mustEncodeValue(t, ser, []any{50, 1, map[string]any{}, []any{}, dicts(99)}))
		decodeMalformed(t, ser, mustEncodeDeep(t, ser, []any{1, "realm", dicts(100)}))
		decodeMalformed(t, ser, mustEncodeDeep(t, ser, []any{50, 1, map[string]any{}, []any{}, dicts(100)}))
	}
}

// TestDecodeHostileNesting sends megabytes of nested lists (and CBOR tags):
// the codec alone would recurse once per level and overflow the stack, a
// crash no recover catches.
func TestDecodeHostileNesting(t *testing.T) {
	const n = 4 << 20
	inputs := []struct {
		ser  *wamp.Serializer
		data []byte
	}{
		{wamp.JSON, append([]byte(`[50,1,{},`), bytes.Repeat([]byte{'['}, n)...)},
		{wamp.JSON, append(append([]byte(`[50,1,{},`), bytes.Repeat([]byte{'['}, n)...), bytes.Repeat([]byte{']'}, n+1)...)},
		{wamp.MsgPack, append(append([]byte{0x94, 0x32, 0x01, 0x80}, bytes.Repeat([]byte{0x91}, n)...), 0xc0)},
		{wamp.CBOR, append(append([]byte{0x84, 0x18, 0x32, 0x01, 0xa0}, bytes.Repeat([]byte{0x81}, n)...), 0xf6)},
		{wamp.CBOR, append(append([]byte{0x84, 0x18, 0x32, 0x01, 0xa0, 0x81}, bytes.Repeat([]byte{0xc1}, n)...), 0x01)},
		{wamp.MsgPack, append(append([]byte{0x94, 0x32, 0x01, 0x80}, bytes.Repeat([]byte{0x81, 0xa0}, n)...), 0xc0)},
		{wamp.CBOR, append(append([]byte{0x84, 0x18, 0x32, 0x01, 0xa0}, bytes.Repeat([]byte{0xa1, 0x60}, n)...), 0xf6)},
		{wamp.CBOR, append(append([]byte{0x84, 0x18, 0x32, 0x01, 0xa0}, bytes.Repeat([]byte{0x9f}, n)...), bytes.Repeat([]byte{0xff}, n)...)},
	}
	for _, in := range inputs {
		err := decodeMalformed(t, in.ser, in.data)
		if !strings.Contains(err.Error(), "deeper") && !strings.Contains(err.Error(), "content of tag") {
			t.Errorf("%s: error %q", in.ser, err)
		}
	}
}

// TestDecodeOversizedLengths: length fields claiming far more than the input
// holds are refused before anything is allocated for them.
func TestDecodeOversizedLengths(t *testing.T) {
	inputs := []struct {
		ser  *wamp.Serializer
		data []byte
	}{
		{wamp.MsgPack, []byte{0xdd, 0xff, 0xff, 0xff, 0xff, 0x01}},                               // array32 of 2^32-1
		{wamp.MsgPack, []byte{0x94, 0x32, 0x01, 0x80, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02}}, // in Arguments
		{wamp.MsgPack, []byte{0x95, 0x32, 0x01, 0x80, 0x90, 0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1}}, // map32 in ArgumentsKw
		{wamp.MsgPack, []byte{0x94, 0x32, 0x01, 0x80, 0x91, 0xc6, 0xff, 0xff, 0xff, 0xff, 0x01}}, // bin32
		{wamp.MsgPack, []byte{0x94, 0x30, 0x01, 0x80, 0xdb, 0xff, 0xff, 0xff, 0xff, 'p'}},        // str32 as a URI
		{wamp.MsgPack, []byte{0x94, 0x32, 0x01, 0x80, 0x91, 0xc9, 0xff, 0xff, 0xff, 0xff, 0x01}}, // ext32
		{wamp.MsgPack, []byte{0x93, 0x01, 0xa1, 'r', 0xdf, 0x7f, 0xff, 0xff, 0xff}},              // map32 as Details
		{wamp.CBOR, []byte{0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},          // array of 2^64-1
		{wamp.CBOR, []byte{0x9a, 0xff, 0xff, 0xff, 0xff, 0x01}},                                  // array of 2^32-1
		{wamp.CBOR, []byte{0x84, 0x18, 0x32, 0x01, 0xa0, 0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{wamp.CBOR, []byte{0x84, 0x18, 0x32, 0x01, 0xa0, 0x81, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}}, // bytes of 2^64-1
		{wamp.CBOR, []byte{0x84, 0x18, 0x32, 0x01, 0xa0, 0x81, 0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0x01}},
		{wamp.CBOR, []byte{0x84, 0x18, 0x30, 0x01, 0xa0, 0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x70}},       // a URI that wraps around
		{wamp.CBOR, []byte{0x83, 0x01, 0x61, 'r', 0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},                    // dict of 2^63-1 as Details
		{wamp.CBOR, []byte{0x84, 0x18, 0x32, 0x01, 0xa0, 0x81, 0x5f, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, // chunk of 2^64-1
	}
	for _, in := range inputs {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := decodeMalformed(t, in.ser, in.data)
		runtime.ReadMemStats(&after)
		if !strings.Contains(err.Error(), "unexpected end") {
			t.Errorf("%s %x: error %q", in.ser, in.data, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("%s %x: allocated %d bytes", in.ser, in.data, alloc)
		}
	}
}

// TestDecodeJSONStringFieldWithNUL: where the message has a string, a JSON
// string starting with NUL is that string, not binary: WAMP messages are not
// polymorphic, and such strings arrive relayed from MsgPack or CBOR peers.
func TestDecodeJSONStringFieldWithNUL(t *testing.T) {
	g := mustDecode(t, wamp.JSON, []byte(`[6,{},"\u0000cA=="]`)).(*wamp.Goodbye)
	if g.Reason != "\x00cA==" {
		t.Errorf("Reason = %q", g.Reason)
	}
	for _, from := range []*wamp.Serializer{wamp.MsgPack, wamp.CBOR} {
		orig := &wamp.Challenge{AuthMethod: "\x00AP8=", Extra: wamp.Dict{}}
		in := mustDecode(t, from, mustEncode(t, from, orig))
		out := mustDecode(t, wamp.JSON, mustEncode(t, wamp.JSON, in))
		if d := diffMessages(orig, out); d != "" {
			t.Errorf("%s→json: %s", from, d)
		}
	}
}
