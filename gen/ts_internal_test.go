package gen

import (
	"strings"
	"testing"
)

func TestTSMethodName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Add", "add"},
		{"ReverseBytes", "reverseBytes"},
		{"HTTPStatus", "httpStatus"},
		{"GetID", "getID"},
		{"ID", "id"},
		{"URLs", "urls"},
		{"IDsFor", "idsFor"},
		{"WhoAmI", "whoAmI"},
		{"Whoami", "whoami"},
		{"IOError", "ioError"},
		{"A", "a"},
		{"S3Put", "s3Put"},
		{"V2", "v2"},
		{"already", "already"},
		{"ÉtéTime", "étéTime"},
	} {
		if got := tsMethodName(tt.in); got != tt.want {
			t.Errorf("tsMethodName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTSErrorClass(t *testing.T) {
	for _, tt := range []struct {
		name string
		kind ErrorKind
		want string
	}{
		{"ErrDivByZero", SentinelError, "DivByZeroError"},
		{"errQuota", SentinelError, "QuotaError"},
		{"TimeoutError", SentinelError, "TimeoutError"},
		{"Errand", SentinelError, "ErrandError"},
		{"Err", SentinelError, "ErrError"},
		{"Err_Gone", SentinelError, "GoneError"},
		{"Err404", SentinelError, "Err404Error"},
		{"errnotfound", SentinelError, "ErrnotfoundError"},
		{"NegativeInputError", TypeError, "NegativeInputError"},
		{"Gone", TypeError, "Gone"},
	} {
		if got := tsErrorClass(&ErrorDecl{Name: tt.name, Kind: tt.kind}); got != tt.want {
			t.Errorf("tsErrorClass(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTSParamNames(t *testing.T) {
	params := []*Param{{Name: "delete"}, {Name: "w"}, {Name: "w_"}, {Name: "options"}, {Name: "x"}, {Name: "inv"}}
	got := strings.Join(tsParamNames(params), " ")
	if want := "delete_ w__ w_ options_ x inv_"; got != want {
		t.Errorf("tsParamNames = %q, want %q", got, want)
	}
}

func TestTSQuoteAndKey(t *testing.T) {
	for _, tt := range []struct{ in, quote, key string }{
		{"op", "'op'", "op"},
		{"it's", `'it\'s'`, `'it\'s'`},
		{"a\\b\n", `'a\\b\n'`, `'a\\b\n'`},
		{"x-dashed", "'x-dashed'", "'x-dashed'"},
		{"\u2028\x00", `'\u2028\u0000'`, `'\u2028\u0000'`},
		{"__proto__", "'__proto__'", "'__proto__'"},
		{"", "''", "''"},
		{"9lives", "'9lives'", "'9lives'"},
		{"$ok_1", "'$ok_1'", "$ok_1"},
		{"é", "'é'", "'é'"},
	} {
		if got := tsQuote(tt.in); got != tt.quote {
			t.Errorf("tsQuote(%q) = %s, want %s", tt.in, got, tt.quote)
		}
		if got := tsKey(tt.in); got != tt.key {
			t.Errorf("tsKey(%q) = %s, want %s", tt.in, got, tt.key)
		}
	}
}

func TestJSDoc(t *testing.T) {
	if got := jsdoc("", ""); got != "" {
		t.Errorf("empty doc: %q", got)
	}
	if got, want := jsdoc("  ", "One line."), "  /** One line. */\n"; got != want {
		t.Errorf("one line: %q, want %q", got, want)
	}
	got := jsdoc("", "Ends a comment: */ here.\n\n\tcode()\n")
	want := "/**\n * Ends a comment: *\\/ here.\n *\n * \tcode()\n */\n"
	if got != want {
		t.Errorf("doc:\n%s\nwant:\n%s", got, want)
	}
	long := strings.Repeat("word ", 30)
	for _, line := range strings.Split(jsdoc("", long), "\n") {
		if len(line) > 90 {
			t.Errorf("line not wrapped: %q", line)
		}
	}
}
