// Package procedureoptions sets every //wampgen:procedure option.
package procedureoptions

import "context"

// Options exercises the procedure options.
//
//wampgen:service prefix=com.example.opts
type Options interface {
	// Plain has no options.
	Plain(ctx context.Context) (string, error)
	// Renamed has its own URI, outside the prefix.
	//
	//wampgen:procedure uri=com.example.other.renamed
	Renamed(ctx context.Context) (string, error)
	// Prefixed serves every URI under com.example.opts.prefixed.
	//
	//wampgen:procedure uri=com.example.opts.prefixed. match=prefix
	Prefixed(ctx context.Context) (string, error)
	// Wild serves com.example.*.wild.
	//
	//wampgen:procedure uri=com.example..wild match=wildcard
	Wild(ctx context.Context) (string, error)
	// Balanced is shared among callees.
	//
	//wampgen:procedure invoke=roundrobin
	Balanced(ctx context.Context) (string, error)
	// WhoCalls learns the caller's session.
	//
	//wampgen:procedure disclose_caller=true
	WhoCalls(ctx context.Context) (uint64, error)
	// Skip is not interrupted when the caller cancels.
	//
	//wampgen:procedure cancel=skip
	Skip(ctx context.Context, ms int) (string, error)
	// All sets every option at once.
	//
	//wampgen:procedure uri=com.example.opts.all match=exact invoke=first disclose_caller=true cancel=killnowait kwargs=false
	All(ctx context.Context, n int) (string, error)
}
