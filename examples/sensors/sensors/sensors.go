// Package sensors is the second topics example of the README: the
// thermometers of a building publish readings, each to its room's topic
// com.example.sensor.ROOM.reading, and a monitor takes them all with one
// wildcard subscription, learning each reading's room from the event's
// concrete topic. Alerts travel as keyword arguments, acknowledged by the
// router, with their publisher disclosed. sensors_wamp.go is generated.
package sensors

//go:generate go run github.com/wampgen/wampgen/cmd/wampgen

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Reading is one measurement of a thermometer.
type Reading struct {
	Celsius float64   `json:"celsius"`
	At      time.Time `json:"at"`
}

// Alert is what a sensor raises when something is wrong.
type Alert struct {
	Room    string `json:"room"`
	Message string `json:"message"`
}

// Sensors are the events of the building's sensors.
//
//wampgen:topics prefix=com.example.sensor
type Sensors interface {
	// Reading is published by each room's thermometer to
	// com.example.sensor.ROOM.reading; subscribers take every room's.
	//
	//wampgen:topic uri=com.example.sensor..reading match=wildcard
	Reading(ctx context.Context, r Reading) error
	// Alert (com.example.sensor.alert) waits for the router's
	// acknowledgement and tells subscribers who raised it.
	//
	//wampgen:topic kwargs=true acknowledge=true disclose_publisher=true
	Alert(ctx context.Context, a Alert) error
}

// ReadingTopic returns the topic of room's readings. room must be one URI
// component (no dots, no spaces); PublishEvent refuses any other topic.
func ReadingTopic(room string) wamp.URI {
	return wamp.URI("com.example.sensor." + room + ".reading")
}

// Monitor keeps the last reading of every room and the alerts raised: a
// subscriber of Sensors (SubscribeSensors). Its methods are called one
// event at a time per topic, from two subscriptions at once.
type Monitor struct {
	mu     sync.Mutex
	last   map[string]Reading
	alerts []string
}

var _ Sensors = (*Monitor)(nil)

// Reading records r as the last reading of the room that published it,
// which the event's concrete topic names.
func (m *Monitor) Reading(ctx context.Context, r Reading) error {
	ev, ok := runtime.EventFromContext(ctx)
	if !ok {
		return errors.New("a reading without its event: not called by a subscription")
	}
	room, ok := strings.CutPrefix(string(ev.Topic), "com.example.sensor.")
	room, ok2 := strings.CutSuffix(room, ".reading")
	if !ok || !ok2 {
		return fmt.Errorf("a reading on %s, not a room's topic", ev.Topic)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.last == nil {
		m.last = map[string]Reading{}
	}
	m.last[room] = r
	return nil
}

// Alert records a, with the session that raised it.
func (m *Monitor) Alert(ctx context.Context, a Alert) error {
	from := "an undisclosed publisher"
	if ev, ok := runtime.EventFromContext(ctx); ok && ev.Publisher != 0 {
		from = fmt.Sprintf("session %d", ev.Publisher)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts = append(m.alerts, fmt.Sprintf("%s: %s (from %s)", a.Room, a.Message, from))
	return nil
}

// Last returns the last reading of room.
func (m *Monitor) Last(room string) (Reading, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.last[room]
	return r, ok
}

// Alerts returns the alerts received so far, in order.
func (m *Monitor) Alerts() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.alerts...)
}
