package gen

// TypeScript output: the model of one package seen as a TypeScript module
// (tsView), rendered by templates/typescript.tmpl. This file maps Go types
// to TypeScript types and to the support module's schemas (ts-design's
// table, README's "TypeScript" section); tsnames.go derives the names and
// checks them for clashes. Nothing here runs unless TypeScript output is
// asked for (a //wampgen:typescript directive, or Config.TypeScript), so
// its diagnostics are reported only then.

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/wampgen/wampgen/templates"
)

// SupportModuleName is the file name of the TypeScript support module that
// wampgen writes beside every generated TypeScript module.
const SupportModuleName = "wampgen.ts"

// TypeScriptName returns the file name of a Go package's TypeScript module:
// "calc" → "calc_wamp.ts".
func TypeScriptName(pkgName string) string { return pkgName + "_wamp.ts" }

// tsView is one package's TypeScript module.
type tsView struct {
	Source   string // the Go import path
	Types    []*tsTypeDecl
	Errors   []*tsErrorDecl
	Services []*tsService
	Topics   []*tsTopics
}

// tsTypeDecl is a Go named type that travels: an interface and its schema
// for a struct, a type alias for the others.
type tsTypeDecl struct {
	Name   string
	Doc    string
	Struct bool
	Fields []tsField // of a struct
	Alias  string    // the TypeScript type a non-struct stands for
	Schema string    // the name of a struct's schema constant
}

// tsField is a struct field that travels, under its wire name.
type tsField struct {
	Wire     string // the name on the wire
	Key      string // the property key: Wire, quoted when not an identifier
	Type     string
	Schema   string
	Optional bool // omitempty, or embedded through a pointer
	Doc      string
}

// Line is the field as an interface member: "key?: T;".
func (f tsField) Line() string {
	opt := ""
	if f.Optional {
		opt = "?"
	}
	return f.Key + opt + ": " + f.Type + ";"
}

// Access is the property access of the field: ".key", or "['key']" for a
// key that is not an identifier.
func (f tsField) Access() string {
	if strings.HasPrefix(f.Key, "'") {
		return "[" + f.Key + "]"
	}
	return "." + f.Key
}

// Spec is the field's entry in its struct's schema.
func (f tsField) Spec() string {
	s := "{ name: " + tsQuote(f.Wire) + ", schema: " + f.Schema
	if f.Optional {
		s += ", omitempty: true"
	}
	return s + " }"
}

// tsErrorDecl is a //wampgen:error as an exception class.
type tsErrorDecl struct {
	Class    string
	GoName   string
	URI      string
	Doc      string
	Sentinel bool      // a sentinel, or an error type without fields that travel
	Message  string    // the default message, a TypeScript string literal
	Fields   []tsField // an error type's, which travel as ArgumentsKw
	FieldsTS string    // "{ input: number }"
	Schema   string    // the fields' schema constant
}

// tsService is a service: its URIs, specs, implementation interface,
// client class and registrar.
type tsService struct {
	Name       string // the Go interface's, and the TypeScript interface's
	Doc        string
	Procedures string // the constant of URIs: CalculatorProcedures
	Specs      string // the spec table: Calculator$
	Client     string
	Register   string
	URIs       []tsURI
	Methods    []*tsMethod
	Left       []tsLeftOut // methods TypeScript leaves out
}

// tsTopics is a topics interface.
type tsTopics struct {
	Name      string
	Doc       string
	TopicURIs string // TopicsTopics
	Specs     string
	Publisher string
	Subscribe string
	URIs      []tsURI
	Methods   []*tsMethod
}

type tsURI struct{ Key, URI string }

// tsLeftOut is a method that has no TypeScript form, and why.
type tsLeftOut struct{ GoName, URI, Why string }

// tsMethod is a procedure or a topic.
type tsMethod struct {
	Name      string // lowerCamel
	GoName    string
	URI       string
	Doc       string // the client's (publisher's) method doc
	ImplDoc   string // the implementation interface's
	Params    string // "a: number, b: number, " (with the trailing separator when not empty)
	Args      string // "a, b"
	Handled   string // "args[0], args[1], " (the handler's arguments)
	Spec      string // the spec object literal
	Subscribe string // for a topic: the function subscribing to this topic alone

	// Procedures only.
	Result      string // the client method's result type: Promise<…> or AsyncIterable<…>
	CallFn      string // w.call<R> or w.callStream<T>
	CallOptions string // w.CallOptions or w.CallOptions<P>
	ImplResult  string
	Invocation  string // w.Invocation or w.Invocation<P>
}

