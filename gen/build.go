package gen

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/wampgen/wampgen/wamp"
)

// builder turns one loaded package into the model, collecting diagnostics.
type builder struct {
	diagnoser
	pkg       *packages.Package
	generated map[string]bool // files wampgen wrote earlier, ignored
	dirs      *directives
	files     map[string]*File // by source base name
	fields    map[token.Pos]*ast.Field
	procDirs  map[*ast.Field]*directive
	topicDirs map[*ast.Field]*directive
	usedProc  map[*directive]bool  // procedure and topic directives taken by a method
	uris      map[string]string    // procedure URI → where it was first used
	topicURIs map[string]string    // topic URI → where it was first used
	topicPos  map[string]token.Pos // topic URI → where diagnostics about it point
	errURIs   map[string]string
	errIDs    []errorIdentity // the //wampgen:error declarations, for checkErrorIdentities
}

var errorType = types.Universe.Lookup("error").Type()

func newBuilder(l loaded) *builder {
	b := &builder{
		diagnoser: diagnoser{fset: l.pkg.Fset},
		pkg:       l.pkg,
		generated: l.generated,
		files:     map[string]*File{},
		fields:    map[token.Pos]*ast.Field{},
		procDirs:  map[*ast.Field]*directive{},
		topicDirs: map[*ast.Field]*directive{},
		usedProc:  map[*directive]bool{},
		uris:      map[string]string{},
		topicURIs: map[string]string{},
		topicPos:  map[string]token.Pos{},
		errURIs:   map[string]string{},
	}
	var syntax []*ast.File
	for _, f := range l.pkg.Syntax {
		if !l.generated[b.fset.Position(f.Package).Filename] {
			syntax = append(syntax, f)
		}
	}
	b.dirs = scanDirectives(&b.diagnoser, syntax)
	// Procedure and topic directives belong to interface methods; index
	// them by the method's position so embedded methods find theirs too.
	for _, f := range syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			it, ok := n.(*ast.InterfaceType)
			if !ok {
				return true
			}
			for _, field := range it.Methods.List {
				for _, name := range field.Names {
					b.fields[name.Pos()] = field
				}
				for _, k := range []ifaceKind{serviceKind, topicsKind} {
					if d := b.dirs.take(&b.diagnoser, k.item, field.Doc); d != nil {
						if len(field.Names) == 0 {
							b.errorf(d.pos, "//wampgen:%s is on an embedded interface, not a method: put it on the method's declaration", k.item)
							continue
						}
						b.methodDirs(k)[field] = d
					}
				}
			}
			return true
		})
	}
	return b
}

// troubled reports whether one of the comment groups held a wampgen
// directive that could not be read (and was reported).
func (b *builder) troubled(groups []*ast.CommentGroup) bool {
	for _, g := range groups {
		if g != nil && b.dirs.troubled[g] {
			return true
		}
	}
	return false
}

// ifaceKind tells the two kinds of annotated interfaces apart: services,
// whose methods are procedures, and topics interfaces, whose methods are
// topics.
type ifaceKind struct {
	directive string // on the interface: "service" or "topics"
	noun      string // "service" or "topics interface"
	item      string // what a method is, and its directive: "procedure" or "topic"
}

var (
	serviceKind = ifaceKind{directive: "service", noun: "service", item: "procedure"}
	topicsKind  = ifaceKind{directive: "topics", noun: "topics interface", item: "topic"}
)

func (k ifaceKind) topics() bool { return k.item == "topic" }

// other is the kind whose method directive does not belong on k's methods.
func (k ifaceKind) other() ifaceKind {
	if k.topics() {
		return serviceKind
	}
	return topicsKind
}

// methodDirs returns the method directives of kind k, by method field.
func (b *builder) methodDirs(k ifaceKind) map[*ast.Field]*directive {
	if k.topics() {
		return b.topicDirs
	}
	return b.procDirs
}

// silence marks the procedure and topic directives of an interface's
// methods as used, for an interface whose service or topics directive was
// reported as unreadable.
func (b *builder) silence(spec *ast.TypeSpec) {
	if it, ok := spec.Type.(*ast.InterfaceType); ok {
		for _, field := range it.Methods.List {
			for _, dirs := range []map[*ast.Field]*directive{b.procDirs, b.topicDirs} {
				if d := dirs[field]; d != nil {
					b.usedProc[d] = true
				}
			}
		}
	}
}

