// Package emptyservice annotates an interface without methods.
package emptyservice

// Empty has no methods.
//
//wampgen:service prefix=com.example.empty
type Empty interface{}

// OnlyTypes is a constraint interface, not a method set.
//
//wampgen:service prefix=com.example.constraint
type OnlyTypes interface {
	~int | ~string
}
