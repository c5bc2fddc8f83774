package gen

import (
	"fmt"
	"go/types"
	"reflect"
	"strings"
)

// This file mirrors the runtime's rules for values that encode themselves:
// time.Time travels as an RFC 3339 string with nanoseconds; a type T where
// T or *T has both halves of one marshaler pair travels as what the pair
// gives, the pairs taken in this order:
//
//	MarshalText / UnmarshalText       (encoding.TextMarshaler …) as text
//	MarshalBinary / UnmarshalBinary   (encoding.BinaryMarshaler …) as binary
//	MarshalJSON / UnmarshalJSON       (json.Marshaler …) as its JSON value
//
// The builder accepts such types as leaves, without looking inside them,
// and names the types the runtime cannot carry the same way in every
// serializer: one half of a pair only, and github.com/ugorji/go/codec's
// Selfer, whose encoding differs per serializer.

// marshalerPair is one pair of methods through which a type encodes itself.
type marshalerPair struct {
	marshal, unmarshal string
	iface              string // the interfaces, for messages
}

var marshalerPairs = []marshalerPair{
	{"MarshalText", "UnmarshalText", "encoding.TextMarshaler and encoding.TextUnmarshaler"},
	{"MarshalBinary", "UnmarshalBinary", "encoding.BinaryMarshaler and encoding.BinaryUnmarshaler"},
	{"MarshalJSON", "UnmarshalJSON", "json.Marshaler and json.Unmarshaler"},
}

var (
	byteSlice = types.NewSlice(types.Typ[types.Byte])
	// marshalSig is func() ([]byte, error), unmarshalSig func([]byte) error.
	marshalSig = types.NewSignatureType(nil, nil, nil, nil,
		types.NewTuple(types.NewParam(0, nil, "", byteSlice), types.NewParam(0, nil, "", errorType)), false)
	unmarshalSig = types.NewSignatureType(nil, nil, nil,
		types.NewTuple(types.NewParam(0, nil, "", byteSlice)),
		types.NewTuple(types.NewParam(0, nil, "", errorType)), false)
)

// hasMethod reports whether T or *T has the exported method name with
// the signature sig (a method of another signature does not count: the
// standard interfaces would not match it).
func hasMethod(t types.Type, name string, sig *types.Signature) bool {
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, nil, name)
	fn, ok := obj.(*types.Func)
	return ok && types.Identical(fn.Type(), sig)
}

// hasMethodNamed reports whether T or *T has a method name, whatever its
// signature.
func hasMethodNamed(t types.Type, name string) bool {
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, nil, name)
	_, ok := obj.(*types.Func)
	return ok
}

// selfEncoding is what the builder makes of a type that may encode itself.
type selfEncoding int

const (
	encodedByFields selfEncoding = iota // none of the methods: look inside
	encodedByItself                     // time.Time or a complete pair: a leaf
	encodedBadly                        // see the message
)

// ownEncoding tells whether t (a defined type, or a struct with promoted
// methods) encodes itself, and explains why the runtime cannot carry it
// when it does so badly.
func (b *builder) ownEncoding(t types.Type) (selfEncoding, string) {
	if isNamed(t, "time", "Time") {
		return encodedByItself, ""
	}
	if _, isIface := t.Underlying().(*types.Interface); isIface {
		return encodedByFields, ""
	}
	name := b.shortTypeString(t)
	for _, m := range []string{"CodecEncodeSelf", "CodecDecodeSelf"} {
		if hasMethodNamed(t, m) {
			return encodedBadly, fmt.Sprintf("type %s has the method %s of github.com/ugorji/go/codec.Selfer, whose encoding differs per serializer, so it would not arrive as sent between a JSON and a MsgPack or CBOR peer (rule: one encoding in every serializer): remove CodecEncodeSelf and CodecDecodeSelf, and give it MarshalText and UnmarshalText if it needs an encoding of its own", name, m)
		}
	}
	for _, p := range marshalerPairs {
		if hasMethod(t, p.marshal, marshalSig) && hasMethod(t, p.unmarshal, unmarshalSig) {
			if why := b.promotedPairLoses(t, p, name); why != "" {
				return encodedBadly, why
			}
			return encodedByItself, ""
		}
	}
	for _, p := range marshalerPairs {
		m, u := hasMethod(t, p.marshal, marshalSig), hasMethod(t, p.unmarshal, unmarshalSig)
		switch {
		case m:
			return encodedBadly, fmt.Sprintf("type %s has %s but no %s, so it could be sent but not received (rule: a type that encodes itself implements both %s): add %s(data []byte) error", name, p.marshal, p.unmarshal, p.iface, p.unmarshal)
		case u:
			return encodedBadly, fmt.Sprintf("type %s has %s but no %s, so it could be received but not sent (rule: a type that encodes itself implements both %s): add %s() ([]byte, error)", name, p.unmarshal, p.marshal, p.iface, p.marshal)
		}
	}
	return encodedByFields, ""
}

