package runtime

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
)

func TestURLErrorsHidePasswords(t *testing.T) {
	for _, u := range []string{"ftp://user:hunter2@host/", "tcp://user:hunter2@", "unix://user:hunter2@", "ws://user:hunter2@host:99999999/%zz"} {
		_, err := dialTransport(context.Background(), u, Config{}.withDefaults())
		if err == nil {
			t.Fatalf("%s: no error", u)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error shows the password: %v", u, err)
		}
	}
	if got := redactURL("ws://user:hunter2@host/"); strings.Contains(got, "hunter2") {
		t.Errorf("redactURL = %s", got)
	}
}

func TestRawSocketLengthBit(t *testing.T) {
	// A frame of exactly 2^24 bytes sets the header's length bit and no
	// length; it is read back whole.
	client, server := netPipe(t)
	rs := &rawSocket{conn: client, bw: newBatchWriter(client, appendRawFrame), sendMax: 1 << 24, recvMax: 1 << 24}
	peer := &rawSocket{conn: server, r: bufioReader(server), sendMax: 1 << 24, recvMax: 1 << 24}
	data := make([]byte, 1<<24)
	data[0], data[len(data)-1] = 1, 2
	errc := make(chan error, 1)
	go func() { errc <- rs.Send(context.Background(), data, sendNow) }()
	got, err := peer.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1<<24 || got[0] != 1 || got[len(got)-1] != 2 {
		t.Fatalf("received %d bytes", len(got))
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func netPipe(t *testing.T) (net.Conn, net.Conn) {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func bufioReader(c net.Conn) *bufio.Reader { return bufio.NewReaderSize(c, 64<<10) }
