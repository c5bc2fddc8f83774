package wamp_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

// Baselines for profiling: a typical CALL with a few positional arguments
// and options, and a typical RESULT, per serializer.

func benchCall() *wamp.Call {
	return &wamp.Call{Request: 12345, Options: wamp.Dict{"timeout": 5000, "receive_progress": true},
		Procedure: "com.example.calc.add", Args: wamp.ArgsOf(1.5, 2, "three", []byte{4, 5, 6})}
}

func BenchmarkEncodeCall(b *testing.B) {
	for _, ser := range wamp.Serializers() {
		b.Run(ser.Name(), func(b *testing.B) {
			m := benchCall()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ser.Encode(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeCall decodes the CALL of benchCall: what the runtime of a
// callee's router-side peer, or of a test router, reads per call.
func BenchmarkDecodeCall(b *testing.B) {
	for _, ser := range wamp.Serializers() {
		b.Run(ser.Name(), func(b *testing.B) {
			data := mustEncode(b, ser, benchCall())
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ser.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeResult(b *testing.B) {
	for _, ser := range wamp.Serializers() {
		b.Run(ser.Name(), func(b *testing.B) {
			data := mustEncode(b, ser, &wamp.Result{Request: 12345, Details: wamp.Dict{"progress": false},
				Args: wamp.ArgsOf(42.5, "answer", []any{1, 2, 3}), Kwargs: wamp.PayloadOf(map[string]any{"unit": "m"})})
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ser.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeResultLongArgs decodes RESULTs whose Arguments are lists
// of 200 integers or 200 short strings, where Decode's time goes into
// walking the payload: it shows what each walk over a message costs.
func BenchmarkDecodeResultLongArgs(b *testing.B) {
	ints := make([]any, 200)
	strs := make([]any, 200)
	for i := range ints {
		ints[i] = i * 1000
		strs[i] = "item-" + strconv.Itoa(i)
	}
	for _, args := range []struct {
		name string
		list []any
	}{{"ints", ints}, {"strings", strs}} {
		for _, ser := range wamp.Serializers() {
			b.Run(args.name+"/"+ser.Name(), func(b *testing.B) {
				data := mustEncode(b, ser, &wamp.Result{Request: 12345, Args: wamp.ArgsOf(args.list...)})
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := ser.Decode(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDecodeResultTyped adds the typed decoding of the arguments, as
// a generated client does.
func BenchmarkDecodeResultTyped(b *testing.B) {
	type kw struct {
		Unit string `json:"unit"`
	}
	for _, ser := range wamp.Serializers() {
		b.Run(ser.Name(), func(b *testing.B) {
			data := mustEncode(b, ser, &wamp.Result{Request: 12345,
				Args: wamp.ArgsOf(42.5, "answer", []any{1, 2, 3}), Kwargs: wamp.PayloadOf(map[string]any{"unit": "m"})})
			b.ReportAllocs()
			for b.Loop() {
				m, err := ser.Decode(data)
				if err != nil {
					b.Fatal(err)
				}
				r := m.(*wamp.Result)
				vals, err := r.Args.List()
				if err != nil {
					b.Fatal(err)
				}
				var (
					f  float64
					s  string
					is []int
					k  kw
				)
				if err := vals[0].Decode(&f); err != nil {
					b.Fatal(err)
				}
				if err := vals[1].Decode(&s); err != nil {
					b.Fatal(err)
				}
				if err := vals[2].Decode(&is); err != nil {
					b.Fatal(err)
				}
				if err := r.Kwargs.Decode(&k); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchStats is a struct result without fields of a type with its own wire
// form: the common typed payload, which must keep the codec's fast path.
type benchStats struct {
	Count int     `json:"count"`
	Sum   float64 `json:"sum"`
	Mean  float64 `json:"mean"`
	Name  string  `json:"name"`
	Tags  []string
}

// BenchmarkEncodeResultStruct encodes a RESULT carrying structs as a
// generated callee sends them (ArgsOf of a struct, PayloadOf of a struct).
func BenchmarkEncodeResultStruct(b *testing.B) {
	st := benchStats{Count: 3, Sum: 6.5, Mean: 2.1666, Name: "stats", Tags: []string{"a", "b"}}
	for _, ser := range wamp.Serializers() {
		b.Run(ser.Name(), func(b *testing.B) {
			m := &wamp.Result{Request: 12345, Args: wamp.ArgsOf(st, 7), Kwargs: wamp.PayloadOf(st)}
			buf := make([]byte, 0, 512)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = ser.AppendEncode(buf[:0], m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchEvent holds values with their own wire form (a time, a text
// marshaler): they take this package's encoder instead of the codec's.
type benchEvent struct {
	At    time.Time  `json:"at"`
	Until *time.Time `json:"until,omitempty"`
	Name  string     `json:"name"`
	Count int        `json:"count"`
}

// BenchmarkOwnForms encodes a RESULT with a time argument and a struct
// holding times, and decodes them back into their types: the cost of the
// own-form paths.
func BenchmarkOwnForms(b *testing.B) {
	at := time.Date(2026, 12, 7, 17, 21, 48, 123456789, time.UTC)
	ev := benchEvent{At: at, Until: &at, Name: "e", Count: 3}
	for _, ser := range wamp.Serializers() {
		b.Run("encode/"+ser.Name(), func(b *testing.B) {
			m := &wamp.Result{Request: 12345, Args: wamp.ArgsOf(at, ev)}
			buf := make([]byte, 0, 512)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = ser.AppendEncode(buf[:0], m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("decode/"+ser.Name(), func(b *testing.B) {
			r := mustDecode(b, ser, mustEncode(b, ser, &wamp.Result{Request: 12345, Args: wamp.ArgsOf(at, ev)})).(*wamp.Result)
			vals, err := r.Args.List()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				var t time.Time
				var e benchEvent
				if err := vals[0].Decode(&t); err != nil {
					b.Fatal(err)
				}
				if err := vals[1].Decode(&e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
