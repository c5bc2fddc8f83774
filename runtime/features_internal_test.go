package runtime

import (
	"strings"
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

// TestAnnouncedFeatures: a feature counts only when announced as true
// under its own role; anything else in WELCOME.Details is no feature and
// no panic.
func TestAnnouncedFeatures(t *testing.T) {
	for _, c := range []struct {
		name    string
		details wamp.Dict
		want    routerFeatures
	}{
		{"nil", nil, 0},
		{"no roles", wamp.Dict{}, 0},
		{"roles not a dict", wamp.Dict{"roles": []any{"dealer"}}, 0},
		{"role not a dict", wamp.Dict{"roles": wamp.Dict{"dealer": true}}, 0},
		{"features not a dict", wamp.Dict{"roles": wamp.Dict{"dealer": wamp.Dict{"features": []any{"call_canceling"}}}}, 0},
		{"only true counts", wamp.Dict{"roles": wamp.Dict{"dealer": wamp.Dict{"features": wamp.Dict{
			"call_canceling": true, "call_timeout": "true", "caller_identification": 1, "progressive_call_results": false,
		}}}}, dealerCallCanceling},
		{"a broker feature under dealer is not the broker's", wamp.Dict{"roles": wamp.Dict{"dealer": wamp.Dict{"features": wamp.Dict{
			"pattern_based_subscription": true,
		}}}}, 0},
		{"each under its role", wamp.Dict{"roles": wamp.Dict{
			"dealer": wamp.Dict{"features": wamp.Dict{"shared_registration": true, "pattern_based_registration": true}},
			"broker": wamp.Dict{"features": wamp.Dict{"publisher_exclusion": true, "pattern_based_subscription": true}},
		}}, dealerSharedRegistration | dealerPatternBasedRegistration | brokerPublisherExclusion | brokerPatternBasedSubscription},
	} {
		if got := announcedFeatures(c.details); got != c.want {
			t.Errorf("%s: %b, want %b", c.name, got, c.want)
		}
	}
	if len(featureNames) != 11 || dealerProgressiveCallInvocations != 1<<(len(featureNames)-1) {
		t.Fatalf("featureNames (%d) does not match the routerFeatures bits", len(featureNames))
	}
	err := missing(dealerSharedRegistration, "invoke=roundrobin")
	if e, ok := err.(*Error); !ok || e.URI != wamp.ErrFeatureNotSupported {
		t.Fatalf("missing = %#v", err)
	}
	if got := err.Error(); got == "" || !strings.Contains(got, "dealer feature shared_registration") || !strings.Contains(got, "invoke=roundrobin") {
		t.Errorf("missing says %q", got)
	}
}
