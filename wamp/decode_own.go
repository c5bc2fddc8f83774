package wamp

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"
)

// decodeOwn decodes raw, of kind k, into v, whose type has the own form
// form (see form.go), with the kind checks the form implies.
func (s *Serializer) decodeOwn(raw []byte, k Kind, v reflect.Value, form ownForm) error {
	t := v.Type()
	mismatch := func() error { return &DecodeError{Want: t.String(), Got: k} }
	fail := func(err error) error { return &DecodeError{Want: t.String(), Got: k, Err: err} }
	switch form {
	case formSelfer:
		return s.wrap(raw, v.Addr().Interface(), t.String(), k)
	case formTime:
		tm, err := s.decodeTime(raw, k)
		if err != nil {
			return err
		}
		*v.Addr().Interface().(*time.Time) = tm // no boxing of tm, unlike v.Set
		return nil
	case formText:
		str, err := s.textFormOf(raw, k)
		if err != nil {
			if err == errNotText {
				return mismatch()
			}
			return fail(err)
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(str)); err != nil {
			return fail(err)
		}
		return nil
	case formBinary:
		if k != KindBytes {
			return mismatch()
		}
		var data []byte
		if err := s.decode(raw, &data); err != nil {
			return fail(err)
		}
		// The codec may return a part of raw; the method may keep what it
		// is given.
		if err := v.Addr().Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(bytes.Clone(data)); err != nil {
			return fail(err)
		}
		return nil
	case formJSON:
		if k == KindOther {
			return mismatch()
		}
		text, err := s.jsonText(raw)
		if err != nil {
			return fail(err)
		}
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(text); err != nil {
			return fail(err)
		}
		return nil
	}
	return mismatch()
}

var errNotText = errors.New("not a text")

// textFormOf returns the text of a value decoded into a text form: a
// string, or binary as a JSON peer sees it. A text that starts with NUL
// and base64 is, in JSON, how WAMP writes binary: the router gives it to a
// MsgPack or CBOR peer as binary (and a JSON reader sees binary in it, see
// jsonKind). Writing the binary back as the JSON convention gives the
// text exactly, as the router converts only the canonical form.
func (s *Serializer) textFormOf(raw []byte, k Kind) (string, error) {
	switch k {
	case KindString:
	case KindBytes:
		if s.format == formatJSON {
			break // the string is the text
		}
		var data []byte
		if err := s.decode(raw, &data); err != nil {
			return "", err
		}
		return EncodeBinaryString(data), nil
	default:
		return "", errNotText
	}
	if str, ok := s.stringOf(raw); ok {
		return str, nil
	}
	return decodeSlow[string](s, raw)
}

// jsonText returns the JSON text of the encoded value raw: raw itself in
// JSON; in MsgPack and CBOR the same structure in JSON, binary written
// with the JSON convention ("\u0000" and base64), as the router would
// convert it for a JSON peer.
func (s *Serializer) jsonText(raw []byte) ([]byte, error) {
	if s.format == formatJSON {
		return bytes.Clone(raw), nil
	}
	v, err := s.decodeAnyValue(raw)
	if err != nil {
		return nil, err
	}
	return json.Marshal(jsonBinaryStrings(v))
}

// jsonBinaryStrings replaces the binary values inside v (decoded MsgPack
// or CBOR) with their JSON form, in place, and returns v.
func jsonBinaryStrings(v any) any {
	switch x := v.(type) {
	case []byte:
		return EncodeBinaryString(x)
	case []any:
		for i, e := range x {
			x[i] = jsonBinaryStrings(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = jsonBinaryStrings(e)
		}
	}
	return v
}

// decodeTime decodes a time: an RFC 3339 string (the form this package
// writes), null (the zero time), and the native forms of peers that use
// them: a MsgPack timestamp extension, a CBOR tag 0 (RFC 3339 text) or
// tag 1 (seconds since the epoch, an integer or a float).
func (s *Serializer) decodeTime(raw []byte, k Kind) (time.Time, error) {
	const want = "time.Time"
	switch k {
	case KindNil:
		return time.Time{}, nil
	case KindString:
		text, err := s.textOf(raw, k)
		if err != nil {
			return time.Time{}, &DecodeError{Want: want, Got: k, Err: err}
		}
		t, err := parseTime(text)
		if err != nil {
			return time.Time{}, &DecodeError{Want: want, Got: k, Err: err}
		}
		return t, nil
	case KindOther:
		switch s.format {
		case formatMsgPack:
			if t, ok := msgpackTime(raw); ok {
				if err := checkTimeRange(t); err != nil {
					return time.Time{}, &DecodeError{Want: want, Got: k, Err: err}
				}
				return t, nil
			}
			return time.Time{}, &DecodeError{Want: want, Got: k, Err: errors.New("not a MsgPack timestamp")}
		case formatCBOR:
			t, err := s.cborTime(raw)
			if err != nil {
				return time.Time{}, &DecodeError{Want: want, Got: k, Err: err}
			}
			return t, nil
		}
	}
	return time.Time{}, &DecodeError{Want: want, Got: k}
}

// textOf returns the bytes of a string: inside raw when it can (nothing
// to unescape), else a copy the codec decoded.
func (s *Serializer) textOf(raw []byte, k Kind) ([]byte, error) {
	if b, ok := s.stringBytes(raw); ok {
		return b, nil
	}
	str, err := s.decodeString(raw, k)
	return []byte(str), err
}

// parseTime reads an RFC 3339 time. Go's parser is laxer than RFC 3339
// in three ways that would change a value silently or let through one
// that cannot travel back: it takes a comma before the fraction and any
// number of fraction digits (cut to nanoseconds), and offset hours up to
// 99 ("+24:00"). So the part after the seconds is checked here: at most 9
// digits after a '.', then "Z" or an offset of at most 23:59. RFC 3339
// allows "t" and "z" for "T" and "Z", which Go's parser refuses: they are
// read as capitals.
func parseTime(str []byte) (time.Time, error) {
	if n := len(str); n > 19 && (str[10] == 't' || str[n-1] == 'z') {
		str = bytes.Clone(str)
		if str[10] == 't' {
			str[10] = 'T'
		}
		if str[n-1] == 'z' {
			str[n-1] = 'Z'
		}
	}
	var t time.Time
	if err := t.UnmarshalText(str); err != nil {
		return time.Time{}, err
	}
	// UnmarshalText checked the date and the time up to the seconds: 19
	// bytes, as the year has 4 digits.
	if err := checkTimeTail(str[19:]); err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", str, err)
	}
	return t, nil
}

