package gen

// Checking one method of a service or of a topics interface and building
// its model: builder.method and the steps it runs. Procedures and topics
// share every step; where their rules differ (a topic has no results, no
// progress and other options), the step asks its owner's kind.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/wampgen/wampgen/wamp"
)

// method checks one method of the service or topics interface s and
// returns its model, or nil when it reported a diagnostic. It runs one step
// per job, in this order: where the method is reported, whether a client
// (or publisher) can implement it, its //wampgen:procedure or
// //wampgen:topic options, its URI, its shape (ctx first, error last), its
// parameters, its results, and the kwargs rule. The URI and shape steps
// report every problem before the method is given up on, so one run lists
// them all. The parameters step includes the rules of streamed input.
func (b *builder) method(s owner, spec *ast.TypeSpec, fn *types.Func, prefixKnown bool) *Method {
	c := b.methodCheck(s, spec, fn)
	m := &Method{Name: fn.Name(), Pos: b.fset.Position(c.pos)}
	if !fn.Exported() && fn.Pkg() != nil && fn.Pkg() != b.pkg.Types {
		// Only types of fn's package can have fn, so no client can
		// implement the service.
		generated := "client"
		if s.kind.topics() {
			generated = "publisher"
		}
		b.errorf(c.pos, "method %s is unexported, so only types of package %s can implement %s and the generated %s cannot: export the method, or declare the %s in package %s", c.where, fn.Pkg().Path(), s.name, generated, s.kind.noun, fn.Pkg().Path())
		return nil
	}
	uriKnown := c.options(m, fn, prefixKnown)
	c.uri(m, s, fn, uriKnown)
	sig := fn.Type().(*types.Signature)
	c.shape(m, sig)
	if !c.ok {
		return nil
	}
	c.params(m, sig.Params())
	c.results(m, sig.Results())
	c.kwargs(m)
	if !c.ok {
		return nil
	}
	return m
}

// methodCheck is the state of checking one method: where its diagnostics
// point, how they name it, and whether one was reported.
type methodCheck struct {
	b     *builder
	kind  ifaceKind
	owner string // the interface's name
	pos   token.Pos
	where string // Service.Method, and the declaring package if another
	ok    bool
}

// methodCheck starts checking fn, a method of s. A method embedded from
// another package is reported at the service, as it has no position here.
func (b *builder) methodCheck(s owner, spec *ast.TypeSpec, fn *types.Func) *methodCheck {
	c := &methodCheck{b: b, kind: s.kind, owner: s.name, pos: fn.Pos(), where: fmt.Sprintf("%s.%s", s.name, fn.Name()), ok: true}
	if b.fset.Position(c.pos).Filename == "" || b.pkg.Types != fn.Pkg() {
		c.pos = spec.Name.Pos()
		if fn.Pkg() != nil {
			c.where += " (declared in package " + fn.Pkg().Path() + ")"
		}
	}
	return c
}

// fail reports a problem with the method, which then has no model.
func (c *methodCheck) fail(format string, args ...any) {
	c.b.errorf(c.pos, "method "+c.where+": "+format, args...)
	c.ok = false
}

// options copies the method's //wampgen:procedure (or, for a topic,
// //wampgen:topic) arguments into m and checks an explicit uri= against its
// match policy. It reports whether a missing URI is a problem of its own:
// not when the service's prefix was unusable (reported already), nor when
// the directive is broken and has no uri= (the uri= may be what did not
// parse). The other kind's directive on the method is a diagnostic.
func (c *methodCheck) options(m *Method, fn *types.Func, prefixKnown bool) (uriKnown bool) {
	uriKnown = prefixKnown
	field := c.b.fields[fn.Pos()]
	if field == nil {
		return uriKnown
	}
	if d := c.b.methodDirs(c.kind.other())[field]; d != nil {
		c.b.usedProc[d] = true
		c.b.errorf(d.pos, "//wampgen:%s on method %s of the //wampgen:%s interface %s: its methods are %ss, annotated with //wampgen:%s; move the method to a //wampgen:%s interface or use //wampgen:%s",
			d.name, c.where, c.kind.directive, c.owner, c.kind.item, c.kind.item, c.kind.other().directive, c.kind.item)
		c.ok = false
	}
	d := c.b.methodDirs(c.kind)[field]
	if d == nil {
		return uriKnown
	}
	c.b.usedProc[d] = true
	if _, hasURI := d.arg("uri"); d.broken && !hasURI {
		uriKnown = false
	}
	for _, a := range d.args {
		switch a.key {
		case "uri":
			m.URI = a.value
		case "match":
			m.Match = MatchPolicy(a.value)
		case "invoke":
			m.Invoke = InvokePolicy(a.value)
		case "disclose_caller":
			m.DiscloseCaller = a.value == "true"
		case "cancel":
			m.Cancel = CancelMode(a.value)
		case "kwargs":
			m.Kwargs = a.value == "true"
		case "acknowledge":
			m.Acknowledge = a.value == "true"
		case "exclude_me":
			exclude := a.value == "true"
			m.ExcludeMe = &exclude
		case "disclose_publisher":
			m.DisclosePublisher = a.value == "true"
		}
	}
	if m.URI != "" {
		if a, _ := d.arg("uri"); !c.b.checkURI(a.valuePos, "uri", c.kind.item, m.URI, m.Match) {
			c.ok = false
		}
	}
	return uriKnown
}

