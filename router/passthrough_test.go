package router

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gammazero/nexus/v3/wamp"

	"github.com/wampgen/wampgen/internal/wire"
	wampbin "github.com/wampgen/wampgen/wamp"
)

var allSerializers = []*serializer{jsonSerializer, msgpackSerializer, cborSerializer}

// materialize returns msg with its raw payloads decoded, as deserializeFull
// would have left them.
func materialize(t testing.TB, msg wamp.Message) wamp.Message {
	t.Helper()
	args := func(l wamp.List) wamp.List {
		if r := rawOf(l); r != nil {
			v, err := r.value()
			if err != nil {
				t.Fatalf("raw Arguments do not decode: %v", err)
			}
			return v.(wamp.List)
		}
		return l
	}
	kwargs := func(d wamp.Dict) wamp.Dict {
		if r := rawOf(d); r != nil {
			v, err := r.value()
			if err != nil {
				t.Fatalf("raw ArgumentsKw do not decode: %v", err)
			}
			return v.(wamp.Dict)
		}
		return d
	}
	switch m := msg.(type) {
	case *wamp.Call:
		c := *m
		c.Arguments, c.ArgumentsKw = args(m.Arguments), kwargs(m.ArgumentsKw)
		return &c
	case *wamp.Yield:
		c := *m
		c.Arguments, c.ArgumentsKw = args(m.Arguments), kwargs(m.ArgumentsKw)
		return &c
	case *wamp.Error:
		c := *m
		c.Arguments, c.ArgumentsKw = args(m.Arguments), kwargs(m.ArgumentsKw)
		return &c
	case *wamp.Publish:
		c := *m
		c.Arguments, c.ArgumentsKw = args(m.Arguments), kwargs(m.ArgumentsKw)
		return &c
	}
	return msg
}

// routed returns what nexus makes of a client's message for another
// client, with the payload fields copied as nexus copies them, and details
// that exercise the non-empty dict path.
func routed(msg wamp.Message) []wamp.Message {
	switch m := msg.(type) {
	case *wamp.Call:
		return []wamp.Message{
			&wamp.Invocation{Request: 7, Registration: 1 << 40, Details: wamp.Dict{}, Arguments: m.Arguments, ArgumentsKw: m.ArgumentsKw},
			&wamp.Invocation{Request: 300, Registration: 70000, Details: wamp.Dict{"procedure": string(m.Procedure)}, Arguments: m.Arguments, ArgumentsKw: m.ArgumentsKw},
		}
	case *wamp.Yield:
		return []wamp.Message{
			&wamp.Result{Request: m.Request, Details: wamp.Dict{}, Arguments: m.Arguments, ArgumentsKw: m.ArgumentsKw},
			&wamp.Result{Request: m.Request, Details: wamp.Dict{"progress": true}, Arguments: m.Arguments, ArgumentsKw: m.ArgumentsKw},
		}
	case *wamp.Error:
		return []wamp.Message{
			&wamp.Error{Type: m.Type, Request: m.Request, Details: m.Details, Error: m.Error, Arguments: m.Arguments, ArgumentsKw: m.ArgumentsKw},
		}
	case *wamp.Publish:
		return []wamp.Message{
			&wamp.Event{Subscription: 5, Publication: m.Request, Details: wamp.Dict{"topic": string(m.Topic)}, Arguments: m.Arguments, ArgumentsKw: m.ArgumentsKw},
		}
	}
	return nil
}

// show prints a message's values deterministically (fmt sorts map keys),
// telling types apart and NaN equal to NaN.
func show(msg wamp.Message) string { return fmt.Sprintf("%T%#v", msg, msg) }

// multiKeyMap reports whether v holds a dict of two or more keys, which the
// codec writes in random order.
func multiKeyMap(v any) bool {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if multiKeyMap(e) {
				return true
			}
		}
	case wamp.List:
		return multiKeyMap([]any(t))
	case map[string]any:
		if len(t) > 1 {
			return true
		}
		for _, e := range t {
			if multiKeyMap(e) {
				return true
			}
		}
	case wamp.Dict:
		return multiKeyMap(map[string]any(t))
	}
	return false
}

