package wamp_test

import (
	"errors"
	"fmt"

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
