package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// Graceful drain. Shutdown stops a service without failing its callers,
// as net/http.Server.Shutdown and grpc.Server.GracefulStop do: it stops
// taking work, lets the work under way finish, then leaves.
//
// The decisions, and why:
//
//   - An INVOCATION that arrives once the drain began (the dealer may have
//     routed it before it read the UNREGISTER) is answered with ERROR
//     wamp.error.unavailable. The WAMP advanced profile defines that URI
//     for exactly this ("Call Re-Routing": a callee that "is scheduled to
//     be taken off the HA cluster"): a dealer that implements rerouting
//     passes the call to another callee of a shared registration, and the
//     caller never knows; one that does not (nexus, the embedded router)
//     passes the error on, and the caller may call again, which reaches
//     another callee or none (wamp.error.no_such_procedure). Not
//     wamp.error.canceled, which says the call itself was given up, nor
//     wamp.error.no_such_registration, which says the callee never had the
//     registration: neither tells the caller that calling again is right.
//   - The session leaves with GOODBYE wamp.close.system_shutdown, the
//     spec's reason for "the peer is shutting down completely", as the
//     embedded router says to its sessions when it closes; Close says
//     wamp.close.close_realm ("the peer wants to leave the realm").
//   - Event handlers finish the events the session received before the
//     router confirmed the UNSUBSCRIBE (they were published to it, as an
//     invocation was routed to it), with their context intact.

// ErrShuttingDown is returned by Register and Subscribe once Shutdown has
// begun: a session that drains takes no new work.
var ErrShuttingDown = errors.New("wamp session shutting down")

// drainState is the state of Shutdown. mu orders the start of the drain
// against admitHandler: every handler is counted in s.handlers before
// began is set, or refused after, so that Shutdown may wait for
// s.handlers while the read loop still reads.
type drainState struct {
	mu sync.Mutex
	// began says that Shutdown was called. Written under mu, read
	// anywhere (Register and Subscribe refuse to make anything once set;
	// see lifecycle.makeOn).
	began atomic.Bool
	// done is closed when the first Shutdown call has returned. Set
	// under mu with began.
	done chan struct{}
	// streamed counts the running handlers of registrations that take
	// streamed input (see stopServing). Guarded by mu.
	streamed int
}

// admitHandler counts the handler of a new invocation in s.handlers (and,
// for a registration that takes streamed input, in drain.streamed), or
// reports false once Shutdown has begun.
func (s *Session) admitHandler(streamed bool) bool {
	s.drain.mu.Lock()
	defer s.drain.mu.Unlock()
	if s.drain.began.Load() {
		return false
	}
	s.handlers.Add(1)
	if streamed {
		s.drain.streamed++
	}
	return true
}

// handlerDone counts a handler admitted by admitHandler out.
func (s *Session) handlerDone(streamed bool) {
	if streamed {
		s.drain.mu.Lock()
		s.drain.streamed--
		s.drain.mu.Unlock()
	}
	s.handlers.Done()
}

// refuseDraining answers INVOCATION req, read on c, which arrived once
// Shutdown had begun, with wamp.error.unavailable (see above). input is
// its streamed input queue (nil if none), discarded; with progress, the
// later chunks of its input are ignored.
func (s *Session) refuseDraining(c *conn, req wamp.ID, input *inputQueue, progress bool) {
	if input != nil {
		input.discard()
	}
	if progress {
		c.invs.addLate(req)
	}
	s.sendOn(noWait, c, &wamp.Error{RequestType: wamp.TypeInvocation, Request: req, Details: wamp.Dict{},
		Error: wamp.ErrUnavailable, Args: wamp.ArgsOf("the callee is shutting down; call again to reach another")})
}

