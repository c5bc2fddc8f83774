package wamp

// Kind is the kind of an encoded value, read from its first bytes without
// decoding it.
type Kind uint8

// Kinds of encoded values.
const (
	KindInvalid Kind = iota // not a value (empty or malformed input)
	KindNil                 // null / nil
	KindBool                // true or false
	KindUint                // an integer in an unsigned encoding (never negative in JSON, MsgPack uint or CBOR major type 0)
	KindInt                 // an integer in a signed encoding (may be negative)
	KindFloat               // a floating-point number
	KindString              // a text string
	KindBytes               // binary data (JSON: a NUL-prefixed base64 string)
	KindList                // an array
	KindDict                // a map
	KindOther               // a MsgPack extension or a CBOR tag (for example a timestamp)
)

var kindNames = [...]string{
	KindInvalid: "invalid", KindNil: "null", KindBool: "bool", KindUint: "integer",
	KindInt: "integer", KindFloat: "float", KindString: "string", KindBytes: "bytes",
	KindList: "list", KindDict: "dict", KindOther: "extension",
}

// String names the kind as an error message would: "string", "list", ….
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

func jsonKind(b []byte) Kind {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
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

func msgpackKind(b []byte) Kind {
	if len(b) == 0 {
		return KindInvalid
	}
	return msgpackHeads[b[0]].kind
}

func cborKind(b []byte) Kind {
	if len(b) == 0 {
		return KindInvalid
	}
	switch major, info := b[0]>>5, b[0]&0x1f; major {
	case 0:
		return KindUint
	case 1:
		return KindInt
	case 2:
		return KindBytes
	case 3:
		return KindString
	case 4:
		return KindList
	case 5:
		return KindDict
	case 6:
		return KindOther
	default:
		switch info {
		case 20, 21:
			return KindBool
		case 22, 23:
			return KindNil
		case 25, 26, 27:
			return KindFloat
		}
	}
	return KindInvalid
}
