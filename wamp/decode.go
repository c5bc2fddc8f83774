package wamp

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ugorji/go/codec"
)

// DecodeError reports an encoded value that does not suit the Go type it is
// decoded into.
type DecodeError struct {
	Want string // the Go type, such as "float64"
	Got  Kind   // the encoded kind
	// Path locates the offending value inside the decoded one, such as
	// "[2]" (a list element), ".name" (a struct field by its wire name) or
	// `["key"]` (a map entry); "" for the decoded value itself.
	Path string
	Err  error // the underlying decoder error, if any
}

func (e *DecodeError) Error() string {
	at := ""
	if e.Path != "" {
		at = " at " + e.Path
	}
	if e.Err != nil {
		return fmt.Sprintf("cannot decode %s into %s%s: %v", e.Got, e.Want, at, e.Err)
	}
	return fmt.Sprintf("expected %s, got %s%s", e.Want, e.Got, at)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// at prefixes the path of a *DecodeError with seg.
func at(err error, seg string) error {
	if e, ok := err.(*DecodeError); ok {
		e.Path = seg + e.Path
	}
	return err
}

// hasOwnForm reports whether values of t travel in a form of the type's
// own (see form.go) rather than by its kind.
func hasOwnForm(t reflect.Type) bool { return formOf(t) != formKind }

// DecodeValue decodes one encoded value into dst, strictly, as described at
// Value.Decode. raw must hold exactly one well-formed value, nested at most
// 100 levels (each list, dictionary and CBOR tag counting as one); anything
// else gives a *DecodeError wrapping ErrMalformed.
func (s *Serializer) DecodeValue(raw []byte, dst any) error {
	if err := s.wellFormed(raw); err != nil {
		return &DecodeError{Want: fmt.Sprintf("%T", dst), Got: s.kind(raw), Err: fmt.Errorf("%w: %v", ErrMalformed, err)}
	}
	return s.decodeValue(raw, dst)
}

// decodeValue is DecodeValue for raw known to be well-formed: a part of a
// message Decode checked, or the output of an encoder.
func (s *Serializer) decodeValue(raw []byte, dst any) error {
	k := s.kind(raw)
	if k == KindInvalid {
		return &DecodeError{Want: fmt.Sprintf("%T", dst), Got: k, Err: ErrMalformed}
	}
	// Fast paths for the types typed procedures use most. A nil pointer
	// falls through to the error below.
	switch p := dst.(type) {
	case *float64:
		if p == nil {
			break
		}
		f, err := s.decodeFloat64(raw, k)
		if err == nil {
			*p = f
		}
		return err
	case *string:
		if p == nil {
			break
		}
		str, err := s.decodeString(raw, k)
		if err == nil {
			*p = str
		}
		return err
	case *bool:
		if p == nil {
			break
		}
		b, err := s.decodeBool(raw, k)
		if err == nil {
			*p = b
		}
		return err
	case *int64:
		if p == nil {
			break
		}
		n, err := s.decodeInt(raw, k, "int64", math.MinInt64, math.MaxInt64)
		if err != nil {
			return err
		}
		*p = n
		return nil
	case *int:
		if p == nil {
			break
		}
		n, err := s.decodeInt(raw, k, "int", math.MinInt, math.MaxInt)
		if err != nil {
			return err
		}
		*p = int(n)
		return nil
	case *[]byte:
		if p == nil {
			break
		}
		if k == KindNil {
			*p = nil
			return nil
		}
		if k != KindBytes {
			return &DecodeError{Want: "[]uint8", Got: k}
		}
		if b, ok := s.bytesOf(raw); ok {
			*p = b
			return nil
		}
		return s.wrap(raw, p, "[]uint8", k)
	case *any:
		if p == nil {
			break
		}
		if err := s.wrap(raw, p, "interface value", k); err != nil {
			return err
		}
		if s.format == formatJSON {
			*p = DecodeBinaryStrings(*p)
		}
		return nil
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("wamp: decoding needs a non-nil pointer, got %T", dst)
	}
	return s.decodeReflect(raw, k, rv.Elem())
}

func (s *Serializer) wrap(raw []byte, dst any, want string, k Kind) error {
	if err := s.decode(raw, dst); err != nil {
		return &DecodeError{Want: want, Got: k, Err: err}
	}
	return nil
}

var (
	anyListType = reflect.TypeFor[[]any]()
	anyDictType = reflect.TypeFor[map[string]any]()
	timeType    = reflect.TypeFor[time.Time]()
)

// nullable reports whether null decodes into a value of type t.
func nullable(t reflect.Type) bool {
	switch formOf(t) {
	case formTime, formJSON, formSelfer:
		return true // the zero time; what UnmarshalJSON makes of null; the codec's choice
	case formText, formBinary:
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// fieldType returns the type of the field of struct type t at index.
func fieldType(t reflect.Type, index []int) reflect.Type {
	for _, i := range index {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		t = t.Field(i).Type
	}
	return t
}

// decodeReflect decodes raw, of kind k, into v. It checks the kind of every
// value against the Go type it goes into, recursing into lists,
// dictionaries, structs and pointers, so that nested values are decoded as
// strictly as top-level ones whatever the serializer; types with an own
// form go to decodeOwn, and the codec decodes only scalars, []byte,
// interface values and codec.Selfer types.
func (s *Serializer) decodeReflect(raw []byte, k Kind, v reflect.Value) error {
	t := v.Type()
	if form := formOf(t); form != formKind {
		return s.decodeOwn(raw, k, v, form)
	}
	if k == KindNil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			v.SetZero()
			return nil
		}
		return &DecodeError{Want: t.String(), Got: k}
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Float32, reflect.Float64, reflect.String:
		return s.decodeScalarInto(raw, k, v)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return s.decodeIntInto(raw, k, v)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return s.decodeUintInto(raw, k, v)
	case reflect.Slice:
		return s.decodeSlice(raw, k, v)
	case reflect.Array:
		return s.decodeArray(raw, k, v)
	case reflect.Map:
		return s.decodeMap(raw, k, v)
	case reflect.Struct:
		if k != KindDict {
			return &DecodeError{Want: t.String(), Got: k}
		}
		if done, err := s.decodeStructFast(raw, v); done {
			return err
		}
		entries, err := s.splitDict(raw, t)
		if err != nil {
			return err
		}
		return s.decodeEntries(entries, v)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return s.decodeReflect(raw, k, v.Elem())
	case reflect.Interface:
		return s.decodeAny(raw, k, v)
	}
	return &DecodeError{Want: t.String(), Got: k, Err: fmt.Errorf("wamp cannot decode into %s", t.Kind())}
}

// decodeScalarInto decodes a bool, a number into a float or a string, of
// kind k, with the codec once the kind suits v's type.
func (s *Serializer) decodeScalarInto(raw []byte, k Kind, v reflect.Value) error {
	t := v.Type()
	ok := false
	switch t.Kind() {
	case reflect.Bool:
		ok = k == KindBool
	case reflect.Float32, reflect.Float64:
		ok = k == KindUint || k == KindInt || k == KindFloat
	case reflect.String:
		ok = k == KindString
	}
	if !ok {
		return &DecodeError{Want: t.String(), Got: k}
	}
	// float64, string and bool kinds as decodeValue's fast paths read them
	// (byte for byte what the codec reads), without a codec decoder per
	// value: a struct's fields come here.
	var err error
	switch t.Kind() {
	case reflect.Float64:
		var f float64
		if f, err = s.decodeFloat64(raw, k); err == nil {
			v.SetFloat(f)
		}
	case reflect.String:
		var str string
		if str, err = s.decodeString(raw, k); err == nil {
			v.SetString(str)
		}
	case reflect.Bool:
		var b bool
		if b, err = s.decodeBool(raw, k); err == nil {
			v.SetBool(b)
		}
	default:
		return s.wrap(raw, v.Addr().Interface(), t.String(), k)
	}
	if de, ok := err.(*DecodeError); ok {
		de.Want = t.String()
	}
	return err
}

// decodeIntInto decodes an integer (or a float without fraction) into v,
// of a signed integer kind, refusing one that overflows it.
func (s *Serializer) decodeIntInto(raw []byte, k Kind, v reflect.Value) error {
	t := v.Type()
	n, err := s.decodeInt(raw, k, t.String(), math.MinInt64, math.MaxInt64)
	if err != nil {
		return err
	}
	if v.OverflowInt(n) {
		return &DecodeError{Want: t.String(), Got: k, Err: fmt.Errorf("%d overflows %s", n, t)}
	}
	v.SetInt(n)
	return nil
}

// decodeUintInto is decodeIntInto for the unsigned kinds.
func (s *Serializer) decodeUintInto(raw []byte, k Kind, v reflect.Value) error {
	t := v.Type()
	u, err := s.decodeUint(raw, k, t.String())
	if err != nil {
		return err
	}
	if v.OverflowUint(u) {
		return &DecodeError{Want: t.String(), Got: k, Err: fmt.Errorf("%d overflows %s", u, t)}
	}
	v.SetUint(u)
	return nil
}

// decodeSlice decodes binary into a byte slice, or a list into any other
// slice, element by element (reusing v's array when it has room).
func (s *Serializer) decodeSlice(raw []byte, k Kind, v reflect.Value) error {
	t := v.Type()
	if t.Elem().Kind() == reflect.Uint8 {
		if k != KindBytes {
			return &DecodeError{Want: t.String(), Got: k}
		}
		if b, ok := s.bytesOf(raw); ok && t == bytesType {
			v.SetBytes(b)
			return nil
		}
		return s.wrap(raw, v.Addr().Interface(), t.String(), k)
	}
	if k != KindList {
		return &DecodeError{Want: t.String(), Got: k}
	}
	if t == anyListType {
		return s.decodeAny(raw, k, v)
	}
	lp := elemLists.Get().(*[][]byte)
	elems, err := s.splitRaw(*lp, raw, t)
	defer putElems(lp, elems)
	if err != nil {
		return err
	}
	sl := v
	if sl.IsNil() || sl.Cap() < len(elems) {
		sl = reflect.MakeSlice(t, len(elems), len(elems))
	} else {
		sl = sl.Slice(0, len(elems))
		for i := range sl.Len() {
			sl.Index(i).SetZero()
		}
	}
	for i, e := range elems {
		if err := s.decodeReflect(e, s.kind(e), sl.Index(i)); err != nil {
			return at(err, "["+strconv.Itoa(i)+"]")
		}
	}
	v.Set(sl)
	return nil
}

// decodeArray decodes binary of the array's length into a byte array, or
// a list of exactly its length into any array.
func (s *Serializer) decodeArray(raw []byte, k Kind, v reflect.Value) error {
	t := v.Type()
	if t.Elem().Kind() == reflect.Uint8 && k == KindBytes {
		var b []byte
		if err := s.wrap(raw, &b, t.String(), k); err != nil {
			return err
		}
		if len(b) != t.Len() {
			return &DecodeError{Want: t.String(), Got: k, Err: fmt.Errorf("%d bytes, want %d", len(b), t.Len())}
		}
		reflect.Copy(v, reflect.ValueOf(b))
		return nil
	}
	if k != KindList {
		return &DecodeError{Want: t.String(), Got: k}
	}
	lp := elemLists.Get().(*[][]byte)
	elems, err := s.splitRaw(*lp, raw, t)
	defer putElems(lp, elems)
	if err != nil {
		return err
	}
	if len(elems) != t.Len() {
		return &DecodeError{Want: t.String(), Got: k, Err: fmt.Errorf("%d elements, want %d", len(elems), t.Len())}
	}
	for i, e := range elems {
		if err := s.decodeReflect(e, s.kind(e), v.Index(i)); err != nil {
			return at(err, "["+strconv.Itoa(i)+"]")
		}
	}
	return nil
}

// decodeMap decodes a dictionary into a map, entry by entry (a null entry
// is the zero value, as for an absent one).
func (s *Serializer) decodeMap(raw []byte, k Kind, v reflect.Value) error {
	t := v.Type()
	if k != KindDict {
		return &DecodeError{Want: t.String(), Got: k}
	}
	if t == anyDictType {
		return s.decodeAny(raw, k, v)
	}
	entries, err := s.splitDict(raw, t)
	if err != nil {
		return err
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(t, len(entries)))
	}
	for key, e := range entries {
		kv, err := mapKey(key, t)
		if err != nil {
			return &DecodeError{Want: t.String(), Got: k, Path: "[" + strconv.Quote(key) + "]", Err: err}
		}
		ev := reflect.New(t.Elem()).Elem()
		if ek := s.kind(e); ek != KindNil || nullable(t.Elem()) {
			if err := s.decodeReflect(e, ek, ev); err != nil {
				return at(err, "["+strconv.Quote(key)+"]")
			}
		}
		v.SetMapIndex(kv, ev)
	}
	return nil
}