// Shutdown stops the session gracefully: it stops taking new invocations
// and events, lets the running handlers finish, and then closes the
// session with GOODBYE, as Close does. In order:
//
//  1. Every registration and subscription is unregistered and
//     unsubscribed, and none is restored by a reconnect. An INVOCATION the
//     router sends meanwhile is answered with wamp.error.unavailable, the
//     spec's URI for a callee going away (a dealer that implements call
//     rerouting then calls another callee; others pass it on, and the
//     caller may call again). Register and Subscribe fail with
//     ErrShuttingDown.
//  2. Shutdown waits for the procedure handlers still running, streamed
//     input and progressive results included (their callers get their
//     results), and for the event handlers to handle the events received
//     before the router confirmed the unsubscriptions.
//  3. It leaves the realm with GOODBYE wamp.close.system_shutdown.
//
// Calls and publications the session makes keep working until step 3.
//
// If ctx ends first, Shutdown closes the session as Close does (the
// handlers still running see their context cancelled, and their callers
// get an error) and returns ctx.Err(). It returns nil once the session is
// closed; an error if the router did not answer GOODBYE, if the connection
// was lost during the drain (the handlers were cancelled), or if Close
// ended the session during the drain (matching ErrSessionClosed).
//
// Shutdown may be called concurrently with Close, and more than once:
// another call waits for the first to end (and, if its own ctx ends
// first, closes the session and returns ctx.Err()). After Close, it
// returns nil.
//
// Like Close, Shutdown waits for the handlers: a handler that shuts its
// own session down must do so from another goroutine (go
// sess.Shutdown(ctx)), or it waits for itself until ctx ends. An event
// handler may call it: Shutdown does not wait for that handler.
func (s *Session) Shutdown(ctx context.Context) error {
	s.drain.mu.Lock()
	first := !s.drain.began.Load()
	if first {
		s.drain.done = make(chan struct{})
		s.drain.began.Store(true)
	}
	done := s.drain.done
	streaming := s.drain.streamed > 0
	s.drain.mu.Unlock()
	if !first {
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			s.Close()
			return ctx.Err()
		}
	}
	defer close(done)
	return s.drainAndClose(ctx, streaming)
}

// drainAndClose is the work of the first Shutdown call; streaming says
// that handlers of registrations taking streamed input were running when
// it began.
func (s *Session) drainAndClose(ctx context.Context, streaming bool) error {
	if s.life.closed.Load() {
		return nil // closed already: nothing to drain
	}
	c := s.cur.Load() // nil while reconnecting: then nothing is served
	gid := curGoroutineID()
	pending := s.stopServing(ctx, streaming)
	s.log.Info("draining: unregistered and unsubscribed; waiting for running handlers", "requests", len(pending))
	force := func() error {
		s.log.Warn("drain cut short: closing with handlers still running", "err", ctx.Err())
		s.Close()
		return ctx.Err()
	}
	// The answers are waited for up to ResponseTimeout, all together, as
	// any request's: a router that does not answer holds up the drain no
	// longer (the handlers are waited for all the same).
	patience := time.NewTimer(s.cfg.ResponseTimeout)
	defer patience.Stop()
await:
	for i, p := range pending {
		select {
		case reply := <-p.ch:
			if l, lost := reply.(*lostMessage); lost {
				s.log.Debug("draining: request failed", "type", p.typ, "err", l.err)
			} else if e, refused := reply.(*wamp.Error); refused {
				s.log.Warn("draining: the router refused a request", "type", p.typ, "error", e.Error)
			}
		case <-s.done:
		case <-patience.C:
			s.log.Warn("draining: no answer from the router", "type", p.typ, "within", s.cfg.ResponseTimeout)
			for _, q := range pending[i:] {
				s.forgetRequest(q.id)
			}
			break await
		case <-ctx.Done():
			for _, q := range pending[i:] {
				s.forgetRequest(q.id)
			}
			return force()
		}
	}
	handlersDone := make(chan struct{})
	go func() { s.handlers.Wait(); close(handlersDone) }()
	select {
	case <-handlersDone:
	case <-ctx.Done():
		return force()
	}
	// After the UNSUBSCRIBED, no worker starts but to handle what was
	// queued before (or to go on after a handler's runtime.Goexit): wait
	// until none runs, but for the calling event handler's own.
	for {
		running := s.workers.running(gid)
		if len(running) == 0 {
			break
		}
		for _, w := range running {
			select {
			case <-w.released:
			case <-ctx.Done():
				return force()
			}
		}
	}
	lost := c != nil && s.cur.Load() != c
	already, err := s.closeWith(wamp.CloseSystemShutdown)
	if already {
		// Ended without us: Close, or the router, or a lost connection
		// (without Config.Reconnect). Close marks the session closed
		// before it lets go of the connection, so that lost above is not
		// taken for a loss.
		why := s.Err()
		if why == nil {
			why = ErrSessionClosed // Close has not recorded it yet
		}
		return fmt.Errorf("runtime: the session ended during the drain: %w", why)
	}
	if err != nil {
		return err
	}
	if lost {
		return fmt.Errorf("runtime: the connection was lost during the drain (running handlers were cancelled): %w", ErrConnectionLost)
	}
	return nil
}

