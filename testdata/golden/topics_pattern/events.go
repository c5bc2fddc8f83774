// Package topicspattern declares pattern topics: subscribers subscribe to
// the pattern, publishers publish to a concrete topic under it.
package topicspattern

import "context"

// Feeds are the events of many feeds.
//
//wampgen:topics prefix=com.example.feed
type Feeds interface {
	// Item is published under com.example.feed.item.<feed>.
	//
	//wampgen:topic uri=com.example.feed.item match=prefix
	Item(ctx context.Context, title string) error
	// Status is published to com.example.<feed>.status.
	//
	//wampgen:topic uri=com.example..status match=wildcard
	Status(ctx context.Context, up bool) error
	// Closed has the default URI, as a prefix.
	//
	//wampgen:topic match=prefix
	Closed(ctx context.Context) error
	// Exact is matched exactly, spelled out.
	//
	//wampgen:topic match=exact
	Exact(ctx context.Context, n int) error
}
