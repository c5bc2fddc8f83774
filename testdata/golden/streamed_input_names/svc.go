// Package streamedinputnames gives streamed inputs names that the
// generated code's locals and imports have, and procedure options.
package streamedinputnames

import (
	"context"
	"iter"
)

// Item is a struct item.
type Item struct {
	N int `json:"n"`
}

// Names streams under awkward names.
//
//wampgen:service prefix=com.example.streamnames
type Names interface {
	// Sum is a prefix registration with every caller-side option.
	//
	//wampgen:procedure uri=com.example.streamnames.sum match=prefix invoke=roundrobin disclose_caller=true cancel=killnowait
	Sum(ctx context.Context, inv iter.Seq[int]) (total int, err error)
	// Feed names its input like the handler's context and its results.
	Feed(c context.Context, ctx iter.Seq[string]) (seq iter.Seq2[int, error], res error)
	// Drain names its input like an import and like the input's error check.
	Drain(impl context.Context, runtime iter.Seq[Item]) error
	// Check names its input like the input's error function.
	Check(ctx context.Context, inputErr iter.Seq[bool]) (ierr bool, err error)
	// Unnamed has no names.
	Unnamed(context.Context, iter.Seq[Item]) (Item, error)
}
