//go:build !unix

package router

import (
	"net"
	"syscall"
)

// nonBlocking returns nil: every batch goes to the sender goroutine.
func nonBlocking(net.Conn) syscall.RawConn { return nil }

func writeNonBlocking(syscall.RawConn, []byte) (int, error) { return 0, nil }
