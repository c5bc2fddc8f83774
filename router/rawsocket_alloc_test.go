package router

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"testing"
)

// TestRawSocketLengthAllocatesNothingUpFront: a frame header announcing
// 16 MiB, followed by a few bytes and silence, does not cost 16 MiB: the
// buffer grows with the bytes that arrive.
func TestRawSocketLengthAllocatesNothingUpFront(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	rc := &rsConn{c: server, recvLimit: rsMaxLength}
	rc.br = newRSReader(server)
	go func() {
		_, _ = client.Write([]byte{0, 0xFF, 0xFF, 0xFF})
		_, _ = client.Write([]byte("[1,"))
		_ = client.Close()
	}()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := rc.readFrame(func() int { return 0 })
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("truncated frame read without error")
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("reading a truncated frame that announced 16 MiB allocated %d bytes", d)
	}
}

// TestReadPayload reads payloads of every size class whole.
func TestReadPayload(t *testing.T) {
	for _, n := range []int{0, 1, 4096, 4097, 64<<10 + 1, 1 << 20, 3<<20 + 7} {
		src := bytes.Repeat([]byte{'a', 'b', 'c'}, n/3+1)[:n]
		got, err := readPayload(iotestHalf{bytes.NewReader(src)}, n)
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("n=%d: %d bytes, %v", n, len(got), err)
		}
	}
	if _, err := readPayload(bytes.NewReader(make([]byte, 100<<10)), 200<<10); err != io.ErrUnexpectedEOF {
		t.Errorf("short payload: %v, want io.ErrUnexpectedEOF", err)
	}
}

// iotestHalf returns at most half of what each Read asks for.
type iotestHalf struct{ r io.Reader }

func (h iotestHalf) Read(p []byte) (int, error) { return h.r.Read(p[:(len(p)+1)/2]) }
