package wire

// The message layout: how many elements each WAMP message type has, the
// type code included. The wamp package's decoder and the router's
// passthrough both check a message's length here; the element positions
// are those of the WAMP specification (section "Message Definitions").

// arities holds, by message type code, the least and the most elements of
// a message; {0, 0} for codes that are no message type.
var arities = [...][2]uint8{
	1:  {3, 3}, // HELLO [1, Realm, Details]
	2:  {3, 3}, // WELCOME [2, Session, Details]
	3:  {3, 5}, // ABORT [3, Details, Reason, Arguments?, ArgumentsKw?]
	4:  {3, 3}, // CHALLENGE [4, AuthMethod, Extra]
	5:  {3, 3}, // AUTHENTICATE [5, Signature, Extra]
	6:  {3, 3}, // GOODBYE [6, Details, Reason]
	8:  {5, 7}, // ERROR [8, RequestType, Request, Details, Error, Arguments?, ArgumentsKw?]
	16: {4, 6}, // PUBLISH [16, Request, Options, Topic, Arguments?, ArgumentsKw?]
	17: {3, 3}, // PUBLISHED [17, Request, Publication]
	32: {4, 4}, // SUBSCRIBE [32, Request, Options, Topic]
	33: {3, 3}, // SUBSCRIBED [33, Request, Subscription]
	34: {3, 3}, // UNSUBSCRIBE [34, Request, Subscription]
	35: {2, 3}, // UNSUBSCRIBED [35, Request, Details?]
	36: {4, 6}, // EVENT [36, Subscription, Publication, Details, Arguments?, ArgumentsKw?]
	48: {4, 6}, // CALL [48, Request, Options, Procedure, Arguments?, ArgumentsKw?]
	49: {3, 3}, // CANCEL [49, Request, Options]
	50: {3, 5}, // RESULT [50, Request, Details, Arguments?, ArgumentsKw?]
	64: {4, 4}, // REGISTER [64, Request, Options, Procedure]
	65: {3, 3}, // REGISTERED [65, Request, Registration]
	66: {3, 3}, // UNREGISTER [66, Request, Registration]
	67: {2, 3}, // UNREGISTERED [67, Request, Details?]
	68: {4, 6}, // INVOCATION [68, Request, Registration, Details, Arguments?, ArgumentsKw?]
	69: {3, 3}, // INTERRUPT [69, Request, Options]
	70: {3, 5}, // YIELD [70, Request, Options, Arguments?, ArgumentsKw?]
}

// Arity returns the least and the most elements of a message of type code,
// the type code included; ok is false for a code that is no message type.
// For the messages that carry a payload, the least is the number of
// elements before Arguments.
func Arity(code uint64) (least, most int, ok bool) {
	if code >= uint64(len(arities)) || arities[code][0] == 0 {
		return 0, 0, false
	}
	a := arities[code]
	return int(a[0]), int(a[1]), true
}
