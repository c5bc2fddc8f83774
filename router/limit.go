package router

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	// defaultMaxConnections is Config.MaxConnections unless the process's
	// open-file limit calls for fewer (see defaultConnectionCap).
	defaultMaxConnections = 1000

	// defaultIdleTimeout is Config.IdleTimeout when zero.
	defaultIdleTimeout = 30 * time.Second

	// maxHeaderBytes bounds the request headers the router's HTTP server
	// reads (net/http's default is 1 MiB). A WebSocket upgrade request,
	// cookies included, is far smaller.
	maxHeaderBytes = 16 << 10

	// maxRefusing bounds the connections being turned away at once over
	// the cap; past it, a connection is closed without an answer.
	maxRefusing = 64

	// refuseTimeout bounds how long turning one connection away takes: the
	// answer is written, then the router waits that long at most for the
	// client to close, so that the answer is not lost to a reset.
	refuseTimeout = time.Second
)

// refusalHTTP is what an HTTP client over the cap reads.
const refusalHTTP = "HTTP/1.1 503 Service Unavailable\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Length: 38\r\n" +
	"Retry-After: 1\r\n" +
	"Connection: close\r\n\r\n" +
	"WAMP router: connection limit reached\n"

// refusalRawSocket is the RawSocket handshake error reply "maximum
// connection count reached" (error code 4).
var refusalRawSocket = []byte{rsMagic, 4 << 4, 0, 0}

// connLimiter counts the connections the router holds against
// Config.MaxConnections: all those its listeners accept, and the WebSocket
// connections Handler upgrades on other servers.
type connLimiter struct {
	max      int64 // < 0: no cap
	n        atomic.Int64
	perAddr  int // connections from one address at most (see addrOf); < 0: no cap
	addrMu   sync.Mutex
	addrs    map[netip.Prefix]int // connections held by each address
	refusing chan struct{}        // one token per refusal in progress
	refusals sync.WaitGroup
	refused  atomic.Int64 // refusals since the last warning
	warned   atomic.Int64 // unix nanoseconds of the last warning
	// The same for refusals over the cap per address.
	addrRefused, addrWarned atomic.Int64
	log                     *slog.Logger
}

func newConnLimiter(max, perAddr int, log *slog.Logger) *connLimiter {
	return &connLimiter{max: int64(max), perAddr: perAddr, addrs: map[netip.Prefix]int{},
		refusing: make(chan struct{}, maxRefusing), log: log}
}

// addrOf returns the key under which a client's connections count against
// the cap per address: its IPv4 address, or the /64 of its IPv6 address,
// as the authentication throttle keys them. A loopback client (a reverse
// proxy on the same host, or the program's own tests) or a Unix socket
// client is not capped per address: false.
func addrOf(a netip.AddrPort) (netip.Prefix, bool) {
	ip := a.Addr().Unmap()
	if !ip.IsValid() || ip.IsLoopback() {
		return netip.Prefix{}, false
	}
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, err := ip.Prefix(bits)
	return p, err == nil
}

// remoteAddrPort returns the address of a connection's client, if it has
// an IP address.
func remoteAddrPort(c net.Conn) netip.AddrPort {
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return ta.AddrPort()
	}
	return netip.AddrPort{}
}

// acquire takes a slot for a client at addr (the zero AddrPort for one
// without an IP address), and reports false when all are taken, or all
// those of its address; release gives it back.
func (l *connLimiter) acquire(addr netip.AddrPort) (release func(), ok bool) {
	key, perAddr := addrOf(addr)
	perAddr = perAddr && l.perAddr >= 0
	if perAddr {
		l.addrMu.Lock()
		if l.addrs[key] >= l.perAddr {
			l.addrMu.Unlock()
			l.addrFull(key)
			return nil, false
		}
		l.addrs[key]++
		l.addrMu.Unlock()
	}
	if !l.take() {
		if perAddr {
			l.releaseAddr(key)
		}
		return nil, false
	}
	return func() {
		if l.max >= 0 {
			l.n.Add(-1)
		}
		if perAddr {
			l.releaseAddr(key)
		}
	}, true
}

