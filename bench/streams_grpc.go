package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"

	"github.com/wampgen/wampgen/bench/streamsvc"
)

// gRPC server streaming, the reference of the streams figures: a service of
// its own, on a server of its own (a server has one codec), described by
// hand like Calc in grpc.go, in the protobuf wire format:
//
//	message ItemsRequest { int64 n = 1; int64 size = 2; }
//	message Item         { bytes data = 1; }
//	service Items { rpc Items(ItemsRequest) returns (stream Item); }
//
// The codec reads and writes exactly that format (varints, length-delimited
// bytes, unknown fields skipped). Like protobuf-go's generated code it
// encodes each message into a buffer of its own and copies a received
// item's bytes out of the transport's buffers into a slice of their own.

type itemsRequest struct{ N, Size int64 }

type itemReply struct{ Data []byte }

// itemStreamer is the service interface the ServiceDesc checks
// implementations against.
type itemStreamer interface {
	Items(req *itemsRequest, stream grpc.ServerStream) error
}

type itemStreamerImpl struct{}

// Items sends req.N items of req.Size bytes; item i is streamsvc.Item(i,
// size). SendMsg encodes the item before it returns, so one buffer serves
// every item, as in the WAMP callees.
func (itemStreamerImpl) Items(req *itemsRequest, stream grpc.ServerStream) error {
	if req.N < 0 || req.Size < 0 || req.Size > streamsvc.MaxItemSize {
		return fmt.Errorf("items: n %d, size %d out of range", req.N, req.Size)
	}
	item := &itemReply{Data: make([]byte, req.Size)}
	for i := range int(req.N) {
		streamsvc.FillItem(item.Data, i)
		if err := stream.SendMsg(item); err != nil {
			return err
		}
	}
	return nil
}

const grpcItemsMethod = "/wampgen.bench.Items/Items"

func grpcItemsHandler(srv any, stream grpc.ServerStream) error {
	req := new(itemsRequest)
	if err := stream.RecvMsg(req); err != nil {
		return err
	}
	return srv.(itemStreamer).Items(req, stream)
}

var grpcItemsDesc = grpc.ServiceDesc{
	ServiceName: "wampgen.bench.Items",
	HandlerType: (*itemStreamer)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName:    "Items",
		Handler:       grpcItemsHandler,
		ServerStreams: true,
	}},
	Metadata: "bench/streams_grpc.go",
}

var grpcItemsStream = &grpc.StreamDesc{StreamName: "Items", ServerStreams: true}

// itemsCodec writes and reads itemsRequest and itemReply in the protobuf
// wire format.
type itemsCodec struct{}

func (itemsCodec) Name() string { return "proto" }

func (itemsCodec) Marshal(v any) (mem.BufferSlice, error) {
	var b []byte
	switch m := v.(type) {
	case *itemsRequest:
		b = make([]byte, 0, 22)
		if m.N != 0 {
			b = binary.AppendUvarint(append(b, 1<<3|0), uint64(m.N))
		}
		if m.Size != 0 {
			b = binary.AppendUvarint(append(b, 2<<3|0), uint64(m.Size))
		}
	case *itemReply:
		if len(m.Data) > 0 {
			b = make([]byte, 0, 1+binary.MaxVarintLen64+len(m.Data))
			b = binary.AppendUvarint(append(b, 1<<3|2), uint64(len(m.Data)))
			b = append(b, m.Data...)
		}
	default:
		return nil, fmt.Errorf("itemsCodec: cannot marshal %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

var errItemsWire = errors.New("itemsCodec: malformed message")

// protoFields calls f with each field of the message in b: its number, wire
// type, and value (a varint's value, or a length-delimited field's bytes).
func protoFields(b []byte, f func(num uint64, wt byte, v uint64, data []byte) error) error {
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			return errItemsWire
		}
		b = b[n:]
		num, wt := tag>>3, byte(tag&7)
		var v uint64
		var data []byte
		switch wt {
		case 0:
			if v, n = binary.Uvarint(b); n <= 0 {
				return errItemsWire
			}
			b = b[n:]
		case 1:
			if len(b) < 8 {
				return errItemsWire
			}
			b = b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return errItemsWire
			}
			data, b = b[n:n+int(l)], b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return errItemsWire
			}
			b = b[4:]
		default:
			return errItemsWire
		}
		if num == 0 {
			return errItemsWire
		}
		if err := f(num, wt, v, data); err != nil {
			return err
		}
	}
	return nil
}

func (itemsCodec) Unmarshal(data mem.BufferSlice, v any) error {
	var b []byte
	if len(data) == 1 {
		b = data[0].ReadOnlyData()
	} else {
		buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
		defer buf.Free()
		b = buf.ReadOnlyData()
	}
	switch m := v.(type) {
	case *itemsRequest:
		*m = itemsRequest{}
		return protoFields(b, func(num uint64, wt byte, v uint64, _ []byte) error {
			switch {
			case num == 1 && wt == 0:
				m.N = int64(v)
			case num == 2 && wt == 0:
				m.Size = int64(v)
			case num <= 2:
				return errItemsWire
			}
			return nil
		})
	case *itemReply:
		*m = itemReply{}
		return protoFields(b, func(num uint64, wt byte, _ uint64, d []byte) error {
			switch {
			case num == 1 && wt == 2:
				m.Data = append([]byte(nil), d...)
			case num == 1:
				return errItemsWire
			}
			return nil
		})
	}
	return fmt.Errorf("itemsCodec: cannot unmarshal into %T", v)
}

// grpcItemsServer serves the Items service on loopback and returns its
// address.
func grpcItemsServer(ctx context.Context) (string, func(), error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := grpc.NewServer(grpc.ForceServerCodecV2(itemsCodec{}))
	srv.RegisterService(&grpcItemsDesc, itemStreamerImpl{})
	go srv.Serve(ln)
	return ln.Addr().String(), srv.Stop, nil
}

// grpcItemsCaller connects a client of the Items service at addr and
// returns its stream of items, checked, and its close.
func grpcItemsCaller(ctx context.Context, addr string) (func(ctx context.Context, n, size int) error, func(), error) {
	cc, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(itemsCodec{})))
	if err != nil {
		return nil, nil, err
	}
	items := func(ctx context.Context, n, size int) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		st, err := cc.NewStream(ctx, grpcItemsStream, grpcItemsMethod)
		if err != nil {
			return err
		}
		if err := st.SendMsg(&itemsRequest{N: int64(n), Size: int64(size)}); err != nil {
			return err
		}
		if err := st.CloseSend(); err != nil {
			return err
		}
		got := 0
		for {
			var it itemReply
			err := st.RecvMsg(&it)
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if err := streamsvc.CheckItem(it.Data, got, size); err != nil {
				return err
			}
			got++
		}
		if got != n {
			return fmt.Errorf("stream of %d items delivered %d", n, got)
		}
		return nil
	}
	// Connect now, so that the first measured stream does not.
	if err := items(ctx, 1, 1); err != nil {
		cc.Close()
		return nil, nil, err
	}
	return items, func() { cc.Close() }, nil
}
