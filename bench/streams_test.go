package main

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc/mem"
)

// The gRPC streams' codec writes the protobuf wire format: the bytes below
// are what protoc's encoding of ItemsRequest and Item gives.
func TestItemsCodecWireFormat(t *testing.T) {
	var c itemsCodec
	enc := func(v any) []byte {
		t.Helper()
		bs, err := c.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return bs.Materialize()
	}
	if got, want := enc(&itemsRequest{N: 10000, Size: 1024}), []byte{0x08, 0x90, 0x4e, 0x10, 0x80, 0x08}; !bytes.Equal(got, want) {
		t.Errorf("ItemsRequest: % x, want % x", got, want)
	}
	if got, want := enc(&itemReply{Data: []byte("ab")}), []byte{0x0a, 0x02, 'a', 'b'}; !bytes.Equal(got, want) {
		t.Errorf("Item: % x, want % x", got, want)
	}
	// Unknown fields of every wire type are skipped; the known ones read.
	in := []byte{0x08, 0x05, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x22, 0x01, 'x', 0x2d, 1, 2, 3, 4, 0x10, 0x07}
	var req itemsRequest
	if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(in)}, &req); err != nil || req != (itemsRequest{N: 5, Size: 7}) {
		t.Errorf("ItemsRequest with unknown fields: %+v, %v", req, err)
	}
	// An item's bytes are its own, not the transport's buffer's.
	buf := []byte{0x0a, 0x01, 'z'}
	var it itemReply
	if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(buf)}, &it); err != nil || string(it.Data) != "z" {
		t.Fatalf("Item: %q, %v", it.Data, err)
	}
	buf[2] = 'y'
	if string(it.Data) != "z" {
		t.Error("the item aliases the transport's buffer")
	}
	for _, bad := range [][]byte{
		{0x0a, 0x05, 'a'},       // length past the end
		{0x08},                  // varint missing
		{0x08, 0x80},            // varint cut
		{0x0b},                  // wire type 3 (groups)
		{0x00, 0x01},            // field 0
		{0x08, 0x01, 0x19, 1},   // fixed64 cut
		{0x0a, 0x01, 'a', 0x08}, // trailing tag without value
	} {
		if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(bad)}, &it); err == nil {
			t.Errorf("% x: no error", bad)
		}
	}
	if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer([]byte{0x08, 0x01})}, &it); err == nil {
		t.Error("Item with its field 1 as a varint: no error")
	}
}

// Every system of the streams figures delivers a short stream whose items
// it checks, at both sizes.
func TestStreamsSystems(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o := options{scaleRounds: 1, streamItems: 50, streamSizes: "16,1024"}
	res, err := measureStreams(ctx, o, io.Discard, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.figs) != 2*7 {
		t.Fatalf("%d figures, want 14", len(res.figs))
	}
	for _, f := range res.figs {
		if f.err != nil || len(f.rounds) != 1 || f.rounds[0] <= 0 {
			t.Errorf("%s over %s, %d B: rounds %v, %v", f.sys.name, f.sys.ser, f.size, f.rounds, f.err)
		}
	}
}
