package wamp

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wampgen/wampgen/internal/wire"
)

// The encoder of values that hold a type with its own form (see form.go).
// It writes lists, dictionaries, structs and pointers itself, down to the
// values with an own form, and hands every part without one to the codec
// (appendCodecOnly), so that such parts are written exactly as before.
// Values without an own form never come here: appendCodec sends them to
// the codec directly, at the cost they always had.

// appendOwn appends the encoding of v. depth counts the lists and
// dictionaries around it, as the codec's depth limit does.
func (s *Serializer) appendOwn(eb *encBuf, b []byte, v reflect.Value, depth int) ([]byte, error) {
	if !v.IsValid() {
		return append(b, s.null...), nil
	}
	t := v.Type()
	switch {
	case t.Kind() == reflect.Interface:
		// By its dynamic value, which is most often a scalar (in a []any
		// or map[string]any) that appendScalar writes without the codec.
		if v.IsNil() {
			return append(b, s.null...), nil
		}
		return s.appendOwn(eb, b, v.Elem(), depth) // not a level of nesting
	case isPlainScalar(t):
		if out, ok := s.appendScalar(b, v); ok {
			return out, nil
		}
	}
	switch formOf(t) {
	case formTime:
		tm, _ := reflect.TypeAssert[time.Time](v) // no allocation, unlike Interface
		return s.appendTime(b, tm)
	case formText:
		text, err := methodOf[encoding.TextMarshaler](v).MarshalText()
		if err != nil {
			return b, fmt.Errorf("%s: MarshalText: %w", t, err)
		}
		if !utf8.Valid(text) {
			return b, fmt.Errorf("%s: MarshalText returned invalid UTF-8 %q", t, text)
		}
		return s.appendStr(eb, b, string(text))
	case formBinary:
		data, err := methodOf[encoding.BinaryMarshaler](v).MarshalBinary()
		if err != nil {
			return b, fmt.Errorf("%s: MarshalBinary: %w", t, err)
		}
		return s.appendBinary(b, data), nil
	case formJSON:
		data, err := methodOf[json.Marshaler](v).MarshalJSON()
		if err != nil {
			return b, fmt.Errorf("%s: MarshalJSON: %w", t, err)
		}
		return s.appendJSONValue(eb, b, t, data, depth)
	}
	plan := planOf(t)
	if plan == planCodec {
		if out, ok := s.appendScalar(b, v); ok {
			return out, nil
		}
	}
	if plan == planCodec || plan == planDynamic {
		own, err := scan(v, depth, maxHops)
		if err != nil {
			return b, err
		}
		if !own {
			return s.appendCodecOnly(eb, b, v.Interface())
		}
	}
	if t.Kind() == reflect.Pointer {
		if v.IsNil() {
			return append(b, s.null...), nil
		}
		return s.appendOwn(eb, b, v.Elem(), depth) // not a level of nesting
	}
	if depth >= wire.MaxDepth {
		return b, wire.ErrTooDeep // a list or dictionary inside depth others
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			return append(b, s.null...), nil // as the codec writes a nil slice
		}
		return s.appendOwnList(eb, b, v, depth)
	case reflect.Map:
		if v.IsNil() {
			return append(b, s.null...), nil // as the codec writes a nil map
		}
		return s.appendOwnMap(eb, b, v, depth)
	case reflect.Struct:
		return s.appendOwnStruct(eb, b, v, depth)
	}
	return b, fmt.Errorf("cannot encode %s", t)
}

// plainScalars are the unnamed scalar types most values are made of.
var plainScalars = [...]reflect.Type{
	reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[int64](),
	reflect.TypeFor[uint64](), reflect.TypeFor[bool](), reflect.TypeFor[float64](),
}

// isPlainScalar reports whether t is one of plainScalars, with a few
// comparisons rather than the lookups of formOf and planOf.
func isPlainScalar(t reflect.Type) bool {
	for _, p := range plainScalars {
		if t == p {
			return true
		}
	}
	return false
}

