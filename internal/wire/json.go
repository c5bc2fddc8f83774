package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// JSON (RFC 8259), WAMP's text format: its scanner and validator
// (jsonValue), the nesting checker (JSONDepth), list splitting, scalar
// readers and writers. Binary data travels as a string (see binary.go).

// JSONDepth checks that the JSON value at the start of b, after optional
// whitespace, nests at most MaxDepth levels. It counts the brackets and
// braces outside strings, up to the end of that value; bytes after it are
// not looked at. It returns ErrTooDeep or nil: malformed JSON is left to
// the decoder, which reads the nesting the same way (nothing but '[' and
// '{' outside a string opens a container). It also applies the one part of
// the number rule the codec would not enforce by refusing the number
// itself: a fraction with more than maxJSONFractionZeros leading zeros,
// which the codec reads as another number (see jsonFractionZeros).
func JSONDepth(b []byte) error {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	if i == len(b) || b[i] != '[' && b[i] != '{' {
		// A scalar, or not JSON; a number's decimal point is within its
		// first three bytes when its integer part is 0.
		if i < len(b) && (b[i] == '-' || b[i] == '0') {
			if j := bytes.IndexByte(b[i:min(i+3, len(b))], '.'); j >= 0 {
				return jsonFractionZeros(b, i+j)
			}
		}
		return nil
	}
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++ // the escaped character cannot end the string
				}
			}
		case '[', '{':
			if depth == MaxDepth {
				return ErrTooDeep
			}
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return nil // the value is complete
			}
		case '.':
			if err := jsonFractionZeros(b, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFractionZeros checks the number whose decimal point is at b[i] (a
// '.' outside a string) against maxJSONFractionZeros, when its integer
// part is 0.
func jsonFractionZeros(b []byte, i int) error {
	if i == 0 || b[i-1] != '0' || i >= 2 && b[i-2] >= '0' && b[i-2] <= '9' {
		return nil
	}
	n := 0
	for j := i + 1; j < len(b) && b[j] == '0'; j++ {
		n++
	}
	if n > maxJSONFractionZeros {
		start := i - 1
		if start > 0 && b[start-1] == '-' {
			start--
		}
		return fmt.Errorf("number at offset %d has more than %d zeros after its decimal point", start, maxJSONFractionZeros)
	}
	return nil
}

// jsonWellFormed checks that b holds exactly one JSON value (RFC 8259),
// optionally surrounded by whitespace, nested at most MaxDepth levels.
func jsonWellFormed(b []byte) error {
	var stack [MaxDepth]byte
	end, err := jsonValue(b, 0, stack[:])
	return wholeInput(b, jsonSpace(b, end), err)
}

// jsonWellFormedList is jsonWellFormed for a list, which it checks element
// by element, recording in lb where they lie.
func jsonWellFormedList(b []byte, lb *ListBounds) error {
	i := jsonSpace(b, 0)
	if i == len(b) || b[i] != '[' {
		return ErrNotList
	}
	i = jsonSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return wholeInput(b, jsonSpace(b, i+1), nil)
	}
	var stack [MaxDepth - 1]byte // the list is the first level
	for {
		end, err := jsonValue(b, i, stack[:])
		if err != nil {
			return err
		}
		lb.add(i, end)
		switch i = jsonSpace(b, end); {
		case i < len(b) && b[i] == ',':
			i = jsonSpace(b, i+1)
		case i < len(b) && b[i] == ']':
			return wholeInput(b, jsonSpace(b, i+1), nil)
		default:
			return jsonSyntaxError(b, i) // ErrTruncated at the end of b
		}
	}
}

// jsonValue checks the JSON value at offset i, after optional whitespace,
// and returns the offset right after it. stack is its room for the '[' or
// '{' of each open container: the value may nest len(stack) levels.
func jsonValue(b []byte, i int, stack []byte) (int, error) {
	depth := 0
	var err error
	for {
		// A value starts at i.
		i = jsonSpace(b, i)
		if i == len(b) {
			return 0, ErrTruncated
		}
		switch c := b[i]; c {
		case '[', '{':
			if depth == len(stack) {
				return 0, ErrTooDeep
			}
			i = jsonSpace(b, i+1)
			if i < len(b) && (c == '[' && b[i] == ']' || c == '{' && b[i] == '}') {
				i++
				break // an empty container is a complete value
			}
			stack[depth] = c
			depth++
			if c == '{' {
				if i, err = jsonKey(b, i); err != nil {
					return 0, err
				}
			}
			continue
		case '"':
			i, err = jsonString(b, i)
		case 't':
			i, err = jsonLiteral(b, i, "true")
		case 'f':
			i, err = jsonLiteral(b, i, "false")
		case 'n':
			i, err = jsonLiteral(b, i, "null")
		default:
			i, err = jsonNumber(b, i)
		}
		if err != nil {
			return 0, err
		}
		// A value ended before i: close containers or go on to the next element.
		for {
			if depth == 0 {
				return i, nil
			}
			i = jsonSpace(b, i)
			if i == len(b) {
				return 0, ErrTruncated
			}
			top, c := stack[depth-1], b[i]
			if c == ',' {
				i++
				if top == '{' {
					if i, err = jsonKey(b, i); err != nil {
						return 0, err
					}
				}
				break
			}
			if top == '[' && c == ']' || top == '{' && c == '}' {
				depth--
				i++
				continue
			}
			return 0, jsonSyntaxError(b, i)
		}
	}
}

func jsonSyntaxError(b []byte, i int) error {
	if i >= len(b) {
		return ErrTruncated
	}
	return fmt.Errorf("invalid character %q at offset %d", b[i], i)
}

func jsonSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonKey reads `"key" :` at i and returns the offset after the colon.
func jsonKey(b []byte, i int) (int, error) {
	i = jsonSpace(b, i)
	if i == len(b) || b[i] != '"' {
		return i, jsonSyntaxError(b, i)
	}
	i, err := jsonString(b, i)
	if err != nil {
		return i, err
	}
	i = jsonSpace(b, i)
	if i == len(b) || b[i] != ':' {
		return i, jsonSyntaxError(b, i)
	}
	return i + 1, nil
}

// jsonString reads the string that starts with the quote at i.
func jsonString(b []byte, i int) (int, error) {
	for i++; ; i++ {
		if i = jsonPlainRun(b, i); i == len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, nil
		case c < 0x20:
			return i, jsonSyntaxError(b, i)
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				return i, fmt.Errorf("invalid UTF-8 at offset %d", i)
			}
			i += n - 1
		case c == '\\':
			i++
			if i == len(b) {
				return i, ErrTruncated
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i < 5 {
					return i, ErrTruncated
				}
				for _, h := range b[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return i, fmt.Errorf("invalid \\u escape at offset %d", i-1)
					}
				}
				i += 4
			default:
				return i, fmt.Errorf("invalid escape %q at offset %d", b[i], i-1)
			}
		}
	}
	return len(b), ErrTruncated
}