// Member is the method's key in an interface: its name, quoted when it
// is new (which would declare a construct signature there).
func (m *tsMethod) Member() string {
	if m.Name == "new" {
		return tsQuote(m.Name)
	}
	return m.Name
}

// tsBuilder builds the view of one package.
type tsBuilder struct {
	b        *builder
	p        *Package
	docs     map[token.Position]string // doc comments by the position of the declared name
	messages map[token.Position]string // sentinel error texts by the variable's position
	named    map[*types.TypeName]*tsNamed
	byName   map[string]*types.TypeName // TypeScript type name → its Go type
	decls    []*tsTypeDecl
	diags    []Diagnostic
}

// tsNamed is a named type's mapping, once worked out.
type tsNamed struct {
	ref tsRef
	why string
}

// tsRef is a Go type as TypeScript sees it: its TypeScript type and the
// expression of its schema.
type tsRef struct{ ts, schema string }

// typeScript renders the TypeScript module of bp's package, or returns
// the diagnostics of what TypeScript cannot represent.
func typeScript(bp *builtPackage) ([]byte, []Diagnostic, error) {
	tb := &tsBuilder{
		b:        bp.b,
		p:        bp.model,
		docs:     map[token.Position]string{},
		messages: map[token.Position]string{},
		named:    map[*types.TypeName]*tsNamed{},
		byName:   map[string]*types.TypeName{},
	}
	tb.readDocs()
	view := tb.view(bp.model)
	tb.checkNames(view)
	if len(tb.diags) > 0 {
		return nil, tb.diags, nil
	}
	t, err := tsTemplate()
	if err != nil {
		return nil, nil, fmt.Errorf("TypeScript template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, view); err != nil {
		return nil, nil, fmt.Errorf("rendering the TypeScript module of %s: %w", bp.model.Path, err)
	}
	return tidy(buf.Bytes()), nil, nil
}

// tsTemplate is the module template, parsed once.
var tsTemplate = sync.OnceValues(func() (*template.Template, error) {
	return templates.TypeScript(template.FuncMap{"jsdoc": jsdoc, "quote": tsQuote})
})

// tidy removes trailing blanks and runs of blank lines that the template's
// conditionals leave, and ends the file with one newline.
func tidy(src []byte) []byte {
	lines := strings.Split(string(src), "\n")
	var out []string
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

func (tb *tsBuilder) errorf(pos token.Position, format string, args ...any) {
	tb.diags = append(tb.diags, Diagnostic{Pos: pos, Message: "TypeScript output: " + fmt.Sprintf(format, args...)})
}

// readDocs indexes the doc comments of the package's declarations (types,
// struct fields, interface methods, variables) by the position of the
// name they declare, and the texts of sentinel errors declared as
// errors.New("…") or fmt.Errorf("…").
func (tb *tsBuilder) readDocs() {
	b := tb.b
	for _, f := range b.pkg.Syntax {
		if b.generated[b.fset.Position(f.Package).Filename] {
			continue
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					tb.docs[b.fset.Position(spec.Name.Pos())] = docText(spec.Doc, gd)
					ast.Inspect(spec.Type, func(n ast.Node) bool {
						var list *ast.FieldList
						switch n := n.(type) {
						case *ast.StructType:
							list = n.Fields
						case *ast.InterfaceType:
							list = n.Methods
						}
						if list != nil {
							for _, field := range list.List {
								for _, name := range field.Names {
									tb.docs[b.fset.Position(name.Pos())] = strings.TrimSpace(field.Doc.Text())
								}
							}
						}
						return true
					})
				case *ast.ValueSpec:
					for i, name := range spec.Names {
						tb.docs[b.fset.Position(name.Pos())] = docText(spec.Doc, gd)
						if i < len(spec.Values) {
							if msg, ok := tb.errorText(spec.Values[i]); ok {
								tb.messages[b.fset.Position(name.Pos())] = msg
							}
						}
					}
				}
			}
		}
	}
}

// docText is a spec's doc comment, or its declaration's when the
// declaration is not a group.
func docText(doc *ast.CommentGroup, gd *ast.GenDecl) string {
	if doc == nil && !gd.Lparen.IsValid() {
		doc = gd.Doc
	}
	return strings.TrimSpace(doc.Text())
}

// errorText returns the text of errors.New("…") or fmt.Errorf("…") (a
// constant string without verbs), the message of a sentinel error.
func (tb *tsBuilder) errorText(e ast.Expr) (string, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	fn, _ := tb.b.pkg.TypesInfo.Uses[sel.Sel].(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return "", false
	}
	if !(fn.Pkg().Path() == "errors" && fn.Name() == "New") && !(fn.Pkg().Path() == "fmt" && fn.Name() == "Errorf") {
		return "", false
	}
	tv, ok := tb.b.pkg.TypesInfo.Types[call.Args[0]]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return "", false
	}
	s := constant.StringVal(tv.Value)
	if fn.Name() == "Errorf" && strings.Contains(s, "%") {
		return "", false
	}
	return s, true
}