// userDeclared reports whether obj is declared in a file the user wrote,
// not in one wampgen generated earlier (which the new output replaces).
func (b *builder) userDeclared(obj types.Object) bool {
	return !b.generated[b.fset.Position(obj.Pos()).Filename]
}

func (b *builder) file(pos token.Pos) *File {
	name := filepath.Base(b.fset.Position(pos).Filename)
	f, ok := b.files[name]
	if !ok {
		f = &File{Source: name, Output: OutputName(name)}
		b.files[name] = f
	}
	return f
}

// build walks the declarations of the package.
func (b *builder) build() *Package {
	for _, f := range b.pkg.Syntax {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				groups := []*ast.CommentGroup{gd.Doc}
				if gd.Lparen.IsValid() {
					groups = nil // a grouped declaration's doc is not the spec's
				}
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					groups = append(groups, spec.Doc)
					sd := b.dirs.take(&b.diagnoser, "service", groups...)
					td := b.dirs.take(&b.diagnoser, "topics", groups...)
					switch {
					case sd != nil && td != nil:
						b.errorf(td.pos, "//wampgen:topics and //wampgen:service on the same interface %s: an interface declares either procedures or topics: split it into two interfaces", spec.Name.Name)
						b.silence(spec)
					case sd != nil:
						b.iface(spec, sd, serviceKind)
					case td != nil:
						b.iface(spec, td, topicsKind)
					case b.troubled(groups):
						// A directive meant as //wampgen:service or
						// //wampgen:topics did not parse; the method
						// directives are not stray.
						b.silence(spec)
					}
					if d := b.dirs.take(&b.diagnoser, "error", groups...); d != nil {
						b.errorTypeDecl(spec, d)
					}
				case *ast.ValueSpec:
					groups = append(groups, spec.Doc)
					if d := b.dirs.take(&b.diagnoser, "error", groups...); d != nil {
						b.errorVarDecl(gd, spec, d)
					}
				}
			}
		}
	}
	for _, k := range []ifaceKind{serviceKind, topicsKind} {
		for field, d := range b.methodDirs(k) {
			if !b.usedProc[d] {
				name := "?"
				if len(field.Names) > 0 {
					name = field.Names[0].Name
				}
				b.errorf(d.pos, "//wampgen:%s on %s, which is not a method of any //wampgen:%s interface: annotate the interface with //wampgen:%s or remove the directive", k.item, name, k.directive, k.directive)
			}
		}
	}
	b.checkTopicProcedureURIs()
	b.checkErrorIdentities(b.errIDs)
	var syntax []*ast.File
	for _, f := range b.pkg.Syntax {
		if !b.generated[b.fset.Position(f.Package).Filename] {
			syntax = append(syntax, f)
		}
	}
	ts := b.typescriptDirective(syntax)
	b.dirs.reportUnused(&b.diagnoser)

	p := &Package{Name: b.pkg.Name, Path: b.pkg.PkgPath, Scope: map[string]bool{}, TypeScript: ts}
	if len(b.pkg.GoFiles) > 0 {
		p.Dir = filepath.Dir(b.pkg.GoFiles[0])
	}
	for _, name := range b.pkg.Types.Scope().Names() {
		if b.userDeclared(b.pkg.Types.Scope().Lookup(name)) {
			p.Scope[name] = true
		}
	}
	for _, f := range b.files {
		p.Files = append(p.Files, f)
	}
	slices.SortFunc(p.Files, func(x, y *File) int { return strings.Compare(x.Source, y.Source) })
	b.checkClashes(p)
	return p
}

