package gen

import (
	"bytes"
	"fmt"
	"go/types"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"
)

const (
	runtimePath = "github.com/wampgen/wampgen/runtime"
	wampPath    = "github.com/wampgen/wampgen/wamp"
)

// emitter writes one output file from the model.
type emitter struct {
	pkg     *Package
	file    *File
	f       *jen.File
	imports map[string]string // import path → name used in code
	taken   map[string]bool   // names no local may take; see newScope
}

// Emit renders the generated file for one source file of the model.
func Emit(pkg *Package, file *File) ([]byte, error) {
	e := &emitter{pkg: pkg, file: file, f: jen.NewFilePathName(pkg.Path, pkg.Name), imports: map[string]string{}}
	e.f.HeaderComment(GeneratedHeader)
	if file.Build == "" {
		e.f.HeaderComment("source: " + file.Source)
	} else {
		// The source's build constraint, in a comment group of its own.
		e.f.HeaderComment("// source: " + file.Source + "\n\n//go:build " + file.Build)
	}
	e.planImports()

	version := file.supportVersion()
	e.doc("The generated code below needs a runtime that supports generated code" + " " + fmt.Sprintf("of version %d; an older runtime fails to compile here.", version))
	e.f.Const().Id("_").Op("=").Qual(runtimePath, fmt.Sprintf("SupportPackageIsVersion%d", version))
	for _, s := range file.Services {
		e.service(s)
	}
	for _, t := range file.Topics {
		e.topics(t)
	}
	if len(file.Errors) > 0 {
		e.errors()
	}
	var buf bytes.Buffer
	if err := e.f.Render(&buf); err != nil {
		return nil, fmt.Errorf("formatting %s: %w", file.Output, err)
	}
	return buf.Bytes(), nil
}

// supportVersion is the runtime.SupportPackageIsVersionN the file's code
// needs: 4 with streamed input, 3 with topics, 2 otherwise. A file asks for
// no newer version than it needs, so that it builds with older runtimes
// as before.
func (f *File) supportVersion() int {
	for _, s := range f.Services {
		for _, m := range s.Methods {
			if m.Input != nil {
				return 4
			}
		}
	}
	if len(f.Topics) > 0 {
		return 3
	}
	return 2
}

// planImports gives every package the file refers to a name that clashes
// neither with another import nor with a package-level identifier.
func (e *emitter) planImports() {
	paths := map[string]string{
		"context": "context", "errors": "errors", "iter": "iter",
		runtimePath: "runtime", wampPath: "wamp",
	}
	var methods []*Method
	for _, s := range e.file.Services {
		methods = append(methods, s.Methods...)
	}
	for _, t := range e.file.Topics {
		methods = append(methods, t.Methods...)
	}
	for _, m := range methods {
		for _, t := range m.types() {
			collectPackages(t, e.pkg.Path, paths, map[types.Type]bool{})
		}
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	slices.Sort(sorted)
	used := map[string]bool{}
	for _, p := range sorted {
		name := paths[p]
		alias := name
		for i := 2; used[alias] || e.pkg.Scope[alias]; i++ {
			alias = name + strconv.Itoa(i)
		}
		used[alias] = true
		e.imports[p] = alias
		if alias == name {
			e.f.ImportName(p, name)
		} else {
			e.f.ImportAlias(p, alias)
		}
	}
}

func (m *Method) types() []types.Type {
	var ts []types.Type
	for _, p := range m.Params {
		ts = append(ts, p.Type)
	}
	for _, r := range m.Results {
		ts = append(ts, r.Type)
	}
	if m.Progress != nil {
		ts = append(ts, m.Progress.Type)
	}
	if m.Input != nil {
		ts = append(ts, m.Input.Type)
	}
	if m.Stream != nil {
		ts = append(ts, m.Stream)
	}
	return ts
}

func collectPackages(t types.Type, self string, into map[string]string, seen map[types.Type]bool) {
	if seen[t] {
		return
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Alias:
		if !aliasByName(t, self) {
			collectPackages(types.Unalias(t), self, into, seen)
			return
		}
		if p := t.Obj().Pkg(); p != nil && p.Path() != self {
			into[p.Path()] = p.Name()
		}
		for i := range t.TypeArgs().Len() {
			collectPackages(t.TypeArgs().At(i), self, into, seen)
		}
	case *types.Named:
		if p := t.Obj().Pkg(); p != nil && p.Path() != self {
			into[p.Path()] = p.Name()
		}
		for i := range t.TypeArgs().Len() {
			collectPackages(t.TypeArgs().At(i), self, into, seen)
		}
	case *types.Pointer:
		collectPackages(t.Elem(), self, into, seen)
	case *types.Slice:
		collectPackages(t.Elem(), self, into, seen)
	case *types.Array:
		collectPackages(t.Elem(), self, into, seen)
	case *types.Map:
		collectPackages(t.Key(), self, into, seen)
		collectPackages(t.Elem(), self, into, seen)
	case *types.Struct:
		for i := range t.NumFields() {
			collectPackages(t.Field(i).Type(), self, into, seen)
		}
	}
}

// aliasByName reports whether generated code in the package self spells
// the alias a by its own name: when the package may name it, which is
// when a is predeclared, declared in self, or exported by a package self
// may import. Spelling it by name keeps what it stands for out of the
// generated code, which may not be able to name that (a type of an
// internal package, an anonymous struct with unexported fields) and
// keeps an embedded field's name. Otherwise the alias is spelled as the
// type it stands for; the builder reports where that cannot work.
func aliasByName(a *types.Alias, self string) bool {
	p := a.Obj().Pkg()
	return p == nil || p.Path() == self || a.Obj().Exported() && importable(self, p.Path())
}

// importable reports whether the package from may import path under the
// rule for internal packages: only code in the tree rooted at the parent
// of the last internal element may (this tool never generates into the
// standard library, so a path starting with internal is never importable).
func importable(from, path string) bool {
	var parent string
	switch {
	case strings.HasSuffix(path, "/internal"):
		parent = strings.TrimSuffix(path, "/internal")
	case strings.Contains(path, "/internal/"):
		parent = path[:strings.LastIndex(path, "/internal/")]
	case path == "internal" || strings.HasPrefix(path, "internal/"):
		return false
	default:
		return true
	}
	return from == parent || strings.HasPrefix(from, parent+"/")
}

// typ is the one bridge from go/types to jennifer.
func (e *emitter) typ(t types.Type) jen.Code {
	switch t := t.(type) {
	case *types.Alias:
		if !aliasByName(t, e.pkg.Path) {
			return e.typ(types.Unalias(t))
		}
		return e.typeName(t.Obj(), t.TypeArgs())
	case *types.Basic:
		return jen.Id(t.Name())
	case *types.Named:
		return e.typeName(t.Obj(), t.TypeArgs())
	case *types.Pointer:
		return jen.Op("*").Add(e.typ(t.Elem()))
	case *types.Slice:
		return jen.Index().Add(e.typ(t.Elem()))
	case *types.Array:
		return jen.Index(jen.Lit(int(t.Len()))).Add(e.typ(t.Elem()))
	case *types.Map:
		return jen.Map(e.typ(t.Key())).Add(e.typ(t.Elem()))
	case *types.Struct:
		fields := make([]jen.Code, t.NumFields())
		for i := range t.NumFields() {
			f := t.Field(i)
			var c *jen.Statement
			if f.Embedded() {
				c = jen.Add(e.typ(f.Type()))
			} else {
				c = jen.Id(f.Name()).Add(e.typ(f.Type()))
			}
			if tag := t.Tag(i); tag != "" {
				if strings.Contains(tag, "`") {
					c = c.Op(strconv.Quote(tag))
				} else {
					c = c.Op("`" + tag + "`")
				}
			}
			fields[i] = c
		}
		return jen.Struct(fields...)
	case *types.Interface:
		return jen.Any()
	}
	return jen.Id(t.String())
}

// typeName spells a defined type or an alias by its name, qualified when
// it belongs to another package, with its type arguments.
func (e *emitter) typeName(obj *types.TypeName, targs *types.TypeList) jen.Code {
	var s *jen.Statement
	if obj.Pkg() == nil || obj.Pkg().Path() == e.pkg.Path {
		s = jen.Id(obj.Name())
	} else {
		s = jen.Qual(obj.Pkg().Path(), obj.Name())
	}
	if n := targs.Len(); n > 0 {
		args := make([]jen.Code, n)
		for i := range n {
			args[i] = e.typ(targs.At(i))
		}
		s = s.Types(args...)
	}
	return s
}

// typeString writes t as the generated file spells it, for messages.
func (e *emitter) typeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string {
		if p.Path() == e.pkg.Path {
			return ""
		}
		return e.imports[p.Path()]
	})
}

