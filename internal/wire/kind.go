package wire

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
