package wamp_test

import (
	"encoding/binary"
	"errors"
	"math"
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
// a time.Time cannot hold exactly, or RFC 3339 cannot write back, are
// refused, never wrapped around.
func TestNativeTimesOutOfRange(t *testing.T) {
	ts96 := func(sec int64, nsec uint32) []byte {
		b := []byte{0xc7, 12, 0xff}
		b = binary.BigEndian.AppendUint32(b, nsec)
		return binary.BigEndian.AppendUint64(b, uint64(sec))
	}
	cborFloat := func(f float64) []byte {
		return binary.BigEndian.AppendUint64([]byte{0xc1, 0xfb}, math.Float64bits(f))
	}
	cborInt := func(n int64) []byte {
		if n >= 0 {
			return binary.BigEndian.AppendUint64([]byte{0xc1, 0x1b}, uint64(n))
		}
		return binary.BigEndian.AppendUint64([]byte{0xc1, 0x3b}, uint64(-1-n))
	}
	year3000 := time.Date(3000, 1, 1, 0, 0, 0, 5e8, time.UTC)
	for _, tc := range []struct {
		ser  *wamp.Serializer
		name string
		raw  []byte
		want time.Time // zero: refused
	}{
		{wamp.MsgPack, "timestamp 96, seconds MaxInt64", ts96(math.MaxInt64, 0), time.Time{}},
		{wamp.MsgPack, "timestamp 96, seconds MinInt64", ts96(math.MinInt64, 0), time.Time{}},
		{wamp.MsgPack, "timestamp 96, year 10000", ts96(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), 0), time.Time{}},
		{wamp.MsgPack, "timestamp 96, nanoseconds 1e9", ts96(0, 1e9), time.Time{}},
		{wamp.MsgPack, "timestamp 96, year 3000", ts96(year3000.Unix(), 5e8), year3000},
		{wamp.MsgPack, "timestamp 96, year 0", ts96(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), 0), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		{wamp.CBOR, "tag 1, integer MaxInt64", cborInt(math.MaxInt64), time.Time{}},
		{wamp.CBOR, "tag 1, integer MinInt64", cborInt(math.MinInt64), time.Time{}},
		{wamp.CBOR, "tag 1, uint64 max", append([]byte{0xc1, 0x1b}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), time.Time{}},
		{wamp.CBOR, "tag 1, +Inf", cborFloat(math.Inf(1)), time.Time{}},
		{wamp.CBOR, "tag 1, -Inf", cborFloat(math.Inf(-1)), time.Time{}},
		{wamp.CBOR, "tag 1, NaN", cborFloat(math.NaN()), time.Time{}},
		{wamp.CBOR, "tag 1, 1e300", cborFloat(1e300), time.Time{}},
		{wamp.CBOR, "tag 1, float year 3000", cborFloat(float64(year3000.Unix()) + 0.5), year3000},
		{wamp.CBOR, "tag 1, float -1.5", cborFloat(-1.5), time.Unix(-2, 5e8).UTC()},
		{wamp.CBOR, "tag 1, integer year 10000", cborInt(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()), time.Time{}},
		{wamp.CBOR, "tag 1 on a string", append([]byte{0xc1}, mustEncodeValue(t, wamp.CBOR, "1700000000")...), time.Time{}},
		{wamp.CBOR, "tag 1 on tag 1", append([]byte{0xc1}, cborInt(5)...), time.Time{}},
		{wamp.CBOR, "tag 0 on binary", append([]byte{0xc0}, mustEncodeValue(t, wamp.CBOR, []byte("2026-12-07T17:21:48Z"))...), time.Time{}},
	} {
		var got time.Time
		if tc.want.IsZero() {
			wantDecodeError(t, tc.ser, tc.raw, &got, tc.name)
			continue
		}
		if err := tc.ser.DecodeValue(tc.raw, &got); err != nil || !got.Equal(tc.want) {
			t.Errorf("%s: %s = %v, %v; want %v", tc.ser, tc.name, got, err, tc.want)
		}
	}
}
