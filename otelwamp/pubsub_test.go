package otelwamp_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/wampgen/wampgen/runtime"
	"github.com/wampgen/wampgen/wamp"
)

const (
	msgSystem      = attribute.Key("messaging.system")
	msgDestination = attribute.Key("messaging.destination.name")
	msgTemplate    = attribute.Key("messaging.destination.template")
	msgID          = attribute.Key("messaging.message.id")
)

// TestPublishTraced: the subscriber's event span is a child of the
// publisher's producer span; a pattern subscription names its span and
// labels its metric by the pattern; a failing handler's span is an error.
func TestPublishTraced(t *testing.T) {
	tel := newTelemetry(t)
	publisher, subscriber := pair(t, tel)
	ctx := testCtx(t)

	got := make(chan trace.SpanContext, 2)
	if _, err := subscriber.Subscribe(ctx, "com.example.news", func(ctx context.Context, ev *runtime.Event) error {
		got <- trace.SpanContextFromContext(ctx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := subscriber.Subscribe(ctx, "com.example", func(ctx context.Context, ev *runtime.Event) error {
		got <- trace.SpanContextFromContext(ctx)
		return runtime.NewError("com.example.error.refused")
	}, runtime.WithTopicMatch(runtime.MatchPrefix)); err != nil {
		t.Fatal(err)
	}

	id, err := publisher.Publish(ctx, "com.example.news", wamp.ArgsOf("hello"), wamp.Payload{}, runtime.WithAcknowledge())
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	for range 2 {
		select {
		case <-got:
		case <-ctx.Done():
			t.Fatal("an event did not arrive")
		}
	}

	producer := tel.span(t, "com.example.news", trace.SpanKindProducer)
	wantAttr(t, producer, msgSystem, attribute.StringValue("wamp"))
	wantAttr(t, producer, msgDestination, attribute.StringValue("com.example.news"))
	wantAttr(t, producer, msgID, attribute.Int64Value(int64(id)))

	exact := tel.span(t, "com.example.news", trace.SpanKindConsumer)
	wantChild(t, exact, producer)
	wantAttr(t, exact, msgDestination, attribute.StringValue("com.example.news"))
	wantAttr(t, exact, msgID, attribute.Int64Value(int64(id)))
	if exact.Status().Code != codes.Unset {
		t.Errorf("event span status %v, want unset", exact.Status())
	}

	pattern := tel.span(t, "com.example", trace.SpanKindConsumer)
	wantChild(t, pattern, producer)
	wantAttr(t, pattern, msgDestination, attribute.StringValue("com.example.news"))
	wantAttr(t, pattern, msgTemplate, attribute.StringValue("com.example"))
	if st := pattern.Status(); st.Code != codes.Error || st.Description != "com.example.error.refused" {
		t.Errorf("failed event span: status %v %q, want Error com.example.error.refused", st.Code, st.Description)
	}

	points := tel.histogram(t, "messaging.client.operation.duration")
	if n := count(points, "messaging.system", "wamp", "messaging.operation.name", "publish", "messaging.operation.type", "send",
		"messaging.destination.name", "com.example.news"); n != 1 {
		t.Errorf("messaging.client.operation.duration: count %d, want 1; points: %s", n, describe(points))
	}
	points = tel.histogram(t, "messaging.process.duration")
	if n := count(points, "messaging.system", "wamp", "messaging.operation.name", "event", "messaging.operation.type", "process",
		"messaging.destination.name", "com.example.news"); n != 1 {
		t.Errorf("messaging.process.duration: count %d for the exact subscription, want 1; points: %s", n, describe(points))
	}
	if n := count(points, "messaging.system", "wamp", "messaging.operation.name", "event", "messaging.operation.type", "process",
		"messaging.destination.name", "com.example", "error.type", "com.example.error.refused"); n != 1 {
		t.Errorf("messaging.process.duration: count %d for the pattern subscription, want 1; points: %s", n, describe(points))
	}
}

// TestPublishErrorTraced: a publication the router refuses (acknowledged)
// is an error span with the router's URI, counted with it.
func TestPublishErrorTraced(t *testing.T) {
	tel := newTelemetry(t)
	publisher, _ := pair(t, tel)
	ctx := testCtx(t)
	_, err := publisher.Publish(ctx, "wamp.session.on_join", wamp.Payload{}, wamp.Payload{}, runtime.WithAcknowledge())
	uri, ok := runtime.ErrorURIOf(err)
	if !ok {
		t.Fatalf("publishing to a wamp. topic: %v, want an error URI", err)
	}
	span := tel.span(t, "wamp.session.on_join", trace.SpanKindProducer)
	if st := span.Status(); st.Code != codes.Error || st.Description != string(uri) {
		t.Errorf("refused publication span: status %v %q, want Error %s", st.Code, st.Description, uri)
	}
	wantAttr(t, span, "error.type", attribute.StringValue(string(uri)))
	points := tel.histogram(t, "messaging.client.operation.duration")
	if n := count(points, "messaging.system", "wamp", "messaging.operation.name", "publish", "messaging.operation.type", "send",
		"messaging.destination.name", "wamp.session.on_join", "error.type", string(uri)); n != 1 {
		t.Errorf("messaging.client.operation.duration: count %d, want 1; points: %s", n, describe(points))
	}
}
