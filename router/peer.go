package router

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gammazero/nexus/v3/wamp"
)

const (
	// defaultOutQueueSize is the number of messages buffered for one client
	// unless Config.OutQueueSize says otherwise. nexus never blocks on a
	// client: it drops an EVENT, and answers a CALL whose INVOCATION does
	// not fit with wamp.error.network_failure ("callee blocked"). 256, the
	// old value, lost invocations when a thousand calls arrived at once.
	// The queue is made when the session is established (see peer.hs).
	defaultOutQueueSize = 8192

	// handshakeQueueSize is the number of messages buffered for a client
	// before its session is established: a CHALLENGE, the WELCOME or an
	// ABORT, and what nexus routes to the session before the writer has
	// taken its WELCOME.
	handshakeQueueSize = 16

	// defaultMaxQueuedBytes is the byte budget of one client's outgoing
	// messages unless Config.MaxQueuedBytes says otherwise (see
	// peer.overBudget).
	defaultMaxQueuedBytes = 16 << 20

	// maxHandshakeMessage bounds each message a client sends before its
	// session is established (HELLO, AUTHENTICATE). nexus keeps HELLO's
	// details for the whole session; a real one takes a few hundred bytes.
	maxHandshakeMessage = 64 << 10

	// dropReportEvery is how often, at most, the router logs each kind of
	// trouble clients decide how often to cause (see clientLogs).
	dropReportEvery = 10 * time.Second

	// flushTimeout bounds how long closing a connection may spend writing
	// the messages still queued for it (a GOODBYE, an ABORT, results). It
	// runs from the moment the peer starts shutting down (closeWith): a
	// connection still open then is closed, which ends a write blocked on a
	// client that stopped reading.
	flushTimeout = time.Second

	// writeTimeout bounds one write of a batch: a client that takes longer
	// to read what one write holds (at most maxBatchBytes plus one message)
	// is stuck, or the connection half-open, and is disconnected. It is
	// generous, so that only a client that reads nothing, or next to
	// nothing, is cut off, whatever the load. The deadline is moved only
	// when less than half of it is left, so a write costs a clock reading,
	// not a deadline update: each write gets between half of writeTimeout
	// and all of it. The runtime's client uses the same rule and value.
	writeTimeout = 30 * time.Second

	// lingerTimeout bounds how long the router keeps a connection it has
	// ended once its last frame is written (see peer.linger): long enough
	// for a client to read an ABORT or GOODBYE and close its side.
	lingerTimeout = time.Second

	// maxLingerBytes bounds what the router reads and discards from a
	// client after it has ended the session (see peer.drain): a client's
	// burst already on its way, such as the next chunks of a streamed
	// call, fits many times over.
	maxLingerBytes = 1 << 20
)

// Write batching. Under load many messages are queued for one client at
// once; the writer encodes as many as are waiting into one buffer and writes
// it with one system call, instead of one call per message. A batch ends
// when the queue is empty (see fill) or at either limit below, whichever
// comes first.
const (
	// maxBatchFrames bounds how long the first frame of a batch waits while
	// the others are encoded (half a microsecond or more each), and how
	// long a pong or the closing of the connection waits for the writer. At
	// 256 the fixed cost of the write call is already spread so thin that
	// larger batches would save next to nothing.
	maxBatchFrames = 256

	// maxBatchBytes stops adding frames once the batch holds this many
	// bytes. Beyond a few tens of KiB the cost of a write is in copying the
	// bytes, not in the call, so larger batches would only delay delivery
	// and grow the buffer. A single message may take a batch past it.
	maxBatchBytes = 32 << 10

	// yieldBelowBytes: a batch smaller than this when the queue runs empty
	// is not written before the writer has yielded once (see fill). gRPC-Go
	// uses the same rule with 1,000 bytes, which the router had too: a
	// batch of one 1 KiB message was then written alone, a system call per
	// message, and the CPU per call of a 1 KiB echo was 2.6 times that of a
	// 16 B one (issue 18). Up to a few KiB a write's cost is still mostly
	// the call's, so the writer yields below half of maxBatchBytes; the
	// yield returns at once when nothing else is ready to run.
	yieldBelowBytes = maxBatchBytes / 2

	// maxKeptBuffer is the largest batch buffer kept for the next batch.
	// A full batch of small messages fits; a buffer grown larger by a big
	// message is dropped after its write, so that a connection which once
	// received a large message does not pin that memory while idle.
	maxKeptBuffer = 64 << 10
)

// maxKilledCalls bounds the calls a peer remembers having ended for its
// client (see peer.killed). A call is forgotten when nexus sends its final
// RESULT or ERROR, which it does once the callee has answered the
// INTERRUPT; one whose callee never answers is forgotten when the list is
// full, the oldest first.
const maxKilledCalls = 64

// Error URIs for messages the router cannot deliver to a client.
const (
	errPayloadSizeExceeded = wamp.URI("wamp.error.payload_size_exceeded")
	errInvalidPayload      = wamp.URI("wamp.error.invalid_payload")
)

// frameKind tells a WAMP message from the transport's own frames.
type frameKind int

const (
	frameMessage frameKind = iota
	framePing              // a ping; the payload must be echoed in a pong
	framePong              // the answer to a ping, echoing its payload
	frameClose             // the start of a closing handshake, where the transport has one
)

