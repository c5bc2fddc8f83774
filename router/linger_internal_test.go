package router

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// discard stops at its byte bound while the client still sends, and long
// before its time bound.
func TestDiscardByteBound(t *testing.T) {
	router, client := net.Pipe()
	defer router.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		chunk := make([]byte, 1000)
		for {
			select {
			case <-stop:
				_ = client.Close()
				return
			default:
			}
			if _, err := client.Write(chunk); err != nil {
				return
			}
		}
	}()
	n, err := discard(router, time.Hour, 64<<10)
	if err != nil {
		t.Fatalf("discard stopped at %d bytes with %v, want the byte bound", n, err)
	}
	if n < 64<<10 || n > 64<<10+4<<10 {
		t.Fatalf("discard read %d bytes, want 64 KiB and at most one buffer more", n)
	}
}

// discard stops at its time bound when the client neither sends nor
// closes, and at the end of the connection when it closes.
func TestDiscardTimeBoundAndEnd(t *testing.T) {
	router, client := net.Pipe()
	defer router.Close()
	defer client.Close()
	n, err := discard(router, 50*time.Millisecond, 1<<20)
	if n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("silent client: discard = %d, %v; want 0, a deadline error", n, err)
	}

	router2, client2 := net.Pipe()
	defer router2.Close()
	go func() {
		_, _ = client2.Write([]byte("the next chunk"))
		_ = client2.Close()
	}()
	n, err = discard(router2, time.Hour, 1<<20)
	if n != len("the next chunk") || err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("closing client: discard = %d, %v; want 14 bytes and the end of the connection", n, err)
	}
}