// checkClashes reports generated identifiers that clash with declarations
// of the package or with each other.
func (b *builder) checkClashes(p *Package) {
	declared := map[string]string{}
	check := func(noun, name string, pos token.Position, ids []string) {
		var shared []string // identifiers also generated for another interface
		var other string
		for _, id := range ids {
			if obj := b.pkg.Types.Scope().Lookup(id); obj != nil && b.userDeclared(obj) {
				b.diags = append(b.diags, Diagnostic{Pos: pos, Message: fmt.Sprintf(
					"%s %s: wampgen generates %s, which is already declared at %s: rename that declaration, the %s or the method",
					noun, name, id, shortPos(b.fset.Position(obj.Pos())), noun)})
			}
			if o, dup := declared[id]; dup {
				shared = append(shared, id)
				other = o
			}
			declared[id] = noun + " " + name
		}
		if len(shared) > 0 {
			b.diags = append(b.diags, Diagnostic{Pos: pos, Message: fmt.Sprintf(
				"%s %s: wampgen would generate %s for it and for %s too: rename a method or a %s",
				noun, name, strings.Join(shared, ", "), other, noun)})
		}
	}
	for _, f := range p.Files {
		for _, s := range f.Services {
			check("service", s.Name, s.Pos, serviceNames(s.Name).declared(s))
		}
		for _, t := range f.Topics {
			check("topics interface", t.Name, t.Pos, topicsNamesOf(t.Name).declared(t))
		}
	}
}

// checkTopicProcedureURIs reports topics whose URI a procedure of the
// package has too. WAMP keeps the two apart, but one URI naming two things
// confuses readers and authorization rules, which routers key by URI.
func (b *builder) checkTopicProcedureURIs() {
	for uri, where := range b.topicURIs {
		if proc, dup := b.uris[uri]; dup {
			b.errorf(b.topicPos[uri], "method %s: topic URI %q is also the URI of procedure %s: give one of them another uri= (one URI naming a procedure and a topic confuses readers and authorization rules, which routers key by URI)", where, uri, proc)
		}
	}
}

func shortPos(p token.Position) string {
	return fmt.Sprintf("%s:%d:%d", filepath.Base(p.Filename), p.Line, p.Column)
}

// checkURI checks the value of key (prefix or uri) of a directive, for
// what (a service, a procedure or an error).
func (b *builder) checkURI(pos token.Pos, key, what, uri string, match MatchPolicy) bool {
	if err := wamp.ValidateApplicationURI(wamp.URI(uri), wamp.Strict, string(match)); err != nil {
		reason := err.Error()
		var ue *wamp.URIError
		if errors.As(err, &ue) {
			reason = ue.Reason
		}
		b.errorf(pos, "%s=%s is not a valid WAMP URI: %s (rule: WAMP strict URIs, outside wamp.*): write one such as %s", key, uri, reason, uriExample(what))
		return false
	}
	return true
}

func uriExample(what string) string {
	switch what {
	case "service", "topics interface":
		return "prefix=com.example.calc"
	case "procedure":
		return "uri=com.example.calc.add"
	case "topic":
		return "uri=com.example.calc.computed"
	}
	return "uri=com.example.calc.error.div_by_zero"
}

// owner is the interface a method belongs to, as its check needs it.
type owner struct {
	kind   ifaceKind
	name   string
	prefix string
}

// iface checks an interface annotated with //wampgen:service or
// //wampgen:topics (kind says which) and adds its model to its file.
func (b *builder) iface(spec *ast.TypeSpec, d *directive, kind ifaceKind) {
	obj, _ := b.pkg.TypesInfo.Defs[spec.Name].(*types.TypeName)
	if obj == nil {
		return
	}
	if spec.TypeParams != nil {
		b.errorf(spec.Name.Pos(), "%s %s is generic: a WAMP %s has one concrete signature; declare a non-generic interface (instantiate the types you need)", kind.noun, spec.Name.Name, kind.item)
		return
	}
	iface, ok := types.Unalias(obj.Type()).Underlying().(*types.Interface)
	if ok && spec.Assign.IsValid() {
		b.silence(spec)
		b.errorf(spec.Name.Pos(), "//wampgen:%s on %s, which is an alias: annotate the declaration of the interface it stands for", kind.directive, spec.Name.Name)
		return
	}
	if !ok {
		b.errorf(spec.Name.Pos(), "//wampgen:%s on %s, which is not an interface type declaration: annotate an interface", kind.directive, spec.Name.Name)
		return
	}
	o := owner{kind: kind, name: spec.Name.Name}
	// prefixKnown is false when the prefix was given but is unusable: the
	// methods are then not reported for lacking a URI.
	prefixKnown := !d.broken
	if a, ok := d.arg("prefix"); ok {
		prefixKnown = b.checkURI(a.valuePos, "prefix", kind.noun, a.value, MatchExact)
		if prefixKnown {
			o.prefix = a.value
		}
	}
	if iface.NumMethods() == 0 || !iface.IsMethodSet() {
		b.silence(spec)
		if iface.IsMethodSet() {
			b.errorf(spec.Name.Pos(), "%s %s has no methods: declare at least one %s", kind.noun, o.name, kind.item)
		} else {
			b.errorf(spec.Name.Pos(), "%s %s is a type constraint, not a method set: annotate an interface of methods", kind.noun, o.name)
		}
		return
	}
	var methods []*Method
	for _, fn := range orderedMethods(spec, iface) {
		if m := b.method(o, spec, fn, prefixKnown); m != nil {
			methods = append(methods, m)
		}
	}
	pos := b.fset.Position(spec.Name.Pos())
	f := b.file(spec.Pos())
	if kind.topics() {
		f.Topics = append(f.Topics, &Topics{Name: o.name, Prefix: o.prefix, Pos: pos, Methods: methods})
	} else {
		f.Services = append(f.Services, &Service{Name: o.name, Prefix: o.prefix, Pos: pos, Methods: methods})
	}
}