// frameConn is one framed connection: WebSocket or RawSocket. readFrame is
// only called by a peer's reader goroutine; appendFrame, write and
// setWriteDeadline only by its writer goroutine; close may be called from
// anywhere.
//
// The writer builds a batch of frames with appendFrame and writes it with
// one call to write, which is the only way it writes to the connection.
type frameConn interface {
	// readFrame returns the next WAMP message or ping. A *protocolError
	// means the client broke the transport protocol. limit, called once a
	// frame's header has arrived, returns the largest message accepted at
	// that moment when it is below the connection's own limit (0 when it
	// is not): a message over it is refused before its payload is read.
	readFrame(limit func() int) (frameKind, []byte, error)
	// relayPings is called once, before the peer's goroutines start, with
	// the function that queues a pong. A transport whose pings do not come
	// out of readFrame (gorilla handles WebSocket control frames inside its
	// read call) hands their payloads to it, on the reader goroutine; pong
	// blocks until the writer has taken the payload, or returns false at
	// once when the peer is shutting down.
	relayPings(pong func(payload []byte) bool)
	// appendFrame appends to buf one frame of the given kind that carries
	// payload, and returns the extended buffer. A message payload is never
	// larger than maxSendSize, when that is not 0. A frame the transport
	// does not have (a RawSocket close) appends nothing.
	appendFrame(buf []byte, kind frameKind, payload []byte) []byte
	// write writes buf, whole frames, with a single Write call on the
	// net.Conn. A single Write is never interleaved with another goroutine's
	// Write on the same connection (net and crypto/tls hold a lock for the
	// whole call), so a frame written by the transport library from the
	// reader goroutine can only come between two batches, never inside one.
	write(buf []byte) error
	setWriteDeadline(t time.Time)
	close() error
	// maxSendSize is the largest message the client accepts, 0 if unknown.
	maxSendSize() int
	// netConn is the connection write writes to.
	netConn() net.Conn
}

// protocolError is a violation of the transport protocol by the client.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return e.msg }

// peer is the router's side of one client connection. It implements
// wamp.Peer, the interface nexus routes messages through.
//
// Three goroutines serve it. The reader decodes frames, checks each message
// (see ledger) and hands it to nexus on rd, and ping payloads to the writer
// on pongs; it closes rd when the connection ends, which tells nexus that
// the session is gone. The writer takes messages from the queue nexus sends
// on (see Send) and encodes them into a batch. It never waits for the
// network: it writes a batch itself only as far as the socket takes it at
// once (a non-blocking write, the common case, with no goroutine handoff),
// and hands what is left, or the whole batch where the connection can't be
// written that way (TLS), to the sender goroutine, which waits for the
// client. So the writer keeps taking what nexus sends while a client reads
// slowly, and it holds what waits for the client to a byte budget (see
// admitBytes) instead of letting the queue pin whatever nexus put in it.
//
// A batch is what the writer has encoded since the last write: under load,
// while the sender writes one batch, the next fills up. When nothing is
// being written, a batch ends when the queue is empty (see fill) or at
// maxBatchFrames frames or maxBatchBytes bytes.
//
// Every write of the sender has a deadline (writeTimeout), so a client that
// stops reading is disconnected instead of blocking the sender for good.
//
// Shutting down (closeWith) lets the writer flush what is queued, write an
// optional last message (ABORT or GOODBYE) and a close frame, all within
// flushTimeout (a timer closes the connection when that time is up, even
// if a write is still blocked), then half-close the connection and linger,
// at most lingerTimeout, while the reader discards what the client still
// sends (see linger and drain), and close it. The reader shuts the
// peer down when it stops reading, for whatever reason (the client closed
// the connection or broke the protocol, or the keep-alive read deadline
// passed). nexus calls Close when it is done with the session; Close shuts
// down and waits for the goroutines. The queues are never closed, so a late
// send from nexus can't panic; it lands in the buffer, or is dropped by
// nexus's non-blocking send when the buffer is full.
type peer struct {
	fc        frameConn
	ser       *serializer
	log       *slog.Logger
	pingEvery time.Duration
	queueSize int
	sendLimit int // the largest message the client accepts
	budget    int // see admitBytes
	stats     *counters
	logs      *clientLogs

	rd chan wamp.Message
	// hs is the queue nexus sends on until the writer has taken the
	// WELCOME; wr, the large one, is made then, so that a connection that
	// never establishes a session costs little memory.
	hs    chan wamp.Message
	wr    atomic.Pointer[chan wamp.Message]
	pongs chan []byte

	ledger ledger

	rdMu     sync.Mutex // serializes sends on rd with its closing
	rdClosed bool

	closeOnce sync.Once
	closing   chan struct{}
	final     wamp.Message // written last; set before closing is closed
	killer    *time.Timer  // closes the connection flushTimeout after closing; set before closing is closed

	readerDone chan struct{}
	writerDone chan struct{}
	senderDone chan struct{}

	// welcomed says that the session is established: set when the writer
	// takes the WELCOME (the client may be joined from then on, and
	// nexus's AttachClient may return much later), or when AttachClient
	// returns, whichever comes first.
	welcomed atomic.Bool

	// Writer and sender. The writer hands a batch to the sender on out
	// and hears on wrote that it is written; it owns inflight and the
	// fields below it, and deadline while the sender is idle (inflight is
	// nil: the sender's last use of deadline came before its report on
	// wrote); the sender owns deadline while it writes.
	out      chan []byte
	wrote    chan error
	inflight []byte    // the buffer of the batch the sender is writing; nil while it is idle
	pending  int       // the bytes of inflight the sender has to write
	deadline time.Time // the connection's write deadline, see writeTimeout

	// raw writes without waiting (see writeNonBlocking); nil where the
	// connection can't be written that way, and the sender writes all.
	raw syscall.RawConn

	// Writer only.
	broken bool   // the connection failed, stop writing
	ending bool   // end was called: write what is pending, then close
	buf    []byte // the batch being built
	frames int    // frames in buf
	spare  []byte // a written batch's buffer, kept for the next one
	// killed lists the requests of calls the client has been told are
	// over (an undeliverable progressive RESULT, see undeliverable) but
	// that nexus still routes until the callee has answered the INTERRUPT
	// that killCall's CANCEL makes it send.
	// Their later RESULTs and ERRORs are dropped.
	killed []wamp.ID
	// streams are the client's invocations with streamed input whose
	// last chunk it has not been given (a bounded set: the oldest go
	// first; an invocation the callee answered early stays until pushed
	// out). When one of their chunks is refused (see admitBytes), nexus
	// forgets the invocation; the callee is sent an INTERRUPT instead, or
	// its handler would wait for the rest of its input for ever.
	streams endedStreams

	releaseOnce sync.Once
	onRelease   func() // called once when Close has finished
}

