// Package topicspublishoptions sets every publication option of
// //wampgen:topic.
package topicspublishoptions

import "context"

// Audit publishes audit records.
//
//wampgen:topics prefix=com.example.audit
type Audit interface {
	// Plain has no options.
	Plain(ctx context.Context, msg string) error
	// Acked waits for the router's acknowledgement.
	//
	//wampgen:topic acknowledge=true
	Acked(ctx context.Context, msg string) error
	// Echoed reaches the publisher too, if it subscribes.
	//
	//wampgen:topic exclude_me=false
	Echoed(ctx context.Context, msg string) error
	// NotEchoed asks for WAMP's default explicitly.
	//
	//wampgen:topic exclude_me=true
	NotEchoed(ctx context.Context, msg string) error
	// Signed discloses the publisher.
	//
	//wampgen:topic disclose_publisher=true
	Signed(ctx context.Context, msg string) error
	// Defaults spells every default out: nothing is added.
	//
	//wampgen:topic acknowledge=false disclose_publisher=false kwargs=false match=exact
	Defaults(ctx context.Context, msg string) error
	// All sets every option at once.
	//
	//wampgen:topic uri=com.example.audit.all acknowledge=true exclude_me=false disclose_publisher=true
	All(ctx context.Context, msg string) error
}