// multiline renders a list one item a line.
func multiline(open, close string) jen.Options {
	return jen.Options{Open: open, Close: close, Separator: ",", Multi: true}
}

// doc writes a comment, wrapped at 80 columns.
func (e *emitter) doc(text string) {
	for _, line := range wrap(text, 77) {
		e.f.Comment(line)
	}
}

// article returns the indefinite article for an identifier, as it is
// read aloud: "an" before a vowel sound (an InventoryClient, an
// HTTPClient, an XMLClient), "a" otherwise (a Calculator, a UserClient, a
// URLClient, a OneShotClient).
func article(word string) string {
	rs := []rune(word)
	if len(rs) == 0 {
		return "a"
	}
	first := unicode.ToUpper(rs[0])
	if len(rs) > 1 && unicode.IsUpper(rs[0]) && unicode.IsUpper(rs[1]) {
		// An acronym is spelled out: the name of its first letter counts.
		if strings.ContainsRune("AEFHILMNORSX", first) {
			return "an"
		}
		return "a"
	}
	lower := strings.ToLower(word)
	for _, p := range []string{"uni", "use", "usa", "usu", "uti", "ura", "ure", "uro", "eu", "ewe", "one", "once"} {
		if strings.HasPrefix(lower, p) {
			return "a" // read with a consonant sound: a UserClient, a OneShot
		}
	}
	for _, p := range []string{"hour", "honest", "honor", "heir"} {
		if strings.HasPrefix(lower, p) {
			return "an"
		}
	}
	if strings.ContainsRune("AEIOU", first) {
		return "an"
	}
	return "a"
}