// view builds the module's view from the model.
func (tb *tsBuilder) view(p *Package) *tsView {
	v := &tsView{Source: p.Path}
	for _, f := range p.Files {
		for _, s := range f.Services {
			v.Services = append(v.Services, tb.service(s))
		}
		for _, t := range f.Topics {
			v.Topics = append(v.Topics, tb.topics(t))
		}
		for _, e := range f.Errors {
			if d := tb.errorDecl(e); d != nil {
				v.Errors = append(v.Errors, d)
			}
		}
	}
	v.Types = tb.decls
	slices.SortFunc(v.Types, func(x, y *tsTypeDecl) int { return strings.Compare(x.Name, y.Name) })
	return v
}

func (tb *tsBuilder) service(s *Service) *tsService {
	n := tsServiceNames(s.Name)
	out := &tsService{
		Name: s.Name, Doc: tb.typeDoc(s.Pos),
		Procedures: n.procedures, Specs: n.specs, Client: n.client, Register: n.register,
	}
	for _, m := range s.Methods {
		name := tsMethodName(m.Name)
		out.URIs = append(out.URIs, tsURI{Key: name, URI: m.URI})
		if m.Input != nil {
			what := "client streaming"
			if m.Stream != nil {
				what = "bidirectional"
			}
			out.Left = append(out.Left, tsLeftOut{GoName: m.Name, URI: m.URI, Why: fmt.Sprintf(
				"its streamed input (%s: progressive call invocations) is not available in TypeScript: neither Autobahn|JS nor Wampy.js implements it; call it from Go", what)})
			continue
		}
		out.Methods = append(out.Methods, tb.procedure(s, m, name, n))
	}
	return out
}

// typeDoc is the doc comment of the interface declared at pos.
func (tb *tsBuilder) typeDoc(pos token.Position) string { return tb.docs[pos] }

// methodDoc is the doc comment of a method (of the interface, or of the
// embedded interface of this package that declares it). A method embedded
// from another package is positioned at its interface (see methodCheck):
// its doc is not at hand.
func (tb *tsBuilder) methodDoc(m *Method, owner token.Position) string {
	if m.Pos == owner {
		return ""
	}
	return tb.docs[m.Pos]
}

// params maps a method's parameters, reporting those TypeScript cannot
// represent: it returns the parameter list, the argument names and the
// handler's arguments.
func (tb *tsBuilder) params(where string, m *Method) (params, args, handled string, schemas []string) {
	names := tsParamNames(m.Params)
	var ps, as, hs []string
	for i, p := range m.Params {
		r, why := tb.typ(p.Type)
		if why != "" {
			tb.errorf(m.Pos, "method %s, parameter %s: %s", where, p.Name, why)
		}
		ps = append(ps, names[i]+": "+r.ts)
		as = append(as, names[i])
		hs = append(hs, fmt.Sprintf("args[%d]", i))
		schemas = append(schemas, r.schema)
	}
	join := func(xs []string) string {
		if len(xs) == 0 {
			return ""
		}
		return strings.Join(xs, ", ") + ", "
	}
	return join(ps), strings.Join(as, ", "), join(hs), schemas
}

