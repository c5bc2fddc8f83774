package fidelity_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wampgen/wampgen/internal/fidelity"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// Values the cases send. Their nanoseconds, offsets and years are the ones
// that changed on the way before: a fraction with 9 digits, an offset that
// is not whole hours, a time before 1970, the zero time.
var (
	utc     = time.Date(2026, 12, 7, 17, 21, 48, 123456789, time.UTC)
	offset  = time.Date(2026, 3, 1, 9, 30, 0, 500, time.FixedZone("IST", 5*3600+30*60))
	negOff  = time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(9*3600+30*60)))
	before  = time.Date(1969, 7, 20, 20, 17, 40, 1, time.UTC)
	now     = time.Now() // local, with a monotonic reading (dropped on the wire)
	id      = fidelity.UUID{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00}
	allTime = []time.Time{utc, offset, negOff, before, {}, now}
)

// A case calls one method of the service and checks the answer.
type fidelityCase struct {
	name string
	run  func(ctx context.Context, c *fidelity.EchoClient, sess *runtime.Session) error
}

// echo calls fn with want and checks that it returns a value equal to want.
func echo[T any](fn func(context.Context, T) (T, error), want T) func(context.Context, *fidelity.EchoClient, *runtime.Session) error {
	return func(ctx context.Context, _ *fidelity.EchoClient, _ *runtime.Session) error {
		got, err := fn(ctx, want)
		if err != nil {
			return err
		}
		return same(want, got)
	}
}

func cases() []fidelityCase {
	until := offset
	event := fidelity.Event{
		ID: id, At: utc, Until: &until, Every: 90*time.Minute + 1,
		Seen:   []time.Time{negOff, before},
		Origin: fidelity.Point{X: -7, Y: 1 << 30},
		Price:  fidelity.Money{Cents: -12345, Currency: "EUR"},
	}
	var cs []fidelityCase
	for i, tm := range allTime {
		name := "time/" + tm.Format(time.RFC3339Nano)
		if i == len(allTime)-1 {
			name = "time/now-local-monotonic" // a name that does not change from run to run
		}
		cs = append(cs, fidelityCase{name, func(ctx context.Context, c *fidelity.EchoClient, _ *runtime.Session) error {
			return echo(c.Time, tm)(ctx, c, nil)
		}})
	}
	cs = append(cs,
		fidelityCase{"time-pointer", func(ctx context.Context, c *fidelity.EchoClient, s *runtime.Session) error {
			t := offset
			return echo(c.TimePtr, &t)(ctx, c, s)
		}},
		fidelityCase{"time-pointer-nil", func(ctx context.Context, c *fidelity.EchoClient, s *runtime.Session) error {
			return echo(c.TimePtr, nil)(ctx, c, s)
		}},
		fidelityCase{"duration", func(ctx context.Context, c *fidelity.EchoClient, s *runtime.Session) error {
			return echo(c.Duration, -(1<<62+1))(ctx, c, s)
		}},
		fidelityCase{"int64-uint64", func(ctx context.Context, c *fidelity.EchoClient, _ *runtime.Session) error {
			for _, v := range []struct {
				i int64
				u uint64
			}{{math.MinInt64, math.MaxUint64}, {math.MaxInt64, 1<<53 + 1}, {-(1<<53 + 1), 0}} {
				i, u, err := c.Ints(ctx, v.i, v.u)
				if err != nil {
					return err
				}
				if i != v.i || u != v.u {
					return fmt.Errorf("sent %d, %d, got %d, %d", v.i, v.u, i, u)
				}
			}
			return nil
		}},
		fidelityCase{"time-slice", func(ctx context.Context, c *fidelity.EchoClient, s *runtime.Session) error {
			return echo(c.Times, allTime)(ctx, c, s)
		}},
		fidelityCase{"struct-fields", func(ctx context.Context, c *fidelity.EchoClient, s *runtime.Session) error {
			return echo(c.Event, event)(ctx, c, s)
		}},
		fidelityCase{"uuid-text-and-binary", func(ctx context.Context, c *fidelity.EchoClient, s *runtime.Session) error {
			return echo(c.UUID, id)(ctx, c, s)
		}},
		fidelityCase{"binary-marshaler", func(ctx context.Context, c *fidelity.EchoClient, s *runtime.Session) error {
			return echo(c.Point, fidelity.Point{X: -1, Y: 1<<31 - 1})(ctx, c, s)
		}},
		fidelityCase{"json-marshaler", func(ctx context.Context, c *fidelity.EchoClient, s *runtime.Session) error {
			return echo(c.Money, fidelity.Money{Cents: 1 << 53, Currency: "JPY"})(ctx, c, s)
		}},
		fidelityCase{"text-map-key", func(ctx context.Context, c *fidelity.EchoClient, s *runtime.Session) error {
			return echo(c.Index, map[fidelity.UUID]int{id: 1, {}: -2})(ctx, c, s)
		}},
		fidelityCase{"progress-callback", func(ctx context.Context, c *fidelity.EchoClient, _ *runtime.Session) error {
			var got []time.Time
			n, err := c.Ticks(ctx, allTime, func(t time.Time) error { got = append(got, t); return nil })
			if err != nil {
				return err
			}
			if n != len(allTime) {
				return fmt.Errorf("callee sent %d, want %d", n, len(allTime))
			}
			return same(allTime, got)
		}},
		fidelityCase{"progress-stream", func(ctx context.Context, c *fidelity.EchoClient, _ *runtime.Session) error {
			seq, err := c.Stream(ctx, allTime)
			if err != nil {
				return err
			}
			var got []time.Time
			for t, err := range seq {
				if err != nil {
					return err
				}
				got = append(got, t)
			}
			return same(allTime, got)
		}},
		fidelityCase{"kwargs", func(ctx context.Context, c *fidelity.EchoClient, s *runtime.Session) error {
			to := negOff
			return echo(c.Window, fidelity.Window{From: offset, To: &to, ID: id})(ctx, c, s)
		}},
		fidelityCase{"error-field", func(ctx context.Context, c *fidelity.EchoClient, _ *runtime.Session) error {
			err := c.Expire(ctx, offset)
			var e *fidelity.ExpiredError
			if !errors.As(err, &e) {
				return fmt.Errorf("got %v, want an *ExpiredError", err)
			}
			return same(offset, e.At)
		}},
	)
	return cs
}

