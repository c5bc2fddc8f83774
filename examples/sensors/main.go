// Command sensors runs the README's second topics example
// (examples/sensors/sensors): an embedded router; a monitor that subscribes
// to every room's readings with one wildcard subscription and to the
// alerts; and a building's thermometers, which publish through the
// generated SensorsPublisher, each reading to its own room's topic. It
// prints what the monitor received and exits 1 if anything failed.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/wampgen/wampgen/examples/sensors/sensors"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

func main() {
	ctx := context.Background()
	r, err := router.Start(ctx, router.Config{WebSocketAddr: "127.0.0.1:0"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sensors:", err)
		os.Exit(1)
	}
	err = run(ctx, r.WebSocketURL(), os.Stdout)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sensors:", err)
		os.Exit(1)
	}
}

// temperatures are the readings the thermometers publish, by room.
var temperatures = map[string]float64{"kitchen": 21.5, "hall": 18, "attic": 30.25}

// run subscribes a monitor and publishes readings and alerts through the
// router at url (realm1), then waits until the monitor has them all.
func run(ctx context.Context, url string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	// The monitor: one subscription per topic of Sensors, the readings' a
	// wildcard one that takes every room's.
	display, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1"})
	if err != nil {
		return err
	}
	defer display.Close()
	monitor := &sensors.Monitor{}
	subs, err := sensors.SubscribeSensors(ctx, display, monitor)
	if err != nil {
		return err
	}
	defer subs.Unsubscribe(ctx)

	// The thermometers, on a session of their own.
	sess, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1", Serializer: wamp.CBOR})
	if err != nil {
		return err
	}
	defer sess.Close()
	pub := sensors.NewSensorsPublisher(sess)
	now := time.Now().UTC()
	for _, room := range slices.Sorted(maps.Keys(temperatures)) {
		// A wildcard topic is published to a concrete topic it matches.
		rctx := runtime.WithTopicURI(ctx, sensors.ReadingTopic(room))
		if err := pub.Reading(rctx, sensors.Reading{Celsius: temperatures[room], At: now}); err != nil {
			return err
		}
	}
	// Without one, nothing is sent.
	if err := pub.Reading(ctx, sensors.Reading{}); !errors.Is(err, runtime.ErrInvalidURI) {
		return fmt.Errorf("a reading without a room: got %v, want wamp.error.invalid_uri", err)
	}
	// Alerts are acknowledged: err is the router's answer. Per-call options
	// travel on the context: this one reaches the monitor's session only.
	if err := pub.Alert(ctx, sensors.Alert{Room: "attic", Message: "above 30 °C"}); err != nil {
		return err
	}
	only := runtime.WithPublishOptions(ctx, runtime.WithEligible(display.ID()))
	if err := pub.Alert(only, sensors.Alert{Room: "hall", Message: "window open"}); err != nil {
		return err
	}

	// Events arrive asynchronously: wait until the monitor has them all.
	for {
		if done(monitor) {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the monitor did not receive every event: %w (stats %+v)", ctx.Err(), subs.Stats())
		case <-time.After(10 * time.Millisecond):
		}
	}
	for _, room := range slices.Sorted(maps.Keys(temperatures)) {
		r, _ := monitor.Last(room)
		fmt.Fprintf(out, "%s: %.2f °C\n", room, r.Celsius)
	}
	for _, a := range monitor.Alerts() {
		fmt.Fprintln(out, "alert", a)
	}
	if st := subs.Stats(); st.Rejected+st.Failed+st.Dropped > 0 {
		return fmt.Errorf("events not delivered: %+v", st)
	}
	return nil
}

// done reports whether the monitor has every room's reading and both
// alerts.
func done(m *sensors.Monitor) bool {
	for room, c := range temperatures {
		if r, ok := m.Last(room); !ok || r.Celsius != c {
			return false
		}
	}
	return len(m.Alerts()) == 2
}