func (tb *tsBuilder) procedure(s *Service, m *Method, name string, n tsNames) *tsMethod {
	where := s.Name + "." + m.Name
	out := &tsMethod{Name: name, GoName: m.Name, URI: m.URI}
	var schemas []string
	out.Params, out.Args, out.Handled, schemas = tb.params(where, m)
	spec := []string{"uri: " + tsQuote(m.URI)}
	if m.Kwargs {
		spec = append(spec, "kwargs: "+schemas[0])
	} else if len(schemas) > 0 {
		spec = append(spec, "args: ["+strings.Join(schemas, ", ")+"]")
	}
	var result string
	switch {
	case m.Stream != nil:
		r, why := tb.typ(m.Stream)
		if why != "" {
			tb.errorf(m.Pos, "method %s, stream item: %s", where, why)
		}
		spec = append(spec, "stream: "+r.schema)
		out.Result = "AsyncIterable<" + r.ts + ">"
		out.CallFn = "w.callStream<" + r.ts + ">"
		out.ImplResult = fmt.Sprintf("Iterable<%[1]s> | AsyncIterable<%[1]s> | Promise<Iterable<%[1]s> | AsyncIterable<%[1]s>>", r.ts)
	case len(m.Results) == 0:
		result = "void"
	case len(m.Results) == 1:
		r, why := tb.typ(m.Results[0].Type)
		if why != "" {
			tb.errorf(m.Pos, "method %s, result: %s", where, why)
		}
		spec = append(spec, "result: "+r.schema)
		result = r.ts
	default:
		var ts, ss []string
		for i, res := range m.Results {
			r, why := tb.typ(res.Type)
			if why != "" {
				tb.errorf(m.Pos, "method %s, result %d: %s", where, i+1, why)
			}
			ts, ss = append(ts, r.ts), append(ss, r.schema)
		}
		spec = append(spec, "results: ["+strings.Join(ss, ", ")+"]")
		result = "[" + strings.Join(ts, ", ") + "]"
	}
	if m.Stream == nil {
		out.Result = "Promise<" + result + ">"
		out.CallFn = "w.call<" + result + ">"
		out.ImplResult = result + " | Promise<" + result + ">"
	}
	out.CallOptions, out.Invocation = "w.CallOptions", "w.Invocation"
	if m.Progress != nil {
		r, why := tb.typ(m.Progress.Type)
		if why != "" {
			tb.errorf(m.Pos, "method %s, progress callback %s: %s", where, m.Progress.Name, why)
		}
		spec = append(spec, "progress: "+r.schema)
		out.CallOptions, out.Invocation = "w.CallOptions<"+r.ts+">", "w.Invocation<"+r.ts+">"
	}
	if m.Match.IsPattern() {
		spec = append(spec, "match: "+tsQuote(string(m.Match)))
	}
	if m.Invoke != "" {
		spec = append(spec, "invoke: "+tsQuote(string(m.Invoke)))
	}
	if m.DiscloseCaller {
		spec = append(spec, "discloseCaller: true")
	}
	if m.Cancel != "" {
		spec = append(spec, "cancel: "+tsQuote(string(m.Cancel)))
	}
	out.Spec = "{ " + strings.Join(spec, ", ") + " }"

	doc := strings.TrimSpace(tb.methodDoc(m, s.Pos))
	out.ImplDoc = doc
	var notes []string
	if doc == "" {
		doc = fmt.Sprintf("%s calls %s.", name, m.URI)
	} else {
		notes = append(notes, "Calls "+m.URI+".")
	}
	if m.Kwargs {
		notes = append(notes, "The fields of its argument travel as keyword arguments.")
	}
	if m.Progress != nil {
		notes = append(notes, "options.onProgress receives each progressive result.")
	}
	if m.Stream != nil {
		notes = append(notes, "The returned iterable yields each progressive result; breaking out of the loop cancels the call.")
	}
	if m.Match.IsPattern() {
		notes = append(notes, "The procedure is registered with match="+string(m.Match)+": options.uri names the concrete URI to call, which the pattern must match.")
	}
	if len(notes) > 0 {
		doc += "\n\n" + strings.Join(notes, " ")
	}
	out.Doc = doc
	return out
}

func (tb *tsBuilder) topics(t *Topics) *tsTopics {
	n := tsTopicsNames(t.Name)
	out := &tsTopics{
		Name: t.Name, Doc: tb.typeDoc(t.Pos),
		TopicURIs: n.topics, Specs: n.specs, Publisher: n.publisher, Subscribe: n.subscribe,
	}
	for _, m := range t.Methods {
		where := t.Name + "." + m.Name
		name := tsMethodName(m.Name)
		out.URIs = append(out.URIs, tsURI{Key: name, URI: m.URI})
		tm := &tsMethod{Name: name, GoName: m.Name, URI: m.URI, Subscribe: n.subscribe + exported(m.Name)}
		var schemas []string
		tm.Params, tm.Args, tm.Handled, schemas = tb.params(where, m)
		spec := []string{"uri: " + tsQuote(m.URI)}
		if m.Kwargs {
			spec = append(spec, "kwargs: "+schemas[0])
		} else if len(schemas) > 0 {
			spec = append(spec, "args: ["+strings.Join(schemas, ", ")+"]")
		}
		if m.Match.IsPattern() {
			spec = append(spec, "match: "+tsQuote(string(m.Match)))
		}
		if m.Acknowledge {
			spec = append(spec, "acknowledge: true")
		}
		if m.ExcludeMe != nil {
			spec = append(spec, "excludeMe: "+strconv.FormatBool(*m.ExcludeMe))
		}
		if m.DisclosePublisher {
			spec = append(spec, "disclosePublisher: true")
		}
		tm.Spec = "{ " + strings.Join(spec, ", ") + " }"
		doc := strings.TrimSpace(tb.methodDoc(m, t.Pos))
		tm.ImplDoc = doc
		if doc == "" {
			doc = fmt.Sprintf("%s publishes to %s.", name, m.URI)
		} else {
			doc += "\n\nPublishes to " + m.URI + "."
		}
		if m.Match.IsPattern() {
			doc += " The topic is a pattern (match=" + string(m.Match) + "): options.uri names the concrete topic to publish to, which the pattern must match."
		}
		if m.Acknowledge {
			doc += " The promise settles when the router acknowledges the publication."
		}
		tm.Doc = doc
		out.Methods = append(out.Methods, tm)
	}
	return out
}

