// Package topicsunknownkey misspells keys and values of the topics
// directives, and gives them procedure-only keys.
package topicsunknownkey

import "context"

// Events have bad options.
//
//wampgen:topics prefix=com.example.keys uri=com.example.keys
type Events interface {
	//wampgen:topic acknowlege=true
	Typo(ctx context.Context) error
	//wampgen:topic invoke=roundrobin
	ProcedureKey(ctx context.Context) error
	//wampgen:topic disclose_caller=true
	CallerKey(ctx context.Context) error
	//wampgen:topic acknowledge=yes exclude_me=no
	BadValues(ctx context.Context) error
	//wampgen:topic match=regex
	BadMatch(ctx context.Context) error
	//wampgen:topic disclose_publisher=true disclose_publisher=false
	Twice(ctx context.Context) error
}
