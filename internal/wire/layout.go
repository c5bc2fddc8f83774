package wire

// The message layout: the one description of the elements of each WAMP
// message type, in order, after the type code. It is the specification's
// (section "Message Definitions"), written here once; every reader and
// writer of whole messages follows it:
//
//   - wamp's decoder (fields, in wamp/codec.go) and the router's
//     passthrough decoder (fastReader, router/passthrough.go) read a
//     message element by element with a cursor over the layout: the name
//     of an element, its kind, whether an ID may be 0 and whether it is
//     optional all come from here, and a reader that asks for another kind
//     than the layout has there is an error, not a misread.
//   - wamp's encoder and the router's passthrough encoder write the
//     elements in order with a cursor too, the list head counted from
//     Arity; their order is checked against this table by tests
//     (wamp TestLayoutEncodeDecode, router TestLayoutPaths), which encode
//     every message type with a distinct value in every element and read
//     the result back by position. They stay straight-line code rather than
//     a walk of this table: the encoders are the hottest path, and a walk
//     would add a lookup and a branch per element.
//   - the router's full path (router/serializer.go, messageToList and
//     listToMessage) walks this table to convert between a message list
//     and nexus's message structs.

// Elem is what one element of a message is.
type Elem uint8

// The kinds of element.
const (
	ElemID          Elem = iota + 1 // an ID in 1..2^53
	ElemIDOrZero                    // an ID, or 0 (a revocation: UNSUBSCRIBED, UNREGISTERED)
	ElemType                        // a message type code (ERROR's REQUEST.Type)
	ElemURI                         // a URI, not empty
	ElemString                      // a string
	ElemDict                        // a dictionary (Details, Options, Extra)
	ElemOptDict                     // an optional dictionary, last (the Details of a revocation)
	ElemArguments                   // Arguments: an optional list
	ElemArgumentsKw                 // ArgumentsKw: an optional dictionary, last
)

// Optional reports whether an element of kind e may be left off the end of
// a message. Only the last elements of a message are optional.
func (e Elem) Optional() bool {
	return e == ElemOptDict || e == ElemArguments || e == ElemArgumentsKw
}

// Field is one element of a message after the type code.
type Field struct {
	Name string // the specification's name, such as "Request" or "REQUEST.Type"
	Elem Elem
}

// Layout is the element order of one message type.
type Layout struct {
	Name   string  // the specification's name of the message type, such as "CALL"
	Fields []Field // the elements after the type code, in order
	least  uint8   // the elements of the shortest message, type code included
}

var (
	request      = Field{"Request", ElemID}
	options      = Field{"Options", ElemDict}
	details      = Field{"Details", ElemDict}
	arguments    = Field{"Arguments", ElemArguments}
	argumentsKw  = Field{"ArgumentsKw", ElemArgumentsKw}
	subscription = Field{"Subscription", ElemID}
	registration = Field{"Registration", ElemID}
	publication  = Field{"Publication", ElemID}
)

// layouts holds the layout of each message type by its code; a zero Layout
// for codes that are no message type.
var layouts = [...]Layout{
	1:  {Name: "HELLO", Fields: []Field{{"Realm", ElemURI}, details}},
	2:  {Name: "WELCOME", Fields: []Field{{"Session", ElemID}, details}},
	3:  {Name: "ABORT", Fields: []Field{details, {"Reason", ElemURI}, arguments, argumentsKw}},
	4:  {Name: "CHALLENGE", Fields: []Field{{"AuthMethod", ElemString}, {"Extra", ElemDict}}},
	5:  {Name: "AUTHENTICATE", Fields: []Field{{"Signature", ElemString}, {"Extra", ElemDict}}},
	6:  {Name: "GOODBYE", Fields: []Field{details, {"Reason", ElemURI}}},
	8:  {Name: "ERROR", Fields: []Field{{"REQUEST.Type", ElemType}, request, details, {"Error", ElemURI}, arguments, argumentsKw}},
	16: {Name: "PUBLISH", Fields: []Field{request, options, {"Topic", ElemURI}, arguments, argumentsKw}},
	17: {Name: "PUBLISHED", Fields: []Field{request, publication}},
	32: {Name: "SUBSCRIBE", Fields: []Field{request, options, {"Topic", ElemURI}}},
	33: {Name: "SUBSCRIBED", Fields: []Field{request, subscription}},
	34: {Name: "UNSUBSCRIBE", Fields: []Field{request, subscription}},
	35: {Name: "UNSUBSCRIBED", Fields: []Field{{"Request", ElemIDOrZero}, {"Details", ElemOptDict}}},
	36: {Name: "EVENT", Fields: []Field{subscription, publication, details, arguments, argumentsKw}},
	48: {Name: "CALL", Fields: []Field{request, options, {"Procedure", ElemURI}, arguments, argumentsKw}},
	49: {Name: "CANCEL", Fields: []Field{request, options}},
	50: {Name: "RESULT", Fields: []Field{request, details, arguments, argumentsKw}},
	64: {Name: "REGISTER", Fields: []Field{request, options, {"Procedure", ElemURI}}},
	65: {Name: "REGISTERED", Fields: []Field{request, registration}},
	66: {Name: "UNREGISTER", Fields: []Field{request, registration}},
	67: {Name: "UNREGISTERED", Fields: []Field{{"Request", ElemIDOrZero}, {"Details", ElemOptDict}}},
	68: {Name: "INVOCATION", Fields: []Field{request, registration, details, arguments, argumentsKw}},
	69: {Name: "INTERRUPT", Fields: []Field{request, options}},
	70: {Name: "YIELD", Fields: []Field{request, options, arguments, argumentsKw}},
}

func init() {
	for code := range layouts {
		l := &layouts[code]
		least := 1 + len(l.Fields)
		for least > 1 && l.Fields[least-2].Elem.Optional() {
			least--
		}
		if l.Name != "" {
			l.least = uint8(least)
		}
	}
}

// LayoutOf returns the layout of message type code, or nil for a code that
// is no message type. The layout must not be modified.
func LayoutOf(code uint64) *Layout {
	if code >= uint64(len(layouts)) || layouts[code].Name == "" {
		return nil
	}
	return &layouts[code]
}

// Arity returns the least and the most elements of a message of type code,
// the type code included; ok is false for a code that is no message type.
// For the messages that carry a payload, the least is the number of
// elements before Arguments.
func Arity(code uint64) (least, most int, ok bool) {
	l := LayoutOf(code)
	if l == nil {
		return 0, 0, false
	}
	return int(l.least), 1 + len(l.Fields), true
}
