package main

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/gorilla/websocket"
)

// webFiles is the calculator's web page. calc.js is generated: it bundles
// web/app.ts with the generated calc/calc_wamp.ts and calc/wampgen.ts and
// Wampy.js from interop/package-lock.json (see interop/build-web.mjs);
// ./test.sh fails when it is out of date.
//
//go:embed web/index.html web/style.css web/calc.js
var webFiles embed.FS

// pageCSP lets the page load only its own files and talk only to its own
// origin (the router's WebSocket endpoint).
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// newHandler serves the router's WebSocket endpoint (ws://ADDR/, any
// request that asks for a WebSocket upgrade) next to the web page
// (http://ADDR/ and its two files).
func newHandler(router http.Handler) http.Handler {
	files, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic(err) // the embedded tree always has web/
	}
	page := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if websocket.IsWebSocketUpgrade(r) {
			router.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		page.ServeHTTP(w, r)
	})
}
