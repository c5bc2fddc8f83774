package runtime

import (
	"bytes"
	"context"
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"slices"
	"strconv"

	"github.com/wampgen/wampgen/wamp"
)

// PublishOption configures one publication.
type PublishOption interface{ applyPublish(wamp.Dict) }

type publishOptionFunc func(wamp.Dict)

func (f publishOptionFunc) applyPublish(d wamp.Dict) { f(d) }

// WithAcknowledge asks the router to acknowledge the publication: Publish
// then waits for PUBLISHED (or an ERROR) and returns the publication ID.
func WithAcknowledge() PublishOption {
	return publishOptionFunc(func(d wamp.Dict) { d[wamp.OptAcknowledge] = true })
}

// WithExcludeMe sets whether the publisher receives its own event if
// subscribed (the router's default is to exclude it). It needs a router
// that announces publisher_exclusion: without it, WithExcludeMe(true) is
// left out (the router excludes the publisher anyway), and
// WithExcludeMe(false) makes Publish fail, before anything is sent, with an
// error matching ErrFeatureNotSupported.
func WithExcludeMe(exclude bool) PublishOption {
	return publishOptionFunc(func(d wamp.Dict) { d[wamp.OptExcludeMe] = exclude })
}

// WithExclude excludes sessions from receiving the event.
//
// WithExclude, WithExcludeAuthID, WithExcludeAuthRole, WithEligible,
// WithEligibleAuthID and WithEligibleAuthRole need a router that announces
// subscriber_blackwhite_listing; Publish fails otherwise, before anything
// is sent, with an error matching ErrFeatureNotSupported (the event would
// otherwise reach the sessions it must not).
func WithExclude(sessions ...wamp.ID) PublishOption {
	return publishOptionFunc(func(d wamp.Dict) { d[wamp.OptExclude] = idList(sessions) })
}

// WithExcludeAuthID excludes sessions authenticated with these authids.
func WithExcludeAuthID(ids ...string) PublishOption {
	return publishOptionFunc(func(d wamp.Dict) { d[wamp.OptExcludeAuthID] = ids })
}

// WithExcludeAuthRole excludes sessions authenticated with these authroles.
func WithExcludeAuthRole(roles ...string) PublishOption {
	return publishOptionFunc(func(d wamp.Dict) { d[wamp.OptExcludeAuthRole] = roles })
}

// WithEligible restricts delivery to these sessions.
func WithEligible(sessions ...wamp.ID) PublishOption {
	return publishOptionFunc(func(d wamp.Dict) { d[wamp.OptEligible] = idList(sessions) })
}

// WithEligibleAuthID restricts delivery to sessions with these authids.
func WithEligibleAuthID(ids ...string) PublishOption {
	return publishOptionFunc(func(d wamp.Dict) { d[wamp.OptEligibleAuthID] = ids })
}

// WithEligibleAuthRole restricts delivery to sessions with these authroles.
func WithEligibleAuthRole(roles ...string) PublishOption {
	return publishOptionFunc(func(d wamp.Dict) { d[wamp.OptEligibleAuthRole] = roles })
}

// WithPublisherDisclosed asks the router to disclose the publisher's
// identity to subscribers (PUBLISH.Options.disclose_me). It needs a router
// that announces publisher_identification; Publish fails otherwise, before
// anything is sent, with an error matching ErrFeatureNotSupported.
func WithPublisherDisclosed() PublishOption {
	return publishOptionFunc(func(d wamp.Dict) { d[wamp.OptDiscloseMe] = true })
}

func idList(ids []wamp.ID) []uint64 {
	out := make([]uint64, len(ids))
	for i, id := range ids {
		out[i] = uint64(id)
	}
	return out
}

