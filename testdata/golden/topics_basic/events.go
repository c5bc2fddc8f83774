// Package topics_basic declares topics with positional arguments: none,
// one and several.
package topics_basic

import (
	"context"
	"time"
)

// Reading is one sensor reading.
type Reading struct {
	Sensor string    `json:"sensor"`
	Value  float64   `json:"value"`
	At     time.Time `json:"at"`
	Raw    []byte    `json:"raw,omitempty"`
}

// Events are a sensor's events.
//
//wampgen:topics prefix=com.example.sensor
type Events interface {
	// Started has no payload.
	Started(ctx context.Context) error
	// Measured carries one reading.
	Measured(ctx context.Context, r Reading) error
	// Moved carries several values.
	Moved(ctx context.Context, x, y float64, label string, at time.Time, blob []byte) error
}
