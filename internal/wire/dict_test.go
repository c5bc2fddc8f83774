package wire

import (
	"bytes"
	"testing"
)

// AppendEntries splits a dictionary into its keys and values, in order,
// in each format, and refuses what is not a whole dictionary of string
// keys.
func TestAppendEntries(t *testing.T) {
	want := [][]byte{[]byte(`"a"`), []byte(`1`), []byte(`"b"`), []byte(`[2,{"c":3}]`)}
	for _, tc := range []struct {
		f    Format
		raw  []byte
		want [][]byte
	}{
		{JSON, []byte(` { "a" : 1 , "b" : [2,{"c":3}] } `), want},
		{JSON, []byte(`{}`), nil},
		{MsgPack, []byte{0x82, 0xa1, 'a', 0x01, 0xa1, 'b', 0x92, 0x02, 0x81, 0xa1, 'c', 0x03},
			[][]byte{{0xa1, 'a'}, {0x01}, {0xa1, 'b'}, {0x92, 0x02, 0x81, 0xa1, 'c', 0x03}}},
		{CBOR, []byte{0xa2, 0x61, 'a', 0x01, 0x61, 'b', 0x82, 0x02, 0xa1, 0x61, 'c', 0x03},
			[][]byte{{0x61, 'a'}, {0x01}, {0x61, 'b'}, {0x82, 0x02, 0xa1, 0x61, 'c', 0x03}}},
		{CBOR, []byte{0xbf, 0x61, 'a', 0x01, 0x61, 'b', 0x9f, 0x02, 0xff, 0xff},
			[][]byte{{0x61, 'a'}, {0x01}, {0x61, 'b'}, {0x9f, 0x02, 0xff}}},
	} {
		got, err := tc.f.AppendEntries(nil, tc.raw)
		if err != nil {
			t.Fatalf("%v %x: %v", tc.f, tc.raw, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%v %x: %d items, want %d", tc.f, tc.raw, len(got), len(tc.want))
		}
		for i := range got {
			if !bytes.Equal(got[i], tc.want[i]) {
				t.Fatalf("%v %x: item %d is %x, want %x", tc.f, tc.raw, i, got[i], tc.want[i])
			}
		}
	}
	for _, tc := range []struct {
		f   Format
		raw []byte
	}{
		{JSON, []byte(`[1]`)},
		{JSON, []byte(`{1:2}`)},
		{JSON, []byte(`{"a" 1}`)},
		{JSON, []byte(`{"a":1`)},
		{JSON, []byte(`{"a":1;}`)},
		{MsgPack, []byte{0x91, 0x01}},
		{MsgPack, []byte{0x81, 0x01, 0x01}},       // an integer key
		{MsgPack, []byte{0x82, 0xa1, 'a', 0x01}},  // an entry short
		{MsgPack, []byte{0xde, 0xff, 0xff, 0x01}}, // a count the data can't hold
		{CBOR, []byte{0x81, 0x01}},
		{CBOR, []byte{0xa1, 0x01, 0x01}},            // an integer key
		{CBOR, []byte{0xa2, 0x61, 'a', 0x01}},       // an entry short
		{CBOR, []byte{0xbf, 0x61, 'a', 0x01}},       // no break
		{CBOR, []byte{0xbf, 0x61, 'a', 0xff}},       // a key without its value
		{CBOR, []byte{0xbf, 0x61, 'a', 0x81, 0xff}}, // a break inside a value
	} {
		if _, err := tc.f.AppendEntries(nil, tc.raw); err == nil {
			t.Errorf("%v %x: no error", tc.f, tc.raw)
		}
	}
}