// uri gives m its default URI, prefix + "." + snake_case(name), when it has
// none and one is expected, and checks that no other method of the package
// uses the same URI (procedures and topics each among their own kind;
// checkTopicProcedureURIs compares the two).
func (c *methodCheck) uri(m *Method, s owner, fn *types.Func, uriKnown bool) {
	item := c.kind.item
	if m.URI == "" && uriKnown {
		if s.prefix == "" {
			if c.kind.topics() {
				c.fail("no topic URI: give the topics interface a prefix (//wampgen:topics prefix=com.example.svc) or the method a uri (//wampgen:topic uri=com.example.svc.event)")
			} else {
				c.fail("no procedure URI: give the service a prefix (//wampgen:service prefix=com.example.svc) or the method a uri (//wampgen:procedure uri=com.example.svc.method)")
			}
		} else {
			m.URI = s.prefix + "." + snakeCase(fn.Name())
			if m.Match == MatchWildcard {
				c.fail("match=wildcard needs an explicit uri= pattern with empty components, such as uri=com.example..add")
			} else if err := wamp.ValidateApplicationURI(wamp.URI(m.URI), wamp.Strict, string(m.Match)); err != nil {
				c.fail("the default %s URI %q is not a strict WAMP URI (rule: strict URIs are components of a-z, 0-9 and _): give the method a uri= (%v)", item, m.URI, err)
				m.URI = ""
			}
		}
	}
	if m.URI != "" {
		uris := c.b.uris
		if c.kind.topics() {
			uris = c.b.topicURIs
		}
		if first, dup := uris[m.URI]; dup {
			c.fail("%s URI %q is already used by %s: give one of them another uri=", item, m.URI, first)
		} else {
			uris[m.URI] = c.where
			if c.kind.topics() {
				c.b.topicPos[m.URI] = c.pos
			}
		}
	}
}

// shape checks the frame of the signature (no variadic parameter, a
// context.Context first, an error last) and names the context parameter.
func (c *methodCheck) shape(m *Method, sig *types.Signature) {
	if sig.Variadic() {
		c.fail("variadic parameters are not supported (rule: method shape): use a slice parameter")
	}
	params := sig.Params()
	if params.Len() == 0 || !isNamed(params.At(0).Type(), "context", "Context") {
		c.fail("the first parameter must be a context.Context (rule: method shape): add ctx context.Context as the first parameter")
	} else {
		m.Ctx = params.At(0).Name()
	}
	results := sig.Results()
	if results.Len() == 0 || !types.Identical(results.At(results.Len()-1).Type(), errorType) {
		if c.kind.topics() {
			c.fail("a topic method's one result must be error (rule: topic method shape): declare it as Method(ctx context.Context, ...) error")
		} else {
			c.fail("the last result must be error (rule: method shape): add error as the last result")
		}
	} else if c.kind.topics() && results.Len() > 1 {
		c.fail("a topic method returns error only, as an event has no results (rule: topic method shape): drop the other results; a subscriber's error is logged and counted, never sent back")
	}
}

