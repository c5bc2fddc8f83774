// Package kwargsnotstruct asks for keyword arguments without a single
// struct parameter.
package kwargsnotstruct

import (
	"context"
	"encoding/json"
	"time"
)

// Req is a struct.
type Req struct{ A int }

// Stamp is a struct that travels as a time: a string, not a dictionary.
type Stamp struct{ time.Time }

// Doc is a struct that travels as its own JSON value, whatever its fields.
type Doc struct{ A int }

// MarshalJSON writes it.
func (d Doc) MarshalJSON() ([]byte, error) { return json.Marshal(map[string]int{"a": d.A}) }

// UnmarshalJSON reads it.
func (d *Doc) UnmarshalJSON(b []byte) error {
	var m map[string]int
	err := json.Unmarshal(b, &m)
	d.A = m["a"]
	return err
}

// Svc has kwargs methods of the wrong shape.
//
//wampgen:service prefix=com.example.svc
type Svc interface {
	//wampgen:procedure kwargs=true
	NotStruct(ctx context.Context, n int) error
	//wampgen:procedure kwargs=true
	TwoParams(ctx context.Context, a Req, b Req) error
	//wampgen:procedure kwargs=true
	NoParams(ctx context.Context) error
	//wampgen:procedure kwargs=true
	MapParam(ctx context.Context, m map[string]int) error
	//wampgen:procedure kwargs=true
	Pointer(ctx context.Context, req *Req) error
	//wampgen:procedure kwargs=true
	SelfText(ctx context.Context, s Stamp) error
	//wampgen:procedure kwargs=true
	SelfJSON(ctx context.Context, d Doc) error
	//wampgen:procedure kwargs=true
	Time(ctx context.Context, t time.Time) error
}
