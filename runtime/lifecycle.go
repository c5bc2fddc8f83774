package runtime

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/wampgen/wampgen/wamp"
)

// A registration and a subscription live the same life, written once
// here as lifecycle:
//
//   - Register or Subscribe sends REGISTER or SUBSCRIBE, the request
//     pending (lifecycle.pending) before it is sent, and waits for the
//     answer (lifecycle.makeOn).
//   - The read loop activates it when REGISTERED or SUBSCRIBED arrives,
//     before it reads on, so that an INVOCATION or EVENT the router sends
//     right after finds its handler (lifecycle.activate). From then on a
//     reconnect makes it again (lifecycle.restore).
//   - An ERROR refuses it: it made nothing (lifecycle.refused).
//   - The session may stop waiting (its context ended, or no answer within
//     ResponseTimeout) while the answer may still come: a dropped stand-in
//     stays pending in its place, and what the late answer made at the
//     router is unwanted and undone.
//   - The application drops it (Unregister, Unsubscribe), or the router
//     revokes it: it is never restored (itemState.dropped).
//   - A lost connection takes every router ID with it; the restore set
//     stays, for the reconnect (lifecycle.forgetConnection,
//     lifecycle.toRestore).
//
// What differs is the kind's (itemKind): a registration serves alone and
// an unwanted one is unregistered at once; several handlers may share one
// router subscription, and an unwanted one waits for the SUBSCRIBEs that
// may get it back (see settleUnwantedLocked).

// item is what a REGISTER or a SUBSCRIBE makes: a *Registration or a
// *Subscription.
type item interface {
	comparable
	state() *itemState
}

// itemState is the part of a Registration or a Subscription that its
// lifecycle keeps.
type itemState struct {
	// id is the router's ID for it on the current connection. It is
	// written under the lifecycle's mu, and read without it (ID).
	id atomic.Uint64
	// dropped says that the application dropped it or the router revoked
	// it: it is never restored. Guarded by the lifecycle's mu.
	dropped bool
}

func (st *itemState) state() *itemState { return st }

// itemKind is what differs between registrations and subscriptions. The
// methods whose names end in Locked run with the lifecycle's mu held; c is
// the connection concerned, nil if there is none.
type itemKind[T item] interface {
	// request returns the REGISTER or SUBSCRIBE for it, of request id,
	// with the options c's router announced features for (see
	// features.go); without a connection, the options as they are.
	request(c *conn, it T, id wamp.ID) (wamp.Message, error)
	// answer is the type of the answer that made it: REGISTERED or
	// SUBSCRIBED.
	answer() wamp.MessageType
	// standIn returns a dropped copy of it, which waits for the answer to
	// a request given up.
	standIn(it T) T
	// activateLocked makes it serve under the router's id.
	activateLocked(it T, id wamp.ID)
	// unwantedLocked takes note that an answer for it, dropped, made id
	// at the router on c, and returns what to do about it once mu is
	// released (nil: nothing).
	unwantedLocked(c *conn, it T, id wamp.ID) (after func())
	// abandonLocked takes it out of service on c after its request
	// failed. answered says that the answer came and activated it as the
	// request failed, so that what the router made is unwanted. It returns
	// what to do once mu is released (nil: nothing).
	abandonLocked(c *conn, it T, answered bool) (after func())
	// settledLocked is called once request req for it is no longer
	// pending: answered, refused, failed, or given up and its stand-in
	// answered.
	settledLocked(c *conn, req wamp.ID, it T)
	// forgetLocked forgets the router IDs of the connection that is gone.
	forgetLocked()
}

// lifecycle is the state of the session's registrations or its
// subscriptions that is common to both: the pending requests and what a
// reconnect restores. mu guards them, the kind's state (its own fields,
// next to the lifecycle) and the itemStates.
type lifecycle[T item] struct {
	mu sync.Mutex
	// pending holds the REGISTER or SUBSCRIBE requests awaiting their
	// answer, by request ID: those waited for, and the dropped stand-ins
	// of those given up.
	pending map[wamp.ID]T
	// restore holds what a reconnect makes again: every one the
	// application holds.
	restore map[T]struct{}
	kind    itemKind[T]
}

func (l *lifecycle[T]) init(kind itemKind[T]) {
	l.pending = map[wamp.ID]T{}
	l.restore = map[T]struct{}{}
	l.kind = kind
}

