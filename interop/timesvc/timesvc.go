// Package timesvc is the interop suite's time service: a small contract
// whose values are a time.Time and a time.Duration, so that the suite can
// hold JavaScript peers to the way wampgen carries them (an RFC 3339 string
// with up to nine fractional digits, and integer nanoseconds). The
// calculator's contract stays free of time; this one is only for tests.
//
//wampgen:typescript dir=.
package timesvc

//go:generate go run github.com/wampgen/wampgen/cmd/wampgen

import (
	"context"
	"time"
)

// Clock does arithmetic on instants, in realm realm1.
//
//wampgen:service prefix=com.example.interop.time
type Clock interface {
	// Echo returns t as it arrived: the same instant, the same offset,
	// every nanosecond.
	Echo(ctx context.Context, t time.Time) (time.Time, error)
	// Shift returns t+d, in t's offset.
	Shift(ctx context.Context, t time.Time, d time.Duration) (time.Time, error)
}

// Service is the Go implementation of Clock.
type Service struct{}

// Echo returns t.
func (Service) Echo(ctx context.Context, t time.Time) (time.Time, error) { return t, nil }

// Shift returns t.Add(d).
func (Service) Shift(ctx context.Context, t time.Time, d time.Duration) (time.Time, error) {
	return t.Add(d), nil
}