func payloadsOf(msg wamp.Message) []any {
	switch m := msg.(type) {
	case *wamp.Invocation:
		return []any{m.Details, m.Arguments, m.ArgumentsKw}
	case *wamp.Result:
		return []any{m.Details, m.Arguments, m.ArgumentsKw}
	case *wamp.Error:
		return []any{m.Details, m.Arguments, m.ArgumentsKw}
	case *wamp.Event:
		return []any{m.Details, m.Arguments, m.ArgumentsKw}
	}
	return nil
}

// checkSame runs the old path (deserializeFull, serializeFull) and the new
// one (Deserialize, Serialize) on data from a src client and requires the
// same outcome: the same error, the same message for nexus, and for every
// receiving serializer the same bytes (the same values when a dict has
// several keys, whose order the old path left to chance). It reports
// whether the new path carried a payload raw.
func checkSame(t testing.TB, src *serializer, data []byte) (raw bool) {
	t.Helper()
	m1, err1 := src.deserializeFull(data)
	m2, err2 := src.Deserialize(data)
	if (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
		t.Fatalf("%s %x: old error %v, new error %v", src.name, data, err1, err2)
	}
	if err1 != nil {
		return false
	}
	if got, want := show(materialize(t, m2)), show(m1); got != want {
		t.Fatalf("%s %x: new message\n%s\nold message\n%s", src.name, data, got, want)
	}
	r1, r2 := routed(m1), routed(m2)
	for i := range r1 {
		for _, dst := range allSerializers {
			raw = raw || rawOf(payloadsOf(r2[i])[1]) != nil || rawOf(payloadsOf(r2[i])[2]) != nil
			b1, e1 := dst.serializeFull(r1[i])
			b2, e2 := dst.Serialize(r2[i])
			b3, e3 := dst.Serialize(r1[i]) // appendFast on Go values
			b4, e4 := dst.serializeFull(r2[i])
			if (e1 == nil) != (e2 == nil) || (e1 == nil) != (e3 == nil) || (e1 == nil) != (e4 == nil) {
				t.Fatalf("%s→%s %x %s: errors old %v, new %v, new on old values %v, old on raw %v",
					src.name, dst.name, data, r1[i].MessageType(), e1, e2, e3, e4)
			}
			if e1 != nil {
				continue
			}
			if bytes.Equal(b1, b2) && bytes.Equal(b1, b3) && bytes.Equal(b1, b4) {
				continue
			}
			multi := false
			for _, p := range payloadsOf(r1[i]) {
				multi = multi || multiKeyMap(p)
			}
			if !multi {
				t.Fatalf("%s→%s %x %s:\nold %x\nnew %x\nnew on old values %x\nold on raw %x",
					src.name, dst.name, data, r1[i].MessageType(), b1, b2, b3, b4)
			}
			d1, err := dst.deserializeFull(b1)
			if err != nil {
				t.Fatalf("old output does not decode: %v", err)
			}
			for _, b := range [][]byte{b2, b3, b4} {
				d, err := dst.deserializeFull(b)
				if err != nil || show(d) != show(d1) || len(b) != len(b1) {
					t.Fatalf("%s→%s %x: old %x, new %x (%v)", src.name, dst.name, data, b1, b, err)
				}
			}
		}
	}
	return raw
}

