// Package kwargs sends a struct parameter as keyword arguments.
package kwargs

import "context"

// SearchRequest travels as ArgumentsKw under its json names.
type SearchRequest struct {
	Query string   `json:"query"`
	Limit int      `json:"limit,omitempty"`
	Tags  []string `json:"tags,omitempty"`
}

// Hit is one search result.
type Hit struct {
	Title string  `json:"title"`
	Score float64 `json:"score"`
}

// Search searches.
//
//wampgen:service prefix=com.example.search
type Search interface {
	//wampgen:procedure kwargs=true
	Search(ctx context.Context, req SearchRequest) ([]Hit, error)
	// Positional is not kwargs, for contrast.
	//
	//wampgen:procedure kwargs=false
	Positional(ctx context.Context, req SearchRequest) (int, error)
}
