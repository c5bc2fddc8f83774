package runtime_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// writeHookConn wraps a net.Conn so that a test can see and disturb what
// the session writes: onWrite, if set, sees every write, and its result
// replaces the write's when handled is true. onRead, if set, is called as
// each read starts, and then sees what it read.
type writeHookConn struct {
	net.Conn
	onWrite func(c *writeHookConn, b []byte) (n int, err error, handled bool)
	onRead  func(b []byte, done bool)
}

func (c *writeHookConn) Read(b []byte) (int, error) {
	if c.onRead == nil {
		return c.Conn.Read(b)
	}
	c.onRead(nil, false)
	n, err := c.Conn.Read(b)
	c.onRead(b[:n], true)
	return n, err
}

func (c *writeHookConn) Write(b []byte) (int, error) {
	if c.onWrite != nil {
		if n, err, handled := c.onWrite(c, b); handled {
			return n, err
		}
	}
	return c.Conn.Write(b)
}

// rawSocketReads follows the RawSocket frames a session reads (after the
// four octets of the handshake) and decodes each whole JSON message, so
// that a test can see, and hold, what the session reads, and tell when it
// has handled a message: the session reads its connection again only once
// it has handled all that it read before. Its read method is a
// writeHookConn's onRead.
type rawSocketReads struct {
	// onMessage, if set, sees each message as the read that completes it
	// returns, on the session's read loop: it may hold the read.
	onMessage func(msg wamp.Message)
	// onStart, if set, is called as each read starts.
	onStart func()

	mu      sync.Mutex
	skip    int    // octets of the handshake still to come
	hdr     []byte // the header of the frame being read, as far as read
	left    int    // payload octets of the frame still to come
	payload []byte
}

func newRawSocketReads() *rawSocketReads { return &rawSocketReads{skip: 4} }

func (r *rawSocketReads) read(b []byte, done bool) {
	if !done {
		if r.onStart != nil {
			r.onStart()
		}
		return
	}
	for _, msg := range r.parse(b) {
		if r.onMessage != nil {
			r.onMessage(msg)
		}
	}
}

// parse takes the octets of a read and returns the messages they complete.
func (r *rawSocketReads) parse(b []byte) []wamp.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var msgs []wamp.Message
	whole := func() {
		if msg, err := wamp.JSON.Decode(r.payload); err == nil {
			msgs = append(msgs, msg)
		}
	}
	for len(b) > 0 {
		switch {
		case r.skip > 0:
			k := min(r.skip, len(b))
			r.skip -= k
			b = b[k:]
		case r.left > 0:
			k := min(r.left, len(b))
			r.payload = append(r.payload, b[:k]...)
			r.left -= k
			b = b[k:]
			if r.left == 0 {
				whole()
			}
		default:
			r.hdr = append(r.hdr, b[0])
			b = b[1:]
			if len(r.hdr) == 4 {
				r.left = int(r.hdr[1])<<16 | int(r.hdr[2])<<8 | int(r.hdr[3])
				r.payload = r.payload[:0]
				r.hdr = r.hdr[:0]
				if r.left == 0 {
					whole()
				}
			}
		}
	}
	return msgs
}

// handledFirst returns a channel closed once the session has handled the
// first message that matches: on the first read that starts after that
// message has arrived. It sets r's hooks.
func (r *rawSocketReads) handledFirst(match func(wamp.Message) bool) <-chan struct{} {
	var arrived atomic.Bool
	var once sync.Once
	handled := make(chan struct{})
	r.onMessage = func(msg wamp.Message) {
		if match(msg) {
			arrived.Store(true)
		}
	}
	r.onStart = func() {
		if arrived.Load() {
			once.Do(func() { close(handled) })
		}
	}
	return handled
}

// waitingCtx is a context that tells when Done is first asked for: a Call
// asks once its CALL is queued, as it starts waiting for the answer; an
// Unregister once its registration is no longer active, as it starts
// waiting for room in the queue.
type waitingCtx struct {
	context.Context
	once  sync.Once
	asked chan struct{}
}

func newWaitingCtx() *waitingCtx {
	return &waitingCtx{Context: context.Background(), asked: make(chan struct{})}
}

func (c *waitingCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.asked) })
	return c.Context.Done()
}

