// Package accounts maps sentinel errors and error types (with pointer and
// value receivers) to URIs.
package accounts

import (
	"context"
	"errors"
	"fmt"
)

// Accounts manages accounts.
//
//wampgen:service prefix=com.example.accounts
type Accounts interface {
	// Get fails with ErrNotFound or a *LimitError.
	Get(ctx context.Context, id string) (int, error)
	// Delete fails with a ConflictError or an unmapped error.
	Delete(ctx context.Context, id string) error
}

// ErrNotFound is a sentinel.
//
//wampgen:error uri=com.example.accounts.error.not_found
var ErrNotFound = errors.New("account not found")

// LimitError has a pointer receiver, so *LimitError is the error.
//
//wampgen:error uri=com.example.accounts.error.limit
type LimitError struct {
	Limit int `json:"limit"`
	Used  int `json:"used"`
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("limit %d reached (%d used)", e.Limit, e.Used)
}

// ConflictError has a value receiver, so ConflictError is the error.
//
//wampgen:error uri=com.example.accounts.error.conflict
type ConflictError struct {
	With string `json:"with"`
}

func (e ConflictError) Error() string { return "conflict with " + e.With }

// ErrUnmapped has no directive: it crosses the wire as a runtime error.
var ErrUnmapped = errors.New("unmapped")

var (
	// ErrGrouped is declared in a group, with its own doc comment.
	//
	//wampgen:error uri=com.example.accounts.error.grouped
	ErrGrouped = errors.New("grouped")
	// ErrAlsoGrouped is in the same group.
	//
	//wampgen:error uri=com.example.accounts.error.also_grouped
	ErrAlsoGrouped = fmt.Errorf("also grouped")
)
