package runtime_test

import (
	"context"
	"fmt"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// TestEventFloodHeapBounded: another session publishes, as fast as it
// can, far more than a subscription's byte bound into a subscriber whose
// handler is blocked. The subscriber keeps at most the bound (plus one
// event) in memory: the heap after the flood is within a few bounds of
// the heap before it, though the flood is 12 times the bound; the rest is
// counted as Dropped.
func TestEventFloodHeapBounded(t *testing.T) {
	checkNoLeakedGoroutines(t)
	url := newPubSubRouter(t)
	const maxBytes, payload, flood = 2 << 20, 64 << 10, 400 // 25 MiB in all
	sess := dialT(t, url, runtime.Config{EventQueueBytes: maxBytes})
	attacker := dialT(t, url, runtime.Config{})
	const topic, marker = "com.test.flood", "com.test.flood.marker"
	release := make(chan struct{})
	blocked := make(chan struct{}, 1)
	slow := subscribeT(t, sess, topic, func(ctx context.Context, ev *runtime.Event) error {
		select {
		case blocked <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	})
	defer close(release)
	markers := newEventLog()
	subscribeT(t, sess, marker, markers.handler)

	publishAck(t, attacker, topic, "first")
	recvT(t, blocked, "the blocked handler")
	heapAlloc := func() uint64 {
		goruntime.GC()
		var ms goruntime.MemStats
		goruntime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heapAlloc()
	pad := strings.Repeat("x", payload)
	for i := range flood {
		// Not acknowledged: as fast as the connection takes them.
		if _, err := attacker.Publish(testCtx(t), topic, wamp.ArgsOf(fmt.Sprintf("e%d %s", i, pad)), wamp.Payload{}); err != nil {
			t.Fatal(err)
		}
	}
	// The router handles a session's messages in order, and sends the
	// subscriber its events in order: once the marker is handled, every
	// event of the flood was queued or dropped.
	publishAck(t, attacker, marker, "marker")
	markers.next(t)
	after := heapAlloc()
	st := slow.Stats()
	queued := flood - int(st.Dropped)
	t.Logf("heap %d → %d bytes; %d queued, stats %+v", before, after, queued, st)
	if queued < 1 || queued*payload > maxBytes {
		t.Errorf("%d events of %d bytes queued under a %d-byte bound (stats %+v)", queued, payload, maxBytes, st)
	}
	if after > before && after-before > 4*maxBytes {
		t.Errorf("the heap grew by %d bytes over a flood of %d bytes, with a %d-byte bound", after-before, flood*payload, maxBytes)
	}
}
