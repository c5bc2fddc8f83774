package runtime

import (
	"bytes"
	"context"
	"fmt"
	goruntime "runtime"
	"slices"
	"strconv"

	"github.com/wampgen/wampgen/wamp"
)

// PublishOption configures one publication.
type PublishOption interface{ applyPublish(*publishConfig) }

// publishConfig is what the options of one publication make.
type publishConfig struct {
	options      wamp.Dict // PUBLISH.Options; made by publish
	interceptors []Interceptor
}

type publishOptionFunc func(wamp.Dict)

func (f publishOptionFunc) applyPublish(c *publishConfig) { f(c.options) }

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

// Publisher publishes events: *Session implements it, and generated
// publishers depend on it only, so that a test can put anything in its
// place.
type Publisher interface {
	Publish(ctx context.Context, topic wamp.URI, args, kwargs wamp.Payload, opts ...PublishOption) (wamp.ID, error)
}

// Subscriber subscribes to topics: *Session implements it, and generated
// Subscribe… functions depend on it only.
type Subscriber interface {
	Subscribe(ctx context.Context, topic wamp.URI, h EventHandler, opts ...SubscribeOption) (*Subscription, error)
}

var (
	_ Publisher  = (*Session)(nil)
	_ Subscriber = (*Session)(nil)
)

// Publish publishes an event to topic. Without WithAcknowledge it returns
// once the message is written, with publication ID 0. With it, Publish
// waits for PUBLISHED, and a refusal by the router arrives as an *Error
// (errors.Is(err, ErrNotAuthorized), …). Every error names the topic.
func (s *Session) Publish(ctx context.Context, topic wamp.URI, args, kwargs wamp.Payload, opts ...PublishOption) (wamp.ID, error) {
	if err := wamp.ValidateURI(topic, wamp.Loose, wamp.MatchExact); err != nil {
		return 0, fmt.Errorf("runtime: publishing: %w", err) // it names the topic
	}
	id, err := s.publish(ctx, topic, args, kwargs, opts)
	if err != nil {
		return 0, fmt.Errorf("runtime: publishing to %s: %w", topic, err)
	}
	return id, nil
}

func (s *Session) publish(ctx context.Context, topic wamp.URI, args, kwargs wamp.Payload, opts []PublishOption) (wamp.ID, error) {
	var options wamp.Dict // nil is sent as {}; most publications have no options
	var interceptors []Interceptor
	if len(opts) > 0 {
		if err := optionError(opts); err != nil {
			return 0, err
		}
		cfg := publishConfig{options: wamp.Dict{}}
		for _, o := range opts {
			o.applyPublish(&cfg)
		}
		options, interceptors = cfg.options, cfg.interceptors
	}
	if s.chains != nil || len(interceptors) > 0 {
		return s.interceptedPublish(ctx, topic, args, kwargs, options, interceptors)
	}
	return s.publishWith(ctx, topic, args, kwargs, options)
}

// publishWith publishes with the PUBLISH.Options options: the work of
// publish, after the interceptors.
func (s *Session) publishWith(ctx context.Context, topic wamp.URI, args, kwargs wamp.Payload, options wamp.Dict) (wamp.ID, error) {
	// Without a connection the publication fails below anyway.
	c := s.cur.Load()
	if c != nil {
		if err := c.feats.publishOptions(options); err != nil {
			return 0, err
		}
	}
	if ack, _ := wamp.DictBool(options, wamp.OptAcknowledge); !ack {
		if s.life.closed.Load() {
			return 0, s.errClosed()
		}
		if c == nil {
			return 0, s.notConnected()
		}
		// On the connection whose router the options were checked
		// against: sendOn fails if it is no longer the session's.
		return 0, s.sendOn(ctx, c, &wamp.Publish{Request: s.reqIDs.Next(), Options: options, Topic: topic, Args: args, Kwargs: kwargs})
	}
	id, ch, err := s.begin()
	if err != nil {
		return 0, err
	}
	reply, err := s.request(ctx, id, ch, &wamp.Publish{Request: id, Options: options, Topic: topic, Args: args, Kwargs: kwargs})
	if err != nil {
		return 0, err
	}
	m, ok := reply.(*wamp.Published)
	if !ok {
		return 0, fmt.Errorf("router answered %s", reply.Type())
	}
	return m.Publication, nil
}

// Event is one event delivered to a subscription. One Event reaches every
// handler subscribed to the same topic and match policy, on goroutines of
// their own: treat it, its payloads and its Details as read-only.
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

	subscribed wamp.URI // the subscription's topic or pattern (Subscribed)
}