// payloadCases are Arguments and ArgumentsKw values that exercise every
// kind of value and the edges of their encodings.
func payloadCases() []wamp.List {
	long := func(n int) string { return strings.Repeat("x", n) }
	return []wamp.List{
		{1, 2},
		{1.5, 2.0},
		{int64(-1), int64(-33), int64(-129), int64(-40000), int64(-3e9), int64(math.MinInt64)},
		{uint64(127), uint64(128), uint64(255), uint64(256), uint64(65535), uint64(65536), uint64(1 << 32), uint64(math.MaxUint64)},
		{int64(128), int64(40000), int64(3e9)},
		{0.1, 1e-7, 1e21, 1e20, 123456.789, -0.0, 0.0, 1.0, -1.0, 5e-324, math.MaxFloat64},
		{math.NaN(), math.Inf(1), math.Inf(-1)},
		{"", "a", "quote\"back\\slash", "<&>", "tab\tnl\ncr\rbs\bff\f", "\x01\x1f", "é€😀", "\u2028\u2029", "a\x00b"},
		{"\x00", "\x00AP8=", "\x00not base64", []byte{}, []byte{0, 1, 2, 255}},
		{long(31), long(32), long(255), long(256), long(65535), long(65536)},
		{[]byte(long(255)), []byte(long(256)), []byte(long(65536))},
		{true, false, nil},
		{[]any{}, map[string]any{}, []any{[]any{[]any{1}}}, map[string]any{"a": map[string]any{"b": []any{1, "c"}}}},
		{map[string]any{"a": 1, "b": 2, "c": []any{3}}},
		{make([]any, 15), make([]any, 16), make([]any, 23), make([]any, 24), make([]any, 300)},
		{func() map[string]any {
			m := map[string]any{}
			for i := range 20 {
				m[fmt.Sprint("k", i)] = i
			}
			return m
		}()},
		{map[string]any{"": 1, "\x00AP8=": "key looks binary"}},
		{},
	}
}

// clientMessages returns, for the serializer s, messages as clients write
// them (encoded by the old path).
func clientMessages(t testing.TB, s *serializer) [][]byte {
	var out [][]byte
	add := func(m wamp.Message) {
		b, err := s.serializeFull(m)
		if err != nil {
			t.Fatalf("encode %v: %v", m, err)
		}
		out = append(out, b)
	}
	kw := []wamp.Dict{nil, {}, {"a": 1}, {"x": []any{1.5, "y"}, "z": nil}}
	opts := []wamp.Dict{{}, {"timeout": 1000}, {"receive_progress": true, "disclose_me": true}, {"bin": []byte{1, 2}}}
	for i, args := range payloadCases() {
		for j, k := range kw {
			o := opts[(i+j)%len(opts)]
			add(&wamp.Call{Request: wamp.ID(i + 1), Options: o, Procedure: "com.example.add", Arguments: args, ArgumentsKw: k})
			add(&wamp.Yield{Request: wamp.ID(1 << (i + 10)), Options: o, Arguments: args, ArgumentsKw: k})
			add(&wamp.Error{Type: wamp.INVOCATION, Request: 9, Details: o, Error: "com.example.error", Arguments: args, ArgumentsKw: k})
			add(&wamp.Publish{Request: 3, Options: o, Topic: "com.example.topic", Arguments: args, ArgumentsKw: k})
		}
	}
	add(&wamp.Call{Request: 1, Options: wamp.Dict{}, Procedure: "wamp.session.count", Arguments: wamp.List{wamp.List{"user"}}})
	add(&wamp.Call{Request: 1, Options: wamp.Dict{}, Procedure: "wamp.session.kill", Arguments: wamp.List{uint64(5)}, ArgumentsKw: wamp.Dict{"reason": "x.y"}})
	add(&wamp.Publish{Request: 1, Options: wamp.Dict{}, Topic: "wamp.session.on_join", Arguments: wamp.List{1}})
	add(&wamp.Call{Request: 1, Options: wamp.Dict{}, Procedure: "com.<weird>\u00e9", Arguments: wamp.List{1}})
	add(&wamp.Error{Type: wamp.CALL, Request: 1 << 53, Details: wamp.Dict{}, Error: wamp.URI(strings.Repeat("e", 40)), Arguments: wamp.List{1}})
	add(&wamp.Register{Request: 1, Options: wamp.Dict{}, Procedure: "com.example.add"})
	add(&wamp.Result{Request: 1, Details: wamp.Dict{}, Arguments: wamp.List{1}})
	return out
}