// orderedMethods lists the interface's methods in source order: those
// declared in it first, in order, then embedded ones in go/types order.
func orderedMethods(spec *ast.TypeSpec, iface *types.Interface) []*types.Func {
	var out []*types.Func
	seen := map[string]bool{}
	if it, ok := spec.Type.(*ast.InterfaceType); ok {
		for _, field := range it.Methods.List {
			for _, name := range field.Names {
				for i := range iface.NumMethods() {
					if m := iface.Method(i); m.Name() == name.Name && !seen[m.Name()] {
						out = append(out, m)
						seen[m.Name()] = true
					}
				}
			}
		}
	}
	for i := range iface.NumMethods() {
		if m := iface.Method(i); !seen[m.Name()] {
			out = append(out, m)
			seen[m.Name()] = true
		}
	}
	return out
}

func isNamed(t types.Type, pkg, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// typeString spells t as the package's own source would.
func (b *builder) typeString(t types.Type) string {
	return types.TypeString(t, types.RelativeTo(b.pkg.Types))
}

// selfReferentialContainer reports whether n reaches itself through maps,
// slices, arrays and pointers alone (type T map[string]T): the codec
// recurses on such types until the stack overflows. A struct on the way
// breaks the cycle.
func selfReferentialContainer(n *types.Named) bool {
	seen := map[types.Type]bool{}
	var walk func(t types.Type) bool
	walk = func(t types.Type) bool {
		t = types.Unalias(t)
		if nt, ok := t.(*types.Named); ok {
			if types.Identical(nt, n) {
				return true
			}
			if seen[nt] {
				return false
			}
			seen[nt] = true
			t = nt.Underlying()
		}
		switch u := t.(type) {
		case *types.Map:
			return walk(u.Key()) || walk(u.Elem())
		case *types.Slice:
			return walk(u.Elem())
		case *types.Array:
			return walk(u.Elem())
		case *types.Pointer:
			return walk(u.Elem())
		}
		return false
	}
	return walk(n.Underlying())
}

func isStruct(t types.Type) bool {
	_, ok := types.Unalias(t).Underlying().(*types.Struct)
	return ok
}

// encodesItself reports whether t travels as its own methods give it
// rather than as its fields.
func (b *builder) encodesItself(t types.Type) bool {
	enc, _ := b.ownEncoding(types.Unalias(t))
	return enc == encodedByItself
}

func isPointerToStruct(t types.Type) bool {
	p, ok := types.Unalias(t).Underlying().(*types.Pointer)
	return ok && isStruct(p.Elem())
}

// payload explains why t, the type of a parameter or result of a
// method, cannot travel as a WAMP payload value or cannot be spelled in
// the generated code, or returns "".
func (b *builder) payload(t types.Type) string {
	if why := b.unsupported(t); why != "" {
		return why
	}
	return b.unspellable(t, map[types.Type]bool{})
}

// unspellable explains why the generated code cannot write t as the
// emitter would (see emitter.typ), or returns "". A method embedded from
// another package may use types this package cannot name: those of
// internal packages, unexported aliases, anonymous structs with
// unexported fields.
func (b *builder) unspellable(t types.Type, seen map[types.Type]bool) string {
	if seen[t] || len(seen) > 1000 {
		return ""
	}
	seen[t] = true
	self := b.pkg.PkgPath
	switch t := t.(type) {
	case *types.Alias:
		if !aliasByName(t, self) {
			return b.unspellable(types.Unalias(t), seen)
		}
		for i := range t.TypeArgs().Len() {
			if why := b.unspellable(t.TypeArgs().At(i), seen); why != "" {
				return why
			}
		}
	case *types.Named:
		obj := t.Obj()
		if p := obj.Pkg(); p != nil && p.Path() != self && !importable(self, p.Path()) {
			return fmt.Sprintf("type %s.%s belongs to the internal package %s, which package %s may not import (rule: internal packages), so generated code cannot name it: use a type the package can import (an exported alias of it spelled in the method's package works)", p.Name(), obj.Name(), p.Path(), self)
		}
		for i := range t.TypeArgs().Len() {
			if why := b.unspellable(t.TypeArgs().At(i), seen); why != "" {
				return why
			}
		}
	case *types.Pointer:
		return b.unspellable(t.Elem(), seen)
	case *types.Slice:
		return b.unspellable(t.Elem(), seen)
	case *types.Array:
		return b.unspellable(t.Elem(), seen)
	case *types.Map:
		if why := b.unspellable(t.Key(), seen); why != "" {
			return why
		}
		return b.unspellable(t.Elem(), seen)
	case *types.Struct:
		for i := range t.NumFields() {
			f := t.Field(i)
			if !f.Exported() && f.Pkg() != nil && f.Pkg() != b.pkg.Types {
				return fmt.Sprintf("the struct type %s has the unexported field %s of package %s, so no struct type written in package %s is identical to it: declare a named struct type in package %s and use that", b.shortTypeString(t), f.Name(), f.Pkg().Path(), self, f.Pkg().Path())
			}
			if f.Embedded() {
				ft := f.Type()
				if p, ok := ft.(*types.Pointer); ok {
					ft = p.Elem()
				}
				if a, ok := ft.(*types.Alias); ok && !aliasByName(a, self) {
					return fmt.Sprintf("the struct type %s embeds the alias %s, which generated code in package %s cannot name, and spelling what it stands for would rename the field: embed a type the package can name", b.shortTypeString(t), b.shortTypeString(a), self)
				}
			}
			if why := b.unspellable(f.Type(), seen); why != "" {
				return fmt.Sprintf("field %s: %s", f.Name(), why)
			}
		}
	}
	return ""
}

// shortTypeString spells t as code in the package would, qualifying the
// types of other packages by their names.
func (b *builder) shortTypeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string {
		if p == b.pkg.Types {
			return ""
		}
		return p.Name()
	})
}

