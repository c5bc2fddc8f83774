package gen_test

import (
	"strings"
	"testing"
)

// An unexported method of an interface embedded from another package can
// only be implemented in that package, so no client can implement the
// service: that is a diagnostic naming the method and the fix, not a
// client that does not compile.
func TestEmbeddedForeignUnexportedMethod(t *testing.T) {
	got := genCompileDiagnostics(t, map[string]string{
		"other/other.go": "package other\n\nimport \"context\"\n\ntype I interface {\n\tget(ctx context.Context) (int, error)\n}\n",
		"svc/svc.go": `package svc

import (
	"context"

	"example.com/m/other"
)

//wampgen:service prefix=com.example.svc
type Svc interface {
	other.I
	Put(ctx context.Context, n int) error
}
`})
	want := "svc/svc.go:10:6: method Svc.get (declared in package example.com/m/other) is unexported, so only types of package example.com/m/other can implement Svc and the generated client cannot: export the method, or declare the service in package example.com/m/other"
	if strings.TrimSpace(got) != want {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
}
