// Package v2 is version 2 of an inventory API, kept side by side with the
// other version in one program: both declare the same error URIs, which is
// how a service versions its API without renaming its errors. The tests in
// the parent directory check that the two coexist.
package v2

//go:generate go run github.com/wampgen/wampgen/cmd/wampgen

import (
	"context"
	"errors"
	"fmt"
)

// Inventory looks up stock (version 2).
//
//wampgen:service prefix=com.acme.inventory.v2
type Inventory interface {
	// Take removes n of item from stock and returns what is left.
	Take(ctx context.Context, item string, n int) (left int, err error)
}

// ErrNotFound is the answer for an item the inventory does not hold.
//
//wampgen:error uri=com.acme.inventory.error.not_found
var ErrNotFound = errors.New("v2: no such item")

// OutOfStockError is the answer when fewer items are left than asked for.
//
//wampgen:error uri=com.acme.inventory.error.out_of_stock
type OutOfStockError struct {
	Item string `json:"item"`
	Left int    `json:"left"`
}

func (e *OutOfStockError) Error() string {
	return fmt.Sprintf("v2: only %d of %s left", e.Left, e.Item)
}
