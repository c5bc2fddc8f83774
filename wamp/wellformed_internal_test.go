package wamp

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/wampgen/wampgen/internal/wire"
	"github.com/wampgen/wampgen/internal/wire/wiretest"
)

// jsonDepth returns the deepest nesting of brackets in valid JSON.
func jsonDepth(b []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// jsonOracle is what JSON.wellFormed must say, from encoding/json: valid
// JSON, in UTF-8, nested at most wire.MaxDepth levels.
func jsonOracle(b []byte) bool {
	return json.Valid(b) && utf8.Valid(b) && jsonDepth(b) <= wire.MaxDepth
}

var jsonCorpus = []string{
	``, ` `, `[]`, `{}`, `[1]`, `{"a":1}`, `[1,]`, `[,1]`, `{"a":1,}`, `{"a"}`, `{"a":}`, `{a:1}`, `[01]`, `[-0]`,
	`[-]`, `[1.]`, `[.1]`, `[1e5]`, `[1E+5]`, `[1e-5]`, `[1e]`, `[0.0e0]`, `["\u00e9"]`, `["\u00g9"]`, `["\x"]`,
	`["a` + "\t" + `"]`, "[\"\xff\"]", "[\"\xe2\x82\xac\"]", `[true,false,null]`, `[tru]`, `[nulll]`, `["]`, `"\"`,
	`1`, `-1.5e-7`, `"s"`, `null`, ` [ 1 , { "a" : [ ] } ] `, `[1]x`, `[1] [2]`, `[[[]]`, `[]]`, `{"a":1 "b":2}`,
	`{"a":1,,"b":2}`, `[1 2]`, `["a" "b"]`, "\ufeff[1]", `[1.5E400]`, `[{"":{"":{"":[]}}}]`, `{"\"":"\\"}`,
}

func TestJSONWellFormedMatchesStdlib(t *testing.T) {
	corpus := append([]string{}, jsonCorpus...)
	corpus = append(corpus, string(bytes.Repeat([]byte{'['}, wire.MaxDepth))+string(bytes.Repeat([]byte{']'}, wire.MaxDepth)))
	corpus = append(corpus, string(bytes.Repeat([]byte{'['}, wire.MaxDepth+1))+string(bytes.Repeat([]byte{']'}, wire.MaxDepth+1)))
	corpus = append(corpus, `{"a":`+string(bytes.Repeat([]byte{'['}, wire.MaxDepth-1))+string(bytes.Repeat([]byte{']'}, wire.MaxDepth-1))+`}`)
	corpus = append(corpus, `{"a":`+string(bytes.Repeat([]byte{'['}, wire.MaxDepth))+string(bytes.Repeat([]byte{']'}, wire.MaxDepth))+`}`)
	for _, in := range corpus {
		if got, want := JSON.wellFormed([]byte(in)) == nil, jsonOracle([]byte(in)); got != want {
			t.Errorf("JSON.wellFormed(%q) ok=%v, encoding/json says %v (err %v)", in, got, want, JSON.wellFormed([]byte(in)))
		}
	}
}

// FuzzJSONWellFormed compares the JSON scanner with encoding/json.
func FuzzJSONWellFormed(f *testing.F) {
	for _, in := range jsonCorpus {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := JSON.wellFormed(b) == nil, jsonOracle(b); got != want {
			t.Fatalf("JSON.wellFormed(%q) ok=%v (%v), encoding/json says %v", b, got, JSON.wellFormed(b), want)
		}
	})
}

// FuzzBinaryWellFormed: what the MsgPack and CBOR scanners accept, the
// codec decodes completely (into codec.Raw elements when it is a list).
func FuzzBinaryWellFormed(f *testing.F) {
	for _, s := range []*Serializer{MsgPack, CBOR} {
		for _, v := range []any{[]any{1, "a", []byte{1}, nil, 1.5, map[string]any{"k": []any{}}}, "x", -7, map[string]any{}} {
			b, _ := s.EncodeValue(v)
			f.Add(b, s == CBOR)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, cbor bool) {
		s := MsgPack
		if cbor {
			s = CBOR
		}
		if s.wellFormed(b) != nil {
			return
		}
		var v any
		err := s.decodeValue(b, &v)
		if err == nil {
			return
		}
		// Only the content of timestamps may still be refused.
		if !bytes.Contains([]byte(err.Error()), []byte("time")) {
			t.Fatalf("%s accepts %x, which the codec refuses: %v", s, b, err)
		}
	})
}

// FuzzNestingMatchesWire holds the scanners, which apply the nesting rule
// in their own walk, to internal/wire's checkers, which the router uses:
// what a scanner accepts, the checker accepts; what a scanner finds too
// deep, the checker finds too deep; and what the checker finds too deep,
// the scanner refuses.
func FuzzNestingMatchesWire(f *testing.F) {
	formats := []struct {
		ser   *Serializer
		check func([]byte) error
	}{{JSON, wire.JSONDepth}, {MsgPack, wire.MsgPackDepth}, {CBOR, wire.CBORDepth}}
	for i, fm := range formats {
		for _, sh := range wiretest.Shapes {
			if sh.Format == fm.ser.name {
				for _, d := range []int{3, wire.MaxDepth, wire.MaxDepth + 1} {
					f.Add(uint8(i), sh.Nest(d))
					f.Add(uint8(i), wiretest.Message(sh.Format, sh.Nest, d))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		fm := formats[int(which)%len(formats)]
		scan, check := fm.ser.wellFormed(b), fm.check(b)
		switch {
		case scan == nil && check != nil:
			t.Fatalf("%s %q: the scanner accepts it, the checker says %v", fm.ser, b, check)
		case errors.Is(scan, wire.ErrTooDeep) && !errors.Is(check, wire.ErrTooDeep):
			t.Fatalf("%s %q: the scanner finds it too deep, the checker says %v", fm.ser, b, check)
		case errors.Is(check, wire.ErrTooDeep) && scan == nil:
			t.Fatalf("%s %q: the checker finds it too deep, the scanner accepts it", fm.ser, b)
		}
	})
}
