package runtime

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// ReconnectPolicy turns on automatic reconnection and says how to retry.
// The zero value uses every default.
//
// When the connection is lost (the network breaks, the router restarts or
// says GOODBYE, a keep-alive goes unanswered), every call and request in
// flight fails at once with an error matching ErrConnectionLost, running
// handlers see their context cancelled, and new calls fail fast with
// ErrConnectionLost until the session has joined again. The session dials
// again after InitialDelay, then after delays growing by Multiplier up to
// MaxDelay, each spread by ±Jitter; once joined, it registers and
// subscribes again everything the application registered and subscribed,
// with the original options, before it reports StateJoined. If restoring
// fails, the attempt counts as failed and is retried. After MaxRetries
// failed attempts in a row the session ends with ErrConnectionLost. Close
// stops it at any point.
type ReconnectPolicy struct {
	// InitialDelay is the wait before the first attempt (default 100ms).
	InitialDelay time.Duration
	// Multiplier grows the delay after each failed attempt (default 2).
	Multiplier float64
	// MaxDelay caps the delay (default 10s).
	MaxDelay time.Duration
	// Jitter spreads each delay uniformly by this fraction, so that many
	// clients do not reconnect in step (default 0.2: ±20%).
	Jitter float64
	// MaxRetries is the number of failed attempts in a row after which the
	// session gives up; 0 means retry until Close.
	MaxRetries int
}

const (
	defaultInitialDelay = 100 * time.Millisecond
	defaultMultiplier   = 2
	defaultMaxDelay     = 10 * time.Second
	defaultJitter       = 0.2
)

func (p *ReconnectPolicy) validate() error {
	if p == nil {
		return nil
	}
	switch {
	case p.InitialDelay < 0, p.MaxDelay < 0:
		return errors.New("runtime: ReconnectPolicy delays must not be negative")
	case p.Multiplier != 0 && p.Multiplier < 1:
		return fmt.Errorf("runtime: ReconnectPolicy.Multiplier %v is below 1", p.Multiplier)
	case p.Jitter < 0 || p.Jitter >= 1:
		return fmt.Errorf("runtime: ReconnectPolicy.Jitter %v is outside [0, 1)", p.Jitter)
	case p.MaxRetries < 0:
		return fmt.Errorf("runtime: ReconnectPolicy.MaxRetries %d is negative", p.MaxRetries)
	}
	return nil
}

// delay returns the wait before attempt n (from 0).
func (p *ReconnectPolicy) delay(n int) time.Duration {
	initial, mult, maxDelay, jitter := p.InitialDelay, p.Multiplier, p.MaxDelay, p.Jitter
	if initial == 0 {
		initial = defaultInitialDelay
	}
	if mult == 0 {
		mult = defaultMultiplier
	}
	if maxDelay == 0 {
		maxDelay = defaultMaxDelay
	}
	if jitter == 0 {
		jitter = defaultJitter
	}
	d := float64(initial)
	for range n {
		d *= mult
		if d >= float64(maxDelay) {
			d = float64(maxDelay)
			break
		}
	}
	d *= 1 + jitter*(2*rand.Float64()-1)
	return time.Duration(d)
}

// State is where a session is in its life.
type State int32

// The states of a session.
const (
	// StateConnecting: Dial is connecting and joining.
	StateConnecting State = iota
	// StateJoined: joined to the realm; with reconnect, also restored.
	StateJoined
	// StateReconnecting: the connection was lost and the session is
	// dialing again (only with Config.Reconnect).
	StateReconnecting
	// StateClosed: the session has ended, for the reason in Err.
	StateClosed
)

func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateJoined:
		return "joined"
	case StateReconnecting:
		return "reconnecting"
	case StateClosed:
		return "closed"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// StateChange is what Config.OnStateChange receives.
type StateChange struct {
	State State
	// Session is the session ID after joining (StateJoined), else 0.
	Session wamp.ID
	// Err says why the session is reconnecting or closed; for a failed
	// reconnect attempt (StateReconnecting again) it is that attempt's error.
	Err error
	// Attempt counts the reconnect attempts made since the connection was
	// lost (0 for the first connection).
	Attempt int
}

// State returns the session's current state.
func (s *Session) State() State { return State(s.state.Load()) }

func (s *Session) setState(st State, id wamp.ID, err error) {
	s.setStateAttempt(st, id, err, 0)
}

