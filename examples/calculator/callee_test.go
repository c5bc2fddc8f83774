package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wampgen/wampgen/examples/calculator/calc"
	"github.com/wampgen/wampgen/router"
	"github.com/wampgen/wampgen/router/routertest"
	"github.com/wampgen/wampgen/runtime"
)

// startCallee runs "calculator callee" in this process with args until the
// test ends, and waits until it has registered. It returns its output.
func startCallee(t *testing.T, args ...string) (out, errOut *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	out, errOut = &syncBuffer{}, &syncBuffer{}
	go func() { done <- run(ctx, append([]string{"callee"}, args...), out, errOut) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("callee exited %d: %s", code, errOut.String())
		}
		if !strings.Contains(out.String(), "drained:") {
			t.Errorf("callee did not say it drained:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "calculator registered") {
		select {
		case code := <-done:
			done <- code // for the cleanup
			t.Fatalf("callee exited %d before registering: %s", code, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("callee did not register: %s %s", out.String(), errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return out, errOut
}

// runCall runs "calculator call" with args and checks that every check
// passed.
func runCall(t *testing.T, args ...string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), append([]string{"call"}, args...), &out, &errOut); code != 0 {
		t.Fatalf("call exited %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "checks passed") || strings.Contains(out.String(), "FAIL") {
		t.Fatalf("call output:\n%s", out.String())
	}
}

// TestCalleeAgainstServe: the embedded router of "serve --callee=false"
// has no calculator; a "callee" over each serializer joins it as a client,
// and every check of "call" passes, streamed input included. Interrupted,
// the callee drains and exits 0 (see startCallee).
func TestCalleeAgainstServe(t *testing.T) {
	url := startServe(t, "--callee=false")
	for _, ser := range []string{"json", "msgpack", "cbor"} {
		t.Run(ser, func(t *testing.T) {
			startCallee(t, "--url", url, "--realm", "realm1", "--serializer", ser)
			runCall(t, "--url", url, "--realm", "realm1", "--serializer", "cbor", "--streams")
		})
	}
}

// TestCalleeServiceTicket: with "serve --service-ticket", an anonymous
// callee and one with a wrong ticket are refused (exit 1, saying why),
// and a callee with the ticket, from a file, serves every check.
func TestCalleeServiceTicket(t *testing.T) {
	url := startServe(t, "--callee=false", "--service-ticket", "s3cret")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"anonymous", nil, "not_authorized"},
		{"wrong ticket", []string{"--ticket", "guess"}, "authentication_failed"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"callee", "--url", url, "--realm", "realm1"}, tc.args...), &out, &errOut)
		if code != 1 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%s callee: exit %d, %q; want exit 1 and %s", tc.name, code, errOut.String(), tc.want)
		}
	}
	secret := filepath.Join(t.TempDir(), "ticket")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startCallee(t, "--url", url, "--realm", "realm1", "--authid", serviceAuthID, "--secret-file", secret)
	runCall(t, "--url", url, "--realm", "realm1")
}

