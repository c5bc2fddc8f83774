package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
)

// The gRPC reference: what a Go user would pick instead of WAMP for typed
// calls. The service is described by hand (no protoc), and the messages
// travel in the protobuf wire format, written by a small codec of our own:
//
//	message AddRequest { double a = 1; double b = 2; }
//	message AddReply   { double sum = 1; }
//
// The codec is cheaper than generated protobuf code would be (no
// reflection, no allocation beyond the buffer), which only favours gRPC.

type addRequest struct{ A, B float64 }

type addReply struct{ Sum float64 }

// adder is the service interface the ServiceDesc checks implementations
// against.
type adder interface {
	Add(ctx context.Context, req *addRequest) (*addReply, error)
}

type adderImpl struct{}

func (adderImpl) Add(_ context.Context, req *addRequest) (*addReply, error) {
	return &addReply{Sum: req.A + req.B}, nil
}

const grpcAddMethod = "/wampgen.bench.Calc/Add"

func grpcAddHandler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(addRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(adder).Add(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: grpcAddMethod}
	return interceptor(ctx, in, info, func(ctx context.Context, req any) (any, error) {
		return srv.(adder).Add(ctx, req.(*addRequest))
	})
}

var grpcCalcDesc = grpc.ServiceDesc{
	ServiceName: "wampgen.bench.Calc",
	HandlerType: (*adder)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "Add", Handler: grpcAddHandler}},
	Metadata:    "bench/grpc.go",
}

// wireCodec writes addRequest and addReply in the protobuf wire format:
// each double is a tag byte (field<<3 | 1, fixed64) and 8 little-endian
// bytes.
type wireCodec struct{}

func (wireCodec) Name() string { return "proto" }

func putDouble(b []byte, field byte, f float64) []byte {
	b = append(b, field<<3|1)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func (wireCodec) Marshal(v any) (mem.BufferSlice, error) {
	var b []byte
	switch m := v.(type) {
	case *bytesMsg:
		return marshalPooled(m.size(), m.appendTo)
	case *recordsMsg:
		return marshalPooled(m.size(), m.appendTo)
	case *addRequest:
		b = make([]byte, 0, 18)
		b = putDouble(putDouble(b, 1, m.A), 2, m.B)
	case *addReply:
		b = make([]byte, 0, 9)
		b = putDouble(b, 1, m.Sum)
	default:
		return nil, fmt.Errorf("wireCodec: cannot marshal %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

var errWire = errors.New("wireCodec: malformed message")

// doubles reads the fixed64 fields of a message: fields[i] gets field i+1.
func doubles(data mem.BufferSlice, fields []*float64) error {
	var buf [32]byte
	b := buf[:0]
	if data.Len() > len(buf) {
		return errWire
	}
	for _, d := range data {
		b = append(b, d.ReadOnlyData()...)
	}
	for len(b) > 0 {
		tag := b[0]
		if tag&7 != 1 || len(b) < 9 {
			return errWire
		}
		if n := int(tag >> 3); n >= 1 && n <= len(fields) {
			*fields[n-1] = math.Float64frombits(binary.LittleEndian.Uint64(b[1:9]))
		}
		b = b[9:]
	}
	return nil
}

func (wireCodec) Unmarshal(data mem.BufferSlice, v any) error {
	switch m := v.(type) {
	case *addRequest:
		return doubles(data, []*float64{&m.A, &m.B})
	case *addReply:
		return doubles(data, []*float64{&m.Sum})
	case *bytesMsg:
		return unmarshalPooled(data, m.unmarshal)
	case *recordsMsg:
		return unmarshalPooled(data, m.unmarshal)
	}
	return fmt.Errorf("wireCodec: cannot unmarshal into %T", v)
}

// grpcServer serves the Calc service on loopback and returns its address.
func grpcServer(ctx context.Context) (string, func(), error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := grpc.NewServer(grpc.ForceServerCodecV2(wireCodec{}))
	srv.RegisterService(&grpcCalcDesc, adderImpl{})
	srv.RegisterService(&grpcEchoDesc, echoImpl{})
	go srv.Serve(ln)
	return ln.Addr().String(), srv.Stop, nil
}

// grpcCaller connects a client to the server at addr: HTTP/2 without TLS,
// one connection, as a Go service would call another.
func grpcCaller(ctx context.Context, addr string) (*system, error) {
	cc, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(wireCodec{})))
	if err != nil {
		return nil, err
	}
	call := func(ctx context.Context) error {
		var reply addReply
		if err := cc.Invoke(ctx, grpcAddMethod, &addRequest{A: 1, B: 2}, &reply); err != nil {
			return err
		}
		if reply.Sum != 3 {
			return errWrongAnswer
		}
		return nil
	}
	// Connect now, so that the first measured call does not.
	if err := call(ctx); err != nil {
		cc.Close()
		return nil, err
	}
	return &system{
		name:  sysGRPC,
		ser:   "protobuf wire",
		call:  call,
		addr:  addr,
		close: func() { cc.Close() },
	}, nil
}
