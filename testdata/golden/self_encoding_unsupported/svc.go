// Package selfencodingunsupported uses types the runtime cannot carry
// the same way in every serializer, or that travel as {}.
package selfencodingunsupported

import (
	"context"
	"time"

	"github.com/ugorji/go/codec"
)

// SendOnly has MarshalText but no UnmarshalText.
type SendOnly [16]byte

// MarshalText spells it.
func (SendOnly) MarshalText() ([]byte, error) { return nil, nil }

// ReceiveOnly has UnmarshalText but no MarshalText.
type ReceiveOnly string

// UnmarshalText reads it.
func (*ReceiveOnly) UnmarshalText([]byte) error { return nil }

// JSONOut has MarshalJSON only.
type JSONOut struct{ A int }

// MarshalJSON spells it.
func (JSONOut) MarshalJSON() ([]byte, error) { return nil, nil }

// BinaryIn has UnmarshalBinary only.
type BinaryIn struct{ A int }

// UnmarshalBinary reads it.
func (*BinaryIn) UnmarshalBinary([]byte) error { return nil }

// Self encodes itself through the codec, differently per serializer.
type Self struct{ A int }

// CodecEncodeSelf encodes it.
func (Self) CodecEncodeSelf(*codec.Encoder) {}

// CodecDecodeSelf decodes it.
func (*Self) CodecDecodeSelf(*codec.Decoder) {}

// Hidden has only unexported fields.
type Hidden struct{ a, b int }

// Skipped tags its only field "-".
type Skipped struct {
	A int `json:"-"`
	b int
}

// CodecSkipped is skipped by its codec tag, whatever its json tag says.
type CodecSkipped struct {
	A int `codec:"-" json:"a"`
}

// Outer holds a Hidden deep inside.
type Outer struct {
	Name  string
	Inner []map[string]*Hidden
}

// inner has exported fields, but a pointer to it cannot be allocated.
type inner struct{ A int }

// ByPointer embeds a pointer to an unexported struct.
type ByPointer struct{ *inner }

// Point is a struct key.
type Point struct{ X, Y int }

// BinaryKey has a binary pair, not a text pair.
type BinaryKey [4]byte

// MarshalBinary returns the bytes.
func (k BinaryKey) MarshalBinary() ([]byte, error) { return k[:], nil }

// UnmarshalBinary reads them.
func (k *BinaryKey) UnmarshalBinary(b []byte) error { copy(k[:], b); return nil }

// HalfKey is a string key with MarshalText only.
type HalfKey string

// MarshalText spells it.
func (HalfKey) MarshalText() ([]byte, error) { return nil, nil }

// Stamped embeds time.Time next to a field of its own: it gets time.Time's
// marshalers, so it would travel as a time and Note would be lost.
type Stamped struct {
	time.Time
	Note string
}

// Deep embeds Stamped, and so gets the same marshalers, two levels down.
type Deep struct{ Stamped }

// Svc has parameters and results the runtime cannot carry exactly.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	Send(ctx context.Context, s SendOnly) error
	Receive(ctx context.Context) (ReceiveOnly, error)
	JSON(ctx context.Context, j []JSONOut) error
	Binary(ctx context.Context, b *BinaryIn) error
	Selfer(ctx context.Context, s Self) error
	Hidden(ctx context.Context, h Hidden) error
	Skipped(ctx context.Context) (Skipped, error)
	Nested(ctx context.Context, o Outer) error
	Anonymous(ctx context.Context, a struct{ x int }) error
	Empty(ctx context.Context, e struct{}) error
	Pointer(ctx context.Context, p ByPointer) error
	StructKey(ctx context.Context, m map[Point]int) error
	BinaryKey(ctx context.Context, m map[BinaryKey]int) error
	HalfKey(ctx context.Context, m map[HalfKey]int) error
	Progress(ctx context.Context, progress func(Hidden) error) error
	CodecSkipped(ctx context.Context, c CodecSkipped) error
	Stamped(ctx context.Context, s Stamped) error
	Deep(ctx context.Context) (Deep, error)
}
