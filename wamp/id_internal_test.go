package wamp

import (
	"sync"
	"testing"
)

// TestRequestIDsWrap sets the counter next to the end of the range: after
// MaxID comes 1, never 0 and never MaxID+1.
func TestRequestIDsWrap(t *testing.T) {
	var g RequestIDs
	g.last.Store(uint64(MaxID) - 2)
	for _, want := range []ID{MaxID - 1, MaxID, 1, 2} {
		if got := g.Next(); got != want {
			t.Fatalf("Next() = %d, want %d", got, want)
		}
	}
}

// TestRequestIDsWrapConcurrent wraps while many goroutines draw IDs: all are
// valid and none repeats within one turn of the range.
func TestRequestIDsWrapConcurrent(t *testing.T) {
	var g RequestIDs
	g.last.Store(uint64(MaxID) - 500)
	var mu sync.Mutex
	seen := map[ID]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 250 {
				id := g.Next()
				mu.Lock()
				if !id.Valid() || seen[id] {
					t.Errorf("ID %d invalid or repeated", id)
				}
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for id := MaxID - 499; id <= MaxID; id++ {
		if !seen[id] {
			t.Fatalf("ID %d skipped before the wrap", id)
		}
	}
	for id := ID(1); id <= 1500; id++ {
		if !seen[id] {
			t.Fatalf("ID %d skipped after the wrap", id)
		}
	}
}
