package runtime

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// Config configures a session. Only Realm is required.
type Config struct {
	// Realm to join.
	Realm wamp.URI
	// Serializer: wamp.JSON (the default), wamp.MsgPack or wamp.CBOR.
	Serializer *wamp.Serializer
	// Auth authenticates the session; nil joins anonymously.
	Auth Authenticator
	// HelloDetails are merged into HELLO.Details (roles and authentication
	// keys are set by the session and win).
	HelloDetails wamp.Dict
	// Logger receives the session's diagnostics; nil discards them.
	Logger *slog.Logger
	// TLSConfig is used for wss:// and tcps:// URLs.
	TLSConfig *tls.Config
	// Dial opens the network connection ("tcp" or "unix"); nil uses a
	// net.Dialer. Set it to go through a proxy, or to hold the connection
	// in a test.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// MaxMessageSize bounds a received message in bytes (default 16 MiB,
	// the largest a RawSocket can announce). A larger message is read past
	// and fails only the request it concerns, when its header (type and
	// request ID, in its first 512 bytes) can be read: a call answered by
	// it fails with wamp.error.payload_size_exceeded, an INVOCATION is
	// answered with that error without running its handler, an EVENT is
	// dropped (both logged at most once per 10 s). Otherwise, and for a
	// WebSocket message over 4 × MaxMessageSize (at least MaxMessageSize +
	// 1 MiB), which is not read past, the session ends with
	// wamp.error.protocol_violation. Sends larger than MaxMessageSize, or
	// than the router's RawSocket limit, fail with ErrPayloadSizeExceeded.
	MaxMessageSize int
	// ResponseTimeout bounds how long the join handshake, REGISTER,
	// SUBSCRIBE and similar requests, and the GOODBYE handshake of Close
	// wait for the router when their context has no deadline (default 10s).
	// Calls are bounded only by their context.
	ResponseTimeout time.Duration
	// CancelMode is the default CANCEL mode for calls whose context ends:
	// CancelKill (the default), CancelKillNoWait or CancelSkip; Dial
	// refuses any other value. WithCancelMode overrides it per call.
	CancelMode CancelMode
	// Errors maps Go errors to WAMP error URIs; nil uses DefaultErrors.
	Errors *ErrorRegistry
	// ErrorText decides the message (the single argument of
	// wamp.error.runtime_error) a remote caller receives when a handler of
	// procedure returns an unmapped error, panics (err then says
	// "panic: …"), or returns a result or an error that cannot be sent
	// (one that does not encode, or is too large). Every such failure is first logged at Error level with
	// the procedure, the full error and incident, a short random ID. nil
	// uses RedactErrorText, which sends the procedure and the incident ID
	// only; ExposeErrorText sends err's text, for development. Errors that
	// are mapped (an *Error, a registered error, context.Canceled and
	// context.DeadlineExceeded) travel as ErrorRegistry.ToWire says,
	// whatever ErrorText does.
	ErrorText func(procedure wamp.URI, incident string, err error) string
	// KeepAlive is the interval of pings (WebSocket ping frames, RawSocket
	// PING frames); a connection that answers none for two intervals counts
	// as lost (half-open connections are found this way). Zero disables
	// them.
	KeepAlive time.Duration
	// Reconnect, when set, makes the session reconnect and restore itself
	// after losing its connection; see ReconnectPolicy. nil (the default)
	// ends the session instead.
	Reconnect *ReconnectPolicy
	// EventQueue bounds, in events, the queue of each subscription: the
	// events received and not yet handled (default 1024; WithEventQueue
	// sets it per subscription). An event that does not fit is dropped and
	// counted (SubscriptionStats.Dropped); see the package documentation.
	EventQueue int
	// EventQueueBytes bounds the queue of each subscription in bytes, as
	// the EVENT messages were received (default 16 MiB). An event larger
	// than the bound is queued only into an empty queue.
	EventQueueBytes int
	// InputQueueBytes bounds the input queue of each invocation with
	// streamed input (see WithStreamedInput): the chunks received and not
	// yet read by the handler, each counted as the size of its INVOCATION
	// message plus a fixed 384 bytes, what a queued chunk costs in memory
	// besides its message (default 16 MiB: some 38,000 chunks of one
	// number each; a chunk larger than the bound is queued only into an
	// empty queue). InputQueue bounds the same queue in chunks (default:
	// InputQueueBytes / 384, so that by default only the bytes count).
	// InputSessionBytes bounds, counted the same way, the chunks queued
	// for all the session's invocations together (default 64 MiB: four
	// calls at their own bound, or many calls each a little behind its
	// caller). A chunk that does not fit ends its call, and only that
	// call: the caller gets wampgen.error.input_overflow
	// (ErrInputOverflow), and so does the handler's Invocation.Input.
	// See the package documentation, "Flow control".
	InputQueue        int
	InputQueueBytes   int
	InputSessionBytes int
	// OnStateChange, when set, is called with every change of the
	// session's State, in order, on a goroutine of the session's own. It
	// must not call Close (use go sess.Close()).
	OnStateChange func(StateChange)
	// Interceptors wrap everything the session does: its outgoing calls,
	// calls with streamed input and publications, and every handler
	// registered or subscribed on it (wrapped once, at Register or
	// Subscribe, and kept across reconnects). The first acts first; those
	// given with WithInterceptors come after them. See the package
	// documentation, "Interceptors".
	Interceptors []Interceptor
}

const (
	defaultMaxMessageSize  = 16 << 20
	defaultResponseTimeout = 10 * time.Second
)

func (c Config) withDefaults() Config {
	if c.Serializer == nil {
		c.Serializer = wamp.JSON
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxMessageSize <= 0 {
		c.MaxMessageSize = defaultMaxMessageSize
	}
	if c.ResponseTimeout <= 0 {
		c.ResponseTimeout = defaultResponseTimeout
	}
	if c.EventQueue <= 0 {
		c.EventQueue = defaultEventQueue
	}
	if c.EventQueueBytes <= 0 {
		c.EventQueueBytes = defaultEventQueueBytes
	}
	if c.InputQueueBytes <= 0 {
		c.InputQueueBytes = defaultInputQueueBytes
	}
	if c.InputQueue <= 0 {
		c.InputQueue = max(1, c.InputQueueBytes/inputChunkOverhead)
	}
	if c.InputSessionBytes <= 0 {
		c.InputSessionBytes = defaultInputSessionBytes
	}
	if c.CancelMode == "" {
		c.CancelMode = CancelKill
	}
	if c.Errors == nil {
		c.Errors = DefaultErrors
	}
	if c.ErrorText == nil {
		c.ErrorText = RedactErrorText
	}
	if c.Dial == nil {
		var d net.Dialer
		c.Dial = d.DialContext
	}
	return c
}