// unsupported explains why t cannot travel as a WAMP payload value, or
// returns "".
func (b *builder) unsupported(t types.Type) string {
	return b.unsupportedIn(t, map[types.Type]bool{})
}

func (b *builder) unsupportedIn(t types.Type, seen map[types.Type]bool) string {
	t = types.Unalias(t)
	if seen[t] || len(seen) > 1000 { // a cycle of instantiations never repeats a type
		return ""
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Basic:
		switch {
		case t.Kind() == types.UnsafePointer:
			return "unsafe.Pointer cannot travel in a WAMP payload: use the type it points to"
		case t.Info()&types.IsComplex != 0:
			return fmt.Sprintf("%s has no WAMP representation: use two floats or a struct", t)
		case t.Kind() == types.Uintptr:
			return "uintptr cannot travel in a WAMP payload: use uint64"
		}
		return ""
	case *types.Named:
		if selfReferentialContainer(t) {
			return fmt.Sprintf("type %s refers to itself through maps, slices or pointers, which the codec cannot encode: wrap the recursion in a struct field", t.Obj().Name())
		}
		obj := t.Obj()
		if obj.Pkg() != nil && obj.Pkg() != b.pkg.Types && !obj.Exported() {
			return fmt.Sprintf("type %s.%s is unexported in its package, so generated code cannot name it: use an exported type", obj.Pkg().Name(), obj.Name())
		}
		if obj.Pkg() == nil && obj.Name() == "error" {
			return "error values cannot travel as a payload value: return the error as the method's last result, or use a //wampgen:error type"
		}
		switch enc, why := b.ownEncoding(t); enc {
		case encodedByItself:
			return "" // a leaf: what is inside is the type's own business
		case encodedBadly:
			return why
		}
		if st, ok := t.Underlying().(*types.Struct); ok && !travels(st) {
			return fmt.Sprintf("type %s has no exported field that travels, so it travels as {} and arrives as its zero value (rule: a struct travels as its exported fields, less those tagged \"-\"): export its fields, or give it MarshalText and UnmarshalText", t.Obj().Name())
		}
		if st, ok := t.Underlying().(*types.Struct); ok {
			if why := wireNameClash(st); why != "" {
				return fmt.Sprintf("type %s: %s", t.Obj().Name(), why)
			}
		}
		for i := range t.TypeArgs().Len() {
			if why := b.unsupportedIn(t.TypeArgs().At(i), seen); why != "" {
				return why
			}
		}
		if why := b.unsupportedIn(t.Underlying(), seen); why != "" {
			return fmt.Sprintf("%s: %s", t.Obj().Name(), why)
		}
		return ""
	case *types.Pointer:
		return b.unsupportedIn(t.Elem(), seen)
	case *types.Slice:
		return b.unsupportedIn(t.Elem(), seen)
	case *types.Array:
		return b.unsupportedIn(t.Elem(), seen)
	case *types.Map:
		key := types.Unalias(t.Key())
		if !textKey(key) {
			if k, ok := key.Underlying().(*types.Basic); !ok || k.Info()&types.IsString == 0 {
				return fmt.Sprintf("map key %s is not a string type: WAMP dictionaries (and JSON objects) have string keys, so use map[string]… (or a key type with MarshalText and UnmarshalText)", b.shortTypeString(t.Key()))
			}
			if _, named := key.(*types.Named); named {
				if enc, why := b.ownEncoding(key); enc == encodedBadly {
					return "map key: " + why
				}
			}
		}
		return b.unsupportedIn(t.Elem(), seen)
	case *types.Struct:
		switch enc, why := b.ownEncoding(t); enc {
		case encodedByItself:
			return ""
		case encodedBadly:
			return why
		}
		if !travels(t) {
			return fmt.Sprintf("the struct type %s has no exported field that travels, so it travels as {} and arrives as its zero value (rule: a struct travels as its exported fields, less those tagged \"-\"): export its fields, or declare a type with MarshalText and UnmarshalText", b.shortTypeString(t))
		}
		if why := wireNameClash(t); why != "" {
			return fmt.Sprintf("the struct type %s: %s", b.shortTypeString(t), why)
		}
		return b.fieldsUnsupported(t, seen)
	case *types.Interface:
		if t.Empty() {
			return ""
		}
		return fmt.Sprintf("interface type %s cannot be decoded into: use a concrete type (or any)", t)
	case *types.Chan:
		return "channels cannot travel in a WAMP payload: send the values (an iter.Seq parameter streams them in; a progress callback or an iter.Seq2 result streams them out)"
	case *types.Signature:
		return "functions cannot travel in a WAMP payload: send data (a progress callback is func(T) error, the last parameter)"
	case *types.TypeParam:
		return "type parameters are not supported: use concrete types"
	}
	return fmt.Sprintf("type %s is not supported", t)
}

