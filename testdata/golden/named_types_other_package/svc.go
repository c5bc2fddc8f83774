// Package namedtypesotherpackage uses exported named types of other
// packages: the generated file imports them, under distinct names when two
// share one.
package namedtypesotherpackage

import (
	"context"
	"encoding/json"
	"net/netip"
	"time"

	amodel "github.com/wampgen/wampgen/testdata/golden/named_types_other_package/a/model"
	"github.com/wampgen/wampgen/testdata/golden/named_types_other_package/b/model"
)

// Net uses types from time, net/netip and encoding/json.
//
//wampgen:service prefix=com.example.net
type Net interface {
	Resolve(ctx context.Context, host string) (netip.Addr, error)
	Since(ctx context.Context, t time.Time) (time.Duration, error)
	Raw(ctx context.Context, msg json.RawMessage) ([]netip.Prefix, error)
	Schedule(ctx context.Context, at map[string]time.Time) error
	// Lift uses two packages both named model: the generated file
	// imports them under distinct names.
	Lift(ctx context.Context, p amodel.Point, z int) (model.Point, error)
}