func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range strings.Fields(text) {
		if cur.Len() > 0 && cur.Len()+1+len(w) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// scope hands out local names that shadow no import, no package-level
// identifier (a parameter named like a type or a constant of the package
// would hide it from the body) and no other local.
type scope struct {
	taken map[string]bool // shared by every scope of the file; never written
	local map[string]bool
}

// newScope returns a scope for one function. The names every function must
// avoid (builtins, imports, package-level and generated identifiers) are
// gathered once per file, so emitting stays linear in the methods.
func (e *emitter) newScope(locals ...string) scope {
	if e.taken == nil {
		e.taken = map[string]bool{}
		for _, name := range types.Universe.Names() {
			e.taken[name] = true // a parameter named int or len must not hide the builtin
		}
		for _, name := range e.imports {
			e.taken[name] = true
		}
		for name := range e.pkg.Scope {
			e.taken[name] = true
		}
		for _, f := range e.pkg.Files {
			for _, name := range f.declared() {
				e.taken[name] = true
			}
		}
	}
	s := scope{taken: e.taken, local: map[string]bool{}}
	for _, l := range locals {
		s.local[l] = true
	}
	return s
}

func (s scope) name(want string) string {
	name := want
	for i := 2; s.taken[name] || s.local[name]; i++ {
		name = want + strconv.Itoa(i)
	}
	s.local[name] = true
	return name
}

func (e *emitter) q(path, name string) *jen.Statement { return jen.Qual(path, name) }

func (e *emitter) service(s *Service) {
	n := serviceNames(s.Name)
	e.constants(s, n)
	e.client(s, n)
	e.unimplemented(s, n)
	e.registrar(s, n)
}

func (e *emitter) constants(s *Service, n names) {
	e.doc(fmt.Sprintf("Procedure URIs of the %s service.", s.Name))
	defs := make([]jen.Code, 0, len(s.Methods))
	for _, m := range s.Methods {
		defs = append(defs, jen.Comment(fmt.Sprintf("%s is the URI of %s.%s.", n.ProcedureConst(m.Name), s.Name, m.Name)).Line().
			Id(n.ProcedureConst(m.Name)).Add(e.q(wampPath, "URI")).Op("=").Lit(m.URI))
	}
	e.f.Const().Defs(defs...)
}

// clientOptions returns the call options a method adds to the client's.
func clientOptions(m *Method) []jen.Code {
	var opts []jen.Code
	if m.DiscloseCaller {
		opts = append(opts, jen.Qual(runtimePath, "WithDiscloseMe").Call())
	}
	if m.Cancel != "" {
		opts = append(opts, jen.Qual(runtimePath, "WithCancelMode").Call(jen.Lit(string(m.Cancel))))
	}
	return opts
}

func optsField(m *Method) string { return lowerFirst(m.Name) + "Opts" }

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// clientFieldNames names the fields of a service's client.
type clientFieldNames struct {
	caller, opts string
	method       map[string]string // method name → the field with its call options
}

// clientFields names the fields of a service's client: caller, opts and,
// for each method that adds call options, <method>Opts. A field and a
// method of one type share a namespace, so a name that a method (or an
// earlier field) has gets a number.
func clientFields(s *Service) clientFieldNames {
	return fieldNames(s.Methods, "caller", func(m *Method) bool { return len(clientOptions(m)) > 0 })
}

// fieldNames names the fields of a generated client or publisher: first
// (the caller or publisher), opts and, for each method that hasOpts,
// <method>Opts, avoiding the names of the methods.
func fieldNames(methods []*Method, first string, hasOpts func(*Method) bool) clientFieldNames {
	taken := map[string]bool{}
	for _, m := range methods {
		taken[m.Name] = true
	}
	unique := func(want string) string {
		name := want
		for i := 2; taken[name]; i++ {
			name = want + strconv.Itoa(i)
		}
		taken[name] = true
		return name
	}
	f := clientFieldNames{caller: unique(first), opts: unique("opts"), method: map[string]string{}}
	for _, m := range methods {
		if hasOpts(m) {
			f.method[m.Name] = unique(optsField(m))
		}
	}
	return f
}

func (e *emitter) client(s *Service, n names) {
	cf := clientFields(s)
	e.sender(senderType{
		iface: s.Name, typeName: n.Client, ctorName: n.NewClient,
		runtimeIface: "Caller", optionType: "CallOption", param: "caller", does: "calls", each: "call",
		typeDoc: fmt.Sprintf("%s calls the procedures of %s through a WAMP session. It implements", n.Client, s.Name) + " " +
			fmt.Sprintf("%s, so callers cannot tell a remote service from a local one.", s.Name),
	}, cf, s.Methods, clientOptions)
	for _, m := range s.Methods {
		e.clientMethod(n, cf, m)
	}
}

// senderType describes a generated type that implements an annotated
// interface by sending through a runtime interface: a service's client
// (through a runtime.Caller) or a topics interface's publisher (through a
// runtime.Publisher).
type senderType struct {
	iface, typeName, ctorName string
	runtimeIface, optionType  string // Caller, CallOption or Publisher, PublishOption
	param                     string // the constructor's parameter: caller, pub
	does, each                string // "calls", "call" or "publishes", "publication", for the constructor's doc
	typeDoc                   string
}

// sender emits t's struct, the assertion that it implements its interface,
// and its constructor, which keeps the options it is given and, for each
// method whose annotation adds options (methodOpts), those options after
// them in a field of their own (fields.method).
func (e *emitter) sender(t senderType, fields clientFieldNames, methods []*Method, methodOpts func(*Method) []jen.Code) {
	sc := e.newScope()
	param, opts := sc.name(t.param), sc.name("opts")
	structFields := []jen.Code{
		jen.Id(fields.caller).Qual(runtimePath, t.runtimeIface),
		jen.Id(fields.opts).Index().Qual(runtimePath, t.optionType),
	}
	inits := jen.Dict{jen.Id(fields.caller): jen.Id(param), jen.Id(fields.opts): jen.Id(opts)}
	for _, m := range methods {
		if mopts := methodOpts(m); len(mopts) > 0 {
			field := fields.method[m.Name]
			structFields = append(structFields, jen.Id(field).Index().Qual(runtimePath, t.optionType).Comment("opts and the options of "+m.Name))
			inits[jen.Id(field)] = jen.Append(append([]jen.Code{jen.Id(opts).Index(jen.Op(":").Len(jen.Id(opts)).Op(":").Len(jen.Id(opts)))}, mopts...)...)
		}
	}
	e.doc(t.typeDoc)
	e.f.Type().Id(t.typeName).Struct(structFields...)
	e.f.Line()
	e.f.Var().Id("_").Id(t.iface).Op("=").Parens(jen.Op("*").Id(t.typeName)).Parens(jen.Nil())
	e.f.Line()
	e.doc(fmt.Sprintf("%s returns %s %s that %s through %s (usually a", t.ctorName, article(t.typeName), t.typeName, t.does, param) + " " + fmt.Sprintf("*runtime.Session), adding %s to every %s.", opts, t.each))
	e.f.Func().Id(t.ctorName).Params(
		jen.Id(param).Qual(runtimePath, t.runtimeIface),
		jen.Id(opts).Op("...").Qual(runtimePath, t.optionType),
	).Op("*").Id(t.typeName).Block(
		jen.Return(jen.Op("&").Id(t.typeName).Values(inits)),
	)
}

// signature holds the names a generated method declares: the interface's
// own where it gives them (made to shadow no import and no package-level
// identifier), r0, r1, … and err for unnamed or blank results.
type signature struct {
	ctx      string
	params   []string // one for each of m.Params
	progress string
	input    string
	results  []string // one for each of m.Results
	stream   string
	err      string
	// named is whether the results are declared with their names: when
	// the interface names them, and, as the body needs, when there are
	// two or more.
	named bool
}

// signature names the parameters and results of m in sc, before any
// local of the body, so that they keep the interface's names.
func (e *emitter) signature(sc scope, m *Method) signature {
	sig := signature{ctx: sc.name(orDefault(m.Ctx, "ctx"))}
	for _, p := range m.Params {
		sig.params = append(sig.params, sc.name(p.Name))
	}
	if m.Progress != nil {
		sig.progress = sc.name(m.Progress.Name)
	}
	if m.Input != nil {
		sig.input = sc.name(m.Input.Name)
	}
	for i, r := range m.Results {
		sig.results = append(sig.results, sc.name(orDefault(r.Name, fmt.Sprintf("r%d", i))))
	}
	if m.Stream != nil {
		sig.stream = sc.name(orDefault(m.StreamName, "stream"))
	}
	sig.err = sc.name(orDefault(m.ErrName, "err"))
	sig.named = m.NamedResults() || len(m.Results) >= 2
	return sig
}

// code returns the parameter and result lists of the signature.
func (e *emitter) sigCode(m *Method, sig signature) (params, results []jen.Code) {
	params = []jen.Code{jen.Id(sig.ctx).Qual("context", "Context")}
	for i, p := range m.Params {
		params = append(params, jen.Id(sig.params[i]).Add(e.typ(p.Type)))
	}
	if m.Progress != nil {
		params = append(params, jen.Id(sig.progress).Func().Params(e.typ(m.Progress.Type)).Error())
	}
	if m.Input != nil {
		params = append(params, jen.Id(sig.input).Qual("iter", "Seq").Types(e.typ(m.Input.Type)))
	}
	result := func(name string, t jen.Code) jen.Code {
		if sig.named {
			return jen.Id(name).Add(t)
		}
		return t
	}
	for i, r := range m.Results {
		results = append(results, result(sig.results[i], e.typ(r.Type)))
	}
	if m.Stream != nil {
		results = append(results, result(sig.stream, jen.Qual("iter", "Seq2").Types(e.typ(m.Stream), jen.Error())))
	}
	results = append(results, result(sig.err, jen.Error()))
	return params, results
}

// zeroReturn returns the method's results with err: the named results
// as they are, zero values for unnamed ones.
func (e *emitter) zeroReturn(m *Method, sig signature, err jen.Code) jen.Code {
	vals := make([]jen.Code, 0, len(m.Results)+2)
	for i, r := range m.Results {
		if sig.named {
			vals = append(vals, jen.Id(sig.results[i]))
		} else {
			vals = append(vals, e.zero(r.Type))
		}
	}
	if m.Stream != nil {
		vals = append(vals, jen.Nil())
	}
	return jen.Return(append(vals, err)...)
}

// zero spells the zero value of t: an untyped constant for a type of
// basic underlying type (assignable to any type of that kind), nil for
// the types that have it, and an empty composite literal otherwise.
func (e *emitter) zero(t types.Type) jen.Code {
	switch u := types.Unalias(t).Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return jen.False()
		case u.Info()&types.IsString != 0:
			return jen.Lit("")
		case u.Kind() == types.UnsafePointer:
			return jen.Nil()
		}
		return jen.Lit(0)
	case *types.Struct, *types.Array:
		return jen.Add(e.typ(t)).Values()
	}
	return jen.Nil()
}

