package wamp_test

import (
	"testing"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// FuzzTimeText: whatever string decodes into a time.Time encodes again,
// and decodes to the same instant with the same offset, in every format:
// the decoder takes no time the encoder cannot send on.
func FuzzTimeText(f *testing.F) {
	for _, s := range []string{
		"2026-12-07T17:21:48.123456789Z", "2026-12-07t17:21:48z", "0000-01-01T00:00:00+23:59",
		"9999-12-31T23:59:59.999999999-23:59", "2026-12-07T17:21:48-00:00", "2026-12-31T23:59:60Z",
		"2026-12-07T17:21:48,5Z", "2026-12-07T17:21:48+24:00", "2026-02-29T00:00:00Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ser := range wamp.Serializers() {
			raw, err := ser.EncodeValue(s)
			if err != nil {
				return // not a string this format carries (invalid UTF-8)
			}
			var tm time.Time
			if ser.DecodeValue(raw, &tm) != nil {
				continue
			}
			again, err := ser.EncodeValue(tm)
			if err != nil {
				t.Fatalf("%s: %q decoded as %v, which does not encode: %v", ser, s, tm, err)
			}
			var back time.Time
			if err := ser.DecodeValue(again, &back); err != nil || !back.Equal(tm) || offsetOf(back) != offsetOf(tm) {
				t.Fatalf("%s: %q decoded as %v, sent on as %q, arrived as %v, %v", ser, s, tm, again, back, err)
			}
		}
	})
}
