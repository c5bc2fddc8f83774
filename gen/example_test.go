package gen_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/wampgen/wampgen/gen"
)

// Generate reads the package in a directory and returns the files to
// write, here those of testdata/golden/basic (Write would write them). The
// example prints each output's name and the exported declarations it
// holds.
func ExampleGenerate() {
	res, err := gen.Generate(gen.Config{Dir: "../testdata/golden/basic"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range res.Files {
		fmt.Println(filepath.Base(f.Path), "from", filepath.Base(f.Source))
		lines := bufio.NewScanner(bytes.NewReader(f.Content))
		for lines.Scan() {
			line := lines.Text()
			if strings.HasPrefix(line, "type ") || strings.HasPrefix(line, "func New") || strings.HasPrefix(line, "func Register") {
				fmt.Println("\t" + strings.TrimSuffix(line, " {"))
			}
		}
	}
	// Output:
	// svc_wamp.go from svc.go
	//	type GreeterClient struct
	//	func NewGreeterClient(caller runtime.Caller, opts ...runtime.CallOption) *GreeterClient
	//	type UnimplementedGreeter struct{}
	//	func RegisterGreeter(ctx context.Context, callee runtime.Callee, impl Greeter, opts ...runtime.RegisterOption) (*runtime.Registrations, error)
}

// A package with problems gives Diagnostics, all of them, sorted, each
// naming the rule and the fix; nothing is generated.
func ExampleDiagnostics() {
	dir, err := filepath.Abs("../testdata/golden/no_ctx")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = gen.Generate(gen.Config{Dir: dir})
	var diags gen.Diagnostics
	if errors.As(err, &diags) {
		fmt.Println(diags[0].Format(dir)) // file names relative to dir
		fmt.Println(len(diags), "diagnostics")
	}
	// Output:
	// svc.go:10:2: method Svc.NoParams: the first parameter must be a context.Context (rule: method shape): add ctx context.Context as the first parameter
	// 4 diagnostics
}