// errorDecl maps a //wampgen:error to its exception class.
func (tb *tsBuilder) errorDecl(e *ErrorDecl) *tsErrorDecl {
	pos := e.Pos
	d := &tsErrorDecl{Class: tsErrorClass(e), GoName: e.Name, URI: e.URI, Doc: tb.docs[pos], Sentinel: e.Kind == SentinelError}
	if d.Sentinel {
		msg, ok := tb.messages[pos]
		if !ok {
			msg = e.URI
		}
		d.Message = tsQuote(msg)
		return d
	}
	d.Message = tsQuote(e.URI)
	obj := tb.b.pkg.Types.Scope().Lookup(e.Name)
	st, ok := obj.Type().Underlying().(*types.Struct)
	if !ok {
		return nil // reported by the builder
	}
	fields, why := tb.fields(st)
	if why != "" {
		tb.errorf(e.Pos, "error type %s: %s", e.Name, why)
	}
	var ts []string
	for _, f := range fields {
		if slices.Contains(tsErrorMembers, f.Wire) {
			from := "from Error or w.WampError"
			if slices.Contains(tsImplicitMembers, f.Wire) {
				from = "from Object, which JavaScript calls when the error is printed or logged"
			}
			tb.errorf(e.Pos, "error type %s: its field travelling as %q would be a property of the TypeScript class %s, which already has %s %s (rule: an error type's fields become properties of its class): give the field another name with its json tag", e.Name, f.Wire, d.Class, f.Wire, from)
		}
		ts = append(ts, strings.TrimSuffix(f.Line(), ";"))
	}
	if len(fields) == 0 {
		// Nothing travels but the URI and the message: made as a
		// sentinel's class is.
		d.Sentinel = true
		return d
	}
	d.Fields = fields
	d.FieldsTS = "{ " + strings.Join(ts, "; ") + " }"
	d.Schema = d.Class + "$fields"
	return d
}

// tsErrorMembers are the members of an error class that its fields may
// not shadow.
var tsErrorMembers = append([]string{"uri", "args", "kwargs", "message", "name", "stack", "cause", "constructor", "__proto__"}, tsImplicitMembers...)

// typ maps a Go type, or explains why TypeScript cannot represent it.
func (tb *tsBuilder) typ(t types.Type) (tsRef, string) {
	if a, ok := t.(*types.Alias); ok && a.TypeArgs().Len() > 0 {
		return tsRef{"unknown", "w.any"}, fmt.Sprintf("the alias %s is an instantiation of a generic type, which TypeScript output cannot name (rule: each Go type that travels is one TypeScript type of the same name): use a non-generic named type", tb.b.shortTypeString(a))
	}
	t = types.Unalias(t)
	switch t := t.(type) {
	case *types.Named:
		return tb.namedType(t)
	case *types.Basic:
		return tsBasic(t)
	case *types.Pointer:
		r, why := tb.typ(t.Elem())
		return tsRef{tsUnion(r.ts, "null"), "w.nullable(" + r.schema + ")"}, why
	case *types.Slice:
		if isByte(t.Elem()) {
			return tsRef{"Uint8Array", "w.bytes"}, ""
		}
		r, why := tb.typ(t.Elem())
		return tsRef{tsArray(r.ts), "w.list(" + r.schema + ")"}, why
	case *types.Array:
		if isByte(t.Elem()) {
			return tsRef{"Uint8Array", fmt.Sprintf("w.fixedBytes(%d)", t.Len())}, ""
		}
		r, why := tb.typ(t.Elem())
		return tsRef{tsArray(r.ts), fmt.Sprintf("w.list(%s, %d)", r.schema, t.Len())}, why
	case *types.Map:
		key := types.Unalias(t.Key())
		k, ok := key.Underlying().(*types.Basic)
		if !textKey(key) && (!ok || k.Info()&types.IsString == 0) {
			return tsRef{"unknown", "w.any"}, fmt.Sprintf("map key %s is not a string: keys are integers in MsgPack and CBOR but strings in JSON, so no one TypeScript type fits (rule: map keys are strings or text marshalers): use map[string]…", tb.b.shortTypeString(t.Key()))
		}
		r, why := tb.typ(t.Elem())
		return tsRef{"Record<string, " + r.ts + ">", "w.record(" + r.schema + ")"}, why
	case *types.Struct:
		fields, why := tb.fields(t)
		var members, specs []string
		for _, f := range fields {
			members = append(members, f.Line())
			specs = append(specs, f.Spec())
		}
		ts := "{}"
		if len(members) > 0 {
			ts = "{ " + strings.Join(members, " ") + " }"
		}
		return tsRef{ts, "w.struct('struct', () => [" + strings.Join(specs, ", ") + "])"}, why
	case *types.Interface:
		if t.Empty() {
			return tsRef{"unknown", "w.any"}, ""
		}
	}
	return tsRef{"unknown", "w.any"}, fmt.Sprintf("type %s has no TypeScript form", tb.b.shortTypeString(t))
}