// handWritten are inputs no encoder of ours writes: non-canonical spellings
// (which must take the old path), and malformed messages.
var handWritten = map[string][]string{
	"json": {
		`[48,1,{},"p",[1,2]]`, ` [ 48 , 1 , {} , "p" , [1,2] ] `, `[48,1,{},"p",[1, 2]]`, `[48,1,{},"p",[1e5]]`,
		`[48,1,{},"p",[-0]]`, `[48,1,{},"p",[1.50]]`, `[48,1,{},"p",[100000.0,1E2,1e+21,1.25e-7,1.25e-07]]`,
		`[48,1,{},"p",[12345678901234567890123]]`, `[48,1,{},"p",[18446744073709551615,-9223372036854775808]]`,
		`[48,1,{},"p",[1],{"a":1,"a":2}]`, `[48,1,{},"p",["\u0041","\/","\u003C","\u003c","\ud83d\ude00"]]`,
		`[48,1,{},"p",["\u0000AP8=","\u0000AP8"]]`, "[48,1,{},\"p\",[\"\xff\"]]", "[48,1,{},\"p\",[\"\u2028\"]]",
		`[48,1,{},"p",[1]]x`, `[48,1,{},"p",[1]`, `[48,1,{},"p",[01]]`, `[48,1,{},"p",{}]`, `[48,1,{},"p",null]`,
		`[48,1,{},"p",[1],null]`, `[48,1,null,"p",[1]]`, `[48,1.0,{},"p",[1]]`, `[48,-1,{},"p",[1]]`, `[48,"1",{},"p",[1]]`,
		`[48,1,{},"p",[1],{},{}]`, `[48,1,{}]`, `[48,1,{},"p",[],{}]`, `[48,1,{},"p",[],{"a":[]}]`, `[70,1,{}]`,
		`[70,1,{},[1]]`, `[8,68,1,{},"e",[1]]`, `[8,300,1,{},"e",[1]]`, `[16,1,{},"t",[1],{"k":"v"}]`, `[48,1,{},"p\u0041",[1]]`,
		`[48,1,{"a":1,"a":2},"p",[1]]`, `[48,1,{},"p",[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`[]`, `{}`, `48`, ``, `[48]`, `[999,1]`,
		// Not UTF-8: refused by both paths.
		"[48,1,{},\"p\",[],{\"\x92\":1,\"\xa1\":2}]", "[48,1,{\"\xff\":1},\"p\"]", "[48,1,{},\"p\xff\"]",
	},
	"msgpack": {
		"9530 01 80 a170 920102", "9530 01 80 a170 92cc05cc80", "9530 01 80 a170 91d005", "9530 01 80 a170 91d0df",
		"9530 01 80 a170 91d100c8", "9530 01 80 a170 91d10005", "9530 01 80 a170 91ca3fc00000", "9530 01 80 a170 91d40100",
		"9530 01 80 a170 91c4026162", "9530 01 80 a170 91d9026162", "9530 01 80 a170 91c0", "9630 01 80 a170 90 82a16101a16102",
		"9630 01 80 a170 90 81c40161 01", "9630 01 80 a170 90 810101", "9530 01 80 a170 91a1ff", "9530 01 80 a170 dc000101",
		"9530 cc01 80 a170 9101", "9530 d001 80 a170 9101", "9530 01 c0 a170 9101", "9530 01 80 a170 9101 00",
		"9530 01 80 a170 9101ff", "9530 01 80 a170", "dc000530 01 80 a170 9101", "9330 01 80", "9346 01 80", "9546 01 80 9101 8161",
		"9608 44 01 80 a165 9101", "9510 01 80 a174 9101", "91", "80", "",
		"9630 01 80 a170 90 82a19201a1a102", "9430 01 81a1ff01 a170", "9430 01 80 a270ff",
	},
	"cbor": {
		"8518 30 01 a0 6170 820102", "8518 30 01 a0 6170 81 1805", "8518 30 01 a0 6170 81 f93e00",
		"8518 30 01 a0 6170 81 fa3fc00000", "8518 30 01 a0 6170 81 d84043010203", "8518 30 01 a0 6170 81 c24101",
		"8518 30 01 a0 6170 81 c349010000000000000000", "8518 30 01 a0 6170 81 f7", "8518 30 01 a0 6170 81 f0",
		"8518 30 01 a0 6170 9f01ff", "8518 30 01 a0 6170 81 5f4101ff", "8618 30 01 a0 6170 80 a2616101616102",
		"8618 30 01 a0 6170 80 a10101", "8518 30 01 a0 6170 81 3bffffffffffffffff", "8518 30 01 a0 6170 81 3b7fffffffffffffff",
		"8518 30 01 a0 6170 81 61ff", "8518 30 01 a0 6170 81 d9d9f701", "8518 30 01 a0 6170 81 01 00", "8518 30 01 a0 6170 81",
		"9805 1830 01 a0 6170 8101", "8518 30 1801 a0 6170 8101", "8518 30 01 f6 6170 8101", "8318 30 01 a0", "8318 46 01 a0",
		"8718 08 1844 01 a0 6165 8101 a0", "8518 10 01 a0 6174 8101", "81", "a0", "",
		"8618 30 01 a0 6170 80 a2619201 61a102", "8418 30 01 a161ff01 6170", "8418 30 01 a0 6270ff",
	},
}

func handWrittenInputs(t testing.TB, s *serializer) [][]byte {
	var out [][]byte
	for _, in := range handWritten[s.name] {
		if s.json {
			out = append(out, []byte(in))
			continue
		}
		b, err := hex.DecodeString(strings.ReplaceAll(in, " ", ""))
		if err != nil {
			t.Fatalf("bad hex %q: %v", in, err)
		}
		out = append(out, b)
	}
	return out
}

func TestPassthroughMatchesFullPath(t *testing.T) {
	for _, src := range allSerializers {
		t.Run(src.name, func(t *testing.T) {
			raws := 0
			inputs := clientMessages(t, src)
			for _, data := range inputs {
				if checkSame(t, src, data) {
					raws++
				}
			}
			for _, data := range handWrittenInputs(t, src) {
				checkSame(t, src, data)
			}
			// Most generated messages must take the fast path, or the test
			// would prove little.
			if raws < len(inputs)/2 {
				t.Errorf("only %d of %d messages carried a raw payload", raws, len(inputs))
			}
		})
	}
}

// TestPassthroughPaths checks which messages take the fast path.
func TestPassthroughPaths(t *testing.T) {
	for _, s := range allSerializers {
		enc := func(m wamp.Message) []byte {
			b, err := s.serializeFull(m)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		for _, tc := range []struct {
			msg  wamp.Message
			fast bool
		}{
			{&wamp.Call{Request: 1, Options: wamp.Dict{}, Procedure: "com.example.add", Arguments: wamp.List{1, 2}}, true},
			{&wamp.Call{Request: 1, Options: wamp.Dict{}, Procedure: "wamp.session.kill", Arguments: wamp.List{1}}, false},
			{&wamp.Publish{Request: 1, Options: wamp.Dict{}, Topic: "wamp.x", Arguments: wamp.List{1}}, false},
			{&wamp.Publish{Request: 1, Options: wamp.Dict{}, Topic: "a.b", Arguments: wamp.List{1}}, true},
			{&wamp.Yield{Request: 1, Options: wamp.Dict{}, ArgumentsKw: wamp.Dict{"a": 1}}, true},
			{&wamp.Error{Type: wamp.INVOCATION, Request: 1, Details: wamp.Dict{}, Error: "a.b", Arguments: wamp.List{"x"}}, true},
			{&wamp.Register{Request: 1, Options: wamp.Dict{}, Procedure: "a.b"}, false},
			{&wamp.Yield{Request: 1, Options: wamp.Dict{}, Arguments: wamp.List{wire.CBORTypedBytes{1}}}, s.name != "cbor"},
		} {
			got := s.decodeFast(enc(tc.msg)) != nil
			if got != tc.fast {
				t.Errorf("%s %s: fast path %v, want %v", s.name, show(tc.msg), got, tc.fast)
			}
		}
	}
}

func FuzzPassthrough(f *testing.F) {
	for i, s := range allSerializers {
		for _, b := range clientMessages(f, s) {
			f.Add(uint8(i), b)
		}
		for _, b := range handWrittenInputs(f, s) {
			f.Add(uint8(i), b)
		}
	}
	which, data := nestingSeeds()
	for k := range data {
		f.Add(which[k], data[k])
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		checkSame(t, allSerializers[int(which)%len(allSerializers)], data)
	})
}

// Benchmarks of the old and new path on a CALL as the benchmark's clients
// send it, and the INVOCATION nexus makes of it.
func BenchmarkCodecPaths(b *testing.B) {
	call := &wamp.Call{Request: 12345, Options: wamp.Dict{}, Procedure: "com.example.calc.add", Arguments: wamp.List{1.5, 2.25}}
	for _, s := range allSerializers {
		data, err := s.serializeFull(call)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("Deserialize/old/"+s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.deserializeFull(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Deserialize/new/"+s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Deserialize(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		oldMsg, _ := s.deserializeFull(data)
		newMsg, _ := s.Deserialize(data)
		inv := func(m wamp.Message) wamp.Message {
			c := m.(*wamp.Call)
			return &wamp.Invocation{Request: 777, Registration: 4242, Details: wamp.Dict{}, Arguments: c.Arguments}
		}
		b.Run("Serialize/old/"+s.name, func(b *testing.B) {
			b.ReportAllocs()
			m := inv(oldMsg)
			for b.Loop() {
				if _, err := s.serializeFull(m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Serialize/new/"+s.name, func(b *testing.B) {
			b.ReportAllocs()
			m := inv(newMsg)
			for b.Loop() {
				if _, err := s.Serialize(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPassthroughHTMLCharsAsIs: the router and the wamp package share one
// JSON configuration (internal/wire), which writes &, < and > as they are,
// so a payload holding them is canonical and relayed byte for byte, and the
// router's full path writes a Go string the way a wampgen client does.
func TestPassthroughHTMLCharsAsIs(t *testing.T) {
	m := jsonSerializer.decodeFast([]byte(`[70,1,{},["<&>"]]`))
	y, ok := m.(*wamp.Yield)
	if !ok {
		t.Fatalf("decodeFast: %T, want the fast path's *wamp.Yield", m)
	}
	got, err := jsonSerializer.Serialize(&wamp.Result{Request: 1, Details: wamp.Dict{}, Arguments: y.Arguments})
	if err != nil {
		t.Fatal(err)
	}
	const want = `[50,1,{},["<&>"]]`
	if string(got) != want {
		t.Errorf("relayed %s, want %s", got, want)
	}
	full, err := jsonSerializer.serializeFull(&wamp.Result{Request: 1, Details: wamp.Dict{}, Arguments: wamp.List{"<&>"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(full) != want {
		t.Errorf("full path wrote %s, want %s", full, want)
	}
	client, err := wampbin.JSON.EncodeValue("<&>")
	if err != nil {
		t.Fatal(err)
	}
	if string(client) != `"<&>"` {
		t.Errorf("wamp.JSON wrote %s, want \"<&>\"", client)
	}
	// The escapes the shared configuration never writes are not canonical.
	if m := jsonSerializer.decodeFast([]byte(`[70,1,{},["\u003c"]]`)); m != nil {
		t.Errorf(`decodeFast took "\u003c" raw; the codec writes "<"`)
	}
}