// same reports how got differs from want. It is reflect.DeepEqual except
// for time.Time values, which are equal when they are the same instant
// (to the nanosecond) with the same UTC offset: the name of a location is
// not carried, nor the monotonic clock reading. Nothing else is normalised.
func same(want, got any) error {
	if d := diff(reflect.ValueOf(want), reflect.ValueOf(got), ""); d != "" {
		return errors.New(d)
	}
	return nil
}

var timeType = reflect.TypeFor[time.Time]()

func diff(w, g reflect.Value, path string) string {
	if !w.IsValid() || !g.IsValid() {
		if w.IsValid() != g.IsValid() {
			return fmt.Sprintf("%s: sent %v, got %v", path, w, g)
		}
		return ""
	}
	if w.Type() != g.Type() {
		return fmt.Sprintf("%s: sent a %s, got a %s", path, w.Type(), g.Type())
	}
	if w.Type() == timeType {
		wt, gt := w.Interface().(time.Time), g.Interface().(time.Time)
		_, wo := wt.Zone()
		_, gotOff := gt.Zone()
		if !wt.Equal(gt) || wo != gotOff {
			return fmt.Sprintf("%s: sent %s, got %s", path, wt.Format(time.RFC3339Nano), gt.Format(time.RFC3339Nano))
		}
		return ""
	}
	switch w.Kind() {
	case reflect.Pointer:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				return fmt.Sprintf("%s: sent %v, got %v", path, w, g)
			}
			return ""
		}
		return diff(w.Elem(), g.Elem(), path)
	case reflect.Slice:
		if w.IsNil() != g.IsNil() || w.Len() != g.Len() {
			return fmt.Sprintf("%s: sent %#v, got %#v", path, w, g)
		}
		for i := range w.Len() {
			if d := diff(w.Index(i), g.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Struct:
		for i := range w.NumField() {
			if d := diff(w.Field(i), g.Field(i), path+"."+w.Type().Field(i).Name); d != "" {
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

func dial(t *testing.T, r *router.Router, ser *wamp.Serializer) *runtime.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := runtime.Dial(ctx, r.WebSocketURL(), runtime.Config{Realm: router.DefaultRealm, Serializer: ser})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pairSessions are a callee session, serving the service, and a caller
// session, for one serializer pair.
type pairSessions struct {
	callee, caller *runtime.Session
	client         *fidelity.EchoClient
}

func startPair(t *testing.T, r *router.Router, callerSer, calleeSer *wamp.Serializer) *pairSessions {
	t.Helper()
	p := &pairSessions{callee: dial(t, r, calleeSer), caller: dial(t, r, callerSer)}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := fidelity.RegisterEcho(ctx, p.callee, fidelity.Service{}); err != nil {
		t.Fatal(err)
	}
	p.client = fidelity.NewEchoClient(p.caller)
	return p
}

// close ends both sessions; the router drops the registrations with the
// callee's session.
func (p *pairSessions) close() {
	_ = p.caller.Close()
	_ = p.callee.Close()
}

// TestFidelityMatrix sends every case through an embedded router for each
// of the 9 caller × callee serializer pairs and checks that the echo is
// exactly what was sent (see same). After a failed case both sessions are
// started afresh, so that a failure that ends a session (a protocol
// violation) does not fail the cases after it. With -v it logs the matrix.
func TestFidelityMatrix(t *testing.T) {
	r := routertest.New(t)
	cs := cases()
	results := map[string]map[string]bool{}
	var pairs []string
	for _, calleeSer := range wamp.Serializers() {
		for _, callerSer := range wamp.Serializers() {
			pair := callerSer.Name() + "→" + calleeSer.Name()
			pairs = append(pairs, pair)
			p := startPair(t, r, callerSer, calleeSer)
			for _, c := range cs {
				if results[c.name] == nil {
					results[c.name] = map[string]bool{}
				}
				t.Run(pair+"/"+c.name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					err := c.run(ctx, p.client, p.caller)
					results[c.name][pair] = err == nil
					if err != nil {
						t.Error(err)
						p.close()
						p = startPair(t, r, callerSer, calleeSer)
					}
				})
			}
			p.close()
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-40s", "case \\ caller→callee")
	for _, p := range pairs {
		fmt.Fprintf(&b, " %-16s", p)
	}
	for _, c := range cs {
		fmt.Fprintf(&b, "\n%-40s", c.name)
		for _, p := range pairs {
			mark := "FAIL"
			if results[c.name][p] {
				mark = "ok"
			}
			fmt.Fprintf(&b, " %-16s", mark)
		}
	}
	t.Logf("matrix:\n%s", b.String())
}