// decodeEntries decodes the entries of a dictionary, already split, into
// the fields of struct v by their wire names (structFields). Unknown keys
// are ignored, as newer peers may send more; a null entry for a field that
// cannot be null is taken as absent and leaves the field as it is.
func (s *Serializer) decodeEntries(entries map[string]codec.Raw, v reflect.Value) error {
	t := v.Type()
	fields := structFields(t)
	for key, e := range entries {
		index, ok := fields[key]
		if !ok {
			continue
		}
		ek := s.kind(e)
		if ek == KindNil && !nullable(fieldType(t, index)) {
			continue
		}
		f, err := fieldByIndex(v, index)
		if err != nil {
			return &DecodeError{Want: t.String(), Got: KindDict, Path: "." + key, Err: err}
		}
		if err := s.decodeReflect(e, ek, f); err != nil {
			return at(err, "."+key)
		}
	}
	return nil
}

// bytesType is the type []byte.
var bytesType = reflect.TypeFor[[]byte]()

// decodeStructFast decodes the dictionary raw into struct v as
// splitDict and decodeEntries do, without the map of entries and the codec
// decoder that splitDict makes: the entries are walked in place
// (wire.Format.AppendEntries). It reports false, having changed nothing,
// for a dictionary it leaves to them: one with a key that is not a plain
// string (a JSON key with escapes, a CBOR string of indefinite length) or
// with a key twice (the codec keeps the last value, unread, of a key given
// more than once), or one it cannot walk.
func (s *Serializer) decodeStructFast(raw []byte, v reflect.Value) (bool, error) {
	var buf [2 * 8][]byte
	kv, err := s.format.AppendEntries(buf[:0], raw)
	if err != nil {
		return false, nil
	}
	for i := 0; i < len(kv); i += 2 {
		key, ok := s.format.StringBytes(kv[i])
		if !ok {
			return false, nil
		}
		kv[i] = key
	}
	if duplicateKeys(kv) {
		return false, nil
	}
	t := v.Type()
	fields := structFields(t)
	for i := 0; i < len(kv); i += 2 {
		index, ok := fields[string(kv[i])]
		if !ok {
			continue
		}
		e := kv[i+1]
		ek := s.kind(e)
		if ek == KindNil && !nullable(fieldType(t, index)) {
			continue
		}
		f, err := fieldByIndex(v, index)
		if err != nil {
			return true, &DecodeError{Want: t.String(), Got: KindDict, Path: "." + string(kv[i]), Err: err}
		}
		if err := s.decodeReflect(e, ek, f); err != nil {
			return true, at(err, "."+string(kv[i]))
		}
	}
	return true, nil
}

