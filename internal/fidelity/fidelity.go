// Package fidelity is a test service whose methods echo values of the
// types that used to change on the way between serializers: time.Time,
// time.Duration, types with their own text, binary or JSON form, and maps
// keyed by a text type, at every place a value can travel (argument,
// result, struct field, pointer, slice element, map key, progressive
// result, keyword argument, error field). Its test runs each of them
// through an embedded router for every caller × callee serializer pair and
// asks for exact equality. fidelity_wamp.go is generated from this file.
package fidelity

//go:generate go run github.com/wampgen/wampgen/cmd/wampgen

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Echo returns what it is given.
//
//wampgen:service prefix=com.example.fidelity
type Echo interface {
	// Time echoes a time.
	Time(ctx context.Context, t time.Time) (time.Time, error)
	// TimePtr echoes a pointer to a time (nil included).
	TimePtr(ctx context.Context, t *time.Time) (*time.Time, error)
	// Duration echoes a duration.
	Duration(ctx context.Context, d time.Duration) (time.Duration, error)
	// Ints echoes the extremes of 64-bit integers.
	Ints(ctx context.Context, i int64, u uint64) (int64, uint64, error)
	// Times echoes a list of times.
	Times(ctx context.Context, ts []time.Time) ([]time.Time, error)
	// Event echoes a struct with time, duration and UUID fields.
	Event(ctx context.Context, e Event) (Event, error)
	// UUID echoes a type with a text and a binary form.
	UUID(ctx context.Context, id UUID) (UUID, error)
	// Point echoes a type with only a binary form.
	Point(ctx context.Context, p Point) (Point, error)
	// Money echoes a type with only a JSON form.
	Money(ctx context.Context, m Money) (Money, error)
	// Ticks sends each of ts as a progressive result and returns how many
	// it sent.
	Ticks(ctx context.Context, ts []time.Time, progress func(time.Time) error) (int, error)
	// Stream returns each of ts as a streamed result.
	Stream(ctx context.Context, ts []time.Time) (iter.Seq2[time.Time, error], error)
	// Window echoes its keyword arguments.
	//
	//wampgen:procedure kwargs=true
	Window(ctx context.Context, w Window) (Window, error)
	// Expire fails with an *ExpiredError that carries at.
	Expire(ctx context.Context, at time.Time) error
	// Index echoes a map keyed by a type with a text form.
	Index(ctx context.Context, m map[UUID]int) (map[UUID]int, error)
}

// Event has fields of the types with their own wire form.
type Event struct {
	ID     UUID          `json:"id"`
	At     time.Time     `json:"at"`
	Until  *time.Time    `json:"until,omitempty"`
	Every  time.Duration `json:"every"`
	Seen   []time.Time   `json:"seen"`
	Origin Point         `json:"origin"`
	Price  Money         `json:"price"`
}

// Window holds the keyword arguments of Echo.Window.
type Window struct {
	From time.Time  `json:"from"`
	To   *time.Time `json:"to,omitempty"`
	ID   UUID       `json:"id"`
}

// ExpiredError is Expire's answer; At travels as ArgumentsKw {"at": …}.
//
//wampgen:error uri=com.example.fidelity.error.expired
type ExpiredError struct {
	At time.Time `json:"at"`
}

func (e *ExpiredError) Error() string { return "expired at " + e.At.Format(time.RFC3339Nano) }

// UUID is a 16-byte identifier with a text form (32 hex digits) and a
// binary form (its 16 bytes), the common case of a type with its own form.
type UUID [16]byte

// MarshalText returns the 32 hex digits of id.
func (id UUID) MarshalText() ([]byte, error) { return hex.AppendEncode(nil, id[:]), nil }

// UnmarshalText reads 32 hex digits.
func (id *UUID) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(id) {
		return fmt.Errorf("UUID: %d hex digits, want 32", len(b))
	}
	_, err := hex.Decode(id[:], b)
	return err
}

// MarshalBinary returns the 16 bytes of id.
func (id UUID) MarshalBinary() ([]byte, error) { return id[:], nil }

// UnmarshalBinary reads 16 bytes.
func (id *UUID) UnmarshalBinary(b []byte) error {
	if len(b) != len(id) {
		return fmt.Errorf("UUID: %d bytes, want 16", len(b))
	}
	copy(id[:], b)
	return nil
}

// Point has only a binary form: X and Y as two big-endian int32.
type Point struct {
	X, Y int32
}

// MarshalBinary returns the 8 bytes of p.
func (p Point) MarshalBinary() ([]byte, error) {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(p.X)), uint32(p.Y)), nil
}

// UnmarshalBinary reads 8 bytes.
func (p *Point) UnmarshalBinary(b []byte) error {
	if len(b) != 8 {
		return fmt.Errorf("Point: %d bytes, want 8", len(b))
	}
	p.X, p.Y = int32(binary.BigEndian.Uint32(b)), int32(binary.BigEndian.Uint32(b[4:]))
	return nil
}

// Money has only a JSON form, whose keys differ from its field names:
// {"cents": 1234, "currency": "EUR", "note": null}.
type Money struct {
	Cents    int64
	Currency string
}

type moneyJSON struct {
	Cents    int64   `json:"cents"`
	Currency string  `json:"currency"`
	Note     *string `json:"note"`
}

// MarshalJSON writes m as {"cents": …, "currency": …, "note": null}.
func (m Money) MarshalJSON() ([]byte, error) {
	return json.Marshal(moneyJSON{Cents: m.Cents, Currency: m.Currency})
}

// UnmarshalJSON reads what MarshalJSON writes; a currency is required.
func (m *Money) UnmarshalJSON(b []byte) error {
	var j moneyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Currency == "" {
		return errors.New("Money: no currency")
	}
	m.Cents, m.Currency = j.Cents, j.Currency
	return nil
}

// Service implements Echo.
type Service struct{}

var _ Echo = Service{}

func (Service) Time(_ context.Context, t time.Time) (time.Time, error)             { return t, nil }
func (Service) TimePtr(_ context.Context, t *time.Time) (*time.Time, error)        { return t, nil }
func (Service) Duration(_ context.Context, d time.Duration) (time.Duration, error) { return d, nil }
func (Service) Ints(_ context.Context, i int64, u uint64) (int64, uint64, error)   { return i, u, nil }
func (Service) Times(_ context.Context, ts []time.Time) ([]time.Time, error)       { return ts, nil }
func (Service) Event(_ context.Context, e Event) (Event, error)                    { return e, nil }
func (Service) UUID(_ context.Context, id UUID) (UUID, error)                      { return id, nil }
func (Service) Point(_ context.Context, p Point) (Point, error)                    { return p, nil }
func (Service) Money(_ context.Context, m Money) (Money, error)                    { return m, nil }
func (Service) Index(_ context.Context, m map[UUID]int) (map[UUID]int, error)      { return m, nil }
func (Service) Window(_ context.Context, w Window) (Window, error)                 { return w, nil }

func (Service) Expire(_ context.Context, at time.Time) error { return &ExpiredError{At: at} }

func (Service) Ticks(_ context.Context, ts []time.Time, progress func(time.Time) error) (int, error) {
	for _, t := range ts {
		if err := progress(t); err != nil {
			return 0, err
		}
	}
	return len(ts), nil
}

func (Service) Stream(_ context.Context, ts []time.Time) (iter.Seq2[time.Time, error], error) {
	return func(yield func(time.Time, error) bool) {
		for _, t := range ts {
			if !yield(t, nil) {
				return
			}
		}
	}, nil
}
