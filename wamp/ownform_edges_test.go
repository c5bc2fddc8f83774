package wamp_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// Edges of the time form (issue 12): RFC 3339 strings that Go, JavaScript
// and Python peers write or might, and native times of other peers.

// wantDecodeError decodes raw into dst and returns the *DecodeError, failing the
// test for success or any other error.
func wantDecodeError(t *testing.T, ser *wamp.Serializer, raw []byte, dst any, what string) *wamp.DecodeError {
	t.Helper()
	err := ser.DecodeValue(raw, dst)
	var de *wamp.DecodeError
	if !errors.As(err, &de) {
		t.Errorf("%s: %s: got %v (value %v), want a *DecodeError", ser, what, err, dst)
		return nil
	}
	return de
}

// TestTimeTextEdges: RFC 3339 strings at the edges of what Go, JavaScript
// and Python write and read.
func TestTimeTextEdges(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, tc := range []struct {
			text string
			want time.Time
			ok   bool
		}{
			{"2026-12-31T23:59:60Z", time.Time{}, false},      // leap second: Go cannot hold it
			{"2026-12-07T17:21:48+24:00", time.Time{}, false}, // offset of a day
			{"2026-12-07T17:21:48+23:59", time.Date(2026, 12, 7, 17, 21, 48, 0, time.FixedZone("", 23*3600+59*60)), true},
			{"2026-12-07T17:21:48-00:00", time.Date(2026, 12, 7, 17, 21, 48, 0, time.UTC), true},
			{"2026-12-07T17:21:48.1234567891Z", time.Time{}, false}, // 10 digits
			{"2026-12-07T17:21:48,123456789123Z", time.Time{}, false},
			{"2026-12-07T17:21:48.Z", time.Time{}, false},
			{"2026-12-07T17:21:48+05:30:15", time.Time{}, false},
			{"0000-01-01T00:00:00Z", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), true},
			{"9999-12-31T23:59:59.999999999Z", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), true},
			{"2026-12-07T17:21:48Z\x00", time.Time{}, false},
			{" 2026-12-07T17:21:48Z", time.Time{}, false},
			{"2026-12-07T17:21:48." + strings.Repeat("0", 1<<20) + "Z", time.Time{}, false},
			{strings.Repeat("9", 1<<20), time.Time{}, false},
		} {
			var got time.Time
			raw := mustEncodeValue(t, ser, tc.text)
			err := ser.DecodeValue(raw, &got)
			name := tc.text
			if len(name) > 40 {
				name = name[:40] + "…"
			}
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s: %q: %v", ser, name, err)
			case tc.ok && (!got.Equal(tc.want) || offsetOf(got) != offsetOf(tc.want)):
				t.Errorf("%s: %q = %v, want %v", ser, name, got, tc.want)
			case !tc.ok:
				wantDecodeError(t, ser, raw, &got, name)
			}
		}
	}
}

// TestTimeTextLowercase: RFC 3339 (section 5.6, note) allows "t" and "z".
func TestTimeTextLowercase(t *testing.T) {
	want := time.Date(2026, 12, 7, 17, 21, 48, 5e8, time.UTC)
	for _, ser := range wamp.Serializers() {
		for _, text := range []string{"2026-12-07t17:21:48.5z", "2026-12-07t17:21:48.5Z", "2026-12-07T17:21:48.5z"} {
			var got time.Time
			if err := ser.DecodeValue(mustEncodeValue(t, ser, text), &got); err != nil || !got.Equal(want) {
				t.Errorf("%s: %q = %v, %v; want %v", ser, text, got, err, want)
			}
		}
	}
}

// TestNativeTimesOutOfRange: native time forms of other peers whose value
