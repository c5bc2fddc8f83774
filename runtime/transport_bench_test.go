package runtime

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/wamp"
)

// BenchmarkRecv measures a transport's Recv, the read loop's per-message
// cost below decoding, for messages of typical sizes, all under the
// limit: a peer writes the same frame over and over.
func BenchmarkRecv(b *testing.B) {
	for _, size := range []int{64, 1 << 10, 16 << 10} {
		msg := []byte(`[50,1,{},["` + strings.Repeat("x", size-14) + `"]]`)
		b.Run(fmt.Sprintf("websocket/%d", len(msg)), func(b *testing.B) {
			benchRecv(b, recvWebSocket(b, msg), len(msg))
		})
		b.Run(fmt.Sprintf("rawsocket/%d", len(msg)), func(b *testing.B) {
			benchRecv(b, recvRawSocket(b, msg), len(msg))
		})
	}
}

func benchRecv(b *testing.B, tr transport, size int) {
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		data, err := tr.Recv()
		if err != nil || len(data) != size {
			b.Fatalf("Recv = %d bytes, %v", len(data), err)
		}
	}
}

// recvWebSocket returns a client WebSocket transport whose peer sends msg
// until the benchmark ends.
func recvWebSocket(b *testing.B, msg []byte) transport {
	up := websocket.Upgrader{Subprotocols: []string{wamp.JSON.Subprotocol()}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		// Unmasked server frames, 64 to a write, so that the client's
		// reading is what is measured.
		var frame []byte
		switch n := len(msg); {
		case n <= 125:
			frame = []byte{0x81, byte(n)}
		case n <= 0xffff:
			frame = binary.BigEndian.AppendUint16([]byte{0x81, 126}, uint16(n))
		default:
			frame = binary.BigEndian.AppendUint64([]byte{0x81, 127}, uint64(n))
		}
		frame = append(frame, msg...)
		frames := bytes.Repeat(frame, 64)
		for {
			if _, err := conn.NetConn().Write(frames); err != nil {
				return
			}
		}
	}))
	b.Cleanup(srv.Close)
	u, _ := url.Parse("ws" + strings.TrimPrefix(srv.URL, "http"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tr, err := dialWebSocket(ctx, u, Config{Realm: "realm1"}.withDefaults())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tr.Close() })
	return tr
}

// recvRawSocket returns a client RawSocket transport whose peer sends msg
// until the benchmark ends.
func recvRawSocket(b *testing.B, msg []byte) transport {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		var hs [4]byte
		if _, err := io.ReadFull(conn, hs[:]); err != nil {
			return
		}
		if _, err := conn.Write([]byte{0x7F, 0xF0 | hs[1]&0x0F, 0, 0}); err != nil {
			return
		}
		frames := make([]byte, 0, 64*(len(msg)+4))
		for range 64 {
			frames = appendRawFrame(frames, rawRegular, msg)
		}
		for {
			if _, err := conn.Write(frames); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tr, err := dialRawSocket(ctx, "tcp", ln.Addr().String(), false, Config{Realm: "realm1"}.withDefaults())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tr.Close() })
	return tr
}