// appendScalar writes a string, bool or integer (not of a codec.Selfer
// type) byte for byte as the codec would, without its per-call setup; for
// anything else it reports false and writes nothing.
func (s *Serializer) appendScalar(b []byte, v reflect.Value) ([]byte, bool) {
	if formOf(v.Type()) != formKind {
		return b, false
	}
	json := s.format == formatJSON
	switch v.Kind() {
	case reflect.String:
		return s.appendString(b, v.String())
	case reflect.Bool:
		if json {
			return strconv.AppendBool(b, v.Bool()), true
		}
		return s.appendSimple(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if json {
			return strconv.AppendInt(b, v.Int(), 10), true
		}
		return s.appendInt(b, v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if json {
			return strconv.AppendUint(b, v.Uint(), 10), true
		}
		return s.appendUint(b, v.Uint()), true
	}
	return b, false
}

// methodOf returns v (or a pointer to it, or to a copy of it, when the
// method has a pointer receiver) as an I.
func methodOf[I any](v reflect.Value) I {
	if m, ok := v.Interface().(I); ok {
		return m
	}
	if !v.CanAddr() {
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		v = p.Elem()
	}
	return v.Addr().Interface().(I)
}

func (s *Serializer) appendOwnList(eb *encBuf, b []byte, v reflect.Value, depth int) ([]byte, error) {
	n := v.Len()
	b = s.appendListHead(b, n)
	l, plain := reflect.TypeAssert[[]any](v)
	for i := range n {
		b = s.appendSep(b, i)
		if plain {
			// A []any mostly holds scalars: written without reflection.
			if out, ok := s.appendAnyScalar(b, l[i]); ok {
				b = out
				continue
			}
		}
		var err error
		if b, err = s.appendOwn(eb, b, v.Index(i), depth+1); err != nil {
			return b, fmt.Errorf("[%d]: %w", i, err)
		}
	}
	return s.appendListEnd(b), nil
}

// appendAnyScalar is appendScalar for a value in an interface: nil, a
// string, bool, int, int64 or uint64 (the values a []any mostly holds);
// for anything else it reports false and writes nothing.
func (s *Serializer) appendAnyScalar(b []byte, e any) ([]byte, bool) {
	json := s.format == formatJSON
	switch x := e.(type) {
	case nil:
		return append(b, s.null...), true
	case string:
		return s.appendString(b, x)
	case bool:
		if json {
			return strconv.AppendBool(b, x), true
		}
		return s.appendSimple(b, x)
	case int:
		return s.appendAnyInt(b, int64(x)), true
	case int64:
		return s.appendAnyInt(b, x), true
	case uint64:
		if json {
			return strconv.AppendUint(b, x, 10), true
		}
		return s.appendUint(b, x), true
	}
	return b, false
}

func (s *Serializer) appendAnyInt(b []byte, n int64) []byte {
	if s.format == formatJSON {
		return strconv.AppendInt(b, n, 10)
	}
	return s.appendInt(b, n)
}

// dictEntry is one entry of a dictionary being written.
type dictEntry struct {
	key   string        // a dictionary key; unused for a non-string key in MsgPack or CBOR
	rkey  reflect.Value // a key the codec writes (MsgPack and CBOR keep integer keys)
	value reflect.Value
}

// appendOwnMap writes a map with its keys in order: keys with a text form
// as their text, string keys as they are, integer keys as the codec writes
// them (decimal strings in JSON).
func (s *Serializer) appendOwnMap(eb *encBuf, b []byte, v reflect.Value, depth int) ([]byte, error) {
	if m, ok := reflect.TypeAssert[map[string]any](v); ok {
		return s.appendOwnDict(eb, b, m, depth)
	}
	entries := make([]dictEntry, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		e := dictEntry{value: it.Value()}
		var err error
		if e.key, e.rkey, err = s.dictKey(it.Key()); err != nil {
			return b, err
		}
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(x, y dictEntry) int { return strings.Compare(x.key, y.key) })
	// Keys written as text (all but MsgPack's and CBOR's integer keys)
	// may collide: MarshalText need not be one-to-one, and equal times
	// can be different map keys (monotonic readings, *Location values).
	for i := 1; i < len(entries); i++ {
		if entries[i].key == entries[i-1].key && !entries[i].rkey.IsValid() {
			return b, fmt.Errorf("map %s: two keys have the same text %q, which would be one dictionary key twice", v.Type(), entries[i].key)
		}
	}
	b = s.appendDictHead(b, len(entries))
	for i, e := range entries {
		b = s.appendSep(b, i)
		var err error
		if e.rkey.IsValid() {
			b, err = s.appendOwn(eb, b, e.rkey, depth+1)
		} else {
			b, err = s.appendStr(eb, b, e.key)
		}
		if err != nil {
			return b, err
		}
		b = s.appendDictColon(b)
		if b, err = s.appendOwn(eb, b, e.value, depth+1); err != nil {
			return b, fmt.Errorf("[%q]: %w", e.key, err)
		}
	}
	return s.appendDictEnd(b), nil
}

// appendOwnDict is appendOwnMap for the map[string]any most payloads are
// built from, without reflection for the keys and the scalar values.
func (s *Serializer) appendOwnDict(eb *encBuf, b []byte, m map[string]any, depth int) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = s.appendDictHead(b, len(keys))
	for i, k := range keys {
		b = s.appendSep(b, i)
		var err error
		if b, err = s.appendStr(eb, b, k); err != nil {
			return b, err
		}
		b = s.appendDictColon(b)
		if out, ok := s.appendAnyScalar(b, m[k]); ok {
			b = out
			continue
		}
		if b, err = s.appendOwn(eb, b, reflect.ValueOf(m[k]), depth+1); err != nil {
			return b, fmt.Errorf("[%q]: %w", k, err)
		}
	}
	return s.appendDictEnd(b), nil
}

// dictKey returns the dictionary key of the map key k: the text of a time
// or a text form, a string as it is, an integer in JSON as its decimal
// string; in MsgPack and CBOR other keys are written as they are (rkey),
// key then only orders them. An interface key goes by its dynamic value.
func (s *Serializer) dictKey(k reflect.Value) (key string, rkey reflect.Value, err error) {
	kt := k.Type()
	switch {
	case formOf(kt) == formTime:
		text, err := timeText(nil, k.Interface().(time.Time))
		if err != nil {
			return "", rkey, fmt.Errorf("map key: %w", err)
		}
		return string(text), rkey, nil
	case formOf(kt) == formText:
		text, err := methodOf[encoding.TextMarshaler](k).MarshalText()
		if err != nil {
			return "", rkey, fmt.Errorf("map key %s: MarshalText: %w", kt, err)
		}
		if !utf8.Valid(text) {
			return "", rkey, fmt.Errorf("map key %s: MarshalText returned invalid UTF-8 %q", kt, text)
		}
		return string(text), rkey, nil
	case formOf(kt) == formBinary || formOf(kt) == formJSON:
		// What JSON peers could not have as a key, nor the router give them.
		return "", rkey, fmt.Errorf("map key type %s travels as binary or a JSON value, which cannot be a dictionary key (give it a text form)", kt)
	}
	switch kt.Kind() {
	case reflect.String:
		return k.String(), rkey, nil
	case reflect.Interface:
		if k.IsNil() {
			return "", rkey, fmt.Errorf("map key %s is nil", kt)
		}
		return s.dictKey(k.Elem())
	}
	if s.format != formatJSON {
		return fmt.Sprint(k.Interface()), k, nil
	}
	switch kt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), rkey, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), rkey, nil
	}
	return "", rkey, fmt.Errorf("map key type %s cannot be a dictionary key", kt)
}