// checkTimeTail checks what follows the seconds of an RFC 3339 time: an
// optional fraction of 1 to 9 digits after a '.', then "Z" or an offset
// "+hh:mm" or "-hh:mm" of at most 23:59.
func checkTimeTail(s []byte) error {
	if len(s) > 0 && s[0] == '.' {
		n := 1
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n-1 > 9 {
			return fmt.Errorf("%d fraction digits, at most 9 (nanoseconds) are allowed", n-1)
		}
		s = s[n:]
	}
	switch {
	case len(s) == 1 && s[0] == 'Z':
		return nil
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':':
		// UnmarshalText checked the digits.
		if h, m := (s[1]-'0')*10+s[2]-'0', (s[4]-'0')*10+s[5]-'0'; h > 23 || m > 59 {
			return fmt.Errorf("UTC offset %s is out of range (at most 23:59)", s)
		}
		return nil
	}
	return fmt.Errorf("%q is not a fraction and offset as RFC 3339 writes them", s)
}

// The seconds since the epoch of the first and the last second RFC 3339
// can write (years 0 and 9999, UTC).
const (
	minTimeSec = -62167219200
	maxTimeSec = 253402300799
)

// checkTimeRange refuses a time of another peer's native form that this
// package could not send on (years 0..9999, which RFC 3339 writes; a time
// outside them may also have wrapped around in time.Unix).
func checkTimeRange(t time.Time) error {
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Errorf("time %s is outside years 0..9999, which RFC 3339 can write", t)
	}
	return nil
}

// cborTime reads a CBOR tag 0 (an RFC 3339 text string) or tag 1 (seconds
// since the epoch: an integer or a float, read to the nanosecond it
// rounds to). A time from tag 1 is in UTC.
func (s *Serializer) cborTime(raw []byte) (time.Time, error) {
	tag, i, err := cborHead(raw, 0)
	if err != nil {
		return time.Time{}, err
	}
	item := raw[i:]
	k := cborKind(item)
	switch tag {
	case 0:
		if k != KindString {
			return time.Time{}, fmt.Errorf("CBOR tag 0 holds a %s, want a string", k)
		}
		text, err := s.textOf(item, k)
		if err != nil {
			return time.Time{}, err
		}
		return parseTime(text)
	case 1:
		switch k {
		case KindUint, KindInt:
			sec, err := s.decodeInt(item, k, "seconds", minTimeSec, maxTimeSec)
			if err != nil {
				return time.Time{}, err
			}
			return time.Unix(sec, 0).UTC(), nil
		case KindFloat:
			f, err := s.decodeFloat64(item, k)
			if err != nil {
				return time.Time{}, err
			}
			if !(f >= minTimeSec && f < maxTimeSec+1) { // NaN too
				return time.Time{}, fmt.Errorf("CBOR tag 1 holds %v seconds, outside years 0..9999", f)
			}
			sec := math.Floor(f)
			nsec := math.Round((f - sec) * 1e9)
			t := time.Unix(int64(sec), int64(nsec)).UTC()
			return t, checkTimeRange(t) // 9999-12-31T23:59:59.9999999999 rounds up
		}
		return time.Time{}, fmt.Errorf("CBOR tag 1 holds a %s, want a number", k)
	}
	return time.Time{}, fmt.Errorf("CBOR tag %d is not a time (tags 0 and 1 are)", tag)
}
