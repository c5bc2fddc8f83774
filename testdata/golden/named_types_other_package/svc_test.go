package namedtypesotherpackage

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
	amodel "github.com/wampgen/wampgen/testdata/golden/named_types_other_package/a/model"
	"github.com/wampgen/wampgen/testdata/golden/named_types_other_package/b/model"
	"github.com/wampgen/wampgen/wamp"
)

type netImpl struct{ scheduled map[string]time.Time }

func (n *netImpl) Resolve(ctx context.Context, host string) (netip.Addr, error) {
	return netip.MustParseAddr("192.0.2.7"), nil
}

func (n *netImpl) Since(ctx context.Context, t time.Time) (time.Duration, error) {
	return time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC).Sub(t), nil
}

func (n *netImpl) Raw(ctx context.Context, msg json.RawMessage) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	err := json.Unmarshal(msg, &ps)
	return ps, err
}

func (n *netImpl) Schedule(ctx context.Context, at map[string]time.Time) error {
	n.scheduled = at
	return nil
}

func (n *netImpl) Lift(ctx context.Context, p amodel.Point, z int) (model.Point, error) {
	return model.Point{X: p.X, Y: p.Y, Z: z}, nil
}

func TestGenerated(t *testing.T) {
	for _, ser := range []*wamp.Serializer{wamp.JSON, wamp.MsgPack, wamp.CBOR} {
		t.Run(ser.Name(), func(t *testing.T) {
			ctx := t.Context()
			r := routertest.New(t)
			impl := &netImpl{}
			if _, err := RegisterNet(ctx, dial(t, r.WebSocketURL(), ser), impl); err != nil {
				t.Fatal(err)
			}
			c := NewNetClient(dial(t, r.WebSocketURL(), ser))
			if a, err := c.Resolve(ctx, "example.com"); err != nil || a != netip.MustParseAddr("192.0.2.7") {
				t.Errorf("Resolve = %v, %v", a, err)
			}
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			if d, err := c.Since(ctx, start); err != nil || d != time.Second {
				t.Errorf("Since = %v, %v", d, err)
			}
			want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
			if ps, err := c.Raw(ctx, json.RawMessage(`["10.0.0.0/8"]`)); err != nil || !slices.Equal(ps, want) {
				t.Errorf("Raw = %v, %v", ps, err)
			}
			if p, err := c.Lift(ctx, amodel.Point{X: 1, Y: 2}, 3); err != nil || p != (model.Point{X: 1, Y: 2, Z: 3}) {
				t.Errorf("Lift = %v, %v", p, err)
			}
			if err := c.Schedule(ctx, map[string]time.Time{"a": start}); err != nil || !impl.scheduled["a"].Equal(start) {
				t.Errorf("Schedule: %v, callee got %v", err, impl.scheduled)
			}
		})
	}
}

func dial(t *testing.T, url string, ser *wamp.Serializer) *runtime.Session {
	t.Helper()
	s, err := runtime.Dial(t.Context(), url, runtime.Config{Realm: router.DefaultRealm, Serializer: ser})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