// jsonPlainRun returns the index of the first byte of b at or after i that
// a JSON string can't hold as it is: '"', '\\', a control byte (below
// 0x20) or a byte of a multi-byte UTF-8 sequence (0x80 and above); len(b)
// if there is none. It tests eight bytes at a time (SWAR): jsonString and
// jsonCanonString, which walked strings a byte at a time, were 13% of the
// CPU of a 1 KiB []byte echo on JSON, whose payload is one long base64
// string (issue 18). jsonPlainRunBytes, its byte-at-a-time reference, is
// checked against it in tests.
func jsonPlainRun(b []byte, i int) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ (ones * '"')
		s := x ^ (ones * '\\')
		// (v - ones) &^ v has a high bit set if and only if v has a zero
		// byte (a borrow can flag a wrong byte, but only above a real
		// one); so q and s flag '"' and '\\', (x - ones*0x20) &^ x a
		// byte below 0x20, and x's own high bits the bytes from 0x80.
		if ((q-ones)&^q|(s-ones)&^s|(x-ones*0x20)&^x|x)&high != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

func jsonLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) {
		return i, ErrTruncated
	}
	if string(b[i:i+len(lit)]) != lit {
		return i, jsonSyntaxError(b, i)
	}
	return i + len(lit), nil
}