var _ wamp.Peer = (*peer)(nil)

// peerConfig holds a peer's settings.
type peerConfig struct {
	pingEvery time.Duration // keep-alive pings; 0 for none
	queueSize int           // the capacity of the queue nexus sends on
	// sendLimit is the largest message the client is assumed to accept
	// when its transport does not say (see frameConn.maxSendSize).
	sendLimit int
	budget    int         // see admitBytes; 0 means defaultMaxQueuedBytes
	stats     *counters   // nil for none
	logs      *clientLogs // nil for the peer's own
}

// newPeer starts serving fc. onRelease runs once, after Close has stopped
// the peer's goroutines.
func newPeer(fc frameConn, ser *serializer, log *slog.Logger, cfg peerConfig, onRelease func()) *peer {
	if cfg.budget == 0 {
		cfg.budget = defaultMaxQueuedBytes
	}
	if cfg.stats == nil {
		cfg.stats = &counters{}
	}
	if cfg.logs == nil {
		cfg.logs = &clientLogs{}
	}
	sendLimit := fc.maxSendSize()
	if sendLimit == 0 {
		sendLimit = cfg.sendLimit
	}
	p := &peer{
		fc:         fc,
		ser:        ser,
		log:        log,
		pingEvery:  cfg.pingEvery,
		queueSize:  cfg.queueSize,
		sendLimit:  sendLimit,
		budget:     cfg.budget,
		stats:      cfg.stats,
		logs:       cfg.logs,
		rd:         make(chan wamp.Message),
		hs:         make(chan wamp.Message, handshakeQueueSize),
		pongs:      make(chan []byte),
		closing:    make(chan struct{}),
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
		senderDone: make(chan struct{}),
		out:        make(chan []byte, 1),
		wrote:      make(chan error, 1),
		onRelease:  onRelease,
		raw:        nonBlocking(fc.netConn()),
	}
	fc.relayPings(p.queuePong)
	go p.readLoop()
	go p.writeLoop()
	go p.sendLoop()
	return p
}

// Recv returns the channel of messages from the client.
func (p *peer) Recv() <-chan wamp.Message { return p.rd }

// Send returns the channel of messages to the client: the small handshake
// queue until the writer has taken the WELCOME, the large one after.
func (p *peer) Send() chan<- wamp.Message {
	if wr := p.wr.Load(); wr != nil {
		return *wr
	}
	return p.hs
}

// IsLocal reports true, though every client of this router is remote, for
// the one effect it has besides authentication: nexus v3.3.0's broker then
// gives each subscriber its own copy of an EVENT's Details, Arguments and
// ArgumentsKw, made on the broker's goroutine before the EVENT is queued.
// Without it, one publication's EVENTs share one Details map, which the
// broker writes again for every further subscriber of a pattern-based
// subscription (the topic) or with publisher disclosure (the publisher's
// identity) while the writers of earlier subscribers read it: Go's "fatal
// error: concurrent map iteration and map write", which any anonymous client
// could provoke in seconds. nexusRealms sets RequireLocalAuth and
// RequireLocalAuthz, so that nexus authenticates and authorizes these
// "local" clients exactly as remote ones; those two settings and the copies
// are the only places where nexus v3.3.0 reads IsLocal.
func (p *peer) IsLocal() bool { return true }

// Close starts shutting the peer down (see closeWith) and returns at once;
// once the peer's goroutines have ended, the connection is released. It is
// safe to call more than once, from any goroutine.
//
// It does not wait, because nexus calls it from goroutines that route for
// every session: its dealer ends a caller that breaks a rule on the
// dealer's own goroutine, and a Close that waited for the client (up to
// flushTimeout) would hold every call of the realm meanwhile.
func (p *peer) Close() {
	p.closeWith(nil)
	p.releaseOnce.Do(func() {
		go func() {
			<-p.writerDone
			<-p.readerDone
			<-p.senderDone
			if p.onRelease != nil {
				p.onRelease()
			}
		}()
	})
}

// closeWith starts shutting the connection down without waiting; final, if
// not nil, is written after the queued messages. Only the first call counts.
// Whatever the writer is doing, the connection is closed flushTimeout later.
func (p *peer) closeWith(final wamp.Message) {
	p.closeOnce.Do(func() {
		p.final = final
		p.killer = time.AfterFunc(flushTimeout, func() { _ = p.fc.close() })
		close(p.closing)
	})
}

