package gen

// The names of the generated TypeScript module, made in one place and
// checked for clashes in one place (checkNames). The rules:
//
//   - a Go method is a lowerCamel TypeScript method: its leading capitals
//     are lowered as one word (Add → add, ReverseBytes → reverseBytes,
//     HTTPStatus → httpStatus, ID → id, URLs → urls, GetID → getID, whose
//     inner acronym stays);
//   - parameters keep their Go names, with a _ appended to a reserved word
//     of TypeScript (JavaScript's strict mode included) and to the names
//     the generated functions use themselves (w, options, inv, event, …);
//   - Go types keep their names, and a struct's schema is NameSchema;
//   - a service S gives the interface S, the class SClient, the function
//     registerS and the constants SProcedures and S$ (its specs; $ cannot
//     appear in a Go name); a topics interface T gives T, TPublisher,
//     subscribeT, subscribeT<Method>, TTopics and T$;
//   - an error sentinel ErrDivByZero is the class DivByZeroError (Err is
//     dropped, Error appended unless the name ends with it), an error type
//     keeps its name; the module's registry of error classes is errors.
//
// Two Go declarations that would give one TypeScript name are a
// diagnostic.

import (
	"fmt"
	"go/token"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tsNames struct {
	procedures, specs, client, register string
}

func tsServiceNames(s string) tsNames {
	return tsNames{procedures: s + "Procedures", specs: s + "$", client: s + "Client", register: "register" + exported(s)}
}

type tsTopicNames struct {
	topics, specs, publisher, subscribe string
}

func tsTopicsNames(t string) tsTopicNames {
	return tsTopicNames{topics: t + "Topics", specs: t + "$", publisher: t + "Publisher", subscribe: "subscribe" + exported(t)}
}

// tsMethodName is the lowerCamel name of a Go method (see the rules above).
func tsMethodName(name string) string {
	rs := []rune(name)
	n := 0 // the leading capitals (and digits after the first)
	for n < len(rs) && (unicode.IsUpper(rs[n]) || (n > 0 && unicode.IsDigit(rs[n]))) {
		n++
	}
	switch {
	case n == 0:
		return name
	case n == len(rs) || n == 1:
		// All capitals (ID → id), or one (Add → add).
	case rs[n] == 's' && (n+1 == len(rs) || !unicode.IsLower(rs[n+1])):
		// An acronym's plural: URLs → urls, IDsFor → idsFor.
	case unicode.IsLower(rs[n]):
		n-- // the last capital starts the next word: HTTPStatus → http|Status
	}
	for i := range n {
		rs[i] = unicode.ToLower(rs[i])
	}
	return string(rs)
}

// tsErrorClass is the class name of a //wampgen:error declaration.
func tsErrorClass(e *ErrorDecl) string {
	if e.Kind == TypeError {
		return e.Name
	}
	name := e.Name
	for _, p := range []string{"Err", "err"} {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" {
			if r, _ := utf8.DecodeRuneInString(strings.TrimLeft(rest, "_")); unicode.IsUpper(r) {
				name = strings.TrimLeft(rest, "_")
			}
		}
	}
	name = exported(name)
	if !strings.HasSuffix(name, "Error") {
		name += "Error"
	}
	return name
}

// tsReservedWords are TypeScript's and strict JavaScript's reserved words,
// which a parameter may not be named.
var tsReservedWords = map[string]bool{}

// tsLocals are the names the generated functions use besides the
// parameters: the module's import, the trailing parameters, the registry.
var tsLocals = []string{"w", "options", "inv", "event", "peer", "impl", "args", "fn", "errors", "subs", "s"}

// tsReservedType are names a Go type may not have in the module: the
// TypeScript types the module uses, and its namespace import.
var tsReservedType = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`break case catch class const continue debugger default delete do else
		enum export extends false finally for function if import in instanceof new null return super switch
		this throw true try typeof var void while with implements interface let package private protected
		public static yield await arguments eval as any boolean constructor declare get module require
		number set string symbol type from of unknown never bigint object undefined async satisfies keyof readonly`) {
		tsReservedWords[w] = true
	}
	for _, t := range strings.Fields(`w any unknown never void null undefined number bigint boolean string
		symbol object Array Record Promise Iterable AsyncIterable Uint8Array Error Object String Number
		Boolean BigInt Symbol Function Date Map Set AbortSignal`) {
		tsReservedType[t] = true
	}
}

// tsParamNames returns the TypeScript names of a method's parameters: the
// Go names, made safe (see the rules above) and unique.
func tsParamNames(params []*Param) []string {
	taken := map[string]bool{}
	for _, l := range tsLocals {
		taken[l] = true
	}
	for _, p := range params {
		if !tsReservedWords[p.Name] {
			taken[p.Name] = true
		}
	}
	out := make([]string, len(params))
	for i, p := range params {
		name := p.Name
		if tsReservedWords[name] || slices.Contains(tsLocals, name) {
			for name += "_"; taken[name]; name += "_" {
			}
			taken[name] = true
		}
		out[i] = name
	}
	return out
}

// tsIdentifier reports whether s is a TypeScript identifier (ASCII
// letters, digits, _ and $; other names are quoted).
func tsIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r == '$' || r < utf8.RuneSelf && unicode.IsLetter(r) || i > 0 && r < utf8.RuneSelf && unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// tsKey is a property key: s itself when it is an identifier, else quoted.
func tsKey(s string) string {
	if tsIdentifier(s) && s != "__proto__" {
		return s
	}
	return tsQuote(s)
}

