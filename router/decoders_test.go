package router

import (
	"testing"

	"github.com/ugorji/go/codec"

	"github.com/wampgen/wampgen/internal/wire/wiretest"
	wampbin "github.com/wampgen/wampgen/wamp"
)

// wampSerializers are the wamp package's serializers by name: the decoders
// of wampgen's clients.
var wampSerializers = map[string]*wampbin.Serializer{"json": wampbin.JSON, "msgpack": wampbin.MsgPack, "cbor": wampbin.CBOR}

// FuzzRouterTakesWhatClientsTake holds the router's decoders to the
// client's on the same bytes: what wamp.Decode takes as a message, both of
// the router's paths take as that message type (the router is the more
// lenient: null for a dict, an integral float for an ID), and the
// passthrough path decides as the full path does.
func FuzzRouterTakesWhatClientsTake(f *testing.F) {
	for i, s := range allSerializers {
		for _, code := range wiretest.Codes() {
			for _, full := range []bool{true, false} {
				var b []byte
				if err := codec.NewEncoderBytes(&b, s.handle).Encode(wiretest.List(code, full)); err != nil {
					f.Fatal(err)
				}
				f.Add(uint8(i), b)
			}
		}
		for _, b := range handWrittenInputs(f, s) {
			f.Add(uint8(i), b)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		s := allSerializers[int(which)%len(allSerializers)]
		checkSame(t, s, data)
		wm, werr := wampSerializers[s.name].Decode(data)
		if werr != nil {
			return
		}
		rm, rerr := s.Deserialize(data)
		if rerr != nil {
			t.Fatalf("%s %x: wamp decodes a %s, the router refuses it: %v", s.name, data, wm.Type(), rerr)
		}
		if uint64(rm.MessageType()) != uint64(wm.Type()) {
			t.Fatalf("%s %x: wamp decodes a %s, the router a %s", s.name, data, wm.Type(), rm.MessageType())
		}
	})
}