func isByte(t types.Type) bool {
	b, ok := types.Unalias(t).Underlying().(*types.Basic)
	return ok && b.Kind() == types.Uint8
}

// tsBasic maps a basic type (ts-design's table).
func tsBasic(t *types.Basic) (tsRef, string) {
	switch t.Kind() {
	case types.Bool:
		return tsRef{"boolean", "w.bool"}, ""
	case types.String:
		return tsRef{"string", "w.string"}, ""
	case types.Float32, types.Float64:
		return tsRef{"number", "w.float64"}, ""
	case types.Int:
		return tsRef{"number", "w.int(64, true)"}, ""
	case types.Uint:
		return tsRef{"number", "w.int(64, false)"}, ""
	case types.Int8:
		return tsRef{"number", "w.int(8, true)"}, ""
	case types.Int16:
		return tsRef{"number", "w.int(16, true)"}, ""
	case types.Int32:
		return tsRef{"number", "w.int(32, true)"}, ""
	case types.Uint8:
		return tsRef{"number", "w.int(8, false)"}, ""
	case types.Uint16:
		return tsRef{"number", "w.int(16, false)"}, ""
	case types.Uint32:
		return tsRef{"number", "w.int(32, false)"}, ""
	case types.Int64:
		return tsRef{"bigint", "w.int64"}, ""
	case types.Uint64:
		return tsRef{"bigint", "w.uint64"}, ""
	}
	return tsRef{"unknown", "w.any"}, fmt.Sprintf("%s has no TypeScript form", t)
}

// tsArray is the TypeScript array of elem.
func tsArray(elem string) string {
	if strings.Contains(elem, "|") || strings.HasPrefix(elem, "{") {
		return "(" + elem + ")[]"
	}
	return elem + "[]"
}

// tsUnion is a | b, without repeating b.
func tsUnion(a, b string) string {
	if slices.Contains(strings.Split(a, " | "), b) {
		return a
	}
	return a + " | " + b
}

