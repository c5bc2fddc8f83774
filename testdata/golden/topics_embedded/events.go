// Package topicsembedded embeds an interface (with its own topic
// directive) in a topics interface: its topics include the embedded
// methods, after its own, and the embedded interface is no topics
// interface itself.
package topicsembedded

import "context"

// Lifecycle holds events shared by topics interfaces.
type Lifecycle interface {
	// Started is published at start-up.
	Started(ctx context.Context, version string) error
	// Stopping is published at shutdown, acknowledged.
	//
	//wampgen:topic uri=com.example.lifecycle.stopping acknowledge=true
	Stopping(ctx context.Context) error
}

// Jobs are a job runner's events.
//
//wampgen:topics prefix=com.example.jobs
type Jobs interface {
	Lifecycle
	Done(ctx context.Context, id string, ok bool) error
}