// jsonNumber reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at i,
// within the number rule (see jsonNumberRule).
func jsonNumber(b []byte, i int) (int, error) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	intStart := i
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return i, numberError(b, start, i)
	}
	intDigits := i - intStart
	if i == len(b) || b[i] != '.' && b[i] != 'e' && b[i] != 'E' {
		// An integer. The number rule concerns only long ones.
		if intDigits < 19 {
			return i, nil
		}
		return i, jsonIntegerRule(b, start, intStart, i)
	}
	fracZeros := 0
	if b[i] == '.' {
		i++
		if intDigits == 1 && b[intStart] == '0' {
			for i+fracZeros < len(b) && b[i+fracZeros] == '0' {
				fracZeros++
			}
		}
		if !digits() {
			return i, numberError(b, start, i)
		}
	}
	expDigits, expNeg := 0, false
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			expNeg = b[i] == '-'
			i++
		}
		j := i
		if !digits() {
			return i, numberError(b, start, i)
		}
		expDigits = i - j
	}
	// The number rule for a fraction or an exponent: a long run of zeros
	// after the decimal point, or a value beyond float64, which needs 309
	// digits, or 210 and a two-digit exponent, or an exponent of three.
	switch {
	case fracZeros > maxJSONFractionZeros:
		return i, fmt.Errorf("number at offset %d has more than %d zeros after its decimal point", start, maxJSONFractionZeros)
	case intDigits > 200 || !expNeg && expDigits > 2:
		return i, jsonFloatRange(b, start, i)
	}
	return i, nil
}

// jsonIntegerRule applies the number rule to the integer b[start:end] of
// 19 digits or more from b[digits]: the codec refuses a negative one that
// fits 64 bits but not an int64 (beyond 64 bits it makes a float, as any
// JSON reader does), and one beyond float64.
func jsonIntegerRule(b []byte, start, digits, end int) error {
	if b[start] == '-' && end-digits <= 20 {
		if u, err := strconv.ParseUint(UnsafeString(b[digits:end]), 10, 64); err == nil && u > 1<<63 {
			return fmt.Errorf("negative integer at offset %d is below the int64 range", start)
		}
	}
	if end-digits > 300 {
		return jsonFloatRange(b, start, end)
	}
	return nil
}

// jsonFloatRange refuses the number b[start:end] if it is beyond float64.
func jsonFloatRange(b []byte, start, end int) error {
	if f, _ := strconv.ParseFloat(UnsafeString(b[start:end]), 64); math.IsInf(f, 0) {
		return fmt.Errorf("number at offset %d is beyond the float64 range", start)
	}
	return nil
}

// maxJSONFractionZeros is the most zeros the number rule allows between
// the decimal point of a number below 1 and its first other digit. The
// codec counts the decimal exponent of such a number in an int8 and reads
// one with some 120 zeros or more as another number, without an error
// (0.<249 zeros>1 as 1e6); no encoder writes one (they write 1e-250).
const maxJSONFractionZeros = 100

func numberError(b []byte, start, i int) error {
	if i == len(b) {
		return ErrTruncated
	}
	if i == start {
		return jsonSyntaxError(b, i)
	}
	return fmt.Errorf("invalid number at offset %d", start)
}

