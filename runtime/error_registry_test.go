package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

// An API's v1 and v2 packages side by side, each declaring the same error
// URIs its own way.
var (
	errV1NotFound = errors.New("v1: item not found")
	errV2NotFound = errors.New("v2: item not found")
	errV2Other    = errors.New("v2: something else")
)

type v1QuotaError struct {
	Limit int `json:"limit"`
}

func (e *v1QuotaError) Error() string { return fmt.Sprintf("v1: quota %d", e.Limit) }

type v2QuotaError struct {
	Limit int    `json:"limit"`
	Scope string `json:"scope"`
}

func (e v2QuotaError) Error() string { return fmt.Sprintf("v2: quota %d in %s", e.Limit, e.Scope) }

const (
	notFoundURI wamp.URI = "com.test.error.not_found"
	quotaURI    wamp.URI = "com.test.error.quota"
	mixedURI    wamp.URI = "com.test.error.mixed"
)

// versionedRegistry registers v1 first, then v2, as two packages' init
// functions would, under the same URIs.
func versionedRegistry(t *testing.T) *runtime.ErrorRegistry {
	t.Helper()
	reg := runtime.NewErrorRegistry()
	if err := errors.Join(
		reg.RegisterSentinel(notFoundURI, errV1NotFound),
		runtime.RegisterErrorType[*v1QuotaError](reg, quotaURI),
		reg.RegisterSentinel(notFoundURI, errV2NotFound),
		runtime.RegisterErrorType[v2QuotaError](reg, quotaURI),
		reg.RegisterSentinel(mixedURI, errV2Other), // another URI
	); err != nil {
		t.Fatal(err)
	}
	return reg
}

// roundTrip sends err through reg as a callee would and builds the error a
// caller receives.
func roundTrip(reg *runtime.ErrorRegistry, err error) *runtime.Error {
	uri, args, kwargs := reg.ToWire(err)
	return reg.FromWire(uri, wamp.Dict{}, args, kwargs)
}

func TestErrorRegistryTwoSentinelsOneURI(t *testing.T) {
	reg := versionedRegistry(t)
	for _, sent := range []error{errV1NotFound, errV2NotFound, fmt.Errorf("wrapped: %w", errV2NotFound)} {
		if uri, _, _ := reg.ToWire(sent); uri != notFoundURI {
			t.Errorf("ToWire(%v) = %s", sent, uri)
		}
		got := roundTrip(reg, sent)
		if !errors.Is(got, errV1NotFound) || !errors.Is(got, errV2NotFound) {
			t.Errorf("%v arrived as %v: errors.Is v1 %v, v2 %v", sent, got, errors.Is(got, errV1NotFound), errors.Is(got, errV2NotFound))
		}
		if errors.Is(got, errV2Other) || errors.Is(got, errSentinel) {
			t.Errorf("%v arrived as %v, which matches an error of another URI", sent, got)
		}
		if got.Unwrap() != errV1NotFound {
			t.Errorf("%v arrived wrapping %v, want the first registered", sent, got.Unwrap())
		}
	}
}

func TestErrorRegistryTwoTypesOneURI(t *testing.T) {
	reg := versionedRegistry(t)
	sent := []error{&v1QuotaError{Limit: 7}, v2QuotaError{Limit: 7, Scope: "disk"}, &v2QuotaError{Limit: 7, Scope: "disk"}}
	for _, s := range sent {
		got := roundTrip(reg, s)
		if got.URI != quotaURI {
			t.Fatalf("%v arrived as %v", s, got)
		}
		var v1 *v1QuotaError
		var v2 v2QuotaError
		if !errors.As(got, &v1) || v1.Limit != 7 {
			t.Errorf("%v: errors.As v1 gives %+v", s, v1)
		}
		if !errors.As(got, &v2) || v2.Limit != 7 {
			t.Errorf("%v: errors.As v2 gives %+v", s, v2)
		}
		if _, isV1 := s.(*v1QuotaError); !isV1 && v2.Scope != "disk" {
			t.Errorf("%v: v2's own field lost: %+v", s, v2)
		}
		var other *quotaError
		if errors.As(got, &other) {
			t.Errorf("%v: errors.As reached a type of another URI", s)
		}
		// The cause is the first type registered, v1's.
		if _, ok := got.Unwrap().(*v1QuotaError); !ok {
			t.Errorf("%v arrived wrapping %T, want *v1QuotaError", s, got.Unwrap())
		}
	}
}

func TestErrorRegistryMixedOneURI(t *testing.T) {
	reg := runtime.NewErrorRegistry()
	if err := errors.Join(
		reg.RegisterSentinel(mixedURI, errV1NotFound),
		runtime.RegisterErrorType[v2QuotaError](reg, mixedURI),
	); err != nil {
		t.Fatal(err)
	}
	fromType := roundTrip(reg, v2QuotaError{Limit: 3, Scope: "cpu"})
	var v2 v2QuotaError
	if fromType.URI != mixedURI || !errors.Is(fromType, errV1NotFound) || !errors.As(fromType, &v2) || v2 != (v2QuotaError{3, "cpu"}) {
		t.Errorf("v2's type arrived as %v (as v2: %+v)", fromType, v2)
	}
	fromSentinel := roundTrip(reg, errV1NotFound)
	v2 = v2QuotaError{}
	if !errors.Is(fromSentinel, errV1NotFound) || !errors.As(fromSentinel, &v2) || v2 != (v2QuotaError{}) {
		t.Errorf("v1's sentinel arrived as %v (as v2: %+v)", fromSentinel, v2)
	}
	// A payload that does not fit the type: errors.As says no, and does
	// not panic.
	bad := reg.FromWire(mixedURI, wamp.Dict{}, wamp.Payload{}, wamp.PayloadOf(map[string]any{"limit": "many"}))
	if errors.As(bad, &v2) {
		t.Errorf("a payload that does not decode matched: %+v", v2)
	}
	if !errors.Is(bad, errV1NotFound) {
		t.Errorf("%v does not match the sentinel", bad)
	}
}

