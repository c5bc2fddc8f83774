package wamp_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/wampgen/wampgen/wamp"
)

func ExampleSerializer_Encode() {
	b, err := wamp.JSON.Encode(&wamp.Call{Request: 7, Procedure: "com.example.echo", Args: wamp.ArgsOf(1, "a", []byte{0, 255})})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output: [48,7,{},"com.example.echo",[1,"a","\u0000AP8="]]
}

func ExampleValue_Decode() {
	m, err := wamp.JSON.Decode([]byte(`[50,7,{},[2.0,"x",2.5]]`))
	if err != nil {
		panic(err)
	}
	args, _ := m.(*wamp.Result).Args.List()
	var n int
	fmt.Println(args[0].Decode(&n), n) // a float without fraction is fine
	var de *wamp.DecodeError
	err = args[1].Decode(&n) // a string is never a number
	fmt.Println(errors.As(err, &de), de.Want, de.Got)
	fmt.Println(args[2].Decode(&n)) // nor is a fraction an integer
	// Output:
	// <nil> 2
	// true int string
	// cannot decode float into int: 2.5 is not an integer in range
}

func ExampleSerializer_Decode_malformed() {
	_, err := wamp.MsgPack.Decode([]byte{0x94, 0x30, 0x00, 0x80, 0xa1, 'p'}) // [48, 0, {}, "p"]
	fmt.Println(errors.Is(err, wamp.ErrMalformed))
	fmt.Println(err)
	// Output:
	// true
	// wamp: malformed msgpack CALL message: Request: ID 0 is not allowed here
}

// A time travels as the same RFC 3339 string in every serializer, so a
// caller on JSON and a callee on MsgPack agree to the nanosecond.
func ExampleSerializer_EncodeValue_time() {
	at := time.Date(2026, 12, 7, 17, 21, 48, 123456789, time.FixedZone("CET", 3600))
	b, err := wamp.JSON.EncodeValue(at)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))

	m, err := wamp.MsgPack.EncodeValue(at)
	if err != nil {
		panic(err)
	}
	var back time.Time
	if err := wamp.MsgPack.DecodeValue(m, &back); err != nil {
		panic(err)
	}
	fmt.Println(back.Equal(at), back.Format(time.RFC3339Nano))
	// Output:
	// "2026-12-07T17:21:48.123456789+01:00"
	// true 2026-12-07T17:21:48.123456789+01:00
}
