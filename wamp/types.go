package wamp

// Dict is a WAMP dictionary: Details, Options, or a decoded ArgumentsKw.
type Dict = map[string]any

// List is a WAMP list: a decoded Arguments.
type List = []any

// DictString returns d[key] if it is a string.
func DictString(d Dict, key string) (string, bool) {
	s, ok := d[key].(string)
	return s, ok
}

// DictBool returns d[key] if it is a bool.
func DictBool(d Dict, key string) (bool, bool) {
	b, ok := d[key].(bool)
	return b, ok
}

// DictDict returns d[key] if it is a dictionary.
func DictDict(d Dict, key string) (Dict, bool) {
	m, ok := d[key].(map[string]any)
	return m, ok
}

// DictInt returns d[key] if it is an integer that fits an int64. Serializers
// decode integers as int64 or uint64, depending on the format and sign; a
// float with no fraction (as a JSON peer may send) is accepted too.
func DictInt(d Dict, key string) (int64, bool) {
	return AsInt64(d[key])
}

// DictID returns d[key] if it is an integer in 0..MaxID.
func DictID(d Dict, key string) (ID, bool) {
	n, ok := AsInt64(d[key])
	if !ok || n < 0 || n > int64(MaxID) {
		return 0, false
	}
	return ID(n), true
}

// AsInt64 converts a decoded number to int64 if it is an integer that fits.
func AsInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case uint64:
		if n > 1<<63-1 {
			return 0, false
		}
		return int64(n), true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case uint32:
		return int64(n), true
	case float64:
		if n != float64(int64(n)) || n > 1<<63-1024 || n < -(1<<63) {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}
