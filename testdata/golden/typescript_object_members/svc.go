// Package tsobjectmembers names methods and error fields as the members
// JavaScript calls on any object by itself: JSON.stringify calls toJSON,
// String() and template literals call toString, arithmetic and comparison
// call valueOf. A generated client with such a method would make a WAMP
// call whenever it is logged or printed; an error class with such a field
// would throw when it is printed. Every diagnostic here is TypeScript's.
package tsobjectmembers

//wampgen:typescript

import "context"

// Printed has methods JavaScript calls on its own.
//
//wampgen:service prefix=com.example.tsobjectmembers
type Printed interface {
	// ToJSON would be called by JSON.stringify(client).
	ToJSON(ctx context.Context) (string, error)
	// ToString would be called by String(client) and `${client}`.
	ToString(ctx context.Context) (string, error)
	// ValueOf would be called by client + 1.
	ValueOf(ctx context.Context) (int, error)
	// ToLocaleString would be called by toLocaleString of a list holding
	// the client.
	ToLocaleString(ctx context.Context) (string, error)
}

// Events has a topic JavaScript would publish by printing the publisher.
//
//wampgen:topics prefix=com.example.tsobjectmembers.events
type Events interface {
	ToString(ctx context.Context, s string) error
}

// Shown is an error type whose fields would replace what String(err)
// calls.
//
//wampgen:error uri=com.example.tsobjectmembers.error.shown
type Shown struct {
	Text  string `json:"toString"`
	Value int    `json:"valueOf"`
}

func (s Shown) Error() string { return s.Text }
