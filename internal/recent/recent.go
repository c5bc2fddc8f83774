// Package recent holds Set, a bounded set that forgets its oldest
// entries: what the router and the runtime use to remember the request
// IDs of progressive calls that ended, so that chunks still on their way
// are dropped (the spec's "Continuations on Completed Calls") without
// remembering every call a peer ever made.
package recent

// Set is a set of keys that holds at most the bound given to Add: adding
// one more pushes out the oldest. The zero value is an empty set.
type Set[K comparable] struct {
	keys  map[K]struct{}
	order []K // ring of the entries in the order added, oldest at next
	next  int
}

// Add adds k, pushing out the oldest entry when the set already holds
// bound entries. Adding a key the set holds changes nothing; with a bound
// below 1 the set holds nothing.
func (s *Set[K]) Add(k K, bound int) {
	if _, ok := s.keys[k]; ok || bound < 1 {
		return
	}
	if s.keys == nil {
		s.keys = map[K]struct{}{}
	}
	if len(s.order) < bound {
		s.order = append(s.order, k)
	} else {
		delete(s.keys, s.order[s.next])
		s.order[s.next] = k
		s.next = (s.next + 1) % len(s.order)
	}
	s.keys[k] = struct{}{}
}

// Has reports whether the set holds k.
func (s *Set[K]) Has(k K) bool {
	_, ok := s.keys[k]
	return ok
}

// Forget removes k. Its slot in the ring stays until it is reused, so
// the bound counts it until then; forgetting never lets the set grow.
func (s *Set[K]) Forget(k K) { delete(s.keys, k) }

// Len returns the number of keys the set holds.
func (s *Set[K]) Len() int { return len(s.keys) }
