package wamp

import "github.com/wampgen/wampgen/internal/wire"

// Kind is the kind of an encoded value, read from its first bytes without
// decoding it.
type Kind = wire.Kind

// Kinds of encoded values.
const (
	KindInvalid = wire.KindInvalid // not a value (empty or malformed input)
	KindNil     = wire.KindNil     // null / nil
	KindBool    = wire.KindBool    // true or false
	KindUint    = wire.KindUint    // an integer in an unsigned encoding (never negative in JSON, MsgPack uint or CBOR major type 0)
	KindInt     = wire.KindInt     // an integer in a signed encoding (may be negative)
	KindFloat   = wire.KindFloat   // a floating-point number
	KindString  = wire.KindString  // a text string
	KindBytes   = wire.KindBytes   // binary data (JSON: a NUL-prefixed base64 string)
	KindList    = wire.KindList    // an array
	KindDict    = wire.KindDict    // a map
	KindOther   = wire.KindOther   // a MsgPack extension or a CBOR tag (for example a timestamp)
)
