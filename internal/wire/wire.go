// Package wire is the byte-level code of WAMP's three formats, written
// once and shared by wamp/ (the runtime's encoder and decoder) and router/
// (the embedded router's passthrough and full paths), so that they cannot
// drift apart again: before it they held three nesting limits (100, 64 and
// the codec's 1024), two rules for CBOR tags and two codec configurations.
//
// Where things are:
//
//   - format.go: Format, the one switch over the formats; every operation
//     below is a method of it that calls the format's own function.
//   - json.go, msgpack.go, cbor.go: everything about one format: its
//     scanner and validator, its nesting checker, list splitting, kinds,
//     scalar readers and writers.
//   - kind.go: Kind, what a value's first bytes say it is.
//   - list.go: ListBounds and what the scanners share.
//   - binary.go: the JSON convention for binary data.
//   - handles.go: the one github.com/ugorji/go/codec configuration.
//   - layout.go: the message layout, each message type's elements in
//     order, which every reader and writer of whole messages follows.
//   - this file: the rule set (MaxDepth and its errors).
//
// # Well-formedness
//
// The decoders of github.com/ugorji/go/codec skip over a value they do not
// decode (a payload kept as codec.Raw) without checking it: the JSON one
// only counts brackets, the MsgPack and CBOR ones recurse once per nesting
// level without the MaxDepth bound, so that a deeply nested payload of a
// few megabytes overflows the goroutine stack, which no recover can catch.
// Format.WellFormed therefore checks a message before any codec sees it:
// one complete, syntactically valid value; nesting at most MaxDepth
// levels, applied in this walk so that a message is walked once; every
// length within the input. It also holds the input to WAMP's data model,
// which the codec does not: strings must be UTF-8 (the JSON encoder would
// replace invalid bytes, so a relayed message would change); dictionary
// keys must be strings (the codec turns a list [1] into the key "\x01");
// and of the MsgPack extensions and CBOR tags only timestamps are allowed,
// which the codec writes for time.Time (it cannot carry other ones from one
// format to another: it writes a MsgPack extension's bytes into JSON as
// they are).
//
// Each format has one scanner for one value (jsonValue, msgpackValue,
// cborValue): it returns where the value ends, and takes the room for the
// containers it may open, which bounds the nesting. WellFormed checks a
// whole input with it; WellFormedList checks a list element by element
// with it, recording where each element lies (ListBounds); AppendElems
// splits a list with it. The list counts as a level of nesting, so its
// elements get one level less than a whole value. The scanners loop
// instead of recursing and allocate nothing.
//
// # Integers
//
// An integer is an int64 or a uint64, in every format, as MessagePack has
// them and as the codec decodes them. CBOR alone can write a negative
// integer below math.MinInt64 and epoch seconds (tag 1) beyond an int64,
// which the codec reads as other values without an error (-2^63-1 as
// math.MaxInt64): the CBOR validator, the canonical check and CBORDepth
// (the router's full path) refuse them. A JSON number is refused where the
// codec would refuse it or read it as another number: a negative integer
// that fits 64 bits but not an int64 (beyond 64 bits an integer is a
// float, as for any JSON reader), a float beyond float64's range, and a
// number below 1 with more than 100 zeros after its decimal point (the
// codec reads 0.<249 zeros>1 as 1e6). The JSON validator refuses all
// three; JSONDepth (the router's full path) the last, the codec refusing
// the others itself. The canonical check takes exactly the integers the
// codec writes back as they were.
//
// # The nesting rule
//
// The depth of an encoded value is the number of containers on the longest
// path from it down to a scalar. A scalar has depth 0; a list, a dictionary
// (a map) or a CBOR tag has depth one more than the deepest item it holds,
// an empty list or dictionary depth 1. Dictionary keys are items like the
// values. A value deeper than MaxDepth is refused, in every format, before
// any codec sees it. A WAMP message is a list, so it takes one of the
// levels: its elements may nest MaxDepth-1 levels.
//
// CBOR tags count because github.com/ugorji/go/codec decodes a tag with one
// recursion, like a list, but leaves it out of its own depth limit (which
// counts only lists and maps): one WebSocket frame of 800,000 tags (0xc6
// repeated) overflowed the goroutine stack, which ends the whole process
// with "fatal error: stack overflow", beyond any recover. MsgPack
// extensions are not containers: the codec reads their data as bytes.
//
// The nesting checkers (JSONDepth, MsgPackDepth, CBORDepth; Format.Depth),
// for input a codec decodes without WellFormed, walk the bytes in a loop,
// with a fixed array for the open containers, so that no Go stack grows
// with the input, and allocate nothing. They check
// only what they must to find the nesting; the rest is the decoder's to
// refuse. Where a decoder already walks every byte of a message for other
// reasons (WellFormed, the router's passthrough check), it applies
// MaxDepth in that walk instead of calling a checker, and tests hold both
// to the same verdicts.
package wire

import (
	"errors"
	"fmt"
)

// MaxDepth is the deepest nesting a decoded value may have: lists,
// dictionaries and CBOR tags each count as one level (see the package
// documentation).
const MaxDepth = 100

// CodecMaxDepth is the MaxDepth to give a github.com/ugorji/go/codec
// handle, which refuses a depth equal to its limit: with it the codec
// allows MaxDepth levels of lists and maps. It is a second line only: the
// codec does not count CBOR tags, so every caller checks MaxDepth first.
const CodecMaxDepth = MaxDepth + 1

// ErrTooDeep is returned, possibly wrapped, for a value nested deeper than
// MaxDepth.
var ErrTooDeep = fmt.Errorf("nested deeper than %d levels (lists, dictionaries and CBOR tags count)", MaxDepth)

// ErrTruncated is returned by the checkers for input that ends inside a
// value.
var ErrTruncated = errors.New("unexpected end of input")
