package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wampgen/wampgen/bench/benchsvc"
)

// TestPayloadSystems makes calls of every payload of -payloads=default
// (records stop at 64 KiB: 1 MiB of them takes seconds a call under the race
// detector) with every route of -payloads=all, sequential and then
// concurrent (as the throughput figure does), each checked by the system's
// call.
func TestPayloadSystems(t *testing.T) {
	rs, err := routes("all")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := payloadCases("default", "")
	if err != nil {
		t.Fatal(err)
	}
	setup, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	b, err := newPayloadBed(setup, rs)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	for _, c := range cases {
		for _, pc := range b.callers {
			t.Run(fmt.Sprintf("%s/%s/%s", c, pc.r.sys, pc.r), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				s := pc.system(c)
				for range 2 {
					if err := s.call(ctx); err != nil {
						t.Fatal(err)
					}
				}
				var wg sync.WaitGroup
				errs := make(chan error, 4)
				for range 4 {
					wg.Go(func() { errs <- s.call(ctx) })
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
}

// The gRPC Echo's codec writes and reads the protobuf wire format:
// checked against protowire, the protobuf module's own low-level encoder
// and parser, both ways.
func TestPayloadProtobufWire(t *testing.T) {
	rs := append(payloadRecords(2000), benchsvc.Record{}, benchsvc.Record{ID: -1, Name: "é", Value: -0.5})
	data, err := wireCodec{}.Marshal(&recordsMsg{Records: rs})
	if err != nil {
		t.Fatal(err)
	}
	b := data.Materialize()
	data.Free()
	// Parse with protowire.
	var got []benchsvc.Record
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num != 1 || typ != protowire.BytesType {
			t.Fatalf("field %d type %d (%d)", num, typ, n)
		}
		b = b[n:]
		m, n := protowire.ConsumeBytes(b)
		if n < 0 {
			t.Fatal(protowire.ParseError(n))
		}
		b = b[n:]
		var r benchsvc.Record
		for len(m) > 0 {
			num, typ, n := protowire.ConsumeTag(m)
			if n < 0 {
				t.Fatal(protowire.ParseError(n))
			}
			m = m[n:]
			switch {
			case num == 1 && typ == protowire.VarintType:
				v, n := protowire.ConsumeVarint(m)
				r.ID, m = int64(v), m[n:]
			case num == 2 && typ == protowire.BytesType:
				v, n := protowire.ConsumeBytes(m)
				r.Name, m = string(v), m[n:]
			case num == 3 && typ == protowire.Fixed64Type:
				v, n := protowire.ConsumeFixed64(m)
				r.Value, m = math.Float64frombits(v), m[n:]
			case num == 4 && typ == protowire.VarintType:
				v, n := protowire.ConsumeVarint(m)
				r.OK, m = protowire.DecodeBool(v), m[n:]
			default:
				t.Fatalf("record field %d type %d", num, typ)
			}
		}
		got = append(got, r)
	}
	if !slices.Equal(got, rs) {
		t.Fatal("protowire read other records")
	}

	// Write with protowire, an unknown field included; read with the codec.
	var w []byte
	w = protowire.AppendTag(w, 7, protowire.VarintType)
	w = protowire.AppendVarint(w, 99)
	w = protowire.AppendTag(w, 1, protowire.BytesType)
	w = protowire.AppendBytes(w, payloadBytes(70000))
	var msg bytesMsg
	if err := (wireCodec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(w)}, &msg); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(msg.Data, payloadBytes(70000)) {
		t.Fatal("codec read other bytes")
	}
	// Truncated messages are errors.
	for _, cut := range []int{1, 3, len(w) - 1} {
		if err := (wireCodec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(w[:cut])}, &msg); err == nil {
			t.Errorf("%d of %d bytes: no error", cut, len(w))
		}
	}
}
