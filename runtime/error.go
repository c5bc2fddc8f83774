package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/wampgen/wampgen/wamp"
)

// Error is a WAMP error: the URI of an ERROR (or ABORT) message with its
// payload. Errors a peer sends arrive as *Error; a handler returns one to
// answer with a URI of its choosing.
//
// An *Error matches, with errors.Is, the sentinel of its URI (ErrCanceled,
// ErrTimeout, …), context.Canceled for wamp.error.canceled and
// context.DeadlineExceeded for wamp.error.timeout. When the URI is mapped
// in an ErrorRegistry, the error also wraps the registered Go error (the
// first one, when several share the URI) and matches the others, so
// errors.Is and errors.As reach each of them.
type Error struct {
	URI     wamp.URI
	Args    wamp.Payload
	Kwargs  wamp.Payload
	Details wamp.Dict

	cause  error          // the mapped Go error, or a local cause
	mapped []errorMapping // the Go errors URI is mapped to, when received
}

// NewError returns an error with the given URI and positional arguments.
func NewError(uri wamp.URI, args ...any) *Error {
	return &Error{URI: uri, Args: wamp.ArgsOf(args...)}
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.URI))
	if e.cause != nil && !isSentinel(e.cause) {
		b.WriteString(": ")
		b.WriteString(errorText(e.cause))
	} else if msg := e.Message(); msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	return b.String()
}

// Message returns the first argument if it is a string: by convention the
// human-readable text of the error.
func (e *Error) Message() string {
	if v, ok := e.Args.GoValue().([]any); ok && len(v) > 0 {
		s, _ := v[0].(string)
		return s
	}
	vals, err := e.Args.List()
	if err != nil || len(vals) == 0 || vals[0].Kind() != wamp.KindString {
		return ""
	}
	var s string
	if vals[0].Decode(&s) != nil {
		return ""
	}
	return s
}

// Unwrap returns the Go error the URI is mapped to, if any.
func (e *Error) Unwrap() error {
	if e == nil { // a handler's typed nil: errors.Is and errors.As walk it
		return nil
	}
	return e.cause
}

// Is reports whether target is a sentinel *Error with the same URI, the
// context error that corresponds to the URI, or, for a received error, any
// sentinel the URI is mapped to in the session's ErrorRegistry (the first
// one is also reached through Unwrap).
func (e *Error) Is(target error) bool {
	if e == nil {
		return false
	}
	switch target {
	case context.Canceled:
		return e.URI == wamp.ErrCanceled
	case context.DeadlineExceeded:
		return e.URI == wamp.ErrTimeout
	}
	for _, m := range e.mapped {
		// m.sentinel is of a comparable type: == cannot panic.
		if m.sentinel != nil && m.sentinel == target {
			return true
		}
	}
	t, ok := target.(*Error)
	return ok && t.URI == e.URI && t.Args.IsZero() && t.Kwargs.IsZero()
}

// As sets target, a pointer to an error type that the URI of a received
// error is mapped to in the session's ErrorRegistry, to a new value of that
// type decoded from Kwargs, and reports whether it did. It lets errors.As
// reach every error type registered under the URI, not only the first one
// (which Unwrap returns).
func (e *Error) As(target any) bool {
	if e == nil || len(e.mapped) == 0 {
		return false
	}
	tv := reflect.ValueOf(target)
	if tv.Kind() != reflect.Pointer || tv.IsNil() {
		return false
	}
	want := tv.Type().Elem()
	for _, m := range e.mapped {
		if m.typ == nil || m.errorType() != want {
			continue
		}
		v, err := m.decode(e.Kwargs)
		if err != nil {
			return false
		}
		tv.Elem().Set(v)
		return true
	}
	return false
}

func isSentinel(err error) bool {
	e, ok := err.(*Error)
	return ok && e.Args.IsZero() && e.Kwargs.IsZero() && e.cause == nil
}

