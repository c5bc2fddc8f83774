package runtime

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeConn records what is written to it; each Write first calls hook, if
// set, with the write's number (1 for the first).
type fakeConn struct {
	net.Conn // nil: only Write, SetWriteDeadline and Close are used
	mu       sync.Mutex
	buf      bytes.Buffer
	writes   atomic.Int64
	hook     func(n int64) error
	closed   atomic.Bool
}

func (c *fakeConn) Write(p []byte) (int, error) {
	n := c.writes.Add(1)
	if c.hook != nil {
		if err := c.hook(n); err != nil {
			return 0, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

func (c *fakeConn) SetWriteDeadline(time.Time) error { return nil }

func (c *fakeConn) Close() error { c.closed.Store(true); return nil }

// frames splits what was written into RawSocket payloads.
func (c *fakeConn) frames(t *testing.T) []string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	b := c.buf.Bytes()
	for len(b) > 0 {
		if len(b) < 4 {
			t.Fatalf("%d stray bytes", len(b))
		}
		n := int(binary.BigEndian.Uint32(b) & 0xFFFFFF)
		out = append(out, string(b[4:4+n]))
		b = b[4+n:]
	}
	return out
}

// stuckWriter returns a batch writer whose first write, of the frame
// "stuck", blocks until release is closed, once that write has begun.
func stuckWriter() (bw *batchWriter, fc *fakeConn, release chan struct{}) {
	release = make(chan struct{})
	fc = &fakeConn{hook: func(n int64) error {
		if n == 1 {
			<-release
		}
		return nil
	}}
	bw = newBatchWriter(fc, appendRawFrame)
	go bw.send(context.Background(), rawRegular, []byte("stuck"), sendNow)
	for {
		bw.mu.Lock()
		w := bw.writing
		bw.mu.Unlock()
		if w {
			return bw, fc, release
		}
		time.Sleep(time.Millisecond)
	}
}

// TestBatchWriterShares sends from many goroutines at once over a slow
// connection: every frame arrives whole, each sender's in its order, and
// far fewer writes than frames carry them.
func TestBatchWriterShares(t *testing.T) {
	fc := &fakeConn{hook: func(int64) error { time.Sleep(100 * time.Microsecond); return nil }}
	bw := newBatchWriter(fc, appendRawFrame)
	const senders, each = 16, 300
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			for i := range each {
				if err := bw.send(context.Background(), rawRegular, fmt.Appendf(nil, "%d:%d", g, i), sendNow); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	bw.close(time.Now().Add(time.Second))
	frames := fc.frames(t)
	if len(frames) != senders*each {
		t.Fatalf("%d frames, want %d", len(frames), senders*each)
	}
	next := make([]int, senders)
	for _, f := range frames {
		var g, i int
		if _, err := fmt.Sscanf(f, "%d:%d", &g, &i); err != nil {
			t.Fatalf("frame %q: %v", f, err)
		}
		if i != next[g] {
			t.Fatalf("sender %d: frame %d after %d", g, i, next[g]-1)
		}
		next[g]++
	}
	if w := fc.writes.Load(); w > senders*each/4 {
		t.Errorf("%d writes for %d frames: not batched", w, senders*each)
	}
	t.Logf("%d frames in %d writes", senders*each, fc.writes.Load())
}

// TestBatchWriterCloseFlushes queues a frame behind a write in progress
// and closes the writer: the frame is written before close returns, and
// later sends are refused.
func TestBatchWriterCloseFlushes(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	fc := &fakeConn{hook: func(n int64) error {
		if n == 1 {
			close(entered)
			<-release
		}
		return nil
	}}
	bw := newBatchWriter(fc, appendRawFrame)
	first := make(chan error, 1)
	go func() { first <- bw.send(context.Background(), rawRegular, []byte("first"), sendNow) }()
	<-entered
	if err := bw.send(context.Background(), rawRegular, []byte("abort"), sendNow); err != nil {
		t.Fatalf("queued send: %v", err)
	}
	closed := make(chan struct{})
	go func() { bw.close(time.Now().Add(time.Second)); close(closed) }()
	select {
	case <-closed:
		t.Fatal("close returned while a write was in progress")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	<-closed
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if got := fc.frames(t); len(got) != 2 || got[0] != "first" || got[1] != "abort" {
		t.Fatalf("written %q", got)
	}
	if err := bw.send(context.Background(), rawRegular, []byte("late"), sendNow); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("send after close: %v", err)
	}
}

// TestBatchWriterBackpressure: with the writer stuck, senders queue up to
// maxQueuedBytes and then wait; they go on once the writer does.
func TestBatchWriterBackpressure(t *testing.T) {
	bw, fc, release := stuckWriter()
	big := make([]byte, 64<<10)
	for range maxQueuedBytes / len(big) {
		if err := bw.send(context.Background(), rawRegular, big, sendNow); err != nil {
			t.Fatal(err)
		}
	}
	blocked := make(chan error, 1)
	go func() { blocked <- bw.send(context.Background(), rawRegular, []byte("waits"), sendNow) }()
	select {
	case err := <-blocked:
		t.Fatalf("send over a full queue returned at once (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	bw.close(time.Now().Add(time.Second))
	frames := fc.frames(t)
	if n := len(frames); n != 2+maxQueuedBytes/len(big) || frames[n-1] != "waits" {
		t.Fatalf("%d frames, last %.10q", n, frames[n-1])
	}
}

// TestBatchWriterErrorSticks: a failed write fails its sender and every
// later one with the same error, and closes the connection, so that the
// session's read loop ends and fails what was queued behind the write (a
// regression test: the connection used to stay open, and a request queued
// behind a failed write waited forever).
func TestBatchWriterErrorSticks(t *testing.T) {
	fc := &fakeConn{hook: func(int64) error { return io.ErrClosedPipe }}
	bw := newBatchWriter(fc, appendRawFrame)
	for range 2 {
		if err := bw.send(context.Background(), rawRegular, []byte("x"), sendNow); !errors.Is(err, io.ErrClosedPipe) {
			t.Fatalf("send: %v", err)
		}
	}
	if w := fc.writes.Load(); w != 1 {
		t.Fatalf("%d writes after the first failed", w)
	}
	if !fc.closed.Load() {
		t.Error("the connection is still open after a failed write")
	}
	if err := bw.brokenBy(); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("brokenBy: %v", err)
	}
}

// TestBatchWriterWaitEndsWithContext is a regression test: a sender that
// waited for room in a full queue could not leave. It now leaves when its
// context ends, and its frame is not queued; noWait does not wait at all,
// and its frame is queued even over a full queue (see
// TestBatchWriterNoWaitNeverDropped); a context that has ended does not
// keep a frame out of a queue with room.
func TestBatchWriterWaitEndsWithContext(t *testing.T) {
	bw, fc, release := stuckWriter()
	if err := bw.send(noWait, rawRegular, []byte("room"), sendNow); err != nil {
		t.Fatalf("noWait send with room in the queue: %v", err)
	}
	big := make([]byte, maxQueuedBytes)
	if err := bw.send(context.Background(), rawRegular, big, sendNow); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := bw.send(ctx, rawRegular, []byte("late"), sendNow)
	if !errors.Is(err, errQueueFull) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("send whose context ended while it waited: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("send waited %v past its context", took)
	}
	if err := bw.send(noWait, rawRegular, []byte("over"), sendNow); err != nil {
		t.Fatalf("noWait send over a full queue: %v", err)
	}
	close(release)
	bw.close(time.Now().Add(time.Second))
	frames := fc.frames(t)
	if len(frames) != 4 || frames[0] != "stuck" || frames[1] != "room" || len(frames[2]) != len(big) || frames[3] != "over" {
		t.Fatalf("%d frames written; want stuck, room, the big one and over", len(frames))
	}
}

// TestBatchWriterHandsOver: a sender whose writes keep finding new frames
// queued stops after maxWriterRounds writes and returns; a goroutine
// writes the rest.
func TestBatchWriterHandsOver(t *testing.T) {
	const more = 3 * maxWriterRounds
	var bw *batchWriter
	release := make(chan struct{})
	fc := &fakeConn{}
	fc.hook = func(n int64) error {
		if n == maxWriterRounds+1 {
			<-release // only the goroutine that took over can wait here
		}
		if n <= more {
			// Another sender queues a frame during this write.
			done := make(chan struct{})
			go func() { bw.send(context.Background(), rawRegular, fmt.Appendf(nil, "%d", n), sendNow); close(done) }()
			<-done
		}
		return nil
	}
	bw = newBatchWriter(fc, appendRawFrame)
	first := make(chan error, 1)
	go func() { first <- bw.send(context.Background(), rawRegular, []byte("0"), sendNow) }()
	select {
	case err := <-first:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first sender kept writing for the others")
	}
	close(release)
	bw.close(time.Now().Add(time.Second))
	got := fc.frames(t)
	if len(got) != more+1 || got[more] != fmt.Sprint(more) {
		t.Fatalf("frames %q", got)
	}
}

// TestBatchWriterNoWaitDoesNotWrite is a regression test: noWait is for
// the read loop, which must never wait for its own writes, but a noWait
// sender that found no writer at work became the writer, and so blocked in
// the socket write for as long as the router did not read (up to
// writeTimeout): a RawSocket PONG, or an ERROR for an INVOCATION, stopped
// the session from reading. A noWait sender now leaves the writing to a
// goroutine.
func TestBatchWriterNoWaitDoesNotWrite(t *testing.T) {
	release := make(chan struct{})
	fc := &fakeConn{hook: func(n int64) error {
		if n == 1 {
			<-release // a router that does not read
		}
		return nil
	}}
	bw := newBatchWriter(fc, appendRawFrame)
	done := make(chan error, 1)
	go func() { done <- bw.send(noWait, rawPong, []byte("pong"), sendNow) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a noWait send (the read loop's) blocked in the socket write")
	}
	close(release)
	bw.close(time.Now().Add(time.Second))
	if got := fc.frames(t); len(got) != 1 || got[0] != "pong" {
		t.Fatalf("frames %q; want the pong", got)
	}
}

// TestBatchWriterNoWaitNeverDropped is a regression test: a noWait frame
// (the read loop's ERROR for an INVOCATION, say) that found the queue full
// was dropped, and the caller waited for an answer that never came. Such
// frames are now queued past maxQueuedBytes; only the one that would take
// them past maxNoWaitBytes is refused, and it closes the connection, so
// that the session fails what is in flight instead of leaving it waiting.
func TestBatchWriterNoWaitNeverDropped(t *testing.T) {
	bw, fc, release := stuckWriter()
	if err := bw.send(context.Background(), rawRegular, make([]byte, maxQueuedBytes), sendNow); err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, maxNoWaitBytes/4-4) // four frames fill maxNoWaitBytes
	for i := range 4 {
		if err := bw.send(noWait, rawRegular, chunk, sendNow); err != nil {
			t.Fatalf("noWait send %d over a full queue: %v", i, err)
		}
	}
	if fc.closed.Load() {
		t.Fatal("connection closed below maxNoWaitBytes")
	}
	err := bw.send(noWait, rawRegular, []byte("x"), sendNow)
	if err == nil || bw.brokenBy() == nil {
		t.Fatalf("noWait send past maxNoWaitBytes: %v; want the connection broken", err)
	}
	for deadline := time.Now().Add(2 * time.Second); !fc.closed.Load(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the connection was not closed")
		}
	}
	close(release)
}

// TestBatchWriterStopsWritingForOthersWhenContextEnds: a sender whose
// context ends during its write returns after that write, instead of
// writing what others queued meanwhile; a goroutine writes it.
func TestBatchWriterStopsWritingForOthersWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var bw *batchWriter
	release := make(chan struct{})
	fc := &fakeConn{}
	fc.hook = func(n int64) error {
		switch n {
		case 1:
			bw.send(context.Background(), rawRegular, []byte("other"), sendNow)
			cancel()
		case 2:
			<-release // only the goroutine that took over can wait here
		}
		return nil
	}
	bw = newBatchWriter(fc, appendRawFrame)
	first := make(chan error, 1)
	go func() { first <- bw.send(ctx, rawRegular, []byte("own"), sendNow) }()
	select {
	case err := <-first:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a sender whose context ended went on writing for the others")
	}
	close(release)
	bw.close(time.Now().Add(time.Second))
	if got := fc.frames(t); len(got) != 2 || got[0] != "own" || got[1] != "other" {
		t.Fatalf("frames %q", got)
	}
}

// TestBatchWriterStream: a streaming sender never writes on its own
// goroutine (it returns while the connection is stuck), its frames go out in
// order, and past streamQueuedBytes it waits for the writer, until its
// context ends, with nothing queued.
func TestBatchWriterStream(t *testing.T) {
	release := make(chan struct{})
	fc := &fakeConn{hook: func(n int64) error {
		if n == 1 {
			<-release
		}
		return nil
	}}
	bw := newBatchWriter(fc, appendRawFrame)
	item := make([]byte, 1000)
	sent := 0
	send := func(ctx context.Context) error {
		copy(item, fmt.Sprintf("%06d", sent))
		err := bw.send(ctx, rawRegular, item, sendStream)
		if err == nil {
			sent++
		}
		return err
	}
	// The first frame is handed to a goroutine, whose write gets stuck:
	// the sender has returned all the same.
	if err := send(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for fc.writes.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the streaming sender's frame was never written")
		}
		time.Sleep(time.Millisecond)
	}
	// The next ones are queued up to the bound, without waiting.
	queued := func() int {
		bw.mu.Lock()
		defer bw.mu.Unlock()
		return len(bw.queued)
	}
	for queued() < streamQueuedBytes {
		if err := send(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Past it, the sender waits for the writer until its context ends, and
	// queues nothing.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := send(ctx); !errors.Is(err, errQueueFull) {
		t.Fatalf("streaming send past the bound with the writer stuck: %v, want errQueueFull", err)
	}
	// Once the writer goes on, so does the sender.
	blocked := make(chan error, 1)
	go func() { blocked <- send(context.Background()) }()
	close(release)
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	bw.close(time.Now().Add(10 * time.Second))
	frames := fc.frames(t)
	if len(frames) != sent {
		t.Fatalf("%d frames written, %d sent", len(frames), sent)
	}
	for i, f := range frames {
		if want := fmt.Sprintf("%06d", i); f[:6] != want {
			t.Fatalf("frame %d starts %q, want %q", i, f[:6], want)
		}
	}
	if sent < streamQueuedBytes/len(item) {
		t.Fatalf("only %d frames queued before the bound", sent)
	}
}
