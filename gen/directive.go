package gen

import (
	"fmt"
	"go/ast"
	"go/token"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// directive is one //wampgen:NAME key=value ... comment.
type directive struct {
	name string
	pos  token.Pos
	args []directiveArg // the arguments that parsed
	used bool
	// broken is set when some arguments did not parse (each is reported):
	// the declaration is still checked with the arguments that did, but
	// nothing is concluded from a missing argument.
	broken bool
}

type directiveArg struct {
	key, value string
	pos        token.Pos // of the key
	valuePos   token.Pos
}

// directiveSpec lists the keys a directive accepts and, for keys with a
// closed set of values, those values.
type directiveSpec struct {
	keys     []string
	required []string
	values   map[string][]string
	attaches string // what the directive belongs on, for messages
}

var directiveSpecs = map[string]directiveSpec{
	"service": {
		keys:     []string{"prefix"},
		attaches: "an interface type declaration",
	},
	"procedure": {
		keys: []string{"uri", "match", "invoke", "disclose_caller", "cancel", "kwargs"},
		values: map[string][]string{
			"match":           spellings(matchPolicies),
			"invoke":          spellings(invokePolicies),
			"disclose_caller": {"true", "false"},
			"cancel":          spellings(cancelModes),
			"kwargs":          {"true", "false"},
		},
		attaches: "a method of a //wampgen:service interface",
	},
	"topics": {
		keys:     []string{"prefix"},
		attaches: "an interface type declaration",
	},
	"topic": {
		keys: []string{"uri", "match", "kwargs", "acknowledge", "exclude_me", "disclose_publisher"},
		values: map[string][]string{
			"match":              spellings(matchPolicies),
			"kwargs":             {"true", "false"},
			"acknowledge":        {"true", "false"},
			"exclude_me":         {"true", "false"},
			"disclose_publisher": {"true", "false"},
		},
		attaches: "a method of a //wampgen:topics interface",
	},
	"typescript": {
		keys:     []string{"dir"},
		attaches: "the package (a file's package doc comment, or a comment group of its own)",
	},
	"error": {
		keys:     []string{"uri"},
		required: []string{"uri"},
		attaches: "a package-level error variable or an error type declaration",
	},
}

// directiveNames lists the directive names, sorted, for messages.
func directiveNames() string {
	var names []string
	for n := range directiveSpecs {
		names = append(names, "//wampgen:"+n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// directives holds every //wampgen: comment of a package, by comment group.
type directives struct {
	byGroup map[*ast.CommentGroup][]*directive
	all     []*directive
	// troubled marks comment groups holding a wampgen directive that could
	// not be read at all (malformed or unknown): the declaration it was
	// meant for is not reported again for lacking one.
	troubled map[*ast.CommentGroup]bool
}

// malformedPrefixes are comment openings that look like a wampgen
// directive meant as one but are not Go directive syntax.
var malformedPrefixes = []string{"//", "/*"}

// looksLikeDirective reports whether a comment that is not a //wampgen:
// directive was meant as one: "// wampgen:service", "/*wampgen:service*/".
func looksLikeDirective(text string) bool {
	for _, p := range malformedPrefixes {
		if rest, ok := strings.CutPrefix(text, p); ok && strings.HasPrefix(strings.TrimSpace(rest), "wampgen:") {
			return true
		}
	}
	return false
}

// scanDirectives reads the raw comments of files (CommentGroup.Text drops
// directives, so it reads the comment list) and checks each directive's
// syntax against its spec.
func scanDirectives(d *diagnoser, files []*ast.File) *directives {
	ds := &directives{byGroup: map[*ast.CommentGroup][]*directive{}, troubled: map[*ast.CommentGroup]bool{}}
	for _, f := range files {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if !strings.HasPrefix(c.Text, "//wampgen:") {
					if looksLikeDirective(c.Text) {
						d.errorf(c.Slash, "malformed directive %q: a directive is a line comment with no space after the slashes: write //wampgen:NAME key=value ... (rule: Go directive syntax)", firstLine(c.Text))
						ds.troubled[cg] = true
					}
					continue
				}
				pd, ok := ast.ParseDirective(c.Slash, c.Text)
				if !ok {
					d.errorf(c.Slash, "malformed directive %q: write //wampgen:NAME key=value ... (known names: %s)", c.Text, directiveNames())
					ds.troubled[cg] = true
					continue
				}
				spec, known := directiveSpecs[pd.Name]
				if !known {
					d.errorf(c.Slash, "unknown directive //wampgen:%s%s (known: %s)", pd.Name, didYouMean(pd.Name, directiveList(), "//wampgen:"), directiveNames())
					ds.troubled[cg] = true
					continue
				}
				dir := &directive{name: pd.Name, pos: c.Slash}
				dir.broken = !parseDirectiveArgs(d, &pd, spec, dir)
				ds.byGroup[cg] = append(ds.byGroup[cg], dir)
				ds.all = append(ds.all, dir)
			}
		}
	}
	return ds
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func directiveList() []string {
	var names []string
	for n := range directiveSpecs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// didYouMean returns ", did you mean PREFIX+option?" for the option closest
// to word (at most two edits away, or a prefix of it), or "".
func didYouMean(word string, options []string, prefix string) string {
	best, bestDist := "", 3
	for _, o := range options {
		d := editDistance(strings.ToLower(word), o)
		if len(word) >= 3 && strings.HasPrefix(o, strings.ToLower(word)) {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = o, d
		}
	}
	if best == "" {
		return ""
	}
	return ", did you mean " + prefix + best + "?"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func parseDirectiveArgs(d *diagnoser, pd *ast.Directive, spec directiveSpec, dir *directive) bool {
	args, err := pd.ParseArgs()
	if err != nil {
		d.errorf(pd.ArgsPos, "//wampgen:%s: %v: arguments are space-separated key=value words, a whole argument may be quoted (\"key=value\") (for example %s)", pd.Name, err, example(pd.Name))
		return false
	}
	ok := true
	seen := map[string]bool{}
	for _, a := range args {
		key, value, hasEq := strings.Cut(a.Arg, "=")
		if !hasEq || key == "" {
			d.errorf(a.Pos, "//wampgen:%s: argument %q is not key=value (allowed keys: %s; for example %s)", pd.Name, a.Arg, strings.Join(spec.keys, ", "), example(pd.Name))
			ok = false
			continue
		}
		if !slices.Contains(spec.keys, key) {
			d.errorf(a.Pos, "//wampgen:%s: unknown key %q%s (allowed keys: %s)", pd.Name, key, didYouMean(key, spec.keys, ""), strings.Join(spec.keys, ", "))
			ok = false
			continue
		}
		if seen[key] {
			d.errorf(a.Pos, "//wampgen:%s: duplicate key %q: give each key once", pd.Name, key)
			ok = false
			continue
		}
		seen[key] = true
		valuePos := a.Pos + token.Pos(len(key)+1)
		if off := int(a.Pos - pd.ArgsPos); off < len(pd.Args) && (pd.Args[off] == '"' || pd.Args[off] == '`') {
			valuePos++ // a quoted argument: its text starts after the quote
		}
		if strings.HasPrefix(value, `"`) || strings.HasPrefix(value, "`") {
			d.errorf(valuePos, "//wampgen:%s: the value of %s= is quoted on its own: quote the whole argument, as in \"%s=...\", or, as values seldom need quotes, none of it", pd.Name, key, key)
			ok = false
			continue
		}
		if allowed := spec.values[key]; allowed != nil && !slices.Contains(allowed, value) {
			d.errorf(valuePos, "//wampgen:%s: %s=%q is not allowed (allowed values: %s)", pd.Name, key, value, strings.Join(allowed, ", "))
			ok = false
			continue
		}
		if value == "" {
			d.errorf(valuePos, "//wampgen:%s: %s= has an empty value: give it one or leave the key out", pd.Name, key)
			ok = false
			continue
		}
		dir.args = append(dir.args, directiveArg{key: key, value: value, pos: a.Pos, valuePos: valuePos})
	}
	for _, r := range spec.required {
		if !seen[r] {
			d.errorf(pd.Slash, "//wampgen:%s needs %s=... (for example %s)", pd.Name, r, example(pd.Name))
			ok = false
		}
	}
	return ok
}

func example(name string) string {
	switch name {
	case "error":
		return "//wampgen:error uri=com.example.error.not_found"
	case "service":
		return "//wampgen:service prefix=com.example.calc"
	case "topics":
		return "//wampgen:topics prefix=com.example.calc"
	case "topic":
		return "//wampgen:topic uri=com.example.calc.computed"
	case "typescript":
		return "//wampgen:typescript dir=web/gen"
	}
	return "//wampgen:procedure uri=com.example.calc.add"
}

// take returns the directives named name attached to the comment groups,
// marking them used; a second one of the same name is a diagnostic.
func (ds *directives) take(d *diagnoser, name string, groups ...*ast.CommentGroup) *directive {
	var found *directive
	for _, g := range groups {
		if g == nil {
			continue
		}
		for _, dir := range ds.byGroup[g] {
			if dir.name != name || dir.used {
				continue
			}
			dir.used = true
			if found != nil {
				d.errorf(dir.pos, "second //wampgen:%s on the same declaration: merge them into one", name)
				continue
			}
			found = dir
		}
	}
	return found
}

// reportUnused reports directives that belong on nothing they were found on.
func (ds *directives) reportUnused(d *diagnoser) {
	for _, dir := range ds.all {
		if !dir.used {
			d.errorf(dir.pos, "//wampgen:%s is not attached to %s: move it into that declaration's doc comment", dir.name, directiveSpecs[dir.name].attaches)
		}
	}
}

func (dir *directive) arg(key string) (directiveArg, bool) {
	for _, a := range dir.args {
		if a.key == key {
			return a, true
		}
	}
	return directiveArg{}, false
}

func (a directiveArg) String() string { return fmt.Sprintf("%s=%s", a.key, a.value) }

// typescriptDirective reads the package's //wampgen:typescript directive:
// at most one in the package, in a comment group that documents no
// declaration (a file's package doc comment, or a group of its own).
func (b *builder) typescriptDirective(files []*ast.File) *TypeScriptOutput {
	declDocs := map[*ast.CommentGroup]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GenDecl:
				declDocs[n.Doc] = true
			case *ast.FuncDecl:
				declDocs[n.Doc] = true
			case *ast.TypeSpec:
				declDocs[n.Doc], declDocs[n.Comment] = true, true
			case *ast.ValueSpec:
				declDocs[n.Doc], declDocs[n.Comment] = true, true
			case *ast.Field:
				declDocs[n.Doc], declDocs[n.Comment] = true, true
			}
			return true
		})
	}
	type found struct {
		d    *directive
		decl bool
	}
	var all []found
	for g, ds := range b.dirs.byGroup {
		for _, d := range ds {
			if d.name == "typescript" && !d.used {
				d.used = true
				all = append(all, found{d, declDocs[g]})
			}
		}
	}
	slices.SortFunc(all, func(x, y found) int { return int(x.d.pos - y.d.pos) })
	var out *TypeScriptOutput
	for _, f := range all {
		d := f.d
		if f.decl {
			b.errorf(d.pos, "//wampgen:typescript is in the doc comment of a declaration, but it applies to the whole package: put it in the package doc comment of a file or in a comment group of its own")
			continue
		}
		dir := "."
		if a, ok := d.arg("dir"); ok {
			dir = a.value
			if strings.Contains(dir, "\\") || path.IsAbs(dir) || filepath.IsAbs(dir) || filepath.VolumeName(dir) != "" {
				b.errorf(a.valuePos, "//wampgen:typescript: dir=%s is not a relative slash-separated path: name the directory relative to the package's, as in dir=web/gen", dir)
				continue
			}
		} else if d.broken {
			continue // reported
		}
		if out != nil {
			b.errorf(d.pos, "second //wampgen:typescript in package %s (the first is at %s): a package has one TypeScript module: keep one directive", b.pkg.Name, shortPos(out.Pos))
			continue
		}
		out = &TypeScriptOutput{Dir: path.Clean(dir), Pos: b.fset.Position(d.pos)}
	}
	return out
}
