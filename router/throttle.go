package router

import (
	"container/list"
	"hash/maphash"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Defaults of the failed-authentication throttle (see Config).
const (
	defaultAuthFailureLimit  = 10
	defaultAuthFailureWindow = time.Minute

	// maxThrottleEntries bounds each of the throttle's two tables, the one
	// for addresses and the one for authids: an attacker who rotates
	// authids or addresses pushes out the oldest entries instead of
	// growing the table. An entry takes about 150 bytes.
	maxThrottleEntries = 10000
)

// authThrottle counts failed authentications per client address and per
// authid, within fixed windows that start at a key's first failure, and
// refuses attempts over the limit until the window has passed:
//
//   - an address with limit failures is refused, whatever authid it tries;
//   - an authid with limit failures is refused to every address that has
//     failed at least once in its window; an address with a clean record
//     may still try it, so an attacker cannot lock a user out from
//     elsewhere, and a success resets the authid. Clients without an IP
//     address (Unix socket) count as one address, localKey.
//
// An attempt counts as a failure from the moment it starts, so that
// attempts in flight on parallel connections are counted too; a success
// takes its count back. Refused attempts count nothing, so a refused
// client does not extend its own window.
type authThrottle struct {
	limit  int // < 0: no throttling
	window time.Duration
	now    func() time.Time
	seed   maphash.Seed

	mu      sync.Mutex
	addrs   failureTable[netip.Prefix]
	authids failureTable[uint64]
}

func newAuthThrottle(limit int, window time.Duration, capacity int) *authThrottle {
	return &authThrottle{
		limit:   limit,
		window:  window,
		now:     time.Now,
		seed:    maphash.MakeSeed(),
		addrs:   newFailureTable[netip.Prefix](capacity),
		authids: newFailureTable[uint64](capacity),
	}
}

// attempt is one authentication attempt admitted by the throttle.
type attempt struct {
	addr       netip.Prefix
	hasAddr    bool
	authid     uint64
	addrSince  time.Time // window of the address's entry this attempt counted in
	authidLock bool      // the attempt's failure locked its authid
	addrLock   bool      // the attempt's failure locked its address
}

// begin admits an attempt to authenticate as authid in realm from the
// client at peer (the transport's "peer" detail), counting it as a failure
// until succeeded is called. It reports false when the attempt is refused.
func (t *authThrottle) begin(realm, authid, peer string) (attempt, bool) {
	a := attempt{authid: t.authidKey(realm, authid)}
	a.addr, a.hasAddr = addrKey(peer)
	if t.limit < 0 {
		return a, true
	}
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	addrFails := 0
	if a.hasAddr {
		addrFails = t.addrs.count(a.addr, now, t.window)
		if addrFails >= t.limit {
			return a, false
		}
	}
	if t.authids.count(a.authid, now, t.window) >= t.limit && (!a.hasAddr || addrFails > 0) {
		return a, false
	}
	if a.hasAddr {
		var n int
		n, a.addrSince = t.addrs.add(a.addr, now, t.window)
		a.addrLock = n == t.limit
	}
	n, _ := t.authids.add(a.authid, now, t.window)
	a.authidLock = n == t.limit
	return a, true
}

// succeeded takes back the failure begin counted, and resets the authid.
func (t *authThrottle) succeeded(a attempt) {
	if t.limit < 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.authids.remove(a.authid)
	if a.hasAddr {
		t.addrs.undo(a.addr, a.addrSince)
	}
}

// size returns the number of entries in the address and authid tables.
func (t *authThrottle) size() (addrs, authids int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.addrs.m), len(t.authids.m)
}

// authidKey hashes realm and authid into a fixed-size key, so that a long
// authid costs the table no more than a short one.
func (t *authThrottle) authidKey(realm, authid string) uint64 {
	var h maphash.Hash
	h.SetSeed(t.seed)
	_, _ = h.WriteString(realm)
	_ = h.WriteByte(0)
	_, _ = h.WriteString(authid)
	return h.Sum64()
}

// localKey is the throttle key of the clients without an IP address (Unix
// socket clients): the unspecified IPv6 address, which no TCP client has.
// They share it, as the clients behind one proxy share its address; failures
// from TCP addresses never lock them out.
var localKey = netip.PrefixFrom(netip.IPv6Unspecified(), 128)

// addrKey returns the throttle key of a client address given as the
// transport's "peer" detail ("tcp:192.0.2.1:5000"): the IPv4 address, or
// the /64 prefix of an IPv6 address (the smallest block a host is usually
// given), and localKey for a client without an IP address. It always
// reports true.
func addrKey(peer string) (netip.Prefix, bool) {
	hostport, ok := strings.CutPrefix(peer, "tcp:")
	if !ok {
		return localKey, true
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return localKey, true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return localKey, true
	}
	ip = ip.Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, err := ip.Prefix(bits)
	return p, err == nil
}

// failureTable counts failures per key within windows, in a map bounded to
// a capacity. Its entries are listed in the order their windows started,
// which is the order they expire in: expired entries are dropped from the
// front, and when the table is full the oldest entry makes room.
type failureTable[K comparable] struct {
	capacity int
	m        map[K]*list.Element
	order    list.List // of *failureCount[K], oldest window first
}

type failureCount[K comparable] struct {
	key   K
	n     int
	since time.Time // start of the window
}

func newFailureTable[K comparable](capacity int) failureTable[K] {
	return failureTable[K]{capacity: capacity, m: map[K]*list.Element{}}
}

// count returns the failures of k in its current window.
func (f *failureTable[K]) count(k K, now time.Time, window time.Duration) int {
	e, ok := f.m[k]
	if !ok {
		return 0
	}
	c := e.Value.(*failureCount[K])
	if now.Sub(c.since) >= window {
		return 0
	}
	return c.n
}

// add counts one failure of k and returns its count and window start.
func (f *failureTable[K]) add(k K, now time.Time, window time.Duration) (int, time.Time) {
	for e := f.order.Front(); e != nil; e = f.order.Front() {
		c := e.Value.(*failureCount[K])
		if now.Sub(c.since) < window {
			break
		}
		f.order.Remove(e)
		delete(f.m, c.key)
	}
	if e, ok := f.m[k]; ok {
		c := e.Value.(*failureCount[K])
		c.n++
		return c.n, c.since
	}
	if len(f.m) >= f.capacity {
		e := f.order.Front()
		f.order.Remove(e)
		delete(f.m, e.Value.(*failureCount[K]).key)
	}
	f.m[k] = f.order.PushBack(&failureCount[K]{key: k, n: 1, since: now})
	return 1, now
}

// undo takes back one failure of k counted in the window that started at
// since.
func (f *failureTable[K]) undo(k K, since time.Time) {
	e, ok := f.m[k]
	if !ok {
		return
	}
	c := e.Value.(*failureCount[K])
	if !c.since.Equal(since) {
		return
	}
	if c.n--; c.n <= 0 {
		f.remove(k)
	}
}

func (f *failureTable[K]) remove(k K) {
	if e, ok := f.m[k]; ok {
		f.order.Remove(e)
		delete(f.m, k)
	}
}