// params sorts the parameters after ctx into payload values (m.Params),
// the progress callback (m.Progress), which must come last, and the
// streamed input (m.Input), which must be the only one; streamedInput
// checks the latter's rules.
func (c *methodCheck) params(m *Method, params *types.Tuple) {
	names := paramNames(params)
	var inputs []*Param
	for i := 1; i < params.Len(); i++ {
		p := params.At(i)
		if c.kind.topics() && (isNamed(p.Type(), "iter", "Seq") || isNamed(p.Type(), "iter", "Seq2")) {
			c.fail("parameter %s has type %s: an event is one message, so a topic cannot stream its input (rule: topic method shape): publish one event per item, or send the items as a slice", names[i], c.b.typeString(p.Type()))
			continue
		}
		if _, isFunc := types.Unalias(p.Type()).Underlying().(*types.Signature); isFunc && c.kind.topics() {
			c.fail("parameter %s has type %s: a topic's parameters are its event's payload, and an event has no progress callback or other function (rule: topic method shape): drop it", names[i], c.b.typeString(p.Type()))
			continue
		}
		if isNamed(p.Type(), "iter", "Seq2") {
			c.fail("parameter %s has type %s: a streamed input is iter.Seq[T], one value a chunk (rule: streamed input): make the pair one struct and take an iter.Seq of it", names[i], c.b.typeString(p.Type()))
			continue
		}
		if t, isInput := inputType(p.Type()); isInput {
			if isNamed(t, "iter", "Seq") || isNamed(t, "iter", "Seq2") {
				c.fail("streamed input %s: its items are sequences (%s), and a call streams one input, one value a chunk (rule: streamed input): send each inner sequence as a slice", names[i], c.b.typeString(t))
				continue
			}
			if why := c.b.payload(t); why != "" {
				c.fail("streamed input %s: %s", names[i], why)
				continue
			}
			inputs = append(inputs, &Param{Name: names[i], Type: t})
			continue
		}
		if t, isProgress := progressType(p.Type()); isProgress {
			if i != params.Len()-1 {
				c.fail("the progress callback %s must be the last parameter (rule: method shape): move it after the others", names[i])
				continue
			}
			if why := c.b.payload(t); why != "" {
				c.fail("progress callback %s: %s", names[i], why)
				continue
			}
			m.Progress = &Param{Name: names[i], Type: t}
			continue
		}
		if _, isFunc := types.Unalias(p.Type()).Underlying().(*types.Signature); isFunc {
			c.fail("parameter %s has type %s, which is neither a payload value, a progress callback (func(T) error, the last parameter) nor a streamed input (iter.Seq[T], the only parameter besides ctx)", names[i], c.b.typeString(p.Type()))
			continue
		}
		if why := c.b.payload(p.Type()); why != "" {
			c.fail("parameter %s: %s", names[i], why)
			continue
		}
		m.Params = append(m.Params, &Param{Name: names[i], Type: p.Type()})
	}
	c.streamedInput(m, inputs)
}

// streamedInput checks the rules of streamed input (client streaming and
// bidirectional calls) for the iter.Seq parameters params found, and sets
// m.Input when they hold. Each item travels as one chunk whose Arguments
// are [item], the contract of progressive call invocations every peer
// can follow, so the stream is the call's only input: no other parameter,
// no keyword arguments, and no progress callback (a bidirectional call
// returns its results as an iter.Seq2).
func (c *methodCheck) streamedInput(m *Method, inputs []*Param) {
	const rule = "(rule: streamed input: ctx and one iter.Seq[T] are the only parameters, each item travelling as one chunk with Arguments [item])"
	switch {
	case len(inputs) == 0:
		return
	case len(inputs) > 1:
		names := make([]string, len(inputs))
		for i, p := range inputs {
			names[i] = p.Name
		}
		c.fail("streamed inputs %s: a call streams one input %s: merge them into one iter.Seq of a struct", strings.Join(names, ", "), rule)
		return
	}
	in := inputs[0]
	switch {
	case m.Progress != nil:
		c.fail("streamed input %s with the progress callback %s %s: a bidirectional call returns its results as (iter.Seq2[R, error], error); drop %s and return an iter.Seq2", in.Name, m.Progress.Name, rule, m.Progress.Name)
	case len(m.Params) > 0:
		others := make([]string, len(m.Params))
		for i, p := range m.Params {
			others[i] = p.Name
		}
		c.fail("streamed input %s next to the parameters %s %s: put what they carry into the item type, or send it in a call of its own", in.Name, strings.Join(others, ", "), rule)
	case m.Kwargs:
		c.fail("kwargs=true with the streamed input %s %s: drop kwargs=true (an item that is a struct travels as one value)", in.Name, rule)
	default:
		m.Input = in
	}
}

