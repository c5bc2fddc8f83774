// Package methoduriclash has methods whose names differ but whose default
// procedure URIs (snake_case of the name) are the same, and an explicit
// uri= that takes another method's default one.
package methoduriclash

import "context"

// Web has clashing method names.
//
//wampgen:service prefix=com.example.web
type Web interface {
	GetURL(ctx context.Context) (string, error)
	GetUrl(ctx context.Context) (string, error)
	HTTPServer(ctx context.Context) error
	HttpServer(ctx context.Context) error
	//wampgen:procedure uri=com.example.web.get_url
	Fetch(ctx context.Context) (string, error)
}

// Mirror uses the same prefix: its method clashes with Web's.
//
//wampgen:service prefix=com.example.web
type Mirror interface {
	Get_URL(ctx context.Context) (string, error)
}