// TestErrorRegistryRefusals: what stays an error, and what is a no-op.
func TestErrorRegistryRefusals(t *testing.T) {
	reg := versionedRegistry(t)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"same pair again", reg.RegisterSentinel(notFoundURI, errV2NotFound), ""},
		{"same type again", runtime.RegisterErrorType[v2QuotaError](reg, quotaURI), ""},
		{"sentinel under a second URI", reg.RegisterSentinel("com.test.error.other", errV1NotFound), "already registered"},
		{"type under a second URI", runtime.RegisterErrorType[*v1QuotaError](reg, "com.test.error.other"), "already registered"},
		{"nil", reg.RegisterSentinel("com.test.error.nil", nil), "nil"},
		{"non-comparable", reg.RegisterSentinel("com.test.error.slice", sliceError{}), "comparable"},
		{"invalid URI", reg.RegisterSentinel("com..bad", errors.New("x")), "URI"},
		{"invalid URI for a type", runtime.RegisterErrorType[*quotaError](reg, "not a uri"), "URI"},
		{"not a struct", runtime.RegisterErrorType[stringError](reg, "com.test.error.string"), "struct"},
	} {
		if tc.want == "" {
			if tc.err != nil {
				t.Errorf("%s: %v", tc.name, tc.err)
			}
			continue
		}
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error saying %q", tc.name, tc.err, tc.want)
		}
	}
	// The refused registrations left nothing behind.
	if uri, _, _ := reg.ToWire(errV1NotFound); uri != notFoundURI {
		t.Errorf("v1 sentinel now travels as %s", uri)
	}
	if got := roundTrip(reg, errV2NotFound); got.Unwrap() != errV1NotFound {
		t.Errorf("registering again changed the order: cause %v", got.Unwrap())
	}
}

type sliceError []string

func (sliceError) Error() string { return "slice" }

type stringError string

func (e stringError) Error() string { return string(e) }

// TestErrorRegistryVersionsThroughRouter: a callee built against v2
// returns v2's errors; a caller built against v1 matches them with v1's
// sentinel and type (both registries hold both versions, as one binary
// that links both packages does).
func TestErrorRegistryVersionsThroughRouter(t *testing.T) {
	reg := versionedRegistry(t)
	eachSerializer(t, func(t *testing.T, ser *wamp.Serializer) {
		r := rpcRouter(t)
		callee := rpcDial(t, r.RawSocketURL(), runtime.Config{Serializer: ser, Errors: reg})
		caller := rpcDial(t, r.WebSocketURL(), runtime.Config{Serializer: ser, Errors: reg})
		rpcRegister(t, callee, "com.test.v2.get", func(ctx context.Context, inv *runtime.Invocation) (*runtime.Result, error) {
			var kind string
			if err := args(inv.Args, &kind); err != nil {
				return nil, err
			}
			if kind == "sentinel" {
				return nil, fmt.Errorf("get: %w", errV2NotFound)
			}
			return nil, v2QuotaError{Limit: 5, Scope: "disk"}
		})
		ctx := testCtx(t)
		_, err := caller.Call(ctx, "com.test.v2.get", wamp.ArgsOf("sentinel"), wamp.Payload{})
		if !errors.Is(err, errV1NotFound) || !errors.Is(err, errV2NotFound) {
			t.Errorf("v2's sentinel arrived as %v, matching neither version", err)
		}
		_, err = caller.Call(ctx, "com.test.v2.get", wamp.ArgsOf("type"), wamp.Payload{})
		var v1 *v1QuotaError
		var v2 v2QuotaError
		if !errors.As(err, &v1) || v1.Limit != 5 {
			t.Errorf("v2's type arrived as %v; as v1: %+v", err, v1)
		}
		if !errors.As(err, &v2) || v2 != (v2QuotaError{5, "disk"}) {
			t.Errorf("v2's type arrived as %v; as v2: %+v", err, v2)
		}
	})
}

// TestErrorRegistryConcurrent: registering under a URI while errors of
// that URI are received and matched is safe (run with -race).
func TestErrorRegistryConcurrent(t *testing.T) {
	reg := versionedRegistry(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			if err := reg.RegisterSentinel(notFoundURI, fmt.Errorf("v%d: not found", i+3)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 200 {
		got := reg.FromWire(notFoundURI, wamp.Dict{}, wamp.Payload{}, wamp.Payload{})
		if !errors.Is(got, errV2NotFound) || errors.Is(got, errV2Other) {
			t.Fatalf("%v matches wrongly", got)
		}
		var v2 v2QuotaError
		if errors.As(got, &v2) {
			t.Fatal("a sentinel URI matched an error type")
		}
	}
	<-done
}
