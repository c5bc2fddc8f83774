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
package wamp
