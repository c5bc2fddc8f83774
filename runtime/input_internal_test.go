package runtime

import (
	"errors"
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

// TestInputQueueBounds: the queue holds at most maxChunks chunks and
// maxBytes bytes (a chunk larger than that only into an empty queue); the
// chunk that does not fit ends the input with ErrInputOverflow, and
// nothing is queued after it, nor after the last chunk.
func TestInputQueueBounds(t *testing.T) {
	t.Run("chunks", func(t *testing.T) {
		q := newInputQueue(3, 1<<20)
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
		if !q.push(InputChunk{Args: wamp.ArgsOf(4)}, 10) || len(q.chunks)-q.head != 3 {
			t.Fatalf("a chunk after the overflow: %d queued, want it ignored", len(q.chunks)-q.head)
		}
		if _, ok, err := q.next(); ok || !errors.Is(err, ErrInputOverflow) {
			t.Fatalf("next after overflow = %v, %v; want the overflow at once", ok, err)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		q := newInputQueue(100, 100)
		if !q.push(InputChunk{}, 500) {
			t.Fatal("a large chunk refused by an empty queue")
		}
		if q.push(InputChunk{}, 1) {
			t.Fatal("a chunk fitted a queue over its bytes")
		}
	})
	t.Run("reading makes room", func(t *testing.T) {
		q := newInputQueue(2, 100)
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
			if q.bytes != 0 {
				t.Fatalf("%d bytes counted in an empty queue", q.bytes)
			}
		}
		if cap(q.chunks) > 4 {
			t.Errorf("the queue's array grew to %d for at most 1 chunk at a time", cap(q.chunks))
		}
	})
	t.Run("last", func(t *testing.T) {
		q := newInputQueue(10, 100)
		q.push(InputChunk{Last: true}, 1)
		if !q.complete() || q.open() {
			t.Fatal("the input is not complete after its last chunk")
		}
		q.push(InputChunk{}, 1)
		if n := len(q.chunks) - q.head; n != 1 {
			t.Fatalf("%d chunks queued, want the one before the end", n)
		}
	})
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