// namedType maps a defined type: time.Time and time.Duration, a type that
// encodes itself, a struct (an interface and its schema), or another type
// (an alias of what it stands for).
func (tb *tsBuilder) namedType(n *types.Named) (tsRef, string) {
	switch {
	case isNamed(n, "time", "Time"):
		return tsRef{"string", "w.time"}, ""
	case isNamed(n, "time", "Duration"):
		return tsRef{"number", "w.int(64, true)"}, ""
	}
	obj := n.Obj()
	if done, ok := tb.named[obj]; ok && n.TypeArgs().Len() == 0 {
		return done.ref, done.why
	}
	enc, _ := tb.b.ownEncoding(n)
	if n.TypeArgs().Len() > 0 && enc != encodedByItself {
		fix := "declare a non-generic type with the fields it needs"
		if suffix := typeArgsName(n); suffix != "" {
			fix = fmt.Sprintf("declare a non-generic type with the fields it needs, such as type %s%s struct{ … }", obj.Name(), suffix)
		}
		return tsRef{"unknown", "w.any"}, fmt.Sprintf("type %s is an instantiation of the generic type %s, which TypeScript output cannot name (rule: each Go type that travels is one TypeScript type of the same name): %s", tb.b.shortTypeString(n), obj.Name(), fix)
	}
	var leaf tsRef
	if enc == encodedByItself {
		switch selfPair(n) {
		case "MarshalText":
			leaf = tsRef{"string", "w.text"}
		case "MarshalBinary":
			leaf = tsRef{"Uint8Array", "w.bytes"}
		default:
			leaf = tsRef{"unknown", "w.json"}
		}
		if n.TypeArgs().Len() > 0 {
			return leaf, ""
		}
	}
	name := obj.Name()
	done := &tsNamed{ref: tsRef{name, ""}}
	tb.named[obj] = done
	if why := tb.claim(name, obj); why != "" {
		done.ref, done.why = tsRef{"unknown", "w.any"}, why
		return done.ref, done.why
	}
	decl := &tsTypeDecl{Name: name, Doc: tb.docs[tb.b.fset.Position(obj.Pos())]}
	if obj.Pkg() != tb.b.pkg.Types && decl.Doc == "" && obj.Pkg() != nil {
		decl.Doc = fmt.Sprintf("%s is %s.%s of package %s.", name, obj.Pkg().Name(), name, obj.Pkg().Path())
	}
	tb.decls = append(tb.decls, decl)
	switch st, isStruct := n.Underlying().(*types.Struct); {
	case enc == encodedByItself:
		decl.Alias = leaf.ts
		done.ref.schema = leaf.schema
	case isStruct:
		decl.Struct = true
		decl.Schema = name + "Schema"
		done.ref.schema = decl.Schema
		fields, why := tb.fields(st)
		decl.Fields = fields
		if why != "" {
			done.why = fmt.Sprintf("type %s, %s", name, why)
		}
	default:
		r, why := tb.typ(n.Underlying())
		decl.Alias = r.ts
		done.ref.schema = r.schema
		if why != "" {
			done.why = fmt.Sprintf("type %s: %s", name, why)
		}
	}
	return done.ref, done.why
}

// typeArgsName spells a generic instantiation's type arguments as a
// suggested type name's suffix: Box[Item] → "Item".
func typeArgsName(n *types.Named) string {
	var s string
	for i := range n.TypeArgs().Len() {
		a := types.Unalias(n.TypeArgs().At(i))
		if an, ok := a.(*types.Named); ok {
			s += exported(an.Obj().Name())
		} else if b, ok := a.(*types.Basic); ok {
			s += exported(b.Name())
		}
	}
	return s
}

// selfPair is the Marshal method of the first complete marshaler pair of
// t (see ownEncoding).
func selfPair(t types.Type) string {
	for _, p := range marshalerPairs {
		if hasMethod(t, p.marshal, marshalSig) && hasMethod(t, p.unmarshal, unmarshalSig) {
			return p.marshal
		}
	}
	return ""
}

// claim reserves a TypeScript type name for obj, and explains why it
// cannot have it.
func (tb *tsBuilder) claim(name string, obj *types.TypeName) string {
	if tsReservedType[name] {
		return fmt.Sprintf("type %s would be the TypeScript type %s, which names a built-in type the generated module uses (rule: Go types keep their names in TypeScript): rename the Go type", name, name)
	}
	if tsReservedWords[name] {
		return fmt.Sprintf("type %s would be the TypeScript type %s, a reserved word in TypeScript (rule: Go types keep their names in TypeScript): rename the Go type", name, name)
	}
	if other, dup := tb.byName[name]; dup && other != obj {
		return fmt.Sprintf("types %s and %s would both be the TypeScript type %s (rule: Go types keep their names in TypeScript, and a module has one namespace): rename one of them", qualifiedName(other), qualifiedName(obj), name)
	}
	tb.byName[name] = obj
	return ""
}

func qualifiedName(obj *types.TypeName) string {
	if obj.Pkg() == nil {
		return obj.Name()
	}
	return obj.Pkg().Path() + "." + obj.Name()
}

// fields lists the struct fields that travel, as the runtime walks them
// (wireFields), each name once: a deeper field a shallower one of the same
// name shadows does not travel.
func (tb *tsBuilder) fields(st *types.Struct) ([]tsField, string) {
	all := wireFields(st)
	shallowest := map[string]int{}
	for _, f := range all {
		if d, ok := shallowest[f.name]; !ok || f.depth < d {
			shallowest[f.name] = f.depth
		}
	}
	var out []tsField
	seen := map[string]bool{}
	var whys []string
	for _, f := range all {
		if f.depth != shallowest[f.name] || seen[f.name] {
			continue
		}
		seen[f.name] = true
		r, why := tb.typ(f.v.Type())
		if why != "" {
			whys = append(whys, fmt.Sprintf("field %s: %s", f.path, why))
		}
		out = append(out, tsField{
			Wire: f.name, Key: tsKey(f.name), Type: r.ts, Schema: r.schema,
			Optional: f.optional || omitempty(f.tag), Doc: tb.docs[tb.b.fset.Position(f.v.Pos())],
		})
	}
	if len(whys) > 0 {
		return out, whys[0]
	}
	return out, ""
}