// duplicateKeys reports whether a key of the entries kv (key, value, key,
// value, …) is there twice.
func duplicateKeys(kv [][]byte) bool {
	if len(kv) <= 2*16 {
		for i := 0; i < len(kv); i += 2 {
			for j := i + 2; j < len(kv); j += 2 {
				if string(kv[i]) == string(kv[j]) {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		if _, ok := seen[string(kv[i])]; ok {
			return true
		}
		seen[string(kv[i])] = struct{}{}
	}
	return false
}

// decodeAny decodes raw into v, an interface value, []any or map[string]any,
// applying the JSON binary convention to the strings inside.
func (s *Serializer) decodeAny(raw []byte, k Kind, v reflect.Value) error {
	if err := s.wrap(raw, v.Addr().Interface(), v.Type().String(), k); err != nil {
		return err
	}
	if s.format == formatJSON && v.Kind() == reflect.Interface && !v.IsNil() {
		v.Set(reflect.ValueOf(DecodeBinaryStrings(v.Interface())))
	} else if s.format == formatJSON {
		DecodeBinaryStrings(v.Interface()) // a list or dictionary, fixed in place
	}
	return nil
}

// splitRaw appends the elements of the encoded list raw to dst[:0] (see
// appendElems).
func (s *Serializer) splitRaw(dst [][]byte, raw []byte, t reflect.Type) ([][]byte, error) {
	elems, err := s.appendElems(dst[:0], raw)
	if err != nil {
		return elems, &DecodeError{Want: t.String(), Got: KindList, Err: err}
	}
	return elems, nil
}

// elemLists recycles the lists of elements decodeSlice splits a list into
// before decoding them one by one: grown by append, the list of a
// 1,394-record result was half again the result's encoded size in
// allocations (issue 18's caller bytes per call). A list longer than
// maxKeptElems is not kept.
var elemLists = sync.Pool{New: func() any { return new([][]byte) }}

const maxKeptElems = 4096

// putElems hands elems, taken from lp, back to elemLists, cleared so that
// the pool keeps no message alive.
func putElems(lp *[][]byte, elems [][]byte) {
	if cap(elems) > maxKeptElems {
		return
	}
	clear(elems)
	*lp = elems[:0]
	elemLists.Put(lp)
}

func (s *Serializer) splitDict(raw []byte, t reflect.Type) (map[string]codec.Raw, error) {
	var entries map[string]codec.Raw
	if err := s.decode(raw, &entries); err != nil {
		return nil, &DecodeError{Want: t.String(), Got: KindDict, Err: err}
	}
	for k, e := range entries {
		if len(e) == 0 {
			entries[k] = s.null
		}
	}
	return entries, nil
}

// mapKey converts a dictionary key to the key type of map type t: a string
// kind, an integer kind (from its decimal form, as encoding/json does) or a
// type implementing encoding.TextUnmarshaler.
func mapKey(key string, t reflect.Type) (reflect.Value, error) {
	kt := t.Key()
	if reflect.PointerTo(kt).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		kv := reflect.New(kt)
		if err := kv.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(key)); err != nil {
			return reflect.Value{}, err
		}
		return kv.Elem(), nil
	}
	kv := reflect.New(kt).Elem()
	switch kt.Kind() {
	case reflect.String:
		kv.SetString(key)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(key, 10, kt.Bits())
		if err != nil {
			return reflect.Value{}, fmt.Errorf("key %q is not a %s", key, kt)
		}
		kv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(key, 10, kt.Bits())
		if err != nil {
			return reflect.Value{}, fmt.Errorf("key %q is not a %s", key, kt)
		}
		kv.SetUint(n)
	default:
		return reflect.Value{}, fmt.Errorf("map key type %s is not supported (dictionary keys are strings)", kt)
	}
	return kv, nil
}

// structFields maps the wire names of the fields of struct type t to their
// index paths, with the codec's rules: the name is the "codec" tag, else the
// "json" tag, else the field name; "-" skips a field; embedded structs
// without a name are inlined; the shallowest field of a name wins.
func structFields(t reflect.Type) map[string][]int { return structInfoOf(t).byName }

// structInfo describes the fields of a struct type that travel: by wire
// name (for decoding), and in the order the codec writes them with its
// omitempty option (for encoding), from one walk so that the two never
// disagree.
type structInfo struct {
	byName  map[string][]int
	ordered []encField
}

// encField is a struct field as the codec encodes it.
type encField struct {
	name      string
	index     []int
	omitEmpty bool
}

func structInfoOf(t reflect.Type) *structInfo {
	if f, ok := structFieldCache.Load(t); ok {
		return f.(*structInfo)
	}
	fields := make(map[string][]int)
	depths := make(map[string]int)
	var candidates []encField // every named field met, in declaration order
	var walk func(t reflect.Type, index []int, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, index []int, seen map[reflect.Type]bool) {
		if seen[t] {
			return
		}
		seen[t] = true
		defer delete(seen, t)
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Type.Kind() == reflect.Func || f.Type.Kind() == reflect.UnsafePointer {
				continue
			}
			tag := f.Tag.Get("codec")
			if tag == "" {
				tag = f.Tag.Get("json")
			}
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			idx := append(index[:len(index):len(index)], i)
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				if !f.IsExported() && f.Type.Kind() == reflect.Pointer {
					continue // a pointer to an unexported type cannot be allocated
				}
				walk(ft, idx, seen)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			candidates = append(candidates, encField{name: name, index: idx, omitEmpty: hasOption(opts, "omitempty")})
			if d, ok := depths[name]; ok && d <= len(idx) {
				continue
			}
			fields[name], depths[name] = idx, len(idx)
		}
	}
	walk(t, nil, map[reflect.Type]bool{})
	// The shallowest field of a name wins, wherever it is declared.
	var ordered []encField
	for _, c := range candidates {
		if slices.Equal(fields[c.name], c.index) {
			ordered = append(ordered, c)
		}
	}
	f, _ := structFieldCache.LoadOrStore(t, &structInfo{byName: fields, ordered: ordered})
	return f.(*structInfo)
}