// abort ends the connection with an ABORT for a protocol violation.
func (p *peer) abort(reason string) {
	if n, ok := p.logs.take(&p.logs.violations); ok {
		p.log.Warn("router: closing connections: protocol violation", "count", n, "reason", reason)
	} else {
		p.log.Debug("router: closing connection: protocol violation", "reason", reason)
	}
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

// reply queues a message for the client from the reader. When the queue
// is full it waits for room (or for the peer to shut down) rather than
// drop the message: a refused CALL, REGISTER or SUBSCRIBE left unanswered
// would keep its client waiting for good, and the ledger would never see
// the answer. Only this client's reader waits: the writer drains the
// queue without waiting for the reader.
func (p *peer) reply(msg wamp.Message) {
	select {
	case p.Send() <- msg:
	case <-p.closing:
	}
}

// readLoop is the reader goroutine. When it stops reading messages, for
// whatever reason, so does the session: it cancels the client's calls
// still in flight (see ledger.pending), shuts the peer down, which closes
// the connection within flushTimeout plus lingerTimeout, tells nexus that
// the session is gone, and then discards what the client still sends
// until the connection ends (see drain).
func (p *peer) readLoop() {
	defer close(p.readerDone)
	violation := p.read()
	p.cancelCalls()
	if violation != "" {
		p.abort(violation)
	}
	p.closeWith(nil) // a no-op after abort, or when already closing
	p.closeRecv()
	p.drain()
}

// read reads and passes on the client's messages until the connection ends
// or the client breaks the protocol, and then returns why it broke it ("" if
// it did not).
func (p *peer) read() (violation string) {
	for {
		kind, data, err := p.fc.readFrame(p.readLimit)
		if err != nil {
			if pe, ok := errors.AsType[*protocolError](err); ok {
				return pe.msg
			}
			select {
			case <-p.closing:
			default:
				p.log.Debug("router: connection ended by client", "err", err)
			}
			return ""
		}
		select {
		case <-p.closing:
			// The session is ending: what the client sends now is
			// discarded (see drain).
			return ""
		default:
		}
		if kind == framePing {
			if !p.queuePong(data) {
				return ""
			}
			continue
		}
		established := p.welcomed.Load()
		msg, err := p.ser.Deserialize(data)
		if err != nil {
			return err.Error()
		}
		if h, ok := msg.(*wamp.Hello); ok && !established {
			p.ledger.hello(h)
		}
		// The ledger first: it must see a CALL that repeats an ID in
		// flight before screen answers it (an answer ends the call it
		// names, see ledger.note).
		v := p.ledger.admit(msg, len(data))
		if v.violation != "" {
			return v.violation
		}
		if v.reply != nil || v.drop {
			if v.reply != nil {
				p.log.Debug("router: refused client message", "reply", v.reply)
				p.reply(v.reply)
			}
			continue
		}
		admitted := msg
		msg, reply, why := screen(msg)
		if why != "" {
			// Debug: a client decides how often this happens.
			p.log.Debug("router: refused client message", "reason", why)
		}
		if reply != nil {
			p.reply(reply)
		}
		if msg == nil {
			if v.recorded {
				p.ledger.undo(admitted)
			}
			continue
		}
		if _, ok := msg.(*wamp.Goodbye); ok {
			p.cancelCalls()
		}
		if !p.deliver(msg) {
			return ""
		}
	}
}

// readLimit is the limit readFrame applies to a message whose header has
// just arrived: maxHandshakeMessage until the session is established, none
// of its own after. The header of a message the client sends after WELCOME
// can't arrive before the writer has marked the session established, which
// it does before it encodes the WELCOME.
func (p *peer) readLimit() int {
	if p.welcomed.Load() {
		return 0
	}
	return maxHandshakeMessage
}

// handshakeTooLarge is the protocol violation of a client whose message
// before WELCOME exceeds maxHandshakeMessage.
func handshakeTooLarge() *protocolError {
	return &protocolError{fmt.Sprintf("a message before the session is established exceeds the %d bytes allowed", maxHandshakeMessage)}
}

// cancelCalls cancels, with mode killnowait, the calls the client has in
// flight, because it is leaving: nexus then interrupts their callees, which
// it would not do by itself.
func (p *peer) cancelCalls() {
	for _, id := range p.ledger.pending() {
		if !p.deliver(&wamp.Cancel{Request: id, Options: wamp.Dict{wamp.OptMode: wamp.CancelModeKillNoWait}}) {
			return
		}
	}
}

// queuePong hands a ping's payload to the writer, which answers with a pong.
// It runs on the reader goroutine and reports false, without waiting for the
// writer, when the peer is shutting down.
func (p *peer) queuePong(payload []byte) bool {
	select {
	case p.pongs <- payload:
		return true
	case <-p.closing:
		return false
	}
}

// writeLoop is the writer goroutine. Each turn takes whatever is ready (a
// message, a pong, a keep-alive ping, the news that the sender is done),
// adds to the batch the messages already queued, and hands the batch to the
// sender if it is idle.
func (p *peer) writeLoop() {
	defer close(p.writerDone)
	var tick <-chan time.Time
	if p.pingEvery > 0 {
		t := time.NewTicker(p.pingEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		var wr chan wamp.Message // nil, never ready, until the WELCOME is taken
		if q := p.wr.Load(); q != nil {
			wr = *q
		}
		select {
		case msg := <-p.hs:
			p.send(msg)
		case msg := <-wr:
			p.takeHandshake()
			p.send(msg)
		case payload := <-p.pongs:
			p.pong(payload)
		case <-tick:
			p.appendFrame(framePing, nil)
		case err := <-p.wrote:
			p.written(err)
		case <-p.closing:
			p.flush()
			return
		}
		p.fill()
		p.handOff()
		if p.ending {
			// What end added is written by flush, which then lingers
			// (see linger) before it closes the connection.
			p.closeWith(nil)
		}
	}
}

// takeHandshake sends what is left in the handshake queue. Messages queued
// there before the large queue was made come before any queued after.
func (p *peer) takeHandshake() {
	for {
		select {
		case msg := <-p.hs:
			p.send(msg)
		default:
			return
		}
	}
}

// fill adds queued messages to the batch until the queue is empty, the
// connection has failed, or, while the sender is idle, the batch is full.
// It reports whether the queue ran empty.
//
// It never waits for a message, but when the queue runs empty while the
// sender is idle and the batch still small, it yields the processor once
// (runtime.Gosched) and looks again, as gRPC-Go's writer does. Messages
// reach the queue one at a time, each through a few goroutines (the
// client's reader, nexus's session and dealer); a writer woken by the
// first message of a burst would otherwise find the queue empty and hand
// that message on alone, which in the benchmark made batches of 1.05
// messages on average. When nothing else is ready to run, the yield
// returns at once.
func (p *peer) fill() bool {
	yielded := false
	for !p.broken && !p.ending && (p.inflight != nil || p.frames < maxBatchFrames && len(p.buf) < maxBatchBytes) {
		var wr chan wamp.Message
		if q := p.wr.Load(); q != nil {
			wr = *q
		}
		select {
		case msg := <-p.hs:
			p.send(msg)
		case msg := <-wr:
			p.takeHandshake()
			p.send(msg)
		case err := <-p.wrote:
			p.written(err)
		default:
			if yielded || p.inflight != nil || len(p.buf) >= yieldBelowBytes {
				return true
			}
			yielded = true
			runtime.Gosched()
		}
	}
	return false
}

// handOff writes the batch, if there is one and the sender is idle: as much
// as the socket takes at once on the writer's goroutine, and the rest on the
// sender's.
func (p *peer) handOff() {
	if p.inflight != nil || len(p.buf) == 0 || p.broken {
		return
	}
	rest := p.buf
	if p.raw != nil {
		// A write that does not wait fails all the same once the write
		// deadline has passed (the poller checks it first), so it gets the
		// sender's deadline too: a client that once filled the socket,
		// setting a deadline, and then read all it got for writeTimeout
		// would otherwise be cut off at its next write ("raw-write: i/o
		// timeout"), as 1 MiB payloads were in the benchmark.
		p.renewDeadline()
		n, err := writeNonBlocking(p.raw, p.buf)
		if err != nil || n == len(p.buf) {
			p.check(err)
			p.buf = p.buf[:0]
			p.frames = 0
			if cap(p.buf) > maxKeptBuffer {
				p.buf = nil
			}
			return
		}
		// The socket's send buffer is full: a frame may have been written
		// in part. The sender writes the rest, and nothing else is written
		// before it is done, so the frames stay whole. (A close frame
		// gorilla writes on the reader goroutine, when the client breaks
		// the WebSocket protocol, could come in between; the connection is
		// ending then.)
		rest = p.buf[n:]
	}
	p.inflight, p.pending = p.buf, len(rest)
	p.out <- rest // never blocks: the sender has taken the last batch
	p.buf, p.spare = p.spare, nil
	p.frames = 0
}

// written records that the sender has written the batch handed to it,
// and keeps its buffer for a later batch unless it has grown beyond
// maxKeptBuffer (a large message), so that a connection which once
// received a large message does not pin that memory while idle.
func (p *peer) written(err error) {
	if cap(p.inflight) <= maxKeptBuffer {
		p.spare = p.inflight[:0]
	}
	p.inflight, p.pending = nil, 0
	p.check(err)
}

// settle waits until everything encoded so far has been written, or the
// connection has failed.
func (p *peer) settle() {
	for {
		if p.inflight != nil {
			p.written(<-p.wrote)
			continue
		}
		if p.broken || len(p.buf) == 0 {
			return
		}
		p.handOff()
	}
}

// sendLoop is the sender goroutine: it writes each batch the writer hands
// it with one Write call, under a deadline, and says when it is done. It
// ends when the writer closes out.
func (p *peer) sendLoop() {
	defer close(p.senderDone)
	for b := range p.out {
		p.renewDeadline()
		p.wrote <- p.fc.write(b)
	}
}

// renewDeadline moves the connection's write deadline writeTimeout ahead
// when less than half of it is left, so that the write about to start gets
// at least writeTimeout/2.
func (p *peer) renewDeadline() {
	if now := time.Now(); p.deadline.Sub(now) < writeTimeout/2 {
		p.deadline = now.Add(writeTimeout)
		p.fc.setWriteDeadline(p.deadline)
	}
}

// flush, on shutdown, writes what is still queued, the final message and a
// close frame, lingers (see linger), then closes the connection. It first
// lets the sender finish and stop, then writes the rest itself, under a
// deadline of flushTimeout.
func (p *peer) flush() {
	p.settle()
	close(p.out)
	<-p.senderDone
	p.fc.setWriteDeadline(time.Now().Add(flushTimeout))
	// fill stops at once while the peer is ending (a queued message ended
	// the session, see end): what end added is written below, once.
	for !p.broken && !p.ending && !p.fill() {
		p.writeNow()
	}
	if p.final != nil {
		p.send(p.final)
	}
	p.appendFrame(frameClose, nil)
	p.writeNow()
	// The timer, stopped in time, has not closed the connection.
	if p.killer.Stop() && !p.broken {
		p.linger()
	}
	_ = p.fc.close()
}

// linger, once the last frame is written, half-closes the connection and
// waits, at most lingerTimeout, for the reader to be done: it reads and
// discards what the client still sends until the client closes its side
// (see drain). A connection closed with bytes of the client's unread makes
// the kernel reset it, and the client may then lose what the router wrote
// last: the ABORT that says why its session ended (a client that breaks
// the protocol has often sent more by then, as Wampy.js's progressiveCall
// does with its next chunks) or the GOODBYE.
func (p *peer) linger() {
	halfClose(p.fc.netConn())
	t := time.NewTimer(lingerTimeout)
	defer t.Stop()
	select {
	case <-p.readerDone:
	case <-t.C:
	}
}

// halfClose ends the router's side of c, after its last write: over TLS a
// close_notify alert, then, over TCP, a FIN, so that the client reads to
// the end of what was written and sees the connection end. A connection
// that can't be half-closed (one handed over by another server, wrapped)
// is left as it is; it is closed after the linger.
func halfClose(c net.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		_ = tc.CloseWrite()
		c = tc.NetConn()
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
}

// drain, on the reader's goroutine once the peer is shutting down, reads
// and discards what the client still sends, so that the writer's last
// frames are not lost to a reset (see linger), until the client closes
// its side, the connection is closed, flushTimeout plus lingerTimeout have
// passed, or maxLingerBytes have been read, whichever comes first: a
// client that keeps sending holds neither the goroutine nor the socket.
// It reads the socket itself, below TLS and the transport's framing and
// keep-alive (which would move the read deadline): nothing read is used.
func (p *peer) drain() {
	c := p.fc.netConn()
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	_, _ = discard(c, flushTimeout+lingerTimeout, maxLingerBytes)
}

// discard reads and discards what arrives on c for at most d, until c
// ends or fails or at least maxBytes have been read (at most 4 KiB more).
// It returns how much it read, and why it stopped: nil when at maxBytes.
func discard(c net.Conn, d time.Duration, maxBytes int) (int, error) {
	if err := c.SetReadDeadline(time.Now().Add(d)); err != nil {
		return 0, err
	}
	var buf [4 << 10]byte
	n := 0
	for n < maxBytes {
		k, err := c.Read(buf[:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeNow writes the batch on the writer's goroutine; only flush does,
// once the sender has stopped.
func (p *peer) writeNow() {
	if len(p.buf) > 0 && !p.broken {
		p.check(p.fc.write(p.buf))
	}
	p.buf = p.buf[:0]
	p.frames = 0
}

// check records a write error: the connection is closed so that the reader
// notices too, and nothing more is written.
func (p *peer) check(err error) {
	if err == nil || p.broken {
		return
	}
	p.log.Debug("router: write failed, closing connection", "err", err)
	p.broken = true
	_ = p.fc.close()
}

// appendFrame adds a frame to the batch, unless the connection has failed
// or is ending.
func (p *peer) appendFrame(kind frameKind, payload []byte) {
	if !p.broken && !p.ending {
		p.buf = p.fc.appendFrame(p.buf, kind, payload)
		p.frames++
	}
}

// send encodes msg into the batch. A message that can't be encoded for this
// client, or exceeds the size it accepts, is replaced as described at
// undeliverable; a replacement goes into the batch in msg's place, so the
// client sees messages in the order they were queued. A message beyond the
// client's byte budget is handled as admitBytes says.
func (p *peer) send(msg wamp.Message) {
	msg = withCustom(msg) // custom options, see xopts.go
	if _, ok := msg.(*wamp.Welcome); ok {
		p.welcome()
	}
	endedStream, mode := p.ledger.note(msg)
	dropped := p.broken || p.ending || p.endedCall(msg)
	if endedStream != 0 {
		// After endedCall, which must not drop this answer itself.
		p.endStream(endedStream, mode)
	}
	if dropped {
		return
	}
	b, uri, why := p.encode(msg)
	if uri != "" {
		p.undeliverable(msg, uri, why)
		return
	}
	if p.admitBytes(msg, len(b)) {
		p.appendFrame(frameMessage, b)
		p.noteChunk(msg)
		return
	}
	if m, ok := msg.(*wamp.Invocation); ok && p.streams.has(m.Request) && !p.broken {
		p.interruptStream(m.Request)
	}
}

// noteChunk records an INVOCATION given to the client that opens or
// closes a streamed input (see streams).
func (p *peer) noteChunk(msg wamp.Message) {
	m, ok := msg.(*wamp.Invocation)
	if !ok {
		return
	}
	if progress, _ := m.Details[wamp.OptProgress].(bool); progress {
		p.streams.add(m.Request)
	} else {
		p.streams.forget(m.Request)
	}
}

// interruptStream tells the client that the invocation request, whose
// next input chunk was refused, is over: an INTERRUPT (mode killnowait,
// reason wamp.error.network_failure), written whatever the byte budget,
// for it is small and ends work rather than adding to it. nexus has
// answered the caller and forgotten the invocation; it ignores the
// callee's answer.
func (p *peer) interruptStream(request wamp.ID) {
	p.streams.forget(request)
	b, uri, _ := p.encode(&wamp.Interrupt{Request: request, Options: wamp.Dict{
		wamp.OptMode: wamp.CancelModeKillNoWait, wamp.OptReason: wamp.ErrNetworkFailure,
	}})
	if uri != "" {
		return
	}
	p.log.Debug("router: INTERRUPT for an invocation whose input chunk was refused", "request", request)
	p.appendFrame(frameMessage, b)
}

// welcome marks the session established and makes the large queue, which
// nexus sends on from now on.
func (p *peer) welcome() {
	p.welcomed.Store(true)
	if p.wr.Load() == nil {
		wr := make(chan wamp.Message, p.queueSize)
		p.wr.Store(&wr)
	}
}

// pong answers a client's ping, unless what waits for the client is already
// over its byte budget: then the ping goes unanswered. A pong is held to the
// budget like an EVENT, or a client that sends pings (up to the message
// limit each, over RawSocket) and reads nothing would make the batch grow
// by all it uploads until the write deadline. An unanswered ping does the
// client no harm: the router's keep-alive takes any frame as a sign of
// life, and RFC 6455 lets an endpoint answer only the latest of several
// pings.
func (p *peer) pong(payload []byte) {
	if queued := len(p.buf) + p.pending; queued > 0 && queued+len(payload) > p.budget {
		return
	}
	p.appendFrame(framePong, payload)
}

// admitBytes reports whether a message of n encoded bytes may join what
// waits for the client (the batch being built and the one being written).
// Up to the byte budget, everything may; past it, an EVENT is dropped for
// this client (see dropEvent), an INVOCATION is refused, its caller
// getting wamp.error.network_failure, as nexus does when its queue for a
// callee is full, and an INTERRUPT is dropped. Other messages (results,
// errors, acknowledgements) are not the client's to refuse: they may take
// it to twice the budget, and beyond that the client, which does not read
// what it asked for, is disconnected. A message always may when nothing waits, so a client
// always receives a message within its size limit.
func (p *peer) admitBytes(msg wamp.Message, n int) bool {
	queued := len(p.buf) + p.pending
	if queued == 0 || queued+n <= p.budget {
		return true
	}
	switch m := msg.(type) {
	case *wamp.Event:
		p.dropEvent(fmt.Sprintf("%d bytes wait for the client, its budget is %d", queued, p.budget))
		return false
	case *wamp.Invocation:
		p.stats.refusedInvocations.Add(1)
		p.log.Debug("router: INVOCATION refused: the callee's queue is full", "request", m.Request, "queued_bytes", queued)
		p.deliver(&wamp.Error{
			Type: wamp.INVOCATION, Request: m.Request, Details: wamp.Dict{}, Error: wamp.ErrNetworkFailure,
			Arguments: wamp.List{fmt.Sprintf("callee blocked: %d bytes wait for it at the router, its budget is %d", queued, p.budget)},
		})
		return false
	case *wamp.Interrupt:
		// Not the client's request either: its caller sent CANCEL, and
		// a caller may send any number of them, each INTERRUPT larger
		// than the INVOCATION it cancels; admitted up to twice the
		// budget, they would get a callee that pauses reading
		// disconnected. Dropped, the call goes on as if not canceled:
		// with mode kill the caller gets the callee's answer, otherwise
		// it has had its ERROR and the answer is dropped.
		p.log.Debug("router: INTERRUPT dropped: the callee's queue is full", "request", m.Request, "queued_bytes", queued)
		return false
	}
	if queued+n <= 2*p.budget {
		return true
	}
	p.stats.slowClients.Add(1)
	p.log.Warn("router: closing connection: the client does not read what it must receive",
		"type", msg.MessageType().String(), "queued_bytes", queued, "budget", p.budget)
	p.broken = true
	_ = p.fc.close()
	return false
}

// dropEvent counts an EVENT dropped for this client, and logs it within
// the router's log budget (see clientLogs).
func (p *peer) dropEvent(why string) {
	p.stats.droppedEvents.Add(1)
	if n, ok := p.logs.take(&p.logs.drops); ok {
		p.log.Warn("router: dropped EVENTs for clients that can't take them", "dropped", n, "reason", why)
	}
}

// notDelivered logs, within the router's log budget, a message other than
// an EVENT that could not be delivered to this client.
func (p *peer) notDelivered(msg wamp.Message, uri wamp.URI, why string) {
	if n, ok := p.logs.take(&p.logs.undelivered); ok {
		p.log.Warn("router: messages not delivered", "count", n, "type", msg.MessageType().String(), "error", uri, "reason", why)
		return
	}
	p.log.Debug("router: message not delivered", "type", msg.MessageType().String(), "error", uri, "reason", why)
}

// encode serializes msg for this client. When msg can't be delivered, it
// returns instead the error URI and the reason.
func (p *peer) encode(msg wamp.Message) ([]byte, wamp.URI, string) {
	b, err := p.ser.Serialize(msg)
	if err != nil {
		return nil, errInvalidPayload, err.Error()
	}
	if p.sendLimit > 0 && len(b) > p.sendLimit {
		return nil, errPayloadSizeExceeded,
			fmt.Sprintf("%s of %d bytes exceeds the %d bytes the receiving client accepts", msg.MessageType(), len(b), p.sendLimit)
	}
	return b, "", ""
}

// undeliverable handles a message that can't be sent to this client, so that
// no call is left waiting forever and no client waits for a message that
// will never come:
//
//   - RESULT or ERROR: the client gets instead an ERROR with reason uri for
//     the same request (see replace). For a progressive RESULT that ends
//     the call for the caller only, so the call is canceled (see killCall);
//   - INVOCATION: the router receives an ERROR with reason uri as if the
//     callee had sent it, and passes it on to the caller; for the next
//     chunk of a streamed input, the callee gets an INTERRUPT (see
//     interruptStream);
//   - EVENT: dropped, as nexus drops an EVENT for a client that can't keep
//     up (see dropEvent);
//   - WELCOME: sent without the roles' features (see trimWelcome) if that
//     fits, else the session ends;
//   - anything else (a CHALLENGE, for example): the session ends (see end).
func (p *peer) undeliverable(msg wamp.Message, uri wamp.URI, why string) {
	if _, ok := msg.(*wamp.Event); ok {
		p.dropEvent(string(uri) + ": " + why)
		return
	}
	p.notDelivered(msg, uri, why)
	switch m := msg.(type) {
	case *wamp.Result:
		if progress, _ := m.Details[wamp.OptProgress].(bool); progress {
			p.killCall(m.Request)
		}
		p.replace(&wamp.Error{Type: wamp.CALL, Request: m.Request, Details: wamp.Dict{}, Error: uri, Arguments: wamp.List{why}})
	case *wamp.Error:
		p.replace(&wamp.Error{Type: m.Type, Request: m.Request, Details: wamp.Dict{}, Error: uri, Arguments: wamp.List{why}})
	case *wamp.Invocation:
		p.deliver(&wamp.Error{Type: wamp.INVOCATION, Request: m.Request, Details: wamp.Dict{}, Error: uri, Arguments: wamp.List{why}})
		if p.streams.has(m.Request) && !p.broken {
			// An input chunk: nexus forgets the invocation at that
			// ERROR, and the callee, which has its first chunks,
			// would wait for the rest.
			p.interruptStream(m.Request)
		}
	case *wamp.Welcome:
		if b, fail, _ := p.encode(trimWelcome(m)); fail == "" {
			p.appendFrame(frameMessage, b)
			return
		}
		p.end(uri, "WELCOME not delivered: "+why)
	default:
		p.end(uri, fmt.Sprintf("%s not delivered: %s", msg.MessageType(), why))
	}
}

// trimWelcome returns a copy of w without the roles' feature lists, which
// make up most of a WELCOME: about 600 of its 700 bytes in JSON, more than
// a RawSocket client that accepts the minimum, 512 bytes, can take. A
// client that is not told of a feature does not use it, and otherwise
// works as usual.
func trimWelcome(w *wamp.Welcome) *wamp.Welcome {
	details := make(wamp.Dict, len(w.Details))
	for k, v := range w.Details {
		details[k] = v
	}
	if roles, ok := w.Details["roles"].(wamp.Dict); ok {
		bare := make(wamp.Dict, len(roles))
		for role := range roles {
			bare[role] = wamp.Dict{}
		}
		details["roles"] = bare
	}
	return &wamp.Welcome{ID: w.ID, Details: details}
}

// killCall cancels, on the client's behalf, its call request, whose
// progressive RESULT the client has just been told failed: nexus receives
// CANCEL with mode kill, and the dealer interrupts the callee. Whatever
// nexus sends later for the call, up to its final RESULT or ERROR, is
// dropped (see endedCall).
func (p *peer) killCall(request wamp.ID) {
	if len(p.killed) == maxKilledCalls {
		p.killed = slices.Delete(p.killed, 0, 1)
	}
	p.killed = append(p.killed, request)
	p.deliver(&wamp.Cancel{Request: request, Options: wamp.Dict{wamp.OptMode: wamp.CancelModeKill}})
}

// endStream cancels, on the client's behalf, its progressive call
// invocation request, which nexus has just answered while the input was
// open (see ledger.note): with mode killnowait after an ERROR (a chunk
// that crossed the ERROR has made nexus start the call anew, with a callee
// that would wait for the rest of an input that never comes), with mode
// skip after the final RESULT (nexus would keep the call as long as the
// session lasts). Whatever nexus sends for the call from now on answers
// that stray call, or the CANCEL, and is dropped (see endedCall): the
// client has its answer, and a second one wedges some clients (nexus's own
// waits forever to hand it over).
func (p *peer) endStream(request wamp.ID, mode string) {
	if len(p.killed) == maxKilledCalls {
		p.killed = slices.Delete(p.killed, 0, 1)
	}
	p.killed = append(p.killed, request)
	p.deliver(&wamp.Cancel{Request: request, Options: wamp.Dict{wamp.OptMode: mode}})
}

// endedCall reports whether msg is a RESULT or ERROR for a call killCall
// has ended for the client, and forgets the call at its final one.
func (p *peer) endedCall(msg wamp.Message) bool {
	if len(p.killed) == 0 {
		return false
	}
	var request wamp.ID
	final := true
	switch m := msg.(type) {
	case *wamp.Result:
		request = m.Request
		progress, _ := m.Details[wamp.OptProgress].(bool)
		final = !progress
	case *wamp.Error:
		if m.Type != wamp.CALL {
			return false
		}
		request = m.Request
	default:
		return false
	}
	i := slices.Index(p.killed, request)
	if i < 0 {
		return false
	}
	if final {
		p.killed = slices.Delete(p.killed, i, i+1)
	}
	p.log.Debug("router: dropped a message for a call already ended for the client", "type", msg.MessageType().String(), "request", request)
	return true
}

// replace sends rep, an ERROR that replaces an undeliverable message. It is
// small, but its reason (Arguments) may make it too large for a client that
// accepts little, or not encodable: it is then sent without, which always
// fits the smallest RawSocket limit. Should even that fail, the session
// ends.
func (p *peer) replace(rep *wamp.Error) {
	b, uri, why := p.encode(rep)
	if uri != "" {
		rep.Arguments = nil
		b, uri, why = p.encode(rep)
	}
	if uri != "" {
		p.end(uri, "ERROR not delivered: "+why)
		return
	}
	p.appendFrame(frameMessage, b)
}

// end ends the session from the writer, when a message the client needs
// can't be delivered: it adds to the batch ABORT with reason uri (the
// reason's text as its message when it fits, without when not, and no
// ABORT at all if even that can't be delivered) and a close frame; the
// writer then shuts the peer down (closeWith), which has what is pending
// written, lingers and closes the connection, and ends the session in
// nexus as if the client had left. Nothing more is sent.
func (p *peer) end(uri wamp.URI, why string) {
	p.log.Warn("router: closing connection: a message can't be delivered", "error", uri, "reason", why)
	abort := &wamp.Abort{Details: wamp.Dict{wamp.OptMessage: why}, Reason: uri}
	b, fail, _ := p.encode(abort)
	if fail != "" {
		abort.Details = wamp.Dict{}
		b, fail, _ = p.encode(abort)
	}
	if fail == "" {
		p.appendFrame(frameMessage, b)
	}
	p.appendFrame(frameClose, nil)
	p.ending = true
}
