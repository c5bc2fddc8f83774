package runtime

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// TestClientFrame parses what Send writes: a final frame of the opcode,
// masked, with the payload length in the shortest of its three forms.
func TestClientFrame(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 125, 126, 127, 65535, 65536, 70000} {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(i * 7)
		}
		f := appendClientFrame([]byte("old"), 2, p)[3:]
		if f[0] != 0x82 || f[1]&0x80 == 0 {
			t.Fatalf("n=%d: header %x", n, f[:2])
		}
		l, i := int(f[1]&0x7f), 2
		switch {
		case n > 0xffff:
			if l != 127 {
				t.Fatalf("n=%d: length code %d", n, l)
			}
			l, i = int(binary.BigEndian.Uint64(f[2:])), 10
		case n > 125:
			if l != 126 {
				t.Fatalf("n=%d: length code %d", n, l)
			}
			l, i = int(binary.BigEndian.Uint16(f[2:])), 4
		}
		key := f[i : i+4]
		got := append([]byte(nil), f[i+4:]...)
		for j := range got {
			got[j] ^= key[j%4]
		}
		if l != n || len(got) != n || !bytes.Equal(got, p) {
			t.Errorf("n=%d: length %d, %d payload bytes, equal %v", n, l, len(got), bytes.Equal(got, p))
		}
	}
}