// EventHandler handles one event. Its ctx carries the event (see
// EventFromContext) and is cancelled when the subscription is unsubscribed
// or revoked, or the session closes; context.Cause(ctx) then matches
// context.Canceled and, for the first two, says which.
//
// The events of one subscription reach its handler one at a time, in the
// order they arrived, on a goroutine of the session's own (never the one
// that reads the network, so calls and other subscriptions are not held
// up); see the package documentation for the bounded queue in between. A
// returned error is logged and counted (see SubscriptionStats), never
// fatal; so is a panic.
type EventHandler func(ctx context.Context, ev *Event) error

type eventKey struct{}

// EventFromContext returns the event that ctx, the context of an
// EventHandler, was made for: its concrete topic (for pattern
// subscriptions), publication ID, publisher (if disclosed) and details.
func EventFromContext(ctx context.Context) (*Event, bool) {
	ev, ok := ctx.Value(eventKey{}).(*Event)
	return ev, ok
}

// SubscribeOption configures one subscription.
type SubscribeOption interface{ applySubscribe(*subscribeConfig) }

type subscribeConfig struct {
	match        Match
	options      wamp.Dict
	queue        int // WithEventQueue; 0: Config.EventQueue
	interceptors []Interceptor
}

type subscribeOptionFunc func(*subscribeConfig)

func (f subscribeOptionFunc) applySubscribe(c *subscribeConfig) { f(c) }

// WithTopicMatch sets the match policy: MatchExact (the default),
// MatchPrefix or MatchWildcard; Subscribe refuses any other value. Prefix
// and wildcard need a router that announces pattern_based_subscription;
// Subscribe fails otherwise, before anything is sent, with an error
// matching ErrFeatureNotSupported.
func WithTopicMatch(policy Match) SubscribeOption {
	return subscribeOptionFunc(func(c *subscribeConfig) { c.match = policy })
}

// WithSubscribeOptions adds raw SUBSCRIBE.Options.
func WithSubscribeOptions(opts wamp.Dict) SubscribeOption {
	return subscribeOptionFunc(func(c *subscribeConfig) { c.options = opts })
}

// WithEventQueue bounds the queue of events waiting for this
// subscription's handler to n events (Config.EventQueue by default); see
// the package documentation. Subscribe refuses n < 1.
func WithEventQueue(n int) SubscribeOption {
	return subscribeOptionFunc(func(c *subscribeConfig) {
		c.queue = n
		if n < 1 {
			c.queue = -1 // refused by Subscribe
		}
	})
}

// Subscription is an active subscription.
type Subscription struct {
	itemState // its ID, and whether it was dropped (see lifecycle)
	s         *Session
	topic     wamp.URI
	handler   EventHandler
	options   wamp.Dict // SUBSCRIBE.Options, kept to subscribe again after a reconnect
	// ownEvent: the handler is wrapped in interceptors, and gets a copy of
	// the Event that the session shares between the handlers of a
	// subscription, so that an interceptor that replaces a field before
	// next (redacting Args, say) changes only what its own handler sees.
	ownEvent bool
	// ctx is the handler's context (before the event is added): cancelled
	// by end, or with the session's.
	ctx    context.Context
	cancel context.CancelCauseFunc
	queue  eventQueue
	stats  subscriptionCounters
}

// ID returns the subscription ID the router assigned.
func (sub *Subscription) ID() wamp.ID { return wamp.ID(sub.id.Load()) }

// Topic returns the subscribed topic or pattern.
func (sub *Subscription) Topic() wamp.URI { return sub.topic }

// subscriptions is the state of the session's subscriptions: the
// lifecycle they share with registrations, the active ones and the
// unwanted ones. Its mu guards it all.
type subscriptions struct {
	lifecycle[*Subscription]
	s *Session
	// active holds the handlers by the current connection's subscription
	// IDs: the router keeps one subscription per topic and match policy,
	// which several handlers may share.
	active map[wamp.ID][]*Subscription
	// unwanted holds the current connection's subscriptions that no
	// handler uses any more, but which a pending SUBSCRIBE may get back:
	// see settleUnwantedLocked.
	unwanted map[wamp.ID]*Subscription
}

func (ss *subscriptions) init(s *Session) {
	ss.lifecycle.init(ss)
	ss.s = s
	ss.active = map[wamp.ID][]*Subscription{}
	ss.unwanted = map[wamp.ID]*Subscription{}
}