// Sentinels for the error URIs of the WAMP specification; compare with
// errors.Is, never with ==.
var (
	ErrCanceled             = &Error{URI: wamp.ErrCanceled}
	ErrTimeout              = &Error{URI: wamp.ErrTimeout}
	ErrNoSuchProcedure      = &Error{URI: wamp.ErrNoSuchProcedure}
	ErrProcedureExists      = &Error{URI: wamp.ErrProcedureAlreadyExists}
	ErrNoSuchRegistration   = &Error{URI: wamp.ErrNoSuchRegistration}
	ErrNoSuchSubscription   = &Error{URI: wamp.ErrNoSuchSubscription}
	ErrInvalidArgument      = &Error{URI: wamp.ErrInvalidArgument}
	ErrInvalidURI           = &Error{URI: wamp.ErrInvalidURI}
	ErrNotAuthorized        = &Error{URI: wamp.ErrNotAuthorized}
	ErrAuthorizationFailed  = &Error{URI: wamp.ErrAuthorizationFailed}
	ErrAuthenticationFailed = &Error{URI: wamp.ErrAuthenticationFailed}
	ErrNoSuchRealm          = &Error{URI: wamp.ErrNoSuchRealm}
	ErrNoSuchRole           = &Error{URI: wamp.ErrNoSuchRole}
	ErrNoAvailableCallee    = &Error{URI: wamp.ErrNoAvailableCallee}
	ErrUnavailable          = &Error{URI: wamp.ErrUnavailable}
	ErrProtocolViolation    = &Error{URI: wamp.ErrProtocolViolation}
	ErrOptionNotAllowed     = &Error{URI: wamp.ErrOptionNotAllowed}
	ErrDiscloseMeDisallowed = &Error{URI: wamp.ErrOptionDisallowedDisclose}
	ErrFeatureNotSupported  = &Error{URI: wamp.ErrFeatureNotSupported}
	ErrPayloadSizeExceeded  = &Error{URI: wamp.ErrPayloadSizeExceeded}
	ErrRuntime              = &Error{URI: wamp.ErrRuntime}
)

// Session errors.
var (
	// ErrSessionClosed is returned by operations on a session that was
	// closed with Close, or that the router closed with GOODBYE.
	ErrSessionClosed = errors.New("wamp session closed")
	// ErrConnectionLost is returned by every call, registration or other
	// request in flight when the connection to the router breaks, and by
	// later operations on that session. No request waits past that moment.
	ErrConnectionLost = errors.New("wamp connection lost")
	// ErrProgressNotRequested is returned by Invocation.SendProgress when
	// the caller did not ask for progressive results.
	ErrProgressNotRequested = errors.New("wamp: caller did not ask for progressive results")
)

// ErrorRegistry maps Go errors to WAMP error URIs and back. A sentinel value
// travels as its URI with the error text as the single argument; an error
// type travels as its URI with its exported fields in ArgumentsKw, and
// arrives as a new value of that type. Generated code registers the
// //wampgen:error declarations of a package into DefaultErrors.
//
// One URI may be mapped to several Go errors, sentinels and types alike,
// from different packages: an API's v1 and v2 packages side by side, each
// declaring the error its own way. Sending is unambiguous (each Go error
// has one URI); a received error wraps the first one registered, and
// matches every other one too: errors.Is with any sentinel of its URI,
// errors.As with any error type of its URI (decoded from ArgumentsKw when
// asked for). A Go error is mapped to one URI only.
//
// It is safe for concurrent use.
type ErrorRegistry struct {
	mu        sync.RWMutex
	byURI     map[wamp.URI][]errorMapping // in registration order
	sentinels map[error]wamp.URI
	types     map[reflect.Type]wamp.URI // the registered type: T or *T
}

type errorMapping struct {
	sentinel error
	typ      reflect.Type // a struct type T, with *T or T implementing error
	ptr      bool         // whether *T (not T) is the error type
}

// errorType returns the registered error type: typ or *typ.
func (m errorMapping) errorType() reflect.Type {
	if m.ptr {
		return reflect.PointerTo(m.typ)
	}
	return m.typ
}

// decode returns a new value of the mapping's error type decoded from
// kwargs.
func (m errorMapping) decode(kwargs wamp.Payload) (reflect.Value, error) {
	v := reflect.New(m.typ)
	if err := kwargs.Decode(v.Interface()); err != nil {
		return reflect.Value{}, err
	}
	if m.ptr {
		return v, nil
	}
	return v.Elem(), nil
}

// DefaultErrors is the registry sessions use unless their Config names
// another.
var DefaultErrors = NewErrorRegistry()