// promotedPairLoses explains why t, which has the complete pair p, would
// not arrive as sent when p is promoted from an embedded field and t (or
// a struct on the way to that field) has other fields that travel: t
// travels as the embedded field's marshaler gives it, and those fields are
// silently left out (struct{ time.Time; Note string } travels as a time).
// It returns "" when the pair is t's own or nothing else would travel.
func (b *builder) promotedPairLoses(t types.Type, p marshalerPair, name string) string {
	for _, m := range []string{p.marshal, p.unmarshal} {
		_, index, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, nil, m)
		cur := t
		for _, emb := range index[:max(len(index)-1, 0)] {
			for {
				ptr, ok := types.Unalias(cur).Underlying().(*types.Pointer)
				if !ok {
					break
				}
				cur = ptr.Elem()
			}
			st, ok := types.Unalias(cur).Underlying().(*types.Struct)
			if !ok {
				break
			}
			var others []*types.Var
			var tags []string
			for i := range st.NumFields() {
				if i != emb {
					others, tags = append(others, st.Field(i)), append(tags, st.Tag(i))
				}
			}
			if travels(types.NewStruct(others, tags)) {
				from := b.shortTypeString(st.Field(emb).Type())
				return fmt.Sprintf("type %s gets %s and %s from its embedded field %s, so it travels as that field alone and its other fields are lost (rule: a type that encodes itself travels only as its marshaler pair gives it): make %s a named field, or give %s its own %s and %s", name, p.marshal, p.unmarshal, from, from, name, p.marshal, p.unmarshal)
			}
			cur = st.Field(emb).Type()
		}
	}
	return ""
}

// textKey reports whether t can be a dictionary key through its text
// form: T or *T has MarshalText and UnmarshalText.
func textKey(t types.Type) bool {
	return hasMethod(t, "MarshalText", marshalSig) && hasMethod(t, "UnmarshalText", unmarshalSig)
}

// wireName returns the name a struct field travels under by the runtime's
// rules (the "codec" tag, else the "json" tag, else the field name),
// whether a tag gave it, and false when the tag skips the field ("-").
func wireName(tag, field string) (name string, tagged, ok bool) {
	st := reflect.StructTag(tag)
	t := st.Get("codec")
	if t == "" {
		t = st.Get("json")
	}
	if t == "-" {
		return "", false, false
	}
	name, _, _ = strings.Cut(t, ",")
	if name == "" {
		return field, false, true
	}
	return name, true, true
}

// wireField is a struct field that travels: its wire name, its path from
// the outer struct (embedded names included) and how many embedded
// structs deep it is.
type wireField struct {
	name, path string
	depth      int
	v          *types.Var // the field
	tag        string     // its tag
	// optional is set for a field of a struct embedded through a pointer,
	// which is absent from the wire when that pointer is nil.
	optional bool
}

// wireFields lists the fields of st that travel, by the runtime's rules,
// in the order the runtime walks them: exported fields not skipped by
// their tag, and those of embedded structs without a name, which are
// inlined (a pointer to an unexported embedded struct is left out, as it
// cannot be allocated).
func wireFields(st *types.Struct) []wireField {
	var fields []wireField
	var walk func(st *types.Struct, depth int, prefix string, optional bool, seen map[*types.Struct]bool)
	walk = func(st *types.Struct, depth int, prefix string, optional bool, seen map[*types.Struct]bool) {
		if seen[st] {
			return
		}
		seen[st] = true
		defer delete(seen, st)
		for i := range st.NumFields() {
			f := st.Field(i)
			if _, isFunc := f.Type().Underlying().(*types.Signature); isFunc {
				continue
			}
			if b, isBasic := f.Type().Underlying().(*types.Basic); isBasic && b.Kind() == types.UnsafePointer {
				continue
			}
			name, tagged, ok := wireName(st.Tag(i), f.Name())
			if !ok {
				continue
			}
			ft := types.Unalias(f.Type())
			ptr := false
			for {
				p, isPtr := ft.Underlying().(*types.Pointer)
				if !isPtr {
					break
				}
				ft, ptr = types.Unalias(p.Elem()), true
			}
			if inner, isStruct := ft.Underlying().(*types.Struct); isStruct && f.Embedded() && !tagged {
				if !f.Exported() && ptr {
					continue
				}
				walk(inner, depth+1, prefix+f.Name()+".", optional || ptr, seen)
				continue
			}
			if f.Exported() {
				fields = append(fields, wireField{name: name, path: prefix + f.Name(), depth: depth, v: f, tag: st.Tag(i), optional: optional})
			}
		}
	}
	walk(st, 0, "", false, map[*types.Struct]bool{})
	return fields
}

// travels reports whether any field of st travels (see wireFields); a
// struct with none travels as {}.
func travels(st *types.Struct) bool { return len(wireFields(st)) > 0 }

// wireNameClash names two fields of st that travel under the same name at
// the same depth (embedded structs inlined), that name being the field's
// shallowest: the runtime sends and fills only the first of them (in
// declaration order), so the other is silently lost. A deeper field
// shadowed by a shallower one of the same name is Go's ordinary rule
// (encoding/json's too), and not reported. It returns "" when there is
// none.
func wireNameClash(st *types.Struct) string {
	fields := wireFields(st)
	shallowest := map[string]int{}
	for _, f := range fields {
		if d, ok := shallowest[f.name]; !ok || f.depth < d {
			shallowest[f.name] = f.depth
		}
	}
	first := map[string]string{}
	for _, f := range fields {
		if f.depth != shallowest[f.name] {
			continue
		}
		if p, ok := first[f.name]; ok {
			return fmt.Sprintf("fields %s and %s both travel as %q, so only %s would arrive (rule: each field travels under a name of its own): give one of them another name with its json tag", p, f.path, f.name, p)
		}
		first[f.name] = f.path
	}
	return ""
}
