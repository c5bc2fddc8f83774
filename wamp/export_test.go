package wamp

// EncodeValueUnchecked encodes v with the codec alone, without the depth
// and cycle checks of EncodeValue: tests use it to build input nested
// deeper than a receiver accepts, which EncodeValue refuses to write.
func EncodeValueUnchecked(s *Serializer, v any) ([]byte, error) {
	eb := s.getEncBuf()
	defer s.putEncBuf(eb)
	out, err := s.appendCodecOnly(eb, nil, v)
	return out, err
}
