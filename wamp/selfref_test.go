package wamp_test

import (
	"strings"
	"testing"

	"github.com/wampgen/wampgen/wamp"
)

type selfMap map[string]selfMap
type selfList []selfList
type selfStruct struct{ Next *selfStruct }

func TestSelfReferentialTypesAreRefused(t *testing.T) {
	for _, ser := range wamp.Serializers() {
		for _, v := range []any{selfMap{"a": selfMap{}}, selfList{selfList{}}, []any{1, selfMap{}}, map[string]any{"x": selfList{}}} {
			_, err := ser.EncodeValue(v)
			if err == nil || !strings.Contains(err.Error(), "refers to itself") {
				t.Errorf("%s %T: %v", ser, v, err)
			}
			if _, err := ser.Encode(&wamp.Call{Request: 1, Procedure: "a.b", Args: wamp.ArgsOf(v)}); err == nil {
				t.Errorf("%s: a CALL carrying %T was encoded", ser, v)
			}
		}
		// Self-referring structs are fine.
		if _, err := ser.EncodeValue(selfStruct{Next: &selfStruct{}}); err != nil {
			t.Errorf("%s: %v", ser, err)
		}
	}
}
