// Package wamp is the WAMP v2 protocol: message types and their fields, IDs,
// URIs, the predefined error URIs and option keys, and the JSON, MsgPack and
// CBOR serializers.
//
// It knows nothing about sessions or sockets; package runtime builds a client
// session on top of it.
//
// # Payloads
//
// The Arguments and ArgumentsKw of a message travel as a [Payload]. A payload
// an application builds holds Go values; a payload a serializer decodes keeps
// the encoded bytes, and typed code decodes them straight into Go types with
// [Payload.List], [Value.Decode] and [Payload.Decode], without a detour through
// []any or map[string]any. Decoding is strict about kinds: a string never
// decodes into a number, a float with a fraction never into an integer, an
// integer out of range never silently wraps.
//
// # Binary data
//
// MsgPack and CBOR carry []byte natively. JSON carries it as a string made of
// a NUL character followed by the standard (padded) base64 encoding, as the
// WAMP specification prescribes; the JSON serializer applies the convention in
// both directions, also when decoding into interface values.
//
// # How values travel
//
// A router converts between the formats by structure (a string stays a
// string; only JSON's NUL-and-base64 strings become binary), so a value
// arrives intact between any two serializers only in a form that is the same
// structure in all three. The serializers write these types in such a form,
// the same in every format, at every level of nesting and on every path
// ([ArgsOf], [PayloadOf], a [Dict], []any or map[string]any holding them):
//
//   - time.Time is an RFC 3339 string with nanoseconds, as
//     [time.Time.MarshalText] writes it: the fraction without trailing zeros,
//     the UTC offset kept, "Z" for UTC; the zero time is
//     "0001-01-01T00:00:00Z". Encoding a time whose year is outside 0..9999,
//     or whose offset is not a whole number of minutes, is an error.
//     Decoding into a time.Time takes that string (up to 9 fraction digits,
//     an offset required), null (the zero time), and the native forms of
//     other peers: a MsgPack timestamp extension (type -1, 4, 8 or 12 bytes)
//     and CBOR tags 0 (RFC 3339 text) and 1 (epoch seconds, integer or
//     float). The instant and the offset arrive exactly; the location's name
//     and the monotonic clock reading do not travel.
//   - time.Duration goes by its kind: an integer number of nanoseconds.
//   - A type T whose T or *T implements both halves of a pair travels in the
//     pair's form, the first that applies: encoding.TextMarshaler and
//     encoding.TextUnmarshaler as a string (its text, also as a map key);
//     encoding.BinaryMarshaler and encoding.BinaryUnmarshaler as binary;
//     json.Marshaler and json.Unmarshaler as the JSON value it writes,
//     carried as structure (in MsgPack and CBOR integers stay integers,
//     other numbers are float64, NUL-and-base64 strings are binary), and
//     transcoded back to JSON for UnmarshalJSON. time.Time precedes them all.
//     A type with only one half of a pair goes by its kind.
//   - Types implementing codec.Selfer are left to the codec, whose form
//     differs per format: they do not travel portably.
//
// Values without such types are written by the codec, as they always were
// (the check is cached per type and costs no allocation); structs that hold
// them are written with the codec's field names, order and omitempty rule.
package wamp