// results sorts the results before the error into payload values
// (m.Results) and a stream (m.Stream, the T of iter.Seq2[T, error]), and
// keeps the interface's names for them.
func (c *methodCheck) results(m *Method, results *types.Tuple) {
	for i := 0; i < results.Len()-1; i++ {
		r := results.At(i)
		if t, isStream := streamType(r.Type()); isStream {
			if results.Len() != 2 {
				c.fail("a streaming method returns exactly (iter.Seq2[T, error], error) (rule: method shape): drop the other results")
				continue
			}
			if m.Progress != nil {
				c.fail("a method streams either through a progress callback or an iter.Seq2 result, not both: drop one")
				continue
			}
			if why := c.b.payload(t); why != "" {
				c.fail("stream item: %s", why)
				continue
			}
			m.Stream = t
			m.StreamName = declaredName(r)
			continue
		}
		if isNamed(r.Type(), "iter", "Seq2") || isNamed(r.Type(), "iter", "Seq") {
			c.fail("result %d: a stream is iter.Seq2[T, error], so that the callee can fail mid-stream; %s is not (rule: method shape)", i+1, c.b.typeString(r.Type()))
			continue
		}
		if why := c.b.payload(r.Type()); why != "" {
			c.fail("result %d: %s", i+1, why)
			continue
		}
		m.Results = append(m.Results, &Param{Name: declaredName(r), Type: r.Type()})
	}
	if results.Len() > 0 {
		m.ErrName = declaredName(results.At(results.Len() - 1))
	}
	if m.Input != nil && len(m.Results) > 1 {
		c.fail("streamed input %s with %d results (rule: streamed input: the results are (error), (R, error) or, bidirectional, (iter.Seq2[R, error], error)): return one struct holding them", m.Input.Name, len(m.Results))
	}
}

// kwargs checks, for a kwargs=true method whose parameters passed, that
// it takes exactly one struct by value whose fields travel as ArgumentsKw.
func (c *methodCheck) kwargs(m *Method) {
	if !m.Kwargs || !c.ok {
		return
	}
	const rule = "kwargs=true needs one struct parameter besides ctx, whose exported fields travel as ArgumentsKw; "
	switch {
	case len(m.Params) == 0:
		c.fail(rule + "this method has none: add one or drop kwargs=true")
	case len(m.Params) > 1:
		c.fail(rule+"this method has %d: merge them into one struct", len(m.Params))
	case isPointerToStruct(m.Params[0].Type):
		c.fail(rule+"%s has the pointer type %s: take the struct by value", m.Params[0].Name, c.b.typeString(m.Params[0].Type))
	case !isStruct(m.Params[0].Type):
		c.fail(rule+"%s has type %s: declare a struct with a field for each keyword", m.Params[0].Name, c.b.typeString(m.Params[0].Type))
	case c.b.encodesItself(m.Params[0].Type):
		// It travels as what its methods give (a string for a time),
		// not as a dictionary of its fields: no key could be checked.
		c.fail(rule+"%s has type %s, which encodes itself (time.Time, or a marshaler pair), so its fields do not travel: declare a struct with a field for each keyword", m.Params[0].Name, c.b.typeString(m.Params[0].Type))
	}
}

// progressType returns T when t is func(T) error.
func progressType(t types.Type) (types.Type, bool) {
	sig, ok := types.Unalias(t).(*types.Signature)
	if !ok || sig.Params().Len() != 1 || sig.Results().Len() != 1 || sig.Variadic() ||
		!types.Identical(sig.Results().At(0).Type(), errorType) {
		return nil, false
	}
	return sig.Params().At(0).Type(), true
}

// inputType returns T when t is iter.Seq[T].
func inputType(t types.Type) (types.Type, bool) {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || !isNamed(n, "iter", "Seq") || n.TypeArgs().Len() != 1 {
		return nil, false
	}
	return n.TypeArgs().At(0), true
}

// streamType returns T when t is iter.Seq2[T, error].
func streamType(t types.Type) (types.Type, bool) {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || !isNamed(n, "iter", "Seq2") || n.TypeArgs().Len() != 2 || !types.Identical(n.TypeArgs().At(1), errorType) {
		return nil, false
	}
	return n.TypeArgs().At(0), true
}

// declaredName is v's name as the interface declares it, or "" for an
// unnamed or blank one.
func declaredName(v *types.Var) string {
	if v.Name() == "_" {
		return ""
	}
	return v.Name()
}

// paramNames names the parameters: by their own names, and argN (N their
// index) for unnamed and blank ones, made unique among the others.
func paramNames(params *types.Tuple) []string {
	taken := map[string]bool{}
	for i := range params.Len() {
		taken[params.At(i).Name()] = true
	}
	out := make([]string, params.Len())
	for i := range params.Len() {
		if n := params.At(i).Name(); n != "" && n != "_" {
			out[i] = n
			continue
		}
		name := fmt.Sprintf("arg%d", i)
		for k := 2; taken[name]; k++ {
			name = fmt.Sprintf("arg%d_%d", i, k)
		}
		taken[name] = true
		out[i] = name
	}
	return out
}
