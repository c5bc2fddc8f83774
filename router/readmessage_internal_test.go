package router

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadMessageMatchesReadAll checks readMessage, which readFrame uses in
// place of io.ReadAll, against io.ReadAll: the same bytes for messages
// around the pooled buffer's sizes, read whole or a byte at a time, and the
// copies it returns do not share the pooled buffer.
func TestReadMessageMatchesReadAll(t *testing.T) {
	var got [][]byte
	var want [][]byte
	for _, n := range []int{0, 1, 511, 512, 4095, 4096, 4097, 70 << 10, maxKeptBuffer, maxKeptBuffer + 1} {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(i*7 + n)
		}
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = bytes.NewReader(msg)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			b, err := readMessage(r)
			if err != nil {
				t.Fatalf("%d bytes (one at a time %v): %v", n, oneByte, err)
			}
			if b == nil || !bytes.Equal(b, msg) {
				t.Fatalf("%d bytes (one at a time %v): got %d bytes, not the message", n, oneByte, len(b))
			}
			got, want = append(got, b), append(want, msg)
		}
	}
	// Later reads reuse the pooled buffers: what was returned before must
	// be intact.
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("message %d (%d bytes) changed by later reads", i, len(want[i]))
		}
	}
}

// TestReadMessageError: a read error other than io.EOF is returned, with no
// message.
func TestReadMessageError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader(make([]byte, 5000)), iotest.ErrReader(boom))
	b, err := readMessage(r)
	if !errors.Is(err, boom) || b != nil {
		t.Fatalf("got %d bytes, err %v; want none and %v", len(b), err, boom)
	}
	// TimeoutReader fails the second read, after the bytes: readMessage
	// must not take that for the message's end.
	b, err = readMessage(iotest.TimeoutReader(bytes.NewReader([]byte("abc"))))
	if !errors.Is(err, iotest.ErrTimeout) || b != nil {
		t.Fatalf("got %q, err %v; want nothing and %v", b, err, iotest.ErrTimeout)
	}
}