// TestWriteErrorFailsQueuedCalls is a regression test: a failed write
// (here the socket's write fails while its read side stays healthy) made
// the connection's write error sticky but ended nothing. A CALL queued
// behind the failed write had been told it was sent, so its Call never
// returned, and the session stayed joined with every later send failing.
// A write error now closes the connection, so the read loop fails every
// call in flight and the session ends (or reconnects).
func TestWriteErrorFailsQueuedCalls(t *testing.T) {
	r := rpcRouter(t)
	callee := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	rpcRegister(t, callee, "com.test.echo", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{Args: inv.Args}, nil
	})
	var armed atomic.Bool
	inWrite := make(chan struct{})
	releaseWrite := make(chan struct{})
	var once sync.Once
	cfg := runtime.Config{
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			nc, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &writeHookConn{Conn: nc, onWrite: func(c *writeHookConn, b []byte) (int, error, bool) {
				if !armed.Load() {
					return 0, nil, false
				}
				once.Do(func() { close(inWrite); <-releaseWrite })
				return 0, errors.New("injected write error"), true
			}}, nil
		},
	}
	caller := rpcDial(t, r.RawSocketURL(), cfg)
	armed.Store(true)
	first := make(chan error, 1)
	go func() {
		_, err := caller.Call(context.Background(), "com.test.echo", wamp.ArgsOf(1), wamp.Payload{})
		first <- err
	}()
	<-inWrite // the first CALL's writer is inside Write
	second := make(chan error, 1)
	secondCtx := newWaitingCtx()
	go func() {
		_, err := caller.Call(secondCtx, "com.test.echo", wamp.ArgsOf(2), wamp.Payload{})
		second <- err
	}()
	recvT(t, secondCtx.asked, "the second CALL to be queued") // behind the write held above
	close(releaseWrite)
	if err := recvT(t, first, "the first call"); !errors.Is(err, runtime.ErrConnectionLost) {
		t.Fatalf("first call: %v; want ErrConnectionLost", err)
	}
	select {
	case err := <-second:
		if !errors.Is(err, runtime.ErrConnectionLost) || !strings.Contains(err.Error(), "injected write error") {
			t.Errorf("second call: %v; want ErrConnectionLost with the write error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("a call queued behind a failed write never returned (session state %v, Err %v)", caller.State(), caller.Err())
	}
	select {
	case <-caller.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("session still %v after its connection broke", caller.State())
	}
	if err := caller.Err(); !errors.Is(err, runtime.ErrConnectionLost) {
		t.Errorf("Err() = %v; want ErrConnectionLost", err)
	}
}

// stalledRawSocketRouter accepts RawSocket connections, completes the
// handshake and WELCOME, and then never reads again (a router that is
// stuck, or a half-open connection). Its connections close when the test
// ends.
func stalledRawSocketRouter(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var open []net.Conn
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, conn)
			mu.Unlock()
			var hs [4]byte
			if _, err := io.ReadFull(conn, hs[:]); err != nil {
				continue
			}
			conn.Write([]byte{0x7F, 0xF0 | wamp.JSON.RawSocketID(), 0, 0})
			var hdr [4]byte
			if _, err := io.ReadFull(conn, hdr[:]); err != nil {
				continue
			}
			hello := make([]byte, binary.BigEndian.Uint32(hdr[:])&0xFFFFFF)
			io.ReadFull(conn, hello)
			welcome, _ := wamp.JSON.Encode(&wamp.Welcome{Session: 1, Details: wamp.Dict{wamp.KeyRoles: wamp.Dict{
				wamp.RoleBroker: wamp.Dict{}, wamp.RoleDealer: wamp.Dict{}}}})
			conn.Write(append(rogueRawHeader(0, len(welcome)), welcome...))
			// and read nothing more
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "tcp://" + ln.Addr().String()
}