// appendOwnStruct writes a struct as a dictionary, its fields named and
// left out (omitempty, nil embedded pointers) as the codec does.
func (s *Serializer) appendOwnStruct(eb *encBuf, b []byte, v reflect.Value, depth int) ([]byte, error) {
	fields := encodedFields(v.Type())
	// MsgPack and CBOR write the number of entries first.
	present := func(f encField) (reflect.Value, bool) {
		fv, ok := fieldOf(v, f.index)
		if !ok || f.omitEmpty && isEmptyValue(fv) {
			return reflect.Value{}, false
		}
		return fv, true
	}
	n := 0
	for _, f := range fields {
		if _, ok := present(f); ok {
			n++
		}
	}
	b = s.appendDictHead(b, n)
	i := 0
	for _, f := range fields {
		fv, ok := present(f)
		if !ok {
			continue
		}
		b = s.appendSep(b, i)
		i++
		var err error
		if b, err = s.appendStr(eb, b, f.name); err != nil {
			return b, err
		}
		b = s.appendDictColon(b)
		if b, err = s.appendOwn(eb, b, fv, depth+1); err != nil {
			return b, fmt.Errorf(".%s: %w", f.name, err)
		}
	}
	return s.appendDictEnd(b), nil
}

// timeText appends the wire form of t: RFC 3339 with nanoseconds, as
// time.Time.MarshalText writes it (trailing zeros of the fraction left
// out, the UTC offset kept, "Z" for UTC). A time RFC 3339 cannot write
// exactly is an error: a year outside 0..9999, or an offset with seconds
// (some historic local mean times) or of a day or more.
func timeText(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		return b, fmt.Errorf("time %s: year %d is outside 0..9999, which RFC 3339 cannot write", t.Round(0), y)
	}
	if _, off := t.Zone(); off%60 != 0 || off <= -24*3600 || off >= 24*3600 {
		return b, fmt.Errorf("time %s: UTC offset of %ds cannot be written in RFC 3339 (whole minutes, less than a day)", t.Round(0), off)
	}
	return t.AppendFormat(b, time.RFC3339Nano), nil
}

