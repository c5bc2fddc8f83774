package wamp_test

import (
	"sync"
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

func TestRequestIDsSequence(t *testing.T) {
	var g wamp.RequestIDs
	for want := wamp.ID(1); want <= 1000; want++ {
		if got := g.Next(); got != want {
			t.Fatalf("Next() = %d, want %d", got, want)
		}
	}
}

// TestRequestIDsConcurrent draws IDs from many goroutines (run with -race):
// every ID is handed out once, and together they are exactly 1..n.
func TestRequestIDsConcurrent(t *testing.T) {
	const workers, each = 16, 2000
	var g wamp.RequestIDs
	ids := make([][]wamp.ID, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				ids[w] = append(ids[w], g.Next())
			}
		})
	}
	wg.Wait()
	seen := make(map[wamp.ID]bool, workers*each)
	for _, l := range ids {
		for i, id := range l {
			if seen[id] {
				t.Fatalf("ID %d handed out twice", id)
			}
			seen[id] = true
			if i > 0 && id <= l[i-1] {
				t.Fatalf("IDs of one goroutine not increasing: %d after %d", id, l[i-1])
			}
		}
	}
	for id := wamp.ID(1); id <= workers*each; id++ {
		if !seen[id] {
			t.Fatalf("ID %d never handed out", id)
		}
	}
}

func TestRandomID(t *testing.T) {
	seen := map[wamp.ID]bool{}
	high := false
	for range 10000 {
		id := wamp.RandomID()
		if !id.Valid() {
			t.Fatalf("RandomID() = %d, outside 1..2^53", id)
		}
		if id > wamp.MaxID/2 {
			high = true
		}
		seen[id] = true
	}
	if len(seen) < 9990 || !high {
		t.Errorf("RandomID is not spread over 1..2^53: %d distinct of 10000, any above 2^52: %v", len(seen), high)
	}
}

func TestIDValidAndString(t *testing.T) {
	for id, valid := range map[wamp.ID]bool{0: false, 1: true, wamp.MaxID - 1: true, wamp.MaxID: true, wamp.MaxID + 1: false, 1<<64 - 1: false} {
		if id.Valid() != valid {
			t.Errorf("ID(%d).Valid() = %v", id, !valid)
		}
	}
	if wamp.MaxID != 9007199254740992 {
		t.Errorf("MaxID = %d, want 2^53", wamp.MaxID)
	}
	if s := wamp.MaxID.String(); s != "9007199254740992" {
		t.Errorf("MaxID.String() = %q", s)
	}
	if s := wamp.ID(0).String(); s != "0" {
		t.Errorf("ID(0).String() = %q", s)
	}
}