// TestCalleeAuthMethodsOverTLS: against a router serving wss:// with a
// certificate the callee trusts through --ca-file, a callee authenticates
// with each method of --auth, and serves.
func TestCalleeAuthMethodsOverTLS(t *testing.T) {
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	realm := router.RealmConfig{Name: "prod", Users: []router.User{
		{AuthID: "svc-ticket", AuthRole: "service", Ticket: "t1"},
		{AuthID: "svc-cra", AuthRole: "service", Secret: "c1", Salt: "salt"},
		{AuthID: "svc-sign", AuthRole: "service", PublicKey: pub},
		{AuthID: "caller", AuthRole: "caller", Ticket: "t2"},
	}, Roles: []router.Role{
		{Name: "service", Permissions: []router.Permission{
			{URI: "com.example.calc.", Match: "prefix", Register: true, Publish: true}}},
		{Name: "caller", Permissions: []router.Permission{
			{URI: "com.example.calc.", Match: "prefix", Call: true, Subscribe: true}}},
	}}
	serverTLS, clientTLS := routertest.TLS(t)
	r := routertest.New(t, routertest.WithRealms(realm), routertest.WithTLS(serverTLS))
	url := r.WebSocketURL()
	if !strings.HasPrefix(url, "wss://") {
		t.Fatalf("the router serves %s, want wss://", url)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ca := write("ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: serverTLS.Certificates[0].Leaf.Raw})))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sess, err := runtime.Dial(ctx, url, runtime.Config{Realm: "prod", TLSConfig: clientTLS, Auth: runtime.Ticket("caller", "t2")})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	client := calc.NewCalculatorClient(sess)

	// Without --ca-file the router's certificate is not trusted.
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"callee", "--url", url, "--realm", "prod", "--ticket", "t1", "--authid", "svc-ticket"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "certificate") {
		t.Errorf("callee without --ca-file: exit %d, %q; want exit 1 and a certificate error", code, errOut.String())
	}
	for i, tc := range []struct{ method, authid, secret string }{
		{"ticket", "svc-ticket", "t1"},
		{"wampcra", "svc-cra", "c1"},
		{"cryptosign", "svc-sign", hex.EncodeToString(key.Seed())},
	} {
		t.Run(tc.method, func(t *testing.T) {
			file := write(tc.method, tc.secret+"\n")
			ctx, cancel := context.WithCancel(ctx)
			done := make(chan int, 1)
			var out, errOut syncBuffer
			go func() {
				done <- run(ctx, []string{"callee", "--url", url, "--realm", "prod", "--ca-file", ca,
					"--auth", tc.method, "--authid", tc.authid, "--secret-file", file}, &out, &errOut)
			}()
			for !strings.Contains(out.String(), "calculator registered") {
				select {
				case code := <-done:
					t.Fatalf("callee exited %d: %s", code, errOut.String())
				case <-ctx.Done():
					t.Fatalf("callee did not register: %s", errOut.String())
				case <-time.After(10 * time.Millisecond):
				}
			}
			if got, err := client.Add(ctx, float64(i), 1); err != nil || got != float64(i+1) {
				t.Errorf("Add(%d, 1) through the %s callee = %v, %v", i, tc.method, got, err)
			}
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("callee exited %d: %s", code, errOut.String())
			}
		})
	}
}

// TestCalleeUsageErrors: bad flags exit 2 with a message naming the flag,
// before anything is dialled.
func TestCalleeUsageErrors(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("not hex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--serializer", "xml"}, "xml"},
		{[]string{"--invoke", "everyone"}, "--invoke"},
		{[]string{"--ticket", "a", "--secret-file", secret}, "exclude each other"},
		{[]string{"--auth", "wampcra"}, "needs --secret-file"},
		{[]string{"--auth", "scram", "--ticket", "x"}, "--auth"},
		{[]string{"--auth", "cryptosign", "--secret-file", secret}, "Ed25519"},
		{[]string{"--ticket", "x", "--authid", ""}, "--authid"},
		{[]string{"--secret-file", filepath.Join(t.TempDir(), "missing")}, "--secret-file"},
		{[]string{"--ca-file", secret}, "no PEM certificate"},
		{[]string{"--secret-file", "/dev/zero"}, "larger than"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		var out, errOut bytes.Buffer
		// An unreachable URL: a usage error must come before dialling.
		args := append([]string{"callee", "--url", "ws://127.0.0.1:1/"}, tc.args...)
		if code := run(context.Background(), args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("callee %v: exit %d, %q; want exit 2 and %q", tc.args, code, errOut.String(), tc.want)
		}
	}
}

