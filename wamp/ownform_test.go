package wamp_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// Types with their own wire form (see "How values travel" in the package
// documentation).

// uuid has a text pair and a binary pair: the text form wins.
type uuid [16]byte

func (u uuid) MarshalText() ([]byte, error) { return hex.AppendEncode(nil, u[:]), nil }
func (u *uuid) UnmarshalText(b []byte) error {
	if len(b) != 32 {
		return fmt.Errorf("uuid: %d digits", len(b))
	}
	_, err := hex.Decode(u[:], b)
	return err
}
func (u uuid) MarshalBinary() ([]byte, error) { return u[:], nil }
func (u *uuid) UnmarshalBinary(b []byte) error {
	if len(b) != 16 {
		return fmt.Errorf("uuid: %d bytes", len(b))
	}
	copy(u[:], b)
	return nil
}

// point has only a binary pair, with pointer receivers on both halves.
type point struct{ X, Y int32 }

func (p *point) MarshalBinary() ([]byte, error) {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(p.X)), uint32(p.Y)), nil
}
func (p *point) UnmarshalBinary(b []byte) error {
	if len(b) != 8 {
		return fmt.Errorf("point: %d bytes", len(b))
	}
	p.X, p.Y = int32(binary.BigEndian.Uint32(b)), int32(binary.BigEndian.Uint32(b[4:]))
	return nil
}

// money has only a JSON pair; its JSON holds an integer beyond 2^53, a
// float, binary in the JSON convention, a null and a nested list.
type money struct {
	Cents int64
	Rate  float64
	Sig   []byte
}

