package runtime

import (
	"math/bits"
	"sync"
)

// Large buffers (issue 18): a call with a 64 KiB payload allocated its
// encoded CALL (grown from a small buffer) and then its frame (the queue
// of the connection, kept only up to maxKeptBuffer) afresh every time,
// twice the payload on the send side alone. The frame buffers larger than
// maxKeptBuffer are shared here by every session instead, in power-of-two
// size classes, up to maxPooledBuffer: a sync.Pool keeps nothing for ever
// (what no one took between two garbage collections is freed), and no
// session holds a large buffer while idle. The encode buffers' pool
// (sendBuffers) keeps buffers up to maxPooledBuffer too.

const (
	// minLargeClass is the size class of the smallest pooled buffers:
	// 2^minLargeClass = 2 × maxKeptBuffer, the smallest power of two
	// above it.
	minLargeClass = 17
	// maxLargeClass is that of the largest: maxPooledBuffer.
	maxLargeClass = 22
	// maxPooledBuffer is the largest buffer the pools keep. Larger
	// messages allocate as before.
	maxPooledBuffer = 1 << maxLargeClass
)

// largeBuffers[k-minLargeClass] holds buffers whose capacity is at least
// 2^k and less than 2^(k+1) (2^maxLargeClass exactly for the last).
var largeBuffers [maxLargeClass - minLargeClass + 1]sync.Pool

// getLargeBuffer returns an empty buffer with room for at least n bytes,
// n > maxKeptBuffer: a pooled one if there is one of n's class, else a new
// one of that class's size (so that it goes back to the same class).
// Beyond maxPooledBuffer it allocates exactly n.
func getLargeBuffer(n int) []byte {
	if n > maxPooledBuffer {
		return make([]byte, 0, n)
	}
	k := max(bits.Len(uint(n-1)), minLargeClass) // 2^k >= n
	if b, ok := largeBuffers[k-minLargeClass].Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, 1<<k)
}

// putLargeBuffer hands b back to the pools, if it is large enough to be
// theirs and small enough to be kept; the caller must not use it again.
func putLargeBuffer(b []byte) {
	c := cap(b)
	if c < 1<<minLargeClass || c > maxPooledBuffer {
		return
	}
	k := bits.Len(uint(c)) - 1 // 2^k <= c < 2^(k+1)
	b = b[:0]
	largeBuffers[k-minLargeClass].Put(&b)
}

// growLarge returns b with room for n more bytes when that takes b past
// maxKeptBuffer: a pooled buffer holding b's bytes, b itself going back to
// the pools. Otherwise it returns b, which append grows as it likes.
func growLarge(b []byte, n int) []byte {
	if len(b)+n <= max(cap(b), maxKeptBuffer) {
		return b // inlined: the small message's path
	}
	return growLargeBuffer(b, n)
}

// growLargeBuffer is growLarge's pooled buffer, with room for n more bytes.
func growLargeBuffer(b []byte, n int) []byte {
	nb := append(getLargeBuffer(len(b)+n), b...)
	putLargeBuffer(b)
	return nb
}
