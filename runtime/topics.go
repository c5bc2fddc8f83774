package runtime

import (
	"context"
	"errors"
	"fmt"

	"github.com/wampgen/wampgen/wamp"
)

// The runtime side of generated topics code (see generated.go for the
// procedures'); exported for it and stable across minor versions.

type topicURIKey struct{}

// WithTopicURI returns a context that makes a generated publisher method
// of a pattern-based topic (match=prefix or match=wildcard) publish to uri
// instead of its pattern: a concrete topic the pattern matches, such as
// com.example.sensors.kitchen for the prefix com.example.sensors. See
// ResolveTopicURI.
func WithTopicURI(ctx context.Context, uri wamp.URI) context.Context {
	return context.WithValue(ctx, topicURIKey{}, uri)
}

type publishOptionsKey struct{}

// WithPublishOptions returns a context that adds opts to the publications
// PublishEvent makes with it (and so to every generated publisher method
// called with it): per-call options such as WithEligible or WithExclude.
// They come after the ones PublishEvent is given, and after those of an
// enclosing WithPublishOptions, so that they win.
func WithPublishOptions(ctx context.Context, opts ...PublishOption) context.Context {
	prev, _ := ctx.Value(publishOptionsKey{}).([]PublishOption)
	all := append(prev[:len(prev):len(prev)], opts...)
	return context.WithValue(ctx, publishOptionsKey{}, all)
}

// PublishEvent publishes one event through pub with opts, followed by the
// per-call options of ctx (WithPublishOptions). Its error names the topic;
// with WithAcknowledge, a refusal by the router is an *Error
// (errors.Is(err, ErrNotAuthorized), …).
func PublishEvent(ctx context.Context, pub Publisher, topic wamp.URI, args, kwargs wamp.Payload, opts ...PublishOption) error {
	if pub == nil {
		return fmt.Errorf("runtime: publishing to %s: nil Publisher", topic)
	}
	if perCall, _ := ctx.Value(publishOptionsKey{}).([]PublishOption); len(perCall) > 0 {
		opts = append(opts[:len(opts):len(opts)], perCall...)
	}
	_, err := pub.Publish(ctx, topic, args, kwargs, opts...)
	if err == nil {
		return nil
	}
	if _, ok := pub.(*Session); ok {
		return err // it names the topic already
	}
	return fmt.Errorf("runtime: publishing to %s: %w", topic, err)
}

// Topic is one topic of a topics interface, as a generated Subscribe…
// function lists them.
type Topic struct {
	URI     wamp.URI
	Handler EventHandler
	Options []SubscribeOption
}

// Subscriptions is the handle SubscribeAll returns: all the topics of an
// interface, unsubscribed together.
type Subscriptions struct {
	subs []*Subscription
}

// Subscriptions returns the individual subscriptions.
func (s *Subscriptions) Subscriptions() []*Subscription { return s.subs }

// Unsubscribe unsubscribes every topic, returning the errors joined. The
// handlers' contexts are cancelled once all are unsubscribed, so that a
// handler may call it with its own context.
func (s *Subscriptions) Unsubscribe(ctx context.Context) error {
	var errs []error
	for _, sub := range s.subs {
		errs = append(errs, sub.unsubscribe(ctx))
	}
	for _, sub := range s.subs {
		sub.endUnsubscribed()
	}
	return errors.Join(errs...)
}

// Stats returns the counters of all the subscriptions, summed.
func (s *Subscriptions) Stats() SubscriptionStats {
	var total SubscriptionStats
	for _, sub := range s.subs {
		total = total.add(sub.Stats())
	}
	return total
}

// SubscribeAll subscribes every topic on sub, each with opts followed by
// its own options. If one fails, those already subscribed are unsubscribed
// again and the error names the topic.
func SubscribeAll(ctx context.Context, sub Subscriber, topics []Topic, opts ...SubscribeOption) (*Subscriptions, error) {
	if sub == nil {
		return nil, errors.New("runtime: subscribing: nil Subscriber")
	}
	for _, t := range topics {
		if t.Handler == nil {
			return nil, fmt.Errorf("runtime: subscribing to %s: nil handler", t.URI)
		}
	}
	subs, err := makeAll(topics, func(t Topic) (*Subscription, error) {
		return sub.Subscribe(ctx, t.URI, t.Handler, append(opts[:len(opts):len(opts)], t.Options...)...)
	}, "subscriptions", func(done []*Subscription) error {
		return (&Subscriptions{subs: done}).Unsubscribe(ctx)
	})
	if err != nil {
		return nil, err
	}
	return &Subscriptions{subs: subs}, nil
}
