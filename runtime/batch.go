package runtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	goruntime "runtime"
	"sync"
	"time"
)

// batchWriter writes frames to a connection for any number of goroutines,
// sharing system calls among them.
//
// A sender that finds no write in progress becomes the writer: it writes its
// own frame at once, and then whatever frames other senders queued while it
// was writing, in the order they were queued. A sender that finds a write in
// progress appends its frame to the queue and returns without waiting. So a
// lone caller pays nothing for batching (no handoff to another goroutine,
// one write per message, as before), while 64 concurrent callers, or a
// callee whose handlers answer a burst of invocations, share one write among
// many messages. The router's peers batch their writes the same way, which
// is what makes the bursts.
//
// Sending returns once the frame is queued. A failed write closes the
// connection, so that the session's read loop ends and fails every request
// in flight on it, those whose frames were queued behind the failed write
// included; the writer reports the error to itself and to every later
// sender.
//
// A queue above maxQueuedBytes makes senders wait for the writer: a router
// that reads slowly slows its senders down rather than growing memory
// without bound. A sender waits only as long as its context lasts, and a
// sender that gives up has queued nothing. Every write has a deadline
// (writeTimeout), so a router that stops reading altogether ends the
// connection, and with it every wait, instead of blocking the session
// forever.
//
// A writer hands its role over to a goroutine of its own after
// maxWriterRounds writes, so that a sender never spends long writing other
// senders' messages (a publisher in a loop, for example, would otherwise
// never return to its own work), and as soon as its context has ended.
//
// The read loop's senders (noWait) are the exception: they never wait for
// room and never write, and their frames are never dropped; see noWait.
//
// Limitation: a sender that is writing cannot leave the write when its
// context ends. A write cannot be abandoned midway: interrupting it with a
// past write deadline leaves a TLS connection unusable and a wrapped
// net.Conn in an unknown state, and a connection with part of a frame
// written cannot carry any other. So a Call whose own goroutine is writing
// when the router stops reading returns when that write ends, at most
// writeTimeout later, and the connection is lost then. Handing every
// first write to a goroutine would cost every lone call a goroutine switch
// (its latency) to cover a router that has stopped reading.
type batchWriter struct {
	conn net.Conn
	// appendFrame appends one frame of the given type carrying payload.
	appendFrame func(b []byte, typ byte, payload []byte) []byte

	mu       sync.Mutex
	written  chan struct{} // closed after the next write; made by whoever waits for it
	queued   []byte        // frames waiting to be written
	spare    []byte        // the buffer the writer wrote last, for reuse
	writing  bool          // a goroutine is writing; it will write queued too
	noWait   int           // bytes of noWait senders' frames in queued
	err      error         // the first write error, or net.ErrClosed after close; sticky
	broken   error         // the write error that closed the connection
	deadline time.Time     // the connection's write deadline
	closing  bool          // deadline is close's, and stays
}

const (
	// maxQueuedBytes is the size of queue beyond which senders wait for
	// the writer.
	maxQueuedBytes = 1 << 20

	// streamQueuedBytes is the size of queue beyond which a sendStream
	// sender waits for the writer. A handler streaming items runs ahead of
	// the connection; let it queue up to maxQueuedBytes and the queue
	// outgrows maxKeptBuffer, so that it is dropped after each write and
	// grown again from nothing (growslice was a tenth of the CPU of a
	// stream of 1 KiB items). Half of maxKeptBuffer keeps both buffers
	// reused, and a write still carries dozens of items.
	streamQueuedBytes = maxKeptBuffer / 2

	// maxWriterRounds bounds the writes one sender makes on the others'
	// behalf before handing the writer's role to a goroutine.
	maxWriterRounds = 4

	// yieldBelowBytes: a writer that sends a gathering message (a CALL,
	// or a handler's final answer) and whose queue holds less than this
	// yields the processor once before writing (runtime.Gosched), as
	// gRPC-Go's writer and the router's peers do. The goroutines that are
	// ready to run then queue their frames first: the other handlers
	// started for a burst of invocations, or the other callers woken by a
	// burst of results. When none is ready, the yield returns at once.
	// With 64 concurrent callers this cut CPU per call by a quarter.
	// Messages that one goroutine sends in a row (progress, events) do
	// not yield: between them the yield only lets in the goroutines that
	// consume them, one message at a time, which made the stream
	// benchmark 30% slower. gRPC-Go's 1,000 bytes, used here before,
	// made a CALL or YIELD carrying 1 KiB go out alone, a system call per
	// message: the CPU per call of a 1 KiB echo was 2.6 times that of a
	// 16 B one (issue 18). A write's cost stays mostly the call's up to a
	// few KiB, hence 16 KiB.
	yieldBelowBytes = 16 << 10

	// maxNoWaitBytes bounds the frames of noWait senders (the read loop)
	// that the queue holds: they are queued whatever else it holds, and
	// the one that would take them past this bound (unless it is the
	// only one) closes the connection instead. Only a router that keeps
	// sending while it does not read makes the read loop queue that much.
	maxNoWaitBytes = 1 << 20

	// writeTimeout bounds one write of the connection: a router that takes
	// longer to read what one write holds (at most maxQueuedBytes plus a
	// message) is stuck, or the connection half-open, and the connection
	// counts as lost. It is generous, so that only a router that does not
	// read at all trips it, and it bounds how long a sender without a
	// deadline (a handler's answer, the read loop) can be held up. The
	// deadline is moved only when less than half of it is left, so a write
	// costs a clock reading, not a deadline update: each write gets between
	// half of writeTimeout and all of it.
	writeTimeout = 30 * time.Second

	// maxFrameHeader is the longest frame header of either transport: a
	// masked WebSocket frame with a 64-bit length.
	maxFrameHeader = 14
)