func (s *Serializer) appendTime(b []byte, t time.Time) ([]byte, error) {
	var buf [len(time.RFC3339Nano) + 8]byte
	text, err := timeText(buf[:0], t)
	if err != nil {
		return b, err
	}
	// The text needs no JSON escapes: appendString writes it in every
	// format (and does not keep it, so buf stays on the stack).
	b, _ = s.appendString(b, unsafeString(text))
	return b, nil
}

// appendStr writes a string, through the codec when JSON needs escapes.
func (s *Serializer) appendStr(eb *encBuf, b []byte, str string) ([]byte, error) {
	if out, ok := s.appendString(b, str); ok {
		return out, nil
	}
	return s.appendCodecOnly(eb, b, str)
}

// appendBinary writes data as binary: MsgPack bin, CBOR byte string, or
// the JSON convention ("\u0000" and base64).
func (s *Serializer) appendBinary(b []byte, data []byte) []byte {
	if s.format == formatJSON {
		b = append(b, `"\u0000`...)
		b = base64.StdEncoding.AppendEncode(b, data)
		return append(b, '"')
	}
	if data == nil {
		data = []byte{} // binary, not null
	}
	b, _ = s.appendSimple(b, data)
	return b
}

// appendJSONValue writes what a json.Marshaler wrote, standing inside
// depth lists and dictionaries: in JSON as it is (compacted); in MsgPack
// and CBOR as the same structure, transcoded the way the router converts
// JSON (integers stay integers, other numbers are float64,
// "\u0000"-prefixed base64 strings are binary). Its nesting counts from
// depth, so that no receiver refuses it as too deep.
func (s *Serializer) appendJSONValue(eb *encBuf, b []byte, t reflect.Type, data []byte, depth int) ([]byte, error) {
	// JSON text is UTF-8; neither json.Compact nor the codec check it, and
	// encoding/json would replace bad bytes with U+FFFD.
	if !utf8.Valid(data) {
		return b, fmt.Errorf("%s: MarshalJSON wrote invalid UTF-8", t)
	}
	// The value is checked behind depth open lists, as wire.JSONDepth
	// counts from the start; compacting it first drops whitespace that
	// would hide nothing from the count anyway.
	var buf bytes.Buffer
	buf.Grow(depth + len(data))
	buf.WriteString(strings.Repeat("[", depth))
	if err := json.Compact(&buf, data); err != nil {
		return b, fmt.Errorf("%s: MarshalJSON wrote invalid JSON: %w", t, err)
	}
	if err := wire.JSONDepth(buf.Bytes()); err != nil {
		return b, fmt.Errorf("%s: MarshalJSON wrote a value that, where it stands, is %w", t, err)
	}
	compact := buf.Bytes()[depth:]
	dec := json.NewDecoder(bytes.NewReader(compact))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return b, fmt.Errorf("%s: MarshalJSON wrote invalid JSON: %w", t, err)
	}
	if s.format == formatJSON {
		// Its numbers must be ones MsgPack and CBOR peers get exactly.
		if err := checkJSONNumbers(v); err != nil {
			return b, fmt.Errorf("%s: MarshalJSON wrote %w", t, err)
		}
		return append(b, compact...), nil
	}
	out, err := s.appendJSONTree(eb, b, v)
	if err != nil {
		return b, fmt.Errorf("%s: MarshalJSON wrote %w", t, err)
	}
	return out, nil
}

