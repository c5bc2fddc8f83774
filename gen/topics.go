package gen

// Emitting the code for a //wampgen:topics interface: the topic constants,
// the publisher (which implements the interface by publishing), the
// subscribe functions and the event handlers. Arguments are packed and
// decoded by the same helpers as a service's (payloads, decodeParams), so
// an event travels exactly as a call's arguments do.

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

func (e *emitter) topics(t *Topics) {
	n := topicsNamesOf(t.Name)
	e.topicConstants(t, n)
	e.publisher(t, n)
	e.subscriber(t, n)
}

func (e *emitter) topicConstants(t *Topics, n topicsNames) {
	e.doc(fmt.Sprintf("Topic URIs of the %s topics interface.", t.Name))
	defs := make([]jen.Code, 0, len(t.Methods))
	for _, m := range t.Methods {
		what := "the URI"
		if m.Match.IsPattern() {
			what = "the pattern (match=" + string(m.Match) + ")"
		}
		defs = append(defs, jen.Comment(fmt.Sprintf("%s is %s of %s.%s.", n.TopicConst(m.Name), what, t.Name, m.Name)).Line().
			Id(n.TopicConst(m.Name)).Add(e.q(wampPath, "URI")).Op("=").Lit(m.URI))
	}
	e.f.Const().Defs(defs...)
}

// publishOptions returns the publish options a topic's annotation adds to
// the publisher's.
func publishOptions(m *Method) []jen.Code {
	var opts []jen.Code
	if m.Acknowledge {
		opts = append(opts, jen.Qual(runtimePath, "WithAcknowledge").Call())
	}
	if m.ExcludeMe != nil {
		opts = append(opts, jen.Qual(runtimePath, "WithExcludeMe").Call(jen.Lit(*m.ExcludeMe)))
	}
	if m.DisclosePublisher {
		opts = append(opts, jen.Qual(runtimePath, "WithPublisherDisclosed").Call())
	}
	return opts
}

// subscribeOptions returns the subscribe options a topic's annotation
// adds to the subscriber's.
func subscribeOptions(m *Method) []jen.Code {
	if m.Match.IsPattern() {
		return []jen.Code{jen.Qual(runtimePath, "WithTopicMatch").Call(jen.Lit(string(m.Match)))}
	}
	return nil
}

func (e *emitter) publisher(t *Topics, n topicsNames) {
	pf := fieldNames(t.Methods, "pub", func(m *Method) bool { return len(publishOptions(m)) > 0 })
	e.sender(senderType{
		iface: t.Name, typeName: n.Publisher, ctorName: n.NewPublisher,
		runtimeIface: "Publisher", optionType: "PublishOption", param: "pub", does: "publishes", each: "publication",
		typeDoc: fmt.Sprintf("%s publishes the events of %s through a WAMP session: calling one of its", n.Publisher, t.Name) + " " +
			"methods publishes that topic's event, with the method's arguments as its payload. It implements" + " " +
			t.Name + ", so code that emits events cannot tell subscribers far away from a local implementation." + " " +
			"Options for one publication (runtime.WithEligible, runtime.WithExclude, …) travel on its context:" + " " +
			"ctx = runtime.WithPublishOptions(ctx, runtime.WithEligible(id)).",
	}, pf, t.Methods, publishOptions)
	for _, m := range t.Methods {
		e.publisherMethod(n, pf, m)
	}
}

func (e *emitter) publisherMethod(n topicsNames, fields clientFieldNames, m *Method) {
	sc := e.newScope()
	sig := e.signature(sc, m)
	recv := sc.name("p")
	topic := jen.Id(n.TopicConst(m.Name))
	params, results := e.sigCode(m, sig)
	argNames := make([]jen.Code, 0, len(sig.params))
	for _, name := range sig.params {
		argNames = append(argNames, jen.Id(name))
	}
	opts := jen.Id(recv).Dot(fields.opts)
	if f, ok := fields.method[m.Name]; ok {
		opts = jen.Id(recv).Dot(f)
	}
	args, kwargs := e.payloads(m, argNames)
	var body []jen.Code
	target := jen.Code(topic)
	if m.Match.IsPattern() {
		// Subscribers subscribe to a pattern, but an event is published
		// to a concrete topic: the one set with runtime.WithTopicURI,
		// which the pattern must match.
		uri := sc.name("uri")
		body = append(body,
			jen.List(jen.Id(uri), jen.Id(sig.err)).Op(":=").Qual(runtimePath, "ResolveTopicURI").Call(jen.Id(sig.ctx), topic, jen.Lit(string(m.Match))),
			jen.If(jen.Id(sig.err).Op("!=").Nil()).Block(jen.Return(jen.Id(sig.err))),
		)
		target = jen.Id(uri)
	}
	body = append(body, jen.Return(jen.Qual(runtimePath, "PublishEvent").Call(jen.Id(sig.ctx), jen.Id(recv).Dot(fields.caller), target, args, kwargs, opts.Op("..."))))
	e.doc(fmt.Sprintf("%s publishes %s to %s%s.", m.Name, eventOf(m, sig), topicOf(m), describeTopic(m)))
	e.f.Func().Params(jen.Id(recv).Op("*").Id(n.Publisher)).Id(m.Name).Params(params...).Params(results...).Block(body...)
}

