package benchsvc

import "context"

// Echo answers each call with its argument, for the payload-size figures:
// the payload crosses the router twice, as the CALL's and the YIELD's.
//
//wampgen:service prefix=com.example.bench.echo
type Echo interface {
	// Bytes returns b: one binary argument (MsgPack bin, CBOR byte
	// string, JSON "\u0000"+base64).
	Bytes(ctx context.Context, b []byte) ([]byte, error)
	// Records returns rs: one list of small maps.
	Records(ctx context.Context, rs []Record) ([]Record, error)
}

// Record is a small struct, the element of the struct-heavy payload.
type Record struct {
	ID    int64   `json:"id"`
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	OK    bool    `json:"ok"`
}

// Echoer is the Echo the benchmarks serve.
type Echoer struct{}

// Bytes returns b.
func (Echoer) Bytes(_ context.Context, b []byte) ([]byte, error) { return b, nil }

// Records returns rs.
func (Echoer) Records(_ context.Context, rs []Record) ([]Record, error) { return rs, nil }