func (e *emitter) clientMethod(n names, fields clientFieldNames, m *Method) {
	sc := e.newScope()
	sig := e.signature(sc, m)
	recv := sc.name("c")
	proc := jen.Id(n.ProcedureConst(m.Name))
	params, results := e.sigCode(m, sig)
	ctx, errName := sig.ctx, sig.err
	var argNames []jen.Code
	for _, name := range sig.params {
		argNames = append(argNames, jen.Id(name))
	}

	opts := jen.Id(recv).Dot(fields.opts)
	if f, ok := fields.method[m.Name]; ok {
		opts = jen.Id(recv).Dot(f)
	}
	args, kwargs := e.payloads(m, argNames)

	var body []jen.Code
	callOpts := opts.Clone().Op("...")
	if m.Progress != nil {
		callOpts = jen.Append(opts.Clone().Index(jen.Op(":").Len(opts.Clone()).Op(":").Len(opts.Clone())),
			jen.Qual(runtimePath, "WithTypedProgress").Call(proc, jen.Id(sig.progress))).Op("...")
	}
	target := jen.Code(proc)
	if m.Match.IsPattern() {
		// A pattern is registered, but a caller calls a concrete URI: the
		// one set with runtime.WithProcedureURI, which the pattern must
		// match, else the pattern itself.
		uri := sc.name("uri")
		body = append(body,
			jen.List(jen.Id(uri), jen.Id(errName)).Op(":=").Qual(runtimePath, "ResolveProcedureURI").Call(jen.Id(ctx), proc, jen.Lit(string(m.Match))),
			jen.If(jen.Id(errName).Op("!=").Nil()).Block(e.zeroReturn(m, sig, jen.Id(errName))),
		)
		target = jen.Id(uri)
	}
	callArgs := []jen.Code{jen.Id(ctx), jen.Id(recv).Dot(fields.caller), target, args, kwargs, callOpts}
	if m.Input != nil {
		// The input is the call's only argument: the runtime sends each
		// item as one chunk.
		callArgs = []jen.Code{jen.Id(ctx), jen.Id(recv).Dot(fields.caller), target, jen.Id(sig.input), callOpts}
	}
	switch {
	case m.Input != nil && m.Stream != nil:
		body = append(body, jen.Return(jen.Qual(runtimePath, "CallInputStream").Types(e.typ(m.Input.Type), e.typ(m.Stream)).Call(callArgs...), jen.Nil()))
	case m.Input != nil && len(m.Results) == 0:
		body = append(body, jen.Return(jen.Qual(runtimePath, "CallInputNone").Types(e.typ(m.Input.Type)).Call(callArgs...)))
	case m.Input != nil:
		body = append(body, jen.Return(jen.Qual(runtimePath, "CallInputOne").Types(e.typ(m.Input.Type), e.typ(m.Results[0].Type)).Call(callArgs...)))
	case m.Stream != nil:
		body = append(body, jen.Return(jen.Qual(runtimePath, "Stream").Types(e.typ(m.Stream)).Call(callArgs...), jen.Nil()))
	case len(m.Results) == 0:
		body = append(body, jen.Return(jen.Qual(runtimePath, "CallNone").Call(callArgs...)))
	case len(m.Results) == 1:
		body = append(body, jen.Return(jen.Qual(runtimePath, "CallOne").Types(e.typ(m.Results[0].Type)).Call(callArgs...)))
	default:
		res := sc.name("res")
		vals := sc.name("vals")
		zeroReturn := func(err jen.Code) jen.Code { return e.zeroReturn(m, sig, err) }
		body = append(body,
			jen.List(jen.Id(res), jen.Id(errName)).Op(":=").Id(recv).Dot(fields.caller).Dot("Call").Call(append([]jen.Code{jen.Id(ctx)}, callArgs[2:]...)...),
			jen.If(jen.Id(errName).Op("!=").Nil()).Block(zeroReturn(jen.Id(errName))),
			jen.List(jen.Id(vals), jen.Id(errName)).Op(":=").Id(res).Dot("Args").Dot("List").Call(),
			jen.If(jen.Id(errName).Op("!=").Nil()).Block(zeroReturn(jen.Qual(runtimePath, "ResultError").Call(proc, jen.Lit(0), jen.Id(errName)))),
			jen.If(jen.Len(jen.Id(vals)).Op("!=").Lit(len(m.Results))).Block(
				zeroReturn(jen.Qual(runtimePath, "ResultCountError").Call(proc, jen.Lit(len(m.Results)), jen.Len(jen.Id(vals))))),
		)
		for i, r := range sig.results {
			body = append(body, jen.If(jen.Id(errName).Op("=").Id(vals).Index(jen.Lit(i)).Dot("Decode").Call(jen.Op("&").Id(r)), jen.Id(errName).Op("!=").Nil()).Block(
				zeroReturn(jen.Qual(runtimePath, "ResultError").Call(proc, jen.Lit(i), jen.Id(errName)))))
		}
		ret := make([]jen.Code, 0, len(sig.results)+1)
		for _, r := range sig.results {
			ret = append(ret, jen.Id(r))
		}
		body = append(body, jen.Return(append(ret, jen.Nil())...))
	}
	e.doc(fmt.Sprintf("%s calls %s%s.", m.Name, m.URI, describe(m, sig)))
	e.f.Func().Params(jen.Id(recv).Op("*").Id(n.Client)).Id(m.Name).Params(params...).Params(results...).Block(body...)
}