func (*subscriptions) request(c *conn, sub *Subscription, id wamp.ID) (wamp.Message, error) {
	if c != nil {
		if err := c.feats.subscribeOptions(sub.options); err != nil {
			return nil, err
		}
	}
	return &wamp.Subscribe{Request: id, Options: sub.options, Topic: sub.topic}, nil
}

func (*subscriptions) answer() wamp.MessageType { return wamp.TypeSubscribed }

func (*subscriptions) standIn(sub *Subscription) *Subscription {
	st := &Subscription{s: sub.s, topic: sub.topic, options: sub.options}
	st.dropped = true
	return st
}

func (ss *subscriptions) activateLocked(sub *Subscription, id wamp.ID) {
	ss.removeLocked(sub) // a restore gives it a new ID
	sub.id.Store(uint64(id))
	ss.active[id] = append(ss.active[id], sub)
}

// unwantedLocked: unless other handlers use it, the router's subscription
// is unwanted (see settleUnwantedLocked, which settledLocked calls next).
// A SUBSCRIBED that gives an unwanted subscription to a handler takes it
// over.
func (ss *subscriptions) unwantedLocked(_ *conn, sub *Subscription, id wamp.ID) func() {
	if len(ss.active[id]) == 0 {
		ss.unwanted[id] = sub
	}
	return nil
}

// abandonLocked takes the handler off; if SUBSCRIBED came just as the
// session gave up, the router's subscription is unwanted, unless other
// handlers use it.
func (ss *subscriptions) abandonLocked(_ *conn, sub *Subscription, _ bool) func() {
	id := sub.ID()
	active := slices.Contains(ss.active[id], sub)
	if others := ss.removeLocked(sub); active && !others {
		ss.unwanted[id] = sub
	}
	return nil
}

func (ss *subscriptions) settledLocked(c *conn, req wamp.ID, sub *Subscription) {
	ss.settleUnwantedLocked(c, req, sub.topic, sub.options)
}

func (ss *subscriptions) forgetLocked() {
	clear(ss.active)
	clear(ss.unwanted)
}

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
	if err := cfg.match.check(); err != nil {
		return nil, fmt.Errorf("runtime: subscribing to %s: %w", topic, err)
	}
	if cfg.queue < 0 {
		return nil, fmt.Errorf("runtime: subscribing to %s: WithEventQueue: the bound must be at least 1", topic)
	}
	if cfg.queue == 0 {
		cfg.queue = s.cfg.EventQueue
	}
	if err := wamp.ValidateURI(topic, wamp.Loose, string(cfg.match)); err != nil {
		return nil, fmt.Errorf("runtime: subscribing: %w", err)
	}
	h, err := s.wrapEvent(h, cfg.interceptors)
	if err != nil {
		return nil, fmt.Errorf("runtime: subscribing to %s: %w", topic, err)
	}
	options := matchOptions(cfg.options, cfg.match)
	sub := &Subscription{s: s, topic: topic, handler: h, options: options, ownEvent: len(s.chains.all(cfg.interceptors)) > 0}
	sub.ctx, sub.cancel = context.WithCancelCause(s.baseCtx)
	sub.queue.maxEvents, sub.queue.maxBytes = cfg.queue, s.cfg.EventQueueBytes
	if err := s.subs.makeOn(s, ctx, sub); err != nil {
		s.subs.drop(sub)
		sub.end(nil)
		return nil, fmt.Errorf("runtime: subscribing to %s: %w", topic, err)
	}
	return sub, nil
}

// settleUnwantedLocked decides what becomes of the unwanted subscriptions
// (ss.unwanted) for topic with the match policy of options, once the
// SUBSCRIBE id for them is no longer pending (answered, refused, failed or
// given up). One that a handler uses again (a SUBSCRIBED gave it back) is
// kept. The others are unsubscribed on c, unless another SUBSCRIBE that
// may get them back is still pending (pendingForLocked): its answer
// decides. If c is nil, the connection is gone, and its subscriptions with
// it. subs.mu is held.
func (ss *subscriptions) settleUnwantedLocked(c *conn, id wamp.ID, topic wamp.URI, options wamp.Dict) {
	if len(ss.unwanted) == 0 {
		return
	}
	match := matchPolicy(options)
	pending := ss.pendingForLocked(id, topic, options)
	for subID, u := range ss.unwanted {
		if u.topic != topic || matchPolicy(u.options) != match {
			continue
		}
		switch {
		case len(ss.active[subID]) > 0:
			delete(ss.unwanted, subID) // taken over
		case pending:
		default:
			delete(ss.unwanted, subID)
			if c != nil {
				ss.s.unsubscribeUnwantedLocked(c, subID, topic)
			}
		}
	}
}