var structFieldCache sync.Map // reflect.Type → *structInfo

// fieldByIndex returns the field of struct v at index, allocating the
// embedded pointers on the way.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, error) {
	for n, i := range index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, fmt.Errorf("cannot set embedded pointer %s", v.Type())
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, nil
}

// decodeInt decodes an integer (or a float without fraction) that must lie
// in lo..hi.
func (s *Serializer) decodeInt(raw []byte, k Kind, want string, lo, hi int64) (int64, error) {
	switch k {
	case KindUint:
		u, ok := s.uintOf(raw)
		if !ok {
			var err error
			if u, err = decodeSlow[uint64](s, raw); err != nil {
				return 0, &DecodeError{Want: want, Got: k, Err: err}
			}
		}
		if u > uint64(hi) {
			return 0, &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%d overflows %s", u, want)}
		}
		return int64(u), nil
	case KindInt:
		n, ok := s.intOf(raw)
		if !ok {
			var err error
			if n, err = decodeSlow[int64](s, raw); err != nil {
				return 0, &DecodeError{Want: want, Got: k, Err: err}
			}
		}
		if n < lo || n > hi {
			return 0, &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%d overflows %s", n, want)}
		}
		return n, nil
	case KindFloat:
		f, ok := s.floatOf(raw)
		if !ok {
			var err error
			if f, err = decodeSlow[float64](s, raw); err != nil {
				return 0, &DecodeError{Want: want, Got: k, Err: err}
			}
		}
		if f != math.Trunc(f) || f < float64(lo) || f >= -float64(math.MinInt64) || f > float64(hi) {
			return 0, &DecodeError{Want: want, Got: k, Err: fmt.Errorf("%v is not an integer in range", f)}
		}
		return int64(f), nil
	}
	return 0, &DecodeError{Want: want, Got: k}
}

