module github.com/wampgen/wampgen

go 1.26.0

require (
	github.com/dave/jennifer v1.7.1
	github.com/gammazero/nexus/v3 v3.3.0
	github.com/gorilla/websocket v1.5.3
	github.com/ugorji/go/codec v1.3.2
	golang.org/x/tools v0.52.0
)

require (
	github.com/gammazero/deque v1.2.1 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
)
