package router

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gammazero/nexus/v3/wamp"
)

const (
	// defaultOutQueueSize is the number of messages buffered for one client
	// unless Config.OutQueueSize says otherwise. nexus never blocks on a
	// client: it drops an EVENT, and answers a CALL whose INVOCATION does
	// not fit with wamp.error.network_failure ("callee blocked"). 256, the
	// old value, lost invocations when a thousand calls arrived at once.
	defaultOutQueueSize = 8192

	// flushTimeout bounds how long closing a connection may spend writing
	// the messages still queued for it (a GOODBYE, an ABORT, results).
	flushTimeout = time.Second
)

// Error URIs for messages the router cannot deliver to a client.
const (
	errPayloadSizeExceeded = wamp.URI("wamp.error.payload_size_exceeded")
	errInvalidPayload      = wamp.URI("wamp.error.invalid_payload")
)

// frameKind tells a WAMP message from a transport-level ping.
type frameKind int

const (
	frameMessage frameKind = iota
	framePing              // RawSocket PING; the payload must be echoed in a PONG
)

// frameConn is one framed connection: WebSocket or RawSocket. readFrame is
// only called by a peer's reader goroutine; the write methods only by its
// writer goroutine; close may be called from anywhere.
type frameConn interface {
	// readFrame returns the next WAMP message or ping. A *protocolError
	// means the client broke the transport protocol.
	readFrame() (frameKind, []byte, error)
	writeMessage(b []byte) error
	writePong(payload []byte) error
	// writePing sends a keep-alive ping; only called when keep-alive is on.
	writePing() error
	// writeClose starts a closing handshake where the transport has one.
	writeClose()
	setWriteDeadline(t time.Time)
	close() error
	// maxSendSize is the largest message the client accepts, 0 if unknown.
	maxSendSize() int
}

// protocolError is a violation of the transport protocol by the client.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return e.msg }

// peer is the router's side of one client connection. It implements
// wamp.Peer, the interface nexus routes messages through.
//
// Two goroutines serve it. The reader decodes frames and hands messages to
// nexus on rd; it closes rd when the connection ends, which tells nexus that
// the session is gone. The writer takes messages from wr, encodes and writes
// them; it is the only goroutine that writes to the connection.
//
// Shutting down (closeWith) lets the writer flush what is queued, write an
// optional last message (ABORT or GOODBYE), and close the connection, all
// within flushTimeout. nexus calls Close when it is done with the session;
// Close shuts down and waits for both goroutines. wr is never closed, so a
// late send from nexus can't panic; it lands in the buffer, or is dropped by
// nexus's non-blocking send when the buffer is full.
type peer struct {
	fc        frameConn
	ser       *serializer
	log       *slog.Logger
	pingEvery time.Duration

	rd    chan wamp.Message
	wr    chan wamp.Message
	pongs chan []byte

	rdMu     sync.Mutex // serializes sends on rd with its closing
	rdClosed bool

	closeOnce sync.Once
	closing   chan struct{}
	final     wamp.Message // written last; set before closing is closed

	readerDone chan struct{}
	writerDone chan struct{}

	broken bool // writer only: the connection failed, stop writing

	releaseOnce sync.Once
	onRelease   func() // called once when Close has finished
}

var _ wamp.Peer = (*peer)(nil)

// newPeer starts serving fc. onRelease runs once, after Close has stopped
// both goroutines.
func newPeer(fc frameConn, ser *serializer, log *slog.Logger, pingEvery time.Duration, queueSize int, onRelease func()) *peer {
	p := &peer{
		fc:         fc,
		ser:        ser,
		log:        log,
		pingEvery:  pingEvery,
		rd:         make(chan wamp.Message),
		wr:         make(chan wamp.Message, queueSize),
		pongs:      make(chan []byte),
		closing:    make(chan struct{}),
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
		onRelease:  onRelease,
	}
	go p.readLoop()
	go p.writeLoop()
	return p
}

// Recv returns the channel of messages from the client.
func (p *peer) Recv() <-chan wamp.Message { return p.rd }

// Send returns the channel of messages to the client.
func (p *peer) Send() chan<- wamp.Message { return p.wr }

// IsLocal reports false: every client of this router is remote, so realms
// authenticate and authorize it.
func (p *peer) IsLocal() bool { return false }

// Close flushes queued messages, closes the connection and waits for the
// peer's goroutines to end. It is safe to call more than once.
func (p *peer) Close() {
	p.closeWith(nil)
	<-p.writerDone
	<-p.readerDone
	p.releaseOnce.Do(func() {
		if p.onRelease != nil {
			p.onRelease()
		}
	})
}

// closeWith starts shutting the connection down without waiting; final, if
// not nil, is written after the queued messages. Only the first call counts.
func (p *peer) closeWith(final wamp.Message) {
	p.closeOnce.Do(func() {
		p.final = final
		close(p.closing)
	})
}

