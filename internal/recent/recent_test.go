package recent

import "testing"

func TestSetPushesOutTheOldest(t *testing.T) {
	var s Set[int]
	for k := 1; k <= 5; k++ {
		s.Add(k, 3)
	}
	for k, want := range map[int]bool{1: false, 2: false, 3: true, 4: true, 5: true} {
		if s.Has(k) != want {
			t.Errorf("Has(%d) = %v, want %v", k, !want, want)
		}
	}
	if s.Len() != 3 {
		t.Errorf("Len = %d, want 3", s.Len())
	}
}

func TestSetAddTwiceAndForget(t *testing.T) {
	var s Set[int]
	s.Add(1, 2)
	s.Add(1, 2) // no second slot
	s.Add(2, 2)
	if !s.Has(1) || !s.Has(2) {
		t.Fatal("both keys must be held: adding 1 twice must not take two slots")
	}
	s.Forget(1)
	if s.Has(1) || s.Len() != 1 {
		t.Fatalf("after Forget(1): Has(1) = %v, Len = %d", s.Has(1), s.Len())
	}
	s.Add(3, 2) // reuses 1's slot: 2 stays
	if !s.Has(2) || !s.Has(3) {
		t.Fatal("2 and 3 must be held")
	}
	s.Add(4, 2) // pushes out 2, the oldest
	if s.Has(2) || !s.Has(3) || !s.Has(4) {
		t.Fatalf("after adding 4: has 2 %v, 3 %v, 4 %v; want false, true, true", s.Has(2), s.Has(3), s.Has(4))
	}
}

func TestSetZeroBoundNeverGrows(t *testing.T) {
	var s Set[int]
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Add with bound 0 panicked: %v", p)
		}
	}()
	s.Add(1, 0)
	if s.Len() != 0 {
		t.Fatalf("Len = %d", s.Len())
	}
}