// A JSON number travels in MsgPack and CBOR as one of these.
const (
	numInt = iota
	numUint
	numFloat
)

// parseJSONNumber reads a JSON number as an int64, a uint64 or (with a
// fraction or an exponent) a float64. An integer beyond 64 bits or a
// number beyond float64 is an error: it would not arrive as written.
func parseJSONNumber(x json.Number) (i int64, u uint64, f float64, kind int, err error) {
	if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
		return i, 0, 0, numInt, nil
	}
	if u, err := strconv.ParseUint(string(x), 10, 64); err == nil {
		return 0, u, 0, numUint, nil
	}
	if !strings.ContainsAny(string(x), ".eE") {
		return 0, 0, 0, 0, fmt.Errorf("the integer %s, beyond 64 bits, which MsgPack and CBOR cannot carry", x)
	}
	f, err = strconv.ParseFloat(string(x), 64)
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("the number %s, beyond float64, which MsgPack and CBOR cannot carry", x)
	}
	return 0, 0, f, numFloat, nil
}

// checkJSONNumbers checks every number in v (decoded with UseNumber)
// with parseJSONNumber.
func checkJSONNumbers(v any) error {
	switch x := v.(type) {
	case json.Number:
		_, _, _, _, err := parseJSONNumber(x)
		return err
	case []any:
		for _, e := range x {
			if err := checkJSONNumbers(e); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, e := range x {
			if err := checkJSONNumbers(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendJSONTree writes a value encoding/json decoded (with UseNumber) in
// MsgPack or CBOR, dictionary keys in order. Its depth was checked.
func (s *Serializer) appendJSONTree(eb *encBuf, b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case json.Number:
		i, u, f, kind, err := parseJSONNumber(x)
		switch {
		case err != nil:
			return b, err
		case kind == numInt:
			return s.appendInt(b, i), nil
		case kind == numUint:
			return s.appendUint(b, u), nil
		}
		b, _ = s.appendSimple(b, f)
		return b, nil
	case string:
		if data, ok := DecodeBinaryString(x); ok {
			return s.appendBinary(b, data), nil
		}
		return s.appendStr(eb, b, x)
	case []any:
		b = s.appendListHead(b, len(x))
		for _, e := range x {
			var err error
			if b, err = s.appendJSONTree(eb, b, e); err != nil {
				return b, err
			}
		}
		return b, nil
	case map[string]any:
		b = s.appendDictHead(b, len(x))
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		}) {
			var err error
			if b, err = s.appendStr(eb, b, k); err != nil {
				return b, err
			}
			if b, err = s.appendJSONTree(eb, b, x[k]); err != nil {
				return b, err
			}
		}
		return b, nil
	}
	b, _ = s.appendSimple(b, v) // nil or bool
	return b, nil
}

// appendDictHead opens a dictionary of n entries.
func (s *Serializer) appendDictHead(b []byte, n int) []byte { return s.format.AppendDictHead(b, n) }

// appendDictColon separates a key from its value (JSON only).
func (s *Serializer) appendDictColon(b []byte) []byte {
	if s.format == formatJSON {
		return append(b, ':')
	}
	return b
}

// appendDictEnd closes a dictionary (JSON only).
func (s *Serializer) appendDictEnd(b []byte) []byte {
	if s.format == formatJSON {
		return append(b, '}')
	}
	return b
}
