// Package tsmapping asks for TypeScript in a directory of its own and
// covers the type mapping and the naming rules of the TypeScript output:
// every kind of value, docs with a comment end in them, names that are
// reserved words in TypeScript, acronyms in method names and error
// sentinels of every spelling.
//
//wampgen:typescript dir=web/ts
package tsmapping

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Celsius is a temperature; it travels as a number.
type Celsius float64

// Name is a named string.
type Name string

// Base holds what every record has; an Entry embeds it.
type Base struct {
	// ID identifies the record.
	ID   uint64 `json:"id"`
	Kind string `json:"kind"`
}

// Extra is embedded through a pointer: its fields are absent when it is
// nil, so they are optional in TypeScript.
type Extra struct {
	Note string `json:"note"`
}

// Entry shows the struct rules: wire names from tags (codec before
// json), omitempty, pointers, embedded structs flattened, a deeper field
// shadowed by a shallower one, and a field whose doc ends a comment: */.
type Entry struct {
	Base
	*Extra
	// Kind shadows Base.Kind.
	Kind    Name            `json:"kind"`
	Temp    Celsius         `json:"temp"`
	Tags    []string        `json:"tags,omitempty"`
	Parent  *Entry          `json:"parent"`
	Maybe   *int            `json:"maybe,omitempty"`
	Zero    int             `json:"zero,omitzero"`
	Either2 string          `codec:"either2" json:",omitempty"`
	Dashed  string          `json:"x-dashed"`
	Coded   int8            `codec:"coded" json:"ignored"`
	Small   int16           `json:"small"`
	Medium  int32           `json:"medium"`
	Unsized uint            `json:"unsized"`
	U8      uint8           `json:"u8"`
	U16     uint16          `json:"u16"`
	U32     uint32          `json:"u32"`
	Big     int64           `json:"big"`
	Float   float32         `json:"float"`
	OK      bool            `json:"ok"`
	Took    time.Duration   `json:"took"`
	At      time.Time       `json:"at"`
	Hash    [16]byte        `json:"hash"`
	Triple  [3]int          `json:"triple"`
	Blob    []byte          `json:"blob"`
	ByName  map[Name]*Entry `json:"by_name"`
	Free    any             `json:"free"`
	Matrix  [][]float64     `json:"matrix"`
	Either  []*Base         `json:"either"`
	Anon    struct{ X int } `json:"anon"`
	Skipped string          `json:"-"`
	hidden  string
}

// Mapping is a service whose methods cover the rest of the rules.
//
//wampgen:service prefix=com.example.tsmapping
type Mapping interface {
	// Put stores r and returns how many entries there are.
	Put(ctx context.Context, r Entry) (int, error)
	// HTTPStatus returns a status: the acronym is lowered as one word.
	HTTPStatus(ctx context.Context) (int, error)
	// GetID keeps its inner acronym: getID.
	GetID(ctx context.Context, name Name) (uint64, error)
	// URLs is a plural acronym: urls.
	URLs(ctx context.Context) ([]string, error)
	// New is a method TypeScript quotes in an interface.
	New(ctx context.Context, delete bool, function string, w int) (Celsius, error)
	// Watch streams the temperature.
	Watch(ctx context.Context, every time.Duration) (iter.Seq2[Celsius, error], error)
}

// ErrNotFound is a sentinel: its class is NotFoundError.
//
//wampgen:error uri=com.example.tsmapping.error.not_found
var ErrNotFound = errors.New("not found")

// errQuota is unexported, and its text comes from fmt.Errorf: QuotaError.
//
//wampgen:error uri=com.example.tsmapping.error.quota
var errQuota = fmt.Errorf("quota 'exceeded'")

// TimeoutError keeps its name (it ends in Error already).
//
//wampgen:error uri=com.example.tsmapping.error.timeout
var TimeoutError = errors.New("timed out")

// LimitError is an error type; its fields travel as ArgumentsKw.
//
//wampgen:error uri=com.example.tsmapping.error.limit
type LimitError struct {
	// Limit is the limit that was hit.
	Limit int    `json:"limit"`
	Hint  string `json:"hint,omitempty"`
}

func (e *LimitError) Error() string { return fmt.Sprintf("limit %d", e.Limit) }

var _ = errQuota
