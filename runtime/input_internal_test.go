package runtime

import (
	"errors"
	goruntime "runtime"
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

// cost is what a chunk that arrived in a message of size bytes counts.
func cost(size int) int { return size + inputChunkOverhead }

// testBudget is a session budget that does not bind.
func testBudget() *inputBudget { return &inputBudget{max: 1 << 40} }

// TestInputQueueBounds: the queue holds at most maxChunks chunks and
// maxBytes bytes, each chunk counting its message's size plus
// inputChunkOverhead (a chunk larger than that only into an empty queue);
// the chunk that does not fit ends the input with ErrInputOverflow, drops
// what was queued, and nothing is queued after it, nor after the last
// chunk.
func TestInputQueueBounds(t *testing.T) {
	t.Run("chunks", func(t *testing.T) {
		b := testBudget()
		q := newInputQueue(3, 1<<20, b)
		for i := range 3 {
			if !q.push(InputChunk{Args: wamp.ArgsOf(i)}, 10) {
				t.Fatalf("chunk %d refused, the queue holds 3", i)
			}
		}
		if q.push(InputChunk{Args: wamp.ArgsOf(3)}, 10) {
			t.Fatal("a fourth chunk fitted a queue of 3")
		}
		if !errors.Is(q.failed(), ErrInputOverflow) {
			t.Fatalf("failed = %v, want ErrInputOverflow", q.failed())
		}
		if !q.push(InputChunk{Args: wamp.ArgsOf(4)}, 10) || q.n != 0 {
			t.Fatalf("a chunk after the overflow: %d queued, want it ignored", q.n)
		}
		if _, ok, err := q.next(); ok || !errors.Is(err, ErrInputOverflow) {
			t.Fatalf("next after overflow = %v, %v; want the overflow at once", ok, err)
		}
		if u := b.used.Load(); u != 0 {
			t.Errorf("%d bytes of the session's budget held after the overflow dropped the queue", u)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		q := newInputQueue(100, cost(100)*3, testBudget())
		if !q.push(InputChunk{}, 10*cost(100)) {
			t.Fatal("a large chunk refused by an empty queue")
		}
		if q.push(InputChunk{}, 1) {
			t.Fatal("a chunk fitted a queue over its bytes")
		}
		q = newInputQueue(100, cost(100)*3, testBudget())
		for i := range 3 {
			if !q.push(InputChunk{}, 100) {
				t.Fatalf("chunk %d of 3 refused by a queue of 3 × its cost", i)
			}
		}
		if q.push(InputChunk{}, 0) {
			t.Fatal("an empty chunk fitted a full queue: a chunk costs its overhead too")
		}
	})
	t.Run("reading makes room", func(t *testing.T) {
		b := testBudget()
		q := newInputQueue(2, cost(50)*2, b)
		for i := range 1000 {
			if !q.push(InputChunk{Args: wamp.ArgsOf(i)}, 50) {
				t.Fatalf("chunk %d refused, though each was read", i)
			}
			ch, ok, err := q.next()
			if !ok || err != nil {
				t.Fatalf("next = %v, %v", ok, err)
			}
			var v []int
			if err := ch.Args.Decode(&v); err != nil || v[0] != i {
				t.Fatalf("chunk %d is %v (%v)", i, v, err)
			}
			if q.bytes != 0 || b.used.Load() != 0 {
				t.Fatalf("%d bytes counted in an empty queue, %d in the session's budget", q.bytes, b.used.Load())
			}
		}
		if len(q.ring) > minRingSize {
			t.Errorf("the queue's ring grew to %d for at most 1 chunk at a time", len(q.ring))
		}
	})
	t.Run("never empty", func(t *testing.T) {
		// A handler always a few chunks behind: the queue never empties,
		// and its ring stays the size of what it holds, in order.
		q := newInputQueue(100, 1<<20, testBudget())
		next := 0
		for i := range 100_000 {
			q.push(InputChunk{Args: wamp.ArgsOf(i)}, 1)
			if i < 5 {
				continue
			}
			ch, ok, err := q.next()
			var v []int
			if !ok || err != nil || ch.Args.Decode(&v) != nil || v[0] != next {
				t.Fatalf("next = %v, %v, %v; want chunk %d", v, ok, err, next)
			}
			next++
		}
		if q.n != 5 || len(q.ring) > minRingSize {
			t.Errorf("%d chunks in a ring of %d, want 5 in at most %d", q.n, len(q.ring), minRingSize)
		}
	})
	t.Run("idle ring let go", func(t *testing.T) {
		q := newInputQueue(1<<20, 1<<30, testBudget())
		for range 4 * maxIdleRing {
			q.push(InputChunk{}, 1)
		}
		for range 4 * maxIdleRing {
			q.next()
		}
		if q.ring != nil {
			t.Errorf("an empty queue keeps a ring of %d after a burst", len(q.ring))
		}
	})
	t.Run("last", func(t *testing.T) {
		q := newInputQueue(10, 1<<20, testBudget())
		q.push(InputChunk{Last: true}, 1)
		if !q.complete() || q.open() {
			t.Fatal("the input is not complete after its last chunk")
		}
		q.push(InputChunk{}, 1)
		if q.n != 1 {
			t.Fatalf("%d chunks queued, want the one before the end", q.n)
		}
	})
}

// TestInputSessionBudget: the queues of one session share its budget: a
// chunk beyond it overflows the queue it was for, and only that one;
// what is read, dropped (an overflow, a failure) or discarded (the handler
// returned) goes back to the budget.
func TestInputSessionBudget(t *testing.T) {
	b := &inputBudget{max: int64(4 * cost(100))}
	q1 := newInputQueue(100, 1<<20, b)
	q2 := newInputQueue(100, 1<<20, b)
	q3 := newInputQueue(100, 1<<20, b)
	for range 2 {
		if !q1.push(InputChunk{}, 100) || !q2.push(InputChunk{}, 100) {
			t.Fatal("a chunk within the session's budget refused")
		}
	}
	if q3.push(InputChunk{}, 100) {
		t.Fatal("a chunk beyond the session's budget fitted")
	}
	if err := q3.failed(); !errors.Is(err, ErrInputOverflow) {
		t.Fatalf("the queue over the budget failed with %v, want ErrInputOverflow", err)
	}
	if !q1.open() || !q2.open() {
		t.Fatal("the other queues ended with the one over the budget")
	}
	if _, ok, _ := q1.next(); !ok {
		t.Fatal("q1 lost its chunks")
	}
	if !q2.push(InputChunk{}, 100) {
		t.Fatal("a chunk refused after another was read")
	}
	q2.fail(errors.New("a chunk that cannot be read"))
	if got, want := b.used.Load(), int64(cost(100)); got != want {
		t.Fatalf("the budget holds %d bytes after q2 failed, want q1's one chunk, %d", got, want)
	}
	q1.discard()
	if u := b.used.Load(); u != 0 {
		t.Fatalf("the budget holds %d bytes once every queue is read, failed or discarded", u)
	}
	if _, _, err := q1.next(); err == nil {
		t.Error("an Input read after its handler returned ends without an error")
	}
	if !q1.push(InputChunk{}, 100) || q1.n != 0 || b.used.Load() != 0 {
		t.Error("a chunk pushed after the handler returned was queued")
	}
	// A chunk larger than the whole budget, into a session with nothing
	// queued.
	if q := newInputQueue(100, 1<<30, b); !q.push(InputChunk{}, 10*cost(100)) {
		t.Error("a chunk larger than the budget refused by a session with nothing queued")
	}
}

// TestInputChunkCost measures what a queued chunk of streamed input
// costs in heap, as the read loop queues it: its INVOCATION message in a
// buffer of its own (as the transports return it), decoded, the chunk's
// payloads parts of that buffer. What it costs beyond the message's size
// must not exceed inputChunkOverhead, which the queue bounds count per
// chunk. It measures a queue whose ring has just doubled (half empty),
// the worst case.
func TestInputChunkCost(t *testing.T) {
	const n = 1<<14 + 1
	for _, ser := range []*wamp.Serializer{wamp.JSON, wamp.MsgPack, wamp.CBOR} {
		t.Run(ser.Name(), func(t *testing.T) {
			frames := make([][]byte, n)
			sizes := 0
			for i := range frames {
				b, err := ser.Encode(&wamp.Invocation{Request: wamp.ID(1 << 40), Registration: wamp.ID(1 << 40),
					Details: wamp.Dict{wamp.OptProgress: true}, Args: wamp.ArgsOf(float64(i) + 0.5)})
				if err != nil {
					t.Fatal(err)
				}
				frames[i] = b
				sizes += len(b)
			}
			q := newInputQueue(n, 1<<30, testBudget())
			var before, after goruntime.MemStats
			goruntime.GC()
			goruntime.ReadMemStats(&before)
			for i, f := range frames {
				data := make([]byte, len(f)) // what Recv returns
				copy(data, f)
				m, err := ser.Decode(data)
				if err != nil {
					t.Fatal(err)
				}
				inv := m.(*wamp.Invocation)
				if !q.push(InputChunk{Args: inv.Args, Kwargs: inv.Kwargs}, len(data)) {
					t.Fatalf("chunk %d refused", i)
				}
			}
			goruntime.GC()
			goruntime.ReadMemStats(&after)
			if q.n != n || len(q.ring) != 2*(n-1) {
				t.Fatalf("%d chunks in a ring of %d, want %d in %d", q.n, len(q.ring), n, 2*(n-1))
			}
			// Read back, so that the chunks are alive and whole.
			for i := range n {
				ch, ok, err := q.next()
				var v []float64
				if !ok || err != nil || ch.Args.Decode(&v) != nil || v[0] != float64(i)+0.5 {
					t.Fatalf("chunk %d: %v %v %v", i, v, ok, err)
				}
			}
			goruntime.KeepAlive(q)
			goruntime.KeepAlive(frames) // alive throughout: not counted
			heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
			over := float64(heap-int64(sizes)) / n
			t.Logf("%s: %d-byte messages; %.0f bytes of heap per queued chunk, %.0f beyond its message (inputChunkOverhead %d)",
				ser.Name(), sizes/n, float64(heap)/n, over, inputChunkOverhead)
			if over > inputChunkOverhead {
				t.Errorf("a queued chunk costs %.0f bytes beyond its message, inputChunkOverhead counts %d", over, inputChunkOverhead)
			}
			if over < inputChunkOverhead/4 {
				t.Errorf("a queued chunk costs %.0f bytes beyond its message: inputChunkOverhead (%d) is far too high", over, inputChunkOverhead)
			}
		})
	}
}

// TestLateInputsBounded: the late request IDs a connection remembers are
// bounded; the oldest go first.
func TestLateInputsBounded(t *testing.T) {
	var l lateInputs
	for i := range maxLateInputs + 10 {
		l.add(wamp.ID(i + 1))
	}
	if l.set.Len() != maxLateInputs {
		t.Fatalf("%d remembered, the bound is %d", l.set.Len(), maxLateInputs)
	}
	if l.has(1) || !l.has(maxLateInputs+10) {
		t.Error("the oldest should go first")
	}
	l.forget(maxLateInputs + 10)
	if l.has(maxLateInputs + 10) {
		t.Error("forget did not forget")
	}
}

// TestInputConfigDefaults: 0 means the default for the three input
// bounds; by default the chunk bound is what the byte bound allows at the
// least a chunk costs, so that only the bytes count; set fields are kept.
func TestInputConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.InputQueueBytes != defaultInputQueueBytes || c.InputSessionBytes != defaultInputSessionBytes ||
		c.InputQueue != defaultInputQueueBytes/inputChunkOverhead {
		t.Errorf("defaults: InputQueue %d, InputQueueBytes %d, InputSessionBytes %d", c.InputQueue, c.InputQueueBytes, c.InputSessionBytes)
	}
	c = Config{InputQueueBytes: 10 * inputChunkOverhead}.withDefaults()
	if c.InputQueue != 10 {
		t.Errorf("InputQueue derived from InputQueueBytes %d: %d, want 10", c.InputQueueBytes, c.InputQueue)
	}
	c = Config{InputQueue: 7, InputQueueBytes: 100, InputSessionBytes: 1000}.withDefaults()
	if c.InputQueue != 7 || c.InputQueueBytes != 100 || c.InputSessionBytes != 1000 {
		t.Errorf("set fields changed: InputQueue %d, InputQueueBytes %d, InputSessionBytes %d", c.InputQueue, c.InputQueueBytes, c.InputSessionBytes)
	}
}
