package main

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/wamp"
)

// The transport floor: what two WebSocket hops cost with no WAMP in them.
// A client sends a pre-encoded frame to a relay, which passes it to an echo
// server and the echo back to the client (client → relay → echo → relay →
// client), the same path a call takes through a router to a callee and
// back. Nothing is encoded or decoded on the way; the first 8 bytes of a
// frame say which caller is waiting for it.

// echoServer answers each WebSocket message with itself.
func echoServer(w http.ResponseWriter, r *http.Request) {
	var up websocket.Upgrader
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	pipe(c, c)
}

// relayServer connects each client to the echo server at upstream and
// copies messages both ways.
func relayServer(upstream string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var up websocket.Upgrader
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		e, _, err := websocket.DefaultDialer.DialContext(r.Context(), upstream, nil)
		if err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			pipe(e, c)
		}()
		pipe(c, e)
		c.Close()
		e.Close()
		<-done
	}
}

// pipe copies messages from src to dst until either fails.
func pipe(dst, src *websocket.Conn) {
	for {
		mt, b, err := src.ReadMessage()
		if err != nil {
			return
		}
		if err := dst.WriteMessage(mt, b); err != nil {
			return
		}
	}
}

// relayClient makes calls over the relay: many callers, one connection.
type relayClient struct {
	conn    *websocket.Conn
	writeMu sync.Mutex
	nextID  atomic.Uint64
	mu      sync.Mutex
	pending map[uint64]chan struct{}
	frames  sync.Pool // *[]byte, a frame to send
	waits   sync.Pool // chan struct{}
}

var errRelayClosed = errors.New("relay connection closed")

func (rc *relayClient) readLoop() {
	for {
		_, b, err := rc.conn.ReadMessage()
		if err != nil {
			rc.mu.Lock()
			for id, ch := range rc.pending {
				close(ch)
				delete(rc.pending, id)
			}
			rc.pending = nil
			rc.mu.Unlock()
			return
		}
		if len(b) < 8 {
			continue
		}
		id := binary.LittleEndian.Uint64(b)
		rc.mu.Lock()
		ch := rc.pending[id]
		delete(rc.pending, id)
		rc.mu.Unlock()
		if ch != nil {
			ch <- struct{}{}
		}
	}
}

func (rc *relayClient) call(ctx context.Context) error {
	id := rc.nextID.Add(1)
	ch := rc.waits.Get().(chan struct{})
	rc.mu.Lock()
	if rc.pending == nil {
		rc.mu.Unlock()
		return errRelayClosed
	}
	rc.pending[id] = ch
	rc.mu.Unlock()
	fp := rc.frames.Get().(*[]byte)
	binary.LittleEndian.PutUint64(*fp, id)
	rc.writeMu.Lock()
	err := rc.conn.WriteMessage(websocket.BinaryMessage, *fp)
	rc.writeMu.Unlock()
	rc.frames.Put(fp)
	if err != nil {
		return err
	}
	select {
	case _, ok := <-ch:
		if !ok {
			return errRelayClosed
		}
		rc.waits.Put(ch)
		return nil
	case <-ctx.Done():
		rc.mu.Lock()
		delete(rc.pending, id)
		rc.mu.Unlock()
		return ctx.Err()
	}
}

// relayServers starts the echo server and the relay in front of it, and
// returns the relay's URL.
func relayServers(ctx context.Context) (_ string, _ func(), err error) {
	var cl closers
	defer func() {
		if err != nil {
			cl.run()
		}
	}()
	serve := func(h http.Handler) (string, error) {
		var lc net.ListenConfig
		ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		srv := &http.Server{Handler: h}
		go srv.Serve(ln)
		cl.add(func() { srv.Close() })
		return "ws://" + ln.Addr().String() + "/", nil
	}
	echoURL, err := serve(http.HandlerFunc(echoServer))
	if err != nil {
		return "", nil, err
	}
	relayURL, err := serve(relayServer(echoURL))
	if err != nil {
		return "", nil, err
	}
	return relayURL, cl.run, nil
}

// relayCaller connects a client to the relay at url.
func relayCaller(ctx context.Context, url string) (*system, error) {
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	// The frame carries what a call carries: a MsgPack CALL of add(1, 2).
	payload, err := wamp.MsgPack.Encode(&wamp.Call{Request: 1, Procedure: "com.example.calc.add", Args: wamp.ArgsOf(1.0, 2.0)})
	if err != nil {
		conn.Close()
		return nil, err
	}
	rc := &relayClient{conn: conn, pending: map[uint64]chan struct{}{}}
	rc.frames.New = func() any {
		f := make([]byte, 8+len(payload))
		copy(f[8:], payload)
		return &f
	}
	rc.waits.New = func() any { return make(chan struct{}, 1) }
	go rc.readLoop()
	return &system{
		name:  sysRelay,
		ser:   "none (raw frames)",
		call:  rc.call,
		addr:  url,
		close: func() { conn.Close() },
	}, nil
}