// NewErrorRegistry returns an empty registry.
func NewErrorRegistry() *ErrorRegistry {
	return &ErrorRegistry{byURI: map[wamp.URI][]errorMapping{}, sentinels: map[error]wamp.URI{}, types: map[reflect.Type]wamp.URI{}}
}

func validErrorURI(uri wamp.URI) error {
	if err := wamp.ValidateURI(uri, wamp.Loose, wamp.MatchExact); err != nil {
		return fmt.Errorf("runtime: registering error: %w", err)
	}
	return nil
}

// RegisterSentinel maps the sentinel error value err to uri, next to any
// other errors already mapped to uri. Registering the same pair again is a
// no-op; err already mapped to another URI, a nil or non-comparable err
// and an invalid uri are errors.
func (r *ErrorRegistry) RegisterSentinel(uri wamp.URI, err error) error {
	if err == nil {
		return errors.New("runtime: registering a nil error")
	}
	if !reflect.TypeOf(err).Comparable() {
		return fmt.Errorf("runtime: a sentinel error must be comparable, and %T is not (register a pointer, as errors.New makes)", err)
	}
	if e := validErrorURI(uri); e != nil {
		return e
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if u, ok := r.sentinels[err]; ok {
		if u == uri {
			return nil
		}
		return fmt.Errorf("runtime: error %q is already registered as %q", errorText(err), u)
	}
	r.byURI[uri] = append(r.byURI[uri], errorMapping{sentinel: err})
	r.sentinels[err] = uri
	return nil
}

// RegisterErrorType maps the error type T to uri, next to any other errors
// already mapped to uri. T must be a struct type or a pointer to one, and
// implement error; its exported fields travel in ArgumentsKw under their
// json tag names. When T is a struct type, a *T (an error too, since T's
// methods have value receivers) travels as T. Registering the same pair
// again is a no-op; T already mapped to another URI is an error.
func RegisterErrorType[T error](r *ErrorRegistry, uri wamp.URI) error {
	t := reflect.TypeFor[T]()
	ptr := t.Kind() == reflect.Pointer
	st := t
	if ptr {
		st = t.Elem()
	}
	if st.Kind() != reflect.Struct {
		return fmt.Errorf("runtime: error type %s must be a struct or a pointer to one", t)
	}
	if e := validErrorURI(uri); e != nil {
		return e
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if u, ok := r.types[t]; ok {
		if u == uri {
			return nil
		}
		return fmt.Errorf("runtime: error type %s is already registered as %q", t, u)
	}
	r.byURI[uri] = append(r.byURI[uri], errorMapping{typ: st, ptr: ptr})
	r.types[t] = uri
	return nil
}

// mappings returns the errors mapped to uri, in registration order. The
// slice is never modified in place (registering appends, and a shared
// backing array is only ever extended past its length), so it may be read
// without the lock.
func (r *ErrorRegistry) mappings(uri wamp.URI) []errorMapping {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byURI[uri]
}

// ToWire returns the URI and payload that err travels as: an *Error as it
// is; a registered sentinel or error type (found with errors.Is / errors.As
// semantics: along Unwrap chains and into errors.Join trees) as its URI; an
// error matching context.Canceled or context.DeadlineExceeded as
// wamp.error.canceled or wamp.error.timeout with the context error's text
// only (the text around it is the application's);
// anything else as wamp.error.runtime_error with the error text (which a
// Session answering an invocation replaces with its Config.ErrorText).
func (r *ErrorRegistry) ToWire(err error) (uri wamp.URI, args, kwargs wamp.Payload) {
	uri, args, kwargs, _ = r.toWire(err)
	return uri, args, kwargs
}

// toWire is ToWire, also reporting whether err is mapped: an *Error, a
// registered error or a context error. An unmapped error is what a session
// does not send verbatim (see Config.ErrorText).
func (r *ErrorRegistry) toWire(err error) (uri wamp.URI, args, kwargs wamp.Payload, mapped bool) {
	// A nil *Error (a handler's "var e *Error; return nil, e") is an error
	// value too, but carries no URI: it travels as a runtime error.
	var we *Error
	if errors.As(err, &we) && we != nil {
		return we.URI, we.Args, we.Kwargs, true
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	found := false
	walkErrors(err, func(e error) bool {
		t := reflect.TypeOf(e)
		// Sentinels are comparable (RegisterSentinel checks); looking up
		// an error that is not (a struct value with a slice field) would
		// panic.
		if t.Comparable() {
			if u, ok := r.sentinels[e]; ok {
				uri, args, found = u, wamp.ArgsOf(errorText(e)), true
				return true
			}
		}
		u, ok := r.types[t]
		if !ok && t.Kind() == reflect.Pointer {
			// An error type T with value receivers, returned as &T{}:
			// *T is an error too, and travels as T.
			u, ok = r.types[t.Elem()]
		}
		if ok {
			v := reflect.ValueOf(e)
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return false
				}
				v = v.Elem()
			}
			uri, args, kwargs, found = u, wamp.ArgsOf(errorText(e)), wamp.PayloadOf(v.Interface()), true
			return true
		}
		return false
	})
	if found {
		return uri, args, kwargs, true
	}
	// A context error travels with its own text, not err's: the text
	// around it is the handler's (a database driver's dial timeout matches
	// context.DeadlineExceeded and names the host and user).
	switch {
	case errors.Is(err, context.Canceled):
		return wamp.ErrCanceled, wamp.ArgsOf(context.Canceled.Error()), wamp.Payload{}, true
	case errors.Is(err, context.DeadlineExceeded):
		return wamp.ErrTimeout, wamp.ArgsOf(context.DeadlineExceeded.Error()), wamp.Payload{}, true
	}
	return wamp.ErrRuntime, wamp.ArgsOf(errorText(err)), wamp.Payload{}, false
}

// RedactErrorText is the default Config.ErrorText: the remote caller of
// procedure learns that it failed and the incident ID under which the
// callee logged err, and nothing of err itself, which may hold secrets
// (addresses, user names, queries).
func RedactErrorText(procedure wamp.URI, incident string, _ error) string {
	return fmt.Sprintf("%s failed; incident %s in the callee's log", procedure, incident)
}

// ExposeErrorText is a Config.ErrorText that sends err's text verbatim to
// the remote caller, as a development aid; it has no place in a service
// whose errors may hold secrets.
func ExposeErrorText(_ wamp.URI, _ string, err error) string {
	return errorText(err)
}

// newIncidentID returns 8 random hex digits that tie a redacted error text
// to its log entry.
func newIncidentID() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// handlerPanic is the error a recovered panic of a handler becomes.
type handlerPanic struct {
	value any
	stack []byte
}

func (p *handlerPanic) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// errorText returns err.Error(), or a placeholder when that panics (a
// typed nil pointer whose Error method reads its receiver is a common
// case): an application's broken error must not take the session down.
func errorText(err error) (text string) {
	defer func() {
		if recover() != nil {
			text = fmt.Sprintf("%T (its Error method panicked)", err)
		}
	}()
	return err.Error()
}

// walkErrors visits err and what it wraps, depth first, in the order
// errors.Is and errors.As do (Unwrap() error and Unwrap() []error), until
// visit returns true.
func walkErrors(err error, visit func(error) bool) bool {
	if err == nil {
		return false
	}
	if visit(err) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return walkErrors(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if walkErrors(e, visit) {
				return true
			}
		}
	}
	return false
}

// FromWire builds the error for a received ERROR: an *Error that wraps the
// first Go error registered for uri (the sentinel, or a new value of the
// error type decoded from ArgumentsKw) and matches the others (see
// Error.Is and Error.As). If the payload does not decode into the type,
// the *Error is returned without it and the decoding problem is reported in
// its text.
func (r *ErrorRegistry) FromWire(uri wamp.URI, details wamp.Dict, args, kwargs wamp.Payload) *Error {
	e := &Error{URI: uri, Args: args, Kwargs: kwargs, Details: details}
	ms := r.mappings(uri)
	if len(ms) == 0 {
		return e
	}
	e.mapped = ms
	m := ms[0]
	if m.sentinel != nil {
		e.cause = m.sentinel
		return e
	}
	v, err := m.decode(kwargs)
	if err != nil {
		e.cause = fmt.Errorf("payload of %s does not decode into %s: %w", uri, m.typ, err)
		return e
	}
	e.cause, _ = v.Interface().(error)
	return e
}
