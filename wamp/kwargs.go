package wamp

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ugorji/go/codec"
)

// KeywordError reports ArgumentsKw that do not fit a keyword-argument
// struct under the strict rules of [Payload.DecodeStrict]: keys that name
// no field, or required fields that are absent (or null, where the field
// cannot be nil).
//
// Its text names at most 10 of the unknown keys, each cut to 64 bytes: they
// come from the caller, who may send thousands.
type KeywordError struct {
	Unknown []string // keys that name no field, sorted (all of them)
	Missing []string // required fields absent (or null), by wire name, sorted
	Known   []string // the wire names of all the struct's fields, sorted
}

func (e *KeywordError) Error() string {
	var parts []string
	if len(e.Unknown) > 0 {
		// The unknown keys are the caller's: the text names a few, each
		// cut short, so that it is not as large as the payload it refuses.
		listed := e.Unknown[:min(len(e.Unknown), maxListedKeys)]
		more := ""
		if n := len(e.Unknown) - len(listed); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		parts = append(parts, fmt.Sprintf("unknown %s %s%s (known: %s)",
			plural(len(e.Unknown), "key"), quoteAll(listed), more, strings.Join(e.Known, ", ")))
	}
	if len(e.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("missing required %s %s", plural(len(e.Missing), "key"), quoteAll(e.Missing)))
	}
	return strings.Join(parts, "; ")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// maxListedKeys and maxKeyText bound the unknown keys a KeywordError's text
// names, and the bytes of each it quotes.
const (
	maxListedKeys = 10
	maxKeyText    = 64
)

// quoteAll quotes keys, each cut to maxKeyText bytes (on a rune boundary)
// and marked with … when cut.
func quoteAll(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		if len(k) > maxKeyText {
			n := maxKeyText
			for n > 0 && !utf8.RuneStart(k[n]) {
				n--
			}
			k = k[:n] + "…"
		}
		q[i] = strconv.Quote(k)
	}
	return strings.Join(q, ", ")
}

// DecodeStrict decodes an ArgumentsKw payload into dst, a non-nil pointer
// to a struct, as Decode does, but first checks its keys against the
// struct's fields (named as Decode names them: the "codec" tag, else the
// "json" tag, else the field name; embedded structs inlined):
//
//   - a key that names no field is an error (Decode ignores it);
//   - a required field that is absent, or null where its type cannot be
//     nil, is an error (null is a slice's, a map's or an interface's nil,
//     which a Go caller sends for a nil field). A field is optional when
//     its type is a pointer, when its "json" or "codec" tag says omitempty
//     or omitzero, or when it is promoted from an embedded pointer to a
//     struct; every other field is required.
//
// Both are reported together in a *KeywordError. The checks apply to the
// top level only: a nested dictionary (a struct-typed field) is decoded by
// Decode's rules, which ignore unknown keys and leave absent fields as they
// are, so that a peer may send a newer version of a nested value. An absent
// payload counts as an empty dictionary. A struct that decodes itself (a
// marshaler pair, codec.Selfer) is decoded as Decode does, unchecked. A payload that is not a
// dictionary, or a value that does not suit its field, gives Decode's
// *DecodeError.
func (p Payload) DecodeStrict(dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("wamp: strict decoding needs a non-nil pointer to a struct, got %T", dst)
	}
	t := rv.Elem().Type()
	raw, ser, err := p.materialize()
	if err != nil {
		return err
	}
	if hasOwnForm(t) {
		// A struct that decodes itself has no fields to check keys
		// against: Decode's rules apply.
		return p.Decode(dst)
	}
	var entries map[string]codec.Raw
	if raw != nil {
		if ser.kind(raw) != KindDict {
			return ser.decodeValue(raw, dst) // reports the kind mismatch
		}
		if entries, err = ser.splitDict(raw, t); err != nil {
			return err
		}
	}
	fields := structFields(t)
	// key → present with a value: null is one only for a field that can be
	// nil (a Go caller's nil slice, map or interface travels as null).
	keys := make(map[string]bool, len(entries))
	for k, e := range entries {
		present := ser.kind(e) != KindNil
		if index, ok := fields[k]; ok && !present {
			present = canBeNil(fieldType(t, index))
		}
		keys[k] = present
	}
	var kerr KeywordError
	for k := range keys {
		if _, ok := fields[k]; !ok {
			kerr.Unknown = append(kerr.Unknown, k)
		}
	}
	for name, index := range fields {
		if !keys[name] && !optionalField(t, index) {
			kerr.Missing = append(kerr.Missing, name)
		}
	}
	if kerr.Unknown != nil || kerr.Missing != nil {
		slices.Sort(kerr.Unknown)
		slices.Sort(kerr.Missing)
		for name := range fields {
			kerr.Known = append(kerr.Known, name)
		}
		slices.Sort(kerr.Known)
		return &kerr
	}
	// Decode the entries already split, as decodeReflect does for a
	// struct, rather than splitting the dictionary a second time.
	return ser.decodeEntries(entries, rv.Elem())
}

// canBeNil reports whether nil is a value of type t that a required field
// may hold: a slice (also []byte), a map or an interface. A pointer field
// is optional anyway.
func canBeNil(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// optionalField reports whether the field of struct type t at index may be
// absent from strict keyword arguments: a pointer, a field tagged omitempty
// or omitzero, or one promoted from an embedded pointer.
func optionalField(t reflect.Type, index []int) bool {
	for n, i := range index {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		f := t.Field(i)
		if n < len(index)-1 {
			if f.Type.Kind() == reflect.Pointer {
				return true // an embedded *S may be nil: its fields with it
			}
			t = f.Type
			continue
		}
		if f.Type.Kind() == reflect.Pointer {
			return true
		}
		for _, key := range []string{"json", "codec"} {
			_, opts, _ := strings.Cut(f.Tag.Get(key), ",")
			for opt := range strings.SplitSeq(opts, ",") {
				if opt == "omitempty" || opt == "omitzero" {
					return true
				}
			}
		}
	}
	return false
}
