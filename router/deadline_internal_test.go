package router

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"
)

// A write the writer makes without waiting (writeNonBlocking) gets a live
// write deadline, whatever deadline the sender left on the connection: the
// poller refuses a write, even one that does not wait, once the deadline
// has passed, and a client that reads all it gets would otherwise be cut
// off writeTimeout after the last write that had to wait.
func TestHandOffRenewsStaleDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, 5)
		_, _ = io.ReadFull(client, b)
		got <- b
	}()

	p := &peer{
		fc:  &rsConn{c: conn}, // the frame format does not matter here
		raw: nonBlocking(conn),
		log: slog.New(slog.DiscardHandler),
	}
	if p.raw == nil {
		t.Skip("no non-blocking writes on this platform")
	}
	// What the sender leaves behind: a deadline set writeTimeout ahead of
	// a write that had to wait, long past now.
	p.deadline = time.Now().Add(-time.Second)
	p.fc.setWriteDeadline(p.deadline)

	p.buf = append(p.buf, "hello"...)
	p.handOff()
	if p.broken {
		t.Fatal("the write failed on the deadline the sender left behind")
	}
	if p.inflight != nil {
		t.Fatal("5 bytes were left to the sender")
	}
	select {
	case b := <-got:
		if string(b) != "hello" {
			t.Fatalf("client read %q", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("client read nothing")
	}
	if left := time.Until(p.deadline); left < writeTimeout/2 {
		t.Fatalf("write deadline %v ahead, want at least %v", left, writeTimeout/2)
	}
}