func (s *Serializer) decodeUint(raw []byte, k Kind, want string) (uint64, error) {
	switch k {
	case KindUint:
		u, ok := s.uintOf(raw)
		if !ok {
			var err error
			if u, err = decodeSlow[uint64](s, raw); err != nil {
				return 0, &DecodeError{Want: want, Got: k, Err: err}
			}
		}
		return u, nil
	case KindInt, KindFloat:
		n, err := s.decodeInt(raw, k, want, 0, math.MaxInt64)
		return uint64(n), err
	}
	return 0, &DecodeError{Want: want, Got: k}
}

// appendValues appends the elements of an encoded list (or nothing for
// null) to dst.
func (s *Serializer) appendValues(dst []Value, raw []byte) ([]Value, error) {
	if k := s.kind(raw); k != KindList {
		if k == KindNil {
			return dst, nil
		}
		return dst, &DecodeError{Want: "list", Got: k}
	}
	// The elements go into dst's spare room first; a longer list gets a
	// slice of its own.
	var buf [8][]byte
	elems, err := s.appendElems(buf[:0], raw)
	if err != nil {
		return dst, &DecodeError{Want: "list", Got: KindList, Err: err}
	}
	for _, e := range elems {
		dst = append(dst, Value{raw: e, ser: s})
	}
	return dst, nil
}