func (m money) MarshalJSON() ([]byte, error) {
	var sig any // null for nil
	if m.Sig != nil {
		sig = wamp.EncodeBinaryString(m.Sig)
	}
	return json.Marshal(map[string]any{"cents": m.Cents, "rate": m.Rate, "sig": sig, "none": nil, "l": []any{1, "x"}})
}
func (m *money) UnmarshalJSON(b []byte) error {
	var j struct {
		Cents *int64  `json:"cents"`
		Rate  float64 `json:"rate"`
		Sig   *string `json:"sig"`
		L     []any   `json:"l"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Cents == nil || len(j.L) != 2 {
		return fmt.Errorf("money: incomplete %s", b)
	}
	m.Cents, m.Rate, m.Sig = *j.Cents, j.Rate, nil
	if j.Sig != nil {
		sig, ok := wamp.DecodeBinaryString(*j.Sig)
		if !ok {
			return fmt.Errorf("money: sig %q is not binary", *j.Sig)
		}
		m.Sig = sig
	}
	return nil
}

// halfText has MarshalText without UnmarshalText: it goes by its kind.
type halfText struct{ A int }

func (halfText) MarshalText() ([]byte, error) { return []byte("never"), nil }

type inner struct {
	When time.Time `json:"when"`
}

type ownStruct struct {
	inner                       // inlined
	*Embedded                   // a nil embedded pointer: its fields are left out
	ID        uuid              `json:"id"`
	Opt       *time.Time        `json:"opt,omitempty"`
	Zero      time.Time         `codec:"zero,omitempty" json:"ignored"`
	Every     time.Duration     `json:"every"`
	Pt        point             `json:"pt"`
	M         money             `json:"m"`
	ByID      map[uuid]string   `json:"by_id"`
	ByTime    map[time.Time]int `json:"by_time"`
	Times     []time.Time       `json:"times"`
	Any       any               `json:"any"`
	Skip      time.Time         `json:"-"`
	Half      halfText          `json:"half"`
	Plain     []float64         `json:"plain"`
}

// Embedded is embedded by pointer in ownStruct.
type Embedded struct {
	E time.Time `json:"e"`
}

var (
	tUTC    = time.Date(2026, 12, 7, 17, 21, 48, 123456789, time.UTC)
	tOffset = time.Date(2026, 3, 1, 9, 30, 0, 500, time.FixedZone("IST", 5*3600+30*60))
	tNeg    = time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(9*3600+30*60)))
	tBefore = time.Date(1969, 7, 20, 20, 17, 40, 1, time.UTC)
	tYear0  = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	tMax    = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	anID    = uuid{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00}
)

// ownValues are values of every own form, alone and nested at every
// level, each sent as it is (the typed path) and compared after decoding
// into a new value of its type.
func ownValues() map[string]any {
	opt := tOffset
	full := ownStruct{
		inner: inner{When: tNeg}, ID: anID, Opt: &opt, Every: -90*time.Minute - 1,
		Pt: point{X: -1, Y: math.MaxInt32}, M: money{Cents: 1<<62 + 1, Rate: 0.25, Sig: []byte{0, 1, 255}},
		ByID: map[uuid]string{anID: "a", {}: "zero"}, ByTime: map[time.Time]int{tUTC: 1, tOffset: 2},
		Times: []time.Time{tBefore, {}}, Plain: []float64{1.5},
	}
	now := time.Now()
	return map[string]any{
		"time-utc":      tUTC,
		"time-offset":   tOffset,
		"time-negative": tNeg,
		"time-1969":     tBefore,
		"time-zero":     time.Time{},
		"time-year-0":   tYear0,
		"time-9999":     tMax,
		"time-now":      now,
		"time-pointer":  &opt,
		"time-nil":      (*time.Time)(nil),
		"duration":      time.Duration(math.MinInt64),
		"times":         []time.Time{tUTC, tOffset, {}},
		"time-array":    [2]time.Time{tNeg, tBefore},
		"time-map":      map[string]time.Time{"a": tUTC, "b": tOffset},
		"uuid":          anID,
		"uuid-pointer":  &anID,
		"uuids":         []uuid{anID, {}},
		"point":         point{X: 3, Y: -4},
		"money":         money{Cents: -1 << 53, Rate: 1e300, Sig: []byte{}},
		"text-keys":     map[uuid]int{anID: 1, {1}: 2},
		"struct":        full,
		"struct-empty":  ownStruct{},
		"struct-ptr":    &full,
	}
}

// relay converts raw, encoded by from, as the router converts between
// formats: decoded into plain values by from (the JSON serializer turns
// "\u0000"+base64 strings into bytes) and encoded by to (which writes
// bytes as binary, or in JSON as "\u0000"+base64).
func relay(t *testing.T, from, to *wamp.Serializer, raw []byte) []byte {
	t.Helper()
	var v any
	if err := from.DecodeValue(raw, &v); err != nil {
		t.Fatalf("%s: decoding %q into any: %v", from, raw, err)
	}
	out, err := to.EncodeValue(v)
	if err != nil {
		t.Fatalf("%s: encoding %#v: %v", to, v, err)
	}
	return out
}

// TestOwnFormsAcrossSerializers encodes every value with each serializer,
// converts it for each other one as the router does, and decodes it: the
// value that arrives is exactly the one sent (times: the same instant to
// the nanosecond, with the same offset).
func TestOwnFormsAcrossSerializers(t *testing.T) {
	for name, v := range ownValues() {
		for _, from := range wamp.Serializers() {
			for _, to := range wamp.Serializers() {
				t.Run(name+"/"+from.Name()+"→"+to.Name(), func(t *testing.T) {
					raw, err := from.EncodeValue(v)
					if err != nil {
						t.Fatal(err)
					}
					raw = relay(t, from, to, raw)
					dst := reflect.New(reflect.TypeOf(v))
					if err := to.DecodeValue(raw, dst.Interface()); err != nil {
						t.Fatalf("decoding %q: %v", raw, err)
					}
					if d := diffExact(reflect.ValueOf(v), dst.Elem(), ""); d != "" {
						t.Errorf("%s (wire %q)", d, raw)
					}
				})
			}
		}
	}
}

// TestOwnFormsInMessages sends own forms through whole messages, on the
// paths generated code and untyped code take: ArgsOf of typed values,
// PayloadOf of a struct, and []any / map[string]any / Dict payloads
// holding them; the message is relayed between serializers as the router
// relays a payload (re-encoding a decoded message with another
// serializer).
func TestOwnFormsInMessages(t *testing.T) {
	opt := tOffset
	kw := ownStruct{ID: anID, Opt: &opt, Times: []time.Time{tUTC}}
	for _, from := range wamp.Serializers() {
		for _, to := range wamp.Serializers() {
			msg := &wamp.Result{Request: 1,
				Args:   wamp.ArgsOf(tUTC, anID, []any{tOffset, point{1, 2}}, map[string]any{"t": tNeg, "u": anID}, 7),
				Kwargs: wamp.PayloadOf(kw)}
			m := mustDecode(t, from, mustEncode(t, from, msg))
			m = mustDecode(t, to, mustEncode(t, to, m)).(*wamp.Result)
			r := m.(*wamp.Result)
			var (
				t0 time.Time
				id uuid
			)
			vals, err := r.Args.List()
			if err != nil || len(vals) != 5 {
				t.Fatalf("%s→%s: Args %v, %v", from, to, vals, err)
			}
			if err := vals[0].Decode(&t0); err != nil || t0 != tUTC {
				t.Errorf("%s→%s: time %v, %v", from, to, t0, err)
			}
			if err := vals[1].Decode(&id); err != nil || id != anID {
				t.Errorf("%s→%s: uuid %v, %v", from, to, id, err)
			}
			var tuple []any
			if err := vals[2].Decode(&tuple); err != nil || len(tuple) != 2 {
				t.Fatalf("%s→%s: []any %v, %v", from, to, tuple, err)
			}
			if s, _ := tuple[0].(string); s != "2026-03-01T09:30:00.0000005+05:30" {
				t.Errorf("%s→%s: untyped time travels as %#v", from, to, tuple[0])
			}
			if b, _ := tuple[1].([]byte); len(b) != 8 {
				t.Errorf("%s→%s: untyped binary marshaler travels as %#v", from, to, tuple[1])
			}
			var typed struct {
				T time.Time `json:"t"`
				U uuid      `json:"u"`
			}
			if err := vals[3].Decode(&typed); err != nil || diffExact(reflect.ValueOf(tNeg), reflect.ValueOf(typed.T), "") != "" || typed.U != anID {
				t.Errorf("%s→%s: map[string]any with own forms into a struct: %+v, %v", from, to, typed, err)
			}
			var got ownStruct
			if err := r.Kwargs.Decode(&got); err != nil {
				t.Fatalf("%s→%s: kwargs: %v", from, to, err)
			}
			if d := diffExact(reflect.ValueOf(kw), reflect.ValueOf(got), ""); d != "" {
				t.Errorf("%s→%s: kwargs %s", from, to, d)
			}
			// A Dict payload holding a time and a marshaler (the untyped path).
			d := mustDecode(t, from, mustEncode(t, from, &wamp.Call{Request: 1, Procedure: "p",
				Kwargs: wamp.PayloadOf(wamp.Dict{"at": tOffset, "id": anID})})).(*wamp.Call)
			if err := d.Kwargs.Decode(&typed); err != nil || typed.U != anID {
				t.Errorf("%s: Dict payload: %+v, %v", from, typed, err)
			}
		}
	}
}

// TestOwnFormsOnTheWire checks the form each type takes, the same
// structure in every serializer.
func TestOwnFormsOnTheWire(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, tc := range []struct {
			v    any
			kind wamp.Kind
			text string // the decoded string, for a string
		}{
			{tUTC, wamp.KindString, "2026-12-07T17:21:48.123456789Z"},
			{tOffset, wamp.KindString, "2026-03-01T09:30:00.0000005+05:30"},
			{time.Date(2026, 1, 2, 3, 4, 5, 100, time.UTC), wamp.KindString, "2026-01-02T03:04:05.0000001Z"},
			{time.Time{}, wamp.KindString, "0001-01-01T00:00:00Z"},
			{tNeg, wamp.KindString, "1999-12-31T23:59:59.999999999-09:30"},
			{time.Duration(-5), wamp.KindInt, ""},
			{time.Duration(1 << 62), wamp.KindUint, ""},
			{anID, wamp.KindString, "123e4567e89b12d3a456426614174000"},
			{point{1, 2}, wamp.KindBytes, ""},
			{money{Cents: 1}, wamp.KindDict, ""},
			{map[uuid]int{anID: 1}, wamp.KindDict, ""},
			{halfText{A: 1}, wamp.KindDict, ""}, // only half a pair: by its kind
		} {
			raw := mustEncodeValue(t, ser, tc.v)
			if k := argsValue(t, ser, tc.v).Kind(); k.String() != tc.kind.String() { // KindInt and KindUint are both "integer"
				t.Errorf("%s: %#v travels as a %s (%q), want a %s", ser, tc.v, k, raw, tc.kind)
				continue
			}
			if tc.text != "" {
				var s string
				if err := ser.DecodeValue(raw, &s); err != nil || s != tc.text {
					t.Errorf("%s: %v travels as %q, %v; want %q", ser, tc.v, s, err, tc.text)
				}
			}
		}
		// JSON's own form is carried as structure: integers as integers,
		// "\u0000"-prefixed base64 as binary.
		var tree map[string]any
		if err := ser.DecodeValue(mustEncodeValue(t, ser, money{Cents: 1<<62 + 1, Rate: 0.5, Sig: []byte{9}}), &tree); err != nil {
			t.Fatal(err)
		}
		if n, _ := wamp.AsInt64(tree["cents"]); n != 1<<62+1 || tree["rate"] != 0.5 || !reflect.DeepEqual(tree["sig"], []byte{9}) || tree["none"] != nil {
			t.Errorf("%s: money travels as %#v", ser, tree)
		}
		// A map keyed by a text type has the texts as keys.
		var keys map[string]int
		if err := ser.DecodeValue(mustEncodeValue(t, ser, map[uuid]int{anID: 1}), &keys); err != nil || keys["123e4567e89b12d3a456426614174000"] != 1 {
			t.Errorf("%s: text keys %v, %v", ser, keys, err)
		}
	}
	// JSON: the exact bytes.
	for _, tc := range []struct {
		v    any
		want string
	}{
		{tUTC, `"2026-12-07T17:21:48.123456789Z"`},
		{point{1, 2}, `"\u0000AAAAAQAAAAI="`},
		{struct {
			A time.Time  `json:"a"`
			B *time.Time `json:"b,omitempty"`
			C int
		}{A: tUTC, C: 3}, `{"a":"2026-12-07T17:21:48.123456789Z","C":3}`},
		{map[uuid]bool{{2}: true, {1}: false}, `{"01000000000000000000000000000000":false,"02000000000000000000000000000000":true}`},
	} {
		if got := string(mustEncodeValue(t, wamp.JSON, tc.v)); got != tc.want {
			t.Errorf("JSON %#v = %s, want %s", tc.v, got, tc.want)
		}
	}
}

// TestOwnFormsStructLikeCodec: a struct that holds an own form is written
// with the names, order and omitempty rules the codec uses for the struct
// that does not: the same bytes when the own-form field is left out.
func TestOwnFormsStructLikeCodec(t *testing.T) {
	type base struct {
		A int `json:"a"`
	}
	type plain struct {
		base
		B    string            `codec:"bee" json:"b"`
		C    []int             `json:"c,omitempty"`
		D    map[string]string `json:"d,omitempty"`
		E    *int              `json:",omitempty"`
		F    float64
		G    bool   `json:"-"`
		H    [2]int `json:"h,omitempty"`
		hide int
		I    bool   `json:"i"`
		U    uint8  `json:"u"`
		N    int16  `json:"n"`
		S    string `json:"s"`
		X    any    `json:"x"`
	}
	type withTime struct {
		base
		B    string            `codec:"bee" json:"b"`
		C    []int             `json:"c,omitempty"`
		D    map[string]string `json:"d,omitempty"`
		E    *int              `json:",omitempty"`
		F    float64
		G    bool   `json:"-"`
		H    [2]int `json:"h,omitempty"`
		hide int
		I    bool      `json:"i"`
		U    uint8     `json:"u"`
		N    int16     `json:"n"`
		S    string    `json:"s"`
		X    any       `json:"x"`
		T    time.Time `json:"t,omitempty"`
	}
	for _, ser := range wamp.Serializers() {
		for _, p := range []plain{{}, {base: base{1}, B: "x", C: []int{1}, D: map[string]string{"k": "v"}, E: new(int), F: 2.5, G: true, H: [2]int{0, 1}, hide: 3,
			I: true, U: 255, N: -300, S: "a \"quoted\" é\n", X: []any{1, "y"}}} {
			w := withTime{base: p.base, B: p.B, C: p.C, D: p.D, E: p.E, F: p.F, G: p.G, H: p.H, hide: p.hide, I: p.I, U: p.U, N: p.N, S: p.S, X: p.X}
			want := mustEncodeValue(t, ser, p)
			if got := mustEncodeValue(t, ser, w); string(got) != string(want) {
				t.Errorf("%s: struct with an empty time field\n got %x\nwant %x", ser, got, want)
			}
		}
	}
}

// TestTimeEncodeErrors: a time RFC 3339 cannot write exactly is an error
// that names it, in every serializer and on every path.
func TestTimeEncodeErrors(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, tm := range []time.Time{
			time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC),
			time.Date(1850, 1, 1, 0, 0, 0, 0, time.FixedZone("LMT", 3600+15)),
		} {
			_, err := ser.EncodeValue(tm)
			if err == nil || !strings.Contains(err.Error(), tm.Format("2006")) {
				t.Errorf("%s: EncodeValue(%v) = %v, want an error naming it", ser, tm, err)
			}
			_, err = ser.Encode(&wamp.Result{Request: 1, Args: wamp.ArgsOf(1, []any{tm})})
			if err == nil || !strings.Contains(err.Error(), "RFC 3339") {
				t.Errorf("%s: a RESULT with %v: %v", ser, tm, err)
			}
			_, err = ser.Encode(&wamp.Result{Request: 1, Kwargs: wamp.PayloadOf(struct{ T *time.Time }{&tm})})
			if err == nil || !strings.Contains(err.Error(), ".T") {
				t.Errorf("%s: a RESULT with %v in a struct: %v, want an error naming the field", ser, tm, err)
			}
		}
	}
}

// TestTimeDecodeForms: what decodes into a time.Time, and what does not.
func TestTimeDecodeForms(t *testing.T) {
	type tc struct {
		raw  []byte
		want time.Time
		ok   bool
	}
	str := func(ser *wamp.Serializer, s string) []byte { return mustEncodeValue(t, ser, s) }
	for _, ser := range wamp.Serializers() {
		cases := []tc{
			{str(ser, "2026-12-07T17:21:48Z"), time.Date(2026, 12, 7, 17, 21, 48, 0, time.UTC), true},
			{str(ser, "2026-12-07T17:21:48.1Z"), time.Date(2026, 12, 7, 17, 21, 48, 1e8, time.UTC), true},
			{str(ser, "2026-12-07T17:21:48.123456789+01:00"), time.Date(2026, 12, 7, 17, 21, 48, 123456789, time.FixedZone("", 3600)), true},
			{str(ser, "2026-12-07T17:21:48.100000000Z"), time.Date(2026, 12, 7, 17, 21, 48, 1e8, time.UTC), true},
			{str(ser, "2026-12-07T17:21:48.1234567891Z"), time.Time{}, false}, // 10 digits
			{str(ser, "2026-12-07T17:21:48"), time.Time{}, false},             // no offset
			{str(ser, "2026-12-07 17:21:48Z"), time.Time{}, false},
			{str(ser, "yesterday"), time.Time{}, false},
			{mustEncodeValue(t, ser, nil), time.Time{}, true},
			{mustEncodeValue(t, ser, 1700000000), time.Time{}, false},
			{mustEncodeValue(t, ser, true), time.Time{}, false},
			{mustEncodeValue(t, ser, []byte("2026-12-07T17:21:48Z")), time.Time{}, false},
			{mustEncodeValue(t, ser, []any{}), time.Time{}, false},
		}
		switch ser {
		case wamp.MsgPack:
			cases = append(cases,
				tc{mustHex("d6ff00000001"), time.Unix(1, 0).UTC(), true},                   // timestamp 32
				tc{mustHex("d7ff0000001400000001"), time.Unix(1, 5).UTC(), true},           // timestamp 64
				tc{mustHex("c70cff000000050000000000000001"), time.Unix(1, 5).UTC(), true}, // timestamp 96
				tc{mustHex("d60100000001"), time.Time{}, false},                            // extension type 1
			)
		case wamp.CBOR:
			cases = append(cases,
				tc{append([]byte{0xc0}, str(ser, "2026-12-07T17:21:48.5-02:00")...), time.Date(2026, 12, 7, 17, 21, 48, 5e8, time.FixedZone("", -7200)), true},
				tc{mustHex("c11a6553f100"), time.Unix(1700000000, 0).UTC(), true},                 // tag 1, integer
				tc{mustHex("c13a00000001"), time.Unix(-2, 0).UTC(), true},                         // tag 1, negative
				tc{mustHex("c1fb41d954fc40200000"), time.Unix(1700000000, 5e8).UTC(), true},       // tag 1, float 1700000000.5
				tc{mustHex("c1f97e00"), time.Time{}, false},                                       // tag 1, NaN
				tc{append([]byte{0xc1}, str(ser, "2026-12-07T17:21:48Z")...), time.Time{}, false}, // tag 1 with text
				tc{append([]byte{0xc0}, mustEncodeValue(t, ser, 5)...), time.Time{}, false},       // tag 0 with a number
				tc{append([]byte{0xd8, 100}, mustEncodeValue(t, ser, 5)...), time.Time{}, false},  // tag 100
			)
		}
		for _, c := range cases {
			var got time.Time
			err := ser.DecodeValue(c.raw, &got)
			switch {
			case c.ok && err != nil:
				t.Errorf("%s: %x: %v", ser, c.raw, err)
			case c.ok && (!got.Equal(c.want) || offsetOf(got) != offsetOf(c.want)):
				t.Errorf("%s: %x = %v, want %v", ser, c.raw, got, c.want)
			case !c.ok && err == nil:
				t.Errorf("%s: %x decoded as %v", ser, c.raw, got)
			case !c.ok:
				var de *wamp.DecodeError
				if !errors.As(err, &de) {
					t.Errorf("%s: %x: %T %v, want a *DecodeError", ser, c.raw, err, err)
				}
			}
		}
	}
}

// TestOwnFormKindChecks: each own form takes only its kind, and a null
// only where the form allows it.
func TestOwnFormKindChecks(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, tc := range []struct {
			name string
			v    any
			dst  any
		}{
			{"number into text form", 5, new(uuid)},
			{"binary into text form", []byte("123e4567e89b12d3a456426614174000"), new(uuid)},
			{"null into text form", nil, new(uuid)},
			{"string into binary form", "AAAAAQAAAAI=", new(point)},
			{"list into binary form", []any{1, 2}, new(point)},
			{"null into binary form", nil, new(point)},
			{"bad text", "123", new(uuid)},
			{"bad binary", []byte{1}, new(point)},
			{"JSON form refuses", map[string]any{"rate": 1}, new(money)},
			{"string into duration", "1s", new(time.Duration)},
			{"float with fraction into duration", 1.5, new(time.Duration)},
		} {
			err := ser.DecodeValue(mustEncodeValue(t, ser, tc.v), tc.dst)
			var de *wamp.DecodeError
			if !errors.As(err, &de) {
				t.Errorf("%s: %s: %v, want a *DecodeError", ser, tc.name, err)
			}
		}
		// A null entry leaves a text or binary field as it is.
		s := struct {
			ID uuid  `json:"id"`
			P  point `json:"p"`
		}{ID: anID, P: point{1, 1}}
		if err := ser.DecodeValue(mustEncodeValue(t, ser, map[string]any{"id": nil, "p": nil}), &s); err != nil || s.ID != anID || s.P != (point{1, 1}) {
			t.Errorf("%s: null entries: %+v, %v", ser, s, err)
		}
		// A null into a JSON form is what UnmarshalJSON makes of null.
		var m money
		if err := ser.DecodeValue(mustEncodeValue(t, ser, nil), &m); err == nil {
			t.Errorf("%s: null into money = %+v (money refuses incomplete JSON)", ser, m)
		}
		// A path names the field.
		var w struct {
			Ts []time.Time `json:"ts"`
		}
		err := ser.DecodeValue(mustEncodeValue(t, ser, map[string]any{"ts": []any{tUTC, "no"}}), &w)
		var de *wamp.DecodeError
		if !errors.As(err, &de) || de.Path != ".ts[1]" {
			t.Errorf("%s: bad time in a list: %v", ser, err)
		}
	}
}

// TestOwnFormEncodeErrors: a marshaler's error is an encoding error that
// names the type, and so is invalid JSON from a json.Marshaler.
func TestOwnFormEncodeErrors(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, v := range []any{badJSON{}, []any{failMarshaler{}}, map[string]failKwargs{"k": {}}, rawJSON("1 2"), rawJSON(""), rawJSON("[1]]")} {
			if _, err := ser.EncodeValue(v); err == nil {
				t.Errorf("%s: %#v encoded", ser, v)
			}
		}
	}
}

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { return []byte("{nope"), nil }
func (*badJSON) UnmarshalJSON([]byte) error  { return nil }

func offsetOf(t time.Time) int {
	_, off := t.Zone()
	return off
}

// diffExact describes how got differs from want: reflect.DeepEqual,
// except that two times are equal when they are the same instant with the
// same UTC offset (the location's name and the monotonic reading do not
// travel).
func diffExact(w, g reflect.Value, path string) string {
	if w.Type() != g.Type() {
		return fmt.Sprintf("%s: sent a %s, got a %s", path, w.Type(), g.Type())
	}
	if w.Type() == reflect.TypeFor[time.Time]() {
		tw, tg := w.Interface().(time.Time), g.Interface().(time.Time)
		if !tw.Equal(tg) || offsetOf(tw) != offsetOf(tg) {
			return fmt.Sprintf("%s: sent %s, got %s", path, tw.Format(time.RFC3339Nano), tg.Format(time.RFC3339Nano))
		}
		return ""
	}
	switch w.Kind() {
	case reflect.Pointer, reflect.Interface:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				return fmt.Sprintf("%s: sent %v, got %v", path, w, g)
			}
			return ""
		}
		return diffExact(w.Elem(), g.Elem(), path)
	case reflect.Slice, reflect.Array:
		if w.Kind() == reflect.Slice && w.IsNil() != g.IsNil() || w.Len() != g.Len() {
			return fmt.Sprintf("%s: sent %#v, got %#v", path, w, g)
		}
		for i := range w.Len() {
			if d := diffExact(w.Index(i), g.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if w.IsNil() != g.IsNil() || w.Len() != g.Len() {
			return fmt.Sprintf("%s: sent %#v, got %#v", path, w, g)
		}
		it := w.MapRange()
		for it.Next() {
			gv := g.MapIndex(it.Key())
			if w.Type().Key() == reflect.TypeFor[time.Time]() {
				// Time keys are equal by instant and offset, not by ==.
				for _, k := range g.MapKeys() {
					if diffExact(it.Key(), k, "") == "" {
						gv = g.MapIndex(k)
					}
				}
			}
			if !gv.IsValid() {
				return fmt.Sprintf("%s: key %v missing", path, it.Key())
			}
			if d := diffExact(it.Value(), gv, fmt.Sprintf("%s[%v]", path, it.Key())); d != "" {
				return d
			}
		}
		return ""
	case reflect.Struct:
		for i := range w.NumField() {
			if !w.Type().Field(i).IsExported() && !w.Type().Field(i).Anonymous {
				continue
			}
			if d := diffExact(w.Field(i), g.Field(i), path+"."+w.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(w.Interface(), g.Interface()) {
		return fmt.Sprintf("%s: sent %#v, got %#v", path, w, g)
	}
	return ""
}

// TestEncodeAllocsDoNotGrow: finding out whether a value holds an own form
// (a walk through interface values inside structs) and writing own forms
// allocate nothing per element: the allocations of one encoding are the
// same for 1 and for 200 elements.
func TestEncodeAllocsDoNotGrow(t *testing.T) {
	type meta struct {
		M map[string]any `json:"m"`
		L []any          `json:"l"`
		X any            `json:"x"`
		G map[int]any    `json:"g"`
	}
	msg := func(n int) *wamp.Result {
		m, l, g, ts := map[string]any{}, []any{}, map[int]any{}, []time.Time{}
		for i := range n {
			m[fmt.Sprint(i)] = i
			l = append(l, "s")
			g[i] = []any{i}
			ts = append(ts, tOffset)
		}
		return &wamp.Result{Request: 1, Args: wamp.ArgsOf(meta{M: m, L: l, X: map[string]any{"k": 1}, G: g}, ts),
			Kwargs: wamp.PayloadOf(meta{M: m})}
	}
	for _, ser := range wamp.Serializers() {
		buf := make([]byte, 0, 1<<16)
		var allocs [2]float64
		for i, n := range []int{1, 200} {
			m := msg(n)
			allocs[i] = testing.AllocsPerRun(20, func() {
				var err error
				if buf, err = ser.AppendEncode(buf[:0], m); err != nil {
					t.Fatal(err)
				}
			})
		}
		// A little slack: under the race detector sync.Pool drops items at
		// random, which costs an allocation now and then. Growth per
		// element would be hundreds.
		if allocs[1] > allocs[0]+3 {
			t.Errorf("%s: %v allocations for 1 element, %v for 200", ser, allocs[0], allocs[1])
		}
	}
}

// TestStandardLibraryOwnForms: common standard-library types with their
// own forms arrive intact between every pair of serializers: netip.Addr
// and *big.Int as their text, json.RawMessage as the JSON it holds.
func TestStandardLibraryOwnForms(t *testing.T) {
	addr := netip.MustParseAddr("2001:db8::1")
	big1, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	raw := json.RawMessage(`{"a":[1,2.5,"x",null,true,-3],"b":{"c":18446744073709551615},"d":"\u0000AQI="}`)
	for _, from := range wamp.Serializers() {
		for _, to := range wamp.Serializers() {
			var gotAddr netip.Addr
			if err := to.DecodeValue(relay(t, from, to, mustEncodeValue(t, from, addr)), &gotAddr); err != nil || gotAddr != addr {
				t.Errorf("%s→%s: netip.Addr %v, %v", from, to, gotAddr, err)
			}
			var gotBig *big.Int
			if err := to.DecodeValue(relay(t, from, to, mustEncodeValue(t, from, big1)), &gotBig); err != nil || gotBig == nil || gotBig.Cmp(big1) != 0 {
				t.Errorf("%s→%s: *big.Int %v, %v", from, to, gotBig, err)
			}
			var gotRaw json.RawMessage
			// The JSON travels as structure: a dictionary's key order is not
			// kept (routers hold dictionaries as maps), its values are.
			if err := to.DecodeValue(relay(t, from, to, mustEncodeValue(t, from, raw)), &gotRaw); err != nil || !sameJSON(t, gotRaw, raw) {
				t.Errorf("%s→%s: json.RawMessage %s, %v", from, to, gotRaw, err)
			}
		}
	}
}

// sameJSON reports whether a and b hold the same JSON value, numbers
// compared by their text.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	parse := func(data []byte) any {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		return v
	}
	return reflect.DeepEqual(parse(a), parse(b))
}