// jsonAppendElems is Format.AppendElems for JSON. Each element is checked
// by jsonValue as it is passed, so that one scanner walks JSON values.
func jsonAppendElems(dst [][]byte, raw []byte, limit int) ([][]byte, error) {
	i := jsonSpace(raw, 0)
	if i == len(raw) || raw[i] != '[' {
		return dst, ErrNotList
	}
	if limit == 0 {
		return dst, nil
	}
	i = jsonSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return dst, nil
	}
	var stack [MaxDepth - 1]byte // the list is the first level
	for n := 1; ; n++ {
		j, err := jsonValue(raw, i, stack[:])
		if err != nil {
			return dst, err
		}
		dst = append(dst, raw[i:j])
		i = jsonSpace(raw, j)
		if i == len(raw) {
			// A whole list goes on after each element; a number that
			// ends the data may have been cut short.
			return dst, ErrTruncated
		}
		if n == limit {
			return dst, nil
		}
		switch raw[i] {
		case ',':
			i = jsonSpace(raw, i+1)
		case ']':
			return dst, nil
		default:
			return dst, jsonSyntaxError(raw, i)
		}
	}
}

func jsonKind(b []byte) Kind {
	i := jsonSpace(b, 0)
	if i == len(b) {
		return KindInvalid
	}
	switch c := b[i]; {
	case c == '"':
		if len(b)-i >= 7 && string(b[i+1:i+7]) == `\u0000` {
			return KindBytes
		}
		return KindString
	case c == '[':
		return KindList
	case c == '{':
		return KindDict
	case c == 't' || c == 'f':
		return KindBool
	case c == 'n':
		return KindNil
	case c == '-' || c >= '0' && c <= '9':
		for _, d := range b[i+1:] {
			if d == '.' || d == 'e' || d == 'E' {
				return KindFloat
			}
		}
		if c == '-' {
			return KindInt
		}
		return KindUint
	}
	return KindInvalid
}

func jsonUint(raw []byte) (uint64, bool) {
	u, err := strconv.ParseUint(UnsafeString(raw), 10, 64)
	return u, err == nil
}

func jsonInt(raw []byte) (int64, bool) {
	n, err := strconv.ParseInt(UnsafeString(raw), 10, 64)
	return n, err == nil
}

func jsonFloat(raw []byte) (float64, bool) {
	f, err := strconv.ParseFloat(UnsafeString(raw), 64)
	return f, err == nil
}

func jsonBool(raw []byte) (v, ok bool) {
	switch UnsafeString(raw) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func jsonStringBytes(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c == '\\' || c == '"' {
			return nil, false
		}
	}
	return body, true
}

func jsonIsEmptyDict(raw []byte) bool {
	i := jsonSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return false
	}
	i = jsonSpace(raw, i+1)
	return i < len(raw) && raw[i] == '}' && jsonSpace(raw, i+1) == len(raw)
}

func jsonAppendUint(b []byte, u uint64) []byte { return strconv.AppendUint(b, u, 10) }

func jsonAppendInt(b []byte, i int64) []byte { return strconv.AppendInt(b, i, 10) }

// jsonAppendString writes str when it needs no escapes (printable ASCII
// but '"' and '\\'); otherwise it reports false and writes nothing.
func jsonAppendString(b []byte, str string) ([]byte, bool) {
	for i := 0; i < len(str); i++ {
		if c := str[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, str...)
	return append(b, '"'), true
}

// json checks one compact JSON value: no whitespace, strings with only the
// escapes the codec writes, numbers spelled as the codec spells them.
func (c *canon) json(i, depth int) (int, bool) {
	b := c.b
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return jsonCanonString(b, i)
	case '[':
		if canonTooDeep(depth) {
			return 0, false
		}
		i++
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = c.json(i, depth+1); !ok || i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case ']':
				return i + 1, true
			case ',':
				i++
			default:
				return 0, false
			}
		}
	case '{':
		if canonTooDeep(depth) {
			return 0, false
		}
		i++
		if i < len(b) && b[i] == '}' {
			return i + 1, true
		}
		base := len(c.keys)
		for {
			end, ok := jsonCanonString(b, i)
			if !ok || end >= len(b) || b[end] != ':' {
				return 0, false
			}
			c.pushKey(b[i:end])
			if i, ok = c.json(end+1, depth+1); !ok || i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case '}':
				if c.popKeys(base) {
					return 0, false
				}
				return i + 1, true
			case ',':
				i++
			default:
				return 0, false
			}
		}
	case 't':
		return jsonLit(b, i, "true")
	case 'f':
		return jsonLit(b, i, "false")
	case 'n':
		return jsonLit(b, i, "null")
	}
	return jsonCanonNumber(b, i)
}

