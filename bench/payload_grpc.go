package main

import (
	"context"
	"encoding/binary"
	"math"
	"math/bits"

	"google.golang.org/grpc"
	"google.golang.org/grpc/mem"

	"github.com/wampgen/wampgen/bench/benchsvc"
)

// The gRPC side of the payload figures (payload.go): an Echo service whose
// two methods return their message, in the protobuf wire format written and
// read by wireCodec (grpc.go):
//
//	message Bytes   { bytes data = 1; }
//	message Record  { int64 id = 1; string name = 2; double value = 3; bool ok = 4; }
//	message Records { repeated Record records = 1; }
//
// As generated code with gRPC-Go's own codec does, Marshal writes a message
// of 1 KiB or more into a buffer from gRPC's pool, Unmarshal reads from the
// received frames gathered into a pooled buffer and copies what it keeps
// (bytes and strings), and fields at their zero value are left out (proto3).

type bytesMsg struct{ Data []byte }

type recordsMsg struct{ Records []benchsvc.Record }

type echoer interface {
	Bytes(ctx context.Context, req *bytesMsg) (*bytesMsg, error)
	Records(ctx context.Context, req *recordsMsg) (*recordsMsg, error)
}

type echoImpl struct{}

func (echoImpl) Bytes(_ context.Context, req *bytesMsg) (*bytesMsg, error)       { return req, nil }
func (echoImpl) Records(_ context.Context, req *recordsMsg) (*recordsMsg, error) { return req, nil }

const (
	grpcEchoBytesMethod   = "/wampgen.bench.Echo/Bytes"
	grpcEchoRecordsMethod = "/wampgen.bench.Echo/Records"
)

func grpcEchoBytesHandler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(bytesMsg)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(echoer).Bytes(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: grpcEchoBytesMethod}
	return interceptor(ctx, in, info, func(ctx context.Context, req any) (any, error) {
		return srv.(echoer).Bytes(ctx, req.(*bytesMsg))
	})
}

func grpcEchoRecordsHandler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(recordsMsg)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(echoer).Records(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: grpcEchoRecordsMethod}
	return interceptor(ctx, in, info, func(ctx context.Context, req any) (any, error) {
		return srv.(echoer).Records(ctx, req.(*recordsMsg))
	})
}

var grpcEchoDesc = grpc.ServiceDesc{
	ServiceName: "wampgen.bench.Echo",
	HandlerType: (*echoer)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Bytes", Handler: grpcEchoBytesHandler},
		{MethodName: "Records", Handler: grpcEchoRecordsHandler},
	},
	Metadata: "bench/payload_grpc.go",
}

// marshalPooled writes a message of size bytes with appendTo, into a buffer
// of gRPC's pool from 1 KiB on, as gRPC-Go's proto codec does.
func marshalPooled(size int, appendTo func([]byte) []byte) (mem.BufferSlice, error) {
	if mem.IsBelowBufferPoolingThreshold(size) {
		return mem.BufferSlice{mem.SliceBuffer(appendTo(make([]byte, 0, size)))}, nil
	}
	pool := mem.DefaultBufferPool()
	buf := pool.Get(size)
	*buf = appendTo((*buf)[:0])
	return mem.BufferSlice{mem.NewBuffer(buf, pool)}, nil
}

// unmarshalPooled gathers data into one pooled buffer, as gRPC-Go's proto
// codec does, and reads it with unmarshal, which must copy what it keeps.
func unmarshalPooled(data mem.BufferSlice, unmarshal func([]byte) error) error {
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free()
	return unmarshal(buf.ReadOnlyData())
}

// Protobuf wire types.
const (
	wireVarint = 0
	wireI64    = 1
	wireLen    = 2
	wireI32    = 5
)

