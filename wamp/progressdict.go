package wamp

import (
	"bytes"
	"sync"
)

// The options of every progressive YIELD and the details of every
// progressive RESULT are {"progress": true}: in a stream, each item's
// message carries that one dictionary, and encoding and decoding it with
// the codec took as much CPU as the item itself (issue 18's profile of a
// stream of 16-byte items). The codec's own encoding of it is computed once
// per format, written as it is, and recognised byte for byte; any other
// encoding of the same dictionary (JSON with spaces, say) still goes to the
// codec.

// progressOnly reports whether d is exactly {"progress": true}.
func progressOnly(d Dict) bool {
	if len(d) != 1 {
		return false
	}
	v, ok := d[OptProgress].(bool)
	return ok && v
}

var progressDicts struct {
	once sync.Once
	b    map[*Serializer][]byte
}

// progressDict returns the codec's encoding of {"progress": true} in s's
// format, or nil if the codec failed to write it.
func (s *Serializer) progressDict() []byte {
	progressDicts.once.Do(func() {
		progressDicts.b = map[*Serializer][]byte{}
		for _, t := range []*Serializer{JSON, MsgPack, CBOR} {
			eb := t.getEncBuf()
			b, err := t.appendCodec(eb, nil, Dict{OptProgress: true}, 1)
			t.putEncBuf(eb)
			if err == nil {
				progressDicts.b[t] = b
			}
		}
	})
	return progressDicts.b[s]
}

// isProgressDict reports whether raw is the codec's encoding of
// {"progress": true}.
func (s *Serializer) isProgressDict(raw []byte) bool {
	p := s.progressDict()
	return p != nil && bytes.Equal(raw, p)
}
