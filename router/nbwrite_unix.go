//go:build unix

package router

import (
	"errors"
	"net"
	"syscall"
)

// nonBlocking returns the means to write to c without waiting, or nil when
// c does not offer it: a TLS connection, whose records can't be written in
// part, or a wrapper that hides its file descriptor.
func nonBlocking(c net.Conn) syscall.RawConn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

// writeNonBlocking writes as much of b as the socket takes at once, and
// returns how much that was; n < len(b) with a nil error means the socket's
// send buffer is full. It never waits for the client to read.
func writeNonBlocking(raw syscall.RawConn, b []byte) (n int, err error) {
	var werr error
	err = raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, e := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			switch {
			case e == nil && m > 0:
			case errors.Is(e, syscall.EINTR):
			case errors.Is(e, syscall.EAGAIN):
				return true
			case e != nil:
				werr = e
				return true
			default: // nothing written, no error: try the blocking way
				return true
			}
		}
		return true
	})
	if err == nil {
		err = werr
	}
	return n, err
}
