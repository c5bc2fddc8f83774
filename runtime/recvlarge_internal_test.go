package runtime

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/wamp"
)

// Recv returns every message whole, whatever its size around the buffer
// it keeps (maxKeptBuffer) and the chunks it reads large messages in
// (largeChunk); it allocates about a large message's size for it, not the
// several times a growing buffer took; and it still reads past a message
// over the limit.
func TestRecvLargeMessages(t *testing.T) {
	sizes := []int{0, 1, maxKeptBuffer - 1, maxKeptBuffer, maxKeptBuffer + 1, maxKeptBuffer + largeChunk,
		maxKeptBuffer + largeChunk + 1, 3<<20 + 7}
	const limit = 4 << 20
	msgs := make([][]byte, 0, len(sizes)+2)
	for _, n := range sizes {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*31 + n)
		}
		msgs = append(msgs, b)
	}
	msgs = append(msgs, bytes.Repeat([]byte{'x'}, limit+largeChunk+3), []byte("after"))

	up := websocket.Upgrader{Subprotocols: []string{wamp.MsgPack.Subprotocol()}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for _, m := range msgs {
			if err := c.WriteMessage(websocket.BinaryMessage, m); err != nil {
				return
			}
		}
		_, _, _ = c.ReadMessage() // until the client closes
	}))
	defer srv.Close()
	u, err := url.Parse("ws" + strings.TrimPrefix(srv.URL, "http"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := Config{Realm: "realm1", Serializer: wamp.MsgPack, MaxMessageSize: limit}.withDefaults()
	w, err := dialWebSocket(ctx, u, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.conn.Close()
	for i, want := range msgs[:len(sizes)] {
		var m0, m1 goruntime.MemStats
		goruntime.ReadMemStats(&m0)
		got, err := w.Recv()
		goruntime.ReadMemStats(&m1)
		if err != nil {
			t.Fatalf("message %d (%d bytes): %v", i, len(want), err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("message %d: got %d bytes, want %d, or other bytes", i, len(got), len(want))
		}
		// The message and, at worst (an empty pool: its first use, or a
		// GC just before), its chunks; the server's writes allocate
		// little. A growing buffer took 5–6 times the message.
		if alloc := m1.TotalAlloc - m0.TotalAlloc; len(want) >= 1<<20 && alloc > 2*uint64(len(want))+4*largeChunk {
			t.Errorf("message %d (%d bytes): Recv allocated %d bytes", i, len(want), alloc)
		}
	}
	var over *oversizedMessage
	if _, err := w.Recv(); !errors.As(err, &over) || over.size != int64(limit+largeChunk+3) {
		t.Fatalf("message over the limit: %v, want an oversizedMessage of %d bytes", err, limit+largeChunk+3)
	}
	if got, err := w.Recv(); err != nil || string(got) != "after" {
		t.Fatalf("message after the oversized one: %q, %v", got, err)
	}
}