// abort ends the connection with an ABORT for a protocol violation.
func (p *peer) abort(reason string) {
	p.log.Warn("router: closing connection: protocol violation", "reason", reason)
	p.closeWith(&wamp.Abort{
		Details: wamp.Dict{wamp.OptMessage: reason},
		Reason:  wamp.ErrProtocolViolation,
	})
}

// deliver hands msg to nexus. It reports false when the peer is shutting
// down and msg was not delivered.
func (p *peer) deliver(msg wamp.Message) bool {
	p.rdMu.Lock()
	defer p.rdMu.Unlock()
	if p.rdClosed {
		return false
	}
	select {
	case p.rd <- msg:
		return true
	case <-p.closing:
		return false
	}
}

func (p *peer) closeRecv() {
	p.rdMu.Lock()
	defer p.rdMu.Unlock()
	if !p.rdClosed {
		p.rdClosed = true
		close(p.rd)
	}
}

func (p *peer) readLoop() {
	defer close(p.readerDone)
	defer p.closeRecv()
	for {
		kind, data, err := p.fc.readFrame()
		if err != nil {
			if pe, ok := errors.AsType[*protocolError](err); ok {
				p.abort(pe.msg)
				return
			}
			select {
			case <-p.closing:
			default:
				p.log.Debug("router: connection ended by client", "err", err)
			}
			return
		}
		if kind == framePing {
			select {
			case p.pongs <- data:
			case <-p.closing:
				return
			}
			continue
		}
		msg, err := p.ser.Deserialize(data)
		if err != nil {
			p.abort(err.Error())
			return
		}
		msg, reply, why := screen(msg)
		if why != "" {
			p.log.Warn("router: refused client message", "reason", why)
		}
		if reply != nil {
			select {
			case p.wr <- reply:
			default:
			}
		}
		if msg != nil && !p.deliver(msg) {
			return
		}
	}
}

func (p *peer) writeLoop() {
	defer close(p.writerDone)
	var tick <-chan time.Time
	if p.pingEvery > 0 {
		t := time.NewTicker(p.pingEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case msg := <-p.wr:
			p.send(msg)
		case payload := <-p.pongs:
			if !p.broken {
				p.check(p.fc.writePong(payload))
			}
		case <-tick:
			if !p.broken {
				p.check(p.fc.writePing())
			}
		case <-p.closing:
			p.flush()
			return
		}
	}
}

// flush writes what is still queued and the final message, then closes the
// connection.
func (p *peer) flush() {
	p.fc.setWriteDeadline(time.Now().Add(flushTimeout))
drain:
	for !p.broken {
		select {
		case msg := <-p.wr:
			p.send(msg)
		default:
			break drain
		}
	}
	if p.final != nil {
		p.send(p.final)
	}
	if !p.broken {
		p.fc.writeClose()
	}
	_ = p.fc.close()
}

// check records a write error: the connection is closed so that the reader
// notices too, and nothing more is written.
func (p *peer) check(err error) {
	if err == nil {
		return
	}
	p.log.Debug("router: write failed, closing connection", "err", err)
	p.broken = true
	_ = p.fc.close()
}

// send encodes and writes one message. A message that can't be encoded for
// this client, or exceeds the size it accepts, is replaced as described at
// undeliverable.
func (p *peer) send(msg wamp.Message) {
	if p.broken {
		return
	}
	b, err := p.ser.Serialize(msg)
	if err != nil {
		p.undeliverable(msg, errInvalidPayload, err.Error())
		return
	}
	if limit := p.fc.maxSendSize(); limit > 0 && len(b) > limit {
		p.undeliverable(msg, errPayloadSizeExceeded,
			fmt.Sprintf("%s of %d bytes exceeds the %d bytes the receiving client accepts", msg.MessageType(), len(b), limit))
		return
	}
	p.check(p.fc.writeMessage(b))
}

// undeliverable handles a message that can't be sent to this client, so that
// no call is left waiting forever:
//
//   - RESULT or ERROR for a call: the caller gets an ERROR with reason uri
//     instead;
//   - INVOCATION: the router receives an ERROR with reason uri as if the
//     callee had sent it, and passes it on to the caller;
//   - anything else (an EVENT, for example) is dropped.
func (p *peer) undeliverable(msg wamp.Message, uri wamp.URI, why string) {
	p.log.Warn("router: message not delivered", "type", msg.MessageType().String(), "error", uri, "reason", why)
	switch m := msg.(type) {
	case *wamp.Result:
		p.send(&wamp.Error{Type: wamp.CALL, Request: m.Request, Details: wamp.Dict{}, Error: uri, Arguments: wamp.List{why}})
	case *wamp.Error:
		if m.Error != uri { // the replacement itself did not fit: give up
			p.send(&wamp.Error{Type: m.Type, Request: m.Request, Details: wamp.Dict{}, Error: uri, Arguments: wamp.List{why}})
		}
	case *wamp.Invocation:
		p.deliver(&wamp.Error{Type: wamp.INVOCATION, Request: m.Request, Details: wamp.Dict{}, Error: uri, Arguments: wamp.List{why}})
	}
}
