package wire

// JSONDepth checks that the JSON value at the start of b, after optional
// whitespace, nests at most MaxDepth levels. It counts the brackets and
// braces outside strings, up to the end of that value; bytes after it are
// not looked at. It returns ErrTooDeep or nil: malformed JSON is left to
// the decoder, which reads the nesting the same way (nothing but '[' and
// '{' outside a string opens a container).
func JSONDepth(b []byte) error {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	if i == len(b) || b[i] != '[' && b[i] != '{' {
		return nil // a scalar, or not JSON
	}
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++ // the escaped character cannot end the string
				}
			}
		case '[', '{':
			if depth == MaxDepth {
				return ErrTooDeep
			}
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return nil // the value is complete
			}
		}
	}
	return nil
}
