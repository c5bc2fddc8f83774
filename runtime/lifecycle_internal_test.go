package runtime

import (
	"fmt"
	"slices"
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

// fakeItem and fakeKind exercise lifecycle alone: fakeKind records what
// the lifecycle asks of a kind, and checks that the after functions run
// with the lifecycle's lock released.
type fakeItem struct {
	itemState
	name string
}

type fakeKind struct {
	l      *lifecycle[*fakeItem]
	events []string
}

func (k *fakeKind) record(format string, args ...any) {
	k.events = append(k.events, fmt.Sprintf(format, args...))
}

func (k *fakeKind) request(_ *conn, it *fakeItem, id wamp.ID) (wamp.Message, error) {
	return &wamp.Subscribe{Request: id, Topic: wamp.URI(it.name)}, nil
}

func (*fakeKind) answer() wamp.MessageType { return wamp.TypeSubscribed }

func (*fakeKind) standIn(it *fakeItem) *fakeItem {
	s := &fakeItem{name: it.name + "-stand-in"}
	s.dropped = true
	return s
}

func (k *fakeKind) activateLocked(it *fakeItem, id wamp.ID) {
	it.id.Store(uint64(id))
	k.record("activate %s %d", it.name, id)
}

func (k *fakeKind) unwantedLocked(_ *conn, it *fakeItem, id wamp.ID) func() {
	k.record("unwanted %s %d", it.name, id)
	return func() {
		if !k.l.mu.TryLock() {
			k.record("after ran with the lock held")
			return
		}
		k.l.mu.Unlock()
		k.record("undo %d", id)
	}
}

func (k *fakeKind) abandonLocked(_ *conn, it *fakeItem, answered bool) func() {
	k.record("abandon %s %v", it.name, answered)
	return nil
}

func (k *fakeKind) settledLocked(_ *conn, req wamp.ID, it *fakeItem) {
	k.record("settled %s %d", it.name, req)
}

func (k *fakeKind) forgetLocked() { k.record("forget") }

func newFakeLifecycle() (*lifecycle[*fakeItem], *fakeKind) {
	l := &lifecycle[*fakeItem]{}
	k := &fakeKind{l: l}
	l.init(k)
	return l, k
}

// TestLifecycleAnswers: what the read loop does with the answers to
// pending requests (activate, refused), the application's drops, and a
// lost connection, in the one lifecycle registrations and subscriptions
// share.
func TestLifecycleAnswers(t *testing.T) {
	l, k := newFakeLifecycle()
	live := &fakeItem{name: "live"}
	refused := &fakeItem{name: "refused"}
	l.pending[1] = live
	l.pending[2] = k.standIn(&fakeItem{name: "late"})
	l.pending[3] = refused

	l.activate(nil, 1, 101) // answers the request waited for
	l.activate(nil, 2, 102) // answers a request given up
	l.activate(nil, 1, 103) // answered before: ignored
	l.refused(nil, 3)
	l.refused(nil, 3) // refused before: ignored
	l.activate(nil, 9, 109)

	want := []string{
		"activate live 101", "settled live 1",
		"unwanted late-stand-in 102", "settled late-stand-in 2", "undo 102",
		"settled refused 3",
	}
	if !slices.Equal(k.events, want) {
		t.Errorf("kind saw\n%q\nwant\n%q", k.events, want)
	}
	if len(l.pending) != 0 {
		t.Errorf("still pending: %v", l.pending)
	}
	if got := l.toRestore(); !slices.Equal(got, []*fakeItem{live}) {
		t.Errorf("to restore %v, want only the activated one", got)
	}
	if got := wamp.ID(live.id.Load()); got != 101 {
		t.Errorf("ID %d, want 101", got)
	}

	// A lost connection forgets the router's IDs and the pending
	// requests, and keeps what to restore.
	l.pending[4] = &fakeItem{name: "in flight"}
	k.events = nil
	l.forgetConnection()
	if len(l.pending) != 0 || !slices.Equal(k.events, []string{"forget"}) {
		t.Errorf("after forgetConnection: pending %v, kind saw %q", l.pending, k.events)
	}
	if got := l.toRestore(); !slices.Equal(got, []*fakeItem{live}) {
		t.Errorf("to restore after a lost connection %v, want the activated one", got)
	}

	// The application drops it once; a second time it is not held.
	l.mu.Lock()
	wasDropped, held := l.releaseLocked(live)
	again, heldAgain := l.releaseLocked(live)
	l.mu.Unlock()
	if wasDropped || !held || !again || heldAgain {
		t.Errorf("release: (dropped %v, held %v), then (%v, %v); want (false, true), then (true, false)", wasDropped, held, again, heldAgain)
	}
	if got := l.toRestore(); len(got) != 0 {
		t.Errorf("to restore after the drop: %v", got)
	}

	// A dropped item's own answer (dropped during a restore) is unwanted,
	// never activated again.
	k.events = nil
	l.pending[5] = live
	l.activate(nil, 5, 105)
	if want := []string{"unwanted live 105", "settled live 5", "undo 105"}; !slices.Equal(k.events, want) {
		t.Errorf("answer for a dropped item: kind saw %q, want %q", k.events, want)
	}
	if got := l.toRestore(); len(got) != 0 {
		t.Errorf("a dropped item is to be restored: %v", got)
	}
}
