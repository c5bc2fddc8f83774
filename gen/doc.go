// Package gen is wampgen as a library: it loads a Go package, finds the
// interfaces annotated with //wampgen:service and the errors annotated with
// //wampgen:error, checks them, builds a small model, and emits a typed
// client and registrar for each service.
//
// The three layers read only downward: load (go/packages and the raw
// comments) → model (Package, Service, Method, ErrorDecl, built from
// go/types) → emit (github.com/dave/jennifer, reading only the model).
//
// Problems are returned as Diagnostics, never printed: every problem at
// once, sorted by position, each naming the rule it breaks and the fix.
// Nothing is generated when there is any.
package gen