// Publish publishes an event to topic. Without WithAcknowledge it returns
// once the message is written, with publication ID 0.
func (s *Session) Publish(ctx context.Context, topic wamp.URI, args, kwargs wamp.Payload, opts ...PublishOption) (wamp.ID, error) {
	if err := wamp.ValidateURI(topic, wamp.Loose, wamp.MatchExact); err != nil {
		return 0, fmt.Errorf("runtime: publishing: %w", err)
	}
	var options wamp.Dict // nil is sent as {}; most publications have no options
	if len(opts) > 0 {
		options = wamp.Dict{}
		for _, o := range opts {
			o.applyPublish(options)
		}
	}
	// Without a connection the publication fails below anyway.
	c := s.cur.Load()
	if c != nil {
		if err := c.feats.publishOptions(options); err != nil {
			return 0, fmt.Errorf("runtime: publishing to %s: %w", topic, err)
		}
	}
	if ack, _ := wamp.DictBool(options, wamp.OptAcknowledge); !ack {
		s.mu.Lock()
		closed, err := s.closed, s.errClosed()
		s.mu.Unlock()
		if closed {
			return 0, err
		}
		if c == nil {
			return 0, fmt.Errorf("runtime: publishing to %s: %w", topic, s.notConnected())
		}
		// On the connection whose router the options were checked
		// against: sendOn fails if it is no longer the session's.
		if err := s.sendOn(ctx, c, &wamp.Publish{Request: s.reqIDs.Next(), Options: options, Topic: topic, Args: args, Kwargs: kwargs}); err != nil {
			return 0, fmt.Errorf("runtime: publishing to %s: %w", topic, err)
		}
		return 0, nil
	}
	id, ch, err := s.begin()
	if err != nil {
		return 0, err
	}
	reply, err := s.request(ctx, id, ch, &wamp.Publish{Request: id, Options: options, Topic: topic, Args: args, Kwargs: kwargs})
	if err != nil {
		return 0, fmt.Errorf("runtime: publishing to %s: %w", topic, err)
	}
	m, ok := reply.(*wamp.Published)
	if !ok {
		return 0, fmt.Errorf("runtime: publishing to %s: router answered %s", topic, reply.Type())
	}
	return m.Publication, nil
}

// Event is one event delivered to a subscription.
type Event struct {
	// Topic is the topic published to: for pattern subscriptions, the
	// concrete topic (EVENT.Details.topic); for exact ones, the subscribed
	// topic, whatever the details say.
	Topic       wamp.URI
	Publication wamp.ID
	Args        wamp.Payload
	Kwargs      wamp.Payload
	Details     wamp.Dict
	// Publisher, PublisherAuthID and PublisherAuthRole identify the
	// publisher when it was disclosed (zero values otherwise, and always
	// from a router that does not announce publisher_identification).
	Publisher         wamp.ID
	PublisherAuthID   string
	PublisherAuthRole string
}

// EventHandler receives events. The handlers of one session run one at a
// time, in the order the events arrived, on a goroutine of the session's
// own (never the one that reads the network, so calls are not held up).
type EventHandler func(*Event)

// SubscribeOption configures one subscription.
type SubscribeOption interface{ applySubscribe(*subscribeConfig) }

type subscribeConfig struct {
	match   string
	options wamp.Dict
}

type subscribeOptionFunc func(*subscribeConfig)

func (f subscribeOptionFunc) applySubscribe(c *subscribeConfig) { f(c) }

// WithTopicMatch sets the match policy: wamp.MatchExact (default),
// wamp.MatchPrefix or wamp.MatchWildcard. Prefix and wildcard need a router
// that announces pattern_based_subscription; Subscribe fails otherwise,
// before anything is sent, with an error matching ErrFeatureNotSupported.
func WithTopicMatch(policy string) SubscribeOption {
	return subscribeOptionFunc(func(c *subscribeConfig) { c.match = policy })
}

// WithSubscribeOptions adds raw SUBSCRIBE.Options.
func WithSubscribeOptions(opts wamp.Dict) SubscribeOption {
	return subscribeOptionFunc(func(c *subscribeConfig) { c.options = opts })
}

// Subscription is an active subscription.
type Subscription struct {
	s       *Session
	id      wamp.ID // the current connection's subscription ID
	topic   wamp.URI
	handler EventHandler
	options wamp.Dict // SUBSCRIBE.Options, kept to subscribe again after a reconnect
	dropped bool      // unsubscribed by the application or revoked: never restore
}

// ID returns the subscription ID the router assigned.
func (sub *Subscription) ID() wamp.ID {
	sub.s.mu.Lock()
	defer sub.s.mu.Unlock()
	return sub.id
}

// Topic returns the subscribed topic or pattern.
func (sub *Subscription) Topic() wamp.URI { return sub.topic }

// Subscribe subscribes h to topic. Subscribing several handlers to the
// same topic and match policy is fine: the router keeps one subscription,
// every handler receives each event, and the router is told to
// unsubscribe only when the last handler is unsubscribed.
func (s *Session) Subscribe(ctx context.Context, topic wamp.URI, h EventHandler, opts ...SubscribeOption) (*Subscription, error) {
	var cfg subscribeConfig
	for _, o := range opts {
		o.applySubscribe(&cfg)
	}
	if h == nil {
		return nil, fmt.Errorf("runtime: subscribing to %s: nil handler", topic)
	}
	if err := wamp.ValidateURI(topic, wamp.Loose, cfg.match); err != nil {
		return nil, fmt.Errorf("runtime: subscribing: %w", err)
	}
	options := matchOptions(cfg.options, cfg.match)
	sub := &Subscription{s: s, topic: topic, handler: h, options: options}
	if err := s.subscribeOn(ctx, sub); err != nil {
		s.mu.Lock()
		sub.dropped = true
		delete(s.restoreSubs, sub)
		s.mu.Unlock()
		return nil, fmt.Errorf("runtime: subscribing to %s: %w", topic, err)
	}
	return sub, nil
}

