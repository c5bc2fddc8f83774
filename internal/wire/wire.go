// Package wire holds the byte-level rules that every decoder of client
// input in this module applies, whichever package it lives in: for now the
// one nesting rule. wamp/ (the runtime's decoder) and router/ (the embedded
// router's full and passthrough paths) both use it, so that they cannot
// drift apart again: before it they held three nesting limits (100, 64 and
// the codec's 1024) and two rules for CBOR tags.
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
// The checkers (JSONDepth, MsgPackDepth, CBORDepth, one file per format)
// walk the bytes in a loop, with a fixed array for the open containers, so
// that no Go stack grows with the input, and allocate nothing. They check
// only what they must to find the nesting; the rest is the decoder's to
// refuse. Where a decoder already walks every byte of a message for other
// reasons (the wamp package's well-formedness scanners, the router's
// passthrough check), it applies MaxDepth in that walk instead of calling
// a checker, and tests hold both to the same verdicts.
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
