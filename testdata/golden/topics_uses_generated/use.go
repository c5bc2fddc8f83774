package topicsusesgenerated

import (
	"context"

	"github.com/wampgen/wampgen/runtime"
)

// Connect returns a publisher of the events and subscribes impl to them,
// and fn to one of them.
func Connect(ctx context.Context, sess *runtime.Session, impl Events, fn func(context.Context, string) error) (Events, *runtime.Subscriptions, *runtime.Subscription, error) {
	subs, err := SubscribeEvents(ctx, sess, impl)
	if err != nil {
		return nil, nil, nil, err
	}
	one, err := SubscribeEventsAnnounced(ctx, sess, fn)
	if err != nil {
		return nil, nil, nil, err
	}
	return NewEventsPublisher(sess), subs, one, nil
}

// topic is the URI of Events.Announced.
var topic = EventsAnnouncedTopic
