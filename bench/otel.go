package main

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/wampgen/wampgen/otelwamp"
)

// tracingInterceptor returns an otelwamp interceptor as a production
// program sets it up, minus the network: an SDK tracer provider that
// samples every span into a batch span processor whose exporter discards
// them, an SDK meter provider with a manual reader (the histograms
// aggregate; nothing collects them), and the W3C trace context and baggage
// propagators. shutdown shuts the providers down.
func tracingInterceptor() (_ *otelwamp.Interceptor, shutdown func(), _ error) {
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithBatcher(discardExporter{}),
	)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	shutdown = func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	}
	i, err := otelwamp.NewInterceptor(
		otelwamp.WithTracerProvider(tp),
		otelwamp.WithMeterProvider(mp),
		otelwamp.WithPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})),
	)
	if err != nil {
		shutdown()
		return nil, nil, err
	}
	return i, shutdown, nil
}

// discardExporter drops the spans it is given.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }
