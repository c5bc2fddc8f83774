// Package gen is wampgen as a library: it loads Go packages, finds the
// interfaces annotated with //wampgen:service or //wampgen:topics and the
// errors annotated with //wampgen:error, checks them, builds a small model,
// and emits for each service a typed client, an embeddable Unimplemented
// type and a registrar, and for each topics interface a typed publisher,
// subscribe functions and event handlers (topics.go), which pack and
// decode arguments with the registrar's helpers. The command cmd/wampgen is a thin shell around Generate and
// Result.Write; its documentation (go doc ./cmd/wampgen) holds the
// annotation grammar, the method shapes and the values that may travel,
// which this package enforces.
//
// # Use
//
// Generate loads the packages that Config names and returns a Result: the
// files to write (one FILE_wamp.go per source file that declares a service,
// a topics interface or an error), the generated files that are stale, and the packages
// skipped for holding only test files. Result.Write writes them all or
// nothing. Generate prints nothing and never exits: problems in the input
// come back as Diagnostics.
//
// # TypeScript
//
// A package with a //wampgen:typescript directive, or every package when
// Config.TypeScript is set (wampgen -ts DIR), also gets its contract in
// TypeScript: PACKAGE_wamp.ts, rendered with text/template from the same
// model by the templates package (templates/typescript.tmpl), and
// wampgen.ts, the support module it imports (templates/wampgen.ts,
// copied as it is). ts.go maps the model to the view the template reads
// (types, schemas, names, docs as JSDoc); tsnames.go holds the naming
// rules. What TypeScript cannot name or represent exactly is a diagnostic,
// reported only when TypeScript is asked for, prefixed "TypeScript
// output:".
//
// # Layers
//
// The three layers read only downward: load (go/packages, and the raw
// comments for the directives) → model (Package, File, Service, Method,
// ErrorDecl, built from go/types) → emit (github.com/dave/jennifer, reading
// only the model). Services and topics interfaces share the model (a
// topic is a Method without results) and every method check (method.go);
// where their rules differ, the check asks the interface's kind. The
// builder accepts a parameter or result type only if
// the runtime carries it exactly between any two serializers (see
// codecrules.go: time.Time and types with a marshaler pair are leaves; one
// half of a pair, codec.Selfer, a pair promoted from an embedded field next
// to fields that would be lost, two fields under one name, and structs
// that would travel as {} are diagnostics).
//
// # Diagnostics
//
// Problems are returned as Diagnostics, never printed: every problem at
// once, sorted by position (file:line:col), each naming the rule it breaks
// and the fix. Nothing is generated when there is any. A package that
// declares a service or an error and does not compile is reported as such
// first, since the types come from the compiler.
//
// # Output
//
// Generated code is deterministic (no time, no absolute path, no map
// order), gofmt'd, and starts with GeneratedHeader and the source file's
// base name; it documents every exported identifier and keeps the
// interface's parameter and result names.
package gen