// eventOf describes what a publisher method sends, for its doc.
func eventOf(m *Method, sig signature) string {
	switch {
	case m.Kwargs:
		return "the fields of " + sig.params[0] + " as keyword arguments"
	case len(sig.params) == 0:
		return "an event without arguments"
	}
	return strings.Join(sig.params, ", ")
}

// topicOf describes where a publisher method publishes, for its doc.
func topicOf(m *Method) string {
	switch m.Match {
	case MatchPrefix:
		return "the concrete topic set on ctx with runtime.WithTopicURI, which must start with the pattern " + m.URI + " (subscribers subscribe with match=prefix), or else to the pattern itself"
	case MatchWildcard:
		return "the concrete topic set on ctx with runtime.WithTopicURI, which must match the pattern " + m.URI + " (subscribers subscribe with match=wildcard); without one it fails, as a wildcard pattern is no topic"
	}
	return m.URI
}

// describeTopic adds what a publisher should know about a topic to its
// doc.
func describeTopic(m *Method) string {
	var notes []string
	if m.Acknowledge {
		notes = append(notes, "waiting for the router's acknowledgement (the error reports a refusal)")
	}
	if m.ExcludeMe != nil {
		if *m.ExcludeMe {
			notes = append(notes, "excluding the publisher's own session")
		} else {
			notes = append(notes, "not excluding the publisher's own session")
		}
	}
	if m.DisclosePublisher {
		notes = append(notes, "disclosing the publisher's identity to subscribers")
	}
	if len(notes) == 0 {
		return ""
	}
	return ", " + strings.Join(notes, ", ")
}

func (e *emitter) subscriber(t *Topics, n topicsNames) {
	sc := e.newScope()
	ctx, sub, impl, opts := sc.name("ctx"), sc.name("sub"), sc.name("impl"), sc.name("opts")
	topics := make([]jen.Code, 0, len(t.Methods))
	for _, m := range t.Methods {
		d := []jen.Code{
			jen.Id("URI").Op(":").Id(n.TopicConst(m.Name)),
			jen.Id("Handler").Op(":").Id(n.Handler(m.Name)).Call(jen.Id(impl).Dot(m.Name)),
		}
		if sopts := subscribeOptions(m); len(sopts) > 0 {
			d = append(d, jen.Id("Options").Op(":").Index().Qual(runtimePath, "SubscribeOption").Values(sopts...))
		}
		topics = append(topics, jen.Values(d...))
	}
	e.doc(fmt.Sprintf("%s subscribes the methods of %s to the %s topics through %s", n.Subscribe, impl, t.Name, sub) + " " +
		fmt.Sprintf("(usually a *runtime.Session), adding %s to every subscription. Each event is decoded", opts) + " " +
		"into the method's parameter types, and the method is called with a context that carries the event" + " " +
		"(runtime.EventFromContext) and ends with the subscription; an event that does not fit is not" + " " +
		"delivered, but counted as Rejected in the subscription's statistics and logged. It returns one" + " " +
		"handle that unsubscribes them all; if one subscription fails, those made before it are undone.")
	e.f.Func().Id(n.Subscribe).Params(
		jen.Id(ctx).Qual("context", "Context"),
		jen.Id(sub).Qual(runtimePath, "Subscriber"),
		jen.Id(impl).Id(t.Name),
		jen.Id(opts).Op("...").Qual(runtimePath, "SubscribeOption"),
	).Params(jen.Op("*").Qual(runtimePath, "Subscriptions"), jen.Error()).Block(
		// A nil interface's method values would panic below.
		jen.If(jen.Id(impl).Op("==").Nil()).Block(
			jen.Return(jen.Nil(), jen.Qual("errors", "New").Call(jen.Lit(n.Subscribe+": nil "+t.Name+" implementation"))),
		),
		jen.Return(jen.Qual(runtimePath, "SubscribeAll").Call(jen.Id(ctx), jen.Id(sub),
			jen.Index().Qual(runtimePath, "Topic").Custom(multiline("{", "}"), topics...), jen.Id(opts).Op("..."))),
	)
	for _, m := range t.Methods {
		e.subscribeOne(t, n, m)
	}
	for _, m := range t.Methods {
		e.eventHandler(n, m)
	}
}