func (s *Session) setStateAttempt(st State, id wamp.ID, err error, attempt int) {
	s.state.Store(int32(st))
	s.notes.push(StateChange{State: st, Session: id, Err: err, Attempt: attempt})
}

// notify delivers state changes to Config.OnStateChange, in order, on a
// goroutine of its own.
func (s *Session) notify() {
	defer s.loops.Done()
	var buf []StateChange
	for {
		var closed bool
		buf, closed = s.notes.pop(buf)
		for _, c := range buf { // delivered even after closing: the last is StateClosed
			s.cfg.OnStateChange(c)
		}
		if closed {
			return
		}
	}
}

// reconnectLoop dials until the session has joined and restored its
// registrations and subscriptions, the policy gives up, or Close is called.
// lost starts it, and never a second one while it runs (see
// lifeState.reconnecting).
func (s *Session) reconnectLoop() {
	defer s.loops.Done()
	p := s.cfg.Reconnect
	for attempt := 0; p.MaxRetries == 0 || attempt < p.MaxRetries; attempt++ {
		t := time.NewTimer(p.delay(attempt))
		select {
		case <-s.baseCtx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		err := s.reconnectOnce()
		if err == nil {
			return
		}
		if s.baseCtx.Err() != nil {
			return
		}
		s.log.Warn("reconnect attempt failed", "attempt", attempt+1, "err", err)
		s.setStateAttempt(StateReconnecting, 0, err, attempt+1)
	}
	s.shutdown(fmt.Errorf("%w: gave up after %d reconnect attempts", ErrConnectionLost, p.MaxRetries))
}

// reconnectOnce dials, joins, and restores; on failure it leaves the
// session disconnected, with the connection it made closed.
//
// The connection is attached before restoring, so that REGISTERED and
// SUBSCRIBED are read, but it does not count as in use until restored: if
// it is lost meanwhile, lost only detaches it (life.reconnecting is set) and
// the restore fails. Whether it survived is decided under life.mu, where lost
// detaches it, so that exactly one of the two acts: either the attempt
// fails and this loop retries, or the session is joined and a later loss
// starts a new loop.
func (s *Session) reconnectOnce() error {
	ctx, cancel := context.WithTimeout(s.baseCtx, s.cfg.ResponseTimeout)
	defer cancel()
	c, err := s.connect(ctx)
	if err != nil {
		return err
	}
	// What to restore is read before c is attached: nothing is activated
	// on c before, so every registration and subscription made on c from
	// now on (Register and Subscribe work as soon as c is attached) is
	// left to its maker. One dropped after this is restored as dropped,
	// and undone when its answer comes (see lifecycle.activate).
	regs := s.regs.toRestore()
	subs := s.subs.toRestore()
	s.life.mu.Lock()
	if s.life.closed.Load() {
		s.life.mu.Unlock()
		c.cancel(ErrSessionClosed)
		c.tr.Close()
		return ErrSessionClosed
	}
	s.attach(c)
	s.life.mu.Unlock()
	// Shutdown may begin during the restore: what it dropped is not made
	// (makeOn refuses it with ErrShuttingDown) and the session joins
	// without it, to be drained and closed; that is not a failed attempt.
	for _, r := range regs {
		if err := s.regs.makeOn(s, ctx, r); errors.Is(err, ErrShuttingDown) {
			continue
		} else if err != nil {
			s.detach(c, fmt.Errorf("%w: restoring registration %s: %w", ErrConnectionLost, r.procedure, err))
			return fmt.Errorf("restoring registration %s: %w", r.procedure, err)
		}
	}
	for _, sub := range subs {
		if err := s.subs.makeOn(s, ctx, sub); errors.Is(err, ErrShuttingDown) {
			continue
		} else if err != nil {
			s.detach(c, fmt.Errorf("%w: restoring subscription %s: %w", ErrConnectionLost, sub.topic, err))
			return fmt.Errorf("restoring subscription %s: %w", sub.topic, err)
		}
	}
	s.life.mu.Lock()
	if s.cur.Load() != c {
		// Lost (or closed) after the last answer: lost, or Close,
		// detached it.
		s.life.mu.Unlock()
		return fmt.Errorf("%w: the connection was lost while restoring", ErrConnectionLost)
	}
	s.life.reconnecting = false
	// Under life.mu, so that a loss right after is reported after this.
	s.setState(StateJoined, c.id, nil)
	s.life.mu.Unlock()
	s.log.Info("reconnected", "session", c.id, "registrations", len(regs), "subscriptions", len(subs))
	return nil
}
