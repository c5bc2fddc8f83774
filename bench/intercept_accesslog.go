package main

import (
	"io"
	"log/slog"

	"github.com/wampgen/wampgen/accesslog"
	"github.com/wampgen/wampgen/runtime"
)

// Rows of the interceptor figure for package accesslog: the access log
// with its level off (the handler enabled at Error only: what a service
// pays for the interceptor it keeps configured), and on, writing JSON
// records to io.Discard (the cost of building and encoding each record,
// without the I/O).
func init() {
	accessLogRow := func(level slog.Level) func(string) ([]runtime.Interceptor, func(), error) {
		return func(string) ([]runtime.Interceptor, func(), error) {
			log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level}))
			return []runtime.Interceptor{accesslog.New(log)}, nil, nil
		}
	}
	interceptSetups = append(interceptSetups,
		interceptSetup{name: "accesslog off", interceptors: accessLogRow(slog.LevelError)},
		interceptSetup{name: "accesslog JSON", interceptors: accessLogRow(slog.LevelInfo)},
	)
}
