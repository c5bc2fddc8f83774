//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package router

import "syscall"

// defaultConnectionCap returns defaultMaxConnections, or three quarters of
// the process's open-file limit when that is lower, leaving the rest of
// the descriptors to the program.
func defaultConnectionCap() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return defaultMaxConnections
	}
	// Cur is unsigned on some systems and signed on others; unlimited is
	// the largest value, or -1, which converts to the largest.
	cur := uint64(rl.Cur)
	if cur >= 4*defaultMaxConnections/3 {
		return defaultMaxConnections
	}
	return int(max(cur*3/4, 1))
}
