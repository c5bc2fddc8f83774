package otelwamp

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// An Option configures an Interceptor. Make one with the With… functions.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	propagator     propagation.TextMapPropagator
	publicEndpoint bool
	labelLimit     int
	attrs          []attribute.KeyValue
	noTracing      bool
	noMetrics      bool
}

// DefaultLabelLimit is how many distinct values one metric attribute of one
// instrument takes by default before further values are recorded as
// "_OTHER" (see WithLabelLimit).
const DefaultLabelLimit = 1000

// WithTracerProvider makes the interceptor start its spans with a tracer of
// p. The default is the global one, otel.GetTracerProvider(), read when
// NewInterceptor runs (the global delegates to a provider set later).
func WithTracerProvider(p trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.tracerProvider = p
		}
	})
}

// WithMeterProvider makes the interceptor record its metrics with a meter
// of p. The default is the global one, otel.GetMeterProvider().
func WithMeterProvider(p metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.meterProvider = p
		}
	})
}

// WithPropagator makes the interceptor inject and extract the trace
// context with p. The default is the global one,
// otel.GetTextMapPropagator(), which does nothing until the program sets
// one (for example propagation.TraceContext{} with propagation.Baggage{}).
func WithPropagator(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.propagator = p
		}
	})
}

// WithPublicEndpoint makes invocation and event spans the roots of new
// traces, linked to (not children of) the trace context the caller or
// publisher sent, and ignores the baggage they sent. Use it for a callee or
// subscriber whose callers are outside its trust boundary (browsers on a
// public router, say): otherwise a caller chooses the trace its work is
// recorded in, and the baggage downstream services see.
//
// By default the remote trace context is trusted: the invocation span is a
// child of the caller's span, as with OpenTelemetry's HTTP instrumentation.
// (connect-go's otelconnect defaults the other way.)
func WithPublicEndpoint() Option {
	return optionFunc(func(c *config) { c.publicEndpoint = true })
}

// WithLabelLimit sets how many distinct values each metric attribute of each
// instrument takes (the URIs and the error URIs), and how many distinct
// (URI, error URI) pairs; later new values are recorded as "_OTHER" (the
// error URI of a later new pair). n must be at least 1; the default is
// DefaultLabelLimit. Error URIs come from remote peers and pattern
// registrations receive any URI under their pattern, so without a cap a
// peer could grow the metric data without bound.
func WithLabelLimit(n int) Option {
	return optionFunc(func(c *config) { c.labelLimit = n })
}

// WithAttributes adds attrs to every span the interceptor starts, for
// example the realm: attribute.String("wamp.realm", "realm1"). They are not
// added to metrics.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) { c.attrs = append(c.attrs, attrs...) })
}

// WithoutTracing turns the spans off: no span is started and no trace
// context is injected or extracted; metrics are still recorded.
func WithoutTracing() Option {
	return optionFunc(func(c *config) { c.noTracing = true })
}

// WithoutMetrics turns the metrics off; spans are still made.
func WithoutMetrics() Option {
	return optionFunc(func(c *config) { c.noMetrics = true })
}