// fieldsUnsupported explains why a field of st that travels cannot, or
// returns "".
func (b *builder) fieldsUnsupported(st *types.Struct, seen map[types.Type]bool) string {
	for i := range st.NumFields() {
		f := st.Field(i)
		if !f.Exported() {
			continue // the codec skips unexported fields
		}
		if why := b.unsupportedIn(f.Type(), seen); why != "" {
			return fmt.Sprintf("field %s: %s", f.Name(), why)
		}
	}
	return ""
}

func (b *builder) errorURI(d *directive, name string) (string, bool) {
	a, ok := d.arg("uri")
	if !ok { // reported with the directive
		return "", false
	}
	if !b.checkURI(a.valuePos, "uri", "error", a.value, wamp.MatchExact) {
		return "", false
	}
	if first, dup := b.errURIs[a.value]; dup {
		b.errorf(a.valuePos, "error URI %q is already used by %s: each error needs its own URI, so give one of them another uri=", a.value, first)
		return "", false
	}
	b.errURIs[a.value] = name
	return a.value, true
}

func (b *builder) errorVarDecl(gd *ast.GenDecl, spec *ast.ValueSpec, d *directive) {
	if gd.Tok != token.VAR {
		b.errorf(d.pos, "//wampgen:error on a constant: sentinel errors are variables, as in var ErrNotFound = errors.New(\"not found\")")
		return
	}
	if len(spec.Names) != 1 {
		b.errorf(d.pos, "//wampgen:error on a declaration of %d variables: declare each sentinel error on its own line", len(spec.Names))
		return
	}
	name := spec.Names[0]
	obj, _ := b.pkg.TypesInfo.Defs[name].(*types.Var)
	if obj == nil {
		return
	}
	if !types.Identical(obj.Type(), errorType) {
		fix := fmt.Sprintf("declare it as var %s error = ...", name.Name)
		if n, isPtr := types.Unalias(obj.Type()).(*types.Pointer); isPtr && types.Implements(obj.Type(), errorType.Underlying().(*types.Interface)) {
			if named, isNamed := types.Unalias(n.Elem()).(*types.Named); isNamed && named.Obj().Pkg() == b.pkg.Types {
				fix += fmt.Sprintf(", or annotate the type %s instead", named.Obj().Name())
			}
		}
		b.errorf(name.Pos(), "//wampgen:error on %s of type %s: a sentinel error variable must have type error, so that errors.Is matches it: %s", name.Name, b.typeString(obj.Type()), fix)
		return
	}
	uri, ok := b.errorURI(d, name.Name)
	if !ok {
		return
	}
	target, copied := b.sentinelTarget(obj, spec)
	b.errIDs = append(b.errIDs, errorIdentity{target: target, name: name.Name, pos: name.Pos(), uri: uri, copied: copied})
	f := b.file(spec.Pos())
	f.Errors = append(f.Errors, &ErrorDecl{Name: name.Name, URI: uri, Kind: SentinelError, Pos: b.fset.Position(name.Pos())})
}