// omitempty reports whether a field may be left out of the wire: tagged
// omitempty or omitzero, in its json or its codec tag, as the runtime's
// strict keyword arguments take it (wamp's optionalField). Leaving out a
// zero value or sending it gives a Go peer the same value.
func omitempty(tag string) bool {
	st := reflect.StructTag(tag)
	for _, key := range []string{"json", "codec"} {
		_, opts, _ := strings.Cut(st.Get(key), ",")
		for _, opt := range strings.Split(opts, ",") {
			if opt == "omitempty" || opt == "omitzero" {
				return true
			}
		}
	}
	return false
}

// typeScriptOutputs renders the TypeScript module of bp's package and the
// support module into the directory of the package's directive and into
// flagDir (wampgen -ts), when given: the flag adds a directory, it never
// moves a directive's output. modules records the modules of the run so
// far, by path, so that two packages of one name writing into one
// directory are reported. It also returns the package's earlier modules
// that are stale: a PACKAGE_wamp.ts in the package's directory or its
// directive's that names the package as its source and is not written now
// (the directive was removed or moved, the package renamed, or it
// declares nothing any more). The support module is never stale: other
// packages' modules may import it.
func typeScriptOutputs(bp *builtPackage, flagDir string, modules map[string]string) (files []Output, stale []string, diags []Diagnostic, err error) {
	p := bp.model
	type target struct {
		dir string
		pos token.Position
	}
	var targets []target
	scan := []string{p.Dir}
	if p.TypeScript != nil {
		dir := filepath.Join(p.Dir, filepath.FromSlash(p.TypeScript.Dir))
		// A directive names a directory of its own module: one that leads
		// out of it (dir=../../..) would have a generator run on a
		// checked-out repository write, and remove stale modules, anywhere.
		if m := bp.l.pkg.Module; m != nil && m.Dir != "" {
			if rel, err := filepath.Rel(m.Dir, dir); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return nil, nil, []Diagnostic{{Pos: p.TypeScript.Pos, Message: fmt.Sprintf(
					"//wampgen:typescript: dir=%s leads out of module %s (rule: the directive's directory is in the package's module): name a directory inside it, or write elsewhere with wampgen -ts DIR", p.TypeScript.Dir, m.Path)}}, nil
			}
		}
		targets = append(targets, target{dir, p.TypeScript.Pos})
		scan = append(scan, dir)
	}
	if flagDir != "" && (len(targets) == 0 || targets[0].dir != flagDir) {
		targets = append(targets, target{dir: flagDir})
	}
	written := map[string]bool{}
	if len(p.Files) > 0 {
		var content, support []byte
		for _, t := range targets {
			path := filepath.Join(t.dir, TypeScriptName(p.Name))
			if other, dup := modules[path]; dup {
				pos := t.pos
				if !pos.IsValid() {
					pos = token.Position{Filename: path} // -ts: no directive to point at
				}
				return nil, nil, []Diagnostic{{Pos: pos, Message: fmt.Sprintf(
					"TypeScript output: packages %s and %s would both write %s (rule: one module per Go package name in a directory): give one of them another directory (//wampgen:typescript dir=…)", other, p.Path, path)}}, nil
			}
			modules[path] = p.Path
			if content == nil {
				if content, diags, err = typeScript(bp); err != nil || len(diags) > 0 {
					return nil, nil, diags, err
				}
				if support, err = templates.SupportModule(); err != nil {
					return nil, nil, nil, fmt.Errorf("the TypeScript support module: %w", err)
				}
			}
			source := filepath.Join(p.Dir, p.Files[0].Source)
			files = append(files,
				Output{Path: path, Source: source, Content: content},
				Output{Path: filepath.Join(t.dir, SupportModuleName), Source: source, Content: support})
			written[path] = true
		}
	}
	for _, dir := range scan {
		found, _ := filepath.Glob(filepath.Join(dir, "*_wamp.ts"))
		for _, f := range found {
			if !written[f] && !slices.Contains(stale, f) && typeScriptSource(f) == p.Path {
				stale = append(stale, f)
			}
		}
	}
	return files, stale, nil, nil
}

// typeScriptSource returns the import path that the TypeScript module at
// path names as its source, when wampgen generated it, and "" otherwise.
func typeScriptSource(path string) string {
	source, generated := readGenerated(path)
	if !generated {
		return ""
	}
	return source
}