// take takes one of the MaxConnections slots.
func (l *connLimiter) take() bool {
	if l.max < 0 {
		return true
	}
	for {
		n := l.n.Load()
		if n >= l.max {
			l.full()
			return false
		}
		if l.n.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (l *connLimiter) releaseAddr(key netip.Prefix) {
	l.addrMu.Lock()
	defer l.addrMu.Unlock()
	if l.addrs[key]--; l.addrs[key] <= 0 {
		delete(l.addrs, key)
	}
}

// full counts a refusal over MaxConnections, and logs a warning at most
// once a minute.
func (l *connLimiter) full() {
	if refused, ok := warnOncePerMinute(&l.refused, &l.warned); ok {
		l.log.Warn("router: connection limit reached, refusing connections", "max_connections", l.max, "refused", refused)
	}
}

// addrFull counts a refusal over MaxConnectionsPerAddress, and logs a
// warning at most once a minute, apart from full's.
func (l *connLimiter) addrFull(key netip.Prefix) {
	if refused, ok := warnOncePerMinute(&l.addrRefused, &l.addrWarned); ok {
		l.log.Warn("router: connection limit per address reached, refusing its connections",
			"address", key.String(), "max_connections_per_address", l.perAddr, "refused", refused)
	}
}

// warnOncePerMinute counts one in refused, and reports whether a warning is
// due (none in the last minute, per warned) and the count it reports.
func warnOncePerMinute(refused, warned *atomic.Int64) (int64, bool) {
	n := refused.Add(1)
	now := time.Now().UnixNano()
	last := warned.Load()
	if now-last < int64(time.Minute) || !warned.CompareAndSwap(last, now) {
		return 0, false
	}
	refused.Add(-n)
	return n, true
}

// refuse turns c away with answer (nil: none) on a goroutine of its own,
// or closes it at once when maxRefusing refusals are already in progress.
func (l *connLimiter) refuse(c net.Conn, answer []byte) {
	if answer == nil {
		_ = c.Close()
		return
	}
	select {
	case l.refusing <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	l.refusals.Go(func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(refuseTimeout))
		if _, err := c.Write(answer); err != nil {
			return
		}
		// Closing with the client's request unread would reset the
		// connection, which can destroy the answer before the client
		// reads it: half-close, and let the client close first.
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(c, 64<<10))
	})
}

// listen wraps ln so that it hands out only connections within the cap
// and turns away the others with answer (nil: closed without one). It
// keeps accepting while full, so that connections are refused at once
// instead of piling up in the kernel's backlog.
func (l *connLimiter) listen(ln net.Listener, answer []byte) net.Listener {
	return &limitListener{Listener: ln, lim: l, answer: answer}
}

type limitListener struct {
	net.Listener
	lim    *connLimiter
	answer []byte
}

func (ln *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if release, ok := ln.lim.acquire(remoteAddrPort(c)); ok {
			return &countedConn{Conn: c, release: release}, nil
		}
		ln.lim.refuse(c, ln.answer)
	}
}

// countedConn is a connection that holds a slot until it is closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite half-closes the connection, as net/http does before closing
// a connection it will not read to the end.
func (c *countedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// SyscallConn hands on the connection's socket, so that the peer's writer
// can write to it without waiting (see nonBlocking), as it does to a
// connection that is not counted.
func (c *countedConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errors.ErrUnsupported
}

// countedKey marks the context of the requests of a router's own HTTP
// server, whose connections hold a slot already. Its value is the
// limiter the slot is held with.
type countedKey struct{}

// markCounted is the ConnContext of the router's HTTP server.
func (l *connLimiter) markCounted(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, countedKey{}, l)
}

// counted reports whether the request's connection holds a slot of l.
func (l *connLimiter) counted(ctx context.Context) bool {
	v, _ := ctx.Value(countedKey{}).(*connLimiter)
	return v == l
}