// payloads returns the Arguments and ArgumentsKw that carry m's
// parameters, given by argNames: positional arguments, or with kwargs=true
// the one struct's fields as keyword arguments. Clients and publishers
// send with it.
func (e *emitter) payloads(m *Method, argNames []jen.Code) (args, kwargs jen.Code) {
	args, kwargs = e.q(wampPath, "Payload").Values(), e.q(wampPath, "Payload").Values()
	if m.Kwargs {
		kwargs = e.q(wampPath, "PayloadOf").Call(argNames...)
	} else if len(argNames) > 0 {
		args = e.q(wampPath, "ArgsOf").Call(argNames...)
	}
	return args, kwargs
}

// decoding names the runtime functions with which decodeParams reports a
// payload that does not fit: a registrar's answer wamp.error.invalid_argument,
// an event handler's match runtime.ErrBadEvent.
type decoding struct {
	arguments string // (uri, err): Arguments is not a list
	count     string // (uri, signature, got): the wrong number of arguments
	argument  string // (uri, index, name, err): one argument does not decode
	keywords  string // (uri, msg, &dst) error: decodes ArgumentsKw strictly
}

var (
	invocationDecoding = decoding{arguments: "ArgumentsError", count: "ArgumentCountError", argument: "ArgumentError", keywords: "DecodeKeywordArguments"}
	eventDecoding      = decoding{arguments: "EventArgumentsError", count: "EventArgumentCountError", argument: "EventArgumentError", keywords: "DecodeEventKeywordArguments"}
)