// fnType spells the type of a function with m's signature, as the
// interface declares it: func(ctx context.Context, c Computation) error.
func (e *emitter) fnType(m *Method) jen.Code {
	params, results := e.sigCode(m, e.signature(e.newScope(), m))
	return jen.Func().Params(params...).Params(results...)
}

func (e *emitter) subscribeOne(t *Topics, n topicsNames, m *Method) {
	sc := e.newScope()
	ctx, sub, fn, opts := sc.name("ctx"), sc.name("sub"), sc.name("fn"), sc.name("opts")
	allOpts := jen.Id(opts).Op("...")
	if sopts := subscribeOptions(m); len(sopts) > 0 {
		allOpts = jen.Append(append([]jen.Code{jen.Id(opts).Index(jen.Op(":").Len(jen.Id(opts)).Op(":").Len(jen.Id(opts)))}, sopts...)...).Op("...")
	}
	e.doc(fmt.Sprintf("%s subscribes %s to %s (%s.%s) through %s, adding %s to the", n.SubscribeOne(m.Name), fn, m.URI, t.Name, m.Name, sub, opts) + " " +
		"subscription: for a subscriber that wants this one topic. Events are decoded and delivered as" + " " + n.Subscribe + " delivers them.")
	e.f.Func().Id(n.SubscribeOne(m.Name)).Params(
		jen.Id(ctx).Qual("context", "Context"),
		jen.Id(sub).Qual(runtimePath, "Subscriber"),
		jen.Id(fn).Add(e.fnType(m)),
		jen.Id(opts).Op("...").Qual(runtimePath, "SubscribeOption"),
	).Params(jen.Op("*").Qual(runtimePath, "Subscription"), jen.Error()).Block(
		// Else the handler would panic at every event.
		jen.If(jen.Id(fn).Op("==").Nil()).Block(
			jen.Return(jen.Nil(), jen.Qual("errors", "New").Call(jen.Lit(n.SubscribeOne(m.Name)+": nil function"))),
		),
		jen.Return(jen.Id(sub).Dot("Subscribe").Call(jen.Id(ctx), jen.Id(n.TopicConst(m.Name)), jen.Id(n.Handler(m.Name)).Call(jen.Id(fn)), allOpts)),
	)
}

func (e *emitter) eventHandler(n topicsNames, m *Method) {
	sc := e.newScope()
	fn, ctx, ev, errName, vals := sc.name("fn"), sc.name("ctx"), sc.name("ev"), sc.name("err"), sc.name("vals")
	// Errors name the event's topic: for a pattern, the concrete one.
	body, decoded := e.decodeParams(sc, m, jen.Id(ev).Dot("Topic"), ev, vals, errName, eventDecoding,
		func(err jen.Code) jen.Code { return jen.Return(err) })
	body = append(body, jen.Return(jen.Id(fn).Call(append([]jen.Code{jen.Id(ctx)}, decoded...)...)))
	what := "the arguments into the parameter types"
	if m.Kwargs {
		what = "the keyword arguments into the fields of the parameter, strictly (no positional arguments, no unknown key, every required field)"
	}
	e.doc(fmt.Sprintf("%s adapts %s to a runtime.EventHandler for %s: it decodes %s", n.Handler(m.Name), fn, m.URI, what) + " " +
		"and calls " + fn + " with the decoded values, returning its error. An event that does not fit gets an error" + " " +
		"matching runtime.ErrBadEvent instead, and " + fn + " is not called.")
	e.f.Func().Id(n.Handler(m.Name)).Params(jen.Id(fn).Add(e.fnType(m))).Qual(runtimePath, "EventHandler").Block(
		jen.Return(jen.Func().Params(jen.Id(ctx).Qual("context", "Context"), jen.Id(ev).Op("*").Qual(runtimePath, "Event")).
			Error().Block(body...)),
	)
}
