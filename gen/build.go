package gen

import (
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
	pkg      *packages.Package
	dirs     *directives
	files    map[string]*File // by source base name
	fields   map[token.Pos]*ast.Field
	procDirs map[*ast.Field]*directive
	usedProc map[*directive]bool
	uris     map[string]string // procedure URI → where it was first used
	errURIs  map[string]string
}

var errorType = types.Universe.Lookup("error").Type()

func newBuilder(l loaded) *builder {
	b := &builder{
		diagnoser: diagnoser{fset: l.pkg.Fset},
		pkg:       l.pkg,
		files:     map[string]*File{},
		fields:    map[token.Pos]*ast.Field{},
		procDirs:  map[*ast.Field]*directive{},
		usedProc:  map[*directive]bool{},
		uris:      map[string]string{},
		errURIs:   map[string]string{},
	}
	var syntax []*ast.File
	for _, f := range l.pkg.Syntax {
		if !l.generated[b.fset.Position(f.Package).Filename] {
			syntax = append(syntax, f)
		}
	}
	b.dirs = scanDirectives(&b.diagnoser, syntax)
	// Procedure directives belong to interface methods; index them by the
	// method's position so embedded methods find theirs too.
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
				if d := b.dirs.take(&b.diagnoser, "procedure", field.Doc); d != nil {
					if len(field.Names) == 0 {
						b.errorf(d.pos, "//wampgen:procedure is on an embedded interface, not a method: put it on the method's declaration")
						continue
					}
					b.procDirs[field] = d
				}
			}
			return true
		})
	}
	return b
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
					if d := b.dirs.take(&b.diagnoser, "service", groups...); d != nil {
						b.service(spec, d)
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
	for field, d := range b.procDirs {
		if !b.usedProc[d] {
			name := "?"
			if len(field.Names) > 0 {
				name = field.Names[0].Name
			}
			b.errorf(d.pos, "//wampgen:procedure on %s, which is not a method of any //wampgen:service interface: annotate the interface with //wampgen:service or remove the directive", name)
		}
	}
	b.dirs.reportUnused(&b.diagnoser)

	p := &Package{Name: b.pkg.Name, Path: b.pkg.PkgPath, Scope: map[string]bool{}}
	if len(b.pkg.GoFiles) > 0 {
		p.Dir = filepath.Dir(b.pkg.GoFiles[0])
	}
	for _, name := range b.pkg.Types.Scope().Names() {
		p.Scope[name] = true
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
	for _, f := range p.Files {
		for _, s := range f.Services {
			for _, id := range serviceNames(s.Name).declared(s) {
				if obj := b.pkg.Types.Scope().Lookup(id); obj != nil {
					b.diags = append(b.diags, Diagnostic{Pos: s.Pos, Message: fmt.Sprintf(
						"service %s: the generated identifier %s clashes with the declaration at %s: rename one of them",
						s.Name, id, shortPos(b.fset.Position(obj.Pos())))})
				}
				if other, dup := declared[id]; dup {
					b.diags = append(b.diags, Diagnostic{Pos: s.Pos, Message: fmt.Sprintf(
						"service %s: the generated identifier %s is also generated for %s: rename a method or a service", s.Name, id, other)})
				}
				declared[id] = s.Name
			}
		}
	}
}

func shortPos(p token.Position) string {
	return fmt.Sprintf("%s:%d:%d", filepath.Base(p.Filename), p.Line, p.Column)
}

func (b *builder) checkURI(pos token.Pos, what, uri, match string) bool {
	if err := wamp.ValidateApplicationURI(wamp.URI(uri), wamp.Strict, match); err != nil {
		var ue *wamp.URIError
		reason := err.Error()
		if e, ok := err.(*wamp.URIError); ok {
			ue = e
			reason = ue.Reason
		}
		b.errorf(pos, "%s %q is not a valid WAMP URI: %s (rule: strict URIs are dot-separated components of a-z, 0-9 and _, outside wamp.*)", what, uri, reason)
		return false
	}
	return true
}

func (b *builder) service(spec *ast.TypeSpec, d *directive) {
	obj, _ := b.pkg.TypesInfo.Defs[spec.Name].(*types.TypeName)
	if obj == nil {
		return
	}
	if spec.TypeParams != nil {
		b.errorf(spec.Name.Pos(), "service %s is generic: a WAMP procedure has one concrete signature; declare a non-generic interface (instantiate the types you need)", spec.Name.Name)
		return
	}
	iface, ok := types.Unalias(obj.Type()).Underlying().(*types.Interface)
	if !ok || spec.Assign.IsValid() {
		b.errorf(spec.Name.Pos(), "//wampgen:service on %s, which is not an interface type declaration: annotate an interface", spec.Name.Name)
		return
	}
	s := &Service{Name: spec.Name.Name, Pos: b.fset.Position(spec.Name.Pos())}
	if a, ok := d.arg("prefix"); ok {
		if b.checkURI(a.valuePos, "prefix", a.value, wamp.MatchExact) {
			s.Prefix = a.value
		}
	}
	if iface.NumMethods() == 0 {
		b.errorf(spec.Name.Pos(), "service %s has no methods: declare at least one procedure", s.Name)
		return
	}
	for _, fn := range orderedMethods(spec, iface) {
		if m := b.method(s, spec, fn); m != nil {
			s.Methods = append(s.Methods, m)
		}
	}
	f := b.file(spec.Pos())
	f.Services = append(f.Services, s)
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

// progressType returns T when t is func(T) error.
func progressType(t types.Type) (types.Type, bool) {
	sig, ok := types.Unalias(t).(*types.Signature)
	if !ok || sig.Params().Len() != 1 || sig.Results().Len() != 1 || sig.Variadic() ||
		!types.Identical(sig.Results().At(0).Type(), errorType) {
		return nil, false
	}
	return sig.Params().At(0).Type(), true
}

// streamType returns T when t is iter.Seq2[T, error].
func streamType(t types.Type) (types.Type, bool) {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || !isNamed(n, "iter", "Seq2") || n.TypeArgs().Len() != 2 || !types.Identical(n.TypeArgs().At(1), errorType) {
		return nil, false
	}
	return n.TypeArgs().At(0), true
}

func (b *builder) method(s *Service, spec *ast.TypeSpec, fn *types.Func) *Method {
	sig := fn.Type().(*types.Signature)
	pos := fn.Pos()
	if b.fset.Position(pos).Filename == "" || b.pkg.Types != fn.Pkg() {
		pos = spec.Name.Pos() // embedded from another package: report at the service
	}
	m := &Method{Name: fn.Name(), Pos: b.fset.Position(pos)}
	where := fmt.Sprintf("%s.%s", s.Name, fn.Name())
	ok := true
	fail := func(format string, args ...any) {
		b.errorf(pos, "method "+where+": "+format, args...)
		ok = false
	}

	// Directive options.
	if field := b.fields[fn.Pos()]; field != nil {
		if d := b.procDirs[field]; d != nil {
			b.usedProc[d] = true
			for _, a := range d.args {
				switch a.key {
				case "uri":
					m.URI = a.value
				case "match":
					m.Match = a.value
				case "invoke":
					m.Invoke = a.value
				case "disclose_caller":
					m.DiscloseCaller = a.value == "true"
				case "cancel":
					m.Cancel = a.value
				case "kwargs":
					m.Kwargs = a.value == "true"
				}
			}
			if m.URI != "" {
				if a, _ := d.arg("uri"); !b.checkURI(a.valuePos, "uri", m.URI, m.Match) {
					ok = false
				}
			}
		}
	}
	if m.URI == "" {
		if s.Prefix == "" {
			fail("no procedure URI: give the service a prefix (//wampgen:service prefix=com.example.svc) or the method a uri (//wampgen:procedure uri=com.example.svc.method)")
		} else {
			m.URI = s.Prefix + "." + snakeCase(fn.Name())
			if m.Match == wamp.MatchWildcard {
				fail("match=wildcard needs an explicit uri= pattern with empty components, such as uri=com.example..add")
			}
		}
	}
	if m.URI != "" {
		if first, dup := b.uris[m.URI]; dup {
			fail("procedure URI %q is already used by %s: give one of them another uri=", m.URI, first)
		} else {
			b.uris[m.URI] = where
		}
	}

	if sig.Variadic() {
		fail("variadic parameters are not supported: use a slice parameter")
	}
	params := sig.Params()
	if params.Len() == 0 || !isNamed(params.At(0).Type(), "context", "Context") {
		fail("the first parameter must be a context.Context (rule: method shape): add ctx context.Context as the first parameter")
	} else {
		m.Ctx = params.At(0).Name()
	}
	results := sig.Results()
	if results.Len() == 0 || !types.Identical(results.At(results.Len()-1).Type(), errorType) {
		fail("the last result must be error (rule: method shape): add error as the last result")
	}
	if !ok {
		return nil
	}

	for i := 1; i < params.Len(); i++ {
		p := params.At(i)
		if t, isProgress := progressType(p.Type()); isProgress {
			if i != params.Len()-1 {
				fail("the progress callback %s must be the last parameter", paramName(p, i))
				continue
			}
			if why := b.unsupported(t); why != "" {
				fail("progress callback %s: %s", paramName(p, i), why)
				continue
			}
			m.Progress = &Param{Name: paramName(p, i), Type: t}
			continue
		}
		if why := b.unsupported(p.Type()); why != "" {
			fail("parameter %s: %s", paramName(p, i), why)
			continue
		}
		m.Params = append(m.Params, &Param{Name: paramName(p, i), Type: p.Type()})
	}
	for i := 0; i < results.Len()-1; i++ {
		r := results.At(i)
		if t, isStream := streamType(r.Type()); isStream {
			if results.Len() != 2 {
				fail("a streaming method returns exactly (iter.Seq2[T, error], error)")
				continue
			}
			if m.Progress != nil {
				fail("a method streams either through a progress callback or an iter.Seq2 result, not both: drop one")
				continue
			}
			if why := b.unsupported(t); why != "" {
				fail("stream item: %s", why)
				continue
			}
			m.Stream = t
			continue
		}
		if why := b.unsupported(r.Type()); why != "" {
			fail("result %d: %s", i+1, why)
			continue
		}
		m.Results = append(m.Results, &Param{Name: fmt.Sprintf("r%d", i), Type: r.Type()})
	}
	if m.Kwargs {
		if len(m.Params) != 1 || !isStruct(m.Params[0].Type) {
			fail("kwargs=true needs exactly one struct parameter besides ctx (its exported fields travel as ArgumentsKw): merge the parameters into a struct")
		}
	}
	if !ok {
		return nil
	}
	return m
}

func paramName(v *types.Var, i int) string {
	if n := v.Name(); n != "" && n != "_" {
		return n
	}
	return fmt.Sprintf("arg%d", i)
}

func isStruct(t types.Type) bool {
	_, ok := types.Unalias(t).Underlying().(*types.Struct)
	return ok
}

// unsupported explains why t cannot travel as a WAMP payload value, or
// returns "".
func (b *builder) unsupported(t types.Type) string {
	return b.unsupportedIn(t, map[types.Type]bool{})
}

func (b *builder) unsupportedIn(t types.Type, seen map[types.Type]bool) string {
	t = types.Unalias(t)
	if seen[t] {
		return ""
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Basic:
		switch {
		case t.Kind() == types.UnsafePointer:
			return "unsafe.Pointer cannot travel in a WAMP payload"
		case t.Info()&types.IsComplex != 0:
			return fmt.Sprintf("%s has no WAMP representation: use two floats or a struct", t)
		case t.Kind() == types.Uintptr:
			return "uintptr cannot travel in a WAMP payload: use uint64"
		}
		return ""
	case *types.Named:
		obj := t.Obj()
		if obj.Pkg() != nil && obj.Pkg() != b.pkg.Types && !obj.Exported() {
			return fmt.Sprintf("type %s.%s is unexported in its package, so generated code cannot name it", obj.Pkg().Name(), obj.Name())
		}
		if obj.Pkg() == nil && obj.Name() == "error" {
			return "error values cannot travel as a payload value: return the error as the method's last result, or use a //wampgen:error type"
		}
		if isNamed(t, "time", "Time") {
			return ""
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
		if k, ok := types.Unalias(t.Key()).Underlying().(*types.Basic); !ok || k.Info()&types.IsString == 0 {
			return fmt.Sprintf("map key %s is not a string type: WAMP dictionaries (and JSON objects) have string keys", t.Key())
		}
		return b.unsupportedIn(t.Elem(), seen)
	case *types.Struct:
		for i := range t.NumFields() {
			f := t.Field(i)
			if !f.Exported() {
				continue // the codec skips unexported fields
			}
			if why := b.unsupportedIn(f.Type(), seen); why != "" {
				return fmt.Sprintf("field %s: %s", f.Name(), why)
			}
		}
		return ""
	case *types.Interface:
		if t.Empty() {
			return ""
		}
		return fmt.Sprintf("interface type %s cannot be decoded into: use a concrete type (or any)", t)
	case *types.Chan:
		return "channels cannot travel in a WAMP payload"
	case *types.Signature:
		return "functions cannot travel in a WAMP payload (a progress callback must be func(T) error and the last parameter)"
	case *types.TypeParam:
		return "type parameters are not supported"
	}
	return fmt.Sprintf("type %s is not supported", t)
}

func (b *builder) errorURI(d *directive, name string) (string, bool) {
	a, _ := d.arg("uri")
	if !b.checkURI(a.valuePos, "error uri", a.value, wamp.MatchExact) {
		return "", false
	}
	if first, dup := b.errURIs[a.value]; dup {
		b.errorf(a.valuePos, "error URI %q is already used by %s: each error needs its own URI", a.value, first)
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
		b.errorf(name.Pos(), "//wampgen:error on %s of type %s: a sentinel must have type error (var %s = errors.New(...))", name.Name, obj.Type(), name.Name)
		return
	}
	uri, ok := b.errorURI(d, name.Name)
	if !ok {
		return
	}
	f := b.file(spec.Pos())
	f.Errors = append(f.Errors, &ErrorDecl{Name: name.Name, URI: uri, Kind: SentinelError, Pos: b.fset.Position(name.Pos())})
}

func (b *builder) errorTypeDecl(spec *ast.TypeSpec, d *directive) {
	obj, _ := b.pkg.TypesInfo.Defs[spec.Name].(*types.TypeName)
	if obj == nil {
		return
	}
	if spec.TypeParams != nil {
		b.errorf(spec.Name.Pos(), "//wampgen:error on the generic type %s: error types must be concrete", spec.Name.Name)
		return
	}
	if !isStruct(obj.Type()) {
		b.errorf(spec.Name.Pos(), "//wampgen:error on %s, which is not a struct: an error type travels as its exported fields in ArgumentsKw, so it must be a struct", spec.Name.Name)
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
	if why := b.unsupported(obj.Type()); why != "" {
		b.errorf(spec.Name.Pos(), "//wampgen:error type %s: %s", spec.Name.Name, why)
		return
	}
	uri, ok := b.errorURI(d, spec.Name.Name)
	if !ok {
		return
	}
	e.URI = uri
	f := b.file(spec.Pos())
	f.Errors = append(f.Errors, e)
}
