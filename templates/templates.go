// Package templates holds wampgen's outputs that are not Go: text/template
// templates rendered from the generator's model (package gen), and files
// copied verbatim next to what they render. It is embedded in the wampgen
// binary, so generation needs no file at run time.
//
//   - typescript.tmpl renders a package's TypeScript module,
//     <package>_wamp.ts, from gen's TypeScript view of the model.
//   - wampgen.ts is the TypeScript support module that every generated
//     module imports as ./wampgen.js: the schemas that check and convert
//     values, the error classes' base, and the adapters to Autobahn|JS and
//     Wampy.js. wampgen writes it, unchanged, beside each generated module.
package templates

import (
	"embed"
	"text/template"
)

//go:embed typescript.tmpl wampgen.ts
var files embed.FS

// TypeScript parses the template of a TypeScript module with funcs (the
// template calls the functions gen provides under these names: jsdoc,
// quote, indent).
func TypeScript(funcs template.FuncMap) (*template.Template, error) {
	return template.New("typescript.tmpl").Funcs(funcs).ParseFS(files, "typescript.tmpl")
}

// SupportModule returns wampgen.ts, the TypeScript support module.
func SupportModule() ([]byte, error) {
	return files.ReadFile("wampgen.ts")
}