func varintSize(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

func appendVarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

func appendTag(b []byte, field, wt int) []byte { return appendVarint(b, uint64(field<<3|wt)) }

func (m *bytesMsg) size() int {
	if len(m.Data) == 0 {
		return 0
	}
	return 1 + varintSize(uint64(len(m.Data))) + len(m.Data)
}

func (m *bytesMsg) appendTo(b []byte) []byte {
	if len(m.Data) == 0 {
		return b
	}
	b = appendTag(b, 1, wireLen)
	b = appendVarint(b, uint64(len(m.Data)))
	return append(b, m.Data...)
}

func (m *bytesMsg) unmarshal(b []byte) error {
	m.Data = nil
	return readFields(b, func(field, wt int, v uint64, data []byte) error {
		if field == 1 {
			if wt != wireLen {
				return errWire
			}
			m.Data = append(m.Data[:0:0], data...)
			if m.Data == nil {
				m.Data = []byte{}
			}
		}
		return nil
	})
}

func recordSize(r *benchsvc.Record) int {
	n := 0
	if r.ID != 0 {
		n += 1 + varintSize(uint64(r.ID))
	}
	if r.Name != "" {
		n += 1 + varintSize(uint64(len(r.Name))) + len(r.Name)
	}
	if r.Value != 0 {
		n += 1 + 8
	}
	if r.OK {
		n += 2
	}
	return n
}

func appendRecord(b []byte, r *benchsvc.Record) []byte {
	if r.ID != 0 {
		b = appendVarint(appendTag(b, 1, wireVarint), uint64(r.ID))
	}
	if r.Name != "" {
		b = appendVarint(appendTag(b, 2, wireLen), uint64(len(r.Name)))
		b = append(b, r.Name...)
	}
	if r.Value != 0 {
		b = binary.LittleEndian.AppendUint64(appendTag(b, 3, wireI64), math.Float64bits(r.Value))
	}
	if r.OK {
		b = appendVarint(appendTag(b, 4, wireVarint), 1)
	}
	return b
}

func (m *recordsMsg) size() int {
	n := 0
	for i := range m.Records {
		s := recordSize(&m.Records[i])
		n += 1 + varintSize(uint64(s)) + s
	}
	return n
}

func (m *recordsMsg) appendTo(b []byte) []byte {
	for i := range m.Records {
		r := &m.Records[i]
		b = appendVarint(appendTag(b, 1, wireLen), uint64(recordSize(r)))
		b = appendRecord(b, r)
	}
	return b
}

func (m *recordsMsg) unmarshal(b []byte) error {
	m.Records = m.Records[:0]
	return readFields(b, func(field, wt int, _ uint64, data []byte) error {
		if field != 1 {
			return nil
		}
		if wt != wireLen {
			return errWire
		}
		var r benchsvc.Record
		err := readFields(data, func(field, wt int, v uint64, data []byte) error {
			switch {
			case field == 1 && wt == wireVarint:
				r.ID = int64(v)
			case field == 2 && wt == wireLen:
				r.Name = string(data)
			case field == 3 && wt == wireI64:
				r.Value = math.Float64frombits(v)
			case field == 4 && wt == wireVarint:
				r.OK = v != 0
			case field >= 1 && field <= 4:
				return errWire
			}
			return nil
		})
		if err != nil {
			return err
		}
		m.Records = append(m.Records, r)
		return nil
	})
}

// readVarint reads a varint from b and returns it and its length, or
// length 0 if b does not hold a whole one.
func readVarint(b []byte) (uint64, int) {
	var x uint64
	for i := 0; i < len(b) && i < 10; i++ {
		x |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}

// readFields calls f with each field of the message in b: its number, wire
// type, and its value (a varint or the bits of a fixed64 or fixed32) or
// bytes (length-delimited). Groups are refused.
func readFields(b []byte, f func(field, wt int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		tag, n := readVarint(b)
		if n == 0 || tag>>3 == 0 || tag>>3 > math.MaxInt32 {
			return errWire
		}
		b = b[n:]
		field, wt := int(tag>>3), int(tag&7)
		var v uint64
		var data []byte
		switch wt {
		case wireVarint:
			if v, n = readVarint(b); n == 0 {
				return errWire
			}
			b = b[n:]
		case wireI64:
			if len(b) < 8 {
				return errWire
			}
			v, b = binary.LittleEndian.Uint64(b), b[8:]
		case wireI32:
			if len(b) < 4 {
				return errWire
			}
			v, b = uint64(binary.LittleEndian.Uint32(b)), b[4:]
		case wireLen:
			l, n := readVarint(b)
			if n == 0 || l > uint64(len(b)-n) {
				return errWire
			}
			data, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return errWire
		}
		if err := f(field, wt, v, data); err != nil {
			return err
		}
	}
	return nil
}
