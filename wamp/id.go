package wamp

import (
	"math/rand/v2"
	"strconv"
	"sync/atomic"
)

// ID identifies sessions, publications, subscriptions, registrations and
// requests. Valid IDs are integers in 1..MaxID (0 is used only where the
// specification allows it, for example router-initiated UNREGISTERED).
type ID uint64

// MaxID is the largest valid ID, 2^53: the largest integer every WAMP peer,
// including JavaScript ones, represents exactly.
const MaxID ID = 1 << 53

// Valid reports whether id is in 1..MaxID.
func (id ID) Valid() bool { return id >= 1 && id <= MaxID }

// String returns the decimal form of id.
func (id ID) String() string { return strconv.FormatUint(uint64(id), 10) }

// RandomID returns an ID drawn uniformly from 1..MaxID, as the specification
// prescribes for global-scope IDs (sessions, publications).
func RandomID() ID { return ID(rand.Uint64N(uint64(MaxID))) + 1 }

// RequestIDs generates session-scope request IDs: 1, 2, 3, … and back to 1
// after MaxID. The zero value is ready to use and safe for concurrent use.
type RequestIDs struct {
	last    atomic.Uint64
	wrapped atomic.Bool
}

// Issued reports whether id has been handed out by Next since the
// generator last wrapped around (after MaxID every ID has been).
func (g *RequestIDs) Issued(id ID) bool {
	if g.wrapped.Load() {
		return id.Valid()
	}
	return id >= 1 && uint64(id) <= g.last.Load()
}

// Next returns the next request ID.
func (g *RequestIDs) Next() ID {
	for {
		last := g.last.Load()
		next := last + 1
		if next > uint64(MaxID) {
			next = 1
		}
		if g.last.CompareAndSwap(last, next) {
			if next == 1 && last == uint64(MaxID) {
				g.wrapped.Store(true)
			}
			return ID(next)
		}
	}
}