// subscribeOn sends SUBSCRIBE for sub on the current connection and waits
// for the answer. The read loop activates the subscription when SUBSCRIBED
// arrives (activateSubscription), so that an EVENT the router sends right
// after SUBSCRIBED finds its handler.
func (s *Session) subscribeOn(ctx context.Context, sub *Subscription) error {
	id, ch, err := s.begin()
	if err != nil {
		return err
	}
	if c := s.cur.Load(); c != nil {
		// Without a connection the request fails anyway.
		if err := c.feats.subscribeOptions(sub.options); err != nil {
			s.forgetRequest(id)
			return err
		}
	}
	s.mu.Lock()
	s.subReqs[id] = sub
	s.mu.Unlock()
	reply, gaveUp, err := s.requestMaking(ctx, id, ch, &wamp.Subscribe{Request: id, Options: sub.options, Topic: sub.topic})
	if err == nil {
		if _, ok := reply.(*wamp.Subscribed); !ok {
			err = fmt.Errorf("router answered %s", reply.Type())
		}
	}
	if err != nil {
		// The handler does not receive events on this connection. If the
		// session gave up before SUBSCRIBED came, it may still come: a
		// dropped stand-in stays pending, and activateSubscription
		// settles what the router made. If SUBSCRIBED came just as the
		// session gave up (the read loop activated it), the router's
		// subscription is unwanted, unless other handlers use it.
		s.mu.Lock()
		_, pending := s.subReqs[id]
		delete(s.subReqs, id)
		standIn := pending && gaveUp
		if standIn {
			s.subReqs[id] = &Subscription{s: s, topic: sub.topic, options: sub.options, dropped: true}
		}
		active := slices.Contains(s.subs[sub.id], sub)
		if others := s.removeSubLocked(sub); active && !others {
			s.unwantedSubs[sub.id] = sub
		}
		if !standIn {
			s.settleUnwantedLocked(s.cur.Load(), id, sub.topic, sub.options)
		}
		s.mu.Unlock()
		return err
	}
	return nil
}

// activateSubscription makes the subscription of a SUBSCRIBE request
// receive events; the read loop calls it, for SUBSCRIBED read on c,
// before handing SUBSCRIBED to Subscribe.
//
// A SUBSCRIBED for a subscription dropped while its SUBSCRIBE was pending
// (Subscribe gave up, or the application unsubscribed during a restore)
// still made a subscription at the router, whose events would cost both
// sides for nothing until the session ends: unless other handlers use it,
// it is unwanted (see settleUnwantedLocked). A SUBSCRIBED that gives an
// unwanted subscription to a handler takes it over.
func (s *Session) activateSubscription(c *conn, m *wamp.Subscribed) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subReqs[m.Request]
	if !ok {
		return // answered before, or its connection is gone
	}
	delete(s.subReqs, m.Request)
	if !sub.dropped {
		s.removeSubLocked(sub) // a restore gives it a new ID
		sub.id = m.Subscription
		s.subs[sub.id] = append(s.subs[sub.id], sub)
		s.restoreSubs[sub] = struct{}{}
	} else if len(s.subs[m.Subscription]) == 0 {
		s.unwantedSubs[m.Subscription] = sub
	}
	s.settleUnwantedLocked(c, m.Request, sub.topic, sub.options)
}

// settleUnwantedLocked decides what becomes of the unwanted subscriptions
// (s.unwantedSubs) for topic with the match policy of options, once the
// SUBSCRIBE id for them is no longer pending (answered, refused, failed or
// given up). One that a handler uses again (a SUBSCRIBED gave it back) is
// kept. The others are unsubscribed on c, unless another SUBSCRIBE that
// may get them back is still pending (subscribePendingLocked): its answer
// decides. If c is nil, the connection is gone, and its subscriptions with
// it. s.mu is held.
func (s *Session) settleUnwantedLocked(c *conn, id wamp.ID, topic wamp.URI, options wamp.Dict) {
	if len(s.unwantedSubs) == 0 {
		return
	}
	match := matchPolicy(options)
	pending := s.subscribePendingLocked(id, topic, options)
	for subID, u := range s.unwantedSubs {
		if u.topic != topic || matchPolicy(u.options) != match {
			continue
		}
		switch {
		case len(s.subs[subID]) > 0:
			delete(s.unwantedSubs, subID) // taken over
		case pending:
		default:
			delete(s.unwantedSubs, subID)
			if c != nil {
				s.unsubscribeUnwantedLocked(c, subID, topic)
			}
		}
	}
}