// decodeParams returns the statements that decode m's parameters from msg
// (the local holding the *runtime.Invocation or *runtime.Event) exactly as
// they were packed by payloads: the count of the positional arguments,
// then each one into its parameter's type, or the keyword arguments
// strictly into the one struct. A mismatch returns fail(the error) before
// anything else runs. It also returns the locals holding the decoded
// values, in order.
func (e *emitter) decodeParams(sc scope, m *Method, uri jen.Code, msg, vals, errName string, d decoding, fail func(err jen.Code) jen.Code) (body, decoded []jen.Code) {
	errID := func() *jen.Statement { return jen.Id(errName) }
	if m.Kwargs {
		p := m.Params[0]
		name := sc.name(p.Name)
		body = append(body,
			jen.Var().Id(name).Add(e.typ(p.Type)),
			jen.If(errID().Op(":=").Qual(runtimePath, d.keywords).Call(uri, jen.Id(msg), jen.Op("&").Id(name)), errID().Op("!=").Nil()).Block(
				fail(errID())),
		)
		return body, []jen.Code{jen.Id(name)}
	}
	sig := make([]string, len(m.Params))
	for i, p := range m.Params {
		sig[i] = p.Name + " " + e.typeString(p.Type)
	}
	body = append(body,
		jen.List(jen.Id(vals), errID()).Op(":=").Id(msg).Dot("Args").Dot("List").Call(),
		jen.If(errID().Op("!=").Nil()).Block(fail(jen.Qual(runtimePath, d.arguments).Call(uri, errID()))),
		jen.If(jen.Len(jen.Id(vals)).Op("!=").Lit(len(m.Params))).Block(
			fail(jen.Qual(runtimePath, d.count).Call(uri, jen.Lit(strings.Join(sig, ", ")), jen.Len(jen.Id(vals))))),
	)
	for i, p := range m.Params {
		name := sc.name(p.Name)
		body = append(body,
			jen.Var().Id(name).Add(e.typ(p.Type)),
			jen.If(errID().Op(":=").Id(vals).Index(jen.Lit(i)).Dot("Decode").Call(jen.Op("&").Id(name)), errID().Op("!=").Nil()).Block(
				fail(jen.Qual(runtimePath, d.argument).Call(uri, jen.Lit(i), jen.Lit(p.Name), errID()))),
		)
		decoded = append(decoded, jen.Id(name))
	}
	return body, decoded
}

// unimplemented emits Unimplemented<Service>, whose methods all fail with
// runtime.UnimplementedError: an implementation that embeds it keeps
// compiling when the interface gains a method (grpc-go's
// Unimplemented…Server is the model).
func (e *emitter) unimplemented(s *Service, n names) {
	e.doc(fmt.Sprintf("%s implements %s with methods that all fail with", n.Unimplemented, s.Name) + " " +
		"runtime.UnimplementedError. Embed it in an implementation of " + s.Name + " to keep" + " " +
		"that implementation compiling when " + s.Name + " gains methods: the methods it does" + " " +
		"not define answer remote callers with wampgen.error.unimplemented, which" + " " +
		"errors.Is(err, runtime.ErrUnimplemented) matches on the caller's side.")
	e.f.Type().Id(n.Unimplemented).Struct()
	e.f.Line()
	e.f.Var().Id("_").Id(s.Name).Op("=").Id(n.Unimplemented).Values()
	for _, m := range s.Methods {
		sc := e.newScope()
		sig := e.signature(sc, m)
		params, results := e.sigCode(m, sig)
		e.doc(fmt.Sprintf("%s answers that %s is not implemented.", m.Name, m.URI))
		e.f.Func().Params(jen.Id(n.Unimplemented)).Id(m.Name).Params(params...).Params(results...).Block(
			e.zeroReturn(m, sig, jen.Qual(runtimePath, "UnimplementedError").Call(jen.Id(n.ProcedureConst(m.Name)))),
		)
	}
}

// describe adds what the caller should know about a method to its doc,
// naming the parameters as sig, the generated signature, does.
func describe(m *Method, sig signature) string {
	var notes []string
	if m.Kwargs {
		notes = append(notes, "with the fields of its argument as keyword arguments")
	}
	if m.Progress != nil {
		notes = append(notes, "passing each progressive result to "+sig.progress+" (nil asks for none)")
	}
	if m.Input != nil {
		what := "sending"
		if m.Stream != nil {
			what = "when the returned sequence is ranged over, sending"
		}
		notes = append(notes, what+" each item of "+sig.input+" as one chunk of a progressive call (the last item in the final chunk, an empty input as one final chunk with Arguments []; "+sig.input+" is read no further once the call has ended: the callee answered or failed, or "+sig.ctx+" ended)")
	}
	if m.Stream != nil && m.Input != nil {
		notes = append(notes, "and yielding the results as they arrive while the input is still being sent from a goroutine of its own (the input is read one item ahead, so item k may wait for the result of item k-2, not k-1; the loop ends once the input has returned, and a panic in the input is raised again in the loop)")
	} else if m.Stream != nil {
		notes = append(notes, "when the returned sequence is ranged over, yielding each progressive result")
	}
	if m.DiscloseCaller {
		notes = append(notes, "disclosing the caller's identity")
	}
	if m.Cancel != "" {
		notes = append(notes, "cancelling with mode "+string(m.Cancel)+" when "+sig.ctx+" ends")
	}
	if m.Match.IsPattern() {
		notes = append(notes, "or the concrete URI set on "+sig.ctx+" with runtime.WithProcedureURI, which the pattern must match (the procedure is registered with match="+string(m.Match)+")")
	}
	if len(notes) == 0 {
		return ""
	}
	return ", " + strings.Join(notes, ", ")
}

func orDefault(s, def string) string {
	if s == "" || s == "_" {
		return def
	}
	return s
}

