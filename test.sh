#!/usr/bin/env bash
# test.sh runs every test of wampgen on a fresh machine: it fetches what the
# tests need (Go modules; the npm packages of interop/ and Debian's chromium
# for the interop and browser tests), then checks formatting, vet, the
# layering rule, generated code and the web page's bundle, and runs the whole
# suite with the race detector. CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n== %s\n' "$*"; }

step "go modules"
go mod download
go mod verify
(cd bench && go mod download && go mod verify) # bench/ is a module of its own

step "npm packages of the interop tests and the web page (interop/package-lock.json)"
if ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null; then
	echo "Node.js 20 or later, with npm, is needed"; exit 1
fi
(cd interop && npm ci --no-audit --no-fund --loglevel=error)

step "Chromium for the browser test"
if [[ ! -x /usr/bin/chromium ]]; then
	sudo=""
	if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
	log=$(mktemp)
	if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
		cat "$log"; echo "could not install chromium"; exit 1
	fi
	rm -f "$log"
fi
/usr/bin/chromium --version 2>/dev/null

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path '*/node_modules/*'))
if [[ -n "$unformatted" ]]; then
	echo "not gofmt'd:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...
(cd bench && go vet ./...)

step "layering: runtime must not import a router"
if go list -deps ./runtime | grep -q 'gammazero/nexus'; then
	echo "runtime depends on nexus:"; go list -deps ./runtime | grep nexus; exit 1
fi

step "generated code is up to date"
go run ./cmd/wampgen -check ./...
(cd bench && go run github.com/wampgen/wampgen/cmd/wampgen -check ./...) # a nested module is outside ./...

step "web page bundle is up to date"
node interop/build-web.mjs --check

step "go test -race"
go test -race -count=1 -timeout 10m ./...
(cd bench && go test -race -count=1 -timeout 10m ./...) # bench/ is a module of its own, outside ./...
(cd bench && go test -run='^$' -bench=. -benchtime=100x .) # the benchmarks, briefly, so that they keep working

step "main jobs"
go run ./examples/calculator >/dev/null
go run ./examples/hello >/dev/null

echo
echo "all tests passed"