// errQueueFull is returned by send, with the sender's context's cause,
// when that context ended while the sender waited for room in the queue:
// the frame was not queued.
var errQueueFull = errors.New("the connection's write queue is full")

// noWait is the context of the sends that must never wait, those the
// session's read loop makes (a RawSocket or WebSocket PONG, an ERROR
// answering an INVOCATION the session cannot run, the UNREGISTER or
// UNSUBSCRIBE for a late REGISTERED or SUBSCRIBED, GOODBYE, ABORT). A read
// loop that waited for its own writes could wait for a router that waits,
// in turn, for the session to read. A noWait sender neither waits for room
// nor writes: its frame is queued past maxQueuedBytes, and a goroutine of
// its own writes it if nobody is writing. Nor is its frame ever dropped,
// since a caller may wait for it (an ERROR for an INVOCATION): the router
// that makes the read loop queue more than maxNoWaitBytes so has its
// connection closed, and every request in flight on it fails.
var noWait = func() context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("the read loop does not wait"))
	return ctx
}()

func newBatchWriter(conn net.Conn, appendFrame func(b []byte, typ byte, payload []byte) []byte) *batchWriter {
	return &batchWriter{conn: conn, appendFrame: appendFrame}
}

// sendMode says how a sender's frame gets written when no other goroutine
// is writing.
type sendMode uint8

const (
	// sendNow: the sender writes its frame at once, and whatever gets
	// queued meanwhile.
	sendNow sendMode = iota
	// sendGather: the sender is likely one of many goroutines sending at
	// once; it yields once before writing a small queue (see
	// yieldBelowBytes).
	sendGather
	// sendStream: the sender sends message after message (progressive
	// results); it hands the write to a goroutine (takeOver) and returns,
	// so that it encodes and queues its next frames while that goroutine
	// writes, and one write carries many of them. Written by the sender,
	// each progressive result took a system call of its own: a 10,000-item
	// stream made 10,000 writes, against a handful for gRPC-Go's server
	// streams. The cost is a goroutine started per burst, a few
	// microseconds for a stream's lone item.
	sendStream
)

// send queues one frame and, unless another goroutine is writing, writes
// it and whatever else gets queued meanwhile (or with sendStream has a
// goroutine write them). It returns the connection's
// write error, if one has happened, and otherwise nil. While the queue is
// full it waits for the writer until ctx ends, and then returns an error
// matching errQueueFull and ctx's cause without queuing the frame; a ctx
// that has already ended does not keep a frame out of a queue with room.
// With noWait it neither waits nor writes (see noWait and queue).
// mode says how the frame is written when nobody is writing (sendMode).
func (bw *batchWriter) send(ctx context.Context, typ byte, payload []byte, mode sendMode) error {
	if ctx == noWait {
		return bw.queue(typ, payload)
	}
	limit := maxQueuedBytes
	if mode == sendStream {
		limit = streamQueuedBytes
	}
	bw.mu.Lock()
	for bw.writing && bw.err == nil && len(bw.queued) >= limit {
		if !bw.wait(ctx) {
			bw.mu.Unlock()
			return fmt.Errorf("%w: %w", errQueueFull, context.Cause(ctx))
		}
	}
	if bw.err != nil {
		err := bw.err
		bw.mu.Unlock()
		return err
	}
	bw.queued = bw.appendFrame(growLarge(bw.queued, len(payload)+maxFrameHeader), typ, payload)
	if bw.writing {
		bw.mu.Unlock()
		return nil
	}
	bw.writing = true
	if mode == sendStream {
		go bw.takeOver()
		bw.mu.Unlock()
		return nil
	}
	if mode == sendGather && len(bw.queued) < yieldBelowBytes {
		// Let the goroutines that are ready to run add their frames to
		// this write (see yieldBelowBytes).
		bw.mu.Unlock()
		goruntime.Gosched()
		bw.mu.Lock()
	}
	bw.writeQueued(ctx, maxWriterRounds)
	err := bw.err
	bw.mu.Unlock()
	return err
}