// makeOn sends the REGISTER or SUBSCRIBE for it on the current connection
// and waits for the answer, which the read loop hands to activate first.
// On failure it is out of service on this connection; whether the
// application still holds it is for the caller to decide (drop).
func (l *lifecycle[T]) makeOn(s *Session, ctx context.Context, it T) error {
	id, ch, err := s.begin()
	if err != nil {
		return err
	}
	msg, err := l.kind.request(s.cur.Load(), it, id)
	if err != nil {
		s.forgetRequest(id)
		return err
	}
	// Once Shutdown began, nothing new is made: it drops what is
	// pending under mu (see Session.stopServing), so a request is either
	// refused here or dropped there.
	l.mu.Lock()
	if s.drain.began.Load() {
		l.mu.Unlock()
		s.forgetRequest(id)
		return ErrShuttingDown
	}
	l.pending[id] = it
	l.mu.Unlock()
	reply, gaveUp, err := s.requestMaking(ctx, id, ch, msg)
	if err == nil && reply.Type() != l.kind.answer() {
		err = fmt.Errorf("router answered %s", reply.Type())
	}
	if err == nil {
		if s.drain.began.Load() {
			// Made as Shutdown began, which dropped it: it does not
			// serve, and Shutdown or activate undoes it at the router.
			l.mu.Lock()
			dropped := it.state().dropped
			l.mu.Unlock()
			if dropped {
				return ErrShuttingDown
			}
		}
		return nil
	}
	// If the session gave up before the answer came, it may still come: a
	// dropped stand-in stays pending, and activate undoes what the router
	// made. If it came just as the session gave up (the read loop
	// activated it), abandonLocked undoes it.
	l.mu.Lock()
	_, pending := l.pending[id]
	delete(l.pending, id)
	standIn := pending && gaveUp
	if standIn {
		l.pending[id] = l.kind.standIn(it)
	}
	c := s.cur.Load()
	after := l.kind.abandonLocked(c, it, !pending)
	if !standIn {
		l.kind.settledLocked(c, id, it)
	}
	l.mu.Unlock()
	if after != nil {
		after()
	}
	return err
}

// activate makes what request req asked for serve under the router's id;
// the read loop calls it for the REGISTERED or SUBSCRIBED read on c,
// before handing the answer to makeOn.
//
// An answer for one dropped while its request was pending (makeOn gave
// up, or the application dropped it during a restore) still made
// something at the router, which would serve or send events for nothing
// until the session ends: the kind undoes it (unwantedLocked).
func (l *lifecycle[T]) activate(c *conn, req, id wamp.ID) {
	l.mu.Lock()
	it, ok := l.pending[req]
	if !ok {
		l.mu.Unlock()
		return // answered before, or its connection is gone
	}
	delete(l.pending, req)
	var after func()
	if !it.state().dropped {
		l.kind.activateLocked(it, id)
		l.restore[it] = struct{}{}
	} else {
		after = l.kind.unwantedLocked(c, it, id)
	}
	l.kind.settledLocked(c, req, it)
	l.mu.Unlock()
	if after != nil {
		after()
	}
}

// refused forgets the pending request req that an ERROR read on c
// refuses: it made nothing at the router. (A request still waited for,
// makeOn would forget; a stand-in would otherwise stay until the
// connection ends.)
func (l *lifecycle[T]) refused(c *conn, req wamp.ID) {
	l.mu.Lock()
	if it, ok := l.pending[req]; ok {
		delete(l.pending, req)
		l.kind.settledLocked(c, req, it)
	}
	l.mu.Unlock()
}

// isPending reports whether request req is pending.
func (l *lifecycle[T]) isPending(req wamp.ID) bool {
	l.mu.Lock()
	_, ok := l.pending[req]
	l.mu.Unlock()
	return ok
}

// drop makes sure it is never restored.
func (l *lifecycle[T]) drop(it T) {
	l.mu.Lock()
	l.dropLocked(it)
	l.mu.Unlock()
}

func (l *lifecycle[T]) dropLocked(it T) {
	it.state().dropped = true
	delete(l.restore, it)
}

// releaseLocked drops it for the application, which unregisters or
// unsubscribes it, and reports whether it was dropped already, and
// whether a reconnect would have restored it.
func (l *lifecycle[T]) releaseLocked(it T) (wasDropped, held bool) {
	_, held = l.restore[it]
	st := it.state()
	wasDropped = st.dropped
	l.dropLocked(it)
	return wasDropped, held
}

// toRestore returns what a reconnect makes again.
func (l *lifecycle[T]) toRestore() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]T, 0, len(l.restore))
	for it := range l.restore {
		out = append(out, it)
	}
	return out
}

// forgetConnection forgets the router IDs and pending requests of the
// connection that is gone; what a reconnect restores stays.
func (l *lifecycle[T]) forgetConnection() {
	l.mu.Lock()
	clear(l.pending)
	l.kind.forgetLocked()
	l.mu.Unlock()
}