// getStats reads a callee's GET /stats.
func getStats(t *testing.T, addr string) calleeStats {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st calleeStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// healthz returns the status code of a callee's GET /healthz.
func healthz(t *testing.T, addr string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestCalleeHealth: /healthz answers 200 while the callee is joined and
// registered, 503 while it reconnects (its redial held by the test), and
// 200 again once its registrations are restored; /stats counts the
// invocations served.
func TestCalleeHealth(t *testing.T) {
	var mu sync.Mutex
	var conns []net.Conn
	hold := make(chan struct{})
	calleeDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		redial := len(conns) > 0
		mu.Unlock()
		if redial {
			select {
			case <-hold:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err == nil {
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
		return c, err
	}
	t.Cleanup(func() { calleeDial = nil })
	url := startServe(t, "--callee=false")
	health := freeAddr(t)
	startCallee(t, "--url", url, "--realm", "realm1", "--health", health)
	if code := healthz(t, health); code != http.StatusOK {
		t.Fatalf("/healthz of a registered callee: %d, want 200", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sess, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	client := calc.NewCalculatorClient(sess)
	for i := range 5 {
		if _, err := client.Add(ctx, float64(i), 1); err != nil {
			t.Fatal(err)
		}
	}
	if st := getStats(t, health); st.Served != 5 || !st.Ready || st.State != "joined" {
		t.Fatalf("/stats after 5 calls: %+v, want 5 served, ready, joined", st)
	}

	mu.Lock()
	conns[0].Close()
	mu.Unlock()
	for healthz(t, health) != http.StatusServiceUnavailable {
		if ctx.Err() != nil {
			t.Fatal("/healthz did not turn 503 once the connection broke")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := getStats(t, health); st.Ready || st.State != "reconnecting" {
		t.Fatalf("/stats while reconnecting: %+v", st)
	}
	close(hold)
	for healthz(t, health) != http.StatusOK {
		if ctx.Err() != nil {
			t.Fatal("/healthz did not turn 200 again after the reconnect")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Ready means registered: the call is served at once.
	if got, err := client.Add(ctx, 2, 3); err != nil || got != 5 {
		t.Fatalf("Add once /healthz is 200 again: %v, %v", got, err)
	}
}

// startCalleeBinary runs "calculator callee" from bin against url with
// extra flags and waits until it has registered.
func startCalleeBinary(t *testing.T, bin, url string, extra ...string) (*os.Process, <-chan error, *syncBuffer) {
	t.Helper()
	cmd, exited, errOut := startBinary(t, bin, "calculator registered", append([]string{"callee", "--url", url, "--realm", "realm1"}, extra...)...)
	return cmd.Process, exited, errOut
}

// calleeGone reports whether err is the router's answer to a call whose
// callee left while it ran: wamp.error.canceled, "callee gone" (nexus).
func calleeGone(err error) bool {
	return errors.Is(err, runtime.ErrCanceled) && strings.Contains(err.Error(), "callee gone")
}

// TestCalleeRoundRobinKill runs three callee processes sharing the
// calculator's registrations (--invoke roundrobin) on one router, kills one
// with SIGKILL under load, and checks, counting per process through each
// callee's /stats:
//   - every check of "calculator call" passes against them, and a callee
//     asking for another invocation policy is refused;
//   - six long Sleep calls started together are spread two per callee;
//   - of those, exactly the ones on the killed process fail, with the
//     router's "callee gone", and the ones on the survivors, in flight
//     across the kill, get their result;
//   - the calls of a load running across the kill fail only that way;
//   - once the router has dropped the killed callee, every call succeeds,
//     and both survivors serve them (each at least a quarter).
func TestCalleeRoundRobinKill(t *testing.T) {
	bin := buildCalculator(t)
	_, url, _, _ := startServeBinary(t, bin, "--callee=false")
	type callee struct {
		proc   *os.Process
		health string
	}
	var callees [3]callee
	for i := range callees {
		health := freeAddr(t)
		proc, _, _ := startCalleeBinary(t, bin, url, "--invoke", "roundrobin", "--health", health)
		callees[i] = callee{proc, health}
	}
	// Every check passes against the shared registrations, streamed
	// input included (the router keeps a call's chunks on one callee).
	runCall(t, "--url", url, "--realm", "realm1", "--streams")
	// A callee with another policy is refused by the router.
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"callee", "--url", url, "--realm", "realm1", "--invoke", "single"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "procedure_already_exists") {
		t.Errorf("a callee with --invoke single next to round robin ones: exit %d, %q; want exit 1 and procedure_already_exists", code, errOut.String())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	sess, err := runtime.Dial(ctx, url, runtime.Config{Realm: "realm1"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	client := calc.NewCalculatorClient(sess)

	// The load: workers calling add until stopped.
	const workers = 4
	var (
		loadMu   sync.Mutex
		loadOK   int
		loadErrs []error
		wg       sync.WaitGroup
	)
	stopLoad := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stopLoad:
					return
				default:
				}
				got, err := client.Add(ctx, float64(w), float64(i))
				if err == nil && got != float64(w+i) {
					err = fmt.Errorf("add(%d, %d) = %v", w, i, got)
				}
				loadMu.Lock()
				if err != nil {
					loadErrs = append(loadErrs, err)
				} else {
					loadOK++
				}
				loadMu.Unlock()
			}
		})
	}

	// Long calls: with round robin, two on each callee. They run for
	// holdMs; the kill comes as soon as all run, far earlier (and the test
	// checks it did).
	const holders, holdMs = 6, 10000
	results := make(chan error, holders)
	for range holders {
		go func() {
			ms, err := client.Sleep(ctx, holdMs)
			if err == nil && ms != holdMs {
				err = fmt.Errorf("sleep(%d) = %d", holdMs, ms)
			}
			results <- err
		}()
	}
	var sleeping [3]int
	for {
		total := 0
		for i, c := range callees {
			sleeping[i] = getStats(t, c.health).Sleeping
			total += sleeping[i]
		}
		if total == holders {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the long calls did not all start: %v running", sleeping)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if sleeping != [3]int{2, 2, 2} {
		t.Fatalf("the long calls run %v on the three callees, want two on each (round robin)", sleeping)
	}

	const victim = 1
	if err := callees[victim].proc.Kill(); err != nil {
		t.Fatal(err)
	}
	for i, c := range callees {
		if i == victim {
			continue
		}
		if st := getStats(t, c.health); st.Sleeping != sleeping[i] {
			t.Fatalf("a survivor runs %d long calls just after the kill, want %d: the test's premise (calls in flight on it across the kill) failed", st.Sleeping, sleeping[i])
		}
	}
	failed := 0
	for range holders {
		select {
		case err := <-results:
			switch {
			case err == nil:
			case calleeGone(err):
				failed++
			default:
				t.Errorf("a long call failed with %v, want its result or %s \"callee gone\"", err, runtime.ErrCanceled.URI)
			}
		case <-ctx.Done():
			t.Fatal("the long calls did not end")
		}
	}
	if failed != sleeping[victim] {
		t.Errorf("%d long calls failed, want the %d on the killed callee", failed, sleeping[victim])
	}

	close(stopLoad)
	wg.Wait()
	for _, err := range loadErrs {
		if !calleeGone(err) {
			t.Errorf("a call of the load failed with %v, want its result or \"callee gone\"", err)
		}
	}
	t.Logf("load: %d calls answered, %d failed (in flight on the killed callee)", loadOK, len(loadErrs))

	// The router answered "callee gone" when it dropped the killed
	// callee's session, registrations included: every call from now on
	// reaches a survivor.
	before := map[int]int64{}
	for i, c := range callees {
		if i != victim {
			before[i] = getStats(t, c.health).Served
		}
	}
	const after = 60
	errs := make(chan error, after)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < after; i += workers {
				got, err := client.Add(ctx, float64(i), 1)
				if err == nil && got != float64(i+1) {
					err = fmt.Errorf("add(%d, 1) = %v", i, got)
				}
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a call after the kill: %v", err)
		}
	}
	var total int64
	for i, n := range before {
		served := getStats(t, callees[i].health).Served - n
		total += served
		if served < after/4 {
			t.Errorf("survivor %d served %d of the %d calls after the kill, want at least a quarter", i, served, after)
		}
	}
	if total != after {
		t.Errorf("the survivors served %d calls after the kill, want %d", total, after)
	}
}

// TestCalleeDrainsOnSIGTERM: a built callee with a call in flight gets
// SIGTERM; the call gets its result, the callee unregisters (the router
// then knows no calculator), says what it served, and exits 0.
func TestCalleeDrainsOnSIGTERM(t *testing.T) {
	bin := buildCalculator(t)
	url := startServe(t, "--callee=false")
	proc, exited, errOut := startCalleeBinary(t, bin, url)
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
	if err := proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
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
			t.Fatalf("callee exited: %v\n%s", err, errOut.String())
		}
	case <-ctx.Done():
		t.Fatal("callee did not exit after draining")
	}
	if _, err := client.Add(ctx, 1, 2); !errors.Is(err, runtime.ErrNoSuchProcedure) {
		t.Fatalf("Add after the callee drained: %v, want %v", err, runtime.ErrNoSuchProcedure)
	}
}