func (b *builder) errorTypeDecl(spec *ast.TypeSpec, d *directive) {
	obj, _ := b.pkg.TypesInfo.Defs[spec.Name].(*types.TypeName)
	if obj == nil {
		return
	}
	if spec.TypeParams != nil {
		b.errorf(spec.Name.Pos(), "//wampgen:error on the generic type %s: the URI maps to one concrete Go type: annotate a non-generic type", spec.Name.Name)
		return
	}
	if !isStruct(obj.Type()) {
		b.errorf(spec.Name.Pos(), "//wampgen:error on %s, which is not a struct: an error type travels as its exported fields in ArgumentsKw, so it must be a struct: declare it as type %s struct{ ... }", spec.Name.Name, spec.Name.Name)
		return
	}
	errIface := errorType.Underlying().(*types.Interface)
	e := &ErrorDecl{Name: spec.Name.Name, Kind: TypeError, Pos: b.fset.Position(spec.Name.Pos())}
	switch {
	case types.Implements(obj.Type(), errIface):
	case types.Implements(types.NewPointer(obj.Type()), errIface):
		e.Pointer = true
	default:
		b.errorf(spec.Name.Pos(), "//wampgen:error on %s, which does not implement error: add an Error() string method", spec.Name.Name)
		return
	}
	// An error type may have no field at all: its URI says what happened.
	if why := b.fieldsUnsupported(obj.Type().Underlying().(*types.Struct), map[types.Type]bool{}); why != "" {
		b.errorf(spec.Name.Pos(), "//wampgen:error type %s travels as its exported fields in ArgumentsKw: %s", spec.Name.Name, why)
		return
	}
	uri, ok := b.errorURI(d, spec.Name.Name)
	if !ok {
		return
	}
	e.URI = uri
	target, copied := typeTarget(obj)
	b.errIDs = append(b.errIDs, errorIdentity{target: target, name: spec.Name.Name, pos: spec.Name.Pos(), uri: uri, copied: copied})
	f := b.file(spec.Pos())
	f.Errors = append(f.Errors, e)
}
