package wamp

import (
	"strconv"

	"github.com/wampgen/wampgen/internal/wire"
)

// MessageType is the code that starts every WAMP message.
type MessageType uint8

// Message type codes of the basic and advanced profiles.
const (
	TypeHello        MessageType = 1
	TypeWelcome      MessageType = 2
	TypeAbort        MessageType = 3
	TypeChallenge    MessageType = 4
	TypeAuthenticate MessageType = 5
	TypeGoodbye      MessageType = 6
	TypeError        MessageType = 8
	TypePublish      MessageType = 16
	TypePublished    MessageType = 17
	TypeSubscribe    MessageType = 32
	TypeSubscribed   MessageType = 33
	TypeUnsubscribe  MessageType = 34
	TypeUnsubscribed MessageType = 35
	TypeEvent        MessageType = 36
	TypeCall         MessageType = 48
	TypeCancel       MessageType = 49
	TypeResult       MessageType = 50
	TypeRegister     MessageType = 64
	TypeRegistered   MessageType = 65
	TypeUnregister   MessageType = 66
	TypeUnregistered MessageType = 67
	TypeInvocation   MessageType = 68
	TypeInterrupt    MessageType = 69
	TypeYield        MessageType = 70
)

// String returns the specification's name of t, such as "CALL", or
// "MessageType(N)" for a code WAMP does not define.
func (t MessageType) String() string {
	if l := wire.LayoutOf(uint64(t)); l != nil {
		return l.Name
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// Known reports whether t is a message type this package implements: one
// of the message layout (internal/wire).
func (t MessageType) Known() bool { return wire.LayoutOf(uint64(t)) != nil }

// Message is one WAMP message.
type Message interface {
	// Type returns the message's type code.
	Type() MessageType
}

// Hello opens a session: [HELLO, Realm|uri, Details|dict].
type Hello struct {
	Realm   URI
	Details Dict
}

// Welcome accepts a session: [WELCOME, Session|id, Details|dict].
type Welcome struct {
	Session ID
	Details Dict
}

// Abort refuses or ends a session without a handshake:
// [ABORT, Details|dict, Reason|uri, Arguments|list, ArgumentsKw|dict].
type Abort struct {
	Details Dict
	Reason  URI
	Args    Payload
	Kwargs  Payload
}

// Challenge asks the client to authenticate: [CHALLENGE, AuthMethod|string, Extra|dict].
type Challenge struct {
	AuthMethod string
	Extra      Dict
}

// Authenticate answers a challenge: [AUTHENTICATE, Signature|string, Extra|dict].
type Authenticate struct {
	Signature string
	Extra     Dict
}

// Goodbye closes a session: [GOODBYE, Details|dict, Reason|uri].
type Goodbye struct {
	Details Dict
	Reason  URI
}

// Error answers a request with an error:
// [ERROR, REQUEST.Type|int, REQUEST.Request|id, Details|dict, Error|uri, Arguments|list, ArgumentsKw|dict].
type Error struct {
	RequestType MessageType
	Request     ID
	Details     Dict
	Error       URI
	Args        Payload
	Kwargs      Payload
}

// Publish publishes an event:
// [PUBLISH, Request|id, Options|dict, Topic|uri, Arguments|list, ArgumentsKw|dict].
type Publish struct {
	Request ID
	Options Dict
	Topic   URI
	Args    Payload
	Kwargs  Payload
}

// Published acknowledges a publication: [PUBLISHED, PUBLISH.Request|id, Publication|id].
type Published struct {
	Request     ID
	Publication ID
}

// Subscribe subscribes to a topic: [SUBSCRIBE, Request|id, Options|dict, Topic|uri].
type Subscribe struct {
	Request ID
	Options Dict
	Topic   URI
}

// Subscribed acknowledges a subscription: [SUBSCRIBED, SUBSCRIBE.Request|id, Subscription|id].
type Subscribed struct {
	Request      ID
	Subscription ID
}

// Unsubscribe ends a subscription: [UNSUBSCRIBE, Request|id, SUBSCRIBED.Subscription|id].
type Unsubscribe struct {
	Request      ID
	Subscription ID
}

// Unsubscribed acknowledges an unsubscribe: [UNSUBSCRIBED, UNSUBSCRIBE.Request|id],
// or, with Request 0, revokes a subscription: [UNSUBSCRIBED, 0, Details|dict].
type Unsubscribed struct {
	Request ID
	Details Dict
}

// Event delivers a publication:
// [EVENT, SUBSCRIBED.Subscription|id, PUBLISHED.Publication|id, Details|dict, Arguments|list, ArgumentsKw|dict].
type Event struct {
	Subscription ID
	Publication  ID
	Details      Dict
	Args         Payload
	Kwargs       Payload
}

// Call calls a procedure:
// [CALL, Request|id, Options|dict, Procedure|uri, Arguments|list, ArgumentsKw|dict].
type Call struct {
	Request   ID
	Options   Dict
	Procedure URI
	Args      Payload
	Kwargs    Payload
}

// Cancel cancels a call: [CANCEL, CALL.Request|id, Options|dict].
type Cancel struct {
	Request ID
	Options Dict
}

// Result returns a call's result, or one progressive result:
// [RESULT, CALL.Request|id, Details|dict, Arguments|list, ArgumentsKw|dict].
type Result struct {
	Request ID
	Details Dict
	Args    Payload
	Kwargs  Payload
}

// Register registers a procedure: [REGISTER, Request|id, Options|dict, Procedure|uri].
type Register struct {
	Request   ID
	Options   Dict
	Procedure URI
}

// Registered acknowledges a registration: [REGISTERED, REGISTER.Request|id, Registration|id].
type Registered struct {
	Request      ID
	Registration ID
}

// Unregister ends a registration: [UNREGISTER, Request|id, REGISTERED.Registration|id].
type Unregister struct {
	Request      ID
	Registration ID
}

// Unregistered acknowledges an unregister: [UNREGISTERED, UNREGISTER.Request|id],
// or, with Request 0, revokes a registration: [UNREGISTERED, 0, Details|dict].
type Unregistered struct {
	Request ID
	Details Dict
}

// Invocation asks a callee to run a procedure:
// [INVOCATION, Request|id, REGISTERED.Registration|id, Details|dict, Arguments|list, ArgumentsKw|dict].
type Invocation struct {
	Request      ID
	Registration ID
	Details      Dict
	Args         Payload
	Kwargs       Payload
}

// Interrupt asks a callee to stop an invocation: [INTERRUPT, INVOCATION.Request|id, Options|dict].
type Interrupt struct {
	Request ID
	Options Dict
}

// Yield returns an invocation's result, or one progressive result:
// [YIELD, INVOCATION.Request|id, Options|dict, Arguments|list, ArgumentsKw|dict].
type Yield struct {
	Request ID
	Options Dict
	Args    Payload
	Kwargs  Payload
}

func (*Hello) Type() MessageType        { return TypeHello }
func (*Welcome) Type() MessageType      { return TypeWelcome }
func (*Abort) Type() MessageType        { return TypeAbort }
func (*Challenge) Type() MessageType    { return TypeChallenge }
func (*Authenticate) Type() MessageType { return TypeAuthenticate }
func (*Goodbye) Type() MessageType      { return TypeGoodbye }
func (*Error) Type() MessageType        { return TypeError }
func (*Publish) Type() MessageType      { return TypePublish }
func (*Published) Type() MessageType    { return TypePublished }
func (*Subscribe) Type() MessageType    { return TypeSubscribe }
func (*Subscribed) Type() MessageType   { return TypeSubscribed }
func (*Unsubscribe) Type() MessageType  { return TypeUnsubscribe }
func (*Unsubscribed) Type() MessageType { return TypeUnsubscribed }
func (*Event) Type() MessageType        { return TypeEvent }
func (*Call) Type() MessageType         { return TypeCall }
func (*Cancel) Type() MessageType       { return TypeCancel }
func (*Result) Type() MessageType       { return TypeResult }
func (*Register) Type() MessageType     { return TypeRegister }
func (*Registered) Type() MessageType   { return TypeRegistered }
func (*Unregister) Type() MessageType   { return TypeUnregister }
func (*Unregistered) Type() MessageType { return TypeUnregistered }
func (*Invocation) Type() MessageType   { return TypeInvocation }
func (*Interrupt) Type() MessageType    { return TypeInterrupt }
func (*Yield) Type() MessageType        { return TypeYield }