// TestBackpressureHonoursContext is a regression test: when the router
// stopped reading, the write queue filled up and senders waited for room
// with no way out. A Call whose context had a 300ms deadline never
// returned, and neither did Close, whose GOODBYE waited the same way. A
// sender now waits only as long as its context lasts (its message is then
// not sent), and Close bounds the GOODBYE handshake by ResponseTimeout and
// the flushing of the queue by its close deadline.
func TestBackpressureHonoursContext(t *testing.T) {
	url := stalledRawSocketRouter(t)
	bigWrite := make(chan struct{})
	var once sync.Once
	cfg := runtime.Config{
		Realm:           "realm1",
		ResponseTimeout: time.Second,
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			nc, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			// Small socket buffers: a write of a megabyte blocks for sure.
			nc.(*net.TCPConn).SetWriteBuffer(8 << 10)
			return &writeHookConn{Conn: nc, onWrite: func(c *writeHookConn, b []byte) (int, error, bool) {
				if len(b) >= 1<<20 {
					once.Do(func() { close(bigWrite) })
				}
				return 0, nil, false
			}}, nil
		},
	}
	s, err := runtime.Dial(testCtx(t), url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A publication of a megabyte blocks the writer in the socket write;
	// one of two more, queued behind it, fills the queue beyond its limit.
	go s.Publish(context.Background(), "com.test.flood", wamp.ArgsOf(strings.Repeat("x", 1<<20)), wamp.Payload{})
	recvT(t, bigWrite, "the writer to start writing a megabyte")
	if _, err := s.Publish(context.Background(), "com.test.flood", wamp.ArgsOf(strings.Repeat("y", 2<<20)), wamp.Payload{}); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	called := make(chan error, 1)
	go func() {
		_, err := s.Call(ctx, "com.test.anything", wamp.Payload{}, wamp.Payload{})
		called <- err
	}()
	select {
	case err := <-called:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Call: %v; want its context's deadline", err)
		}
	case <-time.After(3 * time.Second):
		t.Errorf("Call with a 300ms deadline still blocked after 3s")
	}
	closed := make(chan error, 1)
	start := time.Now()
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err == nil {
			t.Errorf("Close returned nil; want an error saying GOODBYE was not sent")
		}
		t.Logf("Close after %v: %v", time.Since(start).Round(time.Millisecond), err)
	case <-time.After(5 * time.Second):
		t.Errorf("Close (ResponseTimeout 1s) still blocked after 5s")
	}
	// The cleanup of stalledRawSocketRouter closes the router side, which
	// unblocks everything.
}

// TestInvocationErrorNotDroppedWhileQueueFull is a regression test: while
// the callee's write queue was full (the router read slowly for a moment),
// the read loop answered an INVOCATION for a registration no longer active
// with an ERROR sent noWait, which dropped it. The router never heard
// back, and the caller waited until its own deadline (forever without
// one), although the connection recovered and every other message went
// out. The read loop's frames are now queued past the queue's limit.
func TestInvocationErrorNotDroppedWhileQueueFull(t *testing.T) {
	r := rpcRouter(t)
	var gated atomic.Bool
	release := make(chan struct{})
	var releaseOnce sync.Once
	open := func() { releaseOnce.Do(func() { close(release) }) }
	defer open()
	inWrite := make(chan struct{}, 1)
	// The INVOCATION of the unregistered procedure, which the callee
	// answers with an ERROR while its queue is full.
	reads := newRawSocketReads()
	invocationHandled := reads.handledFirst(func(msg wamp.Message) bool {
		_, ok := msg.(*wamp.Invocation)
		return ok
	})
	cfg := runtime.Config{Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &writeHookConn{Conn: nc, onRead: reads.read, onWrite: func(c *writeHookConn, b []byte) (int, error, bool) {
			if gated.Load() {
				select {
				case inWrite <- struct{}{}:
				default:
				}
				<-release // a router that reads slowly
			}
			return 0, nil, false
		}}, nil
	}}
	callee := rpcDial(t, r.RawSocketURL(), cfg)
	caller := rpcDial(t, r.WebSocketURL(), runtime.Config{})
	reg, err := callee.Register(testCtx(t), "com.test.full.p", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
		return &runtime.Result{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gated.Store(true)
	go callee.Publish(context.Background(), "com.test.full.flood", wamp.ArgsOf("x"), wamp.Payload{})
	recvT(t, inWrite, "the writer to be held")
	// Fill the queue beyond its limit.
	if _, err := callee.Publish(context.Background(), "com.test.full.flood", wamp.ArgsOf(strings.Repeat("y", 1<<20)), wamp.Payload{}); err != nil {
		t.Fatal(err)
	}
	// Unregister: the registration stops being active at once, and its
	// UNREGISTER waits for room.
	unregisterCtx := newWaitingCtx()
	go reg.Unregister(unregisterCtx)
	recvT(t, unregisterCtx.asked, "Unregister to end the registration")
	called := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := caller.Call(ctx, "com.test.full.p", wamp.Payload{}, wamp.Payload{})
		called <- err
	}()
	recvT(t, invocationHandled, "the callee to read and answer the INVOCATION") // or not
	gated.Store(false)
	open()
	select {
	case err := <-called:
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Call ran into its own deadline: the callee's ERROR for the INVOCATION was dropped")
		} else {
			t.Logf("Call: %v", err)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("Call did not return")
	}
}