// tsQuote is a single-quoted TypeScript string literal of s.
func tsQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 || r == utf8.RuneError {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// jsdoc renders text as a JSDoc comment at indent, or nothing for an
// empty text; "*/" in the text is escaped so that it cannot end the
// comment.
func jsdoc(indent, text string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return ""
	}
	text = strings.ReplaceAll(text, "*/", `*\/`)
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		// Generated sentences are one line; Go's doc comments keep their
		// own line breaks, and a long line of code or a URL stays whole.
		if len(l) > 100 && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t") {
			lines = append(lines, wrap(l, 80)...)
		} else {
			lines = append(lines, l)
		}
	}
	if len(lines) == 1 {
		return indent + "/** " + lines[0] + " */\n"
	}
	var b strings.Builder
	b.WriteString(indent + "/**\n")
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			b.WriteString(indent + " *\n")
		} else {
			b.WriteString(indent + " * " + l + "\n")
		}
	}
	b.WriteString(indent + " */\n")
	return b.String()
}

// checkNames reports two Go declarations that would give one name in the
// module, and methods whose TypeScript names clash within their class.
func (tb *tsBuilder) checkNames(v *tsView) {
	type use struct {
		what string
		pos  token.Position
	}
	declared := map[string]use{}
	declare := func(name, what string, pos token.Position) {
		if tsReservedWords[name] || tsReservedType[name] {
			tb.errorf(pos, "%s would be the TypeScript name %s, a reserved word or built-in type of TypeScript (rule: generated TypeScript names keep the Go names): rename it", what, name)
			return
		}
		if first, dup := declared[name]; dup {
			tb.errorf(pos, "%s would be the TypeScript name %s, which %s has already (rule: each name in the TypeScript module is declared once): rename one of them", what, name, first.what)
			return
		}
		declared[name] = use{what, pos}
	}
	declared["w"] = use{what: "the module's import of wampgen.ts"}
	declared["errors"] = use{what: "the module's registry of error classes"}
	for _, t := range v.Types {
		obj := tb.byName[t.Name]
		pos := tb.b.fset.Position(obj.Pos())
		if obj.Pkg() != tb.b.pkg.Types {
			pos = token.Position{}
		}
		declare(t.Name, "type "+qualifiedName(obj), pos)
		if t.Struct {
			declare(t.Schema, "the schema of type "+qualifiedName(obj), pos)
		}
	}
	pkg := tb.b.pkg.Types
	for _, f := range tb.p.Files {
		for _, s := range f.Services {
			n := tsServiceNames(s.Name)
			for _, name := range []string{s.Name, n.procedures, n.specs, n.client, n.register} {
				declare(name, "service "+s.Name, s.Pos)
			}
			tb.checkMembers("service "+s.Name, s.Methods, tsClassMembers)
		}
		for _, t := range f.Topics {
			n := tsTopicsNames(t.Name)
			for _, name := range []string{t.Name, n.topics, n.specs, n.publisher, n.subscribe} {
				declare(name, "topics interface "+t.Name, t.Pos)
			}
			for _, m := range t.Methods {
				declare(n.subscribe+exported(m.Name), "topics interface "+t.Name, m.Pos)
			}
			tb.checkMembers("topics interface "+t.Name, t.Methods, tsClassMembers)
		}
		for _, e := range f.Errors {
			class := tsErrorClass(e)
			what := "error " + e.Name
			if obj, ok := declared[class]; ok && e.Kind == TypeError && obj.what == "type "+pkg.Path()+"."+e.Name {
				tb.errorf(e.Pos, "error type %s travels as a value too, and would be both a TypeScript interface and the exception class %s (rule: an error type is an exception class in TypeScript): declare a separate struct for the value", e.Name, class)
				continue
			}
			declare(class, what, e.Pos)
			if e.Kind == TypeError {
				declare(class+"$fields", what, e.Pos)
			}
		}
	}
}

// tsClassMembers are the names a method of a generated class (client,
// publisher) may not have: the class's own members, then, which would
// make every client a thenable that await calls (returning a client from
// an async function would make a WAMP call), and the members JavaScript
// calls on any object by itself (tsImplicitMembers).
var tsClassMembers = append([]string{"peer", "constructor", "then"}, tsImplicitMembers...)

// tsImplicitMembers are the methods JavaScript calls on an object without
// being asked: JSON.stringify calls toJSON, String() and template literals
// toString, arithmetic and comparison valueOf, a list's toLocaleString its
// elements'. A client method of that name would make a WAMP call whenever
// the client is logged or printed; an error class's field of that name
// (a value, not a function) would make printing the error throw.
var tsImplicitMembers = []string{"toJSON", "toString", "valueOf", "toLocaleString"}

// checkMembers reports methods whose TypeScript names clash with each
// other or with the members the generated classes have.
func (tb *tsBuilder) checkMembers(owner string, methods []*Method, members []string) {
	seen := map[string]string{}
	for _, m := range methods {
		name := tsMethodName(m.Name)
		if slices.Contains(members, name) {
			why := "which the generated classes have already"
			switch {
			case name == "then":
				why = "which would make the generated class a thenable: await (and an async function returning it) would call it"
			case slices.Contains(tsImplicitMembers, name):
				why = "which JavaScript calls on any object by itself (JSON.stringify calls toJSON, String() toString, arithmetic valueOf): logging or printing a client would make the call"
			}
			tb.errorf(m.Pos, "method %s.%s would be the TypeScript method %s, %s (rule: a Go method is its lowerCamel name in TypeScript): rename the method", strings.TrimPrefix(strings.TrimPrefix(owner, "service "), "topics interface "), m.Name, name, why)
			continue
		}
		if first, dup := seen[name]; dup {
			tb.errorf(m.Pos, "methods %s and %s of %s would both be the TypeScript method %s (rule: a Go method is its lowerCamel name in TypeScript, leading acronyms lowered): rename one of them", first, m.Name, owner, name)
			continue
		}
		seen[name] = m.Name
	}
}
