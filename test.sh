#!/usr/bin/env bash
# test.sh runs every test of wampgen on a fresh machine: it fetches what the
# tests need, then checks formatting, vet, the layering rule, and runs the
# whole suite with the race detector. CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n== %s\n' "$*"; }

step "go modules"
go mod download
go mod verify

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [[ -n "$unformatted" ]]; then
	echo "not gofmt'd:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "layering: runtime must not import a router"
if go list -deps ./runtime | grep -q 'gammazero/nexus'; then
	echo "runtime depends on nexus:"; go list -deps ./runtime | grep nexus; exit 1
fi

step "generated code is up to date"
go run ./cmd/wampgen -check ./examples/calculator/calc

step "go test -race"
go test -race -count=1 -timeout 10m ./...

step "main jobs"
go run ./examples/calculator >/dev/null
go run ./examples/hello >/dev/null

echo
echo "all tests passed"
