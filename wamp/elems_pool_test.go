package wamp_test

import (
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

// TestDecodeListReusesElementLists: decoding a list into a slice that has
// room splits the list into a pooled list of elements (issue 18: grown by
// append for every list, it was half again a 1,394-record result's
// encoded size in allocations), so a 1,000-element list costs next to no
// allocation. Growing by append took a dozen; the slack covers the race
// detector, which drops a quarter of what goes back to a sync.Pool (three
// on average then).
func TestDecodeListReusesElementLists(t *testing.T) {
	type rec struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	ints := make([]int, 1000)
	recs := make([]rec, 1000)
	for i := range ints {
		ints[i] = i * 7
		recs[i] = rec{ID: i}
	}
	for _, ser := range wamp.Serializers() {
		for _, c := range []struct {
			name string
			v    any
			dst  func() any
		}{
			{"[]int", ints, func() any { d := make([]int, 0, len(ints)); return &d }},
			{"[]rec", recs, func() any { d := make([]rec, 0, len(recs)); return &d }},
		} {
			raw, err := ser.EncodeValue(c.v)
			if err != nil {
				t.Fatal(err)
			}
			dst := c.dst()
			if err := ser.DecodeValue(raw, dst); err != nil {
				t.Fatalf("%s %s: %v", ser, c.name, err)
			}
			switch d := dst.(type) {
			case *[]int:
				if len(*d) != len(ints) || (*d)[999] != ints[999] {
					t.Fatalf("%s %s: decoded %d elements, last %d", ser, c.name, len(*d), (*d)[len(*d)-1])
				}
			case *[]rec:
				if len(*d) != len(recs) || (*d)[999] != recs[999] {
					t.Fatalf("%s %s: decoded %d elements", ser, c.name, len(*d))
				}
			}
			allocs := testing.AllocsPerRun(200, func() {
				if err := ser.DecodeValue(raw, dst); err != nil {
					t.Fatal(err)
				}
			})
			if allocs > 6 {
				t.Errorf("%s: %v allocations decoding a %d-element %s into a slice with room", ser, allocs, len(ints), c.name)
			}
		}
	}
}
