package gen

import (
	"go/token"
	"go/types"
	"strings"
	"unicode"
)

// Package is the model of one Go package: what the emitter reads.
type Package struct {
	Name  string // package name
	Path  string // import path
	Dir   string // directory of the source files
	Files []*File
	// Scope lists the package-level identifiers, so emitted code can avoid
	// them.
	Scope map[string]bool
	// TypeScript is the package's //wampgen:typescript directive, nil
	// without one.
	TypeScript *TypeScriptOutput
}

// TypeScriptOutput is where a package's TypeScript module goes, as its
// //wampgen:typescript directive says.
type TypeScriptOutput struct {
	Dir string // slash-separated, relative to the package directory
	Pos token.Position
}

// File is one source file that declares services or errors; one output
// file is generated for it.
type File struct {
	Source string // base name, for example "calc.go"
	Output string // base name of the generated file, "calc_wamp.go"
	// Build is the source's build constraint as a //go:build expression
	// ("" if none), which the output carries too.
	Build    string
	Services []*Service
	Topics   []*Topics
	Errors   []*ErrorDecl
}

// declared lists the package-level identifiers generated for the file's
// services and topics interfaces.
func (f *File) declared() []string {
	var out []string
	for _, s := range f.Services {
		out = append(out, serviceNames(s.Name).declared(s)...)
	}
	for _, t := range f.Topics {
		out = append(out, topicsNamesOf(t.Name).declared(t)...)
	}
	return out
}

// Service is an interface annotated with //wampgen:service.
type Service struct {
	Name    string
	Prefix  string
	Pos     token.Position
	Methods []*Method
}

// Topics is an interface annotated with //wampgen:topics: each method is a
// topic, whose parameters are its event's payload.
type Topics struct {
	Name    string
	Prefix  string
	Pos     token.Position
	Methods []*Method
}

// Method is one procedure of a service, or one topic of a topics
// interface (which has no Invoke, DiscloseCaller, Cancel, Progress, Input,
// Results or Stream).
type Method struct {
	Name string
	URI  string
	Pos  token.Position

	Match          MatchPolicy  // "" (exact) or one of policy.go's
	Invoke         InvokePolicy // "" (the dealer's default) or one of policy.go's
	DiscloseCaller bool
	Cancel         CancelMode // "" (the runtime's default) or one of policy.go's
	Kwargs         bool       // Params holds one struct travelling as ArgumentsKw

	// The options of a topic's publications.
	Acknowledge       bool  // wait for PUBLISHED; the method's error reports a refusal
	ExcludeMe         *bool // nil: not sent (WAMP's default, true)
	DisclosePublisher bool  // PUBLISH.Options.disclose_me

	Ctx      string   // name of the context parameter
	Params   []*Param // positional (or the one kwargs struct), ctx and progress excluded
	Progress *Param   // progress func(T) error parameter; Type is T
	// Input is the streamed input, a parameter iter.Seq[T] (Type is T): the
	// method's only parameter besides ctx, each item travelling as one
	// chunk of a progressive call. Nil for a method without one.
	Input *Param
	// Results are the positional results, the error excluded. Their Name
	// is the one the interface gives them, "" when it gives none or _.
	Results []*Param
	Stream  types.Type
	// StreamName and ErrName are the interface's names of the stream
	// result and of the error result ("" when unnamed or _).
	StreamName, ErrName string
}

// NamedResults reports whether the interface names the method's results,
// which the generated signatures then keep.
func (m *Method) NamedResults() bool {
	if m.ErrName != "" || m.StreamName != "" {
		return true
	}
	for _, r := range m.Results {
		if r.Name != "" {
			return true
		}
	}
	return false
}

// Param is a parameter or result with the name the emitter uses for it.
type Param struct {
	Name string
	Type types.Type
}

// ErrorKind tells a sentinel error variable from an error type.
type ErrorKind int

// The kinds of //wampgen:error declarations.
const (
	SentinelError ErrorKind = iota
	TypeError
)

