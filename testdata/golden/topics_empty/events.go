// Package topicsempty annotates an interface without methods and a type
// constraint.
package topicsempty

// Nothing has no topics.
//
//wampgen:topics prefix=com.example.nothing
type Nothing interface{}

// Constraint is a type set.
//
//wampgen:topics prefix=com.example.constraint
type Constraint interface {
	~int | ~string
}

// Generic is generic.
//
//wampgen:topics prefix=com.example.generic
type Generic[T any] interface {
	Got(v T) error
}