// pendingForLocked reports whether a SUBSCRIBE other than request id, for
// topic with the match policy of options, is pending and will settle what
// becomes of the router's subscription: one that somebody still waits
// for, or one sent after id (its own answer decides then). The router
// keeps one subscription per session, topic and match policy, so it
// answers such a SUBSCRIBE with the ID that id's SUBSCRIBED carries, and an
// UNSUBSCRIBE for that ID would silence the other subscription as soon as
// it is made. subs.mu is held.
//
// An UNSUBSCRIBE decided with subs.mu held is queued with subs.mu held
// (queueLocked), and a SUBSCRIBE is pending before it is sent: so either
// the UNSUBSCRIBE reaches the router before the SUBSCRIBE, which then makes
// a new subscription (the router handles a session's messages in order),
// or the SUBSCRIBE is seen here.
func (ss *subscriptions) pendingForLocked(id wamp.ID, topic wamp.URI, options wamp.Dict) bool {
	match := matchPolicy(options)
	for rid, p := range ss.pending {
		if rid != id && p.topic == topic && matchPolicy(p.options) == match && (!p.dropped || rid > id) {
			return true
		}
	}
	return false
}

// matchPolicy returns the match policy that SUBSCRIBE or REGISTER options
// ask for.
func matchPolicy(options wamp.Dict) Match {
	if m, _ := wamp.DictString(options, wamp.OptMatch); m != "" {
		return Match(m)
	}
	return MatchExact
}

// unsubscribeUnwantedLocked queues UNSUBSCRIBE on c for subscription id,
// which no handler uses (see settleUnwantedLocked); subs.mu is held. It
// does not wait: the answer, UNSUBSCRIBED or ERROR, answers a request
// nothing waits for, which the read loop drops (deliverReply).
func (s *Session) unsubscribeUnwantedLocked(c *conn, id wamp.ID, topic wamp.URI) {
	s.log.Debug("unsubscribing a subscription no handler uses", "topic", topic, "subscription", id)
	if err := s.queueLocked(c, &wamp.Unsubscribe{Request: s.reqIDs.Next(), Subscription: id}); err != nil {
		s.log.Debug("unsubscribing a subscription no handler uses failed", "subscription", id, "err", err)
	}
}

// queueLocked queues m on c with subs.mu held, without waiting for room
// in the write queue (noWait): the messages queued with subs.mu held reach
// the router in the order the session decided them (see
// pendingForLocked). Only small messages, at most one per subscription,
// are queued so. Not sendOn, which reads s.Err on failure. c is the
// connection the message is for; if it is gone, Send fails.
func (s *Session) queueLocked(c *conn, m wamp.Message) error {
	data, err := s.ser.AppendEncode(nil, m)
	if err != nil {
		return err
	}
	return c.tr.Send(noWait, data, sendNow)
}