// ErrorDecl is a //wampgen:error declaration.
type ErrorDecl struct {
	Name    string
	URI     string
	Kind    ErrorKind
	Pointer bool // for TypeError: *T, not T, implements error
	Pos     token.Position
}

// OutputName returns the generated file name for a source file name:
// "calc.go" → "calc_wamp.go". A GOOS or GOARCH suffix stays at the end, so
// that the output is built on the same systems as its source:
// "calc_linux.go" → "calc_wamp_linux.go", "calc_linux_arm64.go" →
// "calc_wamp_linux_arm64.go".
func OutputName(source string) string {
	stem, suffix := splitGOOSSuffix(strings.TrimSuffix(source, ".go"))
	return stem + "_wamp" + suffix + ".go"
}

// snakeCase turns a Go method name into a URI component: Add → add,
// ReverseBytes → reverse_bytes, WhoAmI → who_am_i, HTTPStatus →
// http_status, GetID → get_id, Sqrt2 → sqrt2, and an acronym's plural
// stays one word: URLs → urls, GetIDsByName → get_ids_by_name.
func snakeCase(name string) string {
	rs := []rune(name)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				// The last capital of an acronym followed by a lone "s"
				// (URLs, IDsFor) ends the acronym's plural.
				plural := nextLower && rs[i+1] == 's' && (i+2 == len(rs) || !unicode.IsLower(rs[i+2]))
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower && !plural) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// names derives every identifier the emitter declares for a service, so
// they are made in one place (and checked for clashes in one place).
type names struct {
	Service       string
	Client        string
	NewClient     string
	Unimplemented string
	Register      string
}

func serviceNames(s string) names {
	return names{
		Service:       s,
		Client:        s + "Client",
		NewClient:     "New" + s + "Client",
		Unimplemented: "Unimplemented" + s,
		Register:      "Register" + s,
	}
}

// ProcedureConst is the constant holding a method's URI:
// CalculatorAddProcedure.
func (n names) ProcedureConst(method string) string {
	return n.Service + exported(method) + "Procedure"
}

// Handler is the unexported function that adapts a method to a
// runtime.Handler: calculatorAddHandler.
func (n names) Handler(method string) string {
	return lowerFirst(n.Service) + exported(method) + "Handler"
}

// declared lists the package-level identifiers generated for the service.
func (n names) declared(s *Service) []string {
	out := []string{n.Client, n.NewClient, n.Unimplemented, n.Register}
	for _, m := range s.Methods {
		out = append(out, n.ProcedureConst(m.Name))
	}
	for _, m := range s.Methods {
		out = append(out, n.Handler(m.Name))
	}
	return out
}

// topicsNames derives every identifier the emitter declares for a topics
// interface.
type topicsNames struct {
	Topics       string
	Publisher    string
	NewPublisher string
	Subscribe    string
}

func topicsNamesOf(t string) topicsNames {
	return topicsNames{
		Topics:       t,
		Publisher:    t + "Publisher",
		NewPublisher: "New" + t + "Publisher",
		Subscribe:    "Subscribe" + t,
	}
}

// TopicConst is the constant holding a topic's URI:
// CalculatorEventsComputedTopic.
func (n topicsNames) TopicConst(method string) string {
	return n.Topics + exported(method) + "Topic"
}

// SubscribeOne is the function that subscribes a function to one topic:
// SubscribeCalculatorEventsComputed.
func (n topicsNames) SubscribeOne(method string) string {
	return n.Subscribe + exported(method)
}

// Handler is the unexported function that adapts a function of the
// method's signature to a runtime.EventHandler:
// calculatorEventsComputedHandler.
func (n topicsNames) Handler(method string) string {
	return lowerFirst(n.Topics) + exported(method) + "Handler"
}

// declared lists the package-level identifiers generated for the topics
// interface.
func (n topicsNames) declared(t *Topics) []string {
	out := []string{n.Publisher, n.NewPublisher, n.Subscribe}
	for _, m := range t.Methods {
		out = append(out, n.TopicConst(m.Name), n.SubscribeOne(m.Name))
	}
	for _, m := range t.Methods {
		out = append(out, n.Handler(m.Name))
	}
	return out
}

func exported(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
