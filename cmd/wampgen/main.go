package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/wampgen/wampgen/gen"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wampgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "write nothing; exit 1 if any generated file is missing, stale or different")
	verbose := fs.Bool("v", false, "list the files written and removed, and the packages skipped for having only test files")
	ts := fs.String("ts", "", "also write TypeScript for every package given into `DIR` (<package>_wamp.ts and wampgen.ts; DIR relative to the current directory), in addition to where //wampgen:typescript directives say")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wampgen [-check] [-v] [-ts DIR] [packages]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // asked for the usage, which went to stderr
		}
		return 2
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "wampgen:", err)
		return 2
	}
	res, err := gen.Generate(gen.Config{Dir: wd, Patterns: fs.Args(), TypeScript: *ts})
	var diags gen.Diagnostics
	if errors.As(err, &diags) {
		fmt.Fprintln(stderr, diags.Format(wd))
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "wampgen:", err)
		return 2
	}
	if *verbose {
		for _, p := range res.Skipped {
			fmt.Fprintf(stdout, "skipped %s: only test files\n", p)
		}
	}
	if *check {
		return checkOutputs(res, wd, stderr)
	}
	var written []string // Write leaves files that are up to date alone
	for _, f := range res.Files {
		if old, err := os.ReadFile(f.Path); err != nil || !bytes.Equal(old, f.Content) {
			written = append(written, f.Path)
		}
	}
	if err := res.Write(); err != nil {
		fmt.Fprintln(stderr, "wampgen:", err)
		return 2
	}
	if *verbose {
		for _, path := range written {
			fmt.Fprintln(stdout, rel(wd, path))
		}
		for _, s := range res.Stale {
			fmt.Fprintln(stdout, "removed", rel(wd, s))
		}
	}
	return 0
}

func checkOutputs(res *gen.Result, wd string, stderr io.Writer) int {
	status := 0
	for _, f := range res.Files {
		old, err := os.ReadFile(f.Path)
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "%s: missing; run go generate, or wampgen with the same flags\n", rel(wd, f.Path))
			status = 1
		case string(old) != string(f.Content):
			fmt.Fprintf(stderr, "%s: out of date; run go generate, or wampgen with the same flags\n", rel(wd, f.Path))
			status = 1
		}
	}
	for _, s := range res.Stale {
		fmt.Fprintf(stderr, "%s: stale (its source is gone, declares no service or error, or now has an output of another name); run go generate, or wampgen with the same flags\n", rel(wd, s))
		status = 1
	}
	return status
}

func rel(wd, path string) string { return gen.RelPath(wd, path) }
