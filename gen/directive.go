package gen

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strings"
)

// directive is one //wampgen:NAME key=value ... comment.
type directive struct {
	name string
	pos  token.Pos
	args []directiveArg
	used bool
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
			"match":           {"exact", "prefix", "wildcard"},
			"invoke":          {"single", "roundrobin", "random", "first", "last"},
			"disclose_caller": {"true", "false"},
			"cancel":          {"skip", "kill", "killnowait"},
			"kwargs":          {"true", "false"},
		},
		attaches: "a method of a //wampgen:service interface",
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
}

// scanDirectives reads the raw comments of files (CommentGroup.Text drops
// directives, so it reads the comment list) and checks each directive's
// syntax against its spec.
func scanDirectives(d *diagnoser, files []*ast.File) *directives {
	ds := &directives{byGroup: map[*ast.CommentGroup][]*directive{}}
	for _, f := range files {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if !strings.HasPrefix(c.Text, "//wampgen:") {
					if strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(c.Text, "//")), "wampgen:") {
						d.errorf(c.Slash, "malformed directive %q: write it as //wampgen:NAME with no space after // (rule: Go directive syntax)", c.Text)
					}
					continue
				}
				pd, ok := ast.ParseDirective(c.Slash, c.Text)
				if !ok {
					d.errorf(c.Slash, "malformed directive %q: expected //wampgen:NAME key=value ...", c.Text)
					continue
				}
				spec, known := directiveSpecs[pd.Name]
				if !known {
					d.errorf(c.Slash, "unknown directive //wampgen:%s (known: %s)", pd.Name, directiveNames())
					continue
				}
				dir := &directive{name: pd.Name, pos: c.Slash}
				if parseDirectiveArgs(d, &pd, spec, dir) {
					ds.byGroup[cg] = append(ds.byGroup[cg], dir)
					ds.all = append(ds.all, dir)
				}
			}
		}
	}
	return ds
}

func parseDirectiveArgs(d *diagnoser, pd *ast.Directive, spec directiveSpec, dir *directive) bool {
	args, err := pd.ParseArgs()
	if err != nil {
		d.errorf(pd.ArgsPos, "//wampgen:%s: %v (arguments are key=value words)", pd.Name, err)
		return false
	}
	ok := true
	seen := map[string]bool{}
	for _, a := range args {
		key, value, hasEq := strings.Cut(a.Arg, "=")
		if !hasEq || key == "" {
			d.errorf(a.Pos, "//wampgen:%s: argument %q is not key=value (allowed keys: %s)", pd.Name, a.Arg, strings.Join(spec.keys, ", "))
			ok = false
			continue
		}
		if !slices.Contains(spec.keys, key) {
			d.errorf(a.Pos, "//wampgen:%s: unknown key %q (allowed keys: %s)", pd.Name, key, strings.Join(spec.keys, ", "))
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
		if allowed := spec.values[key]; allowed != nil && !slices.Contains(allowed, value) {
			d.errorf(valuePos, "//wampgen:%s: %s=%q is not allowed (allowed values: %s)", pd.Name, key, value, strings.Join(allowed, ", "))
			ok = false
			continue
		}
		if value == "" {
			d.errorf(valuePos, "//wampgen:%s: %s has an empty value", pd.Name, key)
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
