package gen

import (
	"cmp"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// This file finds //wampgen:error declarations that give one Go error two
// URIs: a sentinel declared as a copy of another (var ErrGone = v1.ErrGone)
// or an error type declared as an alias (type NotFound = v1.NotFound),
// annotated with a URI other than the one the original is annotated with.
// The runtime maps a Go error to one URI only, so the generated init
// function would stop the program at start-up; wampgen says so instead.

// errorIdentity is one //wampgen:error declaration and the Go error it
// registers: the variable whose value it is, or the named type it stands
// for.
type errorIdentity struct {
	target types.Object // the variable or type name registered
	name   string       // the annotated declaration
	pos    token.Pos    // of its name
	uri    string
	copied bool // the declaration is a copy or an alias of target
}

// sentinelTarget returns the package-level variable whose value the
// sentinel obj, declared by spec, holds when its initializer names one
// (var ErrGone = ErrOld, or v1.ErrGone), and obj itself otherwise.
func (b *builder) sentinelTarget(obj *types.Var, spec *ast.ValueSpec) (types.Object, bool) {
	if len(spec.Values) != 1 {
		return obj, false
	}
	var id *ast.Ident
	switch x := ast.Unparen(spec.Values[0]).(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		id = x.Sel
	default:
		return obj, false
	}
	v, ok := b.pkg.TypesInfo.Uses[id].(*types.Var)
	if !ok || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() {
		return obj, false
	}
	return v, true
}

// typeTarget returns the named type the error type obj stands for: itself,
// or what it is an alias of.
func typeTarget(obj *types.TypeName) (types.Object, bool) {
	if n, ok := types.Unalias(obj.Type()).(*types.Named); ok && n.Obj() != obj {
		return n.Obj(), true
	}
	return obj, false
}

// checkErrorIdentities reports the declarations among ids that give a Go
// error a URI other than the one it already has: from its own annotation
// in this package, from the annotation of its declaration in another
// package, or from an earlier copy.
func (b *builder) checkErrorIdentities(ids []errorIdentity) {
	byTarget := map[types.Object][]errorIdentity{}
	var targets []types.Object
	for _, id := range ids {
		if _, seen := byTarget[id.target]; !seen {
			targets = append(targets, id.target)
		}
		byTarget[id.target] = append(byTarget[id.target], id)
	}
	foreign := map[string]*ast.File{} // parsed source files of other packages
	for _, t := range targets {
		group := byTarget[t]
		if !slices.ContainsFunc(group, func(id errorIdentity) bool { return id.copied }) {
			continue
		}
		// The URI the Go error already has: its own declaration's, here
		// or in its package, else the first copy's.
		first, from := "", ""
		for _, id := range group {
			if !id.copied {
				first, from = id.uri, id.name
			}
		}
		if first == "" && t.Pkg() != b.pkg.Types {
			if uri := b.foreignErrorURI(t, foreign); uri != "" {
				first, from = uri, b.objectName(t)
			}
		}
		slices.SortFunc(group, func(x, y errorIdentity) int { return cmp.Compare(x.pos, y.pos) })
		for _, id := range group {
			if first == "" {
				first, from = id.uri, id.name
				continue
			}
			if !id.copied || id.uri == first {
				continue
			}
			what := "the same error value as"
			fix := "declare a new error for the new URI (errors.New)"
			if _, isType := t.(*types.TypeName); isType {
				what, fix = "an alias of", "declare a type of its own for the new URI"
			}
			by := ""
			if from != b.objectName(t) {
				by = " by " + from
			}
			b.errorf(id.pos, "//wampgen:error on %s, which is %s %s, already mapped to %q%s: a Go error maps to one URI, so registering it as %q too would stop the program at start-up: give it uri=%s, or %s", id.name, what, b.objectName(t), first, by, id.uri, first, fix)
		}
	}
}

// objectName spells obj as the package being generated refers to it.
func (b *builder) objectName(obj types.Object) string {
	if obj.Pkg() == nil || obj.Pkg() == b.pkg.Types {
		return obj.Name()
	}
	return obj.Pkg().Name() + "." + obj.Name()
}

// foreignErrorURI returns the uri= of the //wampgen:error directive on the
// declaration of obj, in another package's source file, or "" when it has
// none or its source cannot be read (then that package cannot have
// generated a registration that conflicts, or wampgen cannot tell).
func (b *builder) foreignErrorURI(obj types.Object, parsed map[string]*ast.File) string {
	filename := b.fset.Position(obj.Pos()).Filename
	if filename == "" {
		return ""
	}
	f, ok := parsed[filename]
	if !ok {
		f, _ = parser.ParseFile(token.NewFileSet(), filename, nil, parser.ParseComments|parser.SkipObjectResolution)
		parsed[filename] = f
	}
	if f == nil {
		return ""
	}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gd.Specs {
			var doc *ast.CommentGroup
			switch spec := spec.(type) {
			case *ast.TypeSpec:
				if spec.Name.Name != obj.Name() {
					continue
				}
				doc = spec.Doc
			case *ast.ValueSpec:
				if len(spec.Names) != 1 || spec.Names[0].Name != obj.Name() {
					continue
				}
				doc = spec.Doc
			default:
				continue
			}
			if doc == nil && !gd.Lparen.IsValid() {
				doc = gd.Doc
			}
			return errorDirectiveURI(doc)
		}
	}
	return ""
}

// errorDirectiveURI returns the uri= of a //wampgen:error directive in doc.
func errorDirectiveURI(doc *ast.CommentGroup) string {
	if doc == nil {
		return ""
	}
	for _, c := range doc.List {
		rest, ok := strings.CutPrefix(c.Text, "//wampgen:error")
		if !ok || rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			continue
		}
		for _, field := range strings.Fields(rest) {
			if uri, ok := strings.CutPrefix(field, "uri="); ok {
				return uri
			}
		}
	}
	return ""
}
