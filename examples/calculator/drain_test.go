package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/runtime"
)

// buildCalculator builds this command into a temporary directory and
// returns the binary's path.
func buildCalculator(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "calculator")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// startServeBinary runs "calculator serve" from bin with extra flags and
// waits until it serves; it returns the process, its WebSocket URL and its
// exit (the process's Wait error, once).
func startServeBinary(t *testing.T, bin string, extra ...string) (*exec.Cmd, string, <-chan error, *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	cmd, exited, errOut := startBinary(t, bin, "serving realm", append([]string{"serve", "--listen", addr, "--realm", "realm1"}, extra...)...)
	return cmd, "ws://" + addr + "/", exited, errOut
}

// startBinary runs bin with args, killed when the test ends, and waits
// until its standard output contains ready; it returns the command, its
// exit (the process's Wait error, once) and its standard error.
func startBinary(t *testing.T, bin, ready string, args ...string) (*exec.Cmd, <-chan error, *syncBuffer) {
	t.Helper()
	var out, errOut syncBuffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	waited := make(chan struct{})
	go func() { exited <- cmd.Wait(); close(waited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-waited
	})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), ready) {
		if time.Now().After(deadline) {
			t.Fatalf("%s %s did not start: %s %s", bin, args[0], out.String(), errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cmd, exited, &errOut
}

// awaitActive waits until the calculator runs n Sleep calls.
func awaitActive(ctx context.Context, t *testing.T, client *calc.CalculatorClient, n int) {
	t.Helper()
	for {
		got, err := client.Active(ctx)
		if err != nil {
			t.Fatalf("Active: %v", err)
		}
		if got == n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestServeDrainsOnSignal sends SIGTERM (then, in the second case, SIGINT)
// to a built "calculator serve" with a call in flight: the call gets its
// result, new calls no longer reach the callee, and the process exits 0.
func TestServeDrainsOnSignal(t *testing.T) {
	bin := buildCalculator(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, url, exited, errOut := startServeBinary(t, bin)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			sess, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1"})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			client := calc.NewCalculatorClient(sess)
			type result struct {
				ms  int
				err error
			}
			inFlight := make(chan result, 1)
			go func() {
				ms, err := client.Sleep(ctx, 1000)
				inFlight <- result{ms, err}
			}()
			awaitActive(ctx, t, client, 1)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			// Once the callee has unregistered, the router knows no
			// calculator. Until then a call is answered (the signal is
			// delivered asynchronously: the drain may not have begun) or,
			// once the drain began, refused with wamp.error.unavailable.
			for {
				_, err := client.Add(ctx, 1, 2)
				if errors.Is(err, runtime.ErrNoSuchProcedure) {
					break
				}
				if err != nil && !errors.Is(err, runtime.ErrUnavailable) {
					t.Fatalf("Add during the drain: %v, want a result, wamp.error.unavailable or no_such_procedure", err)
				}
			}
			select {
			case got := <-inFlight:
				if got.err != nil || got.ms != 1000 {
					t.Fatalf("the call in flight during the drain: %v, %v; want 1000", got.ms, got.err)
				}
			case <-ctx.Done():
				t.Fatal("the call in flight did not end")
			}
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("serve exited: %v\n%s", err, errOut.String())
				}
			case <-ctx.Done():
				t.Fatal("serve did not exit after draining")
			}
		})
	}
}

// TestServeDrainTimeout: a call that outlives --drain-timeout is
// cancelled, its caller gets an error, and serve exits 1 saying so.
func TestServeDrainTimeout(t *testing.T) {
	bin := buildCalculator(t)
	cmd, url, exited, errOut := startServeBinary(t, bin, "--drain-timeout", "100ms")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sess, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	client := calc.NewCalculatorClient(sess)
	inFlight := make(chan error, 1)
	go func() {
		_, err := client.Sleep(ctx, 60000)
		inFlight <- err
	}()
	awaitActive(ctx, t, client, 1)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-inFlight:
		if err == nil {
			t.Fatal("a call that outlived the drain timeout got a result")
		}
	case <-ctx.Done():
		t.Fatal("the call in flight did not end")
	}
	select {
	case err := <-exited:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("serve exited: %v, want exit status 1\n%s", err, errOut.String())
		}
		if !strings.Contains(errOut.String(), "calls still running after 100ms were cancelled") {
			t.Fatalf("serve's error output does not say why it failed:\n%s", errOut.String())
		}
	case <-ctx.Done():
		t.Fatal("serve did not exit")
	}
}