// decodeSlow decodes raw into a T with the codec: the hand-written readers'
// fallback for encodings they do not read themselves. (Its variable is
// allocated only when it runs; the callers' stay on their stacks.)
func decodeSlow[T any](s *Serializer, raw []byte) (T, error) {
	var v T
	err := s.decode(raw, &v)
	return v, err
}

// decodeFloat64 decodes a number into a float64.
func (s *Serializer) decodeFloat64(raw []byte, k Kind) (float64, error) {
	var f float64
	ok := false
	switch {
	case s.format == formatJSON && (k == KindUint || k == KindInt || k == KindFloat):
		// The number's text, as the codec reads it: "-0" is -0.0.
		f, ok = s.floatOf(raw)
	case k == KindUint:
		var u uint64
		if u, ok = s.uintOf(raw); ok {
			f = float64(u)
		}
	case k == KindInt:
		var n int64
		if n, ok = s.intOf(raw); ok {
			f = float64(n)
		}
	case k == KindFloat:
		f, ok = s.floatOf(raw)
	default:
		return 0, &DecodeError{Want: "float64", Got: k}
	}
	if !ok {
		var err error
		if f, err = decodeSlow[float64](s, raw); err != nil {
			return 0, &DecodeError{Want: "float64", Got: k, Err: err}
		}
	}
	return f, nil
}

// decodeString decodes a string.
func (s *Serializer) decodeString(raw []byte, k Kind) (string, error) {
	if k != KindString {
		return "", &DecodeError{Want: "string", Got: k}
	}
	str, ok := s.stringOf(raw)
	if !ok {
		var err error
		if str, err = decodeSlow[string](s, raw); err != nil {
			return "", &DecodeError{Want: "string", Got: k, Err: err}
		}
	}
	return str, nil
}

// decodeBool decodes a bool.
func (s *Serializer) decodeBool(raw []byte, k Kind) (bool, error) {
	if k != KindBool {
		return false, &DecodeError{Want: "bool", Got: k}
	}
	b, ok := s.boolOf(raw)
	if !ok {
		var err error
		if b, err = decodeSlow[bool](s, raw); err != nil {
			return false, &DecodeError{Want: "bool", Got: k, Err: err}
		}
	}
	return b, nil
}