func (e *emitter) registrar(s *Service, n names) {
	sc := e.newScope()
	ctx, callee, impl, opts := sc.name("ctx"), sc.name("callee"), sc.name("impl"), sc.name("opts")
	procs := make([]jen.Code, 0, len(s.Methods))
	for _, m := range s.Methods {
		d := []jen.Code{
			jen.Id("URI").Op(":").Id(n.ProcedureConst(m.Name)),
			jen.Id("Handler").Op(":").Id(n.Handler(m.Name)).Call(jen.Id(impl)),
		}
		var mopts []jen.Code
		if m.Match != "" && m.Match != MatchExact {
			mopts = append(mopts, jen.Qual(runtimePath, "WithMatch").Call(jen.Lit(string(m.Match))))
		}
		if m.Invoke != "" {
			mopts = append(mopts, jen.Qual(runtimePath, "WithInvoke").Call(jen.Lit(string(m.Invoke))))
		}
		if m.DiscloseCaller {
			mopts = append(mopts, jen.Qual(runtimePath, "WithDiscloseCaller").Call())
		}
		if m.Input != nil {
			mopts = append(mopts, jen.Qual(runtimePath, "WithStreamedInput").Call())
		}
		if len(mopts) > 0 {
			d = append(d, jen.Id("Options").Op(":").Index().Qual(runtimePath, "RegisterOption").Values(mopts...))
		}
		procs = append(procs, jen.Values(d...))
	}
	e.doc(fmt.Sprintf("%s registers the methods of %s under the %s procedure URIs", n.Register, impl, s.Name) + " " + fmt.Sprintf("through %s (usually a *runtime.Session), adding %s to every registration.", callee, opts) + " " + "It returns one handle that unregisters them all; if one registration fails," + " " + "those made before it are undone.")
	e.f.Func().Id(n.Register).Params(
		jen.Id(ctx).Qual("context", "Context"),
		jen.Id(callee).Qual(runtimePath, "Callee"),
		jen.Id(impl).Id(s.Name),
		jen.Id(opts).Op("...").Qual(runtimePath, "RegisterOption"),
	).Params(jen.Op("*").Qual(runtimePath, "Registrations"), jen.Error()).Block(
		jen.Return(jen.Qual(runtimePath, "RegisterAll").Call(jen.Id(ctx), jen.Id(callee),
			jen.Index().Qual(runtimePath, "Procedure").Custom(multiline("{", "}"), procs...), jen.Id(opts).Op("..."))),
	)
	for _, m := range s.Methods {
		e.handler(s, n, m)
	}
}

func (e *emitter) handler(s *Service, n names, m *Method) {
	if m.Input != nil {
		e.inputHandler(s, n, m)
		return
	}
	sc := e.newScope()
	// The fixed locals come first, so that they keep their names unless
	// the package or an import has them; the parameters make way.
	impl, ctx, inv, errName, vals := sc.name("impl"), sc.name("ctx"), sc.name("inv"), sc.name("err"), sc.name("vals")
	errID := func() *jen.Statement { return jen.Id(errName) }
	proc := jen.Id(n.ProcedureConst(m.Name))
	body, decoded := e.decodeParams(sc, m, proc, inv, vals, errName, invocationDecoding,
		func(err jen.Code) jen.Code { return jen.Return(jen.Nil(), err) })
	callArgs := append([]jen.Code{jen.Id(ctx)}, decoded...)
	if m.Progress != nil {
		callArgs = append(callArgs, jen.Qual(runtimePath, "ProgressSender").Types(e.typ(m.Progress.Type)).Call(jen.Id(inv)))
	}
	call := jen.Id(impl).Dot(m.Name).Call(callArgs...)
	switch {
	case m.Stream != nil:
		seq := sc.name("seq")
		body = append(body,
			jen.List(jen.Id(seq), errID()).Op(":=").Add(call),
			jen.If(errID().Op("!=").Nil()).Block(jen.Return(jen.Nil(), errID())),
			jen.Return(jen.Qual(runtimePath, "ServeStream").Call(jen.Id(ctx), jen.Id(inv), jen.Id(seq))),
		)
	case len(m.Results) == 0:
		body = append(body,
			jen.If(errID().Op(":=").Add(call), errID().Op("!=").Nil()).Block(jen.Return(jen.Nil(), errID())),
			jen.Return(jen.Nil(), jen.Nil()),
		)
	default:
		var rs []jen.Code
		for i, r := range m.Results {
			rs = append(rs, jen.Id(sc.name(orDefault(r.Name, fmt.Sprintf("r%d", i)))))
		}
		body = append(body,
			jen.List(append(slices.Clone(rs), errID())...).Op(":=").Add(call),
			jen.If(errID().Op("!=").Nil()).Block(jen.Return(jen.Nil(), errID())),
			jen.Return(jen.Op("&").Qual(runtimePath, "Result").Values(jen.Dict{jen.Id("Args"): jen.Qual(wampPath, "ArgsOf").Call(rs...)}), jen.Nil()),
		)
	}
	if m.Kwargs {
		e.doc(fmt.Sprintf("%s serves %s with %s.%s: it decodes the keyword arguments", n.Handler(m.Name), m.URI, impl, m.Name) + " " + "into the fields of the parameter, strictly, answering" + " " + "wamp.error.invalid_argument for positional arguments, an unknown key, a" + " " + "missing required field or a value that does not fit.")
	} else {
		e.doc(fmt.Sprintf("%s serves %s with %s.%s: it decodes the arguments into the", n.Handler(m.Name), m.URI, impl, m.Name) + " " + "parameter types, answering wamp.error.invalid_argument when they do not fit.")
	}
	e.f.Func().Id(n.Handler(m.Name)).Params(jen.Id(impl).Id(s.Name)).Qual(runtimePath, "Handler").Block(
		jen.Return(jen.Func().Params(jen.Id(ctx).Qual("context", "Context"), jen.Id(inv).Op("*").Qual(runtimePath, "Invocation")).
			Params(jen.Op("*").Qual(runtimePath, "Result"), jen.Error()).Block(body...)),
	)
}

