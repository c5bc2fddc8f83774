package runtime

import (
	"context"
	"sync"
	"time"
)

// Handler goroutines. Each invocation's handler runs on a goroutine of its
// own, so that a handler that blocks delays only its own call. A new
// goroutine starts with a small stack, which decoding the arguments and
// encoding the answer grow, by copying it, a couple of times per call:
// profiles of sequential calls showed that growth as the largest part of
// what starting a handler costs, more than starting the goroutine. So a
// goroutine whose handler has returned waits a while (workerIdle) for the
// next invocation, with the stack it grew, and the read loop hands the
// next handler to the one that waited least (the warmest) rather than
// start a new goroutine. At most maxIdleWorkers wait; a burst of more
// concurrent invocations starts new goroutines, as before, and those that
// find no room when they are done end.
//
// The read loop only ever hands over: it never waits for a worker, and a
// worker that waits holds nothing but its stack. Workers end with the
// session, and Close waits for them once the handlers have returned. A
// handler thus may run on the goroutine of an earlier one: goroutine-local
// state that a handler leaves behind (profiler labels set with
// pprof.SetGoroutineLabels rather than pprof.Do) carries over.
//
// Tried and measured first, as the issue suggested: the read loop running
// the handler itself while a new goroutine takes over the reading. It did
// not pay (JSON p50 +4.6 µs, MsgPack and CBOR unchanged), as the new
// reader then grows its stack instead; and the handler's YIELD yields the
// processor to gather with other answers (see gathers), which lets the new
// reader's first read run before the YIELD is written anyway. Skipping
// that yield for a lone handler made no measurable difference either.

const (
	// maxIdleWorkers bounds the goroutines that wait for a handler to
	// run, per session: as many as the callers a busy callee serves at
	// once (the benchmark's 64), to a memory cost of their stacks.
	maxIdleWorkers = 64
	// workerIdle is how long a goroutine waits for the next handler
	// before it ends.
	workerIdle = time.Second
)

// handlerRun is a handler ready to run on an invocation.
type handlerRun struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	h      Handler
	inv    *Invocation
}

// handlerPool holds the goroutines waiting for a handler to run; mu guards
// idle. running counts the pool's goroutines, for Close to wait for.
type handlerPool struct {
	mu      sync.Mutex
	idle    []*handlerWorker // the last to become idle last
	running sync.WaitGroup
}

// handlerWorker is a goroutine that runs handlers; it gets the next one
// through runs.
type handlerWorker struct {
	runs chan handlerRun // room for one: a worker is handed one run at a time
}

// start runs r on a waiting worker, or on a new one. It never waits.
func (p *handlerPool) start(s *Session, r handlerRun) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		w.runs <- r // taken out of idle: its room is free
		return
	}
	p.mu.Unlock()
	p.running.Add(1)
	go s.work(&handlerWorker{runs: make(chan handlerRun, 1)}, r)
}

// park makes w wait for a run; false if the pool is full.
func (p *handlerPool) park(w *handlerWorker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) >= maxIdleWorkers {
		return false
	}
	p.idle = append(p.idle, w)
	return true
}

// leave takes w out of the waiting workers; false if start took it out
// first (a run is then on its way to w).
func (p *handlerPool) leave(w *handlerWorker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.idle {
		if x == w {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.idle = p.idle[:len(p.idle):len(p.idle)]
			return true
		}
	}
	return false
}

// work runs r, and then the runs handed to w, until it has waited
// workerIdle for one, the pool has no room for it, or the session ended.
func (s *Session) work(w *handlerWorker, r handlerRun) {
	defer s.handlerPool.running.Done()
	var idle *time.Timer
	for {
		s.runHandler(r.ctx, r.cancel, r.h, r.inv)
		r = handlerRun{}
		if s.baseCtx.Err() != nil || !s.handlerPool.park(w) {
			return
		}
		if idle == nil {
			idle = time.NewTimer(workerIdle)
		} else {
			idle.Reset(workerIdle)
		}
		select {
		case r = <-w.runs:
			idle.Stop()
		case <-idle.C:
			if s.handlerPool.leave(w) {
				return
			}
			r = <-w.runs
		case <-s.baseCtx.Done():
			idle.Stop()
			if s.handlerPool.leave(w) {
				return
			}
			r = <-w.runs
		}
	}
}
