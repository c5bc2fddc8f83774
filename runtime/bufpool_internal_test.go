package runtime

import (
	"bytes"
	"context"
	"net"
	goruntime "runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wampgen/wampgen/wamp"
)

// discardConn counts what is written to it and keeps none of it.
type discardConn struct {
	net.Conn // nil: only Write, SetWriteDeadline and Close are used
	written  atomic.Int64
}

func (c *discardConn) Write(p []byte) (int, error) {
	c.written.Add(int64(len(p)))
	return len(p), nil
}

func (c *discardConn) SetWriteDeadline(time.Time) error { return nil }

func (c *discardConn) Close() error { return nil }

// TestLargeSendPooled pins issue 18's fix of the caller's send path: a
// CALL carrying 64 KiB, sent through sendOn and a WebSocket batchWriter,
// takes its encode buffer and its frame buffer from the shared pools
// (bufpool.go) instead of allocating both afresh: 2.25 (MsgPack) and 2.75
// (JSON) times the payload per send before, a few bytes now. The bound,
// 1.75 times the payload, leaves room for the race detector, which drops a
// quarter of what goes back to a sync.Pool (about 1 times the payload per
// send then, on average).
func TestLargeSendPooled(t *testing.T) {
	const size = 64 << 10
	for _, ser := range []*wamp.Serializer{wamp.MsgPack, wamp.JSON} {
		t.Run(ser.Name(), func(t *testing.T) {
			dc := &discardConn{}
			ws := &webSocket{bw: newBatchWriter(dc, appendClientFrame), opcode: websocket.BinaryMessage}
			s := &Session{ser: ser, cfg: Config{MaxMessageSize: 4 << 20}}
			c := &conn{tr: ws}
			s.cur.Store(c)
			payload := bytes.Repeat([]byte("0123456789abcdef"), size/16)
			m := &wamp.Call{Request: 1, Procedure: "com.test.echo", Args: wamp.ArgsOf(payload)}
			want, err := ser.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			frame := int64(len(appendClientFrame(nil, websocket.BinaryMessage, want)))
			ctx := context.Background()
			for range 10 {
				if err := s.sendOn(ctx, c, m); err != nil {
					t.Fatal(err)
				}
			}
			const sends = 200
			dc.written.Store(0)
			var before, after goruntime.MemStats
			goruntime.ReadMemStats(&before)
			for range sends {
				if err := s.sendOn(ctx, c, m); err != nil {
					t.Fatal(err)
				}
			}
			goruntime.ReadMemStats(&after)
			if got := dc.written.Load(); got != sends*frame {
				t.Fatalf("%d bytes written for %d sends, want %d frames of %d", got, sends, sends, frame)
			}
			perSend := (after.TotalAlloc - before.TotalAlloc) / sends
			t.Logf("%s: %d bytes allocated per send of a %d-byte payload", ser.Name(), perSend, size)
			if limit := uint64(size * 7 / 4); perSend > limit {
				t.Errorf("%s: %d bytes allocated per send of a %d-byte payload, want at most %d", ser.Name(), perSend, size, limit)
			}
		})
	}
}

// BenchmarkSendOnSmall is the small call's send path that the large
// buffers must not slow: add(1, 2)'s CALL through sendOn and a WebSocket
// batchWriter.
func BenchmarkSendOnSmall(b *testing.B) {
	dc := &discardConn{}
	ws := &webSocket{bw: newBatchWriter(dc, appendClientFrame), opcode: websocket.BinaryMessage}
	s := &Session{ser: wamp.MsgPack, cfg: Config{MaxMessageSize: 4 << 20}}
	c := &conn{tr: ws}
	s.cur.Store(c)
	m := &wamp.Call{Request: 1, Procedure: "com.example.add", Args: wamp.ArgsOf(1, 2)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.sendOn(ctx, c, m); err != nil {
			b.Fatal(err)
		}
	}
}