// subscribePendingLocked reports whether a SUBSCRIBE other than request
// id, for topic with the match policy of options, is pending and will
// settle what becomes of the router's subscription: one that somebody still
// waits for, or one sent after id (its own answer decides then). The router
// keeps one subscription per session, topic and match policy, so it
// answers such a SUBSCRIBE with the ID that id's SUBSCRIBED carries, and an
// UNSUBSCRIBE for that ID would silence the other subscription as soon as
// it is made. s.mu is held.
//
// An UNSUBSCRIBE decided with s.mu held is queued with s.mu held
// (queueLocked), and a SUBSCRIBE is pending before it is sent: so either
// the UNSUBSCRIBE reaches the router before the SUBSCRIBE, which then makes
// a new subscription (the router handles a session's messages in order),
// or the SUBSCRIBE is seen here.
func (s *Session) subscribePendingLocked(id wamp.ID, topic wamp.URI, options wamp.Dict) bool {
	match := matchPolicy(options)
	for rid, p := range s.subReqs {
		if rid != id && p.topic == topic && matchPolicy(p.options) == match && (!p.dropped || rid > id) {
			return true
		}
	}
	return false
}

// matchPolicy returns the match policy that SUBSCRIBE or REGISTER options
// ask for.
func matchPolicy(options wamp.Dict) string {
	if m, _ := wamp.DictString(options, wamp.OptMatch); m != "" {
		return m
	}
	return wamp.MatchExact
}

// unsubscribeUnwantedLocked queues UNSUBSCRIBE on c for subscription id,
// which no handler uses (see settleUnwantedLocked); s.mu is held. It does
// not wait: the answer, UNSUBSCRIBED or ERROR, answers a request nothing
// waits for, which the read loop drops (deliverReply).
func (s *Session) unsubscribeUnwantedLocked(c *conn, id wamp.ID, topic wamp.URI) {
	s.log.Debug("unsubscribing a subscription no handler uses", "topic", topic, "subscription", id)
	if err := s.queueLocked(c, &wamp.Unsubscribe{Request: s.reqIDs.Next(), Subscription: id}); err != nil {
		s.log.Debug("unsubscribing a subscription no handler uses failed", "subscription", id, "err", err)
	}
}

// queueLocked queues m on c with s.mu held, without waiting for room in
// the write queue (noWait): the messages queued with s.mu held reach the
// router in the order the session decided them (see
// subscribePendingLocked). Only small messages, at most one per
// subscription, are queued so. Not sendOn, which reads s.Err on failure.
// c is the connection the message is for; if it is gone, Send fails.
func (s *Session) queueLocked(c *conn, m wamp.Message) error {
	data, err := s.ser.AppendEncode(nil, m)
	if err != nil {
		return err
	}
	return c.tr.Send(noWait, data, false)
}