// removeLocked takes sub's handler off its subscription ID and reports
// whether other handlers remain on it; subs.mu is held.
func (ss *subscriptions) removeLocked(sub *Subscription) (others bool) {
	id := sub.ID()
	list := ss.active[id]
	for i, x := range list {
		if x == sub {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(ss.active, id)
		return false
	}
	ss.active[id] = list
	return true
}

// Unsubscribe ends the subscription: its handler receives no more events,
// the events still queued for it are dropped (not counted as Dropped), and
// its context is cancelled when Unsubscribe returns (so a handler may
// unsubscribe with its own context). Unsubscribe does not wait for a
// handler that is running (Session.Close does).
//
// When it is the last handler of the router's subscription, Unsubscribe
// tells the router and waits for its answer, unless another Subscribe for
// the same topic and match policy is pending. The router may answer that
// one with this subscription (it keeps one per session, topic and match
// policy), and must not remove it then: Unsubscribe returns nil at once,
// and the session unsubscribes only if the pending Subscribe does not take
// the subscription over (it gets another one, or fails).
func (sub *Subscription) Unsubscribe(ctx context.Context) error {
	defer sub.endUnsubscribed()
	return sub.unsubscribe(ctx)
}

// endUnsubscribed cancels the handler's context of a subscription
// unsubscribed.
func (sub *Subscription) endUnsubscribed() {
	sub.end(fmt.Errorf("%w: unsubscribed from %s", context.Canceled, sub.topic))
}

// unsubscribe is Unsubscribe, but for the handler's context, which the
// caller cancels (endUnsubscribed) once done with ctx: it may be that
// context.
func (sub *Subscription) unsubscribe(ctx context.Context) error {
	s := sub.s
	ss := &s.subs
	ss.mu.Lock()
	subID := sub.ID()
	active := slices.Contains(ss.active[subID], sub)
	wasDropped, held := ss.releaseLocked(sub)
	sub.stop() // nothing more is handled from now on
	others := false
	if active {
		others = ss.removeLocked(sub)
	}
	c := s.cur.Load()
	switch {
	case wasDropped || (!active && !held):
		ss.mu.Unlock()
		return fmt.Errorf("runtime: unsubscribing from %s: %w", sub.topic, ErrNoSuchSubscription)
	case !active, others, c == nil:
		// Disconnected, or the connection is being detached (it will not
		// be restored), or other handlers still use the router's
		// subscription.
		ss.mu.Unlock()
		return nil
	case s.life.closed.Load():
		ss.mu.Unlock()
		return s.errClosed()
	case ss.pendingForLocked(0, sub.topic, sub.options):
		ss.unwanted[subID] = sub
		ss.mu.Unlock()
		return nil
	}
	// Queued with subs.mu held, before any SUBSCRIBE that the router could
	// answer with this subscription (see pendingForLocked). The reply
	// channel is in s.requests before failPending, which forgets ss's IDs
	// first, can sweep them: so a lost connection fails the wait at once.
	id := s.reqIDs.Next()
	ch := make(chan wamp.Message, 1)
	s.requests.add(id, ch)
	err := s.queueLocked(c, &wamp.Unsubscribe{Request: id, Subscription: subID})
	if err != nil {
		s.forgetRequest(id)
	}
	ss.mu.Unlock()
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
	ss := &s.subs
	reason, _ := wamp.DictString(m.Details, wamp.OptReason)
	ss.mu.Lock()
	subs := ss.active[id]
	delete(ss.active, id)
	delete(ss.unwanted, id)
	for _, sub := range subs {
		ss.dropLocked(sub) // revoked: a reconnect must not bring it back
		sub.end(fmt.Errorf("%w: the router revoked the subscription to %s (reason %q)", context.Canceled, sub.topic, reason))
	}
	ss.mu.Unlock()
	if len(subs) > 0 {
		s.log.Warn("router revoked a subscription", "topic", subs[0].topic, "reason", reason)
	}
}

// deliverEvent queues m, read on c, for the handlers of its subscription.
// Checked under subs.mu, c is the current connection, so the subscription IDs
// are c's (see handle). It never waits: each handler has a queue of its own
// (see eventQueue).
func (s *Session) deliverEvent(c *conn, m *wamp.Event) {
	s.subs.mu.Lock()
	var subs []*Subscription
	if s.cur.Load() == c {
		subs = slices.Clone(s.subs.active[m.Subscription])
	}
	s.subs.mu.Unlock()
	if len(subs) == 0 {
		s.log.Debug("EVENT for no active subscription", "subscription", m.Subscription)
		return
	}
	ev := &Event{Topic: subs[0].topic, subscribed: subs[0].topic, Publication: m.Publication, Args: m.Args, Kwargs: m.Kwargs, Details: m.Details}
	// Only the details that the subscription and the router's features
	// make meaningful are read (see features.go).
	if matchPolicy(subs[0].options) != MatchExact {
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
		sub.enqueue(ev, c.frameSize)
	}
}

// rejectUnreadableEvent drops an EVENT, read on c for subscription id,
// whose payload cannot be read (see salvage): each handler of the
// subscription counts it as Rejected, as an event that does not fit its
// types, and logs it as such, throttled (another peer may publish those as
// fast as it likes).
func (s *Session) rejectUnreadableEvent(c *conn, id wamp.ID, decodeErr error) {
	s.subs.mu.Lock()
	var subs []*Subscription
	if s.cur.Load() == c {
		subs = slices.Clone(s.subs.active[id])
	}
	s.subs.mu.Unlock()
	if len(subs) == 0 {
		s.log.Debug("dropping an unreadable EVENT for no active subscription", "subscription", id, "err", decodeErr)
		return
	}
	for _, sub := range subs {
		sub.stats.rejected.Add(1)
		if n, ok := sub.stats.logRejected.tick(); ok {
			s.log.Warn("dropping an unreadable EVENT", "topic", sub.topic, "subscription", id, "rejected_since_last_line", n, "err", decodeErr)
		}
	}
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