// inputHandler emits the handler of a method with streamed input: the
// implementation ranges over the invocation's chunks, each decoded into
// the item type by runtime.InputSeq. What ended the input early (a chunk
// that does not decode, an overflow of the input queue, an interruption)
// is the call's error, whatever the implementation returned: its result
// would be computed from a truncated input. For a bidirectional method the
// input is read while its results are served, so the check follows
// runtime.ServeStream.
func (e *emitter) inputHandler(s *Service, n names, m *Method) {
	sc := e.newScope()
	// The fixed locals first, as in handler; the input's name makes way.
	impl, ctx, inv, errName := sc.name("impl"), sc.name("ctx"), sc.name("inv"), sc.name("err")
	inputErr, failed := sc.name("inputErr"), sc.name("ierr")
	input := sc.name(m.Input.Name)
	errID := func() *jen.Statement { return jen.Id(errName) }
	proc := jen.Id(n.ProcedureConst(m.Name))
	checkInput := jen.If(jen.Id(failed).Op(":=").Id(inputErr).Call(), jen.Id(failed).Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Id(failed)))
	body := []jen.Code{
		jen.List(jen.Id(input), jen.Id(inputErr)).Op(":=").Qual(runtimePath, "InputSeq").Types(e.typ(m.Input.Type)).Call(jen.Id(ctx), proc, jen.Id(inv)),
	}
	call := jen.Id(impl).Dot(m.Name).Call(jen.Id(ctx), jen.Id(input))
	switch {
	case m.Stream != nil:
		seq, res := sc.name("seq"), sc.name("res")
		body = append(body,
			jen.List(jen.Id(seq), errID()).Op(":=").Add(call),
			jen.Var().Id(res).Op("*").Qual(runtimePath, "Result"),
			jen.If(errID().Op("==").Nil()).Block(
				jen.List(jen.Id(res), errID()).Op("=").Qual(runtimePath, "ServeStream").Call(jen.Id(ctx), jen.Id(inv), jen.Id(seq)),
			),
			checkInput,
			jen.Return(jen.Id(res), errID()),
		)
	case len(m.Results) == 0:
		body = append(body,
			errID().Op(":=").Add(call),
			checkInput,
			jen.Return(jen.Nil(), errID()),
		)
	default:
		r := jen.Id(sc.name(orDefault(m.Results[0].Name, "r0")))
		body = append(body,
			jen.List(r, errID()).Op(":=").Add(call),
			checkInput,
			jen.If(errID().Op("!=").Nil()).Block(jen.Return(jen.Nil(), errID())),
			jen.Return(jen.Op("&").Qual(runtimePath, "Result").Values(jen.Dict{jen.Id("Args"): jen.Qual(wampPath, "ArgsOf").Call(r)}), jen.Nil()),
		)
	}
	e.doc(fmt.Sprintf("%s serves %s with %s.%s, which it gives the call's streamed input as %s:", n.Handler(m.Name), m.URI, impl, m.Name, input) + " " +
		fmt.Sprintf("each chunk's one argument decoded into %s. When the input ends early, because a chunk does", e.typeString(m.Input.Type)) + " " +
		"not fit (wamp.error.invalid_argument), the input queue overflowed or the call was interrupted, the" + " " +
		"call fails with that error, whatever " + impl + "." + m.Name + " returned.")
	e.f.Func().Id(n.Handler(m.Name)).Params(jen.Id(impl).Id(s.Name)).Qual(runtimePath, "Handler").Block(
		jen.Return(jen.Func().Params(jen.Id(ctx).Qual("context", "Context"), jen.Id(inv).Op("*").Qual(runtimePath, "Invocation")).
			Params(jen.Op("*").Qual(runtimePath, "Result"), jen.Error()).Block(body...)),
	)
}

func (e *emitter) errors() {
	regs := make([]jen.Code, 0, len(e.file.Errors))
	for _, d := range e.file.Errors {
		if d.Kind == SentinelError {
			regs = append(regs, jen.Qual(runtimePath, "DefaultErrors").Dot("RegisterSentinel").Call(jen.Lit(d.URI), jen.Id(d.Name)))
			continue
		}
		t := jen.Id(d.Name)
		if d.Pointer {
			t = jen.Op("*").Id(d.Name)
		}
		regs = append(regs, jen.Qual(runtimePath, "RegisterErrorType").Types(t).Call(jen.Qual(runtimePath, "DefaultErrors"), jen.Lit(d.URI)))
	}
	e.doc("init maps the errors declared with //wampgen:error in " + e.file.Source + " to their URIs," + " " + "so that they cross the wire as those URIs and arrive as themselves" + " " + "(errors.Is for sentinels, errors.As for error types). Another package" + " " + "may declare the same URIs (an API's v1 and v2 side by side) without a" + " " + "conflict. Registration fails only on input wampgen has" + " " + "already checked (an invalid URI, a sentinel that is nil or not" + " " + "comparable), so a failure here is a bug and stops the program at start-up.")
	e.f.Func().Id("init").Params().Block(
		jen.If(jen.Err().Op(":=").Qual("errors", "Join").Custom(multiline("(", ")"), regs...), jen.Err().Op("!=").Nil()).Block(
			jen.Panic(jen.Lit("wampgen: ").Op("+").Err().Dot("Error").Call()),
		),
	)
}