// removeSubLocked takes sub's handler off its subscription ID and reports
// whether other handlers remain on it; s.mu is held.
func (s *Session) removeSubLocked(sub *Subscription) (others bool) {
	list := s.subs[sub.id]
	for i, x := range list {
		if x == sub {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(s.subs, sub.id)
		return false
	}
	s.subs[sub.id] = list
	return true
}

// Unsubscribe ends the subscription: its handler receives no more events.
//
// When it is the last handler of the router's subscription, Unsubscribe
// tells the router and waits for its answer, unless another Subscribe for
// the same topic and match policy is pending. The router may answer that
// one with this subscription (it keeps one per session, topic and match
// policy), and must not remove it then: Unsubscribe returns nil at once,
// and the session unsubscribes only if the pending Subscribe does not take
// the subscription over (it gets another one, or fails).
func (sub *Subscription) Unsubscribe(ctx context.Context) error {
	s := sub.s
	s.mu.Lock()
	active := slices.Contains(s.subs[sub.id], sub)
	_, held := s.restoreSubs[sub]
	delete(s.restoreSubs, sub)
	wasDropped := sub.dropped
	sub.dropped = true
	others := false
	if active {
		others = s.removeSubLocked(sub)
	}
	c := s.cur.Load()
	switch {
	case wasDropped || (!active && !held):
		s.mu.Unlock()
		return fmt.Errorf("runtime: unsubscribing from %s: %w", sub.topic, ErrNoSuchSubscription)
	case !active, others, c == nil:
		// Disconnected, or the connection is being detached (it will not
		// be restored), or other handlers still use the router's
		// subscription.
		s.mu.Unlock()
		return nil
	case s.closed:
		err := s.errClosed()
		s.mu.Unlock()
		return err
	case s.subscribePendingLocked(0, sub.topic, sub.options):
		s.unwantedSubs[sub.id] = sub
		s.mu.Unlock()
		return nil
	}
	// Queued with s.mu held, before any SUBSCRIBE that the router could
	// answer with this subscription (see subscribePendingLocked).
	id := s.reqIDs.Next()
	ch := make(chan wamp.Message, 1)
	s.requests[id] = ch
	err := s.queueLocked(c, &wamp.Unsubscribe{Request: id, Subscription: sub.id})
	if err != nil {
		delete(s.requests, id)
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("runtime: unsubscribing from %s: %w: %v", sub.topic, ErrConnectionLost, err)
	}
	wait, cancel := s.responseContext(ctx)
	defer cancel()
	if _, err := s.awaitReply(ctx, wait, id, ch, wamp.TypeUnsubscribe); err != nil {
		return fmt.Errorf("runtime: unsubscribing from %s: %w", sub.topic, err)
	}
	return nil
}

func (s *Session) revokeSubscription(m *wamp.Unsubscribed) {
	id, _ := wamp.DictID(m.Details, "subscription")
	s.mu.Lock()
	subs := s.subs[id]
	delete(s.subs, id)
	delete(s.unwantedSubs, id)
	for _, sub := range subs {
		sub.dropped = true // revoked: a reconnect must not bring it back
		delete(s.restoreSubs, sub)
	}
	s.mu.Unlock()
	if len(subs) > 0 {
		reason, _ := wamp.DictString(m.Details, wamp.OptReason)
		s.log.Warn("router revoked a subscription", "topic", subs[0].topic, "reason", reason)
	}
}

// deliverEvent queues m, read on c, for the handlers of its subscription.
// Checked under s.mu, c is the current connection, so the subscription IDs
// are c's (see handle).
func (s *Session) deliverEvent(c *conn, m *wamp.Event) {
	s.mu.Lock()
	var subs []*Subscription
	if s.cur.Load() == c {
		subs = slices.Clone(s.subs[m.Subscription])
	}
	s.mu.Unlock()
	if len(subs) == 0 {
		s.log.Debug("EVENT for no active subscription", "subscription", m.Subscription)
		return
	}
	ev := &Event{Topic: subs[0].topic, Publication: m.Publication, Args: m.Args, Kwargs: m.Kwargs, Details: m.Details}
	// Only the details that the subscription and the router's features
	// make meaningful are read (see features.go).
	if matchPolicy(subs[0].options) != wamp.MatchExact {
		if t, ok := wamp.DictString(m.Details, wamp.OptTopic); ok {
			ev.Topic = wamp.URI(t)
		}
	}
	if c.feats.has(brokerPublisherIdentification) {
		ev.Publisher, _ = wamp.DictID(m.Details, wamp.OptPublisher)
		ev.PublisherAuthID, _ = wamp.DictString(m.Details, wamp.OptPublisherAuthID)
		ev.PublisherAuthRole, _ = wamp.DictString(m.Details, wamp.OptPublisherAuthRole)
	}
	for _, sub := range subs {
		s.events.push(queuedEvent{h: sub.handler, ev: ev})
	}
}

type queuedEvent struct {
	h  EventHandler
	ev *Event
}

func (s *Session) dispatchEvents() {
	defer close(s.dispatched)
	s.dispatcherID.Store(curGoroutineID())
	var buf []queuedEvent
	for {
		var closed bool
		buf, closed = s.events.pop(buf)
		if closed {
			return // the session has ended: events still queued are dropped
		}
		for _, e := range buf {
			s.runEventHandler(e)
		}
	}
}

func (s *Session) runEventHandler(e queuedEvent) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("event handler panicked", "topic", e.ev.Topic, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	e.h(e.ev)
}

// curGoroutineID returns the ID of the calling goroutine, read from the
// header of its stack trace ("goroutine 42 [running]:"), as
// golang.org/x/net/http2 does for its lock checks. Close uses it to tell
// whether an event handler is calling it.
func curGoroutineID() uint64 {
	var buf [64]byte
	b := buf[:goruntime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0
	}
	return id
}
