//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package router

// defaultConnectionCap returns defaultMaxConnections.
func defaultConnectionCap() int { return defaultMaxConnections }