func jsonLit(b []byte, i int, lit string) (int, bool) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return 0, false
}

// jsonEscapes are the \u escapes the codec writes (lower-case hex): control
// characters without a short escape, U+2028 and U+2029 (with HTMLCharsAsIs
// it writes &, < and > as they are).
var jsonEscapes = func() map[string]bool {
	m := map[string]bool{}
	for r := rune(0); r < 0x20; r++ {
		switch r {
		case '\b', '\t', '\n', '\f', '\r':
		default:
			m[fmt.Sprintf("%04x", r)] = true
		}
	}
	for _, r := range []string{"2028", "2029"} {
		m[r] = true
	}
	return m
}()

func jsonCanonString(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	for i++; ; {
		if i = jsonPlainRun(b, i); i == len(b) {
			return 0, false
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 >= len(b) {
				return 0, false
			}
			switch b[i+1] {
			case '"', '\\', 'b', 't', 'n', 'f', 'r':
				i += 2
			case 'u':
				if i+6 > len(b) || !jsonEscapes[string(b[i+2:i+6])] {
					return 0, false
				}
				i += 6
			default:
				return 0, false
			}
		case c < 0x20:
			return 0, false
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				return 0, false
			}
			i += n
		}
	}
}

// jsonCanonNumber checks a number: an integer that fits in an int64 (uint64
// when not negative) and is not -0, or a float spelled as the codec
// formats it.
func jsonCanonNumber(b []byte, i int) (int, bool) {
	start := i
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	digits := i
	if i >= len(b) || b[i] < '0' || b[i] > '9' {
		return 0, false
	}
	if b[i] == '0' {
		i++
	} else {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	nDigits := i - digits
	float := false
	if i < len(b) && b[i] == '.' {
		float = true
		i++
		f := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == f {
			return 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		float = true
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		f := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == f {
			return 0, false
		}
	}
	text := b[start:i]
	if !float {
		// The codec decodes an integer into an int64 when negative and a
		// uint64 otherwise, and writes it back as it was: -2^63 (19
		// digits) to 2^64-1 (20 digits). Beyond, it makes a float or
		// refuses the number.
		switch {
		case neg && b[digits] == '0': // -0
			return 0, false
		case nDigits < 19:
			return i, true
		case neg:
			_, err := strconv.ParseInt(string(text), 10, 64)
			return i, err == nil
		default:
			_, err := strconv.ParseUint(string(text), 10, 64)
			return i, err == nil
		}
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		return 0, false
	}
	var buf [32]byte
	if !bytes.Equal(appendJSONFloat(buf[:0], f), text) {
		return 0, false
	}
	return i, true
}

// appendJSONFloat formats f as the codec's JSON encoder does (ugorji
// v1.3.2 jsonFloatStrconvFmtPrec64 and noFrac64).
func appendJSONFloat(b []byte, f float64) []byte {
	format, prec := byte('f'), -1
	bits := math.Float64bits(f)
	abs := math.Abs(f)
	exp := uint64(bits>>52)&0x7FF - 1023
	switch {
	case abs == 0 || abs == 1:
		prec = 1
	case abs < 1e-6 || abs >= 1e21:
		format = 'e'
	case exp < 52 && bits<<(12+exp) == 0:
		prec = 1
	}
	return strconv.AppendFloat(b, f, format, prec, 64)
}