// queue is send for noWait: it queues the frame without waiting, and
// leaves the writing to a goroutine (see noWait).
func (bw *batchWriter) queue(typ byte, payload []byte) error {
	bw.mu.Lock()
	defer bw.mu.Unlock()
	if bw.err != nil {
		return bw.err
	}
	n := len(bw.queued)
	bw.queued = bw.appendFrame(growLarge(bw.queued, len(payload)+maxFrameHeader), typ, payload)
	size := len(bw.queued) - n
	if bw.noWait > 0 && bw.noWait+size > maxNoWaitBytes {
		// The router sends and does not read.
		bw.queued = bw.queued[:n]
		bw.err = fmt.Errorf("writing: the router has not read the %d bytes of answers and acknowledgements queued for it", bw.noWait)
		bw.broken = bw.err
		bw.wake()
		go bw.conn.Close() // not here: a TLS close may write
		return bw.err
	}
	bw.noWait += size
	if !bw.writing {
		bw.writing = true
		go bw.takeOver()
	}
	return nil
}

// wait waits for the writer's next write, or until ctx ends (it then
// returns false). bw.mu is held on entry and on return.
func (bw *batchWriter) wait(ctx context.Context) bool {
	if bw.written == nil {
		bw.written = make(chan struct{})
	}
	written := bw.written
	bw.mu.Unlock()
	ok := true
	select {
	case <-written:
	case <-ctx.Done():
		ok = false
	}
	bw.mu.Lock()
	return ok
}

// wake wakes whoever waits for a write; bw.mu is held.
func (bw *batchWriter) wake() {
	if bw.written != nil {
		close(bw.written)
		bw.written = nil
	}
}

// writeQueued writes the queue until it is empty, a write fails, it has
// written rounds times, or ctx has ended; then a goroutine takes over
// (rounds < 0: no limit). So a sender whose context ends while it writes
// returns after that write, not after the ones it would have made for
// others. bw.mu is held on entry and on return. bw.writing is true on
// entry; on return it is false, unless a goroutine has taken over the
// writing.
func (bw *batchWriter) writeQueued(ctx context.Context, rounds int) {
	for len(bw.queued) > 0 && bw.err == nil {
		if rounds == 0 || ctx.Err() != nil {
			go bw.takeOver()
			return
		}
		rounds--
		if !bw.closing {
			if now := time.Now(); bw.deadline.Sub(now) < writeTimeout/2 {
				bw.deadline = now.Add(writeTimeout)
				bw.conn.SetWriteDeadline(bw.deadline)
			}
		}
		buf := bw.queued
		bw.queued = bw.spare[:0]
		bw.noWait = 0
		bw.mu.Unlock()
		_, err := bw.conn.Write(buf)
		bw.mu.Lock()
		if err != nil && bw.err == nil {
			// The connection is broken, or so stuck that it might as well
			// be: end it, and with it the session's read loop, which fails
			// what is in flight, the requests queued behind this write
			// included. Recv reports this error rather than the closing.
			bw.err = fmt.Errorf("writing: %w", err)
			bw.broken = bw.err
			bw.mu.Unlock()
			bw.conn.Close()
			bw.mu.Lock()
		}
		if cap(buf) <= maxKeptBuffer {
			bw.spare = buf[:0]
		} else {
			// Shared, not kept: no session holds a large buffer while
			// idle (bufpool.go).
			putLargeBuffer(buf)
			bw.spare = nil
		}
		bw.wake()
	}
	bw.writing = false
	bw.wake()
}

// takeOver is a writer of its own for a queue a sender stopped writing.
func (bw *batchWriter) takeOver() {
	bw.mu.Lock()
	bw.writeQueued(context.Background(), -1)
	bw.mu.Unlock()
}

// brokenBy returns the write error that closed the connection, or nil: a
// transport's Recv reports it rather than the read error the close causes.
func (bw *batchWriter) brokenBy() error {
	bw.mu.Lock()
	defer bw.mu.Unlock()
	return bw.broken
}

// limit makes deadline the connection's write deadline for good: the
// writes that follow, until close, do not move it.
func (bw *batchWriter) limit(deadline time.Time) {
	bw.mu.Lock()
	bw.closing = true
	bw.deadline = deadline
	bw.conn.SetWriteDeadline(deadline)
	bw.mu.Unlock()
}

// close lets the writer finish what is queued, giving up at deadline, and
// refuses later sends with net.ErrClosed. The caller then closes the
// connection: a message a sender queued just before, such as an ABORT, is
// not lost.
func (bw *batchWriter) close(deadline time.Time) {
	bw.limit(deadline)
	bw.mu.Lock()
	for bw.writing {
		bw.wait(context.Background()) // the deadline ends the write
	}
	if bw.err == nil {
		bw.err = net.ErrClosed
	}
	bw.wake()
	bw.mu.Unlock()
}