// drainRequest is an UNREGISTER or UNSUBSCRIBE that Shutdown sent.
type drainRequest struct {
	id  wamp.ID
	ch  chan wamp.Message
	typ wamp.MessageType
}

// stopServing drops every registration and subscription, so that no
// reconnect restores them and what is still pending is undone when its
// answer comes (see lifecycle.activate), and sends UNREGISTER and
// UNSUBSCRIBE for those active on the current connection. It returns the
// requests sent, whose answers are not waited for.
//
// The registrations and subscriptions stay active in the session until
// the connection ends: an INVOCATION still reaches invoke, which refuses it
// (admitHandler), and an EVENT still reaches its handler.
//
// With streaming, the registrations that take streamed input stay at the
// router, and GOODBYE ends them: a router may route each chunk of a call's
// input by its procedure (nexus v3.3.0 does), and would answer a chunk
// sent after the UNREGISTER with wamp.error.no_such_procedure, failing a
// call whose handler runs. New calls of them are refused meanwhile.
func (s *Session) stopServing(ctx context.Context, streaming bool) []drainRequest {
	var out []drainRequest
	s.regs.mu.Lock()
	dropAllLocked(&s.regs.lifecycle)
	regIDs := make([]wamp.ID, 0, len(s.regs.active))
	for id, reg := range s.regs.active {
		if !streaming || !reg.streamed {
			regIDs = append(regIDs, id)
		}
	}
	s.regs.mu.Unlock()
	for _, regID := range regIDs {
		id, ch, err := s.begin()
		if err != nil {
			break // closed
		}
		if err := s.send(ctx, &wamp.Unregister{Request: id, Registration: regID}); err != nil {
			s.forgetRequest(id)
			s.log.Debug("draining: unregistering failed", "registration", regID, "err", err)
			continue
		}
		out = append(out, drainRequest{id: id, ch: ch, typ: wamp.TypeUnregister})
	}

	// Queued with subs.mu held, as Unsubscribe does (see
	// pendingForLocked): a SUBSCRIBE still pending for the same topic is
	// sent after, and makes a new subscription, which activate undoes (it
	// was dropped).
	ss := &s.subs
	ss.mu.Lock()
	dropAllLocked(&ss.lifecycle)
	if c := s.cur.Load(); c != nil {
		for subID := range ss.active {
			id := s.reqIDs.Next()
			ch := make(chan wamp.Message, 1)
			s.requests.add(id, ch) // failPending answers it if the connection ends
			if err := s.queueLocked(c, &wamp.Unsubscribe{Request: id, Subscription: subID}); err != nil {
				s.forgetRequest(id)
				s.log.Debug("draining: unsubscribing failed", "subscription", subID, "err", err)
				continue
			}
			out = append(out, drainRequest{id: id, ch: ch, typ: wamp.TypeUnsubscribe})
		}
	}
	ss.mu.Unlock()
	return out
}

// dropAllLocked drops everything l holds or waits for: no reconnect
// restores it, and an answer still to come undoes what it made. l.mu is
// held.
func dropAllLocked[T item](l *lifecycle[T]) {
	for it := range l.restore {
		l.dropLocked(it)
	}
	for _, it := range l.pending {
		it.state().dropped = true
	}
}
