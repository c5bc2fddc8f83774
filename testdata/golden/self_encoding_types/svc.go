// Package selfencodingtypes uses types that encode themselves, which
// travel as their marshaler pair gives them and are not looked into, and
// structs whose exported fields travel.
package selfencodingtypes

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"
)

// UUID is the common case: a byte array travelling as text. MarshalText
// has a value receiver, UnmarshalText a pointer receiver.
type UUID [16]byte

// MarshalText spells the UUID in hex.
func (u UUID) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(u[:])), nil }

// UnmarshalText reads what MarshalText wrote.
func (u *UUID) UnmarshalText(text []byte) error {
	if hex.DecodedLen(len(text)) != len(u) {
		return errors.New("bad UUID")
	}
	_, err := hex.Decode(u[:], text)
	return err
}

// Blob travels as binary; its fields are unexported, which does not
// matter, since the pair encodes it.
type Blob struct{ data []byte }

// MarshalBinary returns the bytes.
func (b Blob) MarshalBinary() ([]byte, error) { return b.data, nil }

// UnmarshalBinary keeps a copy of data.
func (b *Blob) UnmarshalBinary(data []byte) error {
	b.data = append([]byte(nil), data...)
	return nil
}

// Raw travels as its JSON value; the channel inside is never looked at.
type Raw struct {
	v    json.RawMessage
	done chan struct{}
}

// MarshalJSON returns the value.
func (r Raw) MarshalJSON() ([]byte, error) { return r.v, nil }

// UnmarshalJSON keeps the value.
func (r *Raw) UnmarshalJSON(b []byte) error {
	r.v = append(json.RawMessage(nil), b...)
	return nil
}

// Stamp embeds time.Time, whose marshalers it gets: it travels as a time.
type Stamp struct{ time.Time }

// Event mixes the kinds above with ordinary fields.
type Event struct {
	ID      UUID          `json:"id"`
	At      time.Time     `json:"at"`
	Seen    *time.Time    `json:"seen,omitempty"`
	Took    time.Duration `json:"took"`
	By      map[UUID]int  `json:"by"`
	note    string        // unexported: stays home, the others travel
	Ignored string        `json:"-"`
	embedded
}

// embedded is unexported, but its exported fields are inlined into Event.
type embedded struct {
	Source string `json:"source"`
}

// Tagged travels under its codec tag, which comes before the json tag.
type Tagged struct {
	A int `codec:"a" json:"-"`
}

// Gone is an error type without fields: its URI says it all.
//
//wampgen:error uri=com.example.events.error.gone
type Gone struct{}

func (Gone) Error() string { return "gone" }

// Events uses every kind.
//
//wampgen:service prefix=com.example.events
type Events interface {
	Get(ctx context.Context, id UUID) (Event, error)
	Blobs(ctx context.Context, b []Blob, r *Raw) (map[string]Blob, error)
	When(ctx context.Context, s Stamp, d time.Duration) (time.Time, error)
	Index(ctx context.Context, byID map[UUID]string) ([]UUID, error)
	Tags(ctx context.Context, t Tagged) error
}
