package gen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

// TestPolicyWireStrings checks that each policy value is the wire string
// package wamp defines, which the runtime and the router use.
func TestPolicyWireStrings(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{string(MatchExact), wamp.MatchExact},
		{string(MatchPrefix), wamp.MatchPrefix},
		{string(MatchWildcard), wamp.MatchWildcard},
		{string(InvokeSingle), wamp.InvokeSingle},
		{string(InvokeRoundRobin), wamp.InvokeRoundRobin},
		{string(InvokeRandom), wamp.InvokeRandom},
		{string(InvokeFirst), wamp.InvokeFirst},
		{string(InvokeLast), wamp.InvokeLast},
		{string(CancelSkip), wamp.CancelSkip},
		{string(CancelKill), wamp.CancelKill},
		{string(CancelKillNoWait), wamp.CancelKillNoWait},
	} {
		if tt.got != tt.want {
			t.Errorf("policy %q, wamp's wire string %q", tt.got, tt.want)
		}
	}
}

// TestPolicyDirectiveValues checks that //wampgen:procedure accepts every
// value of each policy type, puts it typed into the model, and refuses any
// other value with a diagnostic listing exactly the policy's values.
func TestPolicyDirectiveValues(t *testing.T) {
	for key, values := range map[string][]string{
		"match":  spellings(matchPolicies),
		"invoke": spellings(invokePolicies),
		"cancel": spellings(cancelModes),
	} {
		for _, v := range values {
			src := fmt.Sprintf("package x\n\ntype S interface {\n\t//wampgen:procedure %s=%s\n\tM()\n}\n", key, v)
			_, ds, diags := scan(t, src)
			if len(diags) != 0 {
				t.Errorf("%s=%s: %v", key, v, diags)
				continue
			}
			a, ok := ds.all[0].arg(key)
			if !ok || a.value != v {
				t.Errorf("%s=%s: read %q", key, v, a.value)
			}
		}
		src := fmt.Sprintf("package x\n\ntype S interface {\n\t//wampgen:procedure %s=bogus\n\tM()\n}\n", key)
		_, _, diags := scan(t, src)
		want := fmt.Sprintf("%s=\"bogus\" is not allowed (allowed values: %s)", key, strings.Join(values, ", "))
		if len(diags) != 1 || !strings.Contains(diags[0].Message, want) {
			t.Errorf("%s=bogus: diagnostics %v, want one containing %q", key, diags, want)
		}
	}
}

func TestMatchPolicyIsPattern(t *testing.T) {
	for p, want := range map[MatchPolicy]bool{"": false, MatchExact: false, MatchPrefix: true, MatchWildcard: true} {
		if got := p.IsPattern(); got != want {
			t.Errorf("MatchPolicy(%q).IsPattern() = %v, want %v", p, got, want)
		}
	}
}
